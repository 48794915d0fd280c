/**
 * What is worth telling after a reconcile, per audience: the report of this run compared with what was
 * told before. A pure function: report + previous state in, messages to send + next state out.
 *
 * "New" means not in the previous state, so a lost state makes everything current new again (notify
 * again, never silence). Recoveries need the previous state and are told once: the cluster leaves it.
 */
import type { Config, Contact } from '../config/types.js';
import type { OrphanHold } from '../reconcile/orphans.js';
import type { Report } from '../report/report.js';

export interface RemintHold {
  tenantId: string;
  count: number;
  delivered: number;
  reason: string;
}
import { emptyState, STATE_VERSION, type NotifyState } from './state.js';

export interface ClusterRef {
  environment: string;
  id: string;
  name: string;
}

export interface Digest {
  newlyFailing: (ClusterRef & { error: string })[];
  /** Failing for exactly `threshold` runs in a row: told once when the streak reaches it. */
  failingInARow: (ClusterRef & { runs: number; error: string })[];
  recovered: ClusterRef[];
  denied: (ClusterRef & { label: string; code: string; reason: string })[];
  heldPrunes: OrphanHold[];
  /** Tenants whose re-mints the blast-radius guard held back (report.remintHeld, when the report has it). */
  heldRemints: RemintHold[];
  reminted: (ClusterRef & { secret: string; key: string; reason: string })[];
  unreachable: { what: string; error: string }[];
  /** Tenants with tokens past expiry or rotations held by the budget, told when one of them is new. */
  rotationsOverdue: RotationOverdue[];
}

export interface RotationOverdue {
  tenantId: string;
  /** Slots whose cluster holds an expired token: the cluster, and the slot inside it. */
  pastExpiry: (ClusterRef & { slot: string })[];
  /** Rotations due but held back by `rotation-budget` this run. */
  deferred: number;
}

export type Audience =
  | { kind: 'tenant'; tenantId: string; tenantName: string; owners: Contact[] }
  | { kind: 'admins'; recipients: string[] };

export interface Notice {
  audience: Audience;
  digest: Digest;
  threshold: number;
}

const emptyDigest = (): Digest => ({
  newlyFailing: [],
  failingInARow: [],
  recovered: [],
  denied: [],
  heldPrunes: [],
  heldRemints: [],
  reminted: [],
  unreachable: [],
  rotationsOverdue: [],
});

const isEmpty = (d: Digest): boolean => Object.values(d).every((list) => list.length === 0);

/** One line of the cluster's errors is enough for a message; the report has them all. */
const firstError = (errors: string[]) => (errors[0] ?? 'failed').slice(0, 300);

class Collector {
  readonly admins = emptyDigest();
  readonly tenants = new Map<string, Digest>();

  add<K extends keyof Digest>(section: K, item: Digest[K][number], tenantIds: Iterable<string>): void {
    (this.admins[section] as Digest[K][number][]).push(item);
    for (const t of new Set(tenantIds)) {
      let d = this.tenants.get(t);
      if (!d) this.tenants.set(t, (d = emptyDigest()));
      (d[section] as Digest[K][number][]).push(item);
    }
  }
}

export interface NoticeInput {
  report: Report;
  config: Config;
  previous: NotifyState | undefined;
  threshold: number;
  admins: string[];
  now?: Date;
}

export function computeNotices(input: NoticeInput): { notices: Notice[]; next: NotifyState } {
  const { report, config, threshold } = input;
  const previous = input.previous ?? emptyState();
  const next: NotifyState = {
    ...emptyState(),
    version: STATE_VERSION,
    updatedAt: (input.now ?? new Date()).toISOString(),
  };
  const out = new Collector();
  const tenantIds = [...config.tenants.keys()];
  const mentioned = (text: string) =>
    tenantIds.filter((id) => new RegExp(`\\b${escapeRe(id)}\\b`).test(text));

  clusterEvents(report, previous, next, out, threshold);
  for (const c of report.clusters) {
    const ref = { environment: c.ocmEnvironment, id: c.id, name: c.name };
    for (const d of c.denials) {
      const key = `${c.ocmEnvironment}/${c.id}|${d.label}|${d.code}`;
      next.denied.push(key);
      if (previous.denied.includes(key)) continue;
      // A denial names no tenant field; its owners hear of it when the reason names their tenant.
      out.add('denied', { ...ref, label: d.label, code: d.code, reason: d.reason }, mentioned(d.reason));
    }
    for (const t of c.tokens ?? []) {
      if (t.action !== 'remint') continue;
      out.add('reminted', { ...ref, secret: t.secret, key: t.key, reason: t.reason ?? '' }, [t.tenantId]);
    }
  }
  for (const hold of report.orphans.held) {
    next.held.push(`prune:${hold.tenantId}`);
    if (!previous.held.includes(`prune:${hold.tenantId}`)) out.add('heldPrunes', hold, [hold.tenantId]);
  }
  for (const hold of (report as Report & { remintHeld?: RemintHold[] }).remintHeld ?? []) {
    next.held.push(`remint:${hold.tenantId}`);
    if (!previous.held.includes(`remint:${hold.tenantId}`)) out.add('heldRemints', hold, [hold.tenantId]);
  }
  overdueEvents(report, previous, next, out);
  const unreachable = [
    ...report.environments
      .filter((e) => e.error)
      .map((e) => ({ key: `ocm:${e.name}`, error: e.error!, tenants: [] })),
    ...report.tenants
      .filter((t) => t.error)
      .map((t) => ({ key: `tenant:${t.tenantId}`, error: t.error!, tenants: [t.tenantId] })),
  ];
  for (const u of unreachable) {
    next.unreachable.push(u.key);
    if (!previous.unreachable.includes(u.key))
      out.add('unreachable', { what: u.key, error: u.error }, u.tenants);
  }
  return { notices: toNotices(out, config, input.admins, threshold), next };
}

