/**
 * The job summary: what changed, what failed and why, readable in thirty seconds. The headline counts every
 * write (revocations included), then what needs a human (failures grouped by cause, denied bindings,
 * held-back pruning), then the detail, each list capped with a pointer to report.json. Every count comes
 * from the same totals, and everything that came from outside is escaped (src/escape.ts).
 */
import { groupFailures } from './failures.js';
import {
  capped,
  escapeMarkdown as esc,
  formatDuration,
  inlineCode,
  table,
  tableCode as code,
} from './markdown.js';
import type { ClusterEntry, Report } from './report.js';

const LIST_LIMIT = 50;

/** Every write of the run (or, in plan mode, every write reconcile would make), in the summary's words. */
function writeCounts(report: Report): string[] {
  const t = report.totals;
  const v =
    report.mode === 'plan'
      ? {
          create: 'to create',
          remint: 'to re-mint',
          rotate: 'to rotate',
          update: 'to update',
          revoke: 'to revoke',
          patch: 'to patch',
        }
      : {
          create: 'created',
          remint: 're-minted',
          rotate: 'rotated',
          update: 'updated',
          revoke: 'revoked',
          patch: 'patched',
        };
  const counts: [number, 'token' | 'delivery', string][] = [
    [t.tokensCreated, 'token', v.create],
    [t.tokensReminted, 'token', v.remint],
    // A rotation mints a successor: a write, though the totals count it apart from creates and re-mints.
    [report.rotation?.rotationsStarted ?? 0, 'token', v.rotate],
    [t.tokensUpdated, 'token', v.update],
    [t.tokensRevoked, 'token', v.revoke],
    [t.deliveriesCreated, 'delivery', v.create],
    [t.deliveriesPatched, 'delivery', v.patch],
  ];
  return counts.filter(([n]) => n > 0).map(([n, noun, verb]) => `${plural(n, noun)} ${verb}`);
}

function plural(n: number, noun: 'token' | 'delivery' | 'cluster'): string {
  if (n === 1) return `1 ${noun}`;
  return `${n} ${noun === 'delivery' ? 'deliveries' : `${noun}s`}`;
}

/** `1/1`, `2/4`, or a merged report's `3 shards merged`. */
function shardLabel(shard: string): string {
  return /^\d+\/\d+$/.test(shard) ? `shard ${shard}` : shard;
}

function changedCount(report: Report): number {
  return report.mode === 'plan' ? report.totals.planned : report.totals.changed;
}

function verdict(report: Report): string {
  if (report.startupError && report.clusters.length === 0) return '❌ could not start';
  const t = report.totals;
  const writes = writeCounts(report).join(' · ');
  const changed = changedCount(report);
  const clusters =
    changed > 0
      ? `${plural(changed, 'cluster')} ${report.mode === 'plan' ? 'would change' : 'reconciled'}`
      : '';
  const what = [clusters, writes].filter(Boolean).join(' — ');
  if (report.interrupted)
    return `⏹️ interrupted (${esc(report.interrupted.signal)}) — ${what || 'no writes'} before the stop`;
  if (t.failed > 0) return `⚠️ ${t.failed} of ${t.clusters} clusters failed${writes ? ` — ${writes}` : ''}`;
  if (!writes) return '✅ nothing to change';
  return `${report.mode === 'plan' ? '📝' : '✅'} ${what}`;
}

export function metaLine(report: Report): string {
  return [
    `dtp ${report.tool.version}`,
    `${report.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
    formatDuration(report.durationMs),
    ...(report.shard !== '1/1' ? [esc(shardLabel(report.shard))] : []),
    `config ${inlineCode(report.config.dir)} (${report.config.files} files)`,
    `exit code ${report.exitCode}`,
  ].join(' · ');
}

export function countsTable(report: Report): string {
  const t = report.totals;
  const plan = report.mode === 'plan';
  return table(
    ['clusters', 'unchanged', plan ? 'would change' : 'changed', 'failed', 'denied', 'not ready'],
    [[t.clusters, t.unchanged, changedCount(report), t.failed, t.denied, t.skipped].map(String)],
  );
}

function extrasLine(report: Report): string {
  const t = report.totals;
  return [
    ...(t.tokensCompensated
      ? [
          `**Compensated**: ${t.tokensCompensated} minted tokens revoked again (their delivery failed or was cut off)`,
        ]
      : []),
    ...(t.serviceLogs ? [`**Service logs posted**: ${t.serviceLogs}`] : []),
  ].join('  \n');
}

export function interruptedSection(report: Report): string {
  const stop = report.interrupted;
  if (!stop) return '';
  return (
    `### Interrupted by ${esc(stop.signal)}\n\n` +
    `${stop.notProcessed} clusters were not started; the next run picks them up. Work in flight was ` +
    `finished or compensated (${stop.compensated} minted tokens revoked again). The counts above are what ` +
    'happened before the stop.'
  );
}

