/**
 * OCM and its SSO, several environments on one server (`/<environment>/api/...`), each with its own
 * credentials, organizations, subscriptions, labels, clusters, SyncSets, Manifests and service logs.
 * Answers follow the OpenAPI specs (list envelopes, `kind`/`href`, the Error object with a string `id`).
 */
import { randomBytes } from 'node:crypto';
import type { Route, SimRequest, SimResponse } from './server.js';
import { paginate } from './server.js';
import { SimClock } from './clock.js';
import { SearchError, checkFields, matches, parseOrder, parseSearch } from './search.js';

export interface OcmLabelState {
  id: string;
  key: string;
  value: string;
  type: 'Subscription' | 'Organization';
  subscription_id?: string;
  organization_id?: string;
}

export interface OcmClusterState {
  id: string;
  external_id: string;
  name: string;
  state: string;
  managed: boolean;
  hcp: boolean;
  subscriptionId: string;
  product: string;
}

export interface OcmSubscriptionState {
  id: string;
  organization_id: string;
  cluster_id?: string;
  external_cluster_id?: string;
  status: string;
}

export interface DeliveryState {
  id: string;
  items: unknown[];
  created: string;
  updated: string;
}

export interface ServiceLogState {
  id: string;
  cluster_uuid: string;
  service_name: string;
  summary: string;
  description: string;
  severity: string;
  timestamp: string;
}

class OcmEnvironmentState {
  readonly clients = new Map<string, string>();
  readonly offlineTokens = new Set<string>();
  readonly accessTokens = new Map<string, number>();
  readonly organizations = new Map<string, { id: string; name: string; external_id: string }>();
  readonly subscriptions = new Map<string, OcmSubscriptionState>();
  readonly clusters = new Map<string, OcmClusterState>();
  readonly labels: OcmLabelState[] = [];
  readonly syncsets = new Map<string, Map<string, DeliveryState>>();
  readonly manifests = new Map<string, Map<string, DeliveryState>>();
  readonly serviceLogs: ServiceLogState[] = [];
  /** Access token lifetime, seconds. */
  tokenLifetimeS = 900;

  constructor(readonly name: string) {}
}

const ERROR_PREFIX: Record<string, string> = {
  accounts_mgmt: 'ACCT-MGMT',
  clusters_mgmt: 'CLUSTERS-MGMT',
  service_logs: 'OCM-SERVICE-LOGS',
};

/** OCM's Error object. The spec types `id` as an integer; the service sends a string ("404"). */
export function ocmError(status: number, reason: string, service = 'clusters_mgmt'): unknown {
  return {
    kind: 'Error',
    id: String(status),
    href: `/api/${service}/v1/errors/${status}`,
    code: `${ERROR_PREFIX[service] ?? 'OCM'}-${status}`,
    reason,
    operation_id: randomBytes(8).toString('hex'),
  };
}

const err = (status: number, reason: string, service?: string): SimResponse => ({
  status,
  body: ocmError(status, reason, service),
});

export class OcmSim {
  /** Delivery objects and service logs are dated by the sandbox's clock (tests move it). */
  constructor(readonly clock: SimClock = new SimClock()) {}

  readonly environments = new Map<string, OcmEnvironmentState>();

  env(name: string): OcmEnvironmentState {
    let env = this.environments.get(name);
    if (!env) {
      env = new OcmEnvironmentState(name);
      this.environments.set(name, env);
    }
    return env;
  }

  // -------------------------------------------------------------------------------------------- SSO

