/** One slot's clock, lifetime and tokens for the rotation decisions (rotation.ts), shared by its tests. */
import type { DynatraceToken } from '../../src/clients/api.js';
import { DAY_MS, HOUR_MS } from '../../src/config/duration.js';
import type { RotationClock } from '../../src/reconcile/rotation.js';

export const NOW = new Date('2026-06-01T12:00:00Z');
export const CLOCK: RotationClock = { now: NOW, runIntervalMs: 2 * HOUR_MS };
export const NAME = 'dtp_operator_0f6c1c6e-6c1f-4b8e-9a57-7a4c7d1f2a10_1b6c3b9a7248';
/** maxAge 90d → rotateAfter 60d, grace 24h. */
export const LIFETIME = { maxAgeMs: 90 * DAY_MS, rotateAfterMs: 60 * DAY_MS, rotationGraceMs: 24 * HOUR_MS };

export const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
export const ahead = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

export function token(
  id: string,
  created: string | undefined,
  more: Partial<DynatraceToken> = {},
): DynatraceToken {
  return {
    id,
    name: NAME,
    scopes: ['DataExport'],
    enabled: true,
    ...(created !== undefined ? { creationDate: created } : {}),
    ...more,
  };
}