function clusterEvents(
  report: Report,
  previous: NotifyState,
  next: NotifyState,
  out: Collector,
  threshold: number,
): void {
  const seen = new Set<string>();
  for (const c of report.clusters) {
    const key = `${c.ocmEnvironment}/${c.id}`;
    seen.add(key);
    const ref = { environment: c.ocmEnvironment, id: c.id, name: c.name };
    const tenants = c.bindings.map((b) => b.tenantId);
    const before = previous.failing[key];
    if (c.status === 'failed') {
      const runs = (before?.runs ?? 0) + 1;
      next.failing[key] = { runs, name: c.name, tenants: [...new Set(tenants)] };
      const error = firstError(c.errors);
      if (runs === 1) out.add('newlyFailing', { ...ref, error }, tenants);
      if (runs === threshold && threshold > 1) out.add('failingInARow', { ...ref, runs, error }, tenants);
    } else if (before && (c.status === 'changed' || c.status === 'unchanged')) {
      out.add('recovered', ref, before.tenants);
    }
  }
  // A cluster of an environment that could not be read this run is neither recovered nor forgotten.
  const unread = new Set(report.environments.filter((e) => e.error).map((e) => e.name));
  for (const [key, entry] of Object.entries(previous.failing)) {
    if (!seen.has(key) && unread.has(key.slice(0, key.indexOf('/')))) next.failing[key] = entry;
  }
}

/** Per tenant: expired slots and budget deferrals; told again only when a slot or a deferral is new. */
function overdueEvents(report: Report, previous: NotifyState, next: NotifyState, out: Collector): void {
  const rotation = report.rotation;
  if (!rotation) return;
  const clusters = new Map(report.clusters.map((c) => [c.id, c]));
  const byTenant = new Map<string, RotationOverdue & { isNew: boolean }>();
  const entry = (tenantId: string) => {
    let e = byTenant.get(tenantId);
    if (!e) byTenant.set(tenantId, (e = { tenantId, pastExpiry: [], deferred: 0, isNew: false }));
    return e;
  };
  for (const slot of rotation.pastExpirySlots) {
    // `<cluster id>/<tenant>/<namespace>/<secret>/<key>` (rotation-plan.ts slotKey).
    const [clusterId = '', tenantId = ''] = slot.split('/');
    const c = clusters.get(clusterId);
    const e = entry(tenantId);
    e.pastExpiry.push({
      environment: c?.ocmEnvironment ?? '',
      id: clusterId,
      name: c?.name ?? clusterId,
      slot: slot.slice(clusterId.length + tenantId.length + 2),
    });
    next.overdue.push(`expired:${slot}`);
    if (!previous.overdue.includes(`expired:${slot}`)) e.isNew = true;
  }
  for (const t of rotation.tenants.filter((x) => x.rotationsDeferred > 0)) {
    const e = entry(t.tenantId);
    e.deferred = t.rotationsDeferred;
    next.overdue.push(`deferred:${t.tenantId}`);
    if (!previous.overdue.includes(`deferred:${t.tenantId}`)) e.isNew = true;
  }
  for (const { isNew, ...item } of [...byTenant.values()].sort((a, b) =>
    a.tenantId.localeCompare(b.tenantId),
  ))
    if (isNew) out.add('rotationsOverdue', item, [item.tenantId]);
}

function toNotices(out: Collector, config: Config, admins: string[], threshold: number): Notice[] {
  const notices: Notice[] = [];
  for (const [tenantId, digest] of [...out.tenants].sort(([a], [b]) => a.localeCompare(b))) {
    const tenant = config.tenants.get(tenantId);
    if (!tenant || tenant.owners.length === 0 || isEmpty(digest)) continue;
    notices.push({
      audience: { kind: 'tenant', tenantId, tenantName: tenant.name, owners: tenant.owners },
      digest,
      threshold,
    });
  }
  if (admins.length > 0 && !isEmpty(out.admins)) {
    notices.push({ audience: { kind: 'admins', recipients: admins }, digest: out.admins, threshold });
  }
  return notices;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
