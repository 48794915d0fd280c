/**
 * Prometheus text exposition of one run (metrics.prom, and the body pushed to a Pushgateway): how many
 * clusters are managed, what changed, how long stages took, when the last successful run was.
 *
 * Built with prom-client on a fresh Registry per run: the process-wide default registry would carry
 * samples from an earlier run of the same process (tests, the demo) into this one. prom-client groups
 * samples under one HELP/TYPE and escapes label values, so a hostile cluster or tenant name cannot forge a
 * line. Counters hold what this run did; a Pushgateway replaces the group on every push, so they are not
 * summed across runs there.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Report } from './report.js';

type Labels = Record<string, string>;

class Metrics {
  readonly registry = new Registry();
  readonly #gauges = new Map<string, Gauge>();
  readonly #counters = new Map<string, Counter>();

  gauge(name: string, help: string, value: number, labels: Labels = {}): void {
    let g = this.#gauges.get(name);
    if (!g) {
      g = new Gauge({ name, help, labelNames: Object.keys(labels), registers: [this.registry] });
      this.#gauges.set(name, g);
    }
    g.set(labels, finite(value));
  }

  /** A counter of this run; `name` ends in `_total`. */
  counter(name: string, help: string, value: number, labels: Labels = {}): void {
    let c = this.#counters.get(name);
    if (!c) {
      c = new Counter({ name, help, labelNames: Object.keys(labels), registers: [this.registry] });
      this.#counters.set(name, c);
    }
    c.inc(labels, Math.max(0, finite(value)));
  }
}

/** prom-client prints NaN as "Nan", which Prometheus rejects; a missing measurement is 0. */
const finite = (n: number) => (Number.isFinite(n) ? n : 0);

export async function renderMetrics(report: Report): Promise<string> {
  const m = new Metrics();
  const mode = report.mode;
  const finished = Date.parse(report.finishedAt) / 1000;
  m.gauge('dtp_build_info', 'dtp version that ran, always 1.', 1, { version: report.tool.version });
  m.gauge(
    'dtp_run_exit_code',
    'Exit code of the last run (0 ok, 1 not everything done: clusters failed, unreadable, re-mints held or interrupted; 2 invalid config, 3 could not start).',
    report.exitCode,
    { mode },
  );
  m.gauge('dtp_run_duration_seconds', 'Wall time of the last run.', report.durationMs / 1000, { mode });
  m.gauge('dtp_last_run_timestamp_seconds', 'When the last run finished.', finished, { mode });
  if (report.exitCode === 0) {
    m.gauge('dtp_last_success_timestamp_seconds', 'When the last run without failures finished.', finished, {
      mode,
    });
  }
  for (const [stage, ms] of Object.entries(report.stagesMs)) {
    m.gauge('dtp_stage_duration_seconds', 'Wall time per stage of the last run.', ms / 1000, { stage });
  }
  m.gauge(
    'dtp_run_interrupted',
    '1 if the last run was stopped by a signal before it finished (its counts are partial).',
    report.interrupted ? 1 : 0,
    { mode },
  );
  clusterMetrics(m, report);
  tokenMetrics(m, report);
  rotationMetrics(m, report);
  for (const e of report.environments) {
    m.gauge(
      'dtp_ocm_environment_up',
      '1 if the OCM environment could be read in the last run.',
      e.error ? 0 : 1,
      {
        ocm_environment: e.name,
      },
    );
  }
  for (const t of report.tenants) {
    m.gauge('dtp_tenant_up', '1 if the tenant could be read in the last run.', t.error ? 0 : 1, {
      tenant: t.tenantId,
    });
  }
  for (const c of report.calls) {
    const labels = { system: c.system, operation: c.operation };
    m.counter('dtp_remote_calls_total', 'Remote calls in the last run.', c.calls, labels);
    m.counter('dtp_remote_retries_total', 'Retries in the last run.', c.retries, labels);
    m.counter('dtp_remote_rate_limited_total', 'HTTP 429 answers in the last run.', c.rateLimited, labels);
    m.counter('dtp_remote_errors_total', 'Calls that failed in the last run.', c.errors, labels);
  }
  return m.registry.metrics();
}

