/**
 * The one orchestration behind both entries (the Action and the CLI): build the clients and start the Vault
 * login, load and validate the configuration, run the engine, write the summary, report.json and metrics.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { VaultClient } from './clients/api.js';
import { CallStats } from './clients/calls.js';
import type { Connectors, OcmCredentialValues } from './connectors-api.js';
import { singleFlight } from './concurrency.js';
import { dynatraceTokenRef, ocmCredentialsRef } from './credentials.js';
import type { Config, VaultSecretRef } from './config/types.js';
import { describeError, ExitCode, StartupError, UserError } from './errors.js';
import type { Options } from './options.js';
import type { Platform } from './platform/platform.js';
import type { EngineResult } from './reconcile/engine.js';
import type { Report, ReportContext } from './report/report.js';
import type { PlanDiff } from './report/plan-diff.js';
import type { Secret } from './secret.js';
import type * as RunPartsModule from './run-parts.js';
import { processShutdown, type Shutdown } from './shutdown.js';
import { vaultLogin } from './vault-login.js';
import { VERSION } from './version.js';

/** The configuration, engine and report code, loaded once the Vault login is under way (src/run-parts.ts). */
type RunParts = typeof RunPartsModule;
let loadingParts: Promise<RunParts> | undefined;
const parts = () => (loadingParts ??= import('./run-parts.js'));

export type { Connectors, OcmCredentialValues } from './connectors-api.js';

export interface RunOutcome {
  exitCode: ExitCode;
  report?: Report;
  reportDir?: string;
}

/**
 * What an entry loads or sets while the Vault login is in flight rather than before it (its platform's
 * toolkit, the V8 settings): run() calls it once the login is on the wire and the clients are loaded.
 */
export type WhileVaultAnswers = () => void | Promise<void>;

export async function run(
  options: Options,
  platform: Platform,
  connectors?: Connectors,
  whileVaultAnswers?: WhileVaultAnswers,
): Promise<ExitCode> {
  return (await runWithReport(options, platform, connectors, processShutdown, whileVaultAnswers)).exitCode;
}

/** `stop`: the signal state of this run (the process's own unless a test passes one). */
export async function runWithReport(
  options: Options,
  platform: Platform,
  connectors?: Connectors,
  stop: Shutdown = processShutdown,
  whileVaultAnswers?: WhileVaultAnswers,
): Promise<RunOutcome> {
  const startedAt = new Date();
  stop.setGrace(options.shutdownGraceMs);
  // Before anything is contacted: a report that cannot be written must not surface after the writes.
  if (options.mode !== 'validate' || options.reportDirGiven) checkReportDir(options.reportDir);
  // The Vault login needs only the settings: it goes out before the clients and the configuration are
  // loaded, which then load while Vault answers. Its errors (and those of building the clients) count once
  // the configuration is valid, as they did when the login came after it.
  const early =
    options.mode === 'validate' ? undefined : startVault(options, platform, connectors, whileVaultAnswers);
  await early?.catch(() => undefined);
  const p = await parts();
  const { loadConfig, renderValidationSummary, loadBaseConfig, buildReport, changeOf, findings } = p;
  const loaded = await loadConfig(options.configDir, {
    allowedHosts: options.allowedHosts,
    runIntervalMs: options.runIntervalMs,
  });
  platform.annotate(loaded.diagnostics);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = loaded.diagnostics.length - errors;

  if (options.mode === 'validate' || !loaded.config) {
    // Only where someone asked for it: the job summary on GitHub, or an explicit report-dir.
    if (platform.kind === 'github' || options.reportDirGiven || options.mode !== 'validate')
      await platform.writeSummary(renderValidationSummary(loaded));
    if (!loaded.config) {
      platform.error(
        `configuration invalid: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(loaded.files.length, 'file')}`,
      );
      await platform.setOutputs({ 'exit-code': String(ExitCode.invalidConfig) });
      if (early) await discardVault(early);
      return { exitCode: ExitCode.invalidConfig };
    }
    platform.info(
      `configuration valid: ${plural(loaded.files.length, 'file')}, ${plural(warnings, 'warning')}`,
    );
    await platform.setOutputs({ 'exit-code': String(ExitCode.ok) });
    return { exitCode: ExitCode.ok };
  }

  const config = loaded.config;
  // base-config: read only to compare plans (src/report/plan-diff.ts); never contacted, never annotated.
  const base =
    options.mode === 'plan' && options.baseConfigDir
      ? await loadBaseConfig(options.baseConfigDir, { allowedHosts: options.allowedHosts })
      : undefined;
  if (base?.warning) platform.warn(base.warning);
  const mode = options.mode;
  const shard = `${options.shard.index}/${options.shard.count}`;
  const { connect, vault } = await (early ?? startVault(options, platform, connectors, whileVaultAnswers));
  const context = { version: VERSION, shard, configDir: options.configDir, configFiles: loaded.files.length };
  platform.info(
    `dtp ${VERSION} ${mode}: ${config.tenants.size} tenants, ${config.tokenSpecs.size} token specs, ${config.organizations.size} organizations, ${config.ocmEnvironments.size} OCM environments${shard !== '1/1' ? `, shard ${shard}` : ''}`,
  );

  let report: Report;
  let change: PlanDiff | undefined;
  const unregister = stop.onForce(() =>
    writeStopReport(p, options.reportDir, mode, { ...context, calls: connect.callStats() }, startedAt, stop),
  );
  try {
    const result = await reconcileFleet(config, options, platform, connect, vault, stop, base?.config);
    const exitCode = exitCodeOf(result);
    report = buildReport(result, { ...context, exitCode, calls: connect.callStats() });
    if (result.baseline && base?.config)
      change = changeOf(result, result.baseline, { report, config }, base.config, {
        ...context,
        exitCode,
        calls: [],
      });
    platform.annotate(findings(report, config, change), `dtp ${mode}`);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    platform.error(error.hint ? `${error.message}\nhint: ${error.hint}` : error.message);
    report = p.startupFailureReport(
      mode,
      error.message,
      { ...context, calls: connect.callStats() },
      startedAt,
    );
    report.exitCode = error.exitCode;
  }
  const { dir: reportDir, summary } = await publish(report, options, platform, change);
  // Pushgateway and owner notifications: best effort, bounded, never changes the exit code (src/notify).
  await (await import('./notify/notify.js')).notifyAndPush(report, { config, options, platform });
  if (mode === 'plan' && options.prComment) await commentPlan(summary, options, platform);
  unregister();
  // Requests of abandoned clusters may still be pending: an interrupted run does not wait for them.
  stop.exitIfInterrupted(report.exitCode);
  return { exitCode: report.exitCode as ExitCode, report, reportDir };
}

