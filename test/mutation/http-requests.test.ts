/**
 * What the shared HTTP transport puts on the wire and through which pool (src/clients/http.ts): headers and
 * body per request, the path under the base URL, one keep-alive pool per size and trust list, the proxy
 * variables, and closing every pool at the end of a run.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeHttpAgents, sharedDispatcher } from '../../src/clients/http.js';
import { EnvHttpProxyAgent, fake, fakeClient } from './http-fake-undici.js';

vi.mock('undici', () => import('./http-fake-undici.js'));

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

beforeEach(async () => {
  await closeHttpAgents();
  fake.reset();
  for (const name of PROXY_VARIABLES) vi.stubEnv(name, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  expect(fake.steps).toEqual([]);
  expect(fake.unscripted).toBe(0);
});

describe('what each request sends', () => {
  it('a GET asks for JSON and carries no body, content type or empty authorization', async () => {
    fake.answer(200, { ok: 1 });
    const { http } = fakeClient({ authorization: async () => undefined, timeoutMs: 1500 });
    await http.request({ operation: 'get', method: 'GET', path: '/x?search=a' });
    expect(fake.sent).toEqual([
      {
        origin: 'http://ocm.test',
        path: '/x?search=a',
        method: 'GET',
        headers: { accept: 'application/json' },
        body: undefined,
        headersTimeout: 1500,
        bodyTimeout: 1500,
      },
    ]);
  });

  it('a JSON body is sent as JSON, with the credential of the attempt', async () => {
    fake.answer(201, { id: 'a' });
    const { http } = fakeClient({ authorization: async () => 'Bearer t' });
    await http.request({ operation: 'mint', method: 'POST', path: '/p', json: { name: 'n' } });
    expect(fake.sent[0]).toMatchObject({
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"name":"n"}',
    });
  });

  it('a form is sent url-encoded, with the caller’s extra headers', async () => {
    fake.answer(200, { access_token: 'a' });
    const { http } = fakeClient();
    await http.request({
      operation: 'token',
      method: 'POST',
      path: '/token',
      form: { grant_type: 'client_credentials', scope: 'a b' },
      headers: { authorization: 'Basic x' },
    });
    expect(fake.sent[0]).toMatchObject({
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'Basic x',
      },
      body: 'grant_type=client_credentials&scope=a+b',
    });
  });

  it('the request path goes under the base URL’s path, without doubled slashes', async () => {
    fake.answer(200, { ok: 1 });
    const { http } = fakeClient({ baseUrl: 'https://dt.test/e/abc/api/v2//' });
    await http.request({ operation: 'get', method: 'GET', path: '/apiTokens' });
    expect(fake.sent[0]).toMatchObject({ origin: 'https://dt.test', path: '/e/abc/api/v2/apiTokens' });
  });

  it('an empty path on a bare origin asks for the root', async () => {
    fake.answer(200, { ok: 1 });
    const { http } = fakeClient({ baseUrl: 'http://sso.test' });
    await http.request({ operation: 'get', method: 'GET', path: '' });
    expect(fake.sent[0]?.path).toBe('/');
  });
});

describe('connection pools', () => {
  it('a pool holds at least 8 connections, and as many as the in-flight limit', async () => {
    fake.answer(200, {});
    fake.answer(200, {});
    fake.answer(200, {});
    for (const maxInFlight of [4, 50, undefined]) {
      await fakeClient({ maxInFlight }).http.request({ operation: 'get', method: 'GET', path: '/' });
    }
    expect(fake.pools.map((p) => p.options.connections)).toEqual([8, 50, 32]);
  });

  it('clients of the same pool size and trust list share one pool; another size or list gets its own', () => {
    const ca = ['-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n'];
    const a = sharedDispatcher(16);
    expect(sharedDispatcher(16)).toBe(a);
    const b = sharedDispatcher(32);
    expect(b).not.toBe(a);
    const c = sharedDispatcher(16, ca);
    expect(sharedDispatcher(16, ca)).toBe(c);
    expect(c).not.toBe(a);
    expect(fake.pools).toHaveLength(3);
    expect(fake.pools[2]?.options.connect).toEqual({ ca });
  });

  it('without proxy variables a pool connects directly', () => {
    sharedDispatcher(8);
    expect(fake.pools).toHaveLength(1);
    expect(fake.pools[0]).not.toBeInstanceOf(EnvHttpProxyAgent);
  });

  it.each(PROXY_VARIABLES)('%s set: the pool goes through the proxy', (name) => {
    vi.stubEnv(name, 'http://proxy.test:3128');
    sharedDispatcher(8);
    expect(fake.pools[0]).toBeInstanceOf(EnvHttpProxyAgent);
  });

  it('closing the pools closes every one and forgets them: the next request opens a new pool', async () => {
    sharedDispatcher(8);
    sharedDispatcher(8, ['ca']);
    const before = [...fake.pools];
    await closeHttpAgents();
    expect(before.map((p) => p.closed)).toEqual([1, 1]);
    fake.answer(200, {});
    await fakeClient({ maxInFlight: 8 }).http.request({ operation: 'get', method: 'GET', path: '/' });
    expect(fake.pools).toHaveLength(3);
    expect(fake.pools[2]?.closed).toBe(0);
  });
});
