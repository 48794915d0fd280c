/**
 * A token entry's lifetime: `maxAge` within its bounds, `rotateAfter` below `maxAge`, and neither
 * `rotateAfter` nor `rotationGrace` without `maxAge` (they would silently do nothing). The schema has
 * already checked that each value is a duration.
 */
import type { Located } from '../catalog.js';
import { formatDuration, parseDuration } from '../duration.js';
import {
  MAX_AGE_BOUNDS,
  ROTATE_AFTER_BOUNDS,
  ROTATION_GRACE_BOUNDS,
  defaultRotateAfter,
  type Bounds,
} from '../lifetime.js';
import type { ConfigDocument, Problems } from '../problems.js';
import type { TokenSpec } from '../types.js';

type LifetimeField = 'maxAge' | 'rotateAfter' | 'rotationGrace';

interface RawEntry {
  maxAge?: string;
  rotateAfter?: string;
  rotationGrace?: string;
}

export function checkTokenLifetimes(
  { doc, object: spec }: Located<TokenSpec>,
  problems: Problems,
  runIntervalMs: number,
): void {
  const raw = doc.value as { spec: { secrets: { tokens: RawEntry[] }[] } };
  spec.secrets.forEach((secret, s) =>
    secret.tokens.forEach((_, t) => {
      const entry = raw.spec.secrets[s]!.tokens[t]!;
      checkEntry(doc, `/spec/secrets/${s}/tokens/${t}`, entry, problems, runIntervalMs);
    }),
  );
}

function checkEntry(
  doc: ConfigDocument,
  pointer: string,
  entry: RawEntry,
  problems: Problems,
  runIntervalMs: number,
): void {
  const at = (field: LifetimeField, message: string, hint: string) =>
    problems.at(doc, `${pointer}/${field}`, message, { hint });

  if (entry.maxAge === undefined) {
    for (const field of ['rotateAfter', 'rotationGrace'] as const) {
      if (entry[field] === undefined) continue;
      at(
        field,
        'needs maxAge on the same token: without maxAge the token never expires and is never rotated',
        `Add maxAge (e.g. \`maxAge: 90d\`) to this token, or remove ${field}.`,
      );
    }
    return;
  }
  const maxAge = inBounds(entry.maxAge, MAX_AGE_BOUNDS);
  if (maxAge.problem) {
    at('maxAge', maxAge.problem, 'maxAge is from 1h to 365d, e.g. `maxAge: 90d`.');
  } else if (maxAge.ms !== undefined && maxAge.ms <= 2 * runIntervalMs) {
    // A token is rotated when it expires before the run after next: this one would be from its first run on.
    problems.at(
      doc,
      `${pointer}/maxAge`,
      `\`${entry.maxAge}\` is not longer than two run intervals (run-interval ${formatDuration(runIntervalMs)}): its tokens would be rotated on every run`,
      {
        severity: 'warning',
        hint: 'Make maxAge several run intervals long (90d is usual), or shorten run-interval to match the schedule.',
      },
    );
  }
  if (entry.rotateAfter !== undefined) {
    const rotateAfter = inBounds(entry.rotateAfter, ROTATE_AFTER_BOUNDS);
    if (rotateAfter.problem) {
      at('rotateAfter', rotateAfter.problem, 'rotateAfter is at least 10m and shorter than maxAge.');
    } else if (maxAge.ms !== undefined && !maxAge.problem && rotateAfter.ms! >= maxAge.ms) {
      at(
        'rotateAfter',
        `\`${entry.rotateAfter}\` is not shorter than maxAge \`${entry.maxAge}\`: the token would expire before its successor is delivered`,
        `Leave rotateAfter out (it defaults to two thirds of maxAge, here ${formatDuration(defaultRotateAfter(maxAge.ms))}), or make it shorter than maxAge.`,
      );
    }
  }
  if (entry.rotationGrace !== undefined) {
    const grace = inBounds(entry.rotationGrace, ROTATION_GRACE_BOUNDS);
    if (grace.problem) {
      at(
        'rotationGrace',
        grace.problem,
        'rotationGrace is from 10m to 30d; leave it out for the default, 24h.',
      );
    }
  }
}

function inBounds(text: string, bounds: Bounds): { ms?: number; problem?: string } {
  const ms = parseDuration(text);
  // The schema reported a malformed value already; a document with one never gets here.
  if (ms === undefined) return {};
  if (ms < bounds.minMs)
    return { ms, problem: `\`${text}\` is shorter than ${formatDuration(bounds.minMs)}` };
  if (ms > bounds.maxMs) return { ms, problem: `\`${text}\` is longer than ${formatDuration(bounds.maxMs)}` };
  return { ms };
}
