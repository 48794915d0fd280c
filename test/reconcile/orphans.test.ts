import { describe, expect, it } from 'vitest';
import { planOrphans, type OrphanInput } from '../../src/reconcile/orphans.js';
import { inShard, shardOf } from '../../src/reconcile/shard.js';
import { liveToken, tokenMap } from './fixtures.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const T = 'abc12345';

function input(
  overrides: Partial<OrphanInput>,
  tokens = [1, 2, 3, 4].map((n) => liveToken('operator', uuid(n), ['DataExport'])),
): OrphanInput {
  return {
    tokens: new Map([[T, tokenMap(...tokens)]]),
    bound: new Map([[T, new Set([uuid(1), uuid(2), uuid(3)])]]),
    protectedClusters: new Set(),
    discovered: new Set([uuid(1), uuid(2), uuid(3)]),
    discoveryComplete: true,
    inShard: () => true,
    prune: 'true',
    ...overrides,
  };
}

describe('planOrphans', () => {
  it('revokes tokens of a cluster that is gone', () => {
    const plan = planOrphans(input({}));
    expect(plan.revokes.map((r) => [r.name.includes(uuid(4)), r.reason])).toEqual([[true, 'orphan']]);
  });

  it('revokes tokens of a discovered cluster whose binding to the tenant is gone', () => {
    const plan = planOrphans(input({ discovered: new Set([uuid(1), uuid(2), uuid(3), uuid(4)]) }));
    expect(plan.revokes.map((r) => r.reason)).toEqual(['binding-removed']);
  });

  it('leaves tokens of protected clusters (not ready, failed) alone', () => {
    expect(planOrphans(input({ protectedClusters: new Set([uuid(4)]) })).revokes).toEqual([]);
  });

  it('leaves unknown clusters alone when an OCM environment could not be read', () => {
    expect(planOrphans(input({ discoveryComplete: false })).revokes).toEqual([]);
  });

  it('only touches tokens of its own shard', () => {
    expect(planOrphans(input({ inShard: (id) => id !== uuid(4) })).revokes).toEqual([]);
  });

  it('holds back when most of a tenant would go, unless forced', () => {
    const many = Array.from({ length: 30 }, (_, i) => liveToken('operator', uuid(100 + i), ['DataExport']));
    const held = planOrphans(input({}, many));
    expect(held.revokes).toEqual([]);
    expect(held.held).toEqual([expect.objectContaining({ tenantId: T, count: 30, total: 30 })]);
    expect(planOrphans(input({ prune: 'force' }, many)).revokes).toHaveLength(30);
  });

  it('reports but does not revoke when prune is off', () => {
    const plan = planOrphans(input({ prune: 'false' }));
    expect(plan.revokes).toEqual([]);
    expect(plan.held).toEqual([expect.objectContaining({ count: 1, reason: 'prune is off' })]);
  });
});

describe('sharding', () => {
  it('puts every cluster in exactly one shard, spread roughly evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const id = uuid(i);
      const owners = [1, 2, 3, 4].filter((index) => inShard({ index, count: 4 })(id));
      expect(owners).toEqual([shardOf(id, 4)]);
      counts[owners[0]! - 1]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });
});
