/**
 * Plan and reconcile problems that follow from the configuration, put on the YAML line that decides them:
 * a denied binding on the tenant, token spec or organization that denies it, an unusable tenant or OCM
 * environment on its document. Grouped per cause and line — fifty clusters denied by one tenant are one
 * finding — so a pull request gets a handful of annotations, never hundreds (the platform caps the rest).
 * With a base plan, only what the change introduces is a finding.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import type { Config, SourceLocation } from '../config/types.js';
import type { Denial, DenialCode } from '../reconcile/model.js';
import type { PlanDiff, YamlRef } from './plan-diff.js';
import type { ClusterEntry, Report } from './report.js';

type Decider = 'tenant' | 'spec' | 'organization';

/** Which YAML decides a denial, and what to change there. Label problems are the cluster owner's: no line. */
const DECIDED_BY: Partial<Record<DenialCode, { by: Decider; hint: string }>> = {
  'tenant-denies-org': {
    by: 'tenant',
    hint: "Add the organization to the tenant's spec.allowedOrganizations, or remove the cluster's binding label.",
  },
  'spec-denies-org': {
    by: 'spec',
    hint: "Add the organization to the token spec's spec.ocm_org_ids, or remove the cluster's binding label.",
  },
  'org-wrong-environment': {
    by: 'organization',
    hint: "Correct the organization's spec.ocmEnvironment, or remove it to allow every OCM environment.",
  },
  'org-excludes-tenant': {
    by: 'organization',
    hint: "Add the tenant to the organization's spec.tenants, or remove the cluster's binding label.",
  },
  'org-excludes-spec': {
    by: 'organization',
    hint: "Add the token spec to the organization's spec.tokenSpecs, or remove the cluster's binding label.",
  },
  'secret-conflict': {
    by: 'spec',
    hint: 'Two bindings of the cluster deliver the same Secret: give the token specs different Secret names, or remove one binding.',
  },
};

/** Clusters named in one finding; the rest are counted. */
const NAMED = 3;

interface Group {
  where: SourceLocation;
  code: string;
  hint: string;
  first: Denial;
  clusters: ClusterEntry['name'][];
}

export function findings(report: Report, config: Config, diff?: PlanDiff): Diagnostic[] {
  const out: Diagnostic[] = [...unusable(report, config)];
  const denials = diff
    ? diff.denials.map((d) => ({ cluster: d.cluster, denial: d.denial, causes: d.causes }))
    : report.clusters.flatMap((c) => c.denials.map((denial) => ({ cluster: c, denial, causes: [] })));
  const groups = new Map<string, Group>();
  for (const { cluster, denial, causes } of denials) {
    const rule = DECIDED_BY[denial.code];
    const where = lineOf(causes) ?? (rule ? decider(rule.by, denial, cluster, config) : undefined);
    if (!where) continue;
    const key = `${where.file}:${where.line}|${denial.code}`;
    const group = groups.get(key) ?? {
      where,
      code: denial.code,
      hint: rule?.hint ?? 'See the pull request plan for the clusters concerned.',
      first: denial,
      clusters: [],
    };
    group.clusters.push(cluster.name);
    groups.set(key, group);
  }
  const verb = diff ? 'this change denies' : 'denied';
  for (const g of [...groups.values()].sort((a, b) => b.clusters.length - a.clusters.length)) {
    out.push({
      ...g.where,
      severity: 'warning',
      message: `${g.code}: ${verb} ${g.clusters.length === 1 ? '1 binding' : `${g.clusters.length} bindings`} (${named(g.clusters)}): ${g.first.reason}`,
      hint: g.hint,
    });
  }
  for (const e of diff?.elevated ?? []) {
    out.push({
      ...e.where,
      severity: 'warning',
      message: `token spec ${e.spec} newly requests elevated scopes ${e.scopes.join(', ')} (${e.clusters} ${e.clusters === 1 ? 'cluster' : 'clusters'} bound to it)`,
      hint: 'A reviewer should confirm each acknowledgedScopes reason; every bound cluster gets these permissions.',
    });
  }
  return out;
}

/** The first cause still in the head configuration (a removed document has no line to annotate). */
function lineOf(causes: readonly YamlRef[]): SourceLocation | undefined {
  const cause = causes.find((c) => !c.removed);
  return cause ? { file: cause.file, line: cause.line, column: cause.column } : undefined;
}

function decider(
  by: Decider,
  denial: Denial,
  cluster: Pick<ClusterEntry, 'organizationId'>,
  config: Config,
): SourceLocation | undefined {
  if (by === 'tenant') return denial.tenantId ? config.tenants.get(denial.tenantId)?.source : undefined;
  if (by === 'spec') return denial.specName ? config.tokenSpecs.get(denial.specName)?.source : undefined;
  return config.organizations.get(cluster.organizationId)?.source;
}

function named(clusters: readonly string[]): string {
  const shown = clusters.slice(0, NAMED).join(', ');
  return clusters.length > NAMED ? `${shown} and ${clusters.length - NAMED} more` : shown;
}

/** Tenants and OCM environments that could not be used: almost always a Vault path or field in their YAML. */
function unusable(report: Report, config: Config): Diagnostic[] {
  const failedBy = (tenantId: string) =>
    report.clusters.filter((c) => c.status === 'failed' && c.bindings.some((b) => b.tenantId === tenantId))
      .length;
  const out: Diagnostic[] = [];
  for (const t of report.tenants) {
    const where = t.error ? config.tenants.get(t.tenantId)?.source : undefined;
    if (!where) continue;
    const failed = failedBy(t.tenantId);
    out.push({
      ...where,
      severity: 'error',
      message: `tenant ${t.tenantId} could not be used this run${failed ? ` (${failed} clusters failed)` : ''}: ${t.error}`,
      hint: 'Check spec.bootstrapToken (or spec.planToken in plan mode): the Vault path and field, and that the role may read them.',
    });
  }
  for (const e of report.environments) {
    const where = e.error ? config.ocmEnvironments.get(e.name)?.source : undefined;
    if (!where) continue;
    out.push({
      ...where,
      severity: 'error',
      message: `OCM environment ${e.name} could not be read this run: ${e.error}`,
      hint: 'Check spec.credentials (or spec.planCredentials in plan mode) and spec.apiUrl of the OCM environment.',
    });
  }
  return out;
}