export function failuresSection(report: Report): string {
  const failed = report.clusters.filter((c) => c.status === 'failed');
  if (failed.length === 0) return '';
  const groups = groupFailures(failed);
  const causes = table(
    ['cause', 'clusters', 'first clusters', 'what to do'],
    groups.map((g) => [
      esc(g.cause),
      String(g.clusters.length),
      g.clusters
        .slice(0, 3)
        .map((c) => esc(c.name))
        .join(', ') + (g.clusters.length > 3 ? ', …' : ''),
      esc(g.hint),
    ]),
  );
  const { shown, more } = capped(failed, LIST_LIMIT);
  return (
    `### Failed clusters (${failed.length}, ${groups.length} ${groups.length === 1 ? 'cause' : 'causes'})\n\n` +
    causes +
    '\n\n<details><summary>Every failed cluster</summary>\n\n' +
    table(
      ['OCM environment', 'cluster', 'error'],
      shown.map((c) => [esc(c.ocmEnvironment), `${esc(c.name)} ${code(c.id)}`, esc(c.errors.join('; '))]),
    ) +
    more +
    '\n\n</details>'
  );
}

export function denialsSection(report: Report): string {
  const denials = report.clusters.flatMap((c) => c.denials.map((d) => ({ cluster: c, denial: d })));
  if (denials.length === 0) return '';
  const byCode = new Map<string, typeof denials>();
  for (const d of denials) byCode.set(d.denial.code, [...(byCode.get(d.denial.code) ?? []), d]);
  const rows = [...byCode.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([c, list]) => [code(c), String(list.length), esc(list[0]!.denial.reason)]);
  const { shown, more } = capped(denials, LIST_LIMIT);
  return (
    `### Denied bindings (${denials.length})\n\nThese get no tokens. Fix the cluster's labels or the allow-list in ${inlineCode(report.config.dir)}.\n\n` +
    table(['reason', 'bindings', 'example'], rows) +
    `\n\n<details><summary>Every denied binding</summary>\n\n` +
    table(
      ['OCM environment', 'cluster', 'organization', 'label', 'why'],
      shown.map(({ cluster, denial }) => [
        esc(cluster.ocmEnvironment),
        `${esc(cluster.name)} ${code(cluster.id)}`,
        code(cluster.organizationId),
        code(denial.label),
        esc(denial.reason),
      ]),
    ) +
    more +
    '\n\n</details>'
  );
}

/** Tokens revoked per tenant that belong to no cluster: they have a row of their own, not a silent 0. */
function orphanRows(report: Report): string[][] {
  const byTenant = new Map<string, number>();
  for (const o of report.orphans.planned) byTenant.set(o.tenantId, (byTenant.get(o.tenantId) ?? 0) + 1);
  const exact = report.mode === 'plan' || report.orphans.revoked === report.orphans.planned.length;
  if (!exact) {
    return report.orphans.revoked > 0
      ? [['(no cluster)', 'all tenants', '0', '0', '0', '0', '0', String(report.orphans.revoked), '0', '0']]
      : [];
  }
  return [...byTenant.entries()].map(([tenantId, n]) => [
    '(no cluster)',
    code(tenantId),
    ...['0', '0', '0', '0', '0', String(n), '0', '0'],
  ]);
}