  ssoRoutes(): Route[] {
    return [{ method: 'POST', pattern: '/:env/token', operation: 'token', handler: (r) => this.#token(r) }];
  }

  #token(req: SimRequest): SimResponse {
    const env = this.environments.get(req.params.env);
    const form = (req.body ?? {}) as Record<string, string>;
    const refuse = (error: string, description: string): SimResponse => ({
      status: error === 'unsupported_grant_type' ? 400 : 401,
      body: { error, error_description: description },
    });
    if (!env) return { status: 404, body: { error: 'Realm does not exist' } };
    if (form.grant_type === 'client_credentials') {
      if (!form.client_id || env.clients.get(form.client_id) !== form.client_secret) {
        return refuse('unauthorized_client', 'Invalid client or Invalid client credentials');
      }
    } else if (form.grant_type === 'refresh_token') {
      if (form.client_id !== 'cloud-services') return refuse('invalid_client', 'Invalid client');
      if (!env.offlineTokens.has(form.refresh_token ?? ''))
        return refuse('invalid_grant', 'Invalid refresh token');
    } else {
      return refuse('unsupported_grant_type', 'Unsupported grant_type');
    }
    const token = `ocm-access-${randomBytes(24).toString('hex')}`;
    env.accessTokens.set(token, Date.now() + env.tokenLifetimeS * 1000);
    return {
      status: 200,
      body: {
        access_token: token,
        expires_in: env.tokenLifetimeS,
        refresh_expires_in: 0,
        token_type: 'Bearer',
        'not-before-policy': 0,
        scope: 'openid',
      },
    };
  }

  // -------------------------------------------------------------------------------------------- API

  routes(): Route[] {
    const a = '/:env/api/accounts_mgmt/v1';
    const c = '/:env/api/clusters_mgmt/v1/clusters';
    const s = '/:env/api/service_logs/v1';
    const r = (
      method: string,
      pattern: string,
      operation: string,
      h: (e: OcmEnvironmentState, q: SimRequest) => SimResponse,
    ): Route => ({
      method,
      pattern,
      operation,
      handler: (req) => this.#authorized(req, pattern, h),
    });
    return [
      r('GET', `${a}/labels`, 'listLabels', (e, q) => this.#listLabels(e, q)),
      r('GET', `${a}/subscriptions`, 'listSubscriptions', (e, q) => this.#listSubscriptions(e, q)),
      r('GET', `${a}/organizations`, 'listOrganizations', (e, q) => this.#listOrganizations(e, q)),
      r('GET', `${a}/organizations/:id`, 'getOrganization', (e, q) => {
        const o = e.organizations.get(q.params.id);
        return o
          ? { status: 200, body: orgBody(o) }
          : err(404, `Organization '${q.params.id}' not found`, 'accounts_mgmt');
      }),
      r('GET', c, 'listClusters', (e, q) => this.#listClusters(e, q)),
      r('GET', `${c}/:id`, 'getCluster', (e, q) => {
        const cl = e.clusters.get(q.params.id);
        return cl ? { status: 200, body: clusterBody(cl) } : err(404, `Cluster '${q.params.id}' not found`);
      }),
      ...(['SyncSet', 'Manifest'] as const).flatMap((kind) => {
        const plural = kind === 'SyncSet' ? 'syncsets' : 'manifests';
        const base = `${c}/:cluster/external_configuration/${plural}`;
        return [
          r('GET', base, `list${kind}s`, (e, q) => this.#listDeliveries(e, q, kind)),
          r('POST', base, `create${kind}`, (e, q) => this.#createDelivery(e, q, kind)),
          r('GET', `${base}/:id`, `get${kind}`, (e, q) => this.#getDelivery(e, q, kind)),
          r('PATCH', `${base}/:id`, `patch${kind}`, (e, q) => this.#patchDelivery(e, q, kind)),
          r('DELETE', `${base}/:id`, `delete${kind}`, (e, q) => this.#deleteDelivery(e, q, kind)),
        ];
      }),
      r('POST', `${s}/cluster_logs`, 'createServiceLog', (e, q) => this.#createLog(e, q)),
      r('GET', `${s}/clusters/cluster_logs`, 'listServiceLogs', (e, q) => this.#listLogs(e, q)),
    ];
  }

  #authorized(
    req: SimRequest,
    pattern: string,
    handler: (env: OcmEnvironmentState, req: SimRequest) => SimResponse,
  ): SimResponse {
    const service = /\/api\/(\w+)\//.exec(pattern)?.[1];
    const env = this.environments.get(req.params.env);
    if (!env) return err(404, `No OCM environment '${req.params.env}'`, service);
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const expires = env.accessTokens.get(token);
    if (expires === undefined) return err(401, 'Request is not authenticated', service);
    if (expires < Date.now()) return err(401, 'Bearer token is expired', service);
    try {
      return handler(env, req);
    } catch (error) {
      if (error instanceof SearchError)
        return err(400, `Failed to parse search query: ${error.message}`, service);
      throw error;
    }
  }

  #list<T>(kind: string, all: T[], req: SimRequest, body: (t: T) => unknown, service: string): SimResponse {
    const page = paginate(all, req.query);
    if ('error' in page) return err(400, page.error, service);
    return {
      status: 200,
      body: {
        kind: `${kind}List`,
        page: page.page,
        size: page.size,
        total: page.total,
        items: page.items.map(body),
      },
    };
  }

  #listLabels(env: OcmEnvironmentState, req: SimRequest): SimResponse {
    const clauses = parseSearch(req.query.get('search') ?? "key like '%'");
    checkFields(clauses, ['key', 'value', 'type', 'subscription_id', 'organization_id']);
    const found = env.labels.filter((l) =>
      matches(clauses, (f) => (l as unknown as Record<string, string>)[f]),
    );
    return this.#list('Label', found, req, labelBody, 'accounts_mgmt');
  }

  #listSubscriptions(env: OcmEnvironmentState, req: SimRequest): SimResponse {
    const fields = ['id', 'organization_id', 'status', 'cluster_id', 'external_cluster_id'];
    const clauses = parseSearch(req.query.get('search') ?? "id like '%'");
    checkFields(clauses, fields);
    const order = parseOrder(req.query.get('order'), fields);
    const found = sortBy(
      [...env.subscriptions.values()].filter((s) =>
        matches(clauses, (f) => (s as unknown as Record<string, string>)[f]),
      ),
      order,
    );
    return this.#list('Subscription', found, req, subscriptionBody, 'accounts_mgmt');
  }

  #listOrganizations(env: OcmEnvironmentState, req: SimRequest): SimResponse {
    const clauses = parseSearch(req.query.get('search') ?? "id like '%'");
    checkFields(clauses, ['id', 'name', 'external_id']);
    const found = [...env.organizations.values()].filter((o) =>
      matches(clauses, (f) => (o as Record<string, string>)[f]),
    );
    return this.#list('Organization', found, req, orgBody, 'accounts_mgmt');
  }

  #listClusters(env: OcmEnvironmentState, req: SimRequest): SimResponse {
    const fields = [
      'id',
      'external_id',
      'name',
      'state',
      'managed',
      'subscription.id',
      'hypershift.enabled',
      'product.id',
    ];
    const clauses = parseSearch(req.query.get('search') ?? "id like '%'");
    checkFields(clauses, fields);
    const order = parseOrder(req.query.get('order'), fields);
    const get = (c: OcmClusterState) => (f: string) =>
      ({
        id: c.id,
        external_id: c.external_id,
        name: c.name,
        state: c.state,
        managed: String(c.managed),
        'subscription.id': c.subscriptionId,
        'hypershift.enabled': String(c.hcp),
        'product.id': c.product,
      })[f];
    const found = [...env.clusters.values()].filter((c) => matches(clauses, get(c)));
    if (order) found.sort((x, y) => compare(get(x)(order.field), get(y)(order.field), order.desc));
    return this.#list('Cluster', found, req, clusterBody, 'clusters_mgmt');
  }

  #store(env: OcmEnvironmentState, kind: 'SyncSet' | 'Manifest', clusterId: string) {
    const all = kind === 'SyncSet' ? env.syncsets : env.manifests;
    let map = all.get(clusterId);
    if (!map) {
      map = new Map();
      all.set(clusterId, map);
    }
    return map;
  }

  /** SyncSets exist only on classic clusters, Manifests only on hosted control planes, as in OCM. */
  #deliveryCluster(
    env: OcmEnvironmentState,
    req: SimRequest,
    kind: 'SyncSet' | 'Manifest',
  ): OcmClusterState | SimResponse {
    const cluster = env.clusters.get(req.params.cluster);
    if (!cluster) return err(404, `Cluster '${req.params.cluster}' not found`);
    if (kind === 'SyncSet' && cluster.hcp)
      return err(400, `Cluster '${cluster.id}' is a hosted control plane cluster: use manifests`);
    if (kind === 'Manifest' && !cluster.hcp)
      return err(400, `Manifests are only supported for hosted control plane clusters`);
    return cluster;
  }

  #listDeliveries(env: OcmEnvironmentState, req: SimRequest, kind: 'SyncSet' | 'Manifest'): SimResponse {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ('status' in cluster) return cluster;
    const items = [...this.#store(env, kind, cluster.id).values()];
    return this.#list(
      kind === 'SyncSet' ? 'Syncset' : 'Manifest',
      items,
      req,
      (d) => deliveryBody(kind, cluster.id, d),
      'clusters_mgmt',
    );
  }

  #getDelivery(env: OcmEnvironmentState, req: SimRequest, kind: 'SyncSet' | 'Manifest'): SimResponse {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ('status' in cluster) return cluster;
    const d = this.#store(env, kind, cluster.id).get(req.params.id);
    return d
      ? { status: 200, body: deliveryBody(kind, cluster.id, d) }
      : err(404, `${kind} '${req.params.id}' not found`);
  }

  #createDelivery(env: OcmEnvironmentState, req: SimRequest, kind: 'SyncSet' | 'Manifest'): SimResponse {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ('status' in cluster) return cluster;
    const body = (req.body ?? {}) as { id?: unknown; resources?: unknown; workloads?: unknown };
    const items = kind === 'SyncSet' ? body.resources : body.workloads;
    if (typeof body.id !== 'string' || !body.id) return err(400, `${kind} id is required`);
    if (!Array.isArray(items))
      return err(400, `${kind === 'SyncSet' ? 'resources' : 'workloads'} must be a list`);
    const store = this.#store(env, kind, cluster.id);
    if (store.has(body.id)) return err(409, `${kind} '${body.id}' already exists`);
    const d = { id: body.id, items, created: this.clock.iso(), updated: this.clock.iso() };
    store.set(body.id, d);
    return { status: 201, body: deliveryBody(kind, cluster.id, d) };
  }

  #patchDelivery(env: OcmEnvironmentState, req: SimRequest, kind: 'SyncSet' | 'Manifest'): SimResponse {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ('status' in cluster) return cluster;
    const d = this.#store(env, kind, cluster.id).get(req.params.id);
    if (!d) return err(404, `${kind} '${req.params.id}' not found`);
    const body = (req.body ?? {}) as { resources?: unknown; workloads?: unknown };
    const items = kind === 'SyncSet' ? body.resources : body.workloads;
    if (items !== undefined) {
      if (!Array.isArray(items))
        return err(400, `${kind === 'SyncSet' ? 'resources' : 'workloads'} must be a list`);
      d.items = items;
      d.updated = this.clock.iso();
    }
    return { status: 200, body: deliveryBody(kind, cluster.id, d) };
  }

