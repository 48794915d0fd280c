import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import {
  REPORT_SCHEMA_VERSION,
  renderMetrics
} from "./chunk-XATONND5.js";
import {
  renderSummary
} from "./chunk-SDU4TOED.js";
import {
  UserError
} from "./chunk-HILPLOP6.js";
import "./chunk-YRHPVDZS.js";

// src/report/merge.ts
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
function sumInto(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === "number")
      target[key] = (target[key] ?? 0) + value;
  }
}
function mergeReports(reports) {
  if (reports.length === 0) throw new UserError("no reports to merge");
  const modes = new Set(reports.map((r) => r.mode));
  if (modes.size > 1)
    throw new UserError(
      `the reports are of different modes (${[...modes].join(", ")})`,
      "Merge the shards of one run."
    );
  const shards = new Set(reports.map((r) => r.shard));
  if (shards.size !== reports.length) {
    throw new UserError(
      `two reports are of the same shard (${reports.map((r) => r.shard).join(", ")})`,
      "Merge each shard once."
    );
  }
  const first = reports[0];
  const totals = { ...first.totals };
  for (const r of reports.slice(1)) sumInto(totals, r.totals);
  const breakdown = /* @__PURE__ */ new Map();
  for (const b of reports.flatMap((r) => r.breakdown)) {
    const key = `${b.ocmEnvironment}\0${b.tenantId}`;
    const have = breakdown.get(key);
    if (have) sumInto(have, b);
    else breakdown.set(key, { ...b });
  }
  const calls = /* @__PURE__ */ new Map();
  for (const c of reports.flatMap((r) => r.calls)) {
    const key = `${c.system}\0${c.operation}`;
    const have = calls.get(key);
    if (have) sumInto(have, c);
    else calls.set(key, { ...c });
  }
  const unique = (items, key) => {
    const out = /* @__PURE__ */ new Map();
    for (const item of items) if (!out.has(key(item)) || item.error) out.set(key(item), item);
    return [...out.values()].sort((a, b) => key(a).localeCompare(key(b)));
  };
  const stagesMs = {};
  for (const r of reports)
    for (const [k, v] of Object.entries(r.stagesMs)) stagesMs[k] = Math.max(stagesMs[k] ?? 0, v);
  const startedAt = reports.map((r) => r.startedAt).sort()[0];
  const finishedAt = reports.map((r) => r.finishedAt).sort().at(-1);
  const startupErrors = reports.filter((r) => r.startupError).map((r) => `shard ${r.shard}: ${r.startupError}`);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: first.tool,
    mode: first.mode,
    shard: `${reports.length} shards merged`,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    exitCode: Math.max(...reports.map((r) => r.exitCode)),
    ...startupErrors.length ? { startupError: startupErrors.join("; ") } : {},
    config: first.config,
    totals,
    environments: unique(
      reports.flatMap((r) => r.environments),
      (e) => e.name
    ),
    tenants: unique(
      reports.flatMap((r) => r.tenants),
      (t) => t.tenantId
    ),
    breakdown: [...breakdown.values()].sort(
      (a, b) => a.ocmEnvironment.localeCompare(b.ocmEnvironment) || a.tenantId.localeCompare(b.tenantId)
    ),
    clusters: reports.flatMap((r) => r.clusters).sort((a, b) => a.ocmEnvironment.localeCompare(b.ocmEnvironment) || a.name.localeCompare(b.name)),
    skipped: reports.flatMap((r) => r.skipped),
    orphans: {
      planned: reports.flatMap((r) => r.orphans.planned),
      revoked: reports.reduce((n, r) => n + r.orphans.revoked, 0),
      errors: reports.flatMap((r) => r.orphans.errors),
      held: reports.flatMap((r) => r.orphans.held)
    },
    calls: [...calls.values()],
    stagesMs
  };
}
function readReport(path) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UserError(`${path}: not a readable JSON report (${error.message})`);
  }
  const report = parsed;
  if (report?.tool?.name !== "dtp" || report.schemaVersion !== REPORT_SCHEMA_VERSION || !Array.isArray(report.clusters)) {
    throw new UserError(`${path}: not a dtp report of schema version ${REPORT_SCHEMA_VERSION}`);
  }
  return report;
}
async function mergeMain(args) {
  const files = [];
  let out = "dtp-report-merged";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out") out = args[++i] ?? out;
    else if (args[i].startsWith("--out=")) out = args[i].slice(6);
    else files.push(args[i]);
  }
  if (files.length === 0)
    throw new UserError("no report files given", "Usage: dtp report merge <report.json>... [--out <dir>]");
  const report = mergeReports(files.map(readReport));
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, null, 2)}
`);
  writeFileSync(join(dir, "summary.md"), renderSummary(report));
  writeFileSync(join(dir, "metrics.prom"), renderMetrics(report));
  return { dir, report };
}
export {
  mergeMain,
  mergeReports
};
//# sourceMappingURL=merge-NGAJIDUY.js.map
