/**
 * Clusters that carry dtp labels in one OCM environment: labels → subscriptions → clusters. Organization
 * labels apply to every subscription of the organization; a subscription label of the same key wins.
 */
import type { OcmClient, OcmLabel } from '../clients/api.js';
import { LABEL_SEARCH } from './naming.js';
import type { Cluster } from './model.js';

export interface Discovery {
  ocmEnvironment: string;
  /** Ready, managed clusters: the ones dtp reconciles. */
  clusters: Cluster[];
  /** Clusters with dtp labels that are not ready or not managed: left alone, their tokens protected. */
  skipped: { cluster: Cluster; reason: string }[];
  /** Subscriptions with dtp labels and no cluster (yet): nothing to do. */
  subscriptionsWithoutCluster: number;
  labels: number;
}

function byOwner(
  labels: OcmLabel[],
  owner: 'subscriptionId' | 'organizationId',
): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const label of labels) {
    const id = label[owner];
    if (!id) continue;
    const map = out.get(id) ?? {};
    map[label.key] = label.value;
    out.set(id, map);
  }
  return out;
}

export async function discover(ocm: OcmClient): Promise<Discovery> {
  const labels = await ocm.listLabels(LABEL_SEARCH);
  const subscriptionLabels = byOwner(
    labels.filter((l) => l.type === 'Subscription'),
    'subscriptionId',
  );
  const organizationLabels = byOwner(
    labels.filter((l) => l.type === 'Organization'),
    'organizationId',
  );
  const subscriptions = await ocm.listSubscriptions({
    ids: [...subscriptionLabels.keys()].sort(),
    organizationIds: [...organizationLabels.keys()].sort(),
  });
  const subscriptionById = new Map(subscriptions.map((s) => [s.id, s]));
  const ocmClusters =
    subscriptions.length === 0 ? [] : await ocm.listClusters(subscriptions.map((s) => s.id).sort());

  const clusters: Cluster[] = [];
  const skipped: Discovery['skipped'] = [];
  const seen = new Set<string>();
  for (const c of ocmClusters) {
    const subscription = subscriptionById.get(c.subscriptionId);
    if (!subscription || seen.has(c.id)) continue;
    seen.add(c.id);
    const cluster: Cluster = {
      ocmEnvironment: ocm.environment,
      id: c.id,
      externalId: c.externalId,
      name: c.name,
      organizationId: subscription.organizationId,
      subscriptionId: subscription.id,
      hostedControlPlane: c.hostedControlPlane,
      state: c.state,
      managed: c.managed,
      labels: {
        ...organizationLabels.get(subscription.organizationId),
        ...subscriptionLabels.get(subscription.id),
      },
    };
    if (c.state !== 'ready') skipped.push({ cluster, reason: `cluster is ${c.state}, not ready` });
    else if (!c.managed) skipped.push({ cluster, reason: 'cluster is not managed' });
    else if (!c.externalId) skipped.push({ cluster, reason: 'cluster has no external id yet' });
    else clusters.push(cluster);
  }
  clusters.sort((a, b) => a.id.localeCompare(b.id));
  return {
    ocmEnvironment: ocm.environment,
    clusters,
    skipped,
    subscriptionsWithoutCluster: subscriptions.length - seen.size,
    labels: labels.length,
  };
}
