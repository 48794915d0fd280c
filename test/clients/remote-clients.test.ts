import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallStats, HttpClient } from '../../src/clients/http.js';
import { OcmRestClient, ocmErrorMessage } from '../../src/clients/ocm.js';
import { SsoSession } from '../../src/clients/sso.js';
import { DynatraceRestClient, dynatraceErrorMessage } from '../../src/clients/dynatrace.js';
import { NodeVaultClient, chooseMethod } from '../../src/clients/vault.js';
import type { VaultSettings } from '../../src/clients/vault.js';
import { Secret, redact } from '../../src/secret.js';
import { MalformedAnswerError, StartupError } from '../../src/errors.js';

const OCM = 'http://ocm.test';
const SSO = 'http://sso.test';
const DT = 'http://abc12345.dt.test';
const VAULT = 'http://vault.test:8200';

function http(baseUrl: string, system: 'ocm' | 'sso' | 'dynatrace' = 'ocm', extra = {}) {
  return new HttpClient({
    system,
    baseUrl,
    timeoutMs: 2000,
    maxRetries: 2,
    rateLimit: 1000,
    stats: new CallStats(),
    backoffBaseMs: 1,
    backoffCapMs: 5,
    errorMessage: system === 'dynatrace' ? dynatraceErrorMessage : ocmErrorMessage,
    ...extra,
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

const page = <T>(items: T[], pageNo: number, total: number) => ({
  kind: 'List',
  page: pageNo,
  size: items.length,
  total,
  items,
});

describe('OCM client', () => {
  it('reads every page of labels with the exact like-search', async () => {
    const labels = Array.from({ length: 150 }, (_, i) => ({
      kind: 'Label',
      key: 'sre-capabilities.dtp.tenant',
      value: 'abc12345',
      type: 'Subscription',
      subscription_id: `sub${i}`,
    }));
    nock(OCM)
      .get('/api/accounts_mgmt/v1/labels')
      .query({ search: "key like 'sre-capabilities.dtp.%'", page: '1', size: '100' })
      .reply(200, page(labels.slice(0, 100), 1, 150))
      .get('/api/accounts_mgmt/v1/labels')
      .query({ search: "key like 'sre-capabilities.dtp.%'", page: '2', size: '100' })
      .reply(200, page(labels.slice(100), 2, 150));
    const ocm = new OcmRestClient('production', http(OCM));
    const got = await ocm.listLabels('sre-capabilities.dtp.%');
    expect(got).toHaveLength(150);
    expect(got[149]).toEqual({
      key: 'sre-capabilities.dtp.tenant',
      value: 'abc12345',
      type: 'Subscription',
      subscriptionId: 'sub149',
      organizationId: undefined,
    });
  });

  it('queries subscriptions 100 ids at a time, ordered, active or reserved only', async () => {
    const ids = Array.from({ length: 205 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    const searches: string[] = [];
    nock(OCM)
      .get('/api/accounts_mgmt/v1/subscriptions')
      .query((q) => {
        searches.push(String(q.search));
        return q.order === 'id asc' && q.page === '1' && q.size === '100';
      })
      .times(4)
      .reply(200, () => {
        // Queries run one after another: the last search seen is this request's.
        const search = searches.at(-1) ?? '';
        const found = [...search.matchAll(/'(s\d+|org-\w+)'/g)].map((m) => m[1]);
        return page(
          found.map((id) => ({
            id,
            // The organization query's answer must be of that organization, or it is outside the search.
            organization_id: id?.startsWith('org-') ? id : 'org-a',
            status: 'Active',
            cluster_id: `c-${id}`,
          })),
          1,
          found.length,
        );
      });
    const ocm = new OcmRestClient('production', http(OCM));
    const subs = await ocm.listSubscriptions({ ids, organizationIds: ['org-b'] });
    expect(searches).toHaveLength(4);
    expect(searches[0]).toMatch(
      /^id in \('s000', 's001', .*'s099'\) and status in \('Active', 'Reserved'\)$/,
    );
    expect(searches[2]).toMatch(/^id in \('s200', .*'s204'\) and status in/);
    expect(searches[3]).toBe("organization_id in ('org-b') and status in ('Active', 'Reserved')");
    // The organization query's fake echoes 'org-b' as a subscription id: all distinct ids come back once.
    expect(subs.length).toBe(206);
    expect(subs[0]).toEqual({
      id: 's000',
      organizationId: 'org-a',
      clusterId: 'c-s000',
      externalClusterId: undefined,
      status: 'Active',
    });
  });

  it('maps clusters, including hosted control planes', async () => {
    nock(OCM)
      .get('/api/clusters_mgmt/v1/clusters')
      .query({ search: "subscription.id in ('s1', 's2')", order: 'id asc', page: '1', size: '100' })
      .reply(
        200,
        page(
          [
            {
              kind: 'Cluster',
              id: 'c1',
              external_id: 'uuid-1',
              name: 'one',
              state: 'ready',
              managed: true,
              subscription: { id: 's1' },
              hypershift: { enabled: true },
              product: { id: 'rosa' },
            },
            {
              kind: 'Cluster',
              id: 'c2',
              external_id: 'uuid-2',
              state: 'installing',
              subscription: { id: 's2' },
            },
          ],
          1,
          2,
        ),
      );
    const ocm = new OcmRestClient('production', http(OCM));
    expect(await ocm.listClusters(['s2', 's1', 's1'])).toEqual([
      {
        id: 'c1',
        externalId: 'uuid-1',
        name: 'one',
        subscriptionId: 's1',
        state: 'ready',
        managed: true,
        hostedControlPlane: true,
        productId: 'rosa',
      },
      {
        id: 'c2',
        externalId: 'uuid-2',
        name: 'c2',
        subscriptionId: 's2',
        state: 'installing',
        managed: false,
        hostedControlPlane: false,
        productId: undefined,
      },
    ]);
  });

  it('reads, creates, patches and deletes SyncSets and Manifests at their paths', async () => {
    const base = '/api/clusters_mgmt/v1/clusters/c1/external_configuration';
    const items = [{ apiVersion: 'v1', kind: 'Secret' }];
    nock(OCM)
      .get(`${base}/syncsets/ext-dynatrace-tokens-dtp`)
      .reply(404, { kind: 'Error', id: '404', reason: 'not found' })
      .post(`${base}/syncsets`, { id: 'ext-dynatrace-tokens-dtp', resources: items })
      .reply(201, { kind: 'Syncset', id: 'ext-dynatrace-tokens-dtp', resources: items })
      .get(`${base}/manifests/ext-dynatrace-tokens-dtp`)
      .reply(200, { kind: 'Manifest', id: 'ext-dynatrace-tokens-dtp', workloads: items })
      .patch(`${base}/manifests/ext-dynatrace-tokens-dtp`, { workloads: items })
      .reply(200, {})
      .delete(`${base}/syncsets/ext-dynatrace-tokens-dtp`)
      .reply(404);
    const ocm = new OcmRestClient('production', http(OCM));
    expect(await ocm.getDelivery('c1', 'SyncSet', 'ext-dynatrace-tokens-dtp')).toBeUndefined();
    await ocm.createDelivery('c1', { kind: 'SyncSet', id: 'ext-dynatrace-tokens-dtp', items });
    expect(await ocm.getDelivery('c1', 'Manifest', 'ext-dynatrace-tokens-dtp')).toEqual({
      kind: 'Manifest',
      id: 'ext-dynatrace-tokens-dtp',
      items,
    });
    await ocm.patchDelivery('c1', { kind: 'Manifest', id: 'ext-dynatrace-tokens-dtp', items });
    await ocm.deleteDelivery('c1', 'SyncSet', 'ext-dynatrace-tokens-dtp');
  });

  it("names OCM's reason in errors and quotes search literals", async () => {
    nock(OCM)
      .get('/api/accounts_mgmt/v1/labels')
      .query(true)
      .reply(400, { kind: 'Error', id: '400', code: 'ACCT-MGMT-11', reason: 'Failed to parse search query' });
    const ocm = new OcmRestClient('production', http(OCM));
    await expect(ocm.listLabels("it's")).rejects.toThrow(
      'ocm list labels (GET /api/accounts_mgmt/v1/labels?search=key+like+%27it%27%27s%27&page=1&size=100) failed with HTTP 400: ACCT-MGMT-11: Failed to parse search query',
    );
  });

  it('lists recent service logs newest first and posts new ones', async () => {
    nock(OCM)
      .get('/api/service_logs/v1/clusters/cluster_logs')
      .query({
        cluster_uuid: 'uuid-1',
        search: "timestamp >= '2026-11-28T00:00:00.000Z'",
        order: 'timestamp desc',
        page: '1',
        size: '100',
      })
      .reply(
        200,
        page([{ cluster_uuid: 'uuid-1', summary: 's', severity: 'Moderate', service_name: 'dtp' }], 1, 1),
      )
      .post(
        '/api/service_logs/v1/cluster_logs',
        (b) => b.cluster_uuid === 'uuid-1' && b.severity === 'Moderate',
      )
      .reply(201, {});
    const ocm = new OcmRestClient('production', http(OCM));
    const logs = await ocm.listServiceLogs('uuid-1', new Date('2026-11-28T00:00:00Z'));
    expect(logs[0]).toMatchObject({ summary: 's', severity: 'Moderate', serviceName: 'dtp' });
    await ocm.createServiceLog({
      clusterUuid: 'uuid-1',
      serviceName: 'dtp',
      summary: 'Dynatrace Token Provider Errors',
      description: 'd',
      severity: 'Moderate',
    });
  });
});

describe('SSO session', () => {
  it('uses client credentials once, shares one refresh among concurrent callers, refreshes before expiry', async () => {
    let now = 0;
    const forms: string[] = [];
    nock(SSO)
      .post('/token', (body) => {
        forms.push(body.grant_type);
        return body.client_id === 'dtp-client' && body.client_secret === 'client-secret-value';
      })
      .times(2)
      .reply(200, () => ({ access_token: `access-${forms.length}-abcdef`, expires_in: 900 }));
    const sso = new SsoSession(
      http(`${SSO}/token`, 'sso'),
      { clientId: 'dtp-client', clientSecret: new Secret('client-secret-value') },
      'production',
      () => now,
    );
    const tokens = await Promise.all([sso.accessToken(), sso.accessToken(), sso.accessToken()]);
    expect(new Set(tokens)).toEqual(new Set(['access-1-abcdef']));
    now = 800_000; // 100 s before expiry: still valid
    expect(await sso.accessToken()).toBe('access-1-abcdef');
    now = 850_000; // inside the refresh margin
    expect(await sso.accessToken()).toBe('access-2-abcdef');
    expect(forms).toEqual(['client_credentials', 'client_credentials']);
    expect(redact('Bearer access-2-abcdef')).toBe('Bearer ***');
  });

  it('sends an offline token as a refresh_token grant for cloud-services', async () => {
    nock(SSO)
      .post('/token', {
        grant_type: 'refresh_token',
        client_id: 'cloud-services',
        refresh_token: 'offline-tok-123',
      })
      .reply(200, { access_token: 'access-from-offline', expires_in: 900 });
    const sso = new SsoSession(
      http(`${SSO}/token`, 'sso'),
      { offlineToken: new Secret('offline-tok-123') },
      'stage',
    );
    expect(await sso.accessToken()).toBe('access-from-offline');
  });

  it('turns refused credentials into a startup error that names the environment, not the secret', async () => {
    nock(SSO)
      .post('/token')
      .reply(401, { error: 'unauthorized_client', error_description: 'Invalid client secret' });
    const sso = new SsoSession(
      http(`${SSO}/token`, 'sso'),
      { clientId: 'dtp-client', clientSecret: new Secret('wrong-secret-value') },
      'production',
    );
    const error = await sso.accessToken().catch((e) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toContain('OCM environment production: SSO refused the credentials');
    expect(error.message).not.toContain('wrong-secret-value');
  });
});

describe('Dynatrace client', () => {
  it('lists dtp_ tokens with the selector, then pages with nextPageKey alone, and filters by prefix', async () => {
    nock(DT, { reqheaders: { authorization: 'Api-Token dt0c01.BOOT.bootstrapsecret' } })
      .get('/api/v2/apiTokens')
      .query({
        apiTokenSelector: 'name("dtp_")',
        fields: '+scopes,+expirationDate,+creationDate,+lastUsedDate',
        pageSize: '10000',
      })
      .reply(200, {
        apiTokens: [
          { id: 'dt0c01.A', name: 'dtp_a', enabled: true, scopes: ['metrics.ingest'] },
          { id: 'dt0c01.X', name: 'my-dtp_thing', enabled: true, scopes: [] },
        ],
        nextPageKey: 'KEY2',
        pageSize: 2,
        totalCount: 3,
      })
      .get('/api/v2/apiTokens')
      .query({ nextPageKey: 'KEY2' })
      .reply(200, {
        apiTokens: [
          {
            id: 'dt0c01.B',
            name: 'dtp_b',
            enabled: false,
            scopes: [],
            creationDate: '2026-01-01T00:00:00.000Z',
            lastUsedDate: '2026-02-01T00:00:00.000Z',
          },
        ],
        pageSize: 1,
        totalCount: 3,
      });
    const dt = new DynatraceRestClient(
      'abc12345',
      http(`${DT}/api/v2`, 'dynatrace', {
        authorization: async () => 'Api-Token dt0c01.BOOT.bootstrapsecret',
      }),
    );
    expect(await dt.listTokens('dtp_')).toEqual([
      { id: 'dt0c01.A', name: 'dtp_a', scopes: ['metrics.ingest'], enabled: true },
      {
        id: 'dt0c01.B',
        name: 'dtp_b',
        scopes: [],
        enabled: false,
        creationDate: '2026-01-01T00:00:00.000Z',
        lastUsedDate: '2026-02-01T00:00:00.000Z',
      },
    ]);
  });

  it('stops at a repeated nextPageKey, even while the total still allows more pages', async () => {
    const tokens = (from: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        id: `dt0c01.T${from + i}`,
        name: `dtp_${from + i}`,
        enabled: true,
        scopes: ['metrics.ingest'],
      }));
    nock(DT)
      .get('/api/v2/apiTokens')
      .query((q) => q.nextPageKey === undefined)
      .times(2)
      .reply(200, { totalCount: 1000, apiTokens: tokens(0), nextPageKey: 'K1' })
      .get('/api/v2/apiTokens')
      .query({ nextPageKey: 'K1' })
      .times(2)
      .reply(200, { totalCount: 1000, apiTokens: tokens(100), nextPageKey: 'K1' });
    const dt = new DynatraceRestClient('abc12345', http(`${DT}/api/v2`, 'dynatrace'));
    const error = await dt.listTokens('dtp_').catch((e) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error.message).toBe(
      'dynatrace list api tokens (GET /apiTokens): listing incomplete: nextPageKey repeated on page 2 (200 of 1000 tokens) (after 2 attempts)',
    );
  });

  it('mints a token whose value is wrapped and redacted, updates in place and deletes idempotently', async () => {
    nock(DT)
      .post('/api/v2/apiTokens', { name: 'dtp_x', scopes: ['DataExport'] })
      .reply(201, {
        id: 'dt0c01.NEW',
        token: 'dt0c01.NEW.supersecretpart',
        expirationDate: '2027-01-01T00:00:00Z',
      })
      .put('/api/v2/apiTokens/dt0c01.NEW', { name: 'dtp_y', scopes: ['DataExport'] })
      .reply(204)
      .delete('/api/v2/apiTokens/dt0c01.NEW')
      .reply(204)
      .delete('/api/v2/apiTokens/dt0c01.NEW')
      .reply(404, { error: { code: 404, message: 'not found' } });
    const dt = new DynatraceRestClient('abc12345', http(`${DT}/api/v2`, 'dynatrace'));
    const created = await dt.createToken({ name: 'dtp_x', scopes: ['DataExport'] });
    expect(created.id).toBe('dt0c01.NEW');
    expect(`${created.token}`).not.toContain('supersecretpart');
    expect(created.token.reveal()).toBe('dt0c01.NEW.supersecretpart');
    expect(redact('value dt0c01.NEW.supersecretpart')).toBe('value ***');
    await dt.updateToken('dt0c01.NEW', { name: 'dtp_y', scopes: ['DataExport'] });
    expect(await dt.deleteToken('dt0c01.NEW')).toBe('deleted');
    expect(await dt.deleteToken('dt0c01.NEW')).toBe('absent');
  });

  it('reports constraint violations and 403 as auth errors', async () => {
    nock(DT)
      .post('/api/v2/apiTokens')
      .reply(400, {
        error: {
          code: 400,
          message: 'Constraints violated.',
          constraintViolations: [
            { path: 'scopes', message: 'unknown scope foo', parameterLocation: 'PAYLOAD_BODY' },
          ],
        },
      })
      .get('/api/v2/apiTokens')
      .query(true)
      .reply(403, { error: { code: 403, message: 'Token is missing required scope apiTokens.read' } });
    const dt = new DynatraceRestClient('abc12345', http(`${DT}/api/v2`, 'dynatrace'));
    await expect(dt.createToken({ name: 'dtp_x', scopes: ['foo'] })).rejects.toThrow(
      'Constraints violated. (scopes unknown scope foo)',
    );
    const denied = await dt.listTokens('dtp_').catch((e) => e);
    expect(denied.isAuth).toBe(true);
    expect(denied.message).toContain('missing required scope apiTokens.read');
  });
});

describe('Vault client', () => {
  const settings = (extra: Partial<VaultSettings> = {}): VaultSettings => ({
    addr: VAULT,
    method: 'approle',
    jwtAudience: 'vault',
    kubernetesTokenFile: '/nonexistent/token',
    timeoutMs: 2000,
    maxRetries: 2,
    stats: new CallStats(),
    onGitHub: false,
    backoffBaseMs: 1,
    ...extra,
  });

  it('picks the auth method in the documented order', () => {
    expect(chooseMethod(settings({ method: 'auto', token: new Secret('hvs.tokenvalue') }))).toBe('token');
    expect(chooseMethod(settings({ method: 'auto', roleId: 'r' }))).toBe('approle');
    expect(chooseMethod(settings({ method: 'auto', onGitHub: true }))).toBe('jwt');
    expect(chooseMethod(settings({ method: 'auto' }))).toBe('kubernetes');
  });

  it('logs in with AppRole and reads KV v2 with the returned token, retrying a 503', async () => {
    const previous = process.env.VAULT_TOKEN;
    process.env.VAULT_TOKEN = 'ambient-token-must-not-be-used';
    try {
      // badheaders: the login must not carry the ambient VAULT_TOKEN.
      nock(VAULT, { badheaders: ['x-vault-token'] })
        .post('/v1/auth/approle/login', { role_id: 'role-1', secret_id: 'secret-id-value' })
        .reply(200, { auth: { client_token: 'hvs.logged-in-token' } });
      nock(VAULT, { reqheaders: { 'x-vault-token': 'hvs.logged-in-token' } })
        .get('/v1/secret/data/dtp/tenants/abc')
        .query({ version: '3' })
        .reply(503, { errors: ['Vault is sealed'] })
        .get('/v1/secret/data/dtp/tenants/abc')
        .query({ version: '3' })
        .reply(200, {
          data: { data: { token: 'dt0c01.BOOT.secretvalue', note: 'x' }, metadata: { version: 3 } },
        });
      const vault = new NodeVaultClient(
        settings({ roleId: 'role-1', secretId: new Secret('secret-id-value') }),
      );
      await vault.login();
      const data = await vault.readKv({ mount: 'secret', path: 'dtp/tenants/abc', version: 3 });
      expect(data.token?.reveal()).toBe('dt0c01.BOOT.secretvalue');
      expect(redact('hvs.logged-in-token and dt0c01.BOOT.secretvalue')).toBe('*** and ***');
    } finally {
      if (previous === undefined) delete process.env.VAULT_TOKEN;
      else process.env.VAULT_TOKEN = previous;
    }
  });

  it('reports a denied read with status and path, never a token', async () => {
    nock(VAULT)
      .get('/v1/secret/data/other')
      .reply(403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    const vault = new NodeVaultClient(
      settings({ method: 'token', token: new Secret('hvs.plain-token-value') }),
    );
    await vault.login();
    const error = await vault.readKv({ mount: 'secret', path: 'other' }).catch((e) => e);
    expect(error.status).toBe(403);
    expect(error.message).toContain('vault read secret (GET /v1/secret/data/other) failed with HTTP 403');
    expect(error.message).toContain('permission denied');
    expect(error.message).not.toContain('hvs.plain-token-value');
  });

  it('explains a missing Kubernetes token file and a missing role', async () => {
    await expect(new NodeVaultClient(settings({ method: 'kubernetes' })).login()).rejects.toThrow(
      'needs vault-role',
    );
    await expect(
      new NodeVaultClient(settings({ method: 'kubernetes', role: 'dtp' })).login(),
    ).rejects.toThrow('cannot read the service-account token /nonexistent/token');
  });
});
