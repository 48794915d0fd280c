/**
 * `npm run bench`: dtp (the shipped dist/cli.js, in its own process) against the simulators over loopback
 * HTTP with injected latency and a server-side request-rate limit per OCM environment and per Dynatrace
 * tenant. Prints, per scenario, the calls made against their lower bound, the wall time against its lower
 * bound, retries, 429s and peak RSS, and a verdict per target. `--write` also rewrites BENCHMARKS.md.
 *
 * Options: --only <scenario,...>  --write  --quick (10k scenario at 2,000 clusters, for a smoke run)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import { writeFleetConfig } from '../src/sandbox/fleet.js';
import { startSandbox } from '../src/sandbox/sandbox.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';
import type { FaultSpec, RequestRecord } from '../src/sandbox/server.js';
import type { CallStat } from '../src/report/report.js';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
const quick = args.includes('--quick');
const NODE = join(process.cwd(), 'node_modules/.bin/node');
const CLI = join(process.cwd(), 'dist/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'dtp-bench-'));
/** As the container image runs dtp (Containerfile `ENV NODE_OPTIONS`); `--node-defaults` measures without. */
const NODE_OPTIONS = args.includes('--node-defaults') ? undefined : '--max-semi-space-size=4';

interface RunResult {
  exitCode: number;
  wallMs: number;
  firstRequestMs: number;
  peakRssMb: number;
  records: RequestRecord[];
  report: { totals: Record<string, number>; calls: CallStat[] };
}

interface Conditions {
  latencyMs: number;
  rate: number;
}

/** Runs dtp as a child process against the sandbox and watches its memory and its first request. */
async function runDtp(
  sandbox: Sandbox,
  configDir: string,
  env: Record<string, string>,
  label: string,
): Promise<RunResult> {
  const reportDir = join(tmp, label.replace(/\W+/g, '-'));
  const before = sandbox.records.length;
  const started = Date.now();
  const child = spawn(NODE, [CLI, 'reconcile'], {
    env: {
      PATH: process.env.PATH,
      ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}),
      ...sandbox.settings(),
      DTP_CONFIG: configDir,
      DTP_REPORT_DIR: reportDir,
      DTP_HTTP_TIMEOUT: '30',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let peakKb = 0;
  const watch = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+)/.exec(status);
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // The process has just exited.
    }
  }, 25);
  const exitCode: number = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  clearInterval(watch);
  const wallMs = Date.now() - started;
  const records = sandbox.records.slice(before);
  if (exitCode !== 0)
    console.error(`  ${label}: dtp exited ${exitCode}\n${output.split('\n').slice(-15).join('\n')}`);
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
  return {
    exitCode,
    wallMs,
    firstRequestMs: records.length > 0 ? records[0]!.at - started : NaN,
    peakRssMb: Math.round(peakKb / 1024),
    records,
    report,
  };
}

function setConditions(sandbox: Sandbox, c: Conditions | undefined): void {
  sandbox.clearFaults();
  if (!c) return;
  const spec: FaultSpec = { latencyMs: c.latencyMs, rateLimit: c.rate };
  sandbox.setFaults('ocm', { '*': spec });
  sandbox.setFaults('dynatrace', { '*': spec });
}

/** The fewest calls a steady-state run can make, from the simulators' state. */
function steadyLowerBound(sandbox: Sandbox): { total: number; byPartition: Map<string, number> } {
  const byPartition = new Map<string, number>();
  const add = (key: string, n: number) => byPartition.set(key, (byPartition.get(key) ?? 0) + n);
  const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
  const deliveries = sandbox.deliveries();
  for (const env of sandbox.ocm.environments.values()) {
    const labelled = env.labels.filter((l) => l.key.startsWith('sre-capabilities.dtp.'));
    const subIds = new Set(labelled.filter((l) => l.subscription_id).map((l) => l.subscription_id!));
    const orgIds = new Set(labelled.filter((l) => l.organization_id).map((l) => l.organization_id!));
    const activeSubs = [...env.subscriptions.values()].filter(
      (s) => subIds.has(s.id) || orgIds.has(s.organization_id),
    );
    add(
      `ocm ${env.name}`,
      pages(labelled.length) +
        Math.ceil(subIds.size / 100) +
        Math.ceil(orgIds.size / 100) +
        Math.ceil(activeSubs.length / 100) +
        deliveries.filter((d) => d.environment === env.name).length,
    );
  }
  let tenantsUsed = 0;
  for (const [tenant, state] of sandbox.dynatrace.tenants) {
    const dtp = [...state.tokens.values()].filter((t) => t.name.startsWith('dtp_')).length;
    if (dtp > 0) {
      tenantsUsed++;
      add(`dynatrace ${tenant}`, Math.ceil(dtp / 10_000));
    }
  }
  // One access token per OCM environment; one Vault login and one read per secret (OCM credentials, bootstrap tokens).
  add('sso', sandbox.ocm.environments.size);
  add('vault', 1 + sandbox.ocm.environments.size + tenantsUsed);
  return { total: [...byPartition.values()].reduce((a, b) => a + b, 0), byPartition };
}

