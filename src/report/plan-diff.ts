/**
 * What a pull request changes: the head plan minus the base plan, both made against the same observed
 * state. An action in the head plan that the base plan also has is drift a reconcile would fix anyway;
 * everything else follows from the change, and each change names the YAML (file:line) that causes it —
 * the tenant, token spec or organization involved that differs between the two configurations.
 * Pure: two reports and two configurations in, plain data out.
 */
import type { Config, SourceLocation } from '../config/types.js';
import type { Baseline } from '../reconcile/baseline.js';
import type { Denial, PlannedRevoke } from '../reconcile/model.js';
import { parseTokenName } from '../reconcile/naming.js';
import type { EngineResult } from '../reconcile/result.js';
import { buildReport, type ClusterEntry, type Report, type ReportContext } from './report.js';

export type ConfigKind = 'DynatraceTenant' | 'TokenSpec' | 'AllowedOrganization';

/** A configuration object and where it is written; `removed`: only the base has it (the line is the base's). */
export interface YamlRef extends SourceLocation {
  kind: ConfigKind;
  name: string;
  removed?: true;
}

export interface BindingRef {
  key: string;
  tenantId: string;
  specName: string;
}

export type ClusterRefEntry = Pick<
  ClusterEntry,
  'ocmEnvironment' | 'id' | 'externalId' | 'name' | 'organizationId' | 'kind'
>;
export type TokenAction = NonNullable<ClusterEntry['tokens']>[number];

/** One cluster's part of the change. */
export interface ClusterChange {
  cluster: ClusterRefEntry;
  gained: BindingRef[];
  lost: BindingRef[];
  /** `remove`: the cluster lost every binding and its delivery object goes. */
  delivery: 'create' | 'patch' | 'remove' | 'none';
  deliveryReasons: string[];
  tokens: TokenAction[];
  revokes: PlannedRevoke[];
  causes: YamlRef[];
}

export interface DenialChange {
  cluster: ClusterRefEntry;
  denial: Denial;
  causes: YamlRef[];
}

export interface ElevatedChange {
  spec: string;
  /** Elevated scopes the head spec has and the base spec had not. */
  scopes: string[];
  where: YamlRef;
  /** Clusters of this run bound to the spec in the head plan. */
  clusters: number;
}

export interface DiffTotals {
  clusters: number;
  bindingsGained: number;
  bindingsLost: number;
  tokensCreate: number;
  tokensRemint: number;
  tokensUpdate: number;
  tokensRevoke: number;
  deliveriesCreate: number;
  deliveriesPatch: number;
  deliveriesRemove: number;
  denials: number;
}

export interface PlanDiff {
  changes: ClusterChange[];
  denials: DenialChange[];
  elevated: ElevatedChange[];
  /** Revocations the change causes for tokens of clusters this run does not see (deleted, unlabelled). */
  orphans: PlannedRevoke[];
  totals: DiffTotals;
  /** The base plan's own actions that the head plan keeps: what a reconcile would fix anyway. */
  drift: { clusters: ClusterEntry[]; orphans: PlannedRevoke[] };
  /** Configuration objects that differ between base and head. */
  changed: YamlRef[];
}

const bindingId = (b: BindingRef) => `${b.key}|${b.tenantId}|${b.specName}`;
const tokenId = (t: TokenAction) =>
  `${t.tenantId}|${t.secret}|${t.key}|${t.action}|${t.name}|${t.reason ?? ''}`;
const revokeId = (r: PlannedRevoke) => `${r.tenantId}|${r.id}`;
/** A binding denied on both sides is not newly denied, even when the reason changed. */
const denialId = (d: Denial) => d.binding ?? d.label;

export function diffPlans(
  base: { report: Report; config: Config },
  head: { report: Report; config: Config },
): PlanDiff {
  const changed = changedObjects(base.config, head.config);
  const baseClusters = new Map(base.report.clusters.map((c) => [c.id, c]));
  const orphanShift = splitOrphans(base.report, head.report);
  const changes: ClusterChange[] = [];
  const driftClusters: ClusterEntry[] = [];
  const denials: DenialChange[] = [];

  for (const h of head.report.clusters) {
    const b = baseClusters.get(h.id);
    const causes = causesOf(h, b, changed);
    const { change, drift } = splitCluster(h, b, orphanShift.byCluster.get(h.externalId) ?? []);
    if (change) changes.push({ ...change, causes });
    if (drift) driftClusters.push(drift);
    const before = new Set((b?.denials ?? []).map(denialId));
    for (const denial of h.denials) {
      if (!before.has(denialId(denial))) denials.push({ cluster: refOf(h), denial, causes });
    }
  }
  const unbound = new Map((head.report.orphans.unbound ?? []).map((u) => [u.cluster.externalId, u]));
  for (const change of changes) {
    if (unbound.get(change.cluster.externalId)?.delivery === 'planned') {
      change.delivery = 'remove';
      change.deliveryReasons = ['the cluster has no allowed binding left'];
    }
  }
  return {
    changes,
    denials,
    elevated: elevatedChanges(base.config, head.config, head.report),
    orphans: orphanShift.unattributed,
    totals: totalsOf(changes, denials, orphanShift.unattributed),
    drift: { clusters: driftClusters, orphans: orphanShift.kept },
    changed: [...changed.values()],
  };
}

