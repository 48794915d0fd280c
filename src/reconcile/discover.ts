/**
 * Clusters that carry dtp labels in one OCM environment: labels → subscriptions → clusters (read, streaming,
 * by discover-fleet.ts). Organization labels apply to every subscription of the organization; a
 * subscription label of the same key wins.
 */
import type { OcmLabel } from '../clients/api.js';
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

/**
 * Label maps by the subscription or organization that carries them. Keys and values repeat across the
 * fleet (a handful of tenants and specs): each is kept once, not once per parsed label.
 */
export function byOwner(
  labels: OcmLabel[],
  owner: 'subscriptionId' | 'organizationId',
): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const pool = new Map<string, string>();
  const intern = (s: string) => pool.get(s) ?? (pool.set(s, s), s);
  for (const label of labels) {
    const id = label[owner];
    if (!id) continue;
    const map = out.get(id) ?? {};
    map[intern(label.key)] = intern(label.value);
    out.set(id, map);
  }
  return out;
}
