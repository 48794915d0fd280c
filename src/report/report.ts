/**
 * report.json: the facts of one run for machines (schema in schemas/report.schema.json). The job summary
 * and the metrics are rendered from this object, so the three never disagree. It holds ids and names,
 * never a token value: values live only in `Secret` objects, which serialise as "[secret]".
 */
import type { EngineResult } from '../reconcile/engine.js';
import type { Denial, MintReason, PlannedRevoke } from '../reconcile/model.js';
import type { OrphanHold } from '../reconcile/orphans.js';
import type { Interruption } from '../reconcile/result.js';
import type { RotationSummary } from '../reconcile/rotation-plan.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface CallStat {
  system: string;
  operation: string;
  calls: number;
  retries: number;
  rateLimited: number;
  errors: number;
  totalMs: number;
}

export interface Totals {
  clusters: number;
  unchanged: number;
  changed: number;
  planned: number;
  failed: number;
  denied: number;
  skipped: number;
  tokensCreated: number;
  tokensReminted: number;
  tokensUpdated: number;
  tokensRevoked: number;
  tokensCompensated: number;
  deliveriesCreated: number;
  deliveriesPatched: number;
  serviceLogs: number;
}

export interface Breakdown {
  ocmEnvironment: string;
  tenantId: string;
  clusters: number;
  tokensCreated: number;
  tokensReminted: number;
  tokensUpdated: number;
  tokensUnchanged: number;
  tokensRevoked: number;
  deliveriesCreated: number;
  deliveriesPatched: number;
}

export interface ClusterEntry {
  ocmEnvironment: string;
  id: string;
  externalId: string;
  name: string;
  organizationId: string;
  kind: 'SyncSet' | 'Manifest';
  status: 'unchanged' | 'changed' | 'planned' | 'failed' | 'denied';
  bindings: { key: string; tenantId: string; specName: string }[];
  denials: Denial[];
  delivery?: 'create' | 'patch' | 'none';
  deliveryReasons?: string[];
  /** Token actions (only what changes; unchanged tokens are counted, not listed). */
  tokens?: {
    tenantId: string;
    secret: string;
    key: string;
    name: string;
    /** `rotate`: a successor for a token due for rotation (the delivered one is kept until pickup). */
    action: 'create' | 'remint' | 'rotate' | 'update';
    reason?: string;
    id?: string;
  }[];
  revokes?: PlannedRevoke[];
  errors: string[];
  serviceLog?: string;
}

export interface Report {
  schemaVersion: number;
  tool: { name: 'dtp'; version: string };
  mode: 'validate' | 'plan' | 'reconcile';
  shard: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  exitCode: number;
  /** The run was stopped by a signal: everything else in the report is what happened before the stop. */
  interrupted?: Interruption;
  /** Why the run could not start (exit code 3), if it could not. */
  startupError?: string;
  config: { dir: string; files: number };
  totals: Totals;
  environments: EngineResult['environments'];
  tenants: EngineResult['tenants'];
  breakdown: Breakdown[];
  clusters: ClusterEntry[];
  skipped: { ocmEnvironment: string; id: string; name: string; reason: string }[];
  orphans: {
    planned: PlannedRevoke[];
    revoked: number;
    errors: string[];
    held: OrphanHold[];
    /** Clusters that lost every binding: their delivery object, removed before their tokens. */
    unbound?: EngineResult['orphans']['unbound'];
  };
  /** Tenants whose re-mints the blast-radius guard held back (setting remint). */
  remintHeld?: EngineResult['remintHeld'];
  /** Token lifetimes (token specs with maxAge); absent when no delivered token has one. */
  rotation?: RotationReport;
  calls: CallStat[];
  stagesMs: Record<string, number>;
}

/**
 * Expiry and rotation in one run. `rotationsStarted` and `rotationsCompleted` count what was carried out
 * (in plan mode: what reconcile would do); the others describe the fleet as it was found.
 */
export type RotationReport = RotationSummary;

export interface ReportContext {
  version: string;
  shard: string;
  configDir: string;
  configFiles: number;
  exitCode: number;
  calls: CallStat[];
}

export const emptyTotals = (): Totals => ({
  clusters: 0,
  unchanged: 0,
  changed: 0,
  planned: 0,
  failed: 0,
  denied: 0,
  skipped: 0,
  tokensCreated: 0,
  tokensReminted: 0,
  tokensUpdated: 0,
  tokensRevoked: 0,
  tokensCompensated: 0,
  deliveriesCreated: 0,
  deliveriesPatched: 0,
  serviceLogs: 0,
});

