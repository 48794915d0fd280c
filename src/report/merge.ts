/**
 * `dtp report merge`: the reports of the shards of one run, as one report (and one summary). Every shard
 * discovers all OCM environments but reconciles only its clusters, so clusters and token actions add up,
 * while environments and tenants are the same facts seen several times.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { renderMetrics } from './metrics.js';
import { REPORT_SCHEMA_VERSION, type Breakdown, type CallStat, type Report, type Totals } from './report.js';
import { renderSummary } from './summary.js';
import { mergeRotationSummaries } from '../reconcile/rotation-plan.js';
import { writeJsonFile } from './report-file.js';

function sumInto<T extends object>(target: T, source: T): void {
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number')
      (target as Record<string, number>)[key] = ((target as Record<string, number>)[key] ?? 0) + value;
  }
}

export function mergeReports(reports: readonly Report[]): Report {
  if (reports.length === 0) throw new UserError('no reports to merge');
  const modes = new Set(reports.map((r) => r.mode));
  if (modes.size > 1)
    throw new UserError(
      `the reports are of different modes (${[...modes].join(', ')})`,
      'Merge the shards of one run.',
    );
  const shards = new Set(reports.map((r) => r.shard));
  if (shards.size !== reports.length) {
    throw new UserError(
      `two reports are of the same shard (${reports.map((r) => r.shard).join(', ')})`,
      'Merge each shard once.',
    );
  }

  const first = reports[0]!;
  const rotations = reports.flatMap((r) => (r.rotation ? [r.rotation] : []));
  const totals = { ...first.totals };
  for (const r of reports.slice(1)) sumInto<Totals>(totals, r.totals);

  const breakdown = new Map<string, Breakdown>();
  for (const b of reports.flatMap((r) => r.breakdown)) {
    const key = `${b.ocmEnvironment}\u0000${b.tenantId}`;
    const have = breakdown.get(key);
    if (have) sumInto(have, b);
    else breakdown.set(key, { ...b });
  }
  const calls = new Map<string, CallStat>();
  for (const c of reports.flatMap((r) => r.calls)) {
    const key = `${c.system}\u0000${c.operation}`;
    const have = calls.get(key);
    if (have) sumInto(have, c);
    else calls.set(key, { ...c });
  }
  // The same environment or tenant seen by several shards: keep one entry, preferring one with an error.
  const unique = <T extends { error?: string }>(items: T[], key: (item: T) => string): T[] => {
    const out = new Map<string, T>();
    for (const item of items) if (!out.has(key(item)) || item.error) out.set(key(item), item);
    return [...out.values()].sort((a, b) => key(a).localeCompare(key(b)));
  };
  const stagesMs: Record<string, number> = {};
  for (const r of reports)
    for (const [k, v] of Object.entries(r.stagesMs)) stagesMs[k] = Math.max(stagesMs[k] ?? 0, v);
  const startedAt = reports.map((r) => r.startedAt).sort()[0]!;
  const finishedAt = reports
    .map((r) => r.finishedAt)
    .sort()
    .at(-1)!;
  const startupErrors = reports
    .filter((r) => r.startupError)
    .map((r) => `shard ${r.shard}: ${r.startupError}`);
  // A shard without a report (its job never started, or died) must show, not shrink the fleet silently.
  const missing = missingShards(reports.map((r) => r.shard));
  if (missing.length > 0) startupErrors.push(`no report of shard ${missing.join(', ')}`);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: first.tool,
    mode: first.mode,
    shard: `${reports.length} shards merged`,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    exitCode: Math.max(...reports.map((r) => r.exitCode), missing.length > 0 ? ExitCode.cannotStart : 0),
    ...(startupErrors.length ? { startupError: startupErrors.join('; ') } : {}),
    config: first.config,
    totals,
    environments: unique(
      reports.flatMap((r) => r.environments),
      (e) => e.name,
    ),
    tenants: unique(
      reports.flatMap((r) => r.tenants),
      (t) => t.tenantId,
    ),
    breakdown: [...breakdown.values()].sort(
      (a, b) => a.ocmEnvironment.localeCompare(b.ocmEnvironment) || a.tenantId.localeCompare(b.tenantId),
    ),
    clusters: reports
      .flatMap((r) => r.clusters)
      .sort((a, b) => a.ocmEnvironment.localeCompare(b.ocmEnvironment) || a.name.localeCompare(b.name)),
    skipped: reports.flatMap((r) => r.skipped),
    orphans: {
      planned: reports.flatMap((r) => r.orphans.planned),
      revoked: reports.reduce((n, r) => n + r.orphans.revoked, 0),
      errors: reports.flatMap((r) => r.orphans.errors),
      held: reports.flatMap((r) => r.orphans.held),
    },
    ...(rotations.length > 0 ? { rotation: mergeRotationSummaries(rotations) } : {}),
    calls: [...calls.values()],
    stagesMs,
  };
}

function readReport(path: string): Report {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: not a readable JSON report (${(error as Error).message})`);
  }
  const report = parsed as Partial<Report>;
  if (
    report?.tool?.name !== 'dtp' ||
    report.schemaVersion !== REPORT_SCHEMA_VERSION ||
    !Array.isArray(report.clusters)
  ) {
    throw new UserError(`${path}: not a dtp report of schema version ${REPORT_SCHEMA_VERSION}`);
  }
  return report as Report;
}

/** CLI: `dtp report merge <report.json>... [--out <dir>]`. Writes report.json, summary.md, metrics.prom. */
export async function mergeMain(args: string[]): Promise<{ dir: string; report: Report; shards: number }> {
  const files: string[] = [];
  let out = 'dtp-report-merged';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i] ?? out;
    else if (args[i]!.startsWith('--out=')) out = args[i]!.slice(6);
    else files.push(args[i]!);
  }
  if (files.length === 0)
    throw new UserError('no report files given', 'Usage: dtp report merge <report.json>... [--out <dir>]');
  const report = mergeReports(files.map(readReport));
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  writeJsonFile(join(dir, 'report.json'), report as unknown as Record<string, unknown>);
  writeFileSync(join(dir, 'summary.md'), renderSummary(report));
  writeFileSync(join(dir, 'metrics.prom'), await renderMetrics(report));
  return { dir, report, shards: files.length };
}

/** The shards `i/n` of the run that have no report, when all reports agree on `n`. */
export function missingShards(shards: readonly string[]): string[] {
  const parsed = shards.map((s) => /^(\d+)\/(\d+)$/.exec(s)).filter((m) => m !== null);
  const counts = new Set(parsed.map((m) => Number(m[2])));
  if (parsed.length !== shards.length || counts.size !== 1) return [];
  const n = [...counts][0]!;
  const have = new Set(parsed.map((m) => Number(m[1])));
  return Array.from({ length: n }, (_, i) => i + 1)
    .filter((i) => !have.has(i))
    .map((i) => `${i}/${n}`);
}
