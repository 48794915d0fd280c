/**
 * The blast-radius guard of re-minting, like prune's: a tenant where more than half of the delivered tokens
 * would be re-minted in one run (and more than a handful) is more likely lying or misconfigured than
 * revoked by hand. Its re-mints are held and reported unless `remint` is `force`.
 */
import type { ClusterPlan } from './model.js';
import type { RemintHold } from './result.js';

export interface RemintGuard {
  remint: 'true' | 'force';
  maxShare?: number;
  /** Re-mints always allowed per tenant, whatever the share. */
  alwaysAllowed?: number;
}

export function remintHolds(plans: Iterable<ClusterPlan>, guard: RemintGuard): RemintHold[] {
  if (guard.remint === 'force') return [];
  const maxShare = guard.maxShare ?? 0.5;
  const alwaysAllowed = guard.alwaysAllowed ?? 10;
  const delivered = new Map<string, number>();
  const reminted = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const plan of plans) {
    for (const secret of plan.secrets) {
      for (const token of secret.tokens) {
        // A token that was delivered is either kept or re-minted; `new` ones never were.
        // A rotation keeps the delivered token: it is neither lost nor re-minted.
        if (token.source.kind === 'existing' || token.source.reason === 'rotation')
          add(delivered, token.tenantId);
        else if (token.source.reason !== 'new') {
          add(delivered, token.tenantId);
          add(reminted, token.tenantId);
        }
      }
    }
  }
  const holds: RemintHold[] = [];
  for (const [tenantId, count] of [...reminted].sort(([a], [b]) => a.localeCompare(b))) {
    const total = delivered.get(tenantId)!;
    if (count <= alwaysAllowed || count <= maxShare * total) continue;
    holds.push({
      tenantId,
      count,
      delivered: total,
      reason: `${count} of ${total} delivered tokens would be re-minted (more than ${Math.round(maxShare * 100)}%); set remint to force if intended`,
    });
  }
  return holds;
}

/** Whether a plan re-mints a token of one of these tenants. */
export function remintsIn(plan: ClusterPlan, tenants: ReadonlySet<string>): boolean {
  return plan.secrets.some((s) =>
    s.tokens.some(
      (t) =>
        t.source.kind === 'mint' &&
        t.source.reason !== 'new' &&
        t.source.reason !== 'rotation' &&
        tenants.has(t.tenantId),
    ),
  );
}
