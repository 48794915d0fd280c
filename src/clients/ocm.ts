/**
 * OCM over its REST API: accounts_mgmt labels and subscriptions, clusters_mgmt clusters and delivery objects
 * (SyncSets, Manifests), service_logs. Lists are read page by page in a fixed order (paging without `order`
 * is unstable); id lists go at most 100 to a query.
 */
import type {
  DeliveryKind,
  DeliveryObjectWire,
  OcmClient,
  OcmCluster,
  OcmLabel,
  OcmSubscription,
  ServiceLogEntry,
} from './api.js';
import type { HttpClient } from './http.js';

const PAGE_SIZE = 100;
const IDS_PER_QUERY = 100;
/** Service logs are read only to avoid posting a duplicate; a cluster with more recent entries is noisy enough. */
const SERVICE_LOG_PAGES = 3;

interface ListEnvelope<T> {
  kind?: string;
  page?: number;
  size?: number;
  total?: number;
  items?: T[];
}

/** A string literal in OCM's search language: single quotes, doubled inside. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const inList = (values: readonly string[]) => `(${values.map(quote).join(', ')})`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** OCM's error text: `reason`, which names what was wrong; never the request. */
export function ocmErrorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const b = body as { reason?: unknown; code?: unknown };
    if (typeof b.reason === 'string') return typeof b.code === 'string' ? `${b.code}: ${b.reason}` : b.reason;
  }
  return undefined;
}

const PATHS = {
  labels: '/api/accounts_mgmt/v1/labels',
  subscriptions: '/api/accounts_mgmt/v1/subscriptions',
  clusters: '/api/clusters_mgmt/v1/clusters',
  serviceLogs: '/api/service_logs/v1/cluster_logs',
  clusterLogs: '/api/service_logs/v1/clusters/cluster_logs',
};

const deliveryCollection = (clusterId: string, kind: DeliveryKind) =>
  `${PATHS.clusters}/${encodeURIComponent(clusterId)}/external_configuration/${kind === 'SyncSet' ? 'syncsets' : 'manifests'}`;

const itemsField = (kind: DeliveryKind) => (kind === 'SyncSet' ? 'resources' : 'workloads');

const kindWord = (kind: DeliveryKind) => (kind === 'SyncSet' ? 'SyncSet' : 'Manifest');

export class OcmRestClient implements OcmClient {
  constructor(
    readonly environment: string,
    private readonly http: HttpClient,
  ) {}

