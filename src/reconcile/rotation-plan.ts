/**
 * Rotation over the whole run, between observe and plan: every delivered token slot whose spec entry has a
 * lifetime is decided (rotation.ts), the budget picks which due slots get a successor this run, and each
 * cluster's planner is told what to rotate, which predecessors to keep and which to revoke.
 * Pure: the same observation and clock give the same answer.
 */
import type { Config, TokenLifetime } from '../config/types.js';
import type { Cluster, DesiredSecret, DesiredToken, ObservedDelivery } from './model.js';
import type { TenantTokens } from './plan.js';
import {
  countRotations,
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
  deferred: SlotDecision[];
  counts: RotationCounts;
}

export interface RotationSettings {
  clock: RotationClock;
  budget: RotationBudgetSetting;
  /** The lifetime of a desired token's spec entry; undefined: it never expires and is never rotated. */
  lifetimeOf: LifetimeLookup;
}

export type LifetimeLookup = (secret: DesiredSecret, token: DesiredToken) => TokenLifetime | undefined;

/** The lifetimes written in the token specs (`maxAge` and friends), looked up by spec, Secret and token name. */
export function lifetimesOf(config: Pick<Config, 'tokenSpecs'>): LifetimeLookup {
  return (secret, token) =>
    config.tokenSpecs
      .get(secret.specName)
      ?.secrets.find((s) => s.namespace === secret.namespace && s.name === secret.name)
      ?.tokens.find((t) => t.name === token.specTokenName)?.lifetime;
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
export function rotationSlots(
  { cluster, desired, observed }: ClusterObservation,
  tokens: ReadonlyMap<string, TenantTokens>,
  lifetimeOf: LifetimeLookup,
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
      const lifetime = lifetimeOf(secret, token);
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

export function planRotations(
  clusters: readonly ClusterObservation[],
  tokens: ReadonlyMap<string, TenantTokens>,
  settings: RotationSettings,
): RotationRun {
  const decisions: SlotDecision[] = [];
  const owner = new Map<string, string>();
  let managed = 0;
  for (const c of clusters) {
    const { slots, delivered } = rotationSlots(c, tokens, settings.lifetimeOf);
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
  return { byCluster, decisions, deferred: selection.deferred, counts: countRotations(decisions, selection) };
}