function partitionOf(r: RequestRecord): string {
  const seg = r.path.split('/');
  if (r.system === 'ocm') return `ocm ${seg[1]}`;
  if (r.system === 'dynatrace') return `dynatrace ${seg[2]}`;
  return r.system;
}

/** Calls per system and operation, for the table. */
function callTable(records: RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records)
    counts.set(`${r.system} ${r.operation}`, (counts.get(`${r.system} ${r.operation}`) ?? 0) + 1);
  return [...counts]
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** Wall-time lower bound: the busiest rate-limited partition, or latency × calls / concurrency. */
function timeBound(records: RequestRecord[], c: Conditions, concurrency: number): number {
  const limited = records.filter((r) => r.system === 'ocm' || r.system === 'dynatrace');
  const per = new Map<string, number>();
  for (const r of limited) per.set(partitionOf(r), (per.get(partitionOf(r)) ?? 0) + 1);
  const rateBound = (Math.max(0, ...per.values()) / c.rate) * 1000;
  const latencyBound = (limited.length * c.latencyMs) / concurrency;
  return Math.max(rateBound, latencyBound);
}

interface Row {
  scenario: string;
  clusters: number;
  tenants: number;
  conditions: string;
  calls: number;
  callBound?: number;
  wallS: number;
  timeBoundS: number;
  retries: number;
  limited: number;
  rssMb: number;
  firstMs: number;
  detail: string;
  verdicts: string[];
}

const rows: Row[] = [];
const verdict = (ok: boolean, text: string) => `${ok ? 'PASS' : 'FAIL'} ${text}`;

function row(
  scenario: string,
  sandbox: Sandbox,
  config: Config,
  c: Conditions,
  r: RunResult,
  concurrency: number,
  extra: Partial<Row>,
): Row {
  const retries = r.report.calls.reduce((a, s) => a + s.retries, 0);
  const limited = r.records.filter((x) => x.status === 429).length;
  const out: Row = {
    scenario,
    clusters: sandbox.fleet.clusters,
    tenants: config.tenants.size,
    conditions: `${c.latencyMs} ms, ${c.rate}/s`,
    calls: r.records.length,
    wallS: r.wallMs / 1000,
    timeBoundS: timeBound(r.records, c, concurrency) / 1000,
    retries,
    limited,
    rssMb: r.peakRssMb,
    firstMs: r.firstRequestMs,
    detail: callTable(r.records),
    verdicts: [],
    ...extra,
  };
  rows.push(out);
  console.log(
    `  ${scenario}: exit ${r.exitCode}, ${out.calls} calls${out.callBound !== undefined ? ` (bound ${out.callBound})` : ''}, ${out.wallS.toFixed(1)} s (bound ${out.timeBoundS.toFixed(1)} s), ${retries} retries, ${limited} × 429, peak RSS ${out.rssMb} MB, first request after ${out.firstMs} ms`,
  );
  return out;
}

async function fleet(clusters: number, tenants: number, seed: number) {
  const dir = join(tmp, `config-${clusters}-${tenants}-${seed}`);
  writeFleetConfig(dir, { environments: 2, tenants, organizations: 8 });
  const config = (await loadConfig(dir)).config!;
  const sandbox = await startSandbox({
    config,
    fleet: { clusters, seed, mislabelledShare: 0.01, disallowedShare: 0.02 },
    maxRecords: 2_000_000,
  });
  return { dir, config, sandbox };
}

const FAST = { DTP_OCM_RATE_LIMIT: '10000', DTP_DYNATRACE_RATE_LIMIT: '10000', DTP_CONCURRENCY: '64' };

/** The scenarios' common conditions: 50 ms latency and 100 requests/s per API, and dtp told that rate. */
async function paced(sandbox: Sandbox, dir: string, name: string): Promise<{ c: Conditions; r: RunResult }> {
  const c = { latencyMs: 50, rate: 100 };
  setConditions(sandbox, c);
  const r = await runDtp(sandbox, dir, { DTP_OCM_RATE_LIMIT: '100', DTP_DYNATRACE_RATE_LIMIT: '100' }, name);
  return { c, r };
}

