/**
 * Tokens whose cluster no longer asks for them: the cluster was deleted, lost its labels, or its binding to
 * the tenant was removed or denied. The reference implementation never removed them; dtp does, carefully.
 */
import { parseTokenName } from './naming.js';
import type { PlannedRevoke } from './model.js';
import type { TenantTokens } from './plan.js';

export interface OrphanInput {
  /** Live dtp_ tokens per tenant that was listed this run. */
  tokens: ReadonlyMap<string, TenantTokens>;
  /** Per tenant, the external ids of clusters with an allowed binding to it (their tokens are planned per cluster). */
  bound: ReadonlyMap<string, ReadonlySet<string>>;
  /** Clusters found in OCM that must not be touched: not ready, not managed, failed this run. */
  protectedClusters: ReadonlySet<string>;
  /** Clusters found in OCM (any state). Tokens of other clusters are orphans only if discovery was complete. */
  discovered: ReadonlySet<string>;
  discoveryComplete: boolean;
  inShard: (clusterExternalId: string) => boolean;
  prune: 'true' | 'false' | 'force';
  /** Above this share of a tenant's dtp_ tokens, pruning is held back (a config mistake, not cleanup). */
  maxShare?: number;
  /** ...but small numbers are always allowed. */
  alwaysAllowed?: number;
}

export interface OrphanHold {
  tenantId: string;
  count: number;
  total: number;
  reason: string;
}

export interface OrphanPlan {
  revokes: PlannedRevoke[];
  held: OrphanHold[];
}

export function planOrphans(input: OrphanInput): OrphanPlan {
  const maxShare = input.maxShare ?? 0.5;
  const alwaysAllowed = input.alwaysAllowed ?? 10;
  const revokes: PlannedRevoke[] = [];
  const held: OrphanHold[] = [];
  for (const [tenantId, live] of input.tokens) {
    const bound = input.bound.get(tenantId) ?? new Set<string>();
    const orphans: PlannedRevoke[] = [];
    for (const token of live.values()) {
      const owner = parseTokenName(token.name)?.clusterExternalId;
      if (!owner || bound.has(owner) || input.protectedClusters.has(owner) || !input.inShard(owner)) continue;
      const known = input.discovered.has(owner);
      // Unknown cluster + incomplete discovery: maybe it lives in the OCM environment that failed. Leave it.
      if (!known && !input.discoveryComplete) continue;
      orphans.push({
        tenantId,
        id: token.id,
        name: token.name,
        reason: known ? 'binding-removed' : 'orphan',
      });
    }
    if (orphans.length === 0) continue;
    if (input.prune === 'false') {
      held.push({ tenantId, count: orphans.length, total: live.size, reason: 'prune is off' });
      continue;
    }
    if (input.prune !== 'force' && orphans.length > alwaysAllowed && orphans.length > maxShare * live.size) {
      held.push({
        tenantId,
        count: orphans.length,
        total: live.size,
        reason: `more than ${Math.round(maxShare * 100)}% of the tenant's dtp_ tokens; set prune to force if intended`,
      });
      continue;
    }
    revokes.push(...orphans.sort((a, b) => a.id.localeCompare(b.id)));
  }
  return { revokes, held };
}
