/**
 * The clients against the sandbox over real loopback HTTP, with answers that lie, break or get lost: every
 * one must be a failure of the call (MalformedAnswerError, or OutcomeUnknownError for a write that may have
 * happened), never an empty or partial result, in a bounded number of requests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallStats, HttpClient } from '../../src/clients/http.js';
import type { HttpSettings } from '../../src/clients/http.js';
import { OcmRestClient, ocmErrorMessage } from '../../src/clients/ocm.js';
import { SsoSession, oauthErrorMessage } from '../../src/clients/sso.js';
import { DynatraceRestClient, dynatraceErrorMessage } from '../../src/clients/dynatrace.js';
import { MalformedAnswerError, OutcomeUnknownError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { checkedSandbox } from '../sandbox/harness.js';

const TENANT = 'sbx00000';
const MAX_RETRIES = 2;
let sandbox: Sandbox;

beforeAll(async () => {
  const h = await checkedSandbox({ clusters: 150, seed: 9 });
  await h.sandbox.close();
  // The same configuration without the contract hook: these tests send answers off the spec on purpose.
  sandbox = await startSandbox({ config: h.config, fleet: { clusters: 150, seed: 9 } });
});
afterEach(() => sandbox.clearFaults());
afterAll(() => sandbox.close());

const settings = (system: HttpSettings['system'], baseUrl: string): HttpSettings => ({
  system,
  baseUrl,
  timeoutMs: 2000,
  maxRetries: MAX_RETRIES,
  rateLimit: 10_000,
  stats: new CallStats(),
  backoffBaseMs: 1,
  backoffCapMs: 2,
});

function ocmClient(): OcmRestClient {
  const [clientId, secret] = [...sandbox.ocm.env('production').clients][0]!;
  const sso = new SsoSession(
    new HttpClient({
      ...settings('sso', `${sandbox.servers.sso.url}/production/token`),
      errorMessage: oauthErrorMessage,
    }),
    { clientId, clientSecret: new Secret(secret) },
    'production',
  );
  return new OcmRestClient(
    'production',
    new HttpClient({
      ...settings('ocm', `${sandbox.servers.ocm.url}/production`),
      authorization: async () => `Bearer ${await sso.accessToken()}`,
      onUnauthorized: () => sso.invalidate(),
      errorMessage: ocmErrorMessage,
    }),
  );
}

function dynatraceClient(): DynatraceRestClient {
  const bootstrap = [...sandbox.dynatrace.tenant(TENANT).tokens.values()].find((t) =>
    t.scopes.includes('apiTokens.write'),
  )!;
  return new DynatraceRestClient(
    TENANT,
    new HttpClient({
      ...settings('dynatrace', `${sandbox.servers.dynatrace.url}/e/${TENANT}/api/v2`),
      authorization: async () => `Api-Token ${bootstrap.value}`,
      errorMessage: dynatraceErrorMessage,
    }),
  );
}

/** Requests the sandbox saw for one operation while `action` ran. */
async function counting<T>(
  operation: string,
  action: () => Promise<T>,
): Promise<{ result: T; sent: number }> {
  const before = sandbox.records.length;
  const result = await action();
  return { result, sent: sandbox.records.slice(before).filter((r) => r.operation === operation).length };
}

const subscriptionIds = () => [...sandbox.ocm.env('production').subscriptions.keys()];
const dtpTokens = () => sandbox.tokens(TENANT);

