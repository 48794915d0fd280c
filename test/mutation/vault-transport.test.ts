/**
 * The Vault transport (src/clients/vault-transport.ts) against nock: what it sends (JSON body only for an
 * object, the accept/content-type headers, no header without a value), what it refuses (every 3xx, naming
 * only the target's origin), how it reads answers, and the ca-file bundle — over Node's own http module,
 * without undici (which the run loads only once the Vault login is on the wire). Waits, cut-off answers and
 * kept connections need real sockets: vault-transport-wire.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { caBundle, vaultTransport } from '../../src/clients/vault-transport.js';
import type { VaultRequest } from '../../src/clients/vault-transport.js';
import { StartupError } from '../../src/errors.js';

// Without a proxy configured, nothing here may load undici: the login goes out before it is loaded.
vi.mock('undici', () => {
  throw new Error('the Vault transport loaded undici');
});

const VAULT = 'http://vault-transport.test:8200';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

const send = (request: VaultRequest, timeoutMs = 2000) => vaultTransport({ timeoutMs }).defaults()(request);

/** Records the body each request carried. */
function answering(scope: nock.Scope, method: 'get' | 'post', path: string, bodies: unknown[]) {
  scope
    .intercept(path, method.toUpperCase(), (body: unknown) => {
      bodies.push(body);
      return true;
    })
    .reply(200, '{}');
}

beforeEach(() => {
  nock.disableNetConnect();
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) vi.stubEnv(name, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(pending).toEqual([]);
});

describe('the Vault transport sends JSON only for an object body', () => {
  it('an object json is sent as its JSON text with content-type and accept application/json', async () => {
    const bodies: unknown[] = [];
    const scope = nock(VAULT, {
      reqheaders: { 'content-type': 'application/json', accept: 'application/json' },
    });
    answering(scope, 'post', '/v1/auth/approle/login', bodies);
    await send({ method: 'POST', uri: `${VAULT}/v1/auth/approle/login`, json: { role_id: 'r' } });
    expect(bodies).toEqual([{ role_id: 'r' }]);
  });

  it('json: true (parse the answer) sends no body and no content-type, but accepts JSON', async () => {
    const bodies: unknown[] = [];
    const scope = nock(VAULT, {
      reqheaders: { accept: 'application/json', 'x-vault-token': 't' },
      badheaders: ['content-type'],
    });
    answering(scope, 'get', '/v1/secret/data/a', bodies);
    await send({
      method: 'GET',
      uri: `${VAULT}/v1/secret/data/a`,
      json: true,
      headers: { 'x-vault-token': 't' },
    });
    expect(bodies).toEqual(['']);
  });

  it('json: null sends no body and no content-type', async () => {
    const bodies: unknown[] = [];
    answering(nock(VAULT, { badheaders: ['content-type'] }), 'post', '/v1/x', bodies);
    await send({ method: 'POST', uri: `${VAULT}/v1/x`, json: null });
    expect(bodies).toEqual(['']);
  });
});

describe('the Vault transport sends no header without a value', () => {
  it('an undefined header is left out (node:http would throw on it), the others go', async () => {
    const bodies: unknown[] = [];
    const scope = nock(VAULT, { reqheaders: { 'x-vault-token': 't' }, badheaders: ['x-vault-namespace'] });
    answering(scope, 'get', '/v1/secret/data/a', bodies);
    const answer = await send({
      method: 'GET',
      uri: `${VAULT}/v1/secret/data/a`,
      json: true,
      headers: { 'x-vault-token': 't', 'x-vault-namespace': undefined },
    });
    expect(answer.statusCode).toBe(200);
  });
});

