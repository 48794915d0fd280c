/**
 * Faults that happen after the simulator handled a request: the change is applied, then the answer is lost,
 * cut, replaced by an HTML page, or made to lie. Plus the token dates the Dynatrace simulator keeps.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkedSandbox } from './harness.js';
import type { CheckedSandbox } from './harness.js';
import { LOOP_PAGE_KEY } from '../../src/sandbox/server.js';

let h: CheckedSandbox;
let dt: string;
let ocm: string;
let bearer: string;
const TENANT = 'sbx00000';

beforeAll(async () => {
  h = await checkedSandbox({ clusters: 20, seed: 5 });
  dt = `${h.sandbox.servers.dynatrace.url}/e/${TENANT}/api/v2`;
  ocm = `${h.sandbox.servers.ocm.url}/production`;
  const [clientId, secret] = [...h.sandbox.ocm.env('production').clients][0]!;
  const res = await fetch(`${h.sandbox.servers.sso.url}/production/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    }),
  });
  bearer = `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
});
afterEach(() => h.sandbox.clearFaults());
// Whatever ran, in whatever order: the simulators answered every request within the specs (faults alter
// only the wire).
afterAll(async () => {
  await h.sandbox.close();
  expect(h.problems).toEqual([]);
});

/** The bootstrap token: the tenant's one token with apiTokens.write. */
const bootstrap = () =>
  [...h.sandbox.dynatrace.tenant(TENANT).tokens.values()].find((t) => t.scopes.includes('apiTokens.write'))!;
const dtHeaders = () => ({
  authorization: `Api-Token ${bootstrap().value}`,
  'content-type': 'application/json',
});