describe('OCM answers', () => {
  it('a truncated JSON list is an error after the retries, not an empty list', async () => {
    const ocm = ocmClient();
    sandbox.setFaults('ocm', { listClusters: { answer: { body: 'truncated' } } });
    const { result, sent } = await counting('listClusters', () =>
      ocm.listClusters(subscriptionIds()).catch((e) => e),
    );
    expect(result).toBeInstanceOf(MalformedAnswerError);
    expect(result.message).toMatch(
      /^ocm list clusters \(GET .*\): malformed answer: the JSON body is cut short or invalid \(\d+ bytes\) \(after 3 attempts\)$/,
    );
    // Each query was tried 1 + MAX_RETRIES times, and then given up.
    expect(sent % (MAX_RETRIES + 1)).toBe(0);
  });

  it('an HTML page with 200 is an error, not "0 ready clusters"', async () => {
    const ocm = ocmClient();
    sandbox.setFaults('ocm', { listLabels: { answer: { body: 'html', status: 200 } } });
    const error = await ocm.listLabels('sre-capabilities.dtp.%').catch((e) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error.message).toContain('ocm list labels');
    expect(error.message).toContain('text/html');
  });

  it('retries a GET whose answer was malformed once, and returns the whole list', async () => {
    const ocm = ocmClient();
    const expected = (await ocm.listClusters(subscriptionIds())).length;
    expect(expected).toBeGreaterThan(50);
    sandbox.setFaults('ocm', { listClusters: { answer: { body: 'html', count: 1 } } });
    const before = sandbox.records.length;
    expect(await ocm.listClusters(subscriptionIds())).toHaveLength(expected);
    expect(sandbox.records.slice(before).filter((r) => r.fault === 'altered-answer')).toHaveLength(1);
  });

  it('a list whose total its pages do not hold is incomplete, read at most twice', async () => {
    const ocm = ocmClient();
    sandbox.setFaults('ocm', { listLabels: { answer: { set: { total: 1000 } } } });
    const { result, sent } = await counting('listLabels', () =>
      ocm.listLabels('sre-capabilities.dtp.%').catch((e) => e),
    );
    expect(result).toBeInstanceOf(MalformedAnswerError);
    expect(result.message).toMatch(
      /listing incomplete: page 2 of 10 holds \d+ items, 100 expected for a total of 1000 \(after 2 attempts\)$/,
    );
    expect(sent).toBe(2 * 10);
  });

  it('a huge lying total costs one window of pages per read, not the pages it claims', async () => {
    const ocm = ocmClient();
    sandbox.setFaults('ocm', { listLabels: { answer: { set: { total: 900_000 } } } });
    const { result, sent } = await counting('listLabels', () =>
      ocm.listLabels('sre-capabilities.dtp.%').catch((e) => e),
    );
    expect(result.message).toContain('page 2 of 9000 holds');
    expect(sent).toBe(2 * (1 + 32));
    sandbox.setFaults('ocm', { listLabels: { answer: { set: { total: 5_000_000 } } } });
    const beyond = await counting('listLabels', () =>
      ocm.listLabels('sre-capabilities.dtp.%').catch((e) => e),
    );
    expect(beyond.result.message).toContain('total 5000000 is more than dtp reads (1000000)');
    expect(beyond.sent).toBe(2);
  });

  it('a short page before the total is reached is an error', async () => {
    const ocm = ocmClient();
    const labels = await ocm.listLabels('sre-capabilities.dtp.%');
    expect(labels.length).toBeGreaterThan(100);
    // Every answer claims one more item than there is: the last page is short of it.
    sandbox.setFaults('ocm', { listLabels: { answer: { set: { total: labels.length + 1 } } } });
    const error = await ocm.listLabels('sre-capabilities.dtp.%').catch((e) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error.message).toContain('listing incomplete');
  });

  it('a ready cluster without external_id is malformed (it names every token)', async () => {
    const ocm = ocmClient();
    const env = sandbox.ocm.env('production');
    const cluster = [...env.clusters.values()].find((c) => c.state === 'ready')!;
    const saved = cluster.external_id;
    cluster.external_id = '';
    try {
      const error = await ocm.listClusters([cluster.subscriptionId]).catch((e) => e);
      expect(error).toBeInstanceOf(MalformedAnswerError);
      expect(error.message).toContain('items[0] is ready but has no external_id');
    } finally {
      cluster.external_id = saved;
    }
  });
});

describe('Dynatrace listings', () => {
  it('a repeating nextPageKey is an error in a bounded number of requests', async () => {
    const dt = dynatraceClient();
    sandbox.setFaults('dynatrace', { listTokens: { answer: { loopPageKey: true } } });
    const { result, sent } = await counting('listTokens', () => dt.listTokens('dtp_').catch((e) => e));
    expect(result).toBeInstanceOf(MalformedAnswerError);
    expect(result.message).toMatch(/^dynatrace list api tokens \(GET \/apiTokens\): listing incomplete: /);
    expect(sent).toBeLessThanOrEqual(4);
  });

  it('totalCount 500 with no tokens is an error naming the counts, not an empty tenant', async () => {
    const dt = dynatraceClient();
    sandbox.setFaults('dynatrace', { listTokens: { answer: { set: { totalCount: 500, apiTokens: [] } } } });
    const error = await dt.listTokens('dtp_').catch((e) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error.message).toBe(
      'dynatrace list api tokens (GET /apiTokens): listing incomplete: 0 of 500 tokens listed (totalCount) (after 2 attempts)',
    );
  });

  it('lists every dtp_ token with the dates it asked for', async () => {
    const dt = dynatraceClient();
    await dt.createToken({ name: 'dtp_listed_x', scopes: ['metrics.ingest'] });
    const listed = await dt.listTokens('dtp_');
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBe(dtpTokens().length);
    expect(listed.every((t) => typeof t.creationDate === 'string' && Array.isArray(t.scopes))).toBe(true);
  });
});

