/**
 * One reconcile (or plan) over the fleet as named stages: discover → resolve → observe → plan/apply →
 * prune. Clusters are processed concurrently under a bound; one cluster's failure never stops the others.
 * A signal (input.stop) starts no new stage and no new cluster; the result then says it was interrupted.
 */
import { applyClusters, markPlanned, planClusters } from './clusters.js';
import { discoverFleet } from './discover-fleet.js';
import { MintLedger } from './ledger.js';
import { observe } from './observe.js';
import { prune } from './prune.js';
import { resolveFleet } from './resolve.js';
import type { ClusterReport, EngineInput, EngineResult } from './result.js';
import { inShard } from './shard.js';

export type * from './result.js';
export { interleave } from './interleave.js';

export async function runEngine(input: EngineInput): Promise<EngineResult> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const stagesMs: Record<string, number> = {};
  const stage = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      stagesMs[name] = Math.round(performance.now() - t0);
    }
  };
  const shardFilter = inShard(input.shard);

  const fleet = await stage('discover', () => discoverFleet(input));
  const resolution = await stage('resolve', () => resolveFleet(fleet.discoveries, input.config, shardFilter));
  const observation = await stage('observe', () => observe(resolution, fleet.ocmByEnv, input));
  const { work, remintHeld } = await stage('plan', () => planClusters(resolution, observation, input));

  const notProcessed = new Set<ClusterReport>();
  let compensated = 0;
  if (input.mode === 'plan') markPlanned(work);
  else {
    const applied = await stage('clusters', () =>
      applyClusters(work, fleet.ocmByEnv, observation, input, new MintLedger()),
    );
    applied.notProcessed.forEach((r) => notProcessed.add(r));
    compensated = applied.compensated;
  }
  // Clusters whose delivery was never read because a signal came first.
  for (const e of resolution.eligible.values()) {
    if (e.report.status !== 'failed' && !observation.deliveries.has(e.cluster.id)) notProcessed.add(e.report);
  }

  const orphans = input.stop?.requested
    ? { planned: [], revoked: 0, errors: [], held: [], unbound: [] }
    : await stage('prune', () =>
        prune(
          {
            resolution,
            observation,
            ocmByEnv: fleet.ocmByEnv,
            discoveryComplete: fleet.environments.every((e) => !e.error),
            heldTenants: new Set(remintHeld.map((h) => h.tenantId)),
            inShard: shardFilter,
          },
          input,
        ),
      );

  return {
    mode: input.mode,
    startedAt,
    finishedAt: now(),
    environments: fleet.environments,
    tenants: observation.tenants,
    clusters: resolution.clusters
      .filter((c) => !notProcessed.has(c))
      .sort(
        (a, b) =>
          a.cluster.ocmEnvironment.localeCompare(b.cluster.ocmEnvironment) ||
          a.cluster.name.localeCompare(b.cluster.name),
      ),
    skipped: resolution.skipped,
    orphans,
    remintHeld,
    // A signal during prune counts too: its remaining revocations were skipped.
    ...(input.stop?.requested
      ? { interrupted: { signal: input.stop!.signal!, notProcessed: notProcessed.size, compensated } }
      : {}),
    stagesMs,
  };
}