  #deleteDelivery(env: OcmEnvironmentState, req: SimRequest, kind: 'SyncSet' | 'Manifest'): SimResponse {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ('status' in cluster) return cluster;
    const store = this.#store(env, kind, cluster.id);
    if (!store.delete(req.params.id)) return err(404, `${kind} '${req.params.id}' not found`);
    return { status: 204 };
  }

  #createLog(env: OcmEnvironmentState, req: SimRequest): SimResponse {
    const b = (req.body ?? {}) as Record<string, unknown>;
    for (const field of ['cluster_uuid', 'service_name', 'summary']) {
      if (typeof b[field] !== 'string' || !b[field])
        return err(400, `'${field}' is required`, 'service_logs');
    }
    const entry: ServiceLogState = {
      id: randomBytes(13).toString('hex'),
      cluster_uuid: String(b.cluster_uuid),
      service_name: String(b.service_name),
      summary: String(b.summary),
      description: String(b.description ?? ''),
      severity: String(b.severity ?? 'Info'),
      timestamp: this.clock.iso(),
    };
    env.serviceLogs.push(entry);
    return { status: 201, body: logBody(entry) };
  }

  #listLogs(env: OcmEnvironmentState, req: SimRequest): SimResponse {
    const uuid = req.query.get('cluster_uuid');
    const fields = ['timestamp', 'severity', 'service_name', 'summary', 'cluster_uuid'];
    const clauses = parseSearch(req.query.get('search') ?? "summary like '%'");
    checkFields(clauses, fields);
    const order = parseOrder(req.query.get('order'), fields);
    const found = sortBy(
      env.serviceLogs.filter(
        (l) =>
          (!uuid || l.cluster_uuid === uuid) &&
          matches(clauses, (f) => (l as unknown as Record<string, string>)[f]),
      ),
      order,
    );
    return this.#list('ClusterLog', found, req, logBody, 'service_logs');
  }
}