async function steady(clusters: number): Promise<void> {
  const name = `steady ${clusters.toLocaleString('en')}`;
  console.log(`\n== ${name}: 8 tenants, 2 OCM environments, 50 ms latency, 100 requests/s per API`);
  const { dir, config, sandbox } = await fleet(clusters, 8, 41);
  try {
    setConditions(sandbox, undefined);
    const setup = await runDtp(sandbox, dir, FAST, `${name} setup`);
    if (setup.exitCode !== 0) throw new Error('setup run failed');
    const c = { latencyMs: 50, rate: 100 };
    setConditions(sandbox, c);
    const bound = steadyLowerBound(sandbox);
    const r = await runDtp(
      sandbox,
      dir,
      { DTP_OCM_RATE_LIMIT: '100', DTP_DYNATRACE_RATE_LIMIT: '100' },
      name,
    );
    const writes = sandbox.writes(r.records).length;
    const out = row(name, sandbox, config, c, r, 64, { callBound: bound.total });
    const dtpCalls = r.records.length;
    const failed = r.report.calls.reduce((a, s) => a + s.errors, 0);
    out.verdicts.push(
      verdict(
        dtpCalls === bound.total && writes === 0,
        `calls = lower bound (${dtpCalls} calls, bound ${bound.total}, ${writes} writes)`,
      ),
    );
    out.verdicts.push(verdict(failed === 0 && r.exitCode === 0, `zero failed calls (${failed})`));
    if (clusters >= 10_000 || quick) {
      const rateBound =
        Math.max(
          ...[...bound.byPartition]
            .filter(([k]) => k.startsWith('ocm') || k.startsWith('dynatrace'))
            .map(([, v]) => v),
        ) / c.rate;
      out.verdicts.push(
        verdict(
          out.wallS <= 1.1 * rateBound,
          `wall ${out.wallS.toFixed(1)} s ≤ 1.1 × calls / permitted rate (${rateBound.toFixed(1)} s → ${(1.1 * rateBound).toFixed(1)} s); ratio ${(out.wallS / rateBound).toFixed(2)}`,
        ),
      );
      out.verdicts.push(verdict(out.rssMb <= 200, `peak RSS ${out.rssMb} MB ≤ 200 MB`));
    }
    out.verdicts.push(verdict(out.firstMs <= 300, `start to first request ${out.firstMs} ms ≤ 300 ms`));
  } finally {
    await sandbox.close();
  }
}

async function cold(): Promise<void> {
  const name = 'cold 1,000';
  console.log(`\n== ${name}: every cluster new; 50 ms latency, 100 requests/s per API`);
  const { dir, config, sandbox } = await fleet(1000, 8, 42);
  try {
    const { c, r } = await paced(sandbox, dir, name);
    const audit = sandbox.audit();
    const writes = sandbox.writes(r.records).filter((x) => x.status < 400);
    const mints = writes.filter((x) => x.operation === 'createToken').length;
    const creates = writes.filter(
      (x) => x.operation === 'createSyncSet' || x.operation === 'createManifest',
    ).length;
    const other = writes.length - mints - creates;
    const out = row(name, sandbox, config, c, r, 64, {});
    out.verdicts.push(
      verdict(
        mints === audit.tokens && creates === audit.deliveries && other === 0,
        `one write per token (${mints} for ${audit.tokens}) and per delivery object (${creates} for ${audit.deliveries}), ${other} other writes`,
      ),
    );
    out.verdicts.push(
      verdict(
        audit.orphanTokens.length + audit.deadSecrets.length + audit.duplicateNames.length === 0,
        'no orphan, dead Secret or duplicate',
      ),
    );
    out.verdicts.push(verdict(out.firstMs <= 300, `start to first request ${out.firstMs} ms ≤ 300 ms`));
  } finally {
    await sandbox.close();
  }
}

