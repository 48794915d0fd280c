/**
 * Rotation over the whole run, between observe and plan: every delivered token slot whose spec entry has a
 * lifetime is decided (rotation.ts), the budget picks which due slots get a successor this run, and each
 * cluster's planner is told what to rotate, which predecessors to keep and which to revoke.
 * Pure: the same observation and clock give the same answer.
 */
import { DEFAULT_RUN_INTERVAL_MS } from '../config/lifetime.js';
import type { Cluster, DesiredSecret, ObservedDelivery } from './model.js';
import type { TenantTokens } from './plan.js';
import {
  countRotations,
  DEFAULT_ROTATION_BUDGET,
  decideSlot,
  rotationAllowance,
  selectRotations,
  type RetireProof,
  type RotationBudgetSetting,
  type RotationClock,
  type RotationCounts,
  type RotationSlot,
  type SlotDecision,
} from './rotation.js';

/** What one cluster's planner does about rotation. */
export interface ClusterRotation {
  /** Slot keys (`slotKey`) whose delivered token gets a successor now; the delivered one is kept. */
  rotate: ReadonlySet<string>;
  /** Predecessors kept this run: never revoked as superseded while their successor's pickup is unproven. */
  keep: ReadonlySet<string>;
  /** Predecessors to revoke once the cluster's delivery is confirmed, and why they may go. */
  retire: ReadonlyMap<string, RetireProof>;
}

export interface RotationRun {
  /** By OCM cluster id; clusters without rotating slots are absent. */
  byCluster: Map<string, ClusterRotation>;
  decisions: SlotDecision[];
  /** Slot keys that get a successor this run. */
  admitted: ReadonlySet<string>;
  deferred: SlotDecision[];
  counts: RotationCounts;
}

export interface RotationSettings {
  clock: RotationClock;
  budget: RotationBudgetSetting;
}

/** The engine's settings with their defaults (`rotation-budget` 5 %, `run-interval` 2 h). */
export function rotationSettings(
  input: { rotationBudget?: RotationBudgetSetting; runIntervalMs?: number },
  now: Date,
): RotationSettings {
  return {
    clock: { now, runIntervalMs: input.runIntervalMs ?? DEFAULT_RUN_INTERVAL_MS },
    budget: input.rotationBudget ?? DEFAULT_ROTATION_BUDGET,
  };
}

/** What the run tells about token lifetimes: the counts, per tenant too, and which slots hold an expired token. */
export interface RotationSummary extends RotationCounts {
  /** Slot keys (`slotKey`) whose delivered token is past its expiry. */
  pastExpirySlots: string[];
  /** The same counts per tenant (the metrics' labels), sorted by tenant id. */
  tenants: TenantRotation[];
}

export interface TenantRotation extends RotationCounts {
  tenantId: string;
}

export function rotationSummary(run: RotationRun): RotationSummary {
  const tenantOf = new Map(run.decisions.map((d) => [d.key, d.tenantId]));
  const tenants = [...new Set(run.decisions.map((d) => d.tenantId))].sort();
  return {
    ...run.counts,
    pastExpirySlots: run.decisions.filter((d) => d.due?.urgency === 'expired').map((d) => d.key),
    tenants: tenants.map((tenantId) => ({
      tenantId,
      ...countRotations(
        run.decisions.filter((d) => d.tenantId === tenantId),
        {
          admitted: new Set([...run.admitted].filter((key) => tenantOf.get(key) === tenantId)),
          deferred: run.deferred.filter((d) => d.tenantId === tenantId),
        },
      ),
    })),
  };
}

/** `a` + `b`, count by count. */
function addRotationCounts(a: RotationCounts, b: RotationCounts): RotationCounts {
  return {
    expiringSoon: a.expiringSoon + b.expiringSoon,
    pastExpiry: a.pastExpiry + b.pastExpiry,
    rotationsStarted: a.rotationsStarted + b.rotationsStarted,
    rotationsDeferred: a.rotationsDeferred + b.rotationsDeferred,
    rotationsCompleted: {
      pickup: a.rotationsCompleted.pickup + b.rotationsCompleted.pickup,
      grace: a.rotationsCompleted.grace + b.rotationsCompleted.grace,
      expired: a.rotationsCompleted.expired + b.rotationsCompleted.expired,
    },
    waitingForPickup: a.waitingForPickup + b.waitingForPickup,
  };
}

const secretId = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

export interface ClusterObservation {
  cluster: Cluster;
  desired: readonly DesiredSecret[];
  observed: ObservedDelivery | undefined;
}

