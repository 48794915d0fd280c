/**
 * Durations as the token spec writes them (`maxAge: 90d`, `rotateAfter: 12h`, `rotationGrace: 30m`): one
 * whole number and one unit, so a value reads the same in the YAML, the summary and an error message.
 * The schema checks the shape (DURATION_PATTERN); the rules check the ranges on the parsed milliseconds.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const UNITS: Readonly<Record<string, number>> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** Kept equal to the `duration` pattern of schemas/token-spec.schema.json (a test compares them). */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}[mhd]$';

/** Milliseconds of `90d`, `12h` or `30m`; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = new RegExp(DURATION_PATTERN).exec(text);
  if (!match) return undefined;
  return Number(text.slice(0, -1)) * UNITS[text.slice(-1)]!;
}

/** `60d`, `8h`, `40m`, or `66d16h` when one unit does not fit: how a computed default is shown. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0m';
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const parts = [days ? `${days}d` : '', hours ? `${hours}h` : '', minutes ? `${minutes}m` : ''];
  const text = parts.join('');
  return text === '' ? '<1m' : text;
}
