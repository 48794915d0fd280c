import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallStats, HttpClient, RateLimiter, retryAfterMs } from '../../src/clients/http.js';
import { AnswerProblem } from '../../src/clients/answers.js';
import { MalformedAnswerError, OutcomeUnknownError, RemoteError } from '../../src/errors.js';

const BASE = 'http://ocm.test';

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  const stats = new CallStats();
  const http = new HttpClient({
    system: 'ocm',
    baseUrl: BASE,
    timeoutMs: 2000,
    maxRetries: 3,
    rateLimit: 1000,
    stats,
    backoffBaseMs: 1,
    backoffCapMs: 5,
    errorMessage: (b) => (b as { reason?: string })?.reason,
    ...extra,
  });
  return { http, stats };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('retries', () => {
  it('retries 503 on any method and returns the eventual answer, counting retries', async () => {
    nock(BASE).post('/x').reply(503, { reason: 'busy' }).post('/x').reply(201, { ok: true });
    const { http, stats } = client();
    const res = await http.request({ operation: 'make x', method: 'POST', path: '/x', json: { a: 1 } });
    expect(res).toMatchObject({ status: 201, body: { ok: true } });
    expect(stats.snapshot()).toEqual([
      expect.objectContaining({ system: 'ocm', operation: 'make x', calls: 1, retries: 1, errors: 0 }),
    ]);
  });

  it('retries 500 for GET but never for a POST, which might have happened', async () => {
    nock(BASE).get('/g').reply(500).get('/g').reply(200, []);
    nock(BASE).post('/p').reply(500, { reason: 'boom' });
    const { http } = client();
    await expect(http.request({ operation: 'get', method: 'GET', path: '/g' })).resolves.toMatchObject({
      status: 200,
    });
    const error = await http.request({ operation: 'mint', method: 'POST', path: '/p' }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe('ocm mint (POST /p) failed with HTTP 500: boom');
  });

  it('does not retry 4xx other than 429, and gives up after max-retries naming the attempts', async () => {
    nock(BASE).get('/bad').reply(400, { reason: 'bad search' });
    nock(BASE).get('/busy').times(3).reply(503);
    const { http, stats } = client({ maxRetries: 2 });
    const bad = await http.request({ operation: 'list', method: 'GET', path: '/bad' }).catch((e) => e);
    expect(bad.status).toBe(400);
    expect(bad.attempts).toBe(1);
    const busy = await http.request({ operation: 'busy', method: 'GET', path: '/busy' }).catch((e) => e);
    expect(busy.message).toContain('after 3 attempts');
    expect(stats.snapshot().find((s) => s.operation === 'busy')).toMatchObject({ retries: 2, errors: 1 });
  });

  it('returns accepted statuses (404 for look-ups) instead of throwing', async () => {
    nock(BASE).get('/gone').reply(404, { reason: 'not found' });
    const { http } = client();
    const res = await http.request({ operation: 'get', method: 'GET', path: '/gone', accept: [404] });
    expect(res.status).toBe(404);
  });

  it('on 429 waits as told, counts it, and halves the rate of the whole system', async () => {
    nock(BASE)
      .get('/r')
      .reply(429, { reason: 'slow down' }, { 'Retry-After': '0' })
      .get('/r')
      .reply(200, { ok: 1 });
    const { http, stats } = client({ rateLimit: 40 });
    await http.request({ operation: 'list', method: 'GET', path: '/r' });
    expect(stats.snapshot()[0]).toMatchObject({ rateLimited: 1, retries: 1 });
    expect(http.limiter.rate).toBeCloseTo(36);
  });

  it('refreshes the credential once on 401 and retries without counting it as a retry', async () => {
    let token = 'first-access-token';
    nock(BASE, { reqheaders: { authorization: 'Bearer first-access-token' } })
      .get('/me')
      .reply(401);
    nock(BASE, { reqheaders: { authorization: 'Bearer second-access-token' } })
      .get('/me')
      .reply(200, { me: 1 });
    const { http } = client({
      authorization: async () => `Bearer ${token}`,
      onUnauthorized: async () => {
        token = 'second-access-token';
      },
    });
    await expect(http.request({ operation: 'me', method: 'GET', path: '/me' })).resolves.toMatchObject({
      body: { me: 1 },
    });
  });

  it('a second 401 is an auth error, not a loop', async () => {
    nock(BASE).get('/me').times(2).reply(401, { reason: 'expired' });
    const { http } = client({ authorization: async () => 'Bearer x', onUnauthorized: async () => undefined });
    const error = await http.request({ operation: 'me', method: 'GET', path: '/me' }).catch((e) => e);
    expect(error.isAuth).toBe(true);
  });
});

describe('answers', () => {
  const shape = (body: unknown) => {
    if (!(body as { id?: unknown })?.id) throw new AnswerProblem('id is missing');
    return body as { id: string };
  };

  it('retries a GET whose 2xx answer is not JSON or not the shape, then returns the good answer', async () => {
    nock(BASE)
      .get('/g')
      .reply(200, '<!DOCTYPE html><html>proxy page</html>', { 'content-type': 'text/html' })
      .get('/g')
      .reply(200, '{"id": "a", "items": [', { 'content-type': 'application/json' })
      .get('/g')
      .reply(200, { other: 1 })
      .get('/g')
      .reply(200, { id: 'a' });
    const { http, stats } = client();
    const res = await http.request({ operation: 'get thing', method: 'GET', path: '/g', answer: shape });
    expect(res.body).toEqual({ id: 'a' });
    expect(stats.snapshot()[0]).toMatchObject({ retries: 3, errors: 0 });
  });

  it('fails an idempotent call with MalformedAnswerError naming system, operation and the problem', async () => {
    nock(BASE).get('/g').times(3).reply(200, '<html>login</html>', { 'content-type': 'text/html' });
    const { http } = client({ maxRetries: 2 });
    const error = await http
      .request({ operation: 'list clusters', method: 'GET', path: '/g', answer: shape })
      .catch((e) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error.message).toBe(
      'ocm list clusters (GET /g): malformed answer: text/html (18 bytes), not JSON (after 3 attempts)',
    );
  });

  it('a POST answered 2xx with an unusable body is an unknown outcome, never sent again', async () => {
    nock(BASE).post('/p').reply(201, { token: 'x' });
    const { http } = client();
    const error = await http
      .request({ operation: 'mint', method: 'POST', path: '/p', answer: shape })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.message).toBe(
      'ocm mint (POST /p) answered HTTP 201: malformed answer: id is missing; it may have been applied',
    );
  });

  it('a POST answered 502 or 504 by a gateway is an unknown outcome; 500 is a plain failure', async () => {
    nock(BASE).post('/p').reply(502).post('/p').reply(504).post('/p').reply(500);
    const { http } = client();
    const send = () => http.request({ operation: 'mint', method: 'POST', path: '/p' }).catch((e) => e);
    expect(await send()).toBeInstanceOf(OutcomeUnknownError);
    expect(await send()).toBeInstanceOf(OutcomeUnknownError);
    const plain = await send();
    expect(plain).toBeInstanceOf(RemoteError);
    expect(plain).not.toBeInstanceOf(OutcomeUnknownError);
  });

  it('does not follow or accept a redirect', async () => {
    nock(BASE).get('/moved').reply(302, '', { location: 'http://elsewhere.test/' });
    const { http } = client();
    const error = await http.request({ operation: 'get', method: 'GET', path: '/moved' }).catch((e) => e);
    expect(error.status).toBe(302);
  });
});