/** Token lifetimes (specs with `maxAge`): what expires, what rotated and why predecessors could go. */
export function rotationSection(report: Report): string {
  const r = report.rotation;
  if (!r) return '';
  const plan = report.mode === 'plan';
  const rows = r.tenants.map((t) => [
    code(t.tenantId),
    ...[
      t.expiringSoon,
      t.pastExpiry,
      t.rotationsStarted,
      t.rotationsDeferred,
      t.waitingForPickup,
      t.rotationsCompleted.pickup,
      t.rotationsCompleted.grace,
      t.rotationsCompleted.expired,
    ].map(String),
  ]);
  const done = plan ? 'to complete' : 'completed';
  const lines = [
    `### Token lifetimes

` +
      table(
        [
          'tenant',
          'expiring soon',
          'past expiry',
          plan ? 'rotations to start' : 'rotations started',
          'deferred by budget',
          'waiting for pickup',
          `${done}: ${ROTATION_PROOF.pickup}`,
          `${done}: ${ROTATION_PROOF.grace}`,
          `${done}: predecessor expired`,
        ],
        rows,
      ),
    'Completed rotations are revoked predecessors, counted among the revoked tokens; a predecessor ' +
      'waits until its cluster is seen using the successor or the grace period ends.',
    r.rotationsDeferred
      ? `**Deferred by ${inlineCode('rotation-budget')}**: ${plural(r.rotationsDeferred, 'token')} due for rotation wait for a later run.`
      : '',
    pastExpiryList(report, r.pastExpirySlots),
  ];
  return lines.filter((l) => l !== '').join('\n\n');
}

/** Slots whose cluster holds a dead token, named by cluster: they need a rotation before anything else. */
function pastExpiryList(report: Report, slots: readonly string[]): string {
  if (slots.length === 0) return '';
  const byId = new Map(report.clusters.map((c) => [c.id, c]));
  const { shown, more } = capped([...slots], LIST_LIMIT);
  return (
    `**Past expiry** (${plural(slots.length, 'token')}): these clusters were found holding an expired token; reconcile re-mints it whatever the budget, unless the tenant's re-mints are held or the cluster fails.\n\n` +
    table(
      ['OCM environment', 'cluster', 'slot'],
      shown.map((slot) => {
        const clusterId = slot.split('/')[0]!;
        const c = byId.get(clusterId);
        return [
          esc(c?.ocmEnvironment ?? '—'),
          c ? `${esc(c.name)} ${code(c.id)}` : code(clusterId),
          code(slot.slice(clusterId.length + 1)),
        ];
      }),
    ) +
    more
  );
}

export function breakdownSection(report: Report): string {
  const rows = [
    ...report.breakdown.map((b) => [
      esc(b.ocmEnvironment),
      code(b.tenantId),
      ...[
        b.clusters,
        b.tokensCreated,
        b.tokensReminted,
        b.tokensUpdated,
        b.tokensUnchanged,
        b.tokensRevoked,
        b.deliveriesCreated,
        b.deliveriesPatched,
      ].map(String),
    ]),
    ...orphanRows(report),
  ];
  if (rows.length === 0) return '';
  return (
    `### By OCM environment and tenant\n\n` +
    table(
      [
        'OCM environment',
        'tenant',
        'clusters',
        'created',
        're-minted',
        'updated',
        'unchanged',
        'revoked',
        'deliveries created',
        'patched',
      ],
      rows,
    )
  );
}

export function problemsSection(report: Report): string {
  const problems = [
    ...report.environments
      .filter((e) => e.error)
      .map((e) => `OCM environment ${inlineCode(e.name)}: ${esc(e.error!)}`),
    ...report.tenants
      .filter((x) => x.error)
      .map((x) => `tenant ${inlineCode(x.tenantId)} (${esc(x.name)}): ${esc(x.error!)}`),
    ...report.orphans.held.map(
      (h) =>
        `tenant ${inlineCode(h.tenantId)}: ${h.count} of ${h.total} dtp_ tokens belong to no cluster, not revoked (${esc(h.reason)})`,
    ),
    ...report.orphans.errors.map((e) => `revoking an orphan token failed: ${esc(e)}`),
    ...(report.remintHeld ?? []).map(
      (h) =>
        `tenant ${inlineCode(h.tenantId)}: re-mints held, its Secrets kept as delivered (${esc(h.reason)})`,
    ),
    ...(report.orphans.unbound ?? [])
      .filter((u) => u.error)
      .map(
        (u) =>
          `cluster ${inlineCode(u.cluster.name)} lost its bindings; delivery and tokens kept: ${esc(u.error!)}`,
      ),
  ];
  return problems.length ? `### Needs attention\n\n${problems.map((p) => `- ${p}`).join('\n')}` : '';
}

export const REVOKE_WHY: Record<string, string> = {
  superseded: 'replaced',
  disabled: 'disabled',
  expired: 'expired',
  orphan: 'no cluster',
  'binding-removed': 'binding removed',
  rotated: 'rotated',
};