export function buildReport(result: EngineResult, context: ReportContext): Report {
  const totals = emptyTotals();
  const breakdown = new Map<string, Breakdown>();
  const row = (env: string, tenantId: string): Breakdown => {
    const key = `${env}\u0000${tenantId}`;
    let entry = breakdown.get(key);
    if (!entry) {
      entry = {
        ocmEnvironment: env,
        tenantId,
        clusters: 0,
        tokensCreated: 0,
        tokensReminted: 0,
        tokensUpdated: 0,
        tokensUnchanged: 0,
        tokensRevoked: 0,
        deliveriesCreated: 0,
        deliveriesPatched: 0,
      };
      breakdown.set(key, entry);
    }
    return entry;
  };
  const planMode = result.mode === 'plan';

  const clusters: ClusterEntry[] = result.clusters.map((c) => {
    totals.clusters++;
    totals[c.status]++;
    const entry: ClusterEntry = {
      ...c.cluster,
      kind: c.kind,
      status: c.status,
      bindings: c.bindings,
      denials: c.denials,
      errors: c.errors,
    };
    const plan = c.plan;
    if (!plan) return entry;
    // Counts per tenant follow the plan where it was carried out (or, in plan mode, would be).
    const realised = planMode || c.status === 'changed' || c.status === 'unchanged';
    const tenantsOfCluster = new Set<string>();
    const tokens: NonNullable<ClusterEntry['tokens']> = [];
    for (const secret of plan.secrets) {
      tenantsOfCluster.add(secret.tenantId);
      for (const token of secret.tokens) {
        const r = row(c.cluster.ocmEnvironment, token.tenantId);
        const where = {
          tenantId: token.tenantId,
          secret: `${secret.namespace}/${secret.name}`,
          key: token.key,
          name: token.expectedName,
        };
        if (token.source.kind === 'mint') {
          const action = mintAction(token.source.reason);
          tokens.push({ ...where, action, reason: token.source.reason });
          if (realised && action !== 'rotate') r[action === 'create' ? 'tokensCreated' : 'tokensReminted']++;
        } else if (token.update) {
          tokens.push({ ...where, action: 'update', id: token.update.id, reason: updateReason(token) });
          if (realised) r.tokensUpdated++;
        } else {
          r.tokensUnchanged++;
        }
      }
    }
    for (const tenantId of tenantsOfCluster) row(c.cluster.ocmEnvironment, tenantId).clusters++;
    for (const revoke of plan.revokes)
      if (realised) row(c.cluster.ocmEnvironment, revoke.tenantId).tokensRevoked++;
    if (realised && plan.delivery !== 'none') {
      const created = planMode ? plan.delivery === 'create' : c.result?.delivery === 'created';
      for (const tenantId of tenantsOfCluster) {
        row(c.cluster.ocmEnvironment, tenantId)[created ? 'deliveriesCreated' : 'deliveriesPatched']++;
      }
    }
    if (planMode) {
      totals.tokensCreated += tokens.filter((t) => t.action === 'create').length;
      totals.tokensReminted += tokens.filter((t) => t.action === 'remint').length;
      totals.tokensUpdated += tokens.filter((t) => t.action === 'update').length;
      totals.tokensRevoked += plan.revokes.length;
      if (plan.delivery === 'create') totals.deliveriesCreated++;
      if (plan.delivery === 'patch') totals.deliveriesPatched++;
    } else if (c.result) {
      totals.tokensCreated += c.result.tokensCreated;
      totals.tokensReminted += c.result.tokensReminted;
      totals.tokensUpdated += c.result.tokensUpdated;
      totals.tokensRevoked += c.result.tokensRevoked;
      totals.tokensCompensated += c.result.compensated;
      if (c.result.delivery === 'created') totals.deliveriesCreated++;
      if (c.result.delivery === 'patched') totals.deliveriesPatched++;
      if (c.result.serviceLog === 'posted') totals.serviceLogs++;
    }
    return {
      ...entry,
      delivery: plan.delivery,
      ...(plan.deliveryReasons.length ? { deliveryReasons: plan.deliveryReasons } : {}),
      ...(tokens.length ? { tokens } : {}),
      ...(plan.revokes.length ? { revokes: plan.revokes } : {}),
      ...(c.result?.serviceLog ? { serviceLog: c.result.serviceLog } : {}),
    };
  });
  totals.skipped = result.skipped.length;
  totals.tokensRevoked += planMode ? result.orphans.planned.length : result.orphans.revoked;

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'dtp', version: context.version },
    mode: result.mode,
    shard: context.shard,
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    durationMs: result.finishedAt.getTime() - result.startedAt.getTime(),
    exitCode: context.exitCode,
    ...(result.interrupted ? { interrupted: result.interrupted } : {}),
    config: { dir: context.configDir, files: context.configFiles },
    totals,
    environments: result.environments,
    tenants: result.tenants,
    breakdown: [...breakdown.values()].sort(
      (a, b) => a.ocmEnvironment.localeCompare(b.ocmEnvironment) || a.tenantId.localeCompare(b.tenantId),
    ),
    clusters,
    skipped: result.skipped.map((s) => ({
      ocmEnvironment: s.cluster.ocmEnvironment,
      id: s.cluster.id,
      name: s.cluster.name,
      reason: s.reason,
    })),
    orphans: result.orphans,
    ...(result.remintHeld.length > 0 ? { remintHeld: result.remintHeld } : {}),
    ...(result.rotation ? { rotation: rotationReport(result, clusters) } : {}),
    calls: context.calls,
    stagesMs: result.stagesMs,
  };
}

