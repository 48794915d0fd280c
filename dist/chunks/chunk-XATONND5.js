import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);

// src/report/metrics.ts
function escapeLabel(value) {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}
var Exposition = class {
  lines = [];
  declared = /* @__PURE__ */ new Set();
  add(name, help, type, value, labels = {}) {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    const rendered = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
    this.lines.push(`${name}${rendered ? `{${rendered}}` : ""} ${Number.isFinite(value) ? value : 0}`);
  }
  toString() {
    return `${this.lines.join("\n")}
`;
  }
};
function renderMetrics(report) {
  const m = new Exposition();
  const mode = report.mode;
  const finished = Date.parse(report.finishedAt) / 1e3;
  m.add(
    "dtp_run_exit_code",
    "Exit code of the last run (0 ok, 1 clusters failed, 2 invalid config, 3 could not start).",
    "gauge",
    report.exitCode,
    { mode }
  );
  m.add("dtp_run_duration_seconds", "Wall time of the last run.", "gauge", report.durationMs / 1e3, {
    mode
  });
  m.add("dtp_last_run_timestamp_seconds", "When the last run finished.", "gauge", finished, { mode });
  if (report.exitCode === 0) {
    m.add(
      "dtp_last_success_timestamp_seconds",
      "When the last run without failures finished.",
      "gauge",
      finished,
      { mode }
    );
  }
  for (const [stage, ms] of Object.entries(report.stagesMs)) {
    m.add("dtp_stage_duration_seconds", "Wall time per stage of the last run.", "gauge", ms / 1e3, {
      stage
    });
  }
  const byEnv = /* @__PURE__ */ new Map();
  for (const c of report.clusters) {
    const counts = byEnv.get(c.ocmEnvironment) ?? {};
    counts[c.status] = (counts[c.status] ?? 0) + 1;
    byEnv.set(c.ocmEnvironment, counts);
  }
  for (const s of report.skipped) {
    const counts = byEnv.get(s.ocmEnvironment) ?? {};
    counts["not-ready"] = (counts["not-ready"] ?? 0) + 1;
    byEnv.set(s.ocmEnvironment, counts);
  }
  for (const [env, counts] of byEnv) {
    for (const [status, n] of Object.entries(counts)) {
      m.add(
        "dtp_clusters",
        "Clusters with dtp labels by OCM environment and outcome in the last run.",
        "gauge",
        n,
        {
          ocm_environment: env,
          status
        }
      );
    }
  }
  for (const b of report.breakdown) {
    const labels = { ocm_environment: b.ocmEnvironment, tenant: b.tenantId };
    m.add(
      "dtp_tokens_managed",
      "Tokens held by reconciled clusters, per OCM environment and tenant.",
      "gauge",
      b.tokensCreated + b.tokensReminted + b.tokensUpdated + b.tokensUnchanged,
      labels
    );
    for (const [action, n] of [
      ["created", b.tokensCreated],
      ["reminted", b.tokensReminted],
      ["updated", b.tokensUpdated],
      ["revoked", b.tokensRevoked]
    ]) {
      m.add("dtp_token_actions", "Token actions in the last run (planned ones in plan mode).", "gauge", n, {
        ...labels,
        action
      });
    }
  }
  for (const e of report.environments) {
    m.add(
      "dtp_ocm_environment_up",
      "1 if the OCM environment could be read in the last run.",
      "gauge",
      e.error ? 0 : 1,
      { ocm_environment: e.name }
    );
  }
  for (const t of report.tenants) {
    m.add("dtp_tenant_up", "1 if the tenant could be read in the last run.", "gauge", t.error ? 0 : 1, {
      tenant: t.tenantId
    });
  }
  for (const c of report.calls) {
    const labels = { system: c.system, operation: c.operation };
    m.add("dtp_remote_calls", "Remote calls in the last run.", "gauge", c.calls, labels);
    m.add("dtp_remote_retries", "Retries in the last run.", "gauge", c.retries, labels);
    m.add("dtp_remote_rate_limited", "HTTP 429 answers in the last run.", "gauge", c.rateLimited, labels);
    m.add("dtp_remote_errors", "Calls that failed in the last run.", "gauge", c.errors, labels);
  }
  return m.toString();
}

