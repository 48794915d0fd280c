import { describe, expect, it } from 'vitest';
import ocmAccounts from '../../specs/ocm/accounts_mgmt.json' with { type: 'json' };
import ocmClusters from '../../specs/ocm/clusters_mgmt.json' with { type: 'json' };
import ocmLogs from '../../specs/ocm/service_logs.json' with { type: 'json' };
import dynatraceEnvV2 from '../../specs/dynatrace/env-v2.json' with { type: 'json' };
import vaultSpec from '../../specs/vault/openapi.json' with { type: 'json' };
import {
  SPEC_EXCEPTIONS,
  assertExchange,
  checkExchange,
  matchOperation,
  type ContractProblem,
  type Exchange,
} from '../../src/sandbox/contract.js';
import {
  dynatraceTokenCreated,
  dynatraceTokenOnly,
  dynatraceTokenPage,
  ocmCluster,
  ocmDelivery,
  ocmLabel,
  ocmPage,
  ocmServiceLog,
  ocmSubscription,
} from '../../src/clients/answers.js';
import type { AnswerCheck } from '../../src/clients/answers.js';

// ---------------------------------------------------------------------------------------------------------
// Realistic bodies, shaped after the specs (and what the real servers send).

const CM = '/api/clusters_mgmt/v1';
const AM = '/api/accounts_mgmt/v1';
const SL = '/api/service_logs/v1';
const CLUSTER_ID = '2a8bb7ofcs7ckdrfhmgnqj1m3b5r6a8u';
const EXTERNAL_ID = 'f2d0e1c2-5e2c-4c4b-9d55-8f2b3f1e7a10';
const SYNCSET_ID = 'ext-dtp-tokens';
const NOW = '2025-05-06T07:08:09Z';

