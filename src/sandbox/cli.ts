/**
 * `dtp sandbox`: the simulators with a demo fleet, and the settings to point dtp at them.
 * `dtp demo` (npm start): the sandbox, a cold reconcile, then a steady-state run that must change nothing.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ExitCode, UserError } from '../errors.js';
import { shellQuote } from '../escape.js';
import { envName, resolveOptions } from '../options.js';
import { plainPlatform } from '../platform/plain.js';
import { runWithReport } from '../run.js';
import { startSandbox } from './sandbox.js';
import type { Sandbox } from './sandbox.js';
import type { FleetDescription } from './fleet.js';
import { closeHttpAgents } from '../clients/http.js';

const SANDBOX_USAGE = `dtp sandbox — OCM, Dynatrace and Vault simulators on 127.0.0.1 with a seeded fleet

Usage: dtp sandbox [--config tenants] [--clusters 1000] [--seed 1] [--hcp-share 0.3] [--write-env path] [--json]

Prints the settings (DTP_* variables) that point dtp at the simulators, then serves until Ctrl-C.
The credentials it prints are the sandbox's own, valid only against it.`;

async function loadOrFail(dir: string): Promise<Config> {
  const loaded = await loadConfig(dir);
  if (!loaded.config) {
    const first = loaded.diagnostics.find((d) => d.severity === 'error');
    throw new UserError(
      `configuration in ${dir} is invalid${first ? `: ${first.file}:${first.line}: ${first.message}` : ''}`,
      'Run `dtp validate --config <dir>` to see every problem.',
    );
  }
  return loaded.config;
}

function number(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UserError(`--${name} must be a number between ${min} and ${max}, got "${value}"`);
  }
  return n;
}

export async function sandboxMain(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        clusters: { type: 'string' },
        seed: { type: 'string' },
        'hcp-share': { type: 'string' },
        'write-env': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UserError((error as Error).message, 'Run `dtp sandbox --help`.');
  }
  if (parsed.help) {
    console.log(SANDBOX_USAGE);
    return ExitCode.ok;
  }
  const started = performance.now();
  const configDir = parsed.config ?? 'tenants';
  const config = await loadOrFail(configDir);
  const fleet: FleetDescription = {
    clusters: number(parsed.clusters, 'clusters', 1000, 0, 200_000),
    seed: number(parsed.seed, 'seed', 1, 0, 2 ** 31),
    hcpShare: number(parsed['hcp-share'], 'hcp-share', 0.3, 0, 1),
  };
  const sandbox = await startSandbox({ config, fleet, maxRecords: 100_000 });
  const settings = { ...sandbox.settings(), DTP_CONFIG: configDir };
  const readyMs = Math.round(performance.now() - started);
  if (parsed['write-env']) {
    writeFileSync(
      parsed['write-env'],
      Object.entries(settings)
        .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
        .join('\n') + '\n',
      { mode: 0o600 },
    );
  }
  if (parsed.json) {
    console.log(
      JSON.stringify({
        readyMs,
        clusters: fleet.clusters,
        labelled: sandbox.fleet.labelled,
        urls: Object.fromEntries(Object.entries(sandbox.servers).map(([k, s]) => [k, s.url])),
        settings,
      }),
    );
  } else {
    console.log(
      `sandbox ready in ${readyMs} ms: ${fleet.clusters} clusters (${sandbox.fleet.labelled} labelled for dtp), config ${configDir}`,
    );
    for (const [name, server] of Object.entries(sandbox.servers))
      console.log(`  ${name.padEnd(10)} ${server.url}`);
    console.log('\nPoint dtp at it (sandbox-only credentials):\n');
    for (const [k, v] of Object.entries(settings)) console.log(`export ${k}=${shellQuote(v)}`);
    console.log('\nthen: npx dtp plan   or   npx dtp reconcile        (Ctrl-C stops the sandbox)');
  }
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  await sandbox.close();
  return ExitCode.ok;
}

/** One in-process run of dtp against the sandbox, with the sandbox's settings. */
export async function runAgainst(
  sandbox: Sandbox,
  mode: 'plan' | 'reconcile',
  extra: Record<string, string> = {},
  output: { stdout?: (line: string) => void; stderr?: (line: string) => void } = {},
) {
  const settings: Record<string, string> = {
    ...sandbox.settings(),
    DTP_MODE: mode,
    DTP_HTTP_TIMEOUT: '10',
    DTP_SERVICE_LOGS: 'true',
    ...extra,
  };
  // The engine decides expiry and rotation by the simulators' clock, which tests move between runs.
  const options = { ...resolveOptions((name) => settings[envName(name)]), now: () => sandbox.clock.date() };
  const platform = plainPlatform({
    summaryPath: join(options.reportDir, 'summary.md'),
    verbose: options.verbose,
    logFormat: options.logFormat,
    ...output,
  });
  return runWithReport(options, platform);
}

export async function demoMain(args: string[]): Promise<number> {
  const configDir = args.find((a) => !a.startsWith('-')) ?? 'tenants';
  const config = await loadOrFail(configDir);
  const outDir = resolve('dtp-report');
  const sandbox = await startSandbox({ config, fleet: { clusters: 60, seed: 7 } });
  try {
    console.log(
      `== sandbox: ${sandbox.fleet.clusters} clusters in ${config.ocmEnvironments.size} OCM environments, ${config.tenants.size} Dynatrace tenants (config ${configDir})`,
    );
    const reconcile = async (name: string) => {
      const before = sandbox.records.length;
      const outcome = await runAgainst(sandbox, 'reconcile', {
        DTP_CONFIG: configDir,
        DTP_REPORT_DIR: join(outDir, name),
      });
      return { outcome, writes: sandbox.writes(sandbox.records.slice(before)).length };
    };
    console.log('\n== run 1: reconcile a fleet that has no tokens yet');
    const { outcome: cold, writes: coldWrites } = await reconcile('cold');
    console.log('\n== run 2: reconcile again: the steady state must change nothing');
    const { outcome: steady, writes: steadyWrites } = await reconcile('steady');
    const audit = sandbox.audit();
    console.log('\n== result');
    console.log(`  run 1: exit ${cold.exitCode}, ${coldWrites} writes to OCM and Dynatrace`);
    console.log(`  run 2: exit ${steady.exitCode}, ${steadyWrites} writes`);
    console.log(
      `  audit: ${audit.tokens} dtp tokens, ${audit.deliveries} delivery objects, ${audit.orphanTokens.length} orphan tokens, ${audit.deadSecrets.length} Secrets without a live token, ${audit.duplicateNames.length} duplicate names`,
    );
    console.log(
      `  reports: ${join(outDir, 'cold')}/ and ${join(outDir, 'steady')}/ (report.json, summary.md, metrics.prom)`,
    );
    const clean =
      audit.orphanTokens.length === 0 && audit.deadSecrets.length === 0 && audit.duplicateNames.length === 0;
    return steadyWrites === 0 && clean && cold.exitCode === 0 ? ExitCode.ok : ExitCode.clustersFailed;
  } finally {
    await sandbox.close();
    await closeHttpAgents();
  }
}