function clusterMetrics(m: Metrics, report: Report): void {
  const byEnv = new Map<string, Record<string, number>>();
  const count = (env: string, status: string) => {
    const counts = byEnv.get(env) ?? {};
    counts[status] = (counts[status] ?? 0) + 1;
    byEnv.set(env, counts);
  };
  for (const c of report.clusters) count(c.ocmEnvironment, c.status);
  for (const s of report.skipped) count(s.ocmEnvironment, 'not-ready');
  for (const [env, counts] of byEnv) {
    for (const [status, n] of Object.entries(counts)) {
      m.gauge('dtp_clusters', 'Clusters with dtp labels by OCM environment and outcome in the last run.', n, {
        ocm_environment: env,
        status,
      });
    }
  }
}

function tokenMetrics(m: Metrics, report: Report): void {
  const perTenant = new Map<string, number>();
  for (const b of report.breakdown) {
    const labels = { ocm_environment: b.ocmEnvironment, tenant: b.tenantId };
    const managed = b.tokensCreated + b.tokensReminted + b.tokensUpdated + b.tokensUnchanged;
    perTenant.set(b.tenantId, (perTenant.get(b.tenantId) ?? 0) + managed);
    m.gauge(
      'dtp_tokens_managed',
      'Tokens held by reconciled clusters, per OCM environment and tenant.',
      managed,
      labels,
    );
    for (const [action, n] of [
      ['created', b.tokensCreated],
      ['reminted', b.tokensReminted],
      ['updated', b.tokensUpdated],
      ['revoked', b.tokensRevoked],
    ] as const) {
      m.counter('dtp_token_actions_total', 'Token actions in the last run (planned ones in plan mode).', n, {
        ...labels,
        action,
      });
    }
  }
  for (const [tenant, n] of perTenant) {
    m.gauge('dtp_tenant_tokens', 'Tokens held by reconciled clusters, per tenant.', n, { tenant });
  }
  for (const hold of report.orphans.held) {
    m.gauge(
      'dtp_orphan_tokens_held',
      'dtp_ tokens without a cluster that were not revoked because the prune guard held them.',
      hold.count,
      { tenant: hold.tenantId },
    );
  }
}

/** Token lifetimes per tenant: only written when some spec has `maxAge`, so fleets without it see no new series. */
function rotationMetrics(m: Metrics, report: Report): void {
  for (const t of report.rotation?.tenants ?? []) {
    const tenant = { tenant: t.tenantId };
    m.gauge(
      'dtp_tokens_expiring_soon',
      'Delivered tokens that expire before the run after next, per tenant.',
      t.expiringSoon,
      tenant,
    );
    m.gauge(
      'dtp_tokens_past_expiry',
      'Delivered tokens already past their expiry (the cluster holds a dead token), per tenant.',
      t.pastExpiry,
      tenant,
    );
    m.counter(
      'dtp_rotations_started_total',
      'Successors minted for tokens due for rotation in the last run (planned ones in plan mode).',
      t.rotationsStarted,
      tenant,
    );
    for (const [proof, n] of Object.entries(t.rotationsCompleted)) {
      m.counter(
        'dtp_rotations_completed_total',
        'Predecessors revoked in the last run, by proof: pickup (successor in use), grace, expired.',
        n,
        { ...tenant, proof },
      );
    }
    m.gauge(
      'dtp_rotations_waiting_for_pickup',
      'Predecessors kept until the cluster is seen using their successor or the grace period ends.',
      t.waitingForPickup,
      tenant,
    );
    m.gauge(
      'dtp_rotations_deferred',
      'Rotations due but held back by rotation-budget in the last run, per tenant.',
      t.rotationsDeferred,
      tenant,
    );
  }
}