function compare(a: string | undefined, b: string | undefined, desc: boolean): number {
  const r = (a ?? '').localeCompare(b ?? '');
  return desc ? -r : r;
}

function sortBy<T>(items: T[], order: { field: string; desc: boolean } | undefined): T[] {
  if (!order) return items;
  return items.sort((x, y) =>
    compare(
      (x as Record<string, string>)[order.field],
      (y as Record<string, string>)[order.field],
      order.desc,
    ),
  );
}

const labelBody = (l: OcmLabelState) => ({
  kind: 'Label',
  id: l.id,
  href: `/api/accounts_mgmt/v1/labels/${l.id}`,
  key: l.key,
  value: l.value,
  type: l.type,
  internal: false,
  ...(l.subscription_id ? { subscription_id: l.subscription_id } : {}),
  ...(l.organization_id ? { organization_id: l.organization_id } : {}),
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const subscriptionBody = (s: OcmSubscriptionState) => ({
  kind: 'Subscription',
  id: s.id,
  href: `/api/accounts_mgmt/v1/subscriptions/${s.id}`,
  organization_id: s.organization_id,
  status: s.status,
  managed: true,
  ...(s.cluster_id ? { cluster_id: s.cluster_id } : {}),
  ...(s.external_cluster_id ? { external_cluster_id: s.external_cluster_id } : {}),
});

const orgBody = (o: { id: string; name: string; external_id: string }) => ({
  kind: 'Organization',
  id: o.id,
  href: `/api/accounts_mgmt/v1/organizations/${o.id}`,
  name: o.name,
  external_id: o.external_id,
});

const clusterBody = (c: OcmClusterState) => ({
  kind: 'Cluster',
  id: c.id,
  href: `/api/clusters_mgmt/v1/clusters/${c.id}`,
  name: c.name,
  external_id: c.external_id,
  state: c.state,
  managed: c.managed,
  subscription: {
    kind: 'SubscriptionLink',
    id: c.subscriptionId,
    href: `/api/accounts_mgmt/v1/subscriptions/${c.subscriptionId}`,
  },
  hypershift: { enabled: c.hcp },
  product: { kind: 'ProductLink', id: c.product, href: `/api/clusters_mgmt/v1/products/${c.product}` },
});

const deliveryBody = (kind: 'SyncSet' | 'Manifest', clusterId: string, d: DeliveryState) =>
  kind === 'SyncSet'
    ? {
        kind: 'Syncset',
        id: d.id,
        href: `/api/clusters_mgmt/v1/clusters/${clusterId}/external_configuration/syncsets/${d.id}`,
        resources: d.items,
      }
    : {
        kind: 'Manifest',
        id: d.id,
        href: `/api/clusters_mgmt/v1/clusters/${clusterId}/external_configuration/manifests/${d.id}`,
        workloads: d.items,
        creation_timestamp: d.created,
        updated_timestamp: d.updated,
      };

const logBody = (l: ServiceLogState) => ({
  kind: 'LogEntry',
  id: l.id,
  href: `/api/service_logs/v1/cluster_logs/${l.id}`,
  cluster_uuid: l.cluster_uuid,
  service_name: l.service_name,
  summary: l.summary,
  description: l.description,
  severity: l.severity,
  timestamp: l.timestamp,
  created_at: l.timestamp,
  internal_only: false,
});
