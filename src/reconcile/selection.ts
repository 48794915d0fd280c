/**
 * `--cluster`: a run or plan narrowed to named clusters (OCM id, external id or name). The names are
 * matched once discovery knows the clusters; a name that matches nothing is said, not silently dropped.
 */
import { escapeControl } from '../escape.js';
import type { Discovery } from './discover.js';
import type { Cluster } from './model.js';

export interface ClusterSelection {
  /** False when no cluster was named: every cluster of the shard is in. */
  readonly active: boolean;
  matches(cluster: Pick<Cluster, 'id' | 'externalId' | 'name'>): boolean;
  /** The external ids of the named clusters found by discovery; warns about names that matched nothing. */
  resolve(discoveries: readonly Discovery[], log: { warn(message: string): void }): Set<string>;
}

export function clusterSelection(names: readonly string[] | undefined): ClusterSelection {
  const wanted = new Set(names ?? []);
  const matches = (c: Pick<Cluster, 'id' | 'externalId' | 'name'>) =>
    wanted.size === 0 || wanted.has(c.id) || wanted.has(c.externalId) || wanted.has(c.name);
  return {
    active: wanted.size > 0,
    matches,
    resolve(discoveries, log) {
      const found = new Set<string>();
      const named = new Set<string>();
      for (const d of discoveries) {
        for (const c of [...d.clusters, ...d.skipped.map((s) => s.cluster)]) {
          if (!matches(c)) continue;
          found.add(c.externalId);
          // Every key of a matching cluster counts as named: only wanted names are looked up below.
          for (const key of [c.id, c.externalId, c.name]) named.add(key);
        }
      }
      const missing = [...wanted].filter((n) => !named.has(n)).sort();
      if (missing.length > 0)
        log.warn(
          `--cluster: no cluster with dtp labels is called ${missing.map((m) => `"${escapeControl(m)}"`).join(', ')} (match by OCM id, external id or name)`,
        );
      return found;
    },
  };
}
