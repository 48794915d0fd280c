/**
 * Failed clusters grouped by cause. One broken Vault path fails every cluster of a tenant with the same
 * message apart from the cluster's own name and ids; the summary shows that as one row with a count and
 * what to do, not as fifty identical rows.
 */
import type { ClusterEntry } from './report.js';

export interface FailureGroup {
  /** The message with the cluster's own identifiers and other run-specific ids replaced. */
  cause: string;
  clusters: ClusterEntry[];
  hint: string;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** Dynatrace token ids (`dt0c01.ABC…`), long hex ids and long numbers (ids, counts, request ids). */
const RUN_SPECIFIC = /\bdt0[a-z]\d{2}\.[A-Z0-9]+\b|\b[0-9a-f]{16,}\b|\b\d{4,}\b/gi;
/** `dtp_<name>_<externalId>_<hash>` token names carry the cluster. */
const TOKEN_NAME = /\bdtp_[A-Za-z0-9_.-]+/g;
/** The engine's `binding <key>: ` prefix: one cause reaches clusters through v2 and v3 bindings alike. */
const BINDING = /\bbinding [A-Za-z0-9._-]+:/g;

function replaceAll(text: string, needle: string, by: string): string {
  return needle.length >= 3 ? text.split(needle).join(by) : text;
}

/** The cause of a failure without what differs from cluster to cluster. */
export function normaliseFailure(
  message: string,
  cluster?: Pick<ClusterEntry, 'id' | 'externalId' | 'name'>,
): string {
  // Token names first: they contain the cluster's external id, which must not split them.
  let text = message.replace(TOKEN_NAME, '<token>').replace(BINDING, 'binding <binding>:');
  if (cluster) {
    // Longest first: a name may contain the short id.
    for (const value of [cluster.externalId, cluster.name, cluster.id].sort((a, b) => b.length - a.length))
      text = replaceAll(text, value, '<cluster>');
  }
  return text.replace(UUID, '<id>').replace(RUN_SPECIFIC, '<id>').replace(/\s+/g, ' ').trim();
}

/** What to do, from the shape of the message; general where nothing more specific is known. */
const HINTS: [RegExp, string][] = [
  [
    /vault/i,
    'Check the Vault path and field named in the tenant or OCM environment YAML, and that the Vault role may read it.',
  ],
  [
    /listing is incomplete|contradict|malformed|not the shape/i,
    'A remote answer contradicted itself, so nothing was changed there this run; if it persists, report it to the system’s owners.',
  ],
  [/\b401\b|unauthori[sz]ed|invalid token/i, 'The credential was refused: renew it in Vault.'],
  [
    /\b403\b|forbidden|permission|missing scope/i,
    'The credential lacks a permission: see the scopes and roles it needs in the README.',
  ],
  [/\b429\b|rate limit/i, 'Rate limited: lower ocm-rate-limit / dynatrace-rate-limit or concurrency.'],
  [
    /\b5\d\d\b|timeout|timed out|ECONN|socket|ENOTFOUND|EAI_AGAIN/i,
    'A remote system was unreachable or failing: the next run retries; check its status if it persists.',
  ],
  [
    /\b404\b|not found/i,
    'Something dtp expected is gone: check that the cluster, tenant or object still exists.',
  ],
];

function failureHint(cause: string): string {
  return HINTS.find(([pattern]) => pattern.test(cause))?.[1] ?? 'See the error; the next run retries.';
}

/** Groups failed clusters by normalised first error, largest group first (ties by cause, for stable output). */
export function groupFailures(failed: readonly ClusterEntry[]): FailureGroup[] {
  const groups = new Map<string, ClusterEntry[]>();
  for (const c of failed) {
    const cause = normaliseFailure(c.errors[0] ?? 'failed without a message', c);
    groups.set(cause, [...(groups.get(cause) ?? []), c]);
  }
  return [...groups.entries()]
    .map(([cause, clusters]) => ({ cause, clusters, hint: failureHint(cause) }))
    .sort((a, b) => b.clusters.length - a.clusters.length || a.cause.localeCompare(b.cause));
}
