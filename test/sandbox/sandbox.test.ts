import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedSandbox } from './harness.js';
import type { CheckedSandbox } from './harness.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';

let h: CheckedSandbox;
let ocm: string;
let sso: string;
let dt: string;
let vault: string;
let bearer: string;

beforeAll(async () => {
  h = await checkedSandbox({ clusters: 120, seed: 3, multiBindingShare: 0.5 });
  ocm = `${h.sandbox.servers.ocm.url}/production`;
  sso = `${h.sandbox.servers.sso.url}/production/token`;
  dt = `${h.sandbox.servers.dynatrace.url}/e/sbx00000/api/v2`;
  vault = `${h.sandbox.servers.vault.url}/v1`;
  const env = h.sandbox.ocm.env('production');
  const [clientId, secret] = [...env.clients][0]!;
  const res = await form(sso, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
  });
  bearer = `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
});

// Whatever ran, in whatever order: every exchange of this file matched the real specs.
afterAll(async () => {
  await h.sandbox.close();
  expect(h.problems).toEqual([]);
}, 30_000);

const form = (url: string, body: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });

async function call(
  url: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const ocmGet = (path: string) => call(`${ocm}${path}`, { headers: { authorization: bearer } });

describe('OCM SSO', () => {
  it('refuses a wrong client secret and an unknown offline token the way Keycloak does', async () => {
    const env = h.sandbox.ocm.env('production');
    const [clientId] = [...env.clients][0]!;
    const bad = await form(sso, {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: 'nope',
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'unauthorized_client' });
    const stage = h.sandbox.ocm.env('stage');
    const offline = [...stage.offlineTokens][0]!;
    const ok = await form(`${h.sandbox.servers.sso.url}/stage/token`, {
      grant_type: 'refresh_token',
      client_id: 'cloud-services',
      refresh_token: offline,
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
  });

  it('rejects missing and expired access tokens with 401', async () => {
    expect((await call(`${ocm}/api/clusters_mgmt/v1/clusters`)).status).toBe(401);
    const env = h.sandbox.ocm.env('production');
    env.accessTokens.set('expired-token', Date.now() - 1);
    const res = await call(`${ocm}/api/clusters_mgmt/v1/clusters`, {
      headers: { authorization: 'Bearer expired-token' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ kind: 'Error', id: '401', reason: 'Bearer token is expired' });
  });
});

describe('OCM accounts and clusters', () => {
  it('searches labels with like and pages with a stable total', async () => {
    const search = encodeURIComponent("key like 'sre-capabilities.dtp.%'");
    const first = await ocmGet(`/api/accounts_mgmt/v1/labels?search=${search}&page=1&size=10`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ kind: 'LabelList', page: 1, size: 10 });
    const total = first.body.total as number;
    expect(total).toBeGreaterThan(20);
    const ids = new Set<string>();
    for (let page = 1; (page - 1) * 10 < total; page++) {
      const res = await ocmGet(`/api/accounts_mgmt/v1/labels?search=${search}&page=${page}&size=10`);
      for (const l of res.body.items) ids.add(l.id);
    }
    expect(ids.size).toBe(total);
    const none = await ocmGet(
      `/api/accounts_mgmt/v1/labels?search=${encodeURIComponent("key like 'other.%'")}`,
    );
    expect(none.body).toMatchObject({ total: 0, items: [] });
  });

  it('answers a broken search with 400 and an Error whose id is a string', async () => {
    const res = await ocmGet(
      `/api/accounts_mgmt/v1/subscriptions?search=${encodeURIComponent("id in ('a'")}`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: 'Error', id: '400', code: 'ACCT-MGMT-400' });
    const unknown = await ocmGet(
      `/api/clusters_mgmt/v1/clusters?search=${encodeURIComponent("colour = 'red'")}`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.reason).toContain("unknown field 'colour'");
  });

  it('finds subscriptions by id list and status, and their clusters in id order', async () => {
    const subs = [...h.sandbox.ocm.env('production').subscriptions.values()].slice(0, 5);
    const ids = subs.map((s) => `'${s.id}'`).join(', ');
    const res = await ocmGet(
      `/api/accounts_mgmt/v1/subscriptions?search=${encodeURIComponent(`id in (${ids}) and status in ('Active', 'Reserved')`)}&order=id%20asc`,
    );
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual(subs.map((s) => s.id).sort());
    const clusters = await ocmGet(
      `/api/clusters_mgmt/v1/clusters?search=${encodeURIComponent(`subscription.id in (${ids})`)}&order=id%20asc`,
    );
    const got = clusters.body.items as {
      id: string;
      subscription: { id: string };
      hypershift: { enabled: boolean };
    }[];
    expect(got).toHaveLength(5);
    expect(got.map((c) => c.id)).toEqual([...got.map((c) => c.id)].sort());
    expect(new Set(got.map((c) => c.subscription.id))).toEqual(new Set(subs.map((s) => s.id)));
  });

  it('serves organizations, and 404 for an unknown one', async () => {
    const org = [...h.sandbox.ocm.env('production').organizations.keys()][0]!;
    expect((await ocmGet(`/api/accounts_mgmt/v1/organizations/${org}`)).body).toMatchObject({
      kind: 'Organization',
      id: org,
    });
    expect((await ocmGet('/api/accounts_mgmt/v1/organizations?page=1&size=2')).body.size).toBe(2);
    expect((await ocmGet('/api/accounts_mgmt/v1/organizations/nope')).status).toBe(404);
  });
});

describe('OCM delivery objects', () => {
  const clusters = () => [...h.sandbox.ocm.env('production').clusters.values()];

  it('creates (201), refuses a second create (409), reads, patches, deletes and then 404s a SyncSet', async () => {
    const c = clusters().find((x) => !x.hcp)!;
    const base = `${ocm}/api/clusters_mgmt/v1/clusters/${c.id}/external_configuration/syncsets`;
    const auth = { authorization: bearer };
    const resources = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: {} },
    ];
    expect(
      (await call(base, { method: 'POST', headers: auth, json: { id: 'test-ss', resources } })).status,
    ).toBe(201);
    const again = await call(base, { method: 'POST', headers: auth, json: { id: 'test-ss', resources } });
    expect(again.status).toBe(409);
    expect((await call(`${base}/test-ss`, { headers: auth })).body).toMatchObject({
      kind: 'Syncset',
      id: 'test-ss',
      resources,
    });
    const patched = await call(`${base}/test-ss`, {
      method: 'PATCH',
      headers: auth,
      json: { resources: [] },
    });
    expect(patched).toMatchObject({ status: 200, body: { resources: [] } });
    expect((await call(base, { headers: auth })).body).toMatchObject({ kind: 'SyncsetList', total: 1 });
    expect((await call(`${base}/test-ss`, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await call(`${base}/test-ss`, { headers: auth })).status).toBe(404);
    expect(
      (await call(`${base}/test-ss`, { method: 'PATCH', headers: auth, json: { resources: [] } })).status,
    ).toBe(404);
  });

  it('keeps Manifests for hosted control planes and SyncSets for classic clusters', async () => {
    const hcp = clusters().find((x) => x.hcp)!;
    const classic = clusters().find((x) => !x.hcp)!;
    const auth = { authorization: bearer };
    const path = (id: string, kind: string) =>
      `${ocm}/api/clusters_mgmt/v1/clusters/${id}/external_configuration/${kind}`;
    const created = await call(path(hcp.id, 'manifests'), {
      method: 'POST',
      headers: auth,
      json: { id: 'm1', workloads: [] },
    });
    expect(created).toMatchObject({ status: 201, body: { kind: 'Manifest', id: 'm1', workloads: [] } });
    expect(
      (
        await call(path(hcp.id, 'syncsets'), {
          method: 'POST',
          headers: auth,
          json: { id: 's', resources: [] },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(path(classic.id, 'manifests'), {
          method: 'POST',
          headers: auth,
          json: { id: 'm', workloads: [] },
        })
      ).status,
    ).toBe(400);
    expect((await call(`${path(hcp.id, 'manifests')}/m1`, { method: 'DELETE', headers: auth })).status).toBe(
      204,
    );
    expect((await call(path('nope', 'syncsets'), { headers: auth })).status).toBe(404);
  });

  it('records service logs and lists them by cluster, search and order', async () => {
    const uuid = clusters()[0]!.external_id;
    const auth = { authorization: bearer };
    const post = (summary: string) =>
      call(`${ocm}/api/service_logs/v1/cluster_logs`, {
        method: 'POST',
        headers: auth,
        json: { cluster_uuid: uuid, service_name: 'dtp', summary, description: 'd', severity: 'Moderate' },
      });
    expect((await post('first')).status).toBe(201);
    expect((await post('second')).status).toBe(201);
    const since = new Date(Date.now() - 60_000).toISOString();
    const res = await call(
      `${ocm}/api/service_logs/v1/clusters/cluster_logs?cluster_uuid=${uuid}&search=${encodeURIComponent(`timestamp >= '${since}'`)}&order=timestamp%20desc`,
      { headers: auth },
    );
    expect(res.body.total).toBe(2);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await call(
      `${ocm}/api/service_logs/v1/clusters/cluster_logs?cluster_uuid=${uuid}&search=${encodeURIComponent(`timestamp >= '${future}'`)}`,
      { headers: auth },
    );
    expect(none.body.total).toBe(0);
  });
});

describe('Dynatrace', () => {
  const bootstrap = () =>
    [...h.sandbox.dynatrace.tenant('sbx00000').tokens.values()].find((t) => t.name === 'dtp-bootstrap')!;
  const auth = () => ({ authorization: `Api-Token ${bootstrap().value}` });

  it('mints tokens in the real format, shows the secret once, pages the list with nextPageKey alone', async () => {
    for (let i = 0; i < 130; i++) {
      const res = await call(`${dt}/apiTokens`, {
        method: 'POST',
        headers: auth(),
        json: { name: `dtp_test_${i}`, scopes: ['metrics.ingest'] },
      });
      expect(res.status).toBe(201);
      expect(res.body.token).toMatch(/^dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}$/);
      expect(res.body.token.startsWith(`${res.body.id}.`)).toBe(true);
    }
    const first = await call(
      `${dt}/apiTokens?apiTokenSelector=${encodeURIComponent('name("dtp_test")')}&fields=%2Bscopes&pageSize=100`,
      { headers: auth() },
    );
    expect(first.body).toMatchObject({ totalCount: 130, pageSize: 100 });
    expect(first.body.apiTokens).toHaveLength(100);
    expect(first.body.apiTokens[0]).toMatchObject({ scopes: ['metrics.ingest'] });
    expect(first.body.apiTokens[0].token).toBeUndefined();
    const mixed = await call(`${dt}/apiTokens?nextPageKey=${first.body.nextPageKey}&pageSize=100`, {
      headers: auth(),
    });
    expect(mixed.status).toBe(400);
    const second = await call(`${dt}/apiTokens?nextPageKey=${first.body.nextPageKey}`, { headers: auth() });
    expect(second.body.apiTokens).toHaveLength(30);
    expect(second.body.nextPageKey).toBeUndefined();
    expect((await call(`${dt}/apiTokens?pageSize=50`, { headers: auth() })).status).toBe(400);
  });

  it('gets, updates, looks up and deletes a token; 404 after', async () => {
    const made = await call(`${dt}/apiTokens`, {
      method: 'POST',
      headers: auth(),
      json: { name: 'dtp_crud', scopes: ['DataExport'] },
    });
    const url = `${dt}/apiTokens/${made.body.id}`;
    expect((await call(url, { headers: auth() })).body).toMatchObject({
      name: 'dtp_crud',
      scopes: ['DataExport'],
      enabled: true,
    });
    expect(
      (
        await call(url, {
          method: 'PUT',
          headers: auth(),
          json: { name: 'dtp_crud2', scopes: ['DataExport', 'settings.read'] },
        })
      ).status,
    ).toBe(204);
    const looked = await call(`${dt}/apiTokens/lookup`, {
      method: 'POST',
      headers: auth(),
      json: { token: made.body.token },
    });
    expect(looked.body).toMatchObject({
      id: made.body.id,
      name: 'dtp_crud2',
      scopes: ['DataExport', 'settings.read'],
    });
    expect((await call(url, { method: 'DELETE', headers: auth() })).status).toBe(204);
    const gone = await call(url, { method: 'DELETE', headers: auth() });
    expect(gone).toMatchObject({ status: 404, body: { error: { code: 404 } } });
  });

  it('rejects unknown scopes with constraint violations', async () => {
    const res = await call(`${dt}/apiTokens`, {
      method: 'POST',
      headers: auth(),
      json: { name: 'dtp_x', scopes: ['DataExport', 'bogus.scope'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.constraintViolations[0]).toMatchObject({
      path: 'scopes[1]',
      message: 'unknown scope bogus.scope',
    });
  });

  it('answers 401 without a token and 403 when the token lacks apiTokens.write', async () => {
    expect((await call(`${dt}/apiTokens`)).status).toBe(401);
    const readOnly = h.sandbox.dynatrace.mint('sbx00000', 'read-only', ['apiTokens.read']);
    const headers = { authorization: `Api-Token ${readOnly.value}` };
    expect((await call(`${dt}/apiTokens?pageSize=100`, { headers })).status).toBe(200);
    const denied = await call(`${dt}/apiTokens`, {
      method: 'POST',
      headers,
      json: { name: 'dtp_x', scopes: ['DataExport'] },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('apiTokens.write');
  });
});

describe('Vault', () => {
  it('logs in with AppRole and reads KV v2 secrets by version, within the policy only', async () => {
    const creds = h.sandbox.fleet.credentials;
    const login = await call(`${vault}/auth/approle/login`, {
      method: 'POST',
      json: { role_id: creds.vaultRoleId, secret_id: creds.vaultSecretId },
    });
    expect(login.status).toBe(200);
    const headers = { 'x-vault-token': login.body.auth.client_token };
    const latest = await call(`${vault}/app-sre/data/creds/ocm/stage/dtp`, { headers });
    expect(latest.body.data.metadata.version).toBe(2);
    const v1 = await call(`${vault}/app-sre/data/creds/ocm/stage/dtp?version=1`, { headers });
    expect(v1.body.data.data.offline_token).toBe('stale-offline_token-v1');
    h.sandbox.vault.put('app-sre', 'other/secret', { x: 'y' });
    const denied = await call(`${vault}/app-sre/data/other/secret`, { headers });
    expect(denied.status).toBe(403);
    expect(denied.body.errors[0]).toContain('permission denied');
    expect((await call(`${vault}/app-sre/data/creds/ocm/stage/dtp?version=9`, { headers })).status).toBe(404);
  });

  it('accepts the configured JWT for jwt and kubernetes roles and refuses others', async () => {
    const creds = h.sandbox.fleet.credentials;
    for (const mount of ['jwt', 'kubernetes']) {
      const ok = await call(`${vault}/auth/${mount}/login`, {
        method: 'POST',
        json: { role: creds.vaultRole, jwt: creds.vaultJwt },
      });
      expect(ok.status).toBe(200);
      const bad = await call(`${vault}/auth/${mount}/login`, {
        method: 'POST',
        json: { role: creds.vaultRole, jwt: 'x.y.z' },
      });
      expect(bad.status).toBe(403);
    }
    const wrongSecret = await call(`${vault}/auth/approle/login`, {
      method: 'POST',
      json: { role_id: creds.vaultRoleId, secret_id: 'no' },
    });
    expect(wrongSecret).toMatchObject({ status: 400, body: { errors: ['invalid role or secret ID'] } });
    expect(
      (await call(`${vault}/app-sre/data/creds/ocm/stage/dtp`, { headers: { 'x-vault-token': 'hvs.bogus' } }))
        .status,
    ).toBe(403);
  });
});

describe('request bodies', () => {
  it('reads a JSON body even when it is labelled a form, as Vault does (curl -d)', async () => {
    const creds = h.sandbox.fleet.credentials;
    const res = await fetch(`${vault}/auth/approle/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ role_id: creds.vaultRoleId, secret_id: creds.vaultSecretId }),
    });
    expect(res.status).toBe(200);
  });
});

