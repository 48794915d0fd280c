/**
 * Bounds and defaults of a token entry's lifetime (`maxAge`, `rotateAfter`, `rotationGrace`). The bounds
 * keep a typo from minting tokens that die within minutes or live for years; they are stated in the
 * schema's descriptions and docs/configuration.md too.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from './duration.js';

export interface Bounds {
  minMs: number;
  maxMs: number;
}

/** An hour is the shortest lifetime a scheduled job can rotate safely; a year the longest worth having. */
export const MAX_AGE_BOUNDS: Bounds = { minMs: HOUR_MS, maxMs: 365 * DAY_MS };
/** rotateAfter must also stay below maxAge (checked against the entry's own maxAge). */
export const ROTATE_AFTER_BOUNDS: Bounds = { minMs: 10 * MINUTE_MS, maxMs: 365 * DAY_MS };
export const ROTATION_GRACE_BOUNDS: Bounds = { minMs: 10 * MINUTE_MS, maxMs: 30 * DAY_MS };

export const DEFAULT_ROTATION_GRACE_MS = 24 * HOUR_MS;

/** The `run-interval` setting's default: the shipped schedules run every two hours. */
export const DEFAULT_RUN_INTERVAL_MS = 2 * HOUR_MS;

/** Two thirds of maxAge, to the minute: a third of the lifetime is left for the rotation to finish. */
export function defaultRotateAfter(maxAgeMs: number): number {
  return Math.floor((maxAgeMs * 2) / 3 / MINUTE_MS) * MINUTE_MS;
}