// src/report/report.ts
var REPORT_SCHEMA_VERSION = 1;
var emptyTotals = () => ({
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
  serviceLogs: 0
});
function buildReport(result, context) {
  const totals = emptyTotals();
  const breakdown = /* @__PURE__ */ new Map();
  const row = (env, tenantId) => {
    const key = `${env}\0${tenantId}`;
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
        deliveriesPatched: 0
      };
      breakdown.set(key, entry);
    }
    return entry;
  };
  const planMode = result.mode === "plan";
  const clusters = result.clusters.map((c) => {
    totals.clusters++;
    totals[c.status]++;
    const entry = {
      ...c.cluster,
      kind: c.kind,
      status: c.status,
      bindings: c.bindings,
      denials: c.denials,
      errors: c.errors
    };
    const plan = c.plan;
    if (!plan) return entry;
    const realised = planMode || c.status === "changed" || c.status === "unchanged";
    const tenantsOfCluster = /* @__PURE__ */ new Set();
    const tokens = [];
    for (const secret of plan.secrets) {
      tenantsOfCluster.add(secret.tenantId);
      for (const token of secret.tokens) {
        const r = row(c.cluster.ocmEnvironment, token.tenantId);
        const where = {
          tenantId: token.tenantId,
          secret: `${secret.namespace}/${secret.name}`,
          key: token.key,
          name: token.expectedName
        };
        if (token.source.kind === "mint") {
          const action = token.source.reason === "new" ? "create" : "remint";
          tokens.push({ ...where, action, reason: token.source.reason });
          if (realised) r[action === "create" ? "tokensCreated" : "tokensReminted"]++;
        } else if (token.update) {
          tokens.push({
            ...where,
            action: "update",
            id: token.update.id,
            reason: `was ${token.update.fromName}`
          });
          if (realised) r.tokensUpdated++;
        } else {
          r.tokensUnchanged++;
        }
      }
    }
    for (const tenantId of tenantsOfCluster) row(c.cluster.ocmEnvironment, tenantId).clusters++;
    for (const revoke of plan.revokes)
      if (realised) row(c.cluster.ocmEnvironment, revoke.tenantId).tokensRevoked++;
    if (realised && plan.delivery !== "none") {
      const created = planMode ? plan.delivery === "create" : c.result?.delivery === "created";
      for (const tenantId of tenantsOfCluster) {
        row(c.cluster.ocmEnvironment, tenantId)[created ? "deliveriesCreated" : "deliveriesPatched"]++;
      }
    }
    if (planMode) {
      totals.tokensCreated += tokens.filter((t) => t.action === "create").length;
      totals.tokensReminted += tokens.filter((t) => t.action === "remint").length;
      totals.tokensUpdated += tokens.filter((t) => t.action === "update").length;
      totals.tokensRevoked += plan.revokes.length;
      if (plan.delivery === "create") totals.deliveriesCreated++;
      if (plan.delivery === "patch") totals.deliveriesPatched++;
    } else if (c.result) {
      totals.tokensCreated += c.result.tokensCreated;
      totals.tokensReminted += c.result.tokensReminted;
      totals.tokensUpdated += c.result.tokensUpdated;
      totals.tokensRevoked += c.result.tokensRevoked;
      totals.tokensCompensated += c.result.compensated;
      if (c.result.delivery === "created") totals.deliveriesCreated++;
      if (c.result.delivery === "patched") totals.deliveriesPatched++;
      if (c.result.serviceLog === "posted") totals.serviceLogs++;
    }
    return {
      ...entry,
      delivery: plan.delivery,
      ...plan.deliveryReasons.length ? { deliveryReasons: plan.deliveryReasons } : {},
      ...tokens.length ? { tokens } : {},
      ...plan.revokes.length ? { revokes: plan.revokes } : {},
      ...c.result?.serviceLog ? { serviceLog: c.result.serviceLog } : {}
    };
  });
  totals.skipped = result.skipped.length;
  totals.tokensRevoked += planMode ? result.orphans.planned.length : result.orphans.revoked;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "dtp", version: context.version },
    mode: result.mode,
    shard: context.shard,
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    durationMs: result.finishedAt.getTime() - result.startedAt.getTime(),
    exitCode: context.exitCode,
    config: { dir: context.configDir, files: context.configFiles },
    totals,
    environments: result.environments,
    tenants: result.tenants,
    breakdown: [...breakdown.values()].sort(
      (a, b) => a.ocmEnvironment.localeCompare(b.ocmEnvironment) || a.tenantId.localeCompare(b.tenantId)
    ),
    clusters,
    skipped: result.skipped.map((s) => ({
      ocmEnvironment: s.cluster.ocmEnvironment,
      id: s.cluster.id,
      name: s.cluster.name,
      reason: s.reason
    })),
    orphans: result.orphans,
    calls: context.calls,
    stagesMs: result.stagesMs
  };
}
function startupFailureReport(mode, error, context, startedAt) {
  const now = /* @__PURE__ */ new Date();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "dtp", version: context.version },
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
    stagesMs: {}
  };
}

export {
  renderMetrics,
  REPORT_SCHEMA_VERSION,
  buildReport,
  startupFailureReport
};
//# sourceMappingURL=chunk-XATONND5.js.map