interface VaultStart {
  connect: Connectors;
  /** The login, under way; its rejection is handled where it is awaited (reconcileFleet). */
  vault: Promise<VaultClient>;
}

/**
 * The Vault login, started, then the run's clients (loading undici with them) and what the entry defers: the
 * login needs none of them, so it is sent first.
 */
async function startVault(
  options: Options,
  platform: Platform,
  connectors?: Connectors,
  whileVaultAnswers?: WhileVaultAnswers,
): Promise<VaultStart> {
  const stats = new CallStats();
  const vault = connectors ? connectors.vault() : vaultLogin(options, platform, stats);
  vault.catch(() => {});
  await onWire(vault);
  const connect =
    connectors ?? (await import('./connectors.js')).realConnectors(options, platform, { stats, vault });
  await whileVaultAnswers?.();
  return { connect, vault };
}

/**
 * Settles once the login had one turn of the event loop after it started: enough for a connection that is
 * already there (or made at once, as over loopback) to carry the request before loading modules holds the
 * loop for tens of milliseconds. Its outcome is not waited for.
 */
function onWire(login: Promise<unknown>): Promise<unknown> {
  const settled = login.then(
    () => undefined,
    () => undefined,
  );
  return Promise.race([settled, new Promise((resolve) => setImmediate(resolve))]);
}

/** A login made for a run that stops at its configuration: its token must not outlive the run either. */
async function discardVault(early: Promise<VaultStart>): Promise<void> {
  try {
    await (await (await early).vault).revokeSelf?.();
  } catch {
    // Nothing to revoke (the login failed), or the token expires at the end of its TTL.
  }
}

/** The report folder exists (or is created) and can be written; otherwise a setting error naming it. */
function checkReportDir(reportDir: string): void {
  const dir = resolve(reportDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? describeError(error);
    throw new UserError(
      `report-dir ${dir} cannot be written (${code})`,
      'Set report-dir (DTP_REPORT_DIR, --report-dir) to a folder this job can write.',
      ExitCode.invalidConfig,
    );
  }
}