describe('the Vault transport follows no redirect', () => {
  const MESSAGE = (origin: string) =>
    `Vault redirected to ${origin}; dtp follows no Vault redirect (the token would travel with it): set vault-addr to the address that answers directly (the active node or its load balancer)`;

  it.each([300, 399])(
    'a %i is refused as a redirect naming only the origin of its Location',
    async (status) => {
      nock(VAULT)
        .get('/v1/secret/data/a')
        .query({ version: '2' })
        .reply(status, '{"data":1}', { Location: 'https://other.test:9443/v1/steal?token=x' });
      const answer = await send({ method: 'GET', uri: `${VAULT}/v1/secret/data/a?version=2`, json: true });
      expect(answer).toEqual({
        statusCode: status,
        body: { errors: [MESSAGE('https://other.test:9443')] },
        request: { path: '/v1/secret/data/a' },
      });
    },
  );

  it('a 400 is not a redirect: its JSON body and path are handed back', async () => {
    nock(VAULT)
      .get('/v1/secret/data/a')
      .reply(400, '{"errors":["bad"]}', { Location: 'https://other.test/' });
    const answer = await send({ method: 'GET', uri: `${VAULT}/v1/secret/data/a`, json: true });
    expect(answer).toEqual({
      statusCode: 400,
      body: { errors: ['bad'] },
      request: { path: '/v1/secret/data/a' },
    });
  });

  it('a redirect without a Location is reported as going to an unreadable location', async () => {
    nock(VAULT).get('/v1/a').reply(302, '');
    const answer = await send({ method: 'GET', uri: `${VAULT}/v1/a`, json: true });
    expect(answer.body).toEqual({ errors: [MESSAGE('an unreadable location')] });
  });

  it('a relative Location names the origin it resolves against', async () => {
    nock(VAULT).get('/v1/a').reply(307, '', { Location: '/v1/b?token=x' });
    const answer = await send({ method: 'GET', uri: `${VAULT}/v1/a`, json: true });
    expect(answer.body).toEqual({ errors: [MESSAGE(VAULT)] });
  });
});

describe('the Vault transport parses answers as JSON or nothing', () => {
  it.each(['', '  \n'])('an empty or blank answer (%j) has no body', async (text) => {
    nock(VAULT).get('/v1/a').reply(204, text);
    const answer = await send({ method: 'GET', uri: `${VAULT}/v1/a`, json: true });
    expect(answer).toEqual({ statusCode: 204, body: undefined, request: { path: '/v1/a' } });
  });

  it('a non-JSON answer (a proxy page) has no body', async () => {
    nock(VAULT).get('/v1/a').reply(502, '<html>bad gateway</html>');
    const answer = await send({ method: 'GET', uri: `${VAULT}/v1/a`, json: true });
    expect(answer).toEqual({ statusCode: 502, body: undefined, request: { path: '/v1/a' } });
  });

  it('a 200 answer hands back the parsed body and the request path', async () => {
    nock(VAULT).get('/v1/a').query({ list: 'true' }).reply(200, '{"data":{"k":"v"}}');
    const answer = await send({ method: 'GET', uri: `${VAULT}/v1/a?list=true`, json: true });
    expect(answer).toEqual({ statusCode: 200, body: { data: { k: 'v' } }, request: { path: '/v1/a' } });
  });
});

describe('the ca-file bundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dtp-vtransport-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a PEM bundle is added as text after the system roots', () => {
    const file = join(dir, 'ca.pem');
    writeFileSync(file, PEM);
    expect(caBundle(file)).toEqual([...rootCertificates, PEM]);
  });

  it('no ca-file means the default roots', () => {
    expect(caBundle(undefined)).toBeUndefined();
    expect(caBundle('')).toBeUndefined();
  });

  it('an unreadable ca-file stops the run naming the file', () => {
    const file = join(dir, 'missing.pem');
    const error = (() => {
      try {
        caBundle(file);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StartupError);
    expect(error).toMatchObject({
      message: `ca-file: cannot read ${file}`,
      hint: 'Point ca-file at a readable PEM bundle.',
    });
  });

  it('a ca-file without a PEM certificate stops the run', () => {
    const file = join(dir, 'ca.txt');
    writeFileSync(file, 'not a certificate');
    const error = (() => {
      try {
        caBundle(file);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StartupError);
    expect(error).toMatchObject({
      message: `ca-file: ${file} holds no PEM certificate`,
      hint: 'ca-file must be a PEM bundle (-----BEGIN CERTIFICATE----- blocks).',
    });
  });
});