describe('Dynatrace mints', () => {
  it('a 201 without the token value is an unknown outcome, sent once, the token left to be found', async () => {
    const dt = dynatraceClient();
    sandbox.setFaults('dynatrace', { createToken: { answer: { drop: ['token'] } } });
    const { result, sent } = await counting('createToken', () =>
      dt.createToken({ name: 'dtp_no_value_x', scopes: ['metrics.ingest'] }).catch((e) => e),
    );
    expect(result).toBeInstanceOf(OutcomeUnknownError);
    expect(result.message).toBe(
      'dynatrace create api token (POST /apiTokens) answered HTTP 201: malformed answer: token is undefined, not a string; it may have been applied',
    );
    expect(sent).toBe(1);
    expect(dtpTokens().filter((t) => t.name === 'dtp_no_value_x')).toHaveLength(1);
  });

  it('a mint whose answer was lost is an unknown outcome, and exactly one POST was sent', async () => {
    const dt = dynatraceClient();
    sandbox.setFaults('dynatrace', { createToken: { answer: { lose: 'reset' } } });
    const { result, sent } = await counting('createToken', () =>
      dt.createToken({ name: 'dtp_lost_x', scopes: ['metrics.ingest'] }).catch((e) => e),
    );
    expect(result).toBeInstanceOf(OutcomeUnknownError);
    expect(result.message).toMatch(/lost its answer/);
    expect(sent).toBe(1);
    expect(dtpTokens().filter((t) => t.name === 'dtp_lost_x')).toHaveLength(1);
  });

  it('a refused connection (nothing sent) is retried for a POST too', async () => {
    const closed = await startSandbox({ config: sandbox['options'].config, fleet: { clusters: 1, seed: 1 } });
    const url = closed.servers.dynatrace.url;
    await closed.close();
    const stats = new CallStats();
    const http = new HttpClient({ ...settings('dynatrace', `${url}/e/${TENANT}/api/v2`), stats });
    const error = await new DynatraceRestClient(TENANT, http)
      .createToken({ name: 'dtp_never', scopes: ['metrics.ingest'] })
      .catch((e) => e);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect(error.attempts).toBe(MAX_RETRIES + 1);
  });

  it('sends expirationDate and reads a token back by id with its dates; 404 is undefined', async () => {
    const dt = dynatraceClient();
    const at = '2031-05-06T07:08:09.000Z';
    const made = await dt.createToken({ name: 'dtp_dated', scopes: ['metrics.ingest'], expirationDate: at });
    expect(made.expirationDate).toBe(at);
    const got = await dt.getToken(made.id);
    expect(got).toMatchObject({ id: made.id, name: 'dtp_dated', expirationDate: at, enabled: true });
    expect(typeof got?.creationDate).toBe('string');
    expect(await dt.getToken('dt0c01.NOSUCHTOKEN')).toBeUndefined();
  });

  it('getToken retries a malformed answer and fails with MalformedAnswerError when it stays malformed', async () => {
    const dt = dynatraceClient();
    // Its own token: the sandbox is shared by the file, and no other test's token may be relied on.
    const { id } = await dt.createToken({ name: 'dtp_read_back_x', scopes: ['metrics.ingest'] });
    sandbox.setFaults('dynatrace', { getToken: { answer: { drop: ['name'] } } });
    const { result, sent } = await counting('getToken', () => dt.getToken(id).catch((e) => e));
    expect(result).toBeInstanceOf(MalformedAnswerError);
    expect(result.message).toContain('name is undefined, not a string');
    expect(sent).toBe(MAX_RETRIES + 1);
  });
});

describe('SSO answers', () => {
  it('a token answer without access_token is a malformed SSO answer, not a crash', async () => {
    sandbox.setFaults('sso', { token: { answer: { drop: ['access_token'] } } });
    const error = await ocmClient()
      .listLabels('sre-capabilities.dtp.%')
      .catch((e) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error.message).toContain('sso get access token');
    expect(error.message).toContain('access_token is undefined');
  });
});