async function raw(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

const mint = (name: string, extra: Record<string, unknown> = {}) =>
  raw(`${dt}/apiTokens`, {
    method: 'POST',
    headers: dtHeaders(),
    body: JSON.stringify({ name, scopes: ['metrics.ingest'], ...extra }),
  });

const named = (name: string) =>
  [...h.sandbox.dynatrace.tenant(TENANT).tokens.values()].filter((t) => t.name === name);

describe('lost answers', () => {
  it('applies the write, then drops the connection before any answer', async () => {
    h.sandbox.setFaults('dynatrace', { createToken: { answer: { lose: 'reset', count: 1 } } });
    await expect(mint('dtp_lost_once')).rejects.toThrow();
    expect(named('dtp_lost_once')).toHaveLength(1);
    expect(h.sandbox.records.at(-1)).toMatchObject({ operation: 'createToken', fault: 'lost-answer' });
    // The count is spent: the next write is answered.
    const next = await mint('dtp_answered');
    expect(next.status).toBe(201);
  });

  it('loses a share of answers with lostAnswerRate, each write still applied', async () => {
    h.sandbox.setFaults('dynatrace', { createToken: { lostAnswerRate: 1 } });
    for (const n of [1, 2, 3]) await expect(mint(`dtp_rate_${n}`)).rejects.toThrow();
    for (const n of [1, 2, 3]) expect(named(`dtp_rate_${n}`)).toHaveLength(1);
    expect(h.sandbox.records.slice(-3).map((r) => r.fault)).toEqual([
      'lost-answer',
      'lost-answer',
      'lost-answer',
    ]);
  });
});

describe('altered answers', () => {
  it('answers 201 without the token, though the token was created', async () => {
    h.sandbox.setFaults('dynatrace', { createToken: { answer: { drop: ['token'] } } });
    const res = await mint('dtp_no_value');
    expect(res.status).toBe(201);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(body.token).toBeUndefined();
    expect(body.id).toBe(named('dtp_no_value')[0]!.id);
  });

  it('lies about a listing: totalCount 500 with no tokens', async () => {
    h.sandbox.setFaults('dynatrace', { listTokens: { answer: { set: { totalCount: 500, apiTokens: [] } } } });
    const res = await raw(`${dt}/apiTokens?pageSize=100`, { headers: dtHeaders() });
    expect(JSON.parse(res.text)).toMatchObject({ totalCount: 500, apiTokens: [] });
  });

  it('loops nextPageKey back to the first page, forever', async () => {
    h.sandbox.setFaults('dynatrace', { listTokens: { answer: { loopPageKey: true } } });
    const first = JSON.parse(
      (await raw(`${dt}/apiTokens?pageSize=100&fields=%2Bscopes`, { headers: dtHeaders() })).text,
    );
    expect(first.nextPageKey).toBe(LOOP_PAGE_KEY);
    const again = JSON.parse(
      (await raw(`${dt}/apiTokens?nextPageKey=${LOOP_PAGE_KEY}`, { headers: dtHeaders() })).text,
    );
    // The first page's query (with its fields) is served again, with the same key.
    expect(again).toEqual(first);
    expect(h.sandbox.records.at(-1)).toMatchObject({
      path: expect.stringContaining(`nextPageKey=${LOOP_PAGE_KEY}`),
    });
  });

  it('sends an HTML page with 200, a cut JSON body, or an empty body instead of the answer', async () => {
    const path = `${ocm}/api/clusters_mgmt/v1/clusters?size=5`;
    const get = () => raw(path, { headers: { authorization: bearer } });
    h.sandbox.setFaults('ocm', { listClusters: { answer: { body: 'html' } } });
    const html = await get();
    expect(html).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    h.sandbox.setFaults('ocm', { listClusters: { answer: { body: 'truncated' } } });
    const cut = await get();
    expect(cut.type).toContain('application/json');
    expect(() => JSON.parse(cut.text)).toThrow();
    h.sandbox.setFaults('ocm', { listClusters: { answer: { body: 'empty', count: 1 } } });
    expect((await get()).text).toBe('');
    expect(JSON.parse((await get()).text).items).toHaveLength(5);
  });

  it('makes an OCM list state a total its pages do not hold', async () => {
    h.sandbox.setFaults('ocm', { listClusters: { answer: { set: { total: 1000 } } } });
    const res = await raw(`${ocm}/api/clusters_mgmt/v1/clusters?size=100`, {
      headers: { authorization: bearer },
    });
    const body = JSON.parse(res.text);
    expect(body.total).toBe(1000);
    expect(body.items.length).toBe(h.sandbox.ocm.env('production').clusters.size);
    expect(h.sandbox.records.at(-1)?.fault).toBe('altered-answer');
  });

  it('leaves error answers alone', async () => {
    h.sandbox.setFaults('dynatrace', { getToken: { answer: { body: 'html' } } });
    const res = await raw(`${dt}/apiTokens/dt0c01.NOPE`, { headers: dtHeaders() });
    expect(res.status).toBe(404);
    expect(res.type).toContain('json');
  });
});

describe('Dynatrace token dates', () => {
  it('stores expirationDate on create, returns it, and refuses the token once it has expired', async () => {
    const at = '2030-01-02T03:04:05.000Z';
    const made = JSON.parse((await mint('dtp_expiring', { expirationDate: at })).text);
    expect(made.expirationDate).toBe(at);
    const relative = JSON.parse((await mint('dtp_relative', { expirationDate: 'now+14d' })).text);
    expect(Date.parse(relative.expirationDate)).toBeGreaterThan(Date.now() + 13 * 86_400_000);
    expect((await mint('dtp_bad_date', { expirationDate: 'next tuesday' })).status).toBe(400);

    const got = JSON.parse((await raw(`${dt}/apiTokens/${made.id}`, { headers: dtHeaders() })).text);
    expect(got).toMatchObject({ id: made.id, name: 'dtp_expiring', expirationDate: at });
    expect(typeof got.creationDate).toBe('string');

    // A token past its expiry authenticates nothing.
    const token = named('dtp_expiring')[0]!;
    token.scopes.push('apiTokens.read');
    token.expirationDate = new Date(Date.now() - 1000).toISOString();
    const refused = await raw(`${dt}/apiTokens?pageSize=100`, {
      headers: { authorization: `Api-Token ${token.value}` },
    });
    expect(refused.status).toBe(401);
  });

  it('records lastUsedDate when a token authenticates, and lists the dates with fields', async () => {
    const before = Date.now();
    const fields = encodeURIComponent('+scopes,+expirationDate,+creationDate,+lastUsedDate');
    const res = await raw(`${dt}/apiTokens?pageSize=10000&fields=${fields}`, { headers: dtHeaders() });
    expect(res.status).toBe(200);
    const listed = (JSON.parse(res.text).apiTokens as Record<string, unknown>[]).find(
      (t) => t.id === bootstrap().id,
    )!;
    expect(Date.parse(String(listed.lastUsedDate))).toBeGreaterThanOrEqual(before - 1000);
    expect(listed.creationDate).toEqual(expect.any(String));
  });
});
