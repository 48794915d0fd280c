/**
 * The per-slot rotation rules of src/reconcile/rotation.ts at their exact boundaries, on a clock passed in:
 * when a delivered token is due and how urgently, which same-name tokens are its predecessors, when one of
 * them may be revoked (expired, pickup proven, grace passed), how the budget is read and spent, and which
 * same-name tokens an audit explains as a rotation in progress.
 */
import { describe, expect, it } from 'vitest';
import type { DynatraceToken } from '../../src/clients/api.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/config/duration.js';
import {
  decideSlot,
  parseRotationBudget,
  predecessorsInRotation,
  selectRotations,
  type RotationSlot,
  type SlotDecision,
  type Urgency,
} from '../../src/reconcile/rotation.js';
import { ago, ahead, CLOCK, LIFETIME, NAME, NOW, token } from '../reconcile/rotation-fixtures.js';

function slot(deliveredId: string, tokens: DynatraceToken[]): RotationSlot {
  return { key: 'c1/t/dynatrace/s/apiToken', tenantId: 't', lifetime: LIFETIME, deliveredId, tokens };
}

/** A predecessor far from its expiry, so only pickup or grace can retire it. */
const predecessor = () => token('dt0c01.P', ago(61 * DAY_MS), { expirationDate: ahead(29 * DAY_MS) });

describe('which same-name tokens are predecessors of the delivered one', () => {
  it('none when the delivered token has no creation date: nothing is kept and nothing retired', () => {
    const delivered = token('dt0c01.S', undefined, { expirationDate: ahead(80 * DAY_MS) });
    const dead = token('dt0c01.D', ago(100 * DAY_MS), { expirationDate: ago(DAY_MS) });
    const decision = decideSlot(slot('dt0c01.S', [predecessor(), dead, delivered]), CLOCK);
    expect(decision).toStrictEqual({
      key: 'c1/t/dynatrace/s/apiToken',
      tenantId: 't',
      retire: [],
      waiting: [],
    });
  });

  it('not a token created at the same instant as the delivered one', () => {
    const delivered = token('dt0c01.S', ago(2 * HOUR_MS), { expirationDate: ahead(80 * DAY_MS) });
    const twin = token('dt0c01.T', ago(2 * HOUR_MS), { expirationDate: ahead(80 * DAY_MS) });
    const decision = decideSlot(slot('dt0c01.S', [twin, delivered]), CLOCK);
    expect(decision.retire).toEqual([]);
    expect(decision.waiting).toEqual([]);
  });

  it('a token created one millisecond before the delivered one is', () => {
    const delivered = token('dt0c01.S', ago(2 * HOUR_MS), { expirationDate: ahead(80 * DAY_MS) });
    const older = token('dt0c01.P', ago(2 * HOUR_MS + 1), { expirationDate: ahead(80 * DAY_MS) });
    expect(decideSlot(slot('dt0c01.S', [older, delivered]), CLOCK).waiting.map((w) => w.id)).toEqual([
      'dt0c01.P',
    ]);
  });
});

describe('when a predecessor may be revoked', () => {
  it('a lastUsedDate at the very instant of delivery is no proof of pickup', () => {
    const successor = token('dt0c01.S', ago(2 * HOUR_MS), { lastUsedDate: ago(2 * HOUR_MS) });
    const decision = decideSlot(slot('dt0c01.S', [predecessor(), successor]), CLOCK);
    expect(decision.retire).toEqual([]);
    expect(decision.waiting.map((w) => w.id)).toEqual(['dt0c01.P']);
  });

  it('a lastUsedDate one millisecond after delivery proves pickup', () => {
    const successor = token('dt0c01.S', ago(2 * HOUR_MS), { lastUsedDate: ago(2 * HOUR_MS - 1) });
    expect(decideSlot(slot('dt0c01.S', [predecessor(), successor]), CLOCK).retire).toEqual([
      { id: 'dt0c01.P', name: NAME, proof: 'pickup' },
    ]);
  });

  it('a predecessor whose expiry is exactly now is retired as expired, before pickup or grace', () => {
    const dying = token('dt0c01.P', ago(61 * DAY_MS), { expirationDate: NOW.toISOString() });
    const successor = token('dt0c01.S', ago(HOUR_MS), { lastUsedDate: ago(MINUTE_MS) });
    expect(decideSlot(slot('dt0c01.S', [dying, successor]), CLOCK).retire).toEqual([
      { id: 'dt0c01.P', name: NAME, proof: 'expired' },
    ]);
  });

  it('the grace period ends exactly at delivery + rotationGrace: kept one millisecond before, retired at it', () => {
    const justBefore = token('dt0c01.S', ago(24 * HOUR_MS - 1));
    expect(decideSlot(slot('dt0c01.S', [predecessor(), justBefore]), CLOCK)).toMatchObject({
      retire: [],
      waiting: [{ id: 'dt0c01.P', graceEndsAt: ahead(1) }],
    });
    const exactly = token('dt0c01.S', ago(24 * HOUR_MS));
    expect(decideSlot(slot('dt0c01.S', [predecessor(), exactly]), CLOCK)).toMatchObject({
      retire: [{ id: 'dt0c01.P', proof: 'grace' }],
      waiting: [],
    });
  });
});