/** The change of a plan run with a base: the base report is built from the same engine result's baseline. */
export function changeOf(
  result: EngineResult,
  baseline: Baseline,
  head: { report: Report; config: Config },
  base: Config,
  context: ReportContext,
): PlanDiff {
  const report = buildReport({ ...result, ...baseline }, context);
  return diffPlans({ report, config: base }, head);
}

/** Orphan revocations of the head plan: new ones (by owning cluster, or unattributed) and ones the base has too. */
function splitOrphans(base: Report, head: Report) {
  const before = new Set(base.orphans.planned.map(revokeId));
  const known = new Set(head.clusters.map((c) => c.externalId));
  const byCluster = new Map<string, PlannedRevoke[]>();
  const unattributed: PlannedRevoke[] = [];
  const kept: PlannedRevoke[] = [];
  for (const r of head.orphans.planned) {
    if (before.has(revokeId(r))) {
      kept.push(r);
      continue;
    }
    const owner = parseTokenName(r.name)?.clusterExternalId;
    if (owner && known.has(owner)) byCluster.set(owner, [...(byCluster.get(owner) ?? []), r]);
    else unattributed.push(r);
  }
  return { byCluster, unattributed, kept };
}

function refOf(c: ClusterEntry): ClusterRefEntry {
  return {
    ocmEnvironment: c.ocmEnvironment,
    id: c.id,
    externalId: c.externalId,
    name: c.name,
    organizationId: c.organizationId,
    kind: c.kind,
  };
}