async function churn(): Promise<void> {
  const name = 'churn 1,000';
  console.log(`\n== ${name}: +5% clusters, 2% revoked tokens, one spec's scopes changed; 50 ms, 100/s`);
  const { dir, config, sandbox } = await fleet(1000, 8, 43);
  try {
    await runDtp(sandbox, dir, FAST, `${name} setup`);
    sandbox.fleet.grow(50);
    const tokens = [...sandbox.dynatrace.tenants.values()].flatMap((t) =>
      [...t.tokens.values()].filter((x) => x.name.startsWith('dtp_')).map((x) => ({ t, x })),
    );
    const revoked = tokens.filter((_, i) => i % 50 === 0);
    for (const { t, x } of revoked) t.remove(x.id);
    const specs = readFileSync(join(dir, 'token-specs.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'token-specs.yaml'),
      specs.replace(
        'scopes: [openTelemetryTrace.ingest, metrics.ingest, logs.ingest]',
        'scopes: [openTelemetryTrace.ingest, metrics.ingest]',
      ),
    );
    const { c, r } = await paced(sandbox, dir, name);
    const audit = sandbox.audit();
    const out = row(name, sandbox, config, c, r, 64, {});
    const t = r.report.totals;
    out.detail = `new clusters 50, revoked ${revoked.length}; created ${t.tokensCreated}, re-minted ${t.tokensReminted}, updated ${t.tokensUpdated}, deliveries created ${t.deliveriesCreated}, patched ${t.deliveriesPatched}; ${out.detail}`;
    out.verdicts.push(
      verdict(
        r.exitCode === 0 &&
          audit.orphanTokens.length + audit.deadSecrets.length + audit.duplicateNames.length === 0,
        'converged: no orphan, dead Secret or duplicate',
      ),
    );
    out.verdicts.push(
      verdict(
        t.tokensReminted! >= revoked.length,
        `every revoked token re-minted (${t.tokensReminted} ≥ ${revoked.length})`,
      ),
    );
  } finally {
    await sandbox.close();
  }
}

async function sideBySide(): Promise<void> {
  const name = 'reference shape';
  console.log(
    `\n== ${name}: 1,000 clusters steady, 100 ms latency, 500 requests/s; concurrency 1 vs dtp defaults`,
  );
  const { dir, config, sandbox } = await fleet(1000, 8, 44);
  try {
    await runDtp(sandbox, dir, FAST, `${name} setup`);
    const c = { latencyMs: 100, rate: 500 };
    setConditions(sandbox, c);
    const serial = await runDtp(
      sandbox,
      dir,
      { DTP_CONCURRENCY: '1', DTP_OCM_RATE_LIMIT: '10000', DTP_DYNATRACE_RATE_LIMIT: '10000' },
      `${name} serial`,
    );
    row(`${name}, concurrency 1`, sandbox, config, c, serial, 1, {});
    const defaults = await runDtp(sandbox, dir, {}, `${name} defaults`);
    const out = row(`${name}, dtp defaults`, sandbox, config, c, defaults, 64, {});
    const speedup = serial.wallMs / defaults.wallMs;
    out.verdicts.push(
      verdict(speedup >= 20, `${speedup.toFixed(1)}× faster than concurrency 1 (target ≥ 20×)`),
    );
  } finally {
    await sandbox.close();
  }
}

const scenarios: Record<string, () => Promise<void>> = {
  'steady-1k': () => steady(1000),
  'steady-10k': () => steady(quick ? 2000 : 10_000),
  cold: cold,
  churn: churn,
  reference: sideBySide,
};

const startedAt = Date.now();
for (const [key, fn] of Object.entries(scenarios)) {
  if (only && !only.includes(key)) continue;
  await fn();
}

const table = [
  '| scenario | clusters | tenants | latency, limit | calls (bound) | wall s (bound) | ratio | retries | 429s | peak RSS MB | first request ms |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.clusters} | ${r.tenants} | ${r.conditions} | ${r.calls}${r.callBound !== undefined ? ` (${r.callBound})` : ''} | ${r.wallS.toFixed(1)} (${r.timeBoundS.toFixed(1)}) | ${(r.wallS / Math.max(0.001, r.timeBoundS)).toFixed(2)} | ${r.retries} | ${r.limited} | ${r.rssMb} | ${r.firstMs} |`,
  ),
].join('\n');
const verdicts = rows.flatMap((r) => r.verdicts.map((v) => `- ${r.scenario}: ${v}`)).join('\n');
const calls = rows.map((r) => `- ${r.scenario}: ${r.detail}`).join('\n');
console.log(
  `\n${table}\n\nTargets:\n${verdicts}\n\nCalls by system and operation:\n${calls}\n\n(bench took ${((Date.now() - startedAt) / 1000).toFixed(0)} s)`,
);

if (args.includes('--write')) {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.versions.node}, ${process.platform}`;
  const previous = readFileSync('BENCHMARKS.md', 'utf8');
  const start = previous.indexOf('<!-- bench:start -->');
  const end = previous.indexOf('<!-- bench:end -->');
  const block = `<!-- bench:start -->\nCommand: \`npm run bench -- --write\` · ${new Date().toISOString().slice(0, 10)} · ${machine}\n\n${table}\n\nTargets:\n\n${verdicts}\n\nCalls by system and operation:\n\n${calls}\n<!-- bench:end -->`;
  const text =
    start >= 0 && end > start
      ? previous.slice(0, start) + block + previous.slice(end + '<!-- bench:end -->'.length)
      : `${previous}\n${block}\n`;
  // Formatted as the lint step expects, so a fresh run of the benchmark keeps CI green.
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig('BENCHMARKS.md')) ?? {};
  writeFileSync('BENCHMARKS.md', await prettier.format(text, { ...config, filepath: 'BENCHMARKS.md' }));
  console.log('BENCHMARKS.md updated');
}
