/**
 * Stage 1, discover: every OCM environment at once; one that fails does not stop the others, but when none
 * can be read the run cannot start. Clusters are handed out as each cluster query answers (`onClusters`),
 * so their delivery reads start while the rest of the fleet is still being listed; the Discovery of an
 * environment (what resolve and prune decide on) exists only once all of its lists were read completely.
 */
import type { OcmClient, OcmCluster, OcmSubscription } from '../clients/api.js';
import { describeError, StartupError } from '../errors.js';
import { byOwner, type Discovery } from './discover.js';
import type { Cluster } from './model.js';
import { LABEL_SEARCH } from './naming.js';
import type { EngineInput, EnvironmentReport } from './result.js';

export interface FleetDiscovery {
  environments: EnvironmentReport[];
  discoveries: Discovery[];
  ocmByEnv: Map<string, OcmClient>;
}

/** Ready, managed clusters as soon as they are known (they may still be dropped if their environment fails). */
export type ClusterSink = (clusters: readonly Cluster[]) => void;

/** OCM takes at most this many ids to a query (src/clients/ocm.ts). */
const IDS_PER_QUERY = 100;

const failed = (name: string, error: string): EnvironmentReport => ({
  name,
  error,
  labels: 0,
  clusters: 0,
  skipped: 0,
  durationMs: 0,
});

export async function discoverFleet(
  input: Pick<EngineInput, 'ocm' | 'log'>,
  onClusters: ClusterSink = () => {},
): Promise<FleetDiscovery> {
  const environments: EnvironmentReport[] = [];
  const discoveries: Discovery[] = [];
  await Promise.all(
    input.ocm.map(async ({ environment, client, error }) => {
      if (!client) {
        environments.push(failed(environment, error ?? 'no client'));
        return;
      }
      const t0 = performance.now();
      try {
        const found = await discoverStreaming(client, onClusters);
        discoveries.push(found);
        environments.push({
          name: environment,
          labels: found.labels,
          clusters: found.clusters.length,
          skipped: found.skipped.length,
          durationMs: Math.round(performance.now() - t0),
        });
        input.log.info(
          `${environment}: ${found.clusters.length} ready clusters with dtp labels (${found.skipped.length} not ready or not managed)`,
        );
      } catch (e) {
        const message = describeError(e);
        environments.push(failed(environment, message));
        input.log.warn(`${environment}: discovery failed, nothing is changed there this run: ${message}`);
      }
    }),
  );
  environments.sort((a, b) => a.name.localeCompare(b.name));
  discoveries.sort((a, b) => a.ocmEnvironment.localeCompare(b.ocmEnvironment));
  if (input.ocm.length > 0 && discoveries.length === 0) {
    throw new StartupError(
      `no OCM environment could be read: ${environments.map((e) => `${e.name}: ${e.error}`).join('; ')}`,
      'Check the OCM credentials in Vault, the SSO and API URLs (ocm-url / ocm-sso-url overrides) and the network.',
    );
  }
  const ocmByEnv = new Map(input.ocm.filter((o) => o.client).map((o) => [o.environment, o.client!]));
  return { environments, discoveries, ocmByEnv };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * labels → subscriptions → clusters of one environment, as discover() does, but each subscription query is
 * followed by the cluster query of its new subscriptions as soon as 100 have gathered (the last, partial
 * one when every subscription query has answered): as many cluster queries as one query per 100 ids needs,
 * and the first clusters known after three round trips instead of after the whole subscription listing.
 */
async function discoverStreaming(ocm: OcmClient, onClusters: ClusterSink): Promise<Discovery> {
  const labels = await ocm.listLabels(LABEL_SEARCH);
  const subscriptionLabels = byOwner(
    labels.filter((l) => l.type === 'Subscription'),
    'subscriptionId',
  );
  const organizationLabels = byOwner(
    labels.filter((l) => l.type === 'Organization'),
    'organizationId',
  );
  const subscriptionById = new Map<string, OcmSubscription>();
  const pending: string[] = [];
  const clusterQueries: Promise<void>[] = [];
  const out: Discovery = {
    ocmEnvironment: ocm.environment,
    clusters: [],
    skipped: [],
    subscriptionsWithoutCluster: 0,
    labels: labels.length,
  };
  const seen = new Set<string>();
  const flush = (all: boolean) => {
    while (pending.length >= IDS_PER_QUERY || (all && pending.length > 0)) {
      const ids = pending.splice(0, IDS_PER_QUERY).sort();
      clusterQueries.push(
        ocm.listClusters(ids).then((found) => {
          const ready = classify(
            found,
            ocm.environment,
            subscriptionById,
            { organizationLabels, subscriptionLabels },
            seen,
            out,
          );
          if (ready.length > 0) onClusters(ready);
        }),
      );
    }
  };
  const queries = [
    ...chunks([...subscriptionLabels.keys()].sort(), IDS_PER_QUERY).map((ids) => ({
      ids,
      organizationIds: [],
    })),
    ...chunks([...organizationLabels.keys()].sort(), IDS_PER_QUERY).map((organizationIds) => ({
      ids: [],
      organizationIds,
    })),
  ];
  const subscriptionQueries = await Promise.allSettled(
    queries.map(async (query) => {
      for (const s of await ocm.listSubscriptions(query)) {
        if (subscriptionById.has(s.id)) continue;
        subscriptionById.set(s.id, s);
        pending.push(s.id);
      }
      flush(false);
    }),
  );
  const failedQuery = subscriptionQueries.find((s) => s.status === 'rejected');
  if (!failedQuery) flush(true);
  // Every query is awaited before the environment counts as read (or failed): none is left dangling.
  const settled = await Promise.allSettled(clusterQueries);
  const rejected = failedQuery ?? settled.find((s) => s.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  out.clusters.sort((a, b) => a.id.localeCompare(b.id));
  out.skipped.sort((a, b) => a.cluster.id.localeCompare(b.cluster.id));
  out.subscriptionsWithoutCluster = subscriptionById.size - seen.size;
  return out;
}

/** Clusters of one query sorted into `out`; returns the ready ones. */
function classify(
  found: readonly OcmCluster[],
  environment: string,
  subscriptionById: ReadonlyMap<string, OcmSubscription>,
  labels: {
    organizationLabels: Map<string, Record<string, string>>;
    subscriptionLabels: Map<string, Record<string, string>>;
  },
  seen: Set<string>,
  out: Discovery,
): Cluster[] {
  const ready: Cluster[] = [];
  for (const c of found) {
    const subscription = subscriptionById.get(c.subscriptionId);
    if (!subscription || seen.has(c.id)) continue;
    seen.add(c.id);
    const cluster: Cluster = {
      ocmEnvironment: environment,
      id: c.id,
      externalId: c.externalId,
      name: c.name,
      organizationId: subscription.organizationId,
      subscriptionId: subscription.id,
      hostedControlPlane: c.hostedControlPlane,
      state: c.state,
      managed: c.managed,
      labels: {
        ...labels.organizationLabels.get(subscription.organizationId),
        ...labels.subscriptionLabels.get(subscription.id),
      },
    };
    if (c.state !== 'ready') out.skipped.push({ cluster, reason: `cluster is ${c.state}, not ready` });
    else if (!c.managed) out.skipped.push({ cluster, reason: 'cluster is not managed' });
    else if (!c.externalId) out.skipped.push({ cluster, reason: 'cluster has no external id yet' });
    else {
      out.clusters.push(cluster);
      ready.push(cluster);
    }
  }
  return ready;
}
