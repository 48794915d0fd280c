/**
 * A token entry's lifetime (`maxAge`, `rotateAfter`, `rotationGrace`): the typed model with its defaults,
 * entries without `maxAge` exactly as before, and every mistake reported on its line with what to do.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import {
  DAY_MS,
  DURATION_PATTERN,
  formatDuration,
  HOUR_MS,
  MINUTE_MS,
  parseDuration,
} from '../../src/config/duration.js';
import { loadConfig } from '../../src/config/load.js';
import { baseline, removeConfig, shown, writeConfig, type FileSet } from './baseline.js';
import { STACK_FRAME, validate } from './validate.js';

const SPECS = 'token-specs.yaml';
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeConfig));

/** The baseline spec with lines added under the first token (`operator`, whose key line is line 13). */
function operatorWith(...lines: string[]): FileSet {
  return {
    [SPECS]: baseline(
      SPECS,
      'keyNameInSecret: apiToken\n',
      `keyNameInSecret: apiToken\n${lines.map((l) => `          ${l}\n`).join('')}`,
    ),
  };
}

async function load(changes: FileSet) {
  const dir = writeConfig(changes);
  dirs.push(dir);
  return { dir, result: await loadConfig(dir) };
}

describe('durations', () => {
  it('reads minutes, hours and days, and nothing else', () => {
    expect(parseDuration('30m')).toBe(30 * MINUTE_MS);
    expect(parseDuration('12h')).toBe(12 * HOUR_MS);
    expect(parseDuration('90d')).toBe(90 * DAY_MS);
    for (const bad of ['0d', '90', 'd', '1.5h', '90D', '2w', ' 1h', '1h ', '-1h', '1234567d']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });

  it('shows computed values in the same words', () => {
    expect(formatDuration(60 * DAY_MS)).toBe('60d');
    expect(formatDuration(40 * MINUTE_MS)).toBe('40m');
    expect(formatDuration(66 * DAY_MS + 16 * HOUR_MS)).toBe('66d16h');
  });

  it('is the pattern the schema checks', () => {
    const schema = JSON.parse(readFileSync('schemas/token-spec.schema.json', 'utf8'));
    expect(schema.$defs.duration.pattern).toBe(DURATION_PATTERN);
  });
});

describe('the typed lifetime', () => {
  it('is absent without maxAge: tokens never expire, as with the reference implementation', async () => {
    const { result } = await load({});
    const tokens = result.config!.tokenSpecs.get('default')!.secrets[0]!.tokens;
    expect(tokens.map((t) => 'lifetime' in t)).toEqual([false, false]);
  });

  it('defaults rotateAfter to two thirds of maxAge and rotationGrace to 24h', async () => {
    const { result } = await load(operatorWith('maxAge: 90d'));
    const [operator, ingest] = result.config!.tokenSpecs.get('default')!.secrets[0]!.tokens;
    expect(operator!.lifetime).toEqual({
      maxAgeMs: 90 * DAY_MS,
      rotateAfterMs: 60 * DAY_MS,
      rotationGraceMs: 24 * HOUR_MS,
    });
    expect(ingest!.lifetime).toBeUndefined();
  });

  it('takes rotateAfter and rotationGrace as written', async () => {
    const { result } = await load(operatorWith('maxAge: 12h', 'rotateAfter: 6h', 'rotationGrace: 30m'));
    const operator = result.config!.tokenSpecs.get('default')!.secrets[0]!.tokens[0]!;
    expect(operator.lifetime).toEqual({
      maxAgeMs: 12 * HOUR_MS,
      rotateAfterMs: 6 * HOUR_MS,
      rotationGraceMs: 30 * MINUTE_MS,
    });
    expect(result.diagnostics).toEqual([]);
  });

  it('rounds the default rotateAfter of an odd maxAge down to the minute', async () => {
    const { result } = await load(operatorWith('maxAge: 100m'));
    const operator = result.config!.tokenSpecs.get('default')!.secrets[0]!.tokens[0]!;
    expect(operator.lifetime!.rotateAfterMs).toBe(66 * MINUTE_MS);
  });
});

describe('a lifetime against the schedule', () => {
  it('warns, on the line, when maxAge is not longer than two run intervals', async () => {
    const { dir, result } = await load(operatorWith('maxAge: 4h'));
    expect(result.config).toBeDefined();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        file: shown(dir, SPECS),
        line: 14,
        column: 19,
        severity: 'warning',
        message:
          'spec.secrets[0].tokens[0].maxAge: `4h` is not longer than two run intervals (run-interval 2h): its tokens would be rotated on every run',
      }),
    ]);
  });

  it('follows the run-interval setting', async () => {
    const dir = writeConfig(operatorWith('maxAge: 4h'));
    dirs.push(dir);
    expect((await loadConfig(dir, { runIntervalMs: 30 * MINUTE_MS })).diagnostics).toEqual([]);
    expect((await loadConfig(dir, { runIntervalMs: 3 * HOUR_MS })).diagnostics).toHaveLength(1);
  });
});

