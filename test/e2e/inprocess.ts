/** One dtp run in this process against a sandbox, with what it printed, wrote and reported. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgainst } from '../../src/sandbox/cli.js';
import type { CheckedSandbox } from '../sandbox/harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'dtp-e2e-'));
let runNo = 0;

export interface Captured {
  exitCode: number;
  out: string[];
  reportDir: string;
  /** Write requests of this run, by operation. */
  writes: Record<string, number>;
  summary: string;
  report: {
    totals: Record<string, number>;
    clusters: { status: string; name: string; errors: string[]; denials: unknown[] }[];
  } & Record<string, unknown>;
}

export async function dtp(
  h: CheckedSandbox,
  mode: 'plan' | 'reconcile',
  extra: Record<string, string> = {},
): Promise<Captured> {
  const reportDir = join(tmp, `run-${++runNo}`);
  const out: string[] = [];
  const before = h.sandbox.records.length;
  const outcome = await runAgainst(
    h.sandbox,
    mode,
    { DTP_CONFIG: h.configDir, DTP_REPORT_DIR: reportDir, DTP_MAX_RETRIES: '6', ...extra },
    { stdout: (l) => out.push(l), stderr: (l) => out.push(l) },
  );
  const writes: Record<string, number> = {};
  for (const r of h.sandbox.writes(h.sandbox.records.slice(before)))
    writes[r.operation] = (writes[r.operation] ?? 0) + 1;
  return {
    exitCode: outcome.exitCode,
    out,
    reportDir,
    writes,
    summary: readFileSync(join(reportDir, 'summary.md'), 'utf8'),
    report: JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')),
  };
}