const cluster = {
  kind: 'Cluster',
  id: CLUSTER_ID,
  href: `${CM}/clusters/${CLUSTER_ID}`,
  external_id: EXTERNAL_ID,
  name: 'prod-eu-1',
  state: 'ready',
  managed: true,
  hypershift: { enabled: false },
  subscription: { kind: 'SubscriptionLink', id: '2Xsub0001', href: `${AM}/subscriptions/2Xsub0001` },
  creation_timestamp: NOW,
  product: { kind: 'ProductLink', id: 'rosa', href: `${CM}/products/rosa` },
  openshift_version: '4.16.12',
};
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'dynakube', namespace: 'dynatrace' },
  type: 'Opaque',
  data: { apiToken: 'ZHQwYzAxLkFCQy5ERUY=' },
};
const syncset = {
  kind: 'Syncset',
  id: SYNCSET_ID,
  href: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets/${SYNCSET_ID}`,
  resources: [secret],
};
const manifest = {
  kind: 'Manifest',
  id: SYNCSET_ID,
  href: `${CM}/clusters/${CLUSTER_ID}/external_configuration/manifests/${SYNCSET_ID}`,
  workloads: [secret],
  creation_timestamp: NOW,
  updated_timestamp: NOW,
};
const label = {
  kind: 'Label',
  id: '2Xlab0001',
  href: `${AM}/subscriptions/2Xsub0001/labels/sre-capabilities.dtp.tenant`,
  key: 'sre-capabilities.dtp.tenant',
  value: 'abc12345',
  type: 'Subscription',
  subscription_id: '2Xsub0001',
  internal: false,
  created_at: NOW,
  updated_at: NOW,
};
const subscription = {
  kind: 'Subscription',
  id: '2Xsub0001',
  href: `${AM}/subscriptions/2Xsub0001`,
  cluster_id: CLUSTER_ID,
  external_cluster_id: EXTERNAL_ID,
  display_name: 'prod-eu-1',
  organization_id: '1Xorg0001',
  status: 'Active',
  managed: true,
  created_at: NOW,
  updated_at: NOW,
};
const organization = {
  kind: 'Organization',
  id: '1Xorg0001',
  href: `${AM}/organizations/1Xorg0001`,
  name: 'Example Inc',
  external_id: '12345678',
  ebs_account_id: '7654321',
  created_at: NOW,
  updated_at: NOW,
};
const logEntry = {
  cluster_uuid: EXTERNAL_ID,
  service_name: 'dynatrace-token-provider',
  summary: 'Dynatrace Token Provider Errors',
  description: 'Could not deliver the Dynatrace tokens: tenant abc12345 is not reachable.',
  severity: 'Warning',
  internal_only: false,
};
const logEntryCreated = {
  ...logEntry,
  kind: 'ClusterLog',
  id: '2Xlog0001',
  href: `${SL}/cluster_logs/2Xlog0001`,
  cluster_id: CLUSTER_ID,
  created_at: NOW,
  timestamp: NOW,
  created_by: 'service-account-dtp',
  log_type: 'cluster-state-updates',
  doc_references: [],
};
const ocmError = (status: number, reason: string) => ({
  kind: 'Error',
  id: String(status),
  href: `${CM}/errors/${status}`,
  code: `CLUSTERS-MGMT-${status}`,
  reason,
  operation_id: '1grla68e486r9gqcbiifalhl9hpljhje',
});
const list = <T>(kind: string, items: T[]) => ({
  kind,
  page: 1,
  size: items.length,
  total: items.length,
  items,
});

const TOKEN_ID = 'dt0c01.ST2EY72KQINMH574WMNVI7YN';
const TOKEN = `${TOKEN_ID}.G3DFPBEJYMODIDAEX454M7YWBUVEFOWKPRVMWFASS64NFH52PX6BNDVFFM572RZM`;
const apiToken = {
  id: TOKEN_ID,
  name: 'dtp_dynakube_f2d0e1c2-5e2c-4c4b-9d55-8f2b3f1e7a10_f6e7fac64719',
  enabled: true,
  personalAccessToken: false,
  owner: 'dtp-bootstrap',
  creationDate: '2025-05-06T07:08:09.123Z',
  expirationDate: '2025-08-04T07:08:09.123Z',
  lastUsedDate: '2025-05-07T01:02:03.000Z',
  modifiedDate: '2025-05-06T07:08:09.123Z',
  scopes: ['metrics.ingest', 'logs.ingest', 'events.ingest'],
};
const apiTokenList = { apiTokens: [apiToken], pageSize: 200, totalCount: 1 };
const apiTokenCreate = {
  name: apiToken.name,
  scopes: ['DataExport', 'InstallerDownload', 'activeGateTokenManagement.create', 'settings.read'],
  expirationDate: 'now+90d',
};
const apiTokenCreated = { id: TOKEN_ID, token: TOKEN, expirationDate: '2025-08-04T07:08:09.123Z' };
const apiTokenUpdate = { name: apiToken.name, scopes: ['metrics.ingest', 'logs.ingest'], enabled: true };
const errorEnvelope = {
  error: {
    code: 400,
    message: 'Constraints violated.',
    constraintViolations: [{ path: 'scopes', message: 'unknown scope', parameterLocation: 'PAYLOAD_BODY' }],
  },
};

const vaultEnvelope = (data: unknown, auth: unknown = null) => ({
  request_id: '7f1c0a2e-3a5d-4a3e-9b3c-1f0e2d3c4b5a',
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  data,
  wrap_info: null,
  warnings: null,
  auth,
});
const vaultAuth = {
  client_token: 'hvs.CAESIJ-example',
  accessor: 'accessor-1',
  policies: ['default', 'dtp'],
  token_policies: ['default', 'dtp'],
  metadata: { role_name: 'dtp' },
  lease_duration: 3600,
  renewable: true,
  entity_id: 'e-1',
  token_type: 'service',
  orphan: true,
};

/** One valid exchange per operation of the trimmed specs (plus a few error responses). */
const VALID: Exchange[] = [
  // OCM accounts_mgmt
  {
    system: 'ocm',
    method: 'GET',
    path: `${AM}/labels`,
    query: { search: "key like 'sre-capabilities.dtp.%'", page: '1', size: '100' },
    status: 200,
    responseBody: list('LabelList', [label]),
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${AM}/subscriptions`,
    query: {
      search: "id in ('2Xsub0001') and status in ('Active','Reserved')",
      order: 'id',
      page: '1',
      size: '100',
    },
    status: 200,
    responseBody: list('SubscriptionList', [subscription]),
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${AM}/organizations`,
    query: { search: "external_id='12345678'", fetchLabels: 'true' },
    status: 200,
    responseBody: list('OrganizationList', [organization]),
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${AM}/organizations/1Xorg0001`,
    status: 200,
    responseBody: organization,
  },
  // OCM clusters_mgmt
  {
    system: 'ocm',
    method: 'GET',
    path: `${CM}/clusters`,
    query: { search: "subscription.id in ('2Xsub0001')", order: 'id asc', page: '1', size: '100' },
    status: 200,
    responseBody: list('ClusterList', [cluster]),
  },
  { system: 'ocm', method: 'GET', path: `${CM}/clusters/${CLUSTER_ID}`, status: 200, responseBody: cluster },
  {
    system: 'ocm',
    method: 'GET',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets`,
    query: { page: '1', size: '100' },
    status: 200,
    responseBody: list('SyncsetList', [syncset]),
  },
  {
    system: 'ocm',
    method: 'POST',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets`,
    status: 201,
    requestBody: { kind: 'Syncset', id: SYNCSET_ID, resources: [secret] },
    responseBody: syncset,
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets/${SYNCSET_ID}`,
    status: 200,
    responseBody: syncset,
  },
  {
    system: 'ocm',
    method: 'PATCH',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets/${SYNCSET_ID}`,
    status: 200,
    requestBody: { resources: [secret] },
    responseBody: syncset,
  },
  {
    system: 'ocm',
    method: 'DELETE',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets/${SYNCSET_ID}`,
    status: 204,
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/manifests`,
    status: 200,
    responseBody: list('ManifestList', [manifest]),
  },
  {
    system: 'ocm',
    method: 'POST',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/manifests`,
    status: 201,
    requestBody: { kind: 'Manifest', id: SYNCSET_ID, workloads: [secret] },
    responseBody: manifest,
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/manifests/${SYNCSET_ID}`,
    status: 200,
    responseBody: manifest,
  },
  {
    system: 'ocm',
    method: 'PATCH',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/manifests/${SYNCSET_ID}`,
    status: 200,
    requestBody: { workloads: [secret] },
    responseBody: manifest,
  },
  {
    system: 'ocm',
    method: 'DELETE',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/manifests/${SYNCSET_ID}`,
    status: 204,
  },
  // OCM service_logs
  {
    system: 'ocm',
    method: 'POST',
    path: `${SL}/cluster_logs`,
    status: 201,
    requestBody: logEntry,
    responseBody: logEntryCreated,
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${SL}/clusters/cluster_logs`,
    query: {
      cluster_uuid: EXTERNAL_ID,
      search: "service_name = 'dynatrace-token-provider'",
      order: 'timestamp desc',
    },
    status: 200,
    responseBody: list('ClusterLogList', [logEntryCreated]),
  },
  // Dynatrace
  {
    system: 'dynatrace',
    method: 'GET',
    path: '/apiTokens',
    query: { apiTokenSelector: 'name("dtp_")', fields: '+scopes,+expirationDate', pageSize: '200' },
    status: 200,
    responseBody: apiTokenList,
  },
  {
    system: 'dynatrace',
    method: 'POST',
    path: '/apiTokens',
    status: 201,
    requestBody: apiTokenCreate,
    responseBody: apiTokenCreated,
  },
  { system: 'dynatrace', method: 'GET', path: `/apiTokens/${TOKEN_ID}`, status: 200, responseBody: apiToken },
  {
    system: 'dynatrace',
    method: 'PUT',
    path: `/apiTokens/${TOKEN_ID}`,
    status: 204,
    requestBody: apiTokenUpdate,
  },
  { system: 'dynatrace', method: 'DELETE', path: `/apiTokens/${TOKEN_ID}`, status: 204 },
  {
    system: 'dynatrace',
    method: 'POST',
    path: '/apiTokens/lookup',
    status: 200,
    requestBody: { token: TOKEN },
    responseBody: apiToken,
  },
  // Vault
  {
    system: 'vault',
    method: 'POST',
    path: '/auth/approle/login',
    status: 200,
    requestBody: { role_id: '3b1f1e2a-0000-4000-8000-000000000001', secret_id: 's3cr3t' },
    responseBody: vaultEnvelope(null, vaultAuth),
  },
  {
    system: 'vault',
    method: 'POST',
    path: '/auth/jwt/login',
    status: 200,
    requestBody: { role: 'dtp', jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2ln' },
    responseBody: vaultEnvelope(null, vaultAuth),
  },
  {
    system: 'vault',
    method: 'POST',
    path: '/auth/kubernetes/login',
    status: 200,
    requestBody: { role: 'dtp', jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYSJ9.c2ln' },
    responseBody: vaultEnvelope(null, vaultAuth),
  },
  {
    system: 'vault',
    method: 'GET',
    path: '/secret/data/dtp/tenants/abc12345',
    status: 200,
    responseBody: vaultEnvelope({
      data: { token: 'dt0c01.BOOTSTRAP.SECRET' },
      metadata: { created_time: NOW, deletion_time: '', destroyed: false, version: 3, custom_metadata: null },
    }),
  },
  {
    system: 'vault',
    method: 'GET',
    path: '/auth/token/lookup-self',
    status: 200,
    responseBody: vaultEnvelope({ accessor: 'accessor-1', ttl: 3500, policies: ['default', 'dtp'] }),
  },
  // The spec documents 200 without a body (real Vault sends 204, which the spec lacks; the simulator answers 200).
  { system: 'vault', method: 'POST', path: '/auth/token/revoke-self', status: 200 },
];

/** Error responses the real servers send, which must also pass. */
const VALID_ERRORS: Exchange[] = [
  {
    system: 'ocm',
    method: 'GET',
    path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets/missing`,
    status: 404,
    responseBody: ocmError(404, "Syncset 'missing' not found"),
  },
  {
    system: 'ocm',
    method: 'GET',
    path: `${AM}/labels`,
    status: 429,
    responseBody: { ...ocmError(429, 'Too many requests'), code: 'ACCOUNTS-MGMT-429' },
  },
  {
    system: 'ocm',
    method: 'POST',
    path: `${SL}/cluster_logs`,
    status: 400,
    requestBody: logEntry,
    responseBody: { ...ocmError(400, 'bad request'), code: 'OCM-CA-400', details: { field: 'severity' } },
  },
  {
    system: 'dynatrace',
    method: 'POST',
    path: '/apiTokens',
    status: 400,
    requestBody: apiTokenCreate,
    responseBody: errorEnvelope,
  },
  {
    system: 'dynatrace',
    method: 'GET',
    path: `/apiTokens/${TOKEN_ID}`,
    status: 404,
    responseBody: { error: { code: 404, message: 'Token not found' } },
  },
  {
    system: 'vault',
    method: 'GET',
    path: '/secret/data/dtp/tenants/missing',
    status: 404,
    responseBody: { errors: [] },
  },
];