function mintAction(reason: MintReason): 'create' | 'remint' | 'rotate' {
  return reason === 'new' ? 'create' : reason === 'rotation' ? 'rotate' : 'remint';
}

/** The engine's rotation counts, with started and completed counted where the plan was carried out. */
function rotationReport(result: EngineResult, clusters: readonly ClusterEntry[]): RotationReport {
  const planMode = result.mode === 'plan';
  const realised = clusters.filter((c) => planMode || c.status === 'changed' || c.status === 'unchanged');
  const carriedOut = (tenantId?: string) => {
    const of = (t: { tenantId: string }) => tenantId === undefined || t.tenantId === tenantId;
    const completed = { pickup: 0, grace: 0, expired: 0 };
    for (const revoke of realised.flatMap((c) => c.revokes ?? []).filter(of)) {
      if (revoke.reason === 'rotated' && revoke.proof) completed[revoke.proof]++;
    }
    const tokens = realised.flatMap((c) => c.tokens ?? []).filter(of);
    return {
      rotationsStarted: tokens.filter((t) => t.action === 'rotate').length,
      rotationsCompleted: completed,
    };
  };
  const summary = result.rotation!;
  return {
    ...summary,
    ...carriedOut(),
    tenants: summary.tenants.map((t) => ({ ...t, ...carriedOut(t.tenantId) })),
  };
}

/** Why a token is fixed in place, as the summary shows it: `+metrics.read -logs.read`, or `renamed`. */
function updateReason(token: {
  scopes: string[];
  expectedName: string;
  update?: { fromName: string; fromScopes: string[] };
}): string {
  const from = new Set(token.update?.fromScopes ?? []);
  const to = new Set(token.scopes);
  const diff = [
    ...token.scopes.filter((s) => !from.has(s)).map((s) => `+${s}`),
    ...[...from].filter((s) => !to.has(s)).map((s) => `-${s}`),
  ];
  if (token.update && token.update.fromName !== token.expectedName) diff.push('renamed');
  return diff.length ? diff.join(' ') : 'drift';
}

/** A report for a run that stopped before the engine ran (exit code 3): the summary still says why. */
export function startupFailureReport(
  mode: Report['mode'],
  error: string,
  context: Omit<ReportContext, 'exitCode'>,
  startedAt: Date,
): Report {
  const now = new Date();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'dtp', version: context.version },
    mode,
    shard: context.shard,
    startedAt: startedAt.toISOString(),
    finishedAt: now.toISOString(),
    durationMs: now.getTime() - startedAt.getTime(),
    exitCode: 3,
    startupError: error,
    config: { dir: context.configDir, files: context.configFiles },
    totals: emptyTotals(),
    environments: [],
    tenants: [],
    breakdown: [],
    clusters: [],
    skipped: [],
    orphans: { planned: [], revoked: 0, errors: [], held: [] },
    calls: context.calls,
    stagesMs: {},
  };
}
