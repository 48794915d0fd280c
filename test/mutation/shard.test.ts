/**
 * Sharding (src/reconcile/shard.ts): every job of a matrix must agree, without talking to the others, which
 * shard owns a cluster. The vectors below are sha256 of the external id, first four bytes big-endian,
 * modulo the shard count, plus one: a change to any of these steps moves clusters between jobs, and two jobs
 * would then both reconcile (or both skip) the same cluster.
 */
import { describe, expect, it } from 'vitest';
import { inShard, shardOf } from '../../src/reconcile/shard.js';

// First 32 bits of its sha256: 2,085,932,396.
const UUID = '0123abcd-4567-89ef-0123-456789abcdef';

describe('shard assignment is a fixed function of the external id', () => {
  it('maps known ids to known shards (1-based, sha256 of the id, first 32 bits, modulo the count)', () => {
    expect([2, 3, 4, 7].map((n) => shardOf(UUID, n))).toEqual([1, 3, 1, 3]);
    expect([2, 3, 4, 7].map((n) => shardOf('c', n))).toEqual([2, 3, 4, 7]);
    expect([2, 3, 4, 7].map((n) => shardOf('b', n))).toEqual([1, 1, 3, 5]);
  });

  it('puts every cluster in shard 1 when there is one shard (or none configured)', () => {
    expect(shardOf(UUID, 1)).toBe(1);
    expect(shardOf('c', 1)).toBe(1);
    expect(shardOf('c', 0)).toBe(1);
  });

  it('gives each cluster exactly one shard of a matrix: the jobs partition the fleet', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `cluster-${i}`);
    const count = 4;
    const owners = ids.map((id) => [1, 2, 3, 4].filter((index) => inShard({ index, count })(id)));
    expect(owners.every((o) => o.length === 1)).toBe(true);
    expect(owners.map((o) => o[0])).toEqual(ids.map((id) => shardOf(id, count)));
    // Not all in one shard: the hash spreads them.
    expect(new Set(owners.map((o) => o[0])).size).toBe(count);
  });

  it('a single job (1/1) owns every cluster', () => {
    const one = inShard({ index: 1, count: 1 });
    expect(['a', 'b', 'c', UUID].every((id) => one(id))).toBe(true);
  });
});
