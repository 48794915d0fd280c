/**
 * The prune hold-back threshold (planOrphans): a prune that would remove more than half of a tenant's dtp_
 * tokens, and more than the minimum count (10), is held as a likely configuration mistake.
 */
import { describe, expect, it } from 'vitest';
import { planOrphans, type OrphanInput } from '../../src/reconcile/orphans.js';
import { liveToken, tokenMap } from '../reconcile/fixtures.js';
import { TENANT_A } from '../fixtures/domain.js';
import { uuid } from './prune-world.js';

const REASON = "more than 50% of the tenant's dtp_ tokens; set prune to force if intended";

/** A tenant with `total` tokens, one per cluster; the first `orphans` belong to clusters that are gone. */
function tenantWith(orphans: number, total: number, overrides: Partial<OrphanInput> = {}): OrphanInput {
  const tokens = Array.from({ length: total }, (_, i) => liveToken('operator', uuid(i + 1), ['DataExport']));
  const bound = new Set(tokens.slice(orphans).map((_, i) => uuid(orphans + i + 1)));
  return {
    tokens: new Map([[TENANT_A, tokenMap(...tokens)]]),
    bound: new Map([[TENANT_A, bound]]),
    protectedClusters: new Set(),
    discovered: new Set(bound),
    discoveryComplete: true,
    inShard: () => true,
    prune: 'true',
    ...overrides,
  };
}

describe('prune hold-back threshold', () => {
  it('a prune of exactly half of a tenant’s tokens (12 of 24) goes ahead', () => {
    const plan = planOrphans(tenantWith(12, 24));
    expect(plan.held).toEqual([]);
    expect(plan.revokes).toHaveLength(12);
  });

  it('a prune of one over half (13 of 24) is held, with the share in its reason', () => {
    const plan = planOrphans(tenantWith(13, 24));
    expect(plan.revokes).toEqual([]);
    expect(plan.held).toEqual([{ tenantId: TENANT_A, count: 13, total: 24, reason: REASON }]);
  });

  it('the reason states the configured share', () => {
    const plan = planOrphans(tenantWith(11, 24, { maxShare: 0.25 }));
    expect(plan.held.map((h) => h.reason)).toEqual([
      "more than 25% of the tenant's dtp_ tokens; set prune to force if intended",
    ]);
  });

  it('the minimum count: exactly 10 orphans go even when they are all of a tenant’s tokens', () => {
    const plan = planOrphans(tenantWith(10, 10));
    expect(plan.held).toEqual([]);
    expect(plan.revokes).toHaveLength(10);
  });

  it('the minimum count: 11 orphans that are all of a tenant’s tokens are held', () => {
    const plan = planOrphans(tenantWith(11, 11));
    expect(plan.revokes).toEqual([]);
    expect(plan.held).toEqual([{ tenantId: TENANT_A, count: 11, total: 11, reason: REASON }]);
  });

  it('a few orphans (3 of 4) go although they are most of the tenant', () => {
    expect(planOrphans(tenantWith(3, 4)).revokes).toHaveLength(3);
  });

  it('more than the minimum but under half (11 of 30) goes ahead', () => {
    const plan = planOrphans(tenantWith(11, 30));
    expect(plan.held).toEqual([]);
    expect(plan.revokes).toHaveLength(11);
  });

  it('force revokes past the threshold', () => {
    expect(planOrphans(tenantWith(13, 24, { prune: 'force' })).revokes).toHaveLength(13);
  });
});

describe('prune plan', () => {
  it('with prune off, a tenant without orphans is not reported as held', () => {
    expect(planOrphans(tenantWith(0, 5, { prune: 'false' }))).toEqual({ revokes: [], held: [] });
  });

  it('with prune off, a tenant with orphans is reported as held and nothing is revoked', () => {
    expect(planOrphans(tenantWith(2, 5, { prune: 'false' }))).toEqual({
      revokes: [],
      held: [{ tenantId: TENANT_A, count: 2, total: 5, reason: 'prune is off' }],
    });
  });

  it('revokes come sorted by token id, whatever order the tenant listed them in', () => {
    const input = tenantWith(3, 3);
    const listed = [...input.tokens.get(TENANT_A)!.values()].reverse();
    const plan = planOrphans({ ...input, tokens: new Map([[TENANT_A, tokenMap(...listed)]]) });
    expect(plan.revokes.map((r) => r.id)).toEqual(listed.map((t) => t.id).sort());
    expect(listed.map((t) => t.id)).not.toEqual(listed.map((t) => t.id).sort());
  });
});
