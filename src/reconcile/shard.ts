import { createHash } from 'node:crypto';
import type { Shard } from '../options.js';

/**
 * The shard (1-based) a cluster belongs to: a hash of its external id, so every job of a matrix agrees
 * without talking to the others, and a token (whose name carries the external id) lands in its cluster's shard.
 */
export function shardOf(clusterExternalId: string, count: number): number {
  if (count <= 1) return 1;
  const digest = createHash('sha256').update(clusterExternalId, 'utf8').digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(shard: Shard): (clusterExternalId: string) => boolean {
  if (shard.count <= 1) return () => true;
  return (id) => shardOf(id, shard.count) === shard.index;
}
