/**
 * Retry safety of the shared HTTP transport (src/clients/http.ts): which methods, statuses and transport
 * errors are sent again, which failures of a write are an unknown outcome, and what each error says.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { AnswerProblem } from '../../src/clients/answers.js';
import { MalformedAnswerError, OutcomeUnknownError, RemoteError } from '../../src/errors.js';
import { fake, fakeClient } from './http-fake-undici.js';
import type { Failure } from './http-fake-undici.js';

vi.mock('undici', () => import('./http-fake-undici.js'));

beforeEach(async () => {
  await closeHttpAgents();
  fake.reset();
});
afterEach(() => {
  expect(fake.steps).toEqual([]);
  expect(fake.unscripted).toBe(0);
});

const CA_HINT =
  'the server certificate is not signed by a trusted CA: set ca-file to a PEM bundle with the issuing CA';

/** How undici reports each failure: most carry a code, some only wrap one in `cause` (fetch-style). */
const asCode = (code: string): Failure => ({ code });
const asCause = (code: string): Failure => ({ cause: { code } });

describe('a transport error after which the request may have been processed', () => {
  const ambiguous: [string, Failure][] = [
    ['ECONNRESET', asCode('ECONNRESET')],
    ['UND_ERR_SOCKET', asCode('UND_ERR_SOCKET')],
    ['EPIPE', asCode('EPIPE')],
    // As a code of its own undici's timeouts are named TIMEOUT (below); wrapped in a cause they keep their name.
    ['UND_ERR_HEADERS_TIMEOUT', asCause('UND_ERR_HEADERS_TIMEOUT')],
    ['UND_ERR_BODY_TIMEOUT', asCause('UND_ERR_BODY_TIMEOUT')],
    ['ECONNRESET', asCause('ECONNRESET')],
  ];

  it.each(ambiguous)('%s is retried for an idempotent GET (%o)', async (_, failure) => {
    fake.fail(failure);
    fake.answer(200, { ok: true });
    const { http, stats } = fakeClient();
    const res = await http.request({ operation: 'list', method: 'GET', path: '/x' });
    expect(res.body).toEqual({ ok: true });
    expect(fake.sent).toHaveLength(2);
    expect(stats.snapshot()[0]).toMatchObject({ calls: 1, retries: 1, errors: 0 });
  });

  it.each(ambiguous)(
    '%s after a POST is an unknown outcome, and the POST is never sent again (%o)',
    async (code, failure) => {
      fake.fail(failure);
      const { http, stats } = fakeClient();
      const error = await http.request({ operation: 'mint', method: 'POST', path: '/p' }).catch((e) => e);
      expect(error).toBeInstanceOf(OutcomeUnknownError);
      expect(error.code).toBe(code);
      expect(error.message).toBe(`ocm mint (POST /p) lost its answer (${code}); it may have been applied`);
      expect(fake.sent).toHaveLength(1);
      expect(stats.snapshot()[0]).toMatchObject({ calls: 1, retries: 0, errors: 1 });
    },
  );

  it('a failure without any code counts as a lost socket: a GET is retried, a POST is an unknown outcome', async () => {
    fake.fail({});
    fake.answer(200, { ok: true });
    fake.fail({});
    const { http } = fakeClient();
    await expect(http.request({ operation: 'get', method: 'GET', path: '/x' })).resolves.toMatchObject({
      status: 200,
    });
    const error = await http.request({ operation: 'mint', method: 'POST', path: '/p' }).catch((e) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.code).toBe('UND_ERR_SOCKET');
    expect(fake.sent).toHaveLength(3);
  });

  it('a GET that keeps losing its answer gives up after max-retries with the code', async () => {
    fake.fail({ code: 'ECONNRESET' });
    fake.fail({ code: 'ECONNRESET' });
    const { http } = fakeClient({ maxRetries: 1 });
    const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ code: 'ECONNRESET', attempts: 2 });
  });
});

describe('undici timeouts are one TIMEOUT, naming the limit', () => {
  const timeouts: [string, Failure][] = [
    ['a TimeoutError', { name: 'TimeoutError' }],
    ['an AbortError', { name: 'AbortError' }],
    ['UND_ERR_HEADERS_TIMEOUT', { code: 'UND_ERR_HEADERS_TIMEOUT' }],
    ['UND_ERR_BODY_TIMEOUT', { code: 'UND_ERR_BODY_TIMEOUT' }],
  ];

  it.each(timeouts)(
    '%s on a GET is retried, and is TIMEOUT "no answer within" when it persists',
    async (_, failure) => {
      fake.fail(failure);
      fake.fail(failure);
      const { http } = fakeClient({ maxRetries: 1, timeoutMs: 2500 });
      const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect(error.code).toBe('TIMEOUT');
      expect(error.remoteMessage).toBe('no answer within 2.5s');
      expect(error.attempts).toBe(2);
    },
  );

  it.each(timeouts)('%s on a POST is an unknown outcome, sent once', async (_, failure) => {
    fake.fail(failure);
    const { http } = fakeClient();
    const error = await http.request({ operation: 'mint', method: 'POST', path: '/p' }).catch((e) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.code).toBe('TIMEOUT');
    expect(fake.sent).toHaveLength(1);
  });
});