/** The valid exchange of one operation. */
function v(operation: string): Exchange {
  const x = VALID.find((e) => matchOperation(e) === operation);
  if (!x) throw new Error(`no valid example for ${operation}`);
  return x;
}

function fieldsOf(problems: ContractProblem[]): string[] {
  return problems.map((p) => `${p.where} ${p.field}`);
}

function expectProblem(x: Exchange, where: ContractProblem['where'], field: string, message?: RegExp): void {
  const problems = checkExchange(x);
  const hit = problems.find((p) => p.where === where && p.field === field);
  expect(hit, `expected a ${where} problem at ${field}, got ${JSON.stringify(problems)}`).toBeDefined();
  if (message) expect(hit!.message).toMatch(message);
}

// ---------------------------------------------------------------------------------------------------------

/** The answer check each client applies, by spec operation: what dtp relies on in a 2xx body. */
const CLIENT_CHECKS: Record<string, AnswerCheck<unknown>> = {
  'GET /api/accounts_mgmt/v1/labels': ocmPage(ocmLabel),
  'GET /api/accounts_mgmt/v1/subscriptions': ocmPage(ocmSubscription),
  'GET /api/clusters_mgmt/v1/clusters': ocmPage(ocmCluster),
  'GET /api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/syncsets/{syncset_id}':
    ocmDelivery('resources'),
  'GET /api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/manifests/{manifest_id}':
    ocmDelivery('workloads'),
  'GET /api/service_logs/v1/clusters/cluster_logs': ocmPage(ocmServiceLog),
  'GET /apiTokens': dynatraceTokenPage,
  'GET /apiTokens/{id}': dynatraceTokenOnly,
  'POST /apiTokens': dynatraceTokenCreated,
};