  /**
   * Every page of a list; `query` without page/size. The first page tells the total, so the other pages are
   * requested at once (the rate limiter paces them) instead of one round trip after another.
   */
  async #all<T>(operation: string, path: string, query: Record<string, string>): Promise<T[]> {
    const page = async (n: number) => {
      const qs = new URLSearchParams({ ...query, page: String(n), size: String(PAGE_SIZE) });
      const { body } = await this.http.request<ListEnvelope<T>>({
        operation,
        method: 'GET',
        path: `${path}?${qs.toString()}`,
      });
      return body;
    };
    const first = await page(1);
    const items: T[] = [...(first?.items ?? [])];
    if (items.length < PAGE_SIZE) return items;
    if (first?.total !== undefined) {
      const pages = Math.ceil(first.total / PAGE_SIZE);
      const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
      for (const body of rest) items.push(...(body?.items ?? []));
      return items;
    }
    // No total in the answer: walk until a short page.
    for (let n = 2; ; n++) {
      const got = (await page(n))?.items ?? [];
      items.push(...got);
      if (got.length < PAGE_SIZE) return items;
    }
  }

  async listLabels(keyLike: string): Promise<OcmLabel[]> {
    const raw = await this.#all<{
      key: string;
      value: string;
      type: OcmLabel['type'];
      subscription_id?: string;
      organization_id?: string;
    }>('list labels', PATHS.labels, { search: `key like ${quote(keyLike)}` });
    return raw.map((l) => ({
      key: l.key,
      value: l.value,
      type: l.type,
      subscriptionId: l.subscription_id || undefined,
      organizationId: l.organization_id || undefined,
    }));
  }

  async listSubscriptions(query: { ids: string[]; organizationIds: string[] }): Promise<OcmSubscription[]> {
    const active = `status in ('Active', 'Reserved')`;
    const searches = [
      ...chunks([...new Set(query.ids)].sort(), IDS_PER_QUERY).map(
        (ids) => `id in ${inList(ids)} and ${active}`,
      ),
      ...chunks([...new Set(query.organizationIds)].sort(), IDS_PER_QUERY).map(
        (ids) => `organization_id in ${inList(ids)} and ${active}`,
      ),
    ];
    const byId = new Map<string, OcmSubscription>();
    const results = await Promise.all(
      searches.map((search) =>
        this.#all<{
          id: string;
          organization_id: string;
          cluster_id?: string;
          external_cluster_id?: string;
          status: string;
        }>('list subscriptions', PATHS.subscriptions, { search, order: 'id asc' }),
      ),
    );
    for (const raw of results) {
      for (const s of raw) {
        byId.set(s.id, {
          id: s.id,
          organizationId: s.organization_id,
          clusterId: s.cluster_id || undefined,
          externalClusterId: s.external_cluster_id || undefined,
          status: s.status,
        });
      }
    }
    return [...byId.values()];
  }

  async listClusters(subscriptionIds: string[]): Promise<OcmCluster[]> {
    const out: OcmCluster[] = [];
    const results = await Promise.all(
      chunks([...new Set(subscriptionIds)].sort(), IDS_PER_QUERY).map((ids) =>
        this.#all<{
          id: string;
          external_id?: string;
          name?: string;
          state?: string;
          managed?: boolean;
          subscription?: { id?: string };
          hypershift?: { enabled?: boolean };
          product?: { id?: string };
        }>('list clusters', PATHS.clusters, { search: `subscription.id in ${inList(ids)}`, order: 'id asc' }),
      ),
    );
    for (const raw of results) {
      for (const c of raw) {
        out.push({
          id: c.id,
          externalId: c.external_id ?? '',
          name: c.name ?? c.id,
          subscriptionId: c.subscription?.id ?? '',
          state: c.state ?? 'unknown',
          managed: c.managed === true,
          hostedControlPlane: c.hypershift?.enabled === true,
          productId: c.product?.id,
        });
      }
    }
    return out;
  }

  async getDelivery(
    clusterId: string,
    kind: DeliveryKind,
    id: string,
  ): Promise<DeliveryObjectWire | undefined> {
    const { status, body } = await this.http.request<Record<string, unknown>>({
      operation: `get ${kindWord(kind)}`,
      method: 'GET',
      path: `${deliveryCollection(clusterId, kind)}/${encodeURIComponent(id)}`,
      accept: [404],
    });
    if (status === 404) return undefined;
    const items = body?.[itemsField(kind)];
    return { kind, id, items: Array.isArray(items) ? items : [] };
  }

  async createDelivery(clusterId: string, object: DeliveryObjectWire): Promise<void> {
    await this.http.request({
      operation: `create ${kindWord(object.kind)}`,
      method: 'POST',
      path: deliveryCollection(clusterId, object.kind),
      json: { id: object.id, [itemsField(object.kind)]: object.items },
      // A replayed create answers 409, which the caller turns into a patch: safe to retry.
      idempotent: true,
    });
  }

  async patchDelivery(clusterId: string, object: DeliveryObjectWire): Promise<void> {
    await this.http.request({
      operation: `patch ${kindWord(object.kind)}`,
      method: 'PATCH',
      path: `${deliveryCollection(clusterId, object.kind)}/${encodeURIComponent(object.id)}`,
      json: { [itemsField(object.kind)]: object.items },
    });
  }

  async deleteDelivery(clusterId: string, kind: DeliveryKind, id: string): Promise<void> {
    await this.http.request({
      operation: `delete ${kindWord(kind)}`,
      method: 'DELETE',
      path: `${deliveryCollection(clusterId, kind)}/${encodeURIComponent(id)}`,
      accept: [404],
    });
  }

  async listServiceLogs(clusterUuid: string, since: Date): Promise<ServiceLogEntry[]> {
    const out: ServiceLogEntry[] = [];
    for (let page = 1; page <= SERVICE_LOG_PAGES; page++) {
      const qs = new URLSearchParams({
        cluster_uuid: clusterUuid,
        search: `timestamp >= ${quote(since.toISOString())}`,
        order: 'timestamp desc',
        page: String(page),
        size: String(PAGE_SIZE),
      });
      const { body } = await this.http.request<
        ListEnvelope<{
          cluster_uuid?: string;
          service_name?: string;
          summary?: string;
          description?: string;
          severity?: ServiceLogEntry['severity'];
          timestamp?: string;
        }>
      >({ operation: 'list service logs', method: 'GET', path: `${PATHS.clusterLogs}?${qs.toString()}` });
      const items = body?.items ?? [];
      for (const e of items) {
        out.push({
          clusterUuid: e.cluster_uuid ?? clusterUuid,
          serviceName: e.service_name ?? '',
          summary: e.summary ?? '',
          description: e.description ?? '',
          severity: e.severity ?? 'Info',
          timestamp: e.timestamp,
        });
      }
      if (items.length < PAGE_SIZE) break;
    }
    return out;
  }

  async createServiceLog(entry: ServiceLogEntry): Promise<void> {
    await this.http.request({
      operation: 'create service log',
      method: 'POST',
      path: PATHS.serviceLogs,
      json: {
        cluster_uuid: entry.clusterUuid,
        service_name: entry.serviceName,
        summary: entry.summary,
        description: entry.description,
        severity: entry.severity,
        internal_only: false,
      },
    });
  }
}