/** Why a rotated token's predecessor could go ("the summary says which"). */
const ROTATION_PROOF = {
  pickup: 'successor in use',
  grace: 'grace period over',
  expired: 'it had expired',
} as const;

export const TOKEN_VERB = {
  create: 'create',
  remint: 're-mint',
  rotate: 'rotate',
  update: 'update',
} as const;

/** One cluster's row of the changes table: each action with its reason. */
export function changeRow(c: ClusterEntry): string[] {
  const delivery = c.delivery && c.delivery !== 'none' ? `${c.delivery} ${c.kind}` : '—';
  const tokens = (c.tokens ?? []).map(
    (t) => `${TOKEN_VERB[t.action]} ${t.key}${t.reason ? ` (${t.reason})` : ''}`,
  );
  const revokes = (c.revokes ?? []).map(
    (r) =>
      `${r.name} (revoked: ${REVOKE_WHY[r.reason] ?? r.reason}${r.proof ? `, ${ROTATION_PROOF[r.proof]}` : ''})`,
  );
  return [
    esc(c.ocmEnvironment),
    `${esc(c.name)} ${code(c.id)}`,
    esc(delivery),
    esc(tokens.join(', ') || '—'),
    esc(revokes.join(', ') || '—'),
    esc((c.deliveryReasons ?? []).join('; ') || '—'),
  ];
}

function changesSection(report: Report): string {
  const status = report.mode === 'plan' ? 'planned' : 'changed';
  const changing = report.clusters.filter((c) => c.status === status);
  if (changing.length === 0) return '';
  const { shown, more } = capped(changing, LIST_LIMIT);
  const title = report.mode === 'plan' ? 'Planned actions' : 'Changes';
  return (
    `### ${title} (${changing.length} clusters)\n\n<details><summary>Show</summary>\n\n` +
    table(
      ['OCM environment', 'cluster', 'delivery', 'tokens', 'revoke', 'delivery why'],
      shown.map(changeRow),
    ) +
    more +
    '\n\n</details>'
  );
}

function orphansSection(report: Report): string {
  if (report.orphans.planned.length === 0) return '';
  const verb = report.mode === 'plan' ? 'would be revoked' : `revoked (${report.orphans.revoked})`;
  return (
    `### Tokens without a cluster: ${report.orphans.planned.length} ${verb}\n\n` +
    'Their cluster was deleted, lost its labels, or its binding was removed or denied.'
  );
}

export function detailsSection(report: Report): string {
  const envRows = report.environments.map((e) => [
    esc(e.name),
    e.error ? '❌' : '✅',
    String(e.labels),
    String(e.clusters),
    String(e.skipped),
    formatDuration(e.durationMs),
  ]);
  const callRows = report.calls
    .filter((c) => c.calls > 0)
    .map((c) => [
      esc(c.system),
      esc(c.operation),
      String(c.calls),
      String(c.retries),
      String(c.rateLimited),
      String(c.errors),
    ]);
  return (
    '<details><summary>Discovery, remote calls and timings</summary>\n\n' +
    table(['OCM environment', 'ok', 'labels', 'ready clusters', 'not ready', 'discovery'], envRows) +
    (callRows.length
      ? `\n\n${table(['system', 'operation', 'calls', 'retries', '429s', 'errors'], callRows)}`
      : '') +
    `\n\nStages: ${Object.entries(report.stagesMs)
      .map(([k, v]) => `${esc(k)} ${formatDuration(v)}`)
      .join(' · ')}\n\n</details>`
  );
}

export function renderSummary(report: Report): string {
  const head = [`## dtp ${report.mode} — ${verdict(report)}`, metaLine(report)];
  if (report.startupError && report.clusters.length === 0) {
    head.push(`### Could not start\n\n${esc(report.startupError)}`);
    return `${head.join('\n\n')}\n`;
  }
  const sections = [
    // Merged shards: one shard could not start while the others ran; both facts show.
    report.startupError ? `### Could not start\n\n${esc(report.startupError)}` : '',
    countsTable(report),
    extrasLine(report),
    interruptedSection(report),
    failuresSection(report),
    denialsSection(report),
    problemsSection(report),
    rotationSection(report),
    breakdownSection(report),
    changesSection(report),
    orphansSection(report),
    detailsSection(report),
  ];
  return `${[...head, ...sections].filter((s) => s !== '').join('\n\n')}\n`;
}