describe('the clients read what the specs allow', () => {
  it.each(Object.keys(CLIENT_CHECKS))('%s: the spec-shaped answer passes the client check', (operation) => {
    const exchange = VALID.find((x) => matchOperation(x) === operation);
    expect(exchange, `a valid ${operation} exchange in this file`).toBeDefined();
    expect(checkExchange(exchange!)).toEqual([]);
    expect(() => CLIENT_CHECKS[operation]!(exchange!.responseBody)).not.toThrow();
  });
});

describe('valid exchanges pass', () => {
  it.each(VALID.map((x) => [`${x.method} ${x.path}`, x] as const))('%s', (_name, x) => {
    expect(checkExchange(x)).toEqual([]);
    expect(() => assertExchange(x)).not.toThrow();
  });

  it.each(VALID_ERRORS.map((x) => [`${x.status} ${x.method} ${x.path}`, x] as const))(
    'error %s',
    (_name, x) => {
      expect(checkExchange(x)).toEqual([]);
    },
  );

  it('cover every operation kept in specs/ (and nothing else)', () => {
    const kept = [ocmAccounts, ocmClusters, ocmLogs, dynatraceEnvV2, vaultSpec].flatMap(
      (s) => s['x-trimmed-from'].operations,
    );
    expect(kept).toHaveLength(30);
    const matched = VALID.map((x) => matchOperation(x));
    expect(new Set(matched)).toEqual(new Set(kept));
  });

  it('matches the path templates the specs really use', () => {
    expect(matchOperation(v('GET /api/accounts_mgmt/v1/organizations/{organization_id}'))).toBe(
      'GET /api/accounts_mgmt/v1/organizations/{organization_id}',
    );
    expect(matchOperation(v('POST /auth/{jwt_mount_path}/login'))).toBe('POST /auth/{jwt_mount_path}/login');
    expect(matchOperation(v('POST /auth/{kubernetes_mount_path}/login'))).toBe(
      'POST /auth/{kubernetes_mount_path}/login',
    );
    expect(matchOperation(v('GET /{kv_v2_mount_path}/data/{path}'))).toBe(
      'GET /{kv_v2_mount_path}/data/{path}',
    );
    // Literal segments win over a parameter: lookup is not GET /apiTokens/{id} with id "lookup".
    expect(matchOperation(v('POST /apiTokens/lookup'))).toBe('POST /apiTokens/lookup');
    expect(
      matchOperation({ system: 'dynatrace', method: 'GET', path: '/apiTokens/lookup', status: 200 }),
    ).toBe('GET /apiTokens/{id}');
    // Leading base paths are tolerated.
    expect(matchOperation({ ...v('GET /apiTokens/{id}'), path: `/api/v2/apiTokens/${TOKEN_ID}` })).toBe(
      'GET /apiTokens/{id}',
    );
    expect(
      matchOperation({
        ...v('GET /{kv_v2_mount_path}/data/{path}'),
        path: '/v1/secret/data/dtp/tenants/abc12345',
      }),
    ).toBe('GET /{kv_v2_mount_path}/data/{path}');
  });

  it('tells Vault logins on custom mount paths apart by their body', () => {
    const login = {
      system: 'vault',
      method: 'POST',
      path: '/auth/github-actions/login',
      status: 200,
    } as const;
    expect(checkExchange({ ...login, requestBody: { role: 'dtp', jwt: 'x.y.z' } })).toEqual([]);
    expect(checkExchange({ ...login, requestBody: { role_id: 'r', secret_id: 's' } })).toEqual([]);
    expect(matchOperation({ ...login, requestBody: { role_id: 'r', secret_id: 's' } })).toBe(
      'POST /auth/{approle_mount_path}/login',
    );
    // JWT and Kubernetes logins have the same body ({role, jwt}): the first in spec order.
    expect(matchOperation({ ...login, requestBody: { role: 'dtp', jwt: 'x.y.z' } })).toBe(
      'POST /auth/{jwt_mount_path}/login',
    );
    expectProblem({ ...login, requestBody: { role_id: 5 } }, 'request', '/role_id');
  });

  it('accepts the syncset create body the real OCM accepts: only id and resources', () => {
    expect(
      checkExchange({
        system: 'ocm',
        method: 'POST',
        path: `${CM}/clusters/${CLUSTER_ID}/external_configuration/syncsets`,
        status: 201,
        requestBody: { id: SYNCSET_ID, resources: [secret] },
        responseBody: syncset,
      }),
    ).toEqual([]);
  });
});

