/**
 * The rules of src/config/rules/, one broken configuration per rule (config-rules.cases.ts): each asserts
 * every diagnostic in full — where, how severe, what and what to do — so a rule that stops firing, fires at
 * the wrong place, loses its hint or changes severity fails here, not in review of a real pull request.
 */
import { describe, expect, it } from 'vitest';
import { vaultPathProblem } from '../../src/config/rules/vault-paths.js';
import { loadConfig } from '../../src/config/load.js';
import { removeConfig, shown, writeConfig } from '../config/baseline.js';
import { CASES } from './config-rules.cases.js';

async function findings({ files, settings }: (typeof CASES)[number]): Promise<string[]> {
  const dir = writeConfig(files);
  try {
    const { diagnostics } = await loadConfig(dir, settings);
    const prefix = shown(dir);
    return diagnostics.map((d) =>
      `${d.file.slice(prefix.length + 1)}:${d.line}:${d.column} ${d.severity}: ${d.message} | hint: ${d.hint}`
        .split(prefix)
        .join('<dir>'),
    );
  } finally {
    removeConfig(dir);
  }
}

describe('configuration rules', () => {
  it.each(CASES.map((c) => [c.rule, c] as const))('%s', async (_, c) => {
    expect(await findings(c)).toEqual(c.expected);
  });
});

describe('a Vault path segment is judged as Vault would see it', () => {
  it.each([
    ['creds//x', 'segment 2 `` is empty (a leading, trailing or doubled `/`)'],
    ['creds/../x', 'segment 2 `..` is `..`: it would address another path'],
    ['creds/%2e/x', 'segment 2 `%2e` (decoded `.`) is `.`: it would address another path'],
    ['creds/a\u202eb', 'segment 2 `a\\u202eb` contains a space or control character'],
    ['creds/a\u0085b', 'segment 2 `a\\x85b` contains a space or control character'],
    ['creds/dynatrace-bootstrap_1.0/abc12345', undefined],
  ])('%j', (path, problem) => {
    expect(vaultPathProblem(path)).toBe(problem);
  });
});