describe('a transport error where nothing reached the server', () => {
  const notSent = ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN'];

  it.each(notSent)('%s: even a POST is sent again, since it provably never left', async (code) => {
    fake.fail({ code });
    fake.answer(201, { id: 'a' });
    const { http, stats } = fakeClient();
    const res = await http.request({ operation: 'mint', method: 'POST', path: '/p' });
    expect(res).toMatchObject({ status: 201, body: { id: 'a' } });
    expect(fake.sent).toHaveLength(2);
    expect(stats.snapshot()[0]).toMatchObject({ calls: 1, retries: 1, errors: 0 });
  });

  it.each(notSent)('%s that persists is a plain failure, not an unknown outcome', async (code) => {
    fake.fail({ code });
    fake.fail({ code });
    const { http } = fakeClient({ maxRetries: 1 });
    const error = await http.request({ operation: 'mint', method: 'POST', path: '/p' }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ code, attempts: 2 });
  });

  it('an unknown transport code is neither retried nor an unknown outcome', async () => {
    fake.fail({ code: 'ERR_SOMETHING_ELSE' });
    fake.fail({ code: 'ERR_SOMETHING_ELSE' });
    const { http } = fakeClient();
    const get = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    const post = await http.request({ operation: 'mint', method: 'POST', path: '/p' }).catch((e) => e);
    for (const error of [get, post]) {
      expect(error).toBeInstanceOf(RemoteError);
      expect(error).not.toBeInstanceOf(OutcomeUnknownError);
      expect(error).toMatchObject({ code: 'ERR_SOMETHING_ELSE', attempts: 1 });
    }
  });
});

describe('TLS failures a private CA explains name the ca-file setting', () => {
  const untrusted = [
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_UNTRUSTED',
  ];

  it.each(untrusted)('%s fails at once with the ca-file hint', async (code) => {
    fake.fail({ code });
    const { http } = fakeClient();
    const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code, attempts: 1, remoteMessage: CA_HINT });
    expect(fake.sent).toHaveLength(1);
  });

  it('another TLS failure gets no ca-file hint', async () => {
    fake.fail({ code: 'CERT_HAS_EXPIRED' });
    const { http } = fakeClient();
    const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(error.code).toBe('CERT_HAS_EXPIRED');
    expect(error.remoteMessage).toBeUndefined();
  });
});

describe('statuses', () => {
  it('only 2xx is success: a 300 is a failure of the call', async () => {
    fake.answer(300, { choices: [] });
    const { http } = fakeClient();
    const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ status: 300, attempts: 1 });
  });

  it('a 4xx other than 401 never asks for a fresh credential nor is sent again', async () => {
    fake.answer(403, { reason: 'forbidden' });
    const onUnauthorized = vi.fn(async () => undefined);
    const { http } = fakeClient({ onUnauthorized });
    const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(error.status).toBe(403);
    expect(onUnauthorized).not.toHaveBeenCalled();
    expect(fake.sent).toHaveLength(1);
  });

  it('a transport failure never asks for a fresh credential', async () => {
    fake.fail({ code: 'ERR_SOMETHING_ELSE' });
    const onUnauthorized = vi.fn(async () => undefined);
    const { http } = fakeClient({ onUnauthorized });
    await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(onUnauthorized).not.toHaveBeenCalled();
    expect(fake.sent).toHaveLength(1);
  });

  it('a failure without an errorMessage reader still fails as a RemoteError, with no remote message', async () => {
    fake.answer(400, { reason: 'bad' });
    const { http } = fakeClient();
    const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ status: 400, remoteMessage: undefined });
  });

  it('a non-JSON error body reaches the errorMessage reader as its text', async () => {
    fake.answer(400, 'bad search syntax', { 'content-type': 'text/plain' });
    const seen: unknown[] = [];
    const { http } = fakeClient({ errorMessage: (b) => (seen.push(b), String(b)) });
    const error = await http.request({ operation: 'get', method: 'GET', path: '/x' }).catch((e) => e);
    expect(seen).toEqual(['bad search syntax']);
    expect(error.remoteMessage).toBe('bad search syntax');
  });

  it('an empty 2xx answer without a shape check returns an undefined body', async () => {
    fake.answer(204, '');
    const { http } = fakeClient();
    const res = await http.request({ operation: 'delete', method: 'DELETE', path: '/x' });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
  });
});

describe('a 2xx answer that is not the expected shape', () => {
  const shape = (body: unknown) => {
    if (!(body as { id?: unknown })?.id) throw new AnswerProblem('id is missing');
    return body as { id: string };
  };

  it('an empty body is named as empty', async () => {
    fake.answer(200, '');
    const { http } = fakeClient({ maxRetries: 0 });
    const error = await http
      .request({ operation: 'get', method: 'GET', path: '/x', answer: shape })
      .catch((e) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error.remoteMessage).toBe('malformed answer: the body is empty, not JSON');
  });

  it('a body without a content type says so', async () => {
    fake.answer(200, 'hello');
    const { http } = fakeClient({ maxRetries: 0 });
    const error = await http
      .request({ operation: 'get', method: 'GET', path: '/x', answer: shape })
      .catch((e) => e);
    expect(error.remoteMessage).toBe('malformed answer: no content type (5 bytes), not JSON');
  });

  it('a POST answered 2xx with an unusable body counts as one call with an error', async () => {
    fake.answer(201, { other: 1 });
    const { http, stats } = fakeClient();
    await expect(
      http.request({ operation: 'mint', method: 'POST', path: '/p', answer: shape }),
    ).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(stats.snapshot()).toEqual([
      expect.objectContaining({ system: 'ocm', operation: 'mint', calls: 1, retries: 0, errors: 1 }),
    ]);
  });

  it('a bug in the shape check is thrown as it is, not taken for a bad answer and retried', async () => {
    fake.answer(200, { id: 'a' });
    const { http } = fakeClient();
    const bug = new TypeError('check is broken');
    const error = await http
      .request({
        operation: 'get',
        method: 'GET',
        path: '/x',
        answer: () => {
          throw bug;
        },
      })
      .catch((e) => e);
    expect(error).toBe(bug);
    expect(fake.sent).toHaveLength(1);
  });
});