describe('invalid exchanges fail, naming the field', () => {
  it('wrong type in a response (OCM cluster)', () => {
    const x: Exchange = {
      ...v('GET /api/clusters_mgmt/v1/clusters/{cluster_id}'),
      responseBody: { ...cluster, managed: 'true', hypershift: { enabled: 1 }, subscription: { id: 42 } },
    };
    const problems = checkExchange(x);
    expect(fieldsOf(problems)).toEqual(
      expect.arrayContaining([
        'response /managed',
        'response /hypershift/enabled',
        'response /subscription/id',
      ]),
    );
    expect(problems.every((p) => p.operation === 'GET /api/clusters_mgmt/v1/clusters/{cluster_id}')).toBe(
      true,
    );
    expectProblem(x, 'response', '/managed', /must be boolean \(got "true"\)/);
  });

  it('wrong type inside a list envelope', () => {
    const body = list('ClusterList', [cluster, { ...cluster, id: 7 }]);
    expectProblem(
      { ...v('GET /api/clusters_mgmt/v1/clusters'), responseBody: body },
      'response',
      '/items/1/id',
      /must be string/,
    );
    expectProblem(
      { ...v('GET /api/clusters_mgmt/v1/clusters'), responseBody: { ...body, total: '1' } },
      'response',
      '/total',
      /integer/,
    );
    expectProblem(
      {
        ...v('GET /api/accounts_mgmt/v1/labels'),
        responseBody: list('LabelList', [{ ...label, value: true }]),
      },
      'response',
      '/items/0/value',
    );
  });

  it('cluster state outside the enum', () => {
    expectProblem(
      {
        ...v('GET /api/clusters_mgmt/v1/clusters/{cluster_id}'),
        responseBody: { ...cluster, state: 'Ready' },
      },
      'response',
      '/state',
      /"Ready"/,
    );
  });

  it('syncset resources must be a list of objects', () => {
    const post = v('POST /api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/syncsets');
    expectProblem({ ...post, requestBody: { id: SYNCSET_ID, resources: secret } }, 'request', '/resources');
    expectProblem({ ...post, requestBody: { id: SYNCSET_ID, resources: ['x'] } }, 'request', '/resources/0');
    expectProblem(
      {
        ...v(
          'PATCH /api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/manifests/{manifest_id}',
        ),
        requestBody: { workloads: {} },
      },
      'request',
      '/workloads',
    );
  });

  it('unknown Severity in a service log', () => {
    const x = {
      ...v('POST /api/service_logs/v1/cluster_logs'),
      requestBody: { ...logEntry, severity: 'Urgent' },
    };
    expectProblem(x, 'request', '/severity', /"Urgent" is not one of the allowed values .*"Warning"/);
    expectProblem(
      {
        ...v('POST /api/service_logs/v1/cluster_logs'),
        responseBody: { ...logEntryCreated, log_type: 'misc' },
      },
      'response',
      '/log_type',
    );
  });

  it('unknown Dynatrace scope in ApiTokenCreate.scopes and ApiTokenUpdate.scopes', () => {
    const create = {
      ...v('POST /apiTokens'),
      requestBody: { ...apiTokenCreate, scopes: ['metrics.ingest', 'metrics.eat'] },
    };
    expectProblem(create, 'request', '/scopes/1', /"metrics.eat" is not one of the allowed values/);
    const update = {
      ...v('PUT /apiTokens/{id}'),
      requestBody: { ...apiTokenUpdate, scopes: ['Metrics.Ingest'] },
    };
    expectProblem(update, 'request', '/scopes/0');
  });

  it('missing required fields (Dynatrace)', () => {
    expectProblem(
      { ...v('POST /apiTokens'), requestBody: { scopes: ['metrics.read'] } },
      'request',
      '/name',
      /required/,
    );
    expectProblem({ ...v('POST /apiTokens'), requestBody: { name: 'n' } }, 'request', '/scopes', /required/);
    expectProblem({ ...v('POST /apiTokens/lookup'), requestBody: {} }, 'request', '/token', /required/);
    expectProblem(
      { ...v('GET /apiTokens'), responseBody: { apiTokens: [] } },
      'response',
      '/totalCount',
      /required/,
    );
  });

  it('missing required request body', () => {
    expectProblem({ ...v('POST /apiTokens'), requestBody: undefined }, 'request', '', /body is required/);
    expectProblem(
      { ...v('POST /auth/{approle_mount_path}/login'), requestBody: undefined },
      'request',
      '',
      /body is required/,
    );
  });

  it('Dynatrace responses: wrong types, 204 with a body, undocumented success status', () => {
    expectProblem(
      { ...v('POST /apiTokens'), responseBody: { ...apiTokenCreated, token: null } },
      'response',
      '/token',
    );
    expectProblem(
      { ...v('GET /apiTokens/{id}'), responseBody: { ...apiToken, enabled: 'yes' } },
      'response',
      '/enabled',
    );
    expectProblem(
      { ...v('PUT /apiTokens/{id}'), responseBody: { ok: true } },
      'response',
      '',
      /204 must have no body/,
    );
    expectProblem(
      { ...v('POST /apiTokens'), status: 200 },
      'response',
      '',
      /status 200 is not a documented success status/,
    );
    expectProblem(
      {
        ...v('POST /api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/syncsets'),
        status: 200,
      },
      'response',
      '',
      /documented: 201/,
    );
    expectProblem(
      { ...VALID_ERRORS[3]!, responseBody: { error: { code: '400', message: 'bad' } } },
      'response',
      '/error/code',
    );
  });

  it('query parameters are typed', () => {
    expectProblem(
      { ...v('GET /api/clusters_mgmt/v1/clusters'), query: { page: 'one' } },
      'request',
      '?page',
      /integer/,
    );
    expectProblem(
      { ...v('GET /api/accounts_mgmt/v1/subscriptions'), query: { fetchLabels: 'yes' } },
      'request',
      '?fetchLabels',
      /boolean/,
    );
    expectProblem(
      { ...v('GET /apiTokens'), query: { pageSize: '20000' } },
      'request',
      '?pageSize',
      /<= 10000/,
    );
    expect(
      checkExchange({ ...v('GET /api/clusters_mgmt/v1/clusters'), query: { page: '2', unknownParam: 'x' } }),
    ).toEqual([]);
  });

  it('Vault: login bodies, and the KV read schema applies to the envelope data', () => {
    expectProblem(
      { ...v('POST /auth/{approle_mount_path}/login'), requestBody: { role_id: 7, secret_id: 's' } },
      'request',
      '/role_id',
    );
    expectProblem(
      { ...v('POST /auth/{kubernetes_mount_path}/login'), requestBody: { role: 'dtp', jwt: ['x'] } },
      'request',
      '/jwt',
    );
    const read = v('GET /{kv_v2_mount_path}/data/{path}');
    expectProblem(
      { ...read, responseBody: vaultEnvelope({ data: 'token', metadata: {} }) },
      'response',
      '/data/data',
    );
    expectProblem(
      { ...read, responseBody: { request_id: 'r', warnings: null } },
      'response',
      '/data',
      /required/,
    );
  });

  it('unknown path or method is a problem', () => {
    const unknown = checkExchange({ system: 'ocm', method: 'GET', path: `${CM}/clusterz`, status: 200 });
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.message).toMatch(/^unknown operation/);
    expect(unknown[0]!.operation).toBe(`GET ${CM}/clusterz`);
    // Operations of the published spec that dtp does not use are not in the trimmed spec either.
    expect(
      checkExchange({ system: 'ocm', method: 'DELETE', path: `${CM}/clusters/x`, status: 204 })[0]!.message,
    ).toMatch(/has no DELETE \(only GET\)/);
    expect(
      checkExchange({ system: 'dynatrace', method: 'GET', path: '/apiTokens/a/b', status: 200 })[0]!.message,
    ).toMatch(/unknown operation/);
    expect(
      checkExchange({ system: 'vault', method: 'POST', path: '/auth/token/create', status: 200 })[0]!.message,
    ).toMatch(/unknown operation/);
    // Dynatrace paths are relative to /api/v2, not OCM-style.
    expect(
      checkExchange({ system: 'dynatrace', method: 'GET', path: `${CM}/clusters`, status: 200 }),
    ).toHaveLength(1);
  });
});