describe('retry-after parsing', () => {
  it('reads seconds, HTTP dates and Dynatrace microsecond resets', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 29 Nov 2026 10:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'x-ratelimit-reset': String((now + 1500) * 1000) }, now)).toBe(1500);
    expect(retryAfterMs({ 'x-ratelimit-reset': String((now - 10) * 1000) }, now)).toBe(0);
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});

describe('rate limiter', () => {
  // A fake clock: the limiter's spacing is read off the clock it sets its timers against, not a wall clock.
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The fake time at which each of `n` acquisitions was granted. */
  async function grants(limiter: RateLimiter, n: number): Promise<number[]> {
    const at: number[] = [];
    const all = Array.from({ length: n }, () => limiter.acquire().then(() => at.push(Date.now())));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    return at;
  }

  it('spaces requests evenly, without a burst', async () => {
    const at = await grants(new RateLimiter(50), 6);
    // 50/s, paced 2 % under the limit: one release every ~20.4 ms, never two in the same interval.
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(20);
    expect(at[5]! - at[0]!).toBeGreaterThanOrEqual(100);
  });

  it('lowers the rate by 10 % once per 429 pause and holds it', () => {
    const limiter = new RateLimiter(100);
    const until = Date.now() + 1000;
    limiter.throttled(until);
    limiter.throttled(until); // another in-flight answer of the same pause
    expect(limiter.rate).toBeCloseTo(90);
  });

  it('waits out a pause before the next request', async () => {
    const limiter = new RateLimiter(1000);
    const started = Date.now();
    limiter.throttled(started + 120);
    const [granted] = await grants(limiter, 1);
    expect(granted! - started).toBeGreaterThanOrEqual(120);
  });
});

describe('transport failures against a real socket', () => {
  let server: Server;
  let base: string;
  let calls = 0;
  let mode: 'reset-once' | 'hang' = 'reset-once';
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    server = createServer((req, res) => {
      calls++;
      if (mode === 'reset-once' && calls === 1) {
        req.socket.destroy();
        return;
      }
      if (mode === 'hang') return;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ calls }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('retries a GET after a connection reset', async () => {
    calls = 0;
    mode = 'reset-once';
    const { http, stats } = client({ baseUrl: base });
    const res = await http.request({ operation: 'get', method: 'GET', path: '/a' });
    expect(res.body).toEqual({ calls: 2 });
    expect(stats.snapshot()[0]?.retries).toBe(1);
  });

  it('does not replay a POST after a reset: the mint may have happened', async () => {
    calls = 0;
    mode = 'reset-once';
    const { http } = client({ baseUrl: base });
    const error = await http.request({ operation: 'mint', method: 'POST', path: '/a' }).catch((e) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.message).toBe(
      'ocm mint (POST /a) lost its answer (UND_ERR_SOCKET); it may have been applied',
    );
    expect(calls).toBe(1);
  });

  it('a POST whose answer never came within the timeout is an unknown outcome, sent once', async () => {
    calls = 0;
    mode = 'hang';
    const { http } = client({ baseUrl: base, timeoutMs: 100, maxRetries: 3 });
    const error = await http.request({ operation: 'mint', method: 'POST', path: '/slow' }).catch((e) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.code).toBe('TIMEOUT');
    expect(calls).toBe(1);
  });

  it('gives up on a hanging server after the timeout, naming it', async () => {
    mode = 'hang';
    const { http } = client({ baseUrl: base, timeoutMs: 100, maxRetries: 1 });
    const error = await http.request({ operation: 'get', method: 'GET', path: '/slow' }).catch((e) => e);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('no answer within 0.1s');
    expect(error.attempts).toBe(2);
  });
});
