/**
 * Prometheus text exposition of one run (metrics.prom), for a node-exporter textfile collector or a push
 * to a Pushgateway (`curl --data-binary @metrics.prom <gateway>/metrics/job/dtp`): how many clusters are
 * managed, what changed, how long stages took, when the last successful run was.
 */
import type { Report } from './report.js';

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

class Exposition {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();

  add(name: string, help: string, type: 'gauge' | 'counter', value: number, labels: Labels = {}): void {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    const rendered = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
    this.lines.push(`${name}${rendered ? `{${rendered}}` : ''} ${Number.isFinite(value) ? value : 0}`);
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function renderMetrics(report: Report): string {
  const m = new Exposition();
  const mode = report.mode;
  const finished = Date.parse(report.finishedAt) / 1000;
  m.add(
    'dtp_run_exit_code',
    'Exit code of the last run (0 ok, 1 clusters failed, 2 invalid config, 3 could not start).',
    'gauge',
    report.exitCode,
    { mode },
  );
  m.add('dtp_run_duration_seconds', 'Wall time of the last run.', 'gauge', report.durationMs / 1000, {
    mode,
  });
  m.add('dtp_last_run_timestamp_seconds', 'When the last run finished.', 'gauge', finished, { mode });
  if (report.exitCode === 0) {
    m.add(
      'dtp_last_success_timestamp_seconds',
      'When the last run without failures finished.',
      'gauge',
      finished,
      { mode },
    );
  }
  for (const [stage, ms] of Object.entries(report.stagesMs)) {
    m.add('dtp_stage_duration_seconds', 'Wall time per stage of the last run.', 'gauge', ms / 1000, {
      stage,
    });
  }
  const byEnv = new Map<string, Record<string, number>>();
  for (const c of report.clusters) {
    const counts = byEnv.get(c.ocmEnvironment) ?? {};
    counts[c.status] = (counts[c.status] ?? 0) + 1;
    byEnv.set(c.ocmEnvironment, counts);
  }
  for (const s of report.skipped) {
    const counts = byEnv.get(s.ocmEnvironment) ?? {};
    counts['not-ready'] = (counts['not-ready'] ?? 0) + 1;
    byEnv.set(s.ocmEnvironment, counts);
  }
  for (const [env, counts] of byEnv) {
    for (const [status, n] of Object.entries(counts)) {
      m.add(
        'dtp_clusters',
        'Clusters with dtp labels by OCM environment and outcome in the last run.',
        'gauge',
        n,
        {
          ocm_environment: env,
          status,
        },
      );
    }
  }
  for (const b of report.breakdown) {
    const labels = { ocm_environment: b.ocmEnvironment, tenant: b.tenantId };
    m.add(
      'dtp_tokens_managed',
      'Tokens held by reconciled clusters, per OCM environment and tenant.',
      'gauge',
      b.tokensCreated + b.tokensReminted + b.tokensUpdated + b.tokensUnchanged,
      labels,
    );
    for (const [action, n] of [
      ['created', b.tokensCreated],
      ['reminted', b.tokensReminted],
      ['updated', b.tokensUpdated],
      ['revoked', b.tokensRevoked],
    ] as const) {
      m.add('dtp_token_actions', 'Token actions in the last run (planned ones in plan mode).', 'gauge', n, {
        ...labels,
        action,
      });
    }
  }
  for (const e of report.environments) {
    m.add(
      'dtp_ocm_environment_up',
      '1 if the OCM environment could be read in the last run.',
      'gauge',
      e.error ? 0 : 1,
      { ocm_environment: e.name },
    );
  }
  for (const t of report.tenants) {
    m.add('dtp_tenant_up', '1 if the tenant could be read in the last run.', 'gauge', t.error ? 0 : 1, {
      tenant: t.tenantId,
    });
  }
  for (const c of report.calls) {
    const labels = { system: c.system, operation: c.operation };
    m.add('dtp_remote_calls', 'Remote calls in the last run.', 'gauge', c.calls, labels);
    m.add('dtp_remote_retries', 'Retries in the last run.', 'gauge', c.retries, labels);
    m.add('dtp_remote_rate_limited', 'HTTP 429 answers in the last run.', 'gauge', c.rateLimited, labels);
    m.add('dtp_remote_errors', 'Calls that failed in the last run.', 'gauge', c.errors, labels);
  }
  return m.toString();
}