describe('spec exceptions', () => {
  it('are recorded with a reason each', () => {
    expect(SPEC_EXCEPTIONS.length).toBeGreaterThanOrEqual(4);
    for (const e of SPEC_EXCEPTIONS) {
      expect(['ocm', 'dynatrace', 'vault']).toContain(e.system);
      expect(e.operation).toBeTruthy();
      expect(e.field).toBeTruthy();
      expect(e.reason.length).toBeGreaterThan(30);
    }
    expect(SPEC_EXCEPTIONS.map((e) => `${e.system} ${e.field}`)).toEqual(
      expect.arrayContaining(['ocm /components/schemas/Error/properties/id']),
    );
  });

  it('OCM Error.id: a string (what the servers send) or an integer passes, an object fails, in every OCM spec', () => {
    const errorExchanges: Exchange[] = [VALID_ERRORS[0]!, VALID_ERRORS[1]!, VALID_ERRORS[2]!];
    for (const x of errorExchanges) {
      const body = x.responseBody as Record<string, unknown>;
      expect(checkExchange(x)).toEqual([]);
      expect(checkExchange({ ...x, responseBody: { ...body, id: 404 } })).toEqual([]);
      expectProblem(
        { ...x, responseBody: { ...body, id: { value: '404' } } },
        'response',
        '/id',
        /integer or string/,
      );
      expectProblem({ ...x, responseBody: { ...body, reason: 5 } }, 'response', '/reason');
    }
  });

  it('Dynatrace: nextPageKey null on the last page and newer scopes in listings pass; requests keep the enum', () => {
    expect(
      checkExchange({ ...v('GET /apiTokens'), responseBody: { ...apiTokenList, nextPageKey: null } }),
    ).toEqual([]);
    expectProblem(
      { ...v('GET /apiTokens'), responseBody: { ...apiTokenList, nextPageKey: 5 } },
      'response',
      '/nextPageKey',
    );
    const newer = { ...apiToken, scopes: ['openpipeline.events', 'hub.install'] };
    expect(
      checkExchange({ ...v('GET /apiTokens'), responseBody: { ...apiTokenList, apiTokens: [newer] } }),
    ).toEqual([]);
    expect(checkExchange({ ...v('GET /apiTokens/{id}'), responseBody: newer })).toEqual([]);
    expectProblem(
      { ...v('GET /apiTokens/{id}'), responseBody: { ...newer, scopes: [7] } },
      'response',
      '/scopes/0',
    );
    expectProblem(
      { ...v('POST /apiTokens'), requestBody: { ...apiTokenCreate, scopes: ['hub.install'] } },
      'request',
      '/scopes/0',
    );
  });
});

describe('assertExchange', () => {
  it('throws naming the operation, side, field and message of the first problem', () => {
    const x = {
      ...v('POST /api/service_logs/v1/cluster_logs'),
      requestBody: { ...logEntry, severity: 'Urgent' },
    };
    expect(() => assertExchange(x)).toThrow(
      /POST \/api\/service_logs\/v1\/cluster_logs request \/severity: "Urgent" is not one of the allowed values/,
    );
    expect(() => assertExchange({ system: 'vault', method: 'GET', path: '/nope', status: 200 })).toThrow(
      /GET \/nope request .*unknown operation/,
    );
  });
});

describe('volume', () => {
  it('1,000 checks in a loop stay correct', () => {
    const all = [...VALID, ...VALID_ERRORS];
    let valid = 0;
    let invalid = 0;
    for (let i = 0; i < 1000; i++) {
      const x = all[i % all.length]!;
      if (i % 10 === 9) {
        // Every tenth check breaks the exchange: no spec operation has this method.
        const broken: Exchange = { ...x, method: 'TRACE' };
        if (checkExchange(broken).length > 0) invalid++;
      } else if (checkExchange(x).length === 0) valid++;
    }
    expect(valid).toBe(900);
    expect(invalid).toBe(100);
  });
});