/** One cluster's head actions, split into what the change causes and what the base plan has too. */
function splitCluster(
  h: ClusterEntry,
  b: ClusterEntry | undefined,
  orphanRevokes: PlannedRevoke[],
): { change?: Omit<ClusterChange, 'causes'>; drift?: ClusterEntry } {
  const baseBindings = new Set((b?.bindings ?? []).map(bindingId));
  const headBindings = new Set(h.bindings.map(bindingId));
  const gained = h.bindings.filter((x) => !baseBindings.has(bindingId(x)));
  const lost = (b?.bindings ?? []).filter((x) => !headBindings.has(bindingId(x)));

  const baseTokens = new Set((b?.tokens ?? []).map(tokenId));
  const tokens = (h.tokens ?? []).filter((t) => !baseTokens.has(tokenId(t)));
  const driftTokens = (h.tokens ?? []).filter((t) => baseTokens.has(tokenId(t)));
  const baseRevokes = new Set((b?.revokes ?? []).map(revokeId));
  const revokes = [...(h.revokes ?? []).filter((r) => !baseRevokes.has(revokeId(r))), ...orphanRevokes];
  const driftRevokes = (h.revokes ?? []).filter((r) => baseRevokes.has(revokeId(r)));

  const headDelivery = h.delivery ?? 'none';
  const baseDelivery = b?.delivery ?? 'none';
  const baseReasons = new Set(b?.deliveryReasons ?? []);
  const newReasons = (h.deliveryReasons ?? []).filter((r) => !baseReasons.has(r));
  const caused =
    headDelivery !== 'none' &&
    (baseDelivery === 'none' || newReasons.length > 0 || tokens.length > 0 || revokes.length > 0);
  const delivery = caused ? headDelivery : 'none';

  const out: { change?: Omit<ClusterChange, 'causes'>; drift?: ClusterEntry } = {};
  if (gained.length || lost.length || tokens.length || revokes.length || delivery !== 'none') {
    out.change = {
      cluster: refOf(h),
      gained,
      lost,
      delivery,
      deliveryReasons:
        delivery === 'none' ? [] : baseDelivery === 'none' ? (h.deliveryReasons ?? []) : newReasons,
      tokens,
      revokes,
    };
  }
  const driftDelivery = headDelivery !== 'none' && baseDelivery !== 'none';
  if (driftTokens.length || driftRevokes.length || driftDelivery) {
    out.drift = {
      ...h,
      status: h.status === 'failed' ? 'failed' : 'planned',
      delivery: driftDelivery ? headDelivery : 'none',
      deliveryReasons: driftDelivery ? (h.deliveryReasons ?? []).filter((r) => baseReasons.has(r)) : [],
      tokens: driftTokens,
      revokes: driftRevokes,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------- what caused it

const objectKey = (kind: ConfigKind, id: string) => `${kind}:${id}`;

/** Every tenant, token spec and organization that was added, removed or edited, keyed by kind and id. */
export function changedObjects(base: Config, head: Config): Map<string, YamlRef> {
  const out = new Map<string, YamlRef>();
  const compare = <T extends { name: string; source: SourceLocation }>(
    kind: ConfigKind,
    before: ReadonlyMap<string, T>,
    after: ReadonlyMap<string, T>,
  ) => {
    for (const [id, object] of after) {
      const old = before.get(id);
      if (!old || content(old) !== content(object)) out.set(objectKey(kind, id), ref(kind, object));
    }
    for (const [id, object] of before) {
      if (!after.has(id)) out.set(objectKey(kind, id), { ...ref(kind, object), removed: true });
    }
  };
  compare('DynatraceTenant', base.tenants, head.tenants);
  compare('TokenSpec', base.tokenSpecs, head.tokenSpecs);
  compare('AllowedOrganization', base.organizations, head.organizations);
  return out;
}

/** An object's meaning without where it is written: moving a document to another file changes nothing. */
function content(object: { source: SourceLocation }): string {
  const { source: _where, ...rest } = object;
  return JSON.stringify(rest);
}

function ref(kind: ConfigKind, object: { name: string; source: SourceLocation }): YamlRef {
  const { file, line, column } = object.source;
  return { kind, name: object.name, file, line, column };
}

/** The changed objects among those a cluster's bindings and denials involve, organization first. */
function causesOf(
  h: ClusterEntry,
  b: ClusterEntry | undefined,
  changed: ReadonlyMap<string, YamlRef>,
): YamlRef[] {
  const keys = new Set<string>([objectKey('AllowedOrganization', h.organizationId)]);
  const involve = (tenantId?: string, specName?: string) => {
    if (tenantId) keys.add(objectKey('DynatraceTenant', tenantId));
    if (specName) keys.add(objectKey('TokenSpec', specName));
  };
  for (const x of [...h.bindings, ...(b?.bindings ?? [])]) involve(x.tenantId, x.specName);
  for (const d of [...h.denials, ...(b?.denials ?? [])]) involve(d.tenantId, d.specName);
  return [...keys].flatMap((k) => changed.get(k) ?? []);
}

function elevatedChanges(base: Config, head: Config, report: Report): ElevatedChange[] {
  const out: ElevatedChange[] = [];
  for (const [name, spec] of head.tokenSpecs) {
    const before = new Set(base.tokenSpecs.get(name)?.elevatedScopes ?? []);
    const scopes = (spec.elevatedScopes ?? []).filter((s) => !before.has(s));
    if (scopes.length === 0) continue;
    const clusters = report.clusters.filter((c) => c.bindings.some((x) => x.specName === name)).length;
    out.push({ spec: name, scopes, where: ref('TokenSpec', spec), clusters });
  }
  return out.sort((a, b) => a.spec.localeCompare(b.spec));
}

function totalsOf(changes: ClusterChange[], denials: DenialChange[], orphans: PlannedRevoke[]): DiffTotals {
  const count = (action: TokenAction['action']) =>
    changes.reduce((n, c) => n + c.tokens.filter((t) => t.action === action).length, 0);
  return {
    clusters: changes.length,
    bindingsGained: changes.reduce((n, c) => n + c.gained.length, 0),
    bindingsLost: changes.reduce((n, c) => n + c.lost.length, 0),
    tokensCreate: count('create'),
    tokensRemint: count('remint'),
    tokensUpdate: count('update'),
    tokensRevoke: changes.reduce((n, c) => n + c.revokes.length, 0) + orphans.length,
    deliveriesCreate: changes.filter((c) => c.delivery === 'create').length,
    deliveriesPatch: changes.filter((c) => c.delivery === 'patch').length,
    deliveriesRemove: changes.filter((c) => c.delivery === 'remove').length,
    denials: denials.length,
  };
}
