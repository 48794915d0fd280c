/**
 * The plan of a pull request with its base (`base-config`): what this change does leads — clusters that gain
 * or lose bindings, tokens and deliveries, new denials with the YAML line that causes them, elevated scopes
 * newly requested — then, folded, the drift a reconcile would fix anyway. The sticky PR comment and the job
 * summary both use it. Outside text is escaped as in every summary (src/escape.ts).
 */
import { capped, escapeMarkdown as esc, inlineCode, table, tableCode as code } from './markdown.js';
import type { BindingRef, ClusterChange, PlanDiff, YamlRef } from './plan-diff.js';
import type { Report } from './report.js';
import {
  breakdownSection,
  changeRow,
  countsTable,
  denialsSection,
  detailsSection,
  failuresSection,
  interruptedSection,
  metaLine,
  problemsSection,
  REVOKE_WHY,
  rotationSection,
  TOKEN_VERB,
} from './summary.js';

const LIST_LIMIT = 50;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Every write this change causes, in the headline's words. */
function changeCounts(diff: PlanDiff): string[] {
  const t = diff.totals;
  const counts: [number, string, string, string][] = [
    [t.tokensCreate, 'token', 'tokens', 'to create'],
    [t.tokensRemint, 'token', 'tokens', 'to re-mint'],
    [t.tokensUpdate, 'token', 'tokens', 'to update'],
    [t.tokensRevoke, 'token', 'tokens', 'to revoke'],
    [t.deliveriesCreate, 'delivery', 'deliveries', 'to create'],
    [t.deliveriesPatch, 'delivery', 'deliveries', 'to patch'],
    [t.deliveriesRemove, 'delivery', 'deliveries', 'to remove'],
    [t.denials, 'binding', 'bindings', 'newly denied'],
  ];
  return counts.filter(([n]) => n > 0).map(([n, one, many, verb]) => `${plural(n, one, many)} ${verb}`);
}

function verdict(report: Report, diff: PlanDiff): string {
  const writes = changeCounts(diff).join(' · ');
  const what = diff.totals.clusters
    ? `this change: ${plural(diff.totals.clusters, 'cluster')} — ${writes}`
    : writes
      ? `this change: ${writes}`
      : 'this change changes nothing on the fleet';
  if (report.interrupted) return `⏹️ interrupted (${esc(report.interrupted.signal)}) — ${what}`;
  if (report.totals.failed > 0)
    return `⚠️ ${report.totals.failed} of ${report.totals.clusters} clusters failed — ${what}`;
  return `${diff.totals.clusters || writes ? '📝' : '✅'} ${what}`;
}

/** `tenants/tenant-eu.yaml:3` and what is there; a removed document says so (its line is the base's). */
function yamlRef(r: YamlRef, inTable = true): string {
  const where = `${r.file}:${r.line}`;
  return `${inTable ? code(where) : inlineCode(where)} ${esc(r.kind)} ${esc(r.name)}${r.removed ? ' (removed)' : ''}`;
}

const bindingText = (sign: string, b: BindingRef) => `${sign}${b.key} ${b.tenantId}/${b.specName}`;

function changeRowOf(c: ClusterChange): string[] {
  const bindings = [...c.gained.map((b) => bindingText('+', b)), ...c.lost.map((b) => bindingText('−', b))];
  const delivery = c.delivery === 'none' ? '—' : `${c.delivery} ${c.cluster.kind}`;
  const tokens = c.tokens.map((t) => `${TOKEN_VERB[t.action]} ${t.key}${t.reason ? ` (${t.reason})` : ''}`);
  const revokes = c.revokes.map((r) => `${r.name} (${REVOKE_WHY[r.reason] ?? r.reason})`);
  return [
    esc(c.cluster.ocmEnvironment),
    `${esc(c.cluster.name)} ${code(c.cluster.id)}`,
    esc(bindings.join(', ') || '—'),
    esc(delivery),
    esc(tokens.join(', ') || '—'),
    esc(revokes.join(', ') || '—'),
    c.causes.map((r) => yamlRef(r)).join('<br>') || '—',
  ];
}

