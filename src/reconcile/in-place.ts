/**
 * In-place fixes while the fleet is still being read. A cluster whose plan only corrects the name or scopes
 * of tokens its tenants' listings show (a PUT: the value, and so the delivery object, stays) is carried out
 * as soon as its delivery object is read, instead of after the last cluster's read: a run that fixes scope
 * drift across the fleet no longer leaves Dynatrace idle while OCM is read, then OCM idle while Dynatrace
 * is written.
 *
 * Only plans that no fleet-wide decision can change go early:
 * - every listing the run needs is complete (no plan is made from part of a tenant's tokens);
 * - no slot of the cluster is due for rotation (which due slots rotate is decided over the fleet);
 * - the plan writes no delivery object and revokes nothing. It then mints nothing either (a minted value
 *   must be delivered), so neither the re-mint guard nor a confirmation can change it: both only hold back
 *   mints and revocations. A delivered id missing from its listing always means a mint or a new value in
 *   the Secret, so such a cluster waits for its confirmation; so does rotation work on predecessors, which
 *   shows as revocations.
 * The plan stage then takes the plan as it is (and counts it in the re-mint guard and rotation) and does not
 * carry it out again. A tenant that a later confirmation makes unusable keeps the fixes already made: they
 * touch only tokens its listing showed, and the cluster's report carries the tenant's error.
 */
import type { ClusterApplier } from './clusters.js';
import type { Cluster, ClusterPlan, DesiredSecret, ObservedDelivery } from './model.js';
import type { DeliveryRead, Observation } from './observe.js';
import { desiredSecrets, planCluster, sameScopes, type EligibleBinding, type TenantTokens } from './plan.js';
import type { Resolution } from './resolve.js';
import type { RotationClock } from './rotation.js';
import { rotationDue } from './rotation-plan.js';

export interface InPlaceInput {
  cluster: Cluster;
  eligible: readonly EligibleBinding[];
  observed: ObservedDelivery | undefined;
  /** Every listing the run needs, complete. */
  tokens: ReadonlyMap<string, TenantTokens>;
  clock: RotationClock;
}

/** The cluster's plan when it only fixes tokens in place and nothing fleet-wide can change it; else undefined. */
export function inPlacePlan({
  cluster,
  eligible,
  observed,
  tokens,
  clock,
}: InPlaceInput): ClusterPlan | undefined {
  const desired = desiredSecrets(cluster, eligible);
  // Most clusters have nothing to fix: they are not planned twice (memory and CPU at 10,000 clusters).
  if (!observed || !driftIn(desired, observed, tokens)) return undefined;
  if (rotationDue({ cluster, desired, observed }, tokens, clock)) return undefined;
  const plan = planCluster({ cluster, desired, observed, tokens, now: clock.now, rotation: undefined });
  const fixes = plan.secrets.some((s) => s.tokens.some((t) => t.update !== undefined));
  return plan.delivery === 'none' && plan.revokes.length === 0 && fixes ? plan : undefined;
}

/**
 * Whether a token delivered in its own place (same Secret, same key) is listed under another name or with
 * other scopes. A plan in place keeps the Secret's data as it is, so such a token is the only thing it can fix.
 */
function driftIn(
  desired: readonly DesiredSecret[],
  observed: ObservedDelivery,
  tokens: ReadonlyMap<string, TenantTokens>,
): boolean {
  for (const want of desired) {
    const live = tokens.get(want.tenantId);
    const secret = observed.secrets.find((s) => s.namespace === want.namespace && s.name === want.name);
    if (!live || !secret) continue;
    for (const token of want.tokens) {
      const listed = live.get(secret.data.get(`${token.key}Id`)?.reveal().trim() ?? '');
      if (listed && (listed.name !== token.expectedName || !sameScopes(listed.scopes, token.scopes)))
        return true;
    }
  }
  return false;
}

/** The plans handed to the applier so far, and when every read has been decided on. */
export interface InPlaceFixes {
  plans: Map<string, ClusterPlan>;
  decided: Promise<void>;
}

/**
 * Decides, as each eligible cluster's delivery read answers, whether its plan is an in-place fix, and hands
 * each such plan to the applier (which starts nothing after a signal).
 */
export function startInPlaceFixes(
  resolution: Resolution,
  reads: ReadonlyMap<string, Promise<DeliveryRead | undefined>>,
  listed: Promise<Pick<Observation, 'tokens'>>,
  clock: RotationClock,
  applier: ClusterApplier,
): InPlaceFixes {
  const plans = new Map<string, ClusterPlan>();
  // A copy of the listings as they were answered, taken before the observation is assembled from them:
  // confirmations change the run's map afterwards. No listing readable: no tenant, nothing in place.
  const listedTokens = listed.then(
    (l) => new Map(l.tokens),
    () => new Map<string, TenantTokens>(),
  );
  const decisions = [...resolution.eligible.values()].map(async (e) => {
    const read = await reads.get(e.cluster.id);
    const tokens = await listedTokens;
    if (!read || 'error' in read) return;
    const plan = inPlacePlan({ ...e, observed: read.delivery, tokens, clock });
    if (!plan) return;
    plans.set(e.cluster.id, plan);
    applier.add({ ...e, plan });
  });
  return { plans, decided: Promise.all(decisions).then(() => undefined) };
}
