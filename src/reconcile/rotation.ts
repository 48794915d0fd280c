/**
 * Rotation of expiring tokens, decided without I/O. Per delivered token slot (one key of one Secret of one
 * cluster, whose spec entry has `maxAge`): is the delivered token due for a successor, and may the tokens it
 * replaced (its predecessors) be revoked yet?
 *
 * Which token is which comes from what the cluster holds, never from age alone: the delivered token is the
 * id in the Secret; its predecessors are the live tokens with the same name created before it. A token with
 * the same name created after it is a successor whose delivery never happened (it failed and its
 * compensation failed too, or the run was killed): it is not the delivered one, so the delivered token is
 * kept and nothing that depends on the successor's pickup is concluded. The only working token of a
 * cluster is therefore never revoked by rotation.
 *
 * When was the successor delivered? dtp mints it immediately before it writes the delivery object, and a
 * minted token that was not delivered is never the id in the Secret. So the delivered token's
 * `creationDate` (told by Dynatrace, kept across lost runners, no Secret layout change) is its delivery
 * time to within one cluster's apply. Only dtp and the cluster ever held its value, and dtp never uses it:
 * a `lastUsedDate` after `creationDate` is the cluster using it — pickup proven.
 */
import type { DynatraceToken } from '../clients/api.js';
import type { TokenLifetime } from '../config/types.js';
import { decisionOrder } from './order.js';

/** `expired`: already past `expirationDate`; `expiring`: expires within the next two scheduled runs; `aged`: older than `rotateAfter`. */
export type Urgency = 'expired' | 'expiring' | 'aged';

export interface RotationSlot {
  /** Unique within the run, e.g. `<cluster id>/<tenant>/<namespace>/<secret>/<key>`. */
  key: string;
  tenantId: string;
  lifetime: TokenLifetime;
  /** The token id in the delivered Secret; undefined when the slot has nothing delivered yet. */
  deliveredId: string | undefined;
  /** The tenant's live tokens with exactly this slot's canonical name. */
  tokens: readonly DynatraceToken[];
}

export interface RotationClock {
  now: Date;
  /** Time between scheduled runs (`run-interval`): "expiring" means before the run after next. */
  runIntervalMs: number;
}

/** Why a predecessor may go: the successor was used, the grace period passed, or it is dead anyway. */
export type RetireProof = 'pickup' | 'grace' | 'expired';

export interface Retirement {
  id: string;
  name: string;
  proof: RetireProof;
}

/** A predecessor kept because the cluster has not yet been seen using its successor. */
export interface Waiting {
  id: string;
  name: string;
  /** The successor's creation, taken as its delivery time. */
  deliveredAt: string;
  /** When the predecessor goes even without proven pickup. */
  graceEndsAt: string;
}

export interface SlotDecision {
  key: string;
  tenantId: string;
  /** Set when the delivered token should get a successor now. */
  due?: { urgency: Urgency; expiresAt?: string };
  /** Predecessors to revoke once this run's delivery of the slot is confirmed. */
  retire: Retirement[];
  /** Predecessors kept this run (a rotation in progress: same name, not a duplicate). */
  waiting: Waiting[];
}

const time = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

/** The decision for one slot. Slots without a live delivered token are the planner's (mint or re-mint). */
export function decideSlot(slot: RotationSlot, clock: RotationClock): SlotDecision {
  const decision: SlotDecision = { key: slot.key, tenantId: slot.tenantId, retire: [], waiting: [] };
  const delivered = slot.tokens.find((t) => t.id === slot.deliveredId);
  if (!delivered) return decision;
  const now = clock.now.getTime();
  const deliveredAt = time(delivered.creationDate);

  if (deliveredAt !== undefined) {
    const lastUsed = time(delivered.lastUsedDate);
    const pickedUp = lastUsed !== undefined && lastUsed > deliveredAt;
    const graceEnds = deliveredAt + slot.lifetime.rotationGraceMs;
    for (const token of slot.tokens) {
      const created = time(token.creationDate);
      // Unknown or later creation: not a predecessor (see above); the planner treats it as it always did.
      if (token.id === delivered.id || created === undefined || created >= deliveredAt) continue;
      const expires = time(token.expirationDate);
      const proof: RetireProof | undefined =
        expires !== undefined && expires <= now
          ? 'expired'
          : pickedUp
            ? 'pickup'
            : now >= graceEnds
              ? 'grace'
              : undefined;
      if (proof) decision.retire.push({ id: token.id, name: token.name, proof });
      else
        decision.waiting.push({
          id: token.id,
          name: token.name,
          deliveredAt: new Date(deliveredAt).toISOString(),
          graceEndsAt: new Date(graceEnds).toISOString(),
        });
    }
  }

  const urgency = urgencyOf(delivered, slot.lifetime, clock);
  // A rotation still waiting for pickup is not stacked with another one unless the token is about to die.
  if (urgency && !(urgency === 'aged' && decision.waiting.length > 0)) {
    decision.due = {
      urgency,
      ...(delivered.expirationDate !== undefined ? { expiresAt: delivered.expirationDate } : {}),
    };
  }
  return decision;
}