interface Case {
  name: string;
  lines: string[];
  /** Line and column in token-specs.yaml. */
  at: [line: number, column: number];
  message: string;
  hint: string;
}

// The added lines start at line 14, their values at column 19 + the key's length - 6.
const cases: Case[] = [
  {
    name: 'maxAge without a unit',
    lines: ['maxAge: 90'],
    at: [14, 19],
    message:
      'spec.secrets[0].tokens[0].maxAge: must be a whole number of minutes, hours or days, e.g. 90d, 12h or 30m',
    hint: 'Got the number 90.',
  },
  {
    name: 'maxAge in weeks',
    lines: ['maxAge: 2w'],
    at: [14, 19],
    message:
      'spec.secrets[0].tokens[0].maxAge: must be a whole number of minutes, hours or days, e.g. 90d, 12h or 30m',
    hint: '',
  },
  {
    name: 'maxAge too long',
    lines: ['maxAge: 400d'],
    at: [14, 19],
    message: 'spec.secrets[0].tokens[0].maxAge: `400d` is longer than 365d',
    hint: 'maxAge is from 1h to 365d',
  },
  {
    name: 'maxAge too short',
    lines: ['maxAge: 30m'],
    at: [14, 19],
    message: 'spec.secrets[0].tokens[0].maxAge: `30m` is shorter than 1h',
    hint: 'maxAge is from 1h to 365d',
  },
  {
    name: 'rotateAfter as long as maxAge',
    lines: ['maxAge: 90d', 'rotateAfter: 90d'],
    at: [15, 24],
    message:
      'spec.secrets[0].tokens[0].rotateAfter: `90d` is not shorter than maxAge `90d`: the token would expire before its successor is delivered',
    hint: 'here 60d',
  },
  {
    name: 'rotateAfter too short',
    lines: ['maxAge: 2h', 'rotateAfter: 5m'],
    at: [15, 24],
    message: 'spec.secrets[0].tokens[0].rotateAfter: `5m` is shorter than 10m',
    hint: 'at least 10m',
  },
  {
    name: 'rotateAfter without maxAge',
    lines: ['rotateAfter: 60d'],
    at: [14, 24],
    message:
      'spec.secrets[0].tokens[0].rotateAfter: needs maxAge on the same token: without maxAge the token never expires and is never rotated',
    hint: 'Add maxAge',
  },
  {
    name: 'rotationGrace without maxAge',
    lines: ['rotationGrace: 1h'],
    at: [14, 26],
    message:
      'spec.secrets[0].tokens[0].rotationGrace: needs maxAge on the same token: without maxAge the token never expires and is never rotated',
    hint: 'Add maxAge',
  },
  {
    name: 'rotationGrace too long',
    lines: ['maxAge: 90d', 'rotationGrace: 31d'],
    at: [15, 26],
    message: 'spec.secrets[0].tokens[0].rotationGrace: `31d` is longer than 30d',
    hint: 'from 10m to 30d',
  },
];

describe('dtp validate on token lifetimes', () => {
  it.each(cases)('$name', async (c) => {
    const dir = writeConfig(operatorWith(...c.lines));
    dirs.push(dir);
    const result = await validate(dir);
    const [line, column] = c.at;
    const expected = formatDiagnostic({
      file: shown(dir, SPECS),
      line,
      column,
      severity: 'error',
      message: c.message,
    });

    expect(result.exitCode).toBe(2);
    const error = result.stderr.find((l) => l.split('\n')[0] === expected);
    expect(error, result.stderr.join('\n')).toBeDefined();
    expect(error).toContain(c.hint);
    expect(result.stderr).toEqual(
      expect.arrayContaining([expect.stringMatching(/^error: configuration invalid: 1 error,/)]),
    );
    expect(result.everything).not.toMatch(STACK_FRAME);
  });
});
