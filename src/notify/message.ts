/**
 * One notice rendered for each channel: plain text (email), Slack mrkdwn, and a JSON document (webhook).
 * Every text comes from the report, which holds ids, names and error descriptions, never a token value;
 * the sender still passes each body through `redact` as a second line of defence.
 */
import type { Digest, Notice } from './events.js';

/** Per section; a run that breaks 3,000 clusters must not send a 3,000-line message. */
const MAX_ITEMS = 50;

export interface MessageContext {
  shard: string;
  version: string;
  /** A link to the run (GitHub run URL, Tekton PipelineRun), when known. */
  runUrl?: string;
}

interface Section {
  title: string;
  lines: string[];
}

function sections(notice: Notice): Section[] {
  const d = notice.digest;
  const where = (c: { environment: string; name: string; id: string }) =>
    `${c.environment}/${c.name} (${c.id})`;
  const all: Section[] = [
    { title: 'Newly failing clusters', lines: d.newlyFailing.map((c) => `${where(c)}: ${c.error}`) },
    {
      title: `Clusters failing for ${notice.threshold} runs in a row`,
      lines: d.failingInARow.map((c) => `${where(c)}: ${c.error}`),
    },
    { title: 'Recovered clusters', lines: d.recovered.map(where) },
    { title: 'Newly denied bindings', lines: d.denied.map((c) => `${where(c)}: ${c.label}: ${c.reason}`) },
    {
      title: 'Prunes held',
      lines: d.heldPrunes.map(
        (h) => `tenant ${h.tenantId}: ${h.count} of ${h.total} dtp_ tokens kept: ${h.reason}`,
      ),
    },
    {
      title: 'Re-mints held',
      lines: d.heldRemints.map(
        (h) =>
          `tenant ${h.tenantId}: ${h.count} of ${h.delivered} delivered tokens not re-minted: ${h.reason}`,
      ),
    },
    {
      title: 'Tokens re-minted',
      lines: d.reminted.map(
        (r) => `${where(r)}: ${r.secret} key ${r.key}${r.reason ? ` (${r.reason})` : ''}`,
      ),
    },
    { title: 'Could not be read', lines: d.unreachable.map((u) => `${u.what}: ${u.error}`) },
    { title: 'Rotations overdue', lines: d.rotationsOverdue.map(overdueLine) },
  ];
  return all
    .filter((s) => s.lines.length > 0)
    .map((s) => ({
      title: `${s.title} (${s.lines.length})`,
      lines:
        s.lines.length > MAX_ITEMS
          ? [...s.lines.slice(0, MAX_ITEMS), `… and ${s.lines.length - MAX_ITEMS} more in report.json`]
          : s.lines,
    }));
}

/** Per tenant: its expired tokens by cluster, then what the budget held back. */
function overdueLine(o: Digest['rotationsOverdue'][number]): string {
  const shown = o.pastExpiry.slice(0, 10).map((p) => `${p.environment}/${p.name} (${p.id}) ${p.slot}`);
  const more = o.pastExpiry.length > shown.length ? `, … ${o.pastExpiry.length - shown.length} more` : '';
  return [
    o.pastExpiry.length
      ? `${o.pastExpiry.length} ${o.pastExpiry.length === 1 ? 'token' : 'tokens'} past expiry: ${shown.join(', ')}${more}`
      : '',
    o.deferred
      ? `${o.deferred} ${o.deferred === 1 ? 'rotation' : 'rotations'} deferred by rotation-budget`
      : '',
  ]
    .filter(Boolean)
    .map((part, i) => (i === 0 ? `tenant ${o.tenantId}: ${part}` : part))
    .join('; ');
}

export function subject(notice: Notice, context: MessageContext): string {
  const d = notice.digest;
  const who = notice.audience.kind === 'tenant' ? `tenant ${notice.audience.tenantId}` : 'all tenants';
  const failing = d.newlyFailing.length + d.failingInARow.length;
  const parts = [
    failing ? `${failing} failing` : '',
    d.recovered.length ? `${d.recovered.length} recovered` : '',
    d.denied.length ? `${d.denied.length} denied` : '',
    d.rotationsOverdue.length ? 'rotations overdue' : '',
  ].filter(Boolean);
  return `dtp${context.shard !== '1/1' ? ` shard ${context.shard}` : ''}: ${who}: ${parts.join(', ') || 'news'}`;
}

export function renderText(notice: Notice, context: MessageContext): string {
  const out: string[] = [header(notice), ''];
  for (const s of sections(notice)) out.push(s.title, ...s.lines.map((l) => `  - ${l}`), '');
  out.push(footer(context));
  return `${out.join('\n')}\n`;
}

/** Slack incoming webhook body; `<`, `>` and `&` are Slack's control characters and are escaped. */
export function slackPayload(notice: Notice, context: MessageContext): { text: string } {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [`*${esc(subject(notice, context))}*`, esc(header(notice))];
  for (const s of sections(notice)) out.push(`*${esc(s.title)}*`, ...s.lines.map((l) => `• ${esc(l)}`));
  out.push(`_${esc(footer(context))}_`);
  return { text: out.join('\n') };
}

export function webhookPayload(notice: Notice, context: MessageContext): Record<string, unknown> {
  const a = notice.audience;
  return {
    kind: 'dtp.notification',
    version: 1,
    audience:
      a.kind === 'tenant'
        ? { kind: 'tenant', tenant: a.tenantId, name: a.tenantName, owners: a.owners }
        : { kind: 'admins', recipients: a.recipients },
    shard: context.shard,
    dtpVersion: context.version,
    ...(context.runUrl ? { runUrl: context.runUrl } : {}),
    threshold: notice.threshold,
    subject: subject(notice, context),
    events: capped(notice.digest),
  };
}

function capped(d: Digest): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(d).map(([k, list]) => [k, (list as unknown[]).slice(0, MAX_ITEMS)]),
  );
}

function header(notice: Notice): string {
  const a = notice.audience;
  if (a.kind === 'admins') return 'What changed in the fleet since the last dtp reconcile.';
  const slack = a.owners.map((o) => o.slack).filter(Boolean);
  return `What changed for Dynatrace tenant ${a.tenantId} (${a.tenantName}) since the last dtp reconcile.${slack.length ? ` Owners: ${slack.join(', ')}` : ''}`;
}

function footer(context: MessageContext): string {
  return `dtp ${context.version}${context.runUrl ? ` · ${context.runUrl}` : ''} · full details in the run's report.json`;
}