function urgencyOf(
  token: DynatraceToken,
  lifetime: TokenLifetime,
  clock: RotationClock,
): Urgency | undefined {
  const now = clock.now.getTime();
  const expires = time(token.expirationDate);
  if (expires !== undefined && expires <= now) return 'expired';
  if (expires !== undefined && expires <= now + 2 * clock.runIntervalMs) return 'expiring';
  const created = time(token.creationDate);
  // Age unknown: a token without expiry is rotated (last in line) to get one; one with an expiry waits for
  // it, or every run would rotate it again where Dynatrace reports no creation dates.
  if (created === undefined) return expires === undefined ? 'aged' : undefined;
  return now - created >= lifetime.rotateAfterMs ? 'aged' : undefined;
}

// ------------------------------------------------------------------------------------------- budget

/** `rotation-budget`: a share of the run's managed tokens (`5%`) or a number of tokens (`20`). */
export type RotationBudgetSetting = { percent: number } | { count: number };

export const DEFAULT_ROTATION_BUDGET: RotationBudgetSetting = { percent: 5 };

export function parseRotationBudget(text: string): RotationBudgetSetting | undefined {
  const percent = /^(\d{1,3}(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    return value > 0 && value <= 100 ? { percent: value } : undefined;
  }
  return /^[1-9]\d{0,6}$/.test(text) ? { count: Number(text) } : undefined;
}

/** Tokens this run may replace: the share of `managed` (the delivered tokens it looked at), at least 1. */
export function rotationAllowance(setting: RotationBudgetSetting, managed: number): number {
  if ('count' in setting) return setting.count;
  return Math.max(1, Math.floor((managed * setting.percent) / 100));
}

export interface Selection {
  /** Keys of the slots that get a successor this run (never includes `expired`: see below). */
  admitted: Set<string>;
  /** Due slots held back by the budget; they come first next run. */
  deferred: SlotDecision[];
}

const URGENCY_ORDER: Record<Urgency, number> = { expired: 0, expiring: 1, aged: 2 };

/**
 * Spreads rotations over runs: expired first, then the ones expiring soonest, then the oldest. An expired
 * delivered token is re-minted by the planner whatever the budget (the cluster has no working token; holding
 * it back would only prolong an outage), but it uses up the budget first, so the proactive rotations wait.
 */
export function selectRotations(decisions: Iterable<SlotDecision>, allowance: number): Selection {
  const due = [...decisions].filter((d) => d.due).sort(compareDue);
  const admitted = new Set<string>();
  const deferred: SlotDecision[] = [];
  let left = allowance;
  for (const d of due) {
    if (d.due!.urgency === 'expired') {
      left--;
      continue;
    }
    if (left > 0) {
      admitted.add(d.key);
      left--;
    } else deferred.push(d);
  }
  return { admitted, deferred };
}

function compareDue(a: SlotDecision, b: SlotDecision): number {
  const byUrgency = URGENCY_ORDER[a.due!.urgency] - URGENCY_ORDER[b.due!.urgency];
  if (byUrgency !== 0) return byUrgency;
  const ea = time(a.due!.expiresAt) ?? Number.POSITIVE_INFINITY;
  const eb = time(b.due!.expiresAt) ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  return decisionOrder(a.key, b.key);
}

// ------------------------------------------------------------------------------------------- counts

/** What the report, the summary and the metrics show about token lifetimes in one run. */
export interface RotationCounts {
  /** Delivered tokens that expire within the next two scheduled runs. */
  expiringSoon: number;
  /** Delivered tokens already past their expiry (the cluster holds a dead token until it is re-minted). */
  pastExpiry: number;
  /** Successors admitted for this run. */
  rotationsStarted: number;
  /** Due rotations held back by `rotation-budget`. */
  rotationsDeferred: number;
  /** Predecessors revoked this run, by proof. */
  rotationsCompleted: Record<RetireProof, number>;
  /** Predecessors kept until their successor's pickup is proven or the grace period ends. */
  waitingForPickup: number;
}

export function countRotations(decisions: Iterable<SlotDecision>, selection: Selection): RotationCounts {
  const counts: RotationCounts = {
    expiringSoon: 0,
    pastExpiry: 0,
    rotationsStarted: selection.admitted.size,
    rotationsDeferred: selection.deferred.length,
    rotationsCompleted: { pickup: 0, grace: 0, expired: 0 },
    waitingForPickup: 0,
  };
  for (const d of decisions) {
    if (d.due?.urgency === 'expired') counts.pastExpiry++;
    if (d.due?.urgency === 'expiring') counts.expiringSoon++;
    for (const r of d.retire) counts.rotationsCompleted[r.proof]++;
    counts.waitingForPickup += d.waiting.length;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------- audits

/**
 * Which of the tokens sharing one name are predecessors in a rotation in progress: created before the one
 * token of them that is delivered. An audit counts those neither as orphans nor as duplicates; every other
 * same-name token (none delivered, two delivered, or created after the delivered one) stays unexplained.
 */
export function predecessorsInRotation(
  sameName: readonly Pick<DynatraceToken, 'id' | 'creationDate'>[],
  isDelivered: (id: string) => boolean,
): Set<string> {
  const delivered = sameName.filter((t) => isDelivered(t.id));
  const at = delivered.length === 1 ? time(delivered[0]!.creationDate) : undefined;
  if (at === undefined) return new Set();
  return new Set(
    sameName
      .filter((t) => !isDelivered(t.id))
      .filter((t) => {
        const created = time(t.creationDate);
        return created !== undefined && created < at;
      })
      .map((t) => t.id),
  );
}