function changesSection(diff: PlanDiff): string {
  if (diff.changes.length === 0) return '';
  const { shown, more } = capped(diff.changes, LIST_LIMIT);
  return (
    `### What this change does (${plural(diff.changes.length, 'cluster')})\n\n` +
    table(
      ['OCM environment', 'cluster', 'bindings', 'delivery', 'tokens', 'revoke', 'caused by'],
      shown.map(changeRowOf),
    ) +
    more
  );
}

function deniedSection(diff: PlanDiff): string {
  if (diff.denials.length === 0) return '';
  const { shown, more } = capped(diff.denials, LIST_LIMIT);
  return (
    `### Bindings this change denies (${diff.denials.length})\n\n` +
    table(
      ['OCM environment', 'cluster', 'label', 'why', 'caused by'],
      shown.map(({ cluster, denial, causes }) => [
        esc(cluster.ocmEnvironment),
        `${esc(cluster.name)} ${code(cluster.id)}`,
        code(denial.label),
        `${code(denial.code)} ${esc(denial.reason)}`,
        causes.map((r) => yamlRef(r)).join('<br>') || '—',
      ]),
    ) +
    more
  );
}

function elevatedSection(diff: PlanDiff): string {
  if (diff.elevated.length === 0) return '';
  const lines = diff.elevated.map(
    (e) =>
      `- token spec ${inlineCode(e.spec)} (${inlineCode(`${e.where.file}:${e.where.line}`)}): ${e.scopes.map(inlineCode).join(', ')} — ${plural(e.clusters, 'cluster')} bound to it`,
  );
  return `### Elevated scopes newly requested\n\n${lines.join('\n')}`;
}

function orphansLine(diff: PlanDiff): string {
  if (diff.orphans.length === 0) return '';
  return `**Tokens of clusters not seen this run**: ${diff.orphans.length} would be revoked because of this change.`;
}

function changedConfigLine(diff: PlanDiff): string {
  if (diff.changed.length === 0) return '';
  const { shown, more } = capped(diff.changed, 20);
  return `**Changed in the configuration**: ${shown.map((r) => yamlRef(r, false)).join(', ')}${more ? ` and ${diff.changed.length - shown.length} more` : ''}`;
}

/** The head plan's actions that the base plan has too, folded: they are not this change's doing. */
function driftSection(report: Report, diff: PlanDiff): string {
  const { clusters, orphans } = diff.drift;
  const { shown, more } = capped(clusters, LIST_LIMIT);
  const body = [
    `The whole fleet, this change included:\n\n${countsTable(report)}`,
    clusters.length
      ? table(
          ['OCM environment', 'cluster', 'delivery', 'tokens', 'revoke', 'delivery why'],
          shown.map(changeRow),
        ) + more
      : 'No cluster has drift of its own.',
    orphans.length ? `${plural(orphans.length, 'token')} without a cluster would be revoked anyway.` : '',
    denialsSection(report),
    // Rotation follows token age, not the configuration change: it belongs to the fleet-wide drift.
    rotationSection(report),
    breakdownSection(report),
  ].filter((s) => s !== '');
  return (
    `<details><summary>Drift a reconcile would fix anyway, with or without this change (${plural(clusters.length, 'cluster')}${orphans.length ? `, ${plural(orphans.length, 'token')} without a cluster` : ''})</summary>\n\n` +
    body.join('\n\n') +
    '\n\n</details>'
  );
}

export function renderChangeSummary(report: Report, diff: PlanDiff): string {
  const sections = [
    `## dtp plan — ${verdict(report, diff)}`,
    metaLine(report),
    changesSection(diff),
    deniedSection(diff),
    elevatedSection(diff),
    orphansLine(diff),
    changedConfigLine(diff),
    interruptedSection(report),
    failuresSection(report),
    problemsSection(report),
    driftSection(report, diff),
    detailsSection(report),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}