describe('how urgently a delivered token is due', () => {
  const dueOf = (t: DynatraceToken) => decideSlot(slot(t.id, [t]), CLOCK).due;

  it('a token whose expiry is exactly now is expired, not expiring', () => {
    const t = token('dt0c01.A', ago(90 * DAY_MS), { expirationDate: NOW.toISOString() });
    expect(dueOf(t)).toStrictEqual({ urgency: 'expired', expiresAt: NOW.toISOString() });
  });

  it('expiring reaches exactly two run intervals ahead, and not one millisecond further', () => {
    const edge = token('dt0c01.A', ago(DAY_MS), { expirationDate: ahead(4 * HOUR_MS) });
    expect(dueOf(edge)?.urgency).toBe('expiring');
    const beyond = token('dt0c01.A', ago(DAY_MS), { expirationDate: ahead(4 * HOUR_MS + 1) });
    expect(dueOf(beyond)).toBeUndefined();
  });

  it('aged from exactly rotateAfter on, not one millisecond earlier', () => {
    const edge = token('dt0c01.A', ago(60 * DAY_MS), { expirationDate: ahead(30 * DAY_MS) });
    expect(dueOf(edge)?.urgency).toBe('aged');
    const younger = token('dt0c01.A', ago(60 * DAY_MS - 1), { expirationDate: ahead(30 * DAY_MS) });
    expect(dueOf(younger)).toBeUndefined();
  });

  it('a due token without expiry carries no expiresAt at all', () => {
    expect(dueOf(token('dt0c01.A', ago(400 * DAY_MS)))).toStrictEqual({ urgency: 'aged' });
  });
});

describe('reading rotation-budget', () => {
  it('a share takes one to three digits and any number of decimals, up to and including 100 %', () => {
    expect(parseRotationBudget('50%')).toEqual({ percent: 50 });
    expect(parseRotationBudget('100%')).toEqual({ percent: 100 });
    expect(parseRotationBudget('2.25%')).toEqual({ percent: 2.25 });
  });

  it('a count takes one to seven digits', () => {
    expect(parseRotationBudget('5')).toEqual({ count: 5 });
    expect(parseRotationBudget('1234567')).toEqual({ count: 1234567 });
    expect(parseRotationBudget('12345678')).toBeUndefined();
  });

  it('anything before or after the share is refused', () => {
    for (const bad of ['x5%', '1005%', '5%x', '5%%', '100.5%'])
      expect(parseRotationBudget(bad), bad).toBeUndefined();
  });
});

describe('spending the rotation budget', () => {
  const due = (key: string, urgency: Urgency, expiresAt?: string): SlotDecision => ({
    key,
    tenantId: 't',
    due: { urgency, ...(expiresAt !== undefined ? { expiresAt } : {}) },
    retire: [],
    waiting: [],
  });

  it('equal urgency and expiry: the slot key decides, whatever order the slots came in', () => {
    const at = ahead(10 * DAY_MS);
    const same = selectRotations([due('c2/t/ns/s/k', 'aged', at), due('c1/t/ns/s/k', 'aged', at)], 1);
    expect([...same.admitted]).toEqual(['c1/t/ns/s/k']);
    expect(same.deferred.map((d) => d.key)).toEqual(['c2/t/ns/s/k']);
    const undated = selectRotations([due('c2/t/ns/s/k', 'aged'), due('c1/t/ns/s/k', 'aged')], 1);
    expect([...undated.admitted]).toEqual(['c1/t/ns/s/k']);
  });

  it('an allowance equal to the due slots admits all of them, one less defers the last', () => {
    const decisions = [due('a', 'aged', ahead(3 * DAY_MS)), due('b', 'aged', ahead(2 * DAY_MS))];
    expect(selectRotations(decisions, 2)).toEqual({ admitted: new Set(['b', 'a']), deferred: [] });
    const short = selectRotations(decisions, 1);
    expect([...short.admitted]).toEqual(['b']);
    expect(short.deferred.map((d) => d.key)).toEqual(['a']);
  });

  it('an expired slot takes one unit of the allowance without being admitted', () => {
    const decisions = [due('aged', 'aged', ahead(DAY_MS)), due('dead', 'expired', ago(HOUR_MS))];
    expect(selectRotations(decisions, 2)).toEqual({ admitted: new Set(['aged']), deferred: [] });
    expect(selectRotations(decisions, 1)).toEqual({ admitted: new Set(), deferred: [decisions[0]] });
  });
});

describe('same-name tokens an audit explains', () => {
  it('a token created at the same instant as the delivered one is not a predecessor', () => {
    const tokens = [token('dt0c01.S', ago(HOUR_MS)), token('dt0c01.T', ago(HOUR_MS))];
    expect(predecessorsInRotation(tokens, (id) => id === 'dt0c01.S')).toEqual(new Set());
    const older = [...tokens, token('dt0c01.P', ago(HOUR_MS + 1))];
    expect(predecessorsInRotation(older, (id) => id === 'dt0c01.S')).toEqual(new Set(['dt0c01.P']));
  });
});
