/**
 * The job summary: what happened, readable in a minute. Totals first, then what needs a human (failed
 * clusters, denied bindings, held-back pruning), then the detail, each list capped with a pointer to
 * report.json. Everything that came from outside is escaped.
 */
import { capped, code, escapeMarkdown as esc, formatDuration, table } from './markdown.js';
import type { Report } from './report.js';

const LIST_LIMIT = 50;

function verdict(report: Report): string {
  if (report.startupError) return '❌ could not start';
  const t = report.totals;
  if (t.failed > 0) return `⚠️ ${t.failed} of ${t.clusters} clusters failed`;
  if (report.mode === 'plan')
    return t.planned > 0 ? `📝 ${t.planned} clusters would change` : '✅ nothing to change';
  return t.changed > 0 ? `✅ ${t.changed} clusters reconciled` : '✅ nothing to change';
}

function actionLine(report: Report): string {
  const t = report.totals;
  const verb = report.mode === 'plan' ? 'to ' : '';
  const parts = [
    [t.tokensCreated, `${verb}create`],
    [t.tokensReminted, `${verb}re-mint`],
    [t.tokensUpdated, `${verb}update`],
    [t.tokensRevoked, `${verb}revoke`],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${what}`);
  const deliveries = [
    [t.deliveriesCreated, `${verb}create`],
    [t.deliveriesPatched, `${verb}patch`],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${what}`);
  return [
    `**Tokens**: ${parts.length ? parts.join(' · ') : 'no change'}`,
    `**Deliveries** (SyncSets/Manifests): ${deliveries.length ? deliveries.join(' · ') : 'no change'}`,
    ...(t.tokensCompensated
      ? [`**Compensated**: ${t.tokensCompensated} minted tokens revoked again after a failed delivery`]
      : []),
    ...(t.serviceLogs ? [`**Service logs posted**: ${t.serviceLogs}`] : []),
  ].join('  \n');
}

export function renderSummary(report: Report): string {
  const out: string[] = [];
  const t = report.totals;
  out.push(`## dtp ${report.mode} — ${verdict(report)}`);
  out.push(
    [
      `${report.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
      formatDuration(report.durationMs),
      ...(report.shard !== '1/1' ? [`shard ${report.shard}`] : []),
      `config ${code(report.config.dir)} (${report.config.files} files)`,
      `exit code ${report.exitCode}`,
    ].join(' · '),
  );

  if (report.startupError) {
    out.push(`### Could not start\n\n${esc(report.startupError)}`);
    return `${out.join('\n\n')}\n`;
  }

  out.push(
    table(
      [
        'clusters',
        'unchanged',
        report.mode === 'plan' ? 'would change' : 'changed',
        'failed',
        'denied',
        'not ready',
      ],
      [
        [
          t.clusters,
          t.unchanged,
          report.mode === 'plan' ? t.planned : t.changed,
          t.failed,
          t.denied,
          t.skipped,
        ].map(String),
      ],
    ),
  );
  out.push(actionLine(report));

  const failed = report.clusters.filter((c) => c.status === 'failed');
  if (failed.length > 0) {
    const { shown, more } = capped(failed, LIST_LIMIT);
    out.push(
      `### Failed clusters (${failed.length})\n\n` +
        table(
          ['OCM environment', 'cluster', 'error'],
          shown.map((c) => [esc(c.ocmEnvironment), `${esc(c.name)} ${code(c.id)}`, esc(c.errors.join('; '))]),
        ) +
        more,
    );
  }

  const denials = report.clusters.flatMap((c) => c.denials.map((d) => ({ cluster: c, denial: d })));
  if (denials.length > 0) {
    const byCode = new Map<string, typeof denials>();
    for (const d of denials) byCode.set(d.denial.code, [...(byCode.get(d.denial.code) ?? []), d]);
    const rows = [...byCode.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([c, list]) => [code(c), String(list.length), esc(list[0]!.denial.reason)]);
    const { shown, more } = capped(denials, LIST_LIMIT);
    out.push(
      `### Denied bindings (${denials.length})\n\nThese get no tokens. Fix the cluster's labels or the allow-list in ${code(report.config.dir)}.\n\n` +
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
        '\n\n</details>',
    );
  }

  if (report.breakdown.length > 0) {
    out.push(
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
          report.breakdown.map((b) => [
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
        ),
    );
  }

  const problems = [
    ...report.environments
      .filter((e) => e.error)
      .map((e) => `OCM environment ${code(e.name)}: ${esc(e.error!)}`),
    ...report.tenants
      .filter((x) => x.error)
      .map((x) => `tenant ${code(x.tenantId)} (${esc(x.name)}): ${esc(x.error!)}`),
    ...report.orphans.held.map(
      (h) =>
        `tenant ${code(h.tenantId)}: ${h.count} of ${h.total} dtp_ tokens belong to no cluster, not revoked (${esc(h.reason)})`,
    ),
    ...report.orphans.errors.map((e) => `revoking an orphan token failed: ${esc(e)}`),
  ];
  if (problems.length > 0) out.push(`### Needs attention\n\n${problems.map((p) => `- ${p}`).join('\n')}`);

  const changing = report.clusters.filter(
    (c) =>
      (c.tokens?.length ?? 0) > 0 ||
      c.delivery === 'create' ||
      c.delivery === 'patch' ||
      (c.revokes?.length ?? 0) > 0,
  );
  if (changing.length > 0) {
    const { shown, more } = capped(changing, LIST_LIMIT);
    const title = report.mode === 'plan' ? 'Planned actions' : 'Changes';
    out.push(
      `### ${title} (${changing.length} clusters)\n\n<details><summary>Show</summary>\n\n` +
        table(
          ['OCM environment', 'cluster', 'delivery', 'tokens', 'revoke', 'why'],
          shown.map((c) => [
            esc(c.ocmEnvironment),
            `${esc(c.name)} ${code(c.id)}`,
            `${c.delivery ?? 'none'} ${c.kind}`,
            esc((c.tokens ?? []).map((x) => `${x.action} ${x.key}`).join(', ')),
            String(c.revokes?.length ?? 0),
            esc((c.deliveryReasons ?? []).join('; ')),
          ]),
        ) +
        more +
        '\n\n</details>',
    );
  }

  if (report.orphans.planned.length > 0) {
    const verb = report.mode === 'plan' ? 'would be revoked' : `revoked (${report.orphans.revoked})`;
    out.push(
      `### Tokens without a cluster: ${report.orphans.planned.length} ${verb}\n\n` +
        'Their cluster was deleted, lost its labels, or its binding was removed or denied.',
    );
  }

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
  out.push(
    '<details><summary>Discovery, remote calls and timings</summary>\n\n' +
      table(['OCM environment', 'ok', 'labels', 'ready clusters', 'not ready', 'discovery'], envRows) +
      (callRows.length
        ? `\n\n${table(['system', 'operation', 'calls', 'retries', '429s', 'errors'], callRows)}`
        : '') +
      `\n\nStages: ${Object.entries(report.stagesMs)
        .map(([k, v]) => `${k} ${formatDuration(v)}`)
        .join(' · ')}\n\n</details>`,
  );
  return `${out.filter((s) => s !== '').join('\n\n')}\n`;
}
