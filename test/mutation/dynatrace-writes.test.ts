/**
 * The Dynatrace token calls one by one: what each sends, what it returns, a 404 that means "gone" for a read
 * and a delete, and failures that name the call so a reader knows which one broke.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteError } from '../../src/errors.js';
import { DT, dynatraceClient } from './dynatrace-nock.js';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const refused = { error: { code: 403, message: 'Token is missing required scope apiTokens.write' } };

async function failure(call: Promise<unknown>): Promise<RemoteError> {
  const error = await call.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('createToken', () => {
  it('posts the name, the scopes and the expirationDate, and returns the id, the wrapped value and the date', async () => {
    const scope = nock(DT)
      .post('/api/v2/apiTokens', {
        name: 'dtp_x',
        scopes: ['metrics.ingest'],
        expirationDate: '2031-05-06T07:08:09.000Z',
      })
      .reply(201, {
        id: 'dt0c01.NEW',
        token: 'dt0c01.NEW.valuepart',
        expirationDate: '2031-05-06T07:08:09.000Z',
      });
    const created = await dynatraceClient().createToken({
      name: 'dtp_x',
      scopes: ['metrics.ingest'],
      expirationDate: '2031-05-06T07:08:09.000Z',
    });
    expect(scope.isDone()).toBe(true);
    expect(created.id).toBe('dt0c01.NEW');
    expect(created.token.reveal()).toBe('dt0c01.NEW.valuepart');
    expect(created.expirationDate).toBe('2031-05-06T07:08:09.000Z');
  });

  it('a token without an expiry is posted without an expirationDate field', async () => {
    let sent: unknown;
    nock(DT)
      .post('/api/v2/apiTokens', (body) => {
        sent = body;
        return true;
      })
      .reply(201, { id: 'dt0c01.NEW', token: 'dt0c01.NEW.valuepart' });
    const created = await dynatraceClient().createToken({ name: 'dtp_x', scopes: ['metrics.ingest'] });
    expect(sent).toEqual({ name: 'dtp_x', scopes: ['metrics.ingest'] });
    expect(created.expirationDate).toBeUndefined();
  });

  it('a refused mint fails naming the create call and quoting Dynatrace', async () => {
    nock(DT)
      .post('/api/v2/apiTokens')
      .reply(400, {
        error: {
          code: 400,
          message: 'Constraints violated.',
          constraintViolations: [{ path: 'scopes', message: 'unknown scope foo' }],
        },
      });
    const error = await failure(dynatraceClient().createToken({ name: 'dtp_x', scopes: ['foo'] }));
    expect(error.operation).toBe('create api token');
    expect(error.message).toBe(
      'dynatrace create api token (POST /apiTokens) failed with HTTP 400: Constraints violated. (scopes unknown scope foo)',
    );
  });
});

describe('getToken', () => {
  it('reads a token by its encoded id and returns its name, scopes, state and dates', async () => {
    nock(DT)
      .get('/api/v2/apiTokens/dt0c01.A%2FB')
      .reply(200, {
        id: 'dt0c01.A/B',
        name: 'dtp_a',
        enabled: false,
        scopes: ['metrics.ingest', 'logs.ingest'],
        expirationDate: '2031-01-01T00:00:00.000Z',
        creationDate: '2026-01-01T00:00:00.000Z',
        lastUsedDate: '2026-02-01T00:00:00.000Z',
      });
    expect(await dynatraceClient().getToken('dt0c01.A/B')).toEqual({
      id: 'dt0c01.A/B',
      name: 'dtp_a',
      enabled: false,
      scopes: ['metrics.ingest', 'logs.ingest'],
      expirationDate: '2031-01-01T00:00:00.000Z',
      creationDate: '2026-01-01T00:00:00.000Z',
      lastUsedDate: '2026-02-01T00:00:00.000Z',
    });
  });

  it('a token the API does not know (404) is undefined, not an error', async () => {
    nock(DT)
      .get('/api/v2/apiTokens/dt0c01.GONE')
      .reply(404, { error: { code: 404, message: 'Token not found' } });
    expect(await dynatraceClient().getToken('dt0c01.GONE')).toBeUndefined();
  });

  it('a refused read fails naming the get call', async () => {
    nock(DT).get('/api/v2/apiTokens/dt0c01.A').reply(403, refused);
    const error = await failure(dynatraceClient().getToken('dt0c01.A'));
    expect(error.operation).toBe('get api token');
    expect(error.message).toBe(
      'dynatrace get api token (GET /apiTokens/dt0c01.A) failed with HTTP 403: Token is missing required scope apiTokens.write',
    );
  });
});

describe('updateToken', () => {
  it('puts exactly the name and the scopes to the token by id', async () => {
    let sent: unknown;
    const scope = nock(DT)
      .put('/api/v2/apiTokens/dt0c01.A', (body) => {
        sent = body;
        return true;
      })
      .reply(204);
    await dynatraceClient().updateToken('dt0c01.A', { name: 'dtp_a', scopes: ['logs.ingest'] });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({ name: 'dtp_a', scopes: ['logs.ingest'] });
  });

  it('a refused update fails naming the update call', async () => {
    nock(DT).put('/api/v2/apiTokens/dt0c01.A').reply(403, refused);
    const error = await failure(dynatraceClient().updateToken('dt0c01.A', { name: 'dtp_a', scopes: [] }));
    expect(error.operation).toBe('update api token');
    expect(error.message).toBe(
      'dynatrace update api token (PUT /apiTokens/dt0c01.A) failed with HTTP 403: Token is missing required scope apiTokens.write',
    );
  });
});

describe('deleteToken', () => {
  it('a delete the API carried out is "deleted"', async () => {
    const scope = nock(DT).delete('/api/v2/apiTokens/dt0c01.A').reply(204);
    expect(await dynatraceClient().deleteToken('dt0c01.A')).toBe('deleted');
    expect(scope.isDone()).toBe(true);
  });

  it('deleting a token that is already gone (404) is "absent", not an error', async () => {
    nock(DT)
      .delete('/api/v2/apiTokens/dt0c01.GONE')
      .reply(404, { error: { code: 404, message: 'Token not found' } });
    expect(await dynatraceClient().deleteToken('dt0c01.GONE')).toBe('absent');
  });

  it('a refused delete fails naming the delete call', async () => {
    nock(DT).delete('/api/v2/apiTokens/dt0c01.A').reply(403, refused);
    const error = await failure(dynatraceClient().deleteToken('dt0c01.A'));
    expect(error.operation).toBe('delete api token');
    expect(error.message).toBe(
      'dynatrace delete api token (DELETE /apiTokens/dt0c01.A) failed with HTTP 403: Token is missing required scope apiTokens.write',
    );
  });
});
