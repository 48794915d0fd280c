/**
 * Hostile input is input: every bound on what the loader reads holds and is reported where it was crossed.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../src/config/files.js';
import { DEFAULT_LIMITS, type LoadLimits } from '../../src/config/limits.js';
import { loadConfig, loadConfigWithLimits } from '../../src/config/load.js';
import { removeConfig, shown, writeConfig } from './baseline.js';
import { writeLargeConfig } from './large-config.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeConfig));

function folder(files: Record<string, string | Buffer | null>, base?: Record<string, string>): string {
  const dir = writeConfig(files, base);
  dirs.push(dir);
  return dir;
}

async function problemsWith(dir: string, limits: Partial<LoadLimits>) {
  const result = await loadConfigWithLimits(dir, { ...DEFAULT_LIMITS, ...limits });
  return result.diagnostics.map(
    (d) => `${d.file.slice(shown(dir).length + 1)}:${d.line}:${d.column} ${d.severity}: ${d.message}`,
  );
}

describe('bounds on hostile input', () => {
  it('reads at most maxFiles files, and says so on the folder', async () => {
    const dir = folder({ 'a.yaml': 'x: 1\n', 'b.yaml': 'x: 1\n', 'c.yaml': 'x: 1\n' }, {});
    const result = await loadConfigWithLimits(dir, { ...DEFAULT_LIMITS, maxFiles: 2 });
    expect(result.files.map((f) => f.slice(shown(dir).length + 1))).toEqual(['a.yaml', 'b.yaml']);
    expect(result.diagnostics[0]).toMatchObject({
      file: shown(dir),
      line: 0,
      message: `3 YAML files in ${shown(dir)}; at most 2 are read`,
    });
  });

  it('stops reading when the folder holds more than maxTotalBytes', async () => {
    const dir = folder({ 'a.yaml': `x: ${'1'.repeat(60)}\n`, 'b.yaml': `x: ${'2'.repeat(60)}\n` }, {});
    expect(await problemsWith(dir, { maxTotalBytes: 100 })).toContain(
      'b.yaml:0:0 error: not read: the configuration folder holds more than 100 bytes of YAML',
    );
  });

  it('rejects more than maxAliases aliases at the first one too many', async () => {
    const dir = folder({ 'a.yaml': 'a: &a x\nb: [*a, *a, *a, *a]\n' }, {});
    expect(await problemsWith(dir, { maxAliases: 3 })).toContain(
      'a.yaml:2:17 error: more than 3 aliases in one document',
    );
  });

  it('counts nodes as aliases expand them, at the alias that crosses the bound', async () => {
    const dir = folder({ 'a.yaml': 'a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n' }, {});
    // 1 root + (1 key + 5 for a) + (1 key + 1 list) = 9, then each *a adds 5: the second one reaches 19.
    expect(await problemsWith(dir, { maxExpandedNodes: 15 })).toContain(
      'a.yaml:2:9 error: the document expands to more than 15 values through its aliases',
    );
    expect(await problemsWith(dir, { maxExpandedNodes: 25 })).not.toContain(
      expect.stringContaining('expands'),
    );
  });

  it('rejects a billion-laughs file at the alias that crosses the bound, without building it', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    const dir = folder({ 'bomb.yaml': `${levels.join('\n')}\n` }, {});
    const result = await loadConfig(dir);
    // 10^9 values if expanded; the walk stops counting at the alias that crosses the bound instead: the
    // eighth *l3 on line 5 (about 12,000 values before l4, 11,111 per *l3). Nothing later is expanded.
    // How long it takes is measured by test/config/benchmark.ts, not here.
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '5:45 the document expands to more than 100,000 values through its aliases',
    ]);
  });

  it('reports a flood of broken references without stalling, suggesting fixes while the budget lasts', async () => {
    // Every organization id changed case: thousands of unknown references against a thousand ids.
    const large = writeLargeConfig(50, 50, 100);
    dirs.push(large.dir);
    for (const file of readdirSync(large.dir)) {
      const path = join(large.dir, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/organizationId: org/g, 'organizationId: Org'));
    }
    const result = await loadConfig(large.dir);
    const unknown = result.diagnostics.filter((d) =>
      d.message.includes('is not declared as an AllowedOrganization'),
    );
    expect(unknown.length).toBeGreaterThan(5000);
    expect(unknown[0]!.message).toMatch(/; did you mean `Org0\d+`\?$/);
    // What keeps it from stalling: the suggestion budget runs out and the rest are reported without one.
    // (How long it takes is measured by test/config/benchmark.ts.)
    expect(unknown.at(-1)!.message).not.toContain('did you mean');
  });

  it('rejects nesting beyond maxDepth at the bracket that goes too deep', async () => {
    const dir = folder({ 'a.yaml': 'a: [[[[x]]]]\n' }, {});
    expect(await problemsWith(dir, { maxDepth: 3 })).toContain(
      'a.yaml:1:6 error: YAML syntax error: nested more than 3 levels deep',
    );
  });

  it('does not follow a symbolic link to a folder (it could loop)', async () => {
    const dir = folder({ 'sub/a.yaml': 'x: 1\n' }, {});
    symlinkSync(dir, join(dir, 'sub', 'loop'));
    const result = await loadConfig(dir);
    expect(result.files).toEqual([`${shown(dir)}/sub/a.yaml`]);
    expect(result.diagnostics.map((d) => d.message)).toContain(
      `ignored: ${shown(dir)}/sub/loop (links to folders are not followed)`,
    );
  });

  it('reports a configuration path that is a file', async () => {
    const dir = folder({ 'a.yaml': 'x: 1\n' }, {});
    const result = await loadConfig(join(dir, 'a.yaml'));
    expect(result.config).toBeUndefined();
    expect(result.diagnostics).toMatchObject([{ line: 0, message: `${shown(dir)}/a.yaml is not a folder` }]);
  });

  it('reads YAML below subfolders in path order and ignores hidden entries silently', async () => {
    const dir = folder(
      { 'b.yml': 'x: 1\n', 'a/z.yaml': 'x: 1\n', '.git/x.yaml': 'x', '.gitkeep': '', 'notes.txt': 'x' },
      {},
    );
    mkdirSync(join(dir, '.hidden-dir'));
    writeFileSync(join(dir, '.hidden-dir', 'c.yaml'), 'x: 1\n');
    const result = await loadConfig(dir);
    expect(result.files.map((f) => f.slice(shown(dir).length + 1))).toEqual(['a/z.yaml', 'b.yml']);
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    expect(warnings).toEqual([
      `ignored: ${shown(dir)}/notes.txt (only *.yaml and *.yml files are configuration)`,
    ]);
  });
});

describe('UTF-8 check', () => {
  it('finds the first byte that is not well-formed UTF-8', () => {
    expect(firstInvalidUtf8(Buffer.from('plain ascii and é and 😀'))).toBeUndefined();
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc9, 0x71]))).toBe(1); // Latin-1 É
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong NUL
    expect(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0x80]))).toBe(0); // overlong 3-byte form
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // cut off
  });
});
