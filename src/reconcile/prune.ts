/**
 * Stage 5, prune: dtp_ tokens no cluster asks for any more, under the blast-radius guard (planOrphans).
 * Tokens of a cluster that lost every binding are revoked only after its delivery object is removed.
 * Tokens of clusters that failed this run, and of tenants whose re-mints were held, are left alone.
 */
import type { OcmClient } from '../clients/api.js';
import { mapConcurrent } from '../concurrency.js';
import { describeError } from '../errors.js';
import { clusterRef, type Cluster, type PlannedRevoke } from './model.js';
import type { Observation } from './observe.js';
import { parseTokenName } from './naming.js';
import { planOrphans } from './orphans.js';
import type { Resolution } from './resolve.js';
import type { EngineInput, EngineResult, UnboundCleanup } from './result.js';
import { removeDelivery } from './unbind.js';
import { findUnlabelled } from './unlabelled.js';

export interface PruneInput {
  resolution: Resolution;
  observation: Observation;
  ocmByEnv: ReadonlyMap<string, OcmClient>;
  discoveryComplete: boolean;
  /** Tenants whose tokens are not pruned this run (re-mints held). */
  heldTenants: ReadonlySet<string>;
  inShard: (externalId: string) => boolean;
}

export async function prune(p: PruneInput, input: EngineInput): Promise<EngineResult['orphans']> {
  const { resolution, observation } = p;
  const protectedClusters = new Set(resolution.protectedClusters);
  const bound = new Map<string, Set<string>>();
  for (const { cluster, eligible, report } of resolution.eligible.values()) {
    if (report.status === 'failed') protectedClusters.add(cluster.externalId);
    for (const e of eligible) {
      const set = bound.get(e.tenant.environmentId) ?? new Set<string>();
      set.add(cluster.externalId);
      bound.set(e.tenant.environmentId, set);
    }
  }
  const plan = planOrphans({
    tokens: new Map([...observation.tokens].filter(([tenantId]) => !p.heldTenants.has(tenantId))),
    bound,
    protectedClusters,
    discovered: resolution.discovered,
    discoveryComplete: p.discoveryComplete,
    inShard: p.inShard,
    prune: input.prune,
  });
  for (const hold of plan.held) {
    input.log.warn(
      `tenant ${hold.tenantId}: ${hold.count} of ${hold.total} dtp_ tokens have no cluster; not revoked: ${hold.reason}`,
    );
  }
  const { revokes, unbound } = await cleanUnbound(plan.revokes, p, input);
  const orphans: EngineResult['orphans'] = {
    planned: revokes,
    revoked: 0,
    errors: [],
    held: plan.held,
    unbound,
  };
  if (input.mode !== 'reconcile') return orphans;
  await mapConcurrent(revokes, input.concurrency, async (revoke) => {
    if (input.stop?.requested) return;
    try {
      const dt = await input.dynatrace(revoke.tenantId);
      if ((await dt.deleteToken(revoke.id)) === 'deleted') orphans.revoked++;
    } catch (e) {
      orphans.errors.push(`token ${revoke.id} of tenant ${revoke.tenantId}: ${describeError(e)}`);
    }
  });
  return orphans;
}

/** Removes the delivery of each unbound cluster with tokens to revoke; keeps the tokens where that fails. */
async function cleanUnbound(
  revokes: PlannedRevoke[],
  p: PruneInput,
  input: EngineInput,
): Promise<{ revokes: PlannedRevoke[]; unbound: UnboundCleanup[] }> {
  const byOwner = new Map<string, PlannedRevoke[]>();
  for (const r of revokes) {
    const owner = parseTokenName(r.name)?.clusterExternalId ?? '';
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), r]);
  }
  const kept = new Set<PlannedRevoke>();
  const unbound: UnboundCleanup[] = [];
  const unlabelled = await findUnlabelled(
    [...byOwner.keys()].filter((owner) => owner !== '' && !p.resolution.discovered.has(owner)),
    p.ocmByEnv,
  );
  for (const e of unlabelled.errors) input.log.warn(e);
  for (const owner of unlabelled.unresolved) for (const r of byOwner.get(owner)!) kept.add(r);
  const clusters = [...p.resolution.unbound.filter((c) => byOwner.has(c.externalId)), ...unlabelled.found];
  await mapConcurrent(clusters, input.concurrency, async (cluster: Cluster) => {
    const mine = byOwner.get(cluster.externalId)!;
    const entry: UnboundCleanup = { cluster: clusterRef(cluster), delivery: 'planned', tokens: mine.length };
    unbound.push(entry);
    // Every token of the cluster must be revocable, or the delivery stays: it would point at live tokens.
    const all = [...p.observation.tokens.values()].reduce(
      (n, t) => n + t.ofCluster(cluster.externalId).length,
      0,
    );
    if (all !== mine.length) {
      entry.delivery = 'kept';
      entry.error = 'some of its tokens are held back or in a tenant not usable this run';
    } else if (input.mode === 'reconcile') {
      try {
        entry.delivery = await removeDelivery(cluster, p.ocmByEnv.get(cluster.ocmEnvironment)!);
        return;
      } catch (e) {
        entry.delivery = 'kept';
        entry.error = describeError(e);
      }
    } else return;
    for (const r of mine) kept.add(r);
    input.log.warn(
      `${cluster.ocmEnvironment}/${cluster.name}: lost its bindings; delivery and tokens kept: ${entry.error}`,
    );
  });
  unbound.sort((a, b) => a.cluster.id.localeCompare(b.cluster.id));
  return { revokes: revokes.filter((r) => !kept.has(r)), unbound };
}