/** What a second signal leaves behind: a report that says the run was stopped before it could finish. */
function writeStopReport(
  { startupFailureReport, writeJsonFile, renderSummary }: RunParts,
  reportDir: string,
  mode: Report['mode'],
  context: Omit<ReportContext, 'exitCode'>,
  startedAt: Date,
  stop: Shutdown,
): void {
  const report = startupFailureReport(mode, 'stopped', context, startedAt);
  delete report.startupError;
  report.exitCode = ExitCode.clustersFailed;
  report.interrupted = { signal: stop.signal ?? 'signal', notProcessed: 0, compensated: 0 };
  const dir = resolve(reportDir);
  writeJsonFile(join(dir, 'report.json'), report as unknown as Record<string, unknown>);
  writeFileSync(join(dir, 'summary.md'), renderSummary(report));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function exitCodeOf(result: EngineResult): ExitCode {
  const failed =
    result.interrupted !== undefined ||
    result.remintHeld.length > 0 ||
    result.clusters.some((c) => c.status === 'failed') ||
    result.environments.some((e) => e.error) ||
    result.tenants.some((t) => t.error);
  return failed ? ExitCode.clustersFailed : ExitCode.ok;
}

/** `{environment}` / `{tenant}` in an endpoint override are replaced by the name. */
function endpoint(
  template: string | undefined,
  placeholder: string,
  value: string,
  fallback: string,
): string {
  return template ? template.split(placeholder).join(value) : fallback;
}

async function readField(
  vault: VaultClient,
  ref: Omit<VaultSecretRef, 'field'>,
  field: string,
  what: string,
): Promise<Secret> {
  const data = await vault.readKv(ref);
  const value = data[field];
  if (!value || value.reveal() === '') {
    throw new Error(
      `${what}: field "${field}" not found in Vault secret ${ref.mount}/${ref.path}${ref.version ? ` (version ${ref.version})` : ''}; fields there: ${Object.keys(data).sort().join(', ') || 'none'}`,
    );
  }
  return value;
}

async function reconcileFleet(
  config: Config,
  options: Options,
  platform: Platform,
  connect: Connectors,
  login: Promise<VaultClient>,
  stop: Shutdown,
  baseConfig?: Config,
): Promise<EngineResult> {
  const { candidateTenants, runEngine } = await parts();
  let vault: VaultClient;
  try {
    vault = cachedReads(await login);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new StartupError(
      `Vault login failed: ${describeError(error)}`,
      'Check vault-addr, the auth method and role (vault-auth-method, vault-role).',
    );
  }

  const dynatrace = singleFlight(async (tenantId: string) => {
    const tenant = config.tenants.get(tenantId);
    if (!tenant) throw new Error(`tenant ${tenantId} is not configured`);
    const { ref: tokenRef, what } = dynatraceTokenRef(tenant, options.mode);
    const { field, ...ref } = tokenRef;
    const token = await readField(vault, ref, field, what);
    return connect.dynatrace(
      tenant,
      endpoint(options.dynatraceUrl, '{tenant}', tenantId, tenant.environmentUrl),
      token,
    );
  });
  // The bootstrap tokens are read while the OCM credentials are: the engine lists these tenants first thing.
  for (const tenantId of candidateTenants(config)) dynatrace(tenantId).catch(() => {});

  const ocm = await Promise.all(
    [...config.ocmEnvironments.values()].map(async (env) => {
      try {
        const { credentials: c, what } = ocmCredentialsRef(env, options.mode);
        const credentials: OcmCredentialValues =
          c.grant === 'client_credentials'
            ? {
                clientId: (await readField(vault, c.secret, c.clientIdField, `${what} client id`)).reveal(),
                clientSecret: await readField(vault, c.secret, c.clientSecretField, `${what} client secret`),
              }
            : {
                offlineToken: await readField(vault, c.secret, c.offlineTokenField, `${what} offline token`),
              };
        const endpoints = {
          apiUrl: endpoint(options.ocmUrl, '{environment}', env.name, env.apiUrl),
          ssoUrl: endpoint(options.ocmSsoUrl, '{environment}', env.name, env.ssoTokenUrl),
        };
        return { environment: env.name, client: connect.ocm(env, endpoints, credentials) };
      } catch (error) {
        return { environment: env.name, error: describeError(error) };
      }
    }),
  );

  try {
    return await runEngine({
      config,
      ...(baseConfig ? { baseConfig } : {}),
      mode: options.mode === 'plan' ? 'plan' : 'reconcile',
      concurrency: options.concurrency,
      prune: options.prune,
      serviceLogs: options.serviceLogs,
      shard: options.shard,
      clusters: options.clusters,
      ocm,
      dynatrace,
      log: platform,
      remint: options.remint,
      rotationBudget: options.rotationBudget,
      runIntervalMs: options.runIntervalMs,
      ...(options.now ? { now: options.now } : {}),
      stop,
    });
  } finally {
    await revokeVaultToken(vault, platform);
  }
}

/** A token dtp logged in for must be worthless after the run; a failed revoke leaves it valid until its TTL ends. */
async function revokeVaultToken(vault: VaultClient, platform: Platform): Promise<void> {
  try {
    await vault.revokeSelf?.();
  } catch (error) {
    platform.warn(
      `Vault: could not revoke this run's token (${describeError(error)}); it expires at the end of its TTL. The role's policy needs \`update\` on auth/token/revoke-self (the default policy grants it).`,
    );
  }
}

/** Writes report.json, summary.md and metrics.prom, the job summary, the outputs, and the artifact. */
async function publish(
  report: Report,
  options: Options,
  platform: Platform,
  change?: PlanDiff,
): Promise<{ dir: string; summary: string }> {
  const { writeJsonFile, renderChangeSummary, renderSummary } = await parts();
  const dir = resolve(options.reportDir);
  mkdirSync(dir, { recursive: true });
  writeJsonFile(join(dir, 'report.json'), report as unknown as Record<string, unknown>);
  const summary = change ? renderChangeSummary(report, change) : renderSummary(report);
  const files = {
    'summary.md': summary,
    // prom-client is loaded here, after the run, not at start.
    'metrics.prom': await (await import('./report/metrics.js')).renderMetrics(report),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const summaryPath = (await platform.writeSummary(summary)) ?? join(dir, 'summary.md');
  const t = report.totals;
  await platform.setOutputs({
    'exit-code': String(report.exitCode),
    clusters: String(t.clusters),
    'clusters-failed': String(t.failed),
    'clusters-denied': String(report.clusters.filter((c) => c.denials.length > 0).length),
    'tokens-created': String(t.tokensCreated),
    'tokens-reminted': String(t.tokensReminted),
    'tokens-updated': String(t.tokensUpdated),
    'tokens-revoked': String(t.tokensRevoked),
    'deliveries-created': String(t.deliveriesCreated),
    'deliveries-patched': String(t.deliveriesPatched),
    'report-path': join(dir, 'report.json'),
    'summary-path': summaryPath,
  });
  await platform.publishReport(
    dir,
    Object.keys(files).map((f) => join(dir, f)),
  );
  const c = report.totals;
  platform.info(
    `${report.mode} finished (exit ${report.exitCode}): ${c.clusters} clusters, ${c.unchanged} unchanged, ${report.mode === 'plan' ? `${c.planned} would change` : `${c.changed} changed`}, ${c.failed} failed, ${c.denied} denied; report in ${dir}`,
  );
  return { dir, summary };
}

/** One read per Vault secret and version: a client id and its secret live side by side in one secret. */
function cachedReads(vault: VaultClient): VaultClient {
  const read = singleFlight((key: string) => {
    const [mount, path, version] = JSON.parse(key) as [string, string, number | undefined];
    return vault.readKv({ mount, path, version });
  });
  return {
    login: () => vault.login(),
    readKv: (ref) => read(JSON.stringify([ref.mount, ref.path, ref.version])),
    revokeSelf: () => vault.revokeSelf?.() ?? Promise.resolve(),
  };
}

/**
 * The plan as a sticky PR comment. A comment that cannot be written is a warning: the plan itself is in the
 * summary, and a fork's read-only token must not fail the check.
 */
async function commentPlan(summary: string, options: Options, platform: Platform): Promise<void> {
  const { currentPullRequest, upsertPullRequestComment } = await import('./platform/pr-comment.js');
  if (platform.kind !== 'github' || !options.githubToken) {
    platform.warn('pr-comment: needs GitHub Actions and github-token; the plan is in the summary only');
    return;
  }
  const pr = await currentPullRequest();
  if (!pr) {
    platform.warn('pr-comment: this run is not for a pull request; no comment written');
    return;
  }
  try {
    const done = await upsertPullRequestComment(
      { token: options.githubToken, pr, apiUrl: process.env.GITHUB_API_URL },
      summary,
    );
    platform.info(`pr-comment: ${done} the plan comment on #${pr.number}`);
  } catch (error) {
    platform.warn(
      `pr-comment: could not write the comment on #${pr.number} (${describeError(error)}); the job needs \`permissions: pull-requests: write\``,
    );
  }
}