describe('faults', () => {
  it('adds latency, then answers 429 with Retry-After and Dynatrace rate-limit headers past the rate', async () => {
    const auth = {
      authorization: `Api-Token ${[...h.sandbox.dynatrace.tenant('sbx00000').tokens.values()][0]!.value}`,
    };
    h.sandbox.setFaults('dynatrace', { listTokens: { latencyMs: 30, rateLimit: 2 } });
    try {
      const before = h.sandbox.records.length;
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await call(`${dt}/apiTokens?pageSize=100`, { headers: auth }));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
      const limited = answers.find((a) => a.status === 429)!;
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
      expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() * 1000);
      const records = h.sandbox.records.slice(before);
      expect(records.every((r) => r.ms >= 29)).toBe(true);
      expect(records.filter((r) => r.fault === 'rate-limit').length).toBe(
        statuses.filter((s) => s === 429).length,
      );
    } finally {
      h.sandbox.clearFaults();
    }
  });

  it('fails exactly the next N requests, then recovers', async () => {
    h.sandbox.setFaults('ocm', { listClusters: { failNext: { count: 2, status: 503 } } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await ocmGet('/api/clusters_mgmt/v1/clusters?size=1')).status);
      expect(statuses).toEqual([503, 503, 200]);
    } finally {
      h.sandbox.clearFaults();
    }
  });

  it('answers a share of requests with 5xx, resets connections and hangs, recorded as such', async () => {
    h.sandbox.setFaults('vault', { '*': { errorRate: 1 } });
    const err = await call(`${vault}/auth/approle/login`, { method: 'POST', json: {} });
    expect([500, 502, 503]).toContain(err.status);
    expect(err.body.errors).toEqual(['injected server error']);
    h.sandbox.setFaults('vault', { '*': { resetRate: 1 } });
    await expect(call(`${vault}/auth/approle/login`, { method: 'POST', json: {} })).rejects.toThrow();
    h.sandbox.setFaults('vault', { '*': { hangRate: 1 } });
    const hung = await fetch(`${vault}/auth/approle/login`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(150),
    }).catch((e) => e);
    expect((hung as Error).name).toBe('TimeoutError');
    h.sandbox.clearFaults();
    const faults = h.sandbox.records.filter((r) => r.system === 'vault' && r.fault).map((r) => r.fault);
    expect(faults.slice(-3)).toEqual(['error', 'reset', 'hang']);
  });

  it('rolls the same faults for the same seed', async () => {
    const config = h.config;
    const roll = async () => {
      const s = await startSandbox({ config, fleet: { clusters: 5, seed: 11 } });
      s.setFaults('vault', { '*': { errorRate: 0.5 } });
      const statuses = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await call(`${s.servers.vault.url}/v1/auth/token/lookup-self`)).status);
      }
      await s.close();
      return statuses;
    };
    const a = await roll();
    expect(await roll()).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});

