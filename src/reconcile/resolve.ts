/**
 * Stage 2, resolve: which bindings of each discovered cluster are allowed (the rest are denials), which
 * clusters belong to this shard, and which clusters lost every binding (their delivery is cleaned up in
 * prune). Pure: no remote call.
 */
import type { Config } from '../config/types.js';
import type { Discovery } from './discover.js';
import { resolveBindings } from './eligibility.js';
import { clusterRef, deliveryKindOf, type Cluster } from './model.js';
import type { EligibleBinding } from './plan.js';
import type { ClusterReport, EngineResult } from './result.js';

export interface Resolution {
  /** Every cluster of this shard with dtp labels, in report form. */
  clusters: ClusterReport[];
  /** Clusters with at least one allowed binding, by OCM cluster id. */
  eligible: Map<string, { cluster: Cluster; eligible: EligibleBinding[]; report: ClusterReport }>;
  /** Ready clusters of this shard with no allowed binding left. */
  unbound: Cluster[];
  skipped: EngineResult['skipped'];
  /** External ids of every cluster found in OCM (any state, any shard). */
  discovered: Set<string>;
  /** External ids of clusters whose tokens must not be touched (not ready, not managed). */
  protectedClusters: Set<string>;
}

export function resolveFleet(
  discoveries: readonly Discovery[],
  config: Config,
  inShard: (externalId: string) => boolean,
): Resolution {
  const out: Resolution = {
    clusters: [],
    eligible: new Map(),
    unbound: [],
    skipped: [],
    discovered: new Set(),
    protectedClusters: new Set(),
  };
  for (const found of discoveries) {
    for (const { cluster, reason } of found.skipped) {
      out.discovered.add(cluster.externalId);
      out.protectedClusters.add(cluster.externalId);
      if (inShard(cluster.externalId)) out.skipped.push({ cluster: clusterRef(cluster), reason });
    }
    for (const cluster of found.clusters) {
      out.discovered.add(cluster.externalId);
      if (!inShard(cluster.externalId)) continue;
      const { eligible, denials } = resolveBindings(cluster, config);
      const report: ClusterReport = {
        cluster: clusterRef(cluster),
        kind: deliveryKindOf(cluster),
        status: eligible.length === 0 ? 'denied' : 'unchanged',
        bindings: eligible.map((e) => ({
          key: e.binding.key,
          tenantId: e.tenant.environmentId,
          specName: e.spec.name,
        })),
        denials,
        errors: [],
      };
      out.clusters.push(report);
      if (eligible.length > 0) out.eligible.set(cluster.id, { cluster, eligible, report });
      else out.unbound.push(cluster);
    }
  }
  return out;
}