/** `<cluster id>/<tenant>/<namespace>/<secret>/<key>`: one token place in one cluster. */
export function slotKey(clusterId: string, secret: DesiredSecret, key: string): string {
  return `${clusterId}/${secret.tenantId}/${secretId(secret)}/${key}`;
}

/** The cluster's slots with a lifetime, and how many delivered tokens it holds in all (the budget's base). */
function rotationSlots(
  { cluster, desired, observed }: ClusterObservation,
  tokens: ReadonlyMap<string, TenantTokens>,
): { slots: RotationSlot[]; delivered: number } {
  const slots: RotationSlot[] = [];
  let delivered = 0;
  for (const secret of desired) {
    const live = tokens.get(secret.tenantId);
    // A tenant that could not be read is carried over untouched: nothing to decide there.
    if (!live) continue;
    const found = observed?.secrets.find((s) => secretId(s) === secretId(secret));
    for (const token of secret.tokens) {
      const deliveredId = found?.data.get(`${token.key}Id`)?.reveal().trim();
      if (deliveredId && live.has(deliveredId)) delivered++;
      const lifetime = token.lifetime;
      if (!lifetime) continue;
      slots.push({
        key: slotKey(cluster.id, secret, token.key),
        tenantId: secret.tenantId,
        lifetime,
        deliveredId,
        tokens: live.ofCluster(cluster.externalId).filter((t) => t.name === token.expectedName),
      });
    }
  }
  return { slots, delivered };
}

/**
 * Whether a slot of this cluster is due for a successor. Which due slots get one this run is decided over
 * the fleet (the budget); the other rotation work of a cluster, its predecessors, shows in its plan as revocations.
 */
export function rotationDue(
  c: ClusterObservation,
  tokens: ReadonlyMap<string, TenantTokens>,
  clock: RotationClock,
): boolean {
  return rotationSlots(c, tokens).slots.some((slot) => decideSlot(slot, clock).due !== undefined);
}

export function planRotations(
  clusters: readonly ClusterObservation[],
  tokens: ReadonlyMap<string, TenantTokens>,
  settings: RotationSettings,
): RotationRun {
  const decisions: SlotDecision[] = [];
  const owner = new Map<string, string>();
  let managed = 0;
  for (const c of clusters) {
    const { slots, delivered } = rotationSlots(c, tokens);
    managed += delivered;
    for (const slot of slots) {
      decisions.push(decideSlot(slot, settings.clock));
      owner.set(slot.key, c.cluster.id);
    }
  }
  const selection = selectRotations(decisions, rotationAllowance(settings.budget, managed));
  const byCluster = new Map<
    string,
    { rotate: Set<string>; keep: Set<string>; retire: Map<string, RetireProof> }
  >();
  for (const d of decisions) {
    const rotate = selection.admitted.has(d.key);
    if (!rotate && d.waiting.length === 0 && d.retire.length === 0) continue;
    const clusterId = owner.get(d.key)!;
    let entry = byCluster.get(clusterId);
    if (!entry) {
      entry = { rotate: new Set(), keep: new Set(), retire: new Map() };
      byCluster.set(clusterId, entry);
    }
    if (rotate) entry.rotate.add(d.key);
    for (const w of d.waiting) entry.keep.add(w.id);
    for (const r of d.retire) entry.retire.set(r.id, r.proof);
  }
  return {
    byCluster,
    decisions,
    admitted: selection.admitted,
    deferred: selection.deferred,
    counts: countRotations(decisions, selection),
  };
}

/** The rotation summaries of the shards of one run, as one (`dtp report merge`). */
export function mergeRotationSummaries(parts: readonly RotationSummary[]): RotationSummary {
  const tenants = new Map<string, TenantRotation>();
  for (const t of parts.flatMap((p) => p.tenants)) {
    const have = tenants.get(t.tenantId);
    tenants.set(t.tenantId, have ? { tenantId: t.tenantId, ...addRotationCounts(have, t) } : t);
  }
  const { pastExpirySlots: _slots, tenants: _tenants, ...first } = parts[0]!;
  return {
    ...parts.slice(1).reduce<RotationCounts>((sum, part) => addRotationCounts(sum, part), first),
    pastExpirySlots: parts.flatMap((p) => p.pastExpirySlots).sort(),
    tenants: [...tenants.values()].sort((x, y) => x.tenantId.localeCompare(y.tenantId)),
  };
}