describe('fleet', () => {
  it('is the same for the same seed and different for another', async () => {
    const ids = async (seed: number) => {
      const s = await startSandbox({ config: h.config, fleet: { clusters: 30, seed } });
      const out = [...s.ocm.env('production').clusters.values()].map(
        (c) => `${c.id}:${c.external_id}:${c.hcp}`,
      );
      await s.close();
      return out;
    };
    const a = await ids(5);
    expect(await ids(5)).toEqual(a);
    expect(await ids(6)).not.toEqual(a);
  });

  it('labels clusters with v2, v3 and multi-bindings, some from organizations that are not allowed', () => {
    const labels = [...h.sandbox.ocm.environments.values()].flatMap((e) => e.labels);
    expect(labels.some((l) => l.key === 'sre-capabilities.dtp.v2.tenant')).toBe(true);
    expect(labels.some((l) => l.key === 'sre-capabilities.dtp.v3.main.tenant')).toBe(true);
    expect(labels.some((l) => l.key === 'sre-capabilities.dtp.v3.extra.token-spec')).toBe(true);
    const subs = [...h.sandbox.ocm.environments.values()].flatMap((e) => [...e.subscriptions.values()]);
    expect(subs.some((s) => s.organization_id.startsWith('disallowed'))).toBe(true);
  });
});
