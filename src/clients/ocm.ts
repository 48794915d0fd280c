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
import { MalformedAnswerError } from '../errors.js';
import { ocmCluster, ocmDelivery, ocmLabel, ocmPage, ocmServiceLog, ocmSubscription } from './answers.js';
import type { OcmClusterWire, OcmPage, OcmSubscriptionWire } from './answers.js';

const PAGE_SIZE = 100;
const IDS_PER_QUERY = 100;
/** Service logs are read only to avoid posting a duplicate; a cluster with more recent entries is noisy enough. */
const SERVICE_LOG_PAGES = 3;
/** A listing that contradicts itself is read once more: a change during the read explains one, not two. */
const LISTING_READS = 2;
/** Pages requested at once after the first; enough to keep the rate limit busy. */
const PAGE_WINDOW = 32;
/** No dtp listing is near a million items; a total beyond it is a lie, not a fleet. */
const MAX_PAGES = 10_000;

/** A string literal in OCM's search language: single quotes, doubled inside. */
function quote(value: string): string {
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
   * Every item of a list, or a MalformedAnswerError: nothing is decided from part of a list. The first page
   * states the total, which fixes how many pages there are (requested at once, paced by the rate limiter) and
   * how many items each must hold; the items must add up to it with none twice.
   */
  async #all<T>(
    operation: string,
    path: string,
    query: Record<string, string>,
    item: (v: unknown, at: string) => T,
    identity: (t: T) => string,
    within?: { what: string; test: (t: T) => boolean },
  ): Promise<T[]> {
    const check = ocmPage(item);
    const page = async (n: number) => {
      const qs = new URLSearchParams({ ...query, page: String(n), size: String(PAGE_SIZE) });
      return (
        await this.http.request({ operation, method: 'GET', path: `${path}?${qs.toString()}`, answer: check })
      ).body;
    };
    for (let read = 1; ; read++) {
      const listed = await this.#readPages(page, identity);
      if ('items' in listed) {
        const outside = within ? listed.items.filter((t) => !within.test(t)).length : 0;
        // An item the search excludes means the answer is not to this query: nothing of it is used.
        if (within && outside > 0) {
          throw new MalformedAnswerError({
            system: this.http.system,
            operation,
            method: 'GET',
            path,
            remoteMessage: `${outside} of ${listed.items.length} items answered are outside the search (${within.what})`,
          });
        }
        return listed.items;
      }
      if (read >= LISTING_READS) {
        throw new MalformedAnswerError({
          system: this.http.system,
          operation,
          method: 'GET',
          path,
          remoteMessage: `listing incomplete: ${listed.problem}`,
          attempts: read,
        });
      }
    }
  }

  /**
   * The pages the first one's total calls for, a window at a time (the rate limiter paces them), stopping at
   * the first that contradicts it: a lying total costs one window of requests, not the pages it claims.
   */
  async #readPages<T>(
    page: (n: number) => Promise<OcmPage<T>>,
    identity: (t: T) => string,
  ): Promise<{ items: T[] } | { problem: string }> {
    const first = await page(1);
    const count = Math.max(1, Math.ceil(first.total / PAGE_SIZE));
    if (count > MAX_PAGES)
      return { problem: `total ${first.total} is more than dtp reads (${MAX_PAGES * PAGE_SIZE})` };
    const pages = [first];
    for (let n = 2; n <= count; n += PAGE_WINDOW) {
      const numbers = Array.from({ length: Math.min(PAGE_WINDOW, count - n + 1) }, (_, i) => n + i);
      pages.push(...(await Promise.all(numbers.map(page))));
      const problem = pagesProblem(pages, count);
      if (problem) return { problem };
    }
    const problem = pagesProblem(pages, count);
    if (problem) return { problem };
    const items = pages.flatMap((p) => p.items);
    const distinct = new Set(items.map(identity)).size;
    if (distinct !== items.length)
      return {
        problem: `${items.length - distinct} items listed twice (the list changed while it was read)`,
      };
    return { items };
  }

  async listLabels(keyLike: string): Promise<OcmLabel[]> {
    // The labels endpoint takes no `order`: the duplicate check in #all is what catches an unstable paging.
    const raw = await this.#all(
      'list labels',
      PATHS.labels,
      { search: `key like ${quote(keyLike)}` },
      ocmLabel,
      (l) => l.id ?? `${l.type}/${l.subscription_id ?? l.organization_id}/${l.key}`,
    );
    return raw.map((l) => ({
      key: l.key,
      value: l.value,
      type: l.type as OcmLabel['type'],
      subscriptionId: l.subscription_id || undefined,
      organizationId: l.organization_id || undefined,
    }));
  }

  async listSubscriptions(query: { ids: string[]; organizationIds: string[] }): Promise<OcmSubscription[]> {
    const statuses = ['Active', 'Reserved'];
    // One search per 100 values of a field, with the check that its answer holds only what it asked for.
    const searchesBy = (
      field: string,
      what: string,
      values: string[],
      valueOf: (s: OcmSubscriptionWire) => string,
    ) =>
      chunks([...new Set(values)].sort(), IDS_PER_QUERY).map((ids) => ({
        search: `${field} in ${inList(ids)} and status in ${inList(statuses)}`,
        within: {
          what: `${what} or status not asked for`,
          test: (s: OcmSubscriptionWire) => ids.includes(valueOf(s)) && statuses.includes(s.status),
        },
      }));
    const searches = [
      ...searchesBy('id', 'id', query.ids, (s) => s.id),
      ...searchesBy('organization_id', 'organization', query.organizationIds, (s) => s.organization_id),
    ];
    const byId = new Map<string, OcmSubscription>();
    const results = await Promise.all(
      searches.map(({ search, within }) =>
        this.#all(
          'list subscriptions',
          PATHS.subscriptions,
          { search, order: 'id asc' },
          ocmSubscription,
          (s) => s.id,
          within,
        ),
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
    return this.#clustersWhere('subscription.id', subscriptionIds, (c) => c.subscriptionId);
  }

  /** Clusters by external id, in any state: those whose dtp labels were removed are known only so. */
  async findClusters(externalIds: string[]): Promise<OcmCluster[]> {
    return this.#clustersWhere('external_id', externalIds, (c) => c.external_id);
  }

  async #clustersWhere(
    field: string,
    values: string[],
    valueOf: (c: OcmClusterWire) => string | undefined,
  ): Promise<OcmCluster[]> {
    const results = await Promise.all(
      chunks([...new Set(values)].sort(), IDS_PER_QUERY).map((ids) =>
        this.#all(
          'list clusters',
          PATHS.clusters,
          { search: `${field} in ${inList(ids)}`, order: 'id asc' },
          ocmCluster,
          (c) => c.id,
          { what: `${field} not asked for`, test: (c) => ids.includes(valueOf(c) ?? '') },
        ),
      ),
    );
    return results.flat().map((c) => ({
      id: c.id,
      externalId: c.external_id ?? '',
      name: c.name ?? c.id,
      subscriptionId: c.subscriptionId,
      state: c.state,
      managed: c.managed === true,
      hostedControlPlane: c.hypershift,
      productId: c.productId,
    }));
  }

  async getDelivery(
    clusterId: string,
    kind: DeliveryKind,
    id: string,
  ): Promise<DeliveryObjectWire | undefined> {
    const { status, body } = await this.http.request({
      operation: `get ${kindWord(kind)}`,
      method: 'GET',
      path: `${deliveryCollection(clusterId, kind)}/${encodeURIComponent(id)}`,
      accept: [404],
      answer: ocmDelivery(itemsField(kind)),
    });
    if (status === 404) return undefined;
    return { kind, id, items: body.items };
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
      // Only the newest pages are read (see SERVICE_LOG_PAGES), so the shape is checked, not completeness.
      const { body } = await this.http.request({
        operation: 'list service logs',
        method: 'GET',
        path: `${PATHS.clusterLogs}?${qs.toString()}`,
        answer: ocmPage(ocmServiceLog),
      });
      for (const e of body.items) {
        out.push({
          clusterUuid: e.cluster_uuid ?? clusterUuid,
          serviceName: e.service_name ?? '',
          summary: e.summary ?? '',
          description: e.description ?? '',
          severity: (e.severity ?? 'Info') as ServiceLogEntry['severity'],
          timestamp: e.timestamp,
        });
      }
      if (body.items.length < PAGE_SIZE || out.length >= body.total) break;
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

/** What makes these pages (the first ones of `count`) not the list the first page announced, if anything. */
function pagesProblem<T>(pages: OcmPage<T>[], count: number): string | undefined {
  const total = pages[0]?.total ?? 0;
  for (const [i, p] of pages.entries()) {
    if (p.total !== total) return `the total changed from ${total} to ${p.total} between pages`;
    const expected = i < count - 1 ? PAGE_SIZE : total - PAGE_SIZE * (count - 1);
    if (p.items.length !== expected)
      return `page ${i + 1} of ${count} holds ${p.items.length} items, ${expected} expected for a total of ${total}`;
  }
  return undefined;
}
