import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { envSource, layered, OPTIONS, OUTPUTS, resolveOptions } from '../src/options.js';
import { UserError } from '../src/errors.js';

const from = (values: Record<string, string>) => (name: string) => values[name];

describe('settings', () => {
  it('action.yml declares exactly the settings and outputs, with the same descriptions and defaults', () => {
    const action = load(readFileSync('action.yml', 'utf8')) as {
      inputs: Record<string, { description: string; default?: string }>;
      outputs: Record<string, { description: string }>;
      runs: { using: string; main: string };
    };
    expect(Object.keys(action.inputs)).toEqual(OPTIONS.map((o) => o.name));
    for (const o of OPTIONS) {
      expect(action.inputs[o.name]!.description.startsWith(o.description), o.name).toBe(true);
      const expected = o.name === 'github-token' ? '${{ github.token }}' : o.default;
      expect(action.inputs[o.name]!.default, o.name).toBe(expected);
    }
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS.map((o) => o.name));
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('the README documents every setting and output', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const o of [...OPTIONS, ...OUTPUTS]) expect(readme, o.name).toContain(`\`${o.name}\``);
  });

  it('uses defaults, and reports every invalid setting at once', () => {
    expect(resolveOptions(from({}))).toMatchObject({
      mode: 'reconcile',
      configDir: 'tenants',
      concurrency: 64,
      shard: { index: 1, count: 1 },
    });
    let error: unknown;
    try {
      resolveOptions(from({ mode: 'apply', concurrency: '0', shard: '3/2', 'ocm-url': 'ftp://x' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toContain('mode: "apply" is not one of validate, plan, reconcile');
    expect(message).toContain('concurrency: "0" must be a number from 1 to 256');
    expect(message).toContain('shard: "3/2" must be i/n');
    expect(message).toContain('ocm-url: "ftp://x" is not an http(s) URL');
  });

  it('reads DTP_* variables, then the standard ones, and secrets from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtp-opt-'));
    writeFileSync(join(dir, 'token'), 's.vaulttoken-from-file\n');
    const env = envSource({
      DTP_MODE: 'plan',
      VAULT_ADDR: 'https://vault.example.com/',
      DTP_VAULT_TOKEN_FILE: join(dir, 'token'),
    });
    const options = resolveOptions(layered(from({ concurrency: '4' }), env));
    expect(options.mode).toBe('plan');
    expect(options.concurrency).toBe(4);
    expect(options.vault.addr).toBe('https://vault.example.com');
    expect(options.vault.token?.reveal()).toBe('s.vaulttoken-from-file');
    expect(String(options.vault.token)).toBe('[secret]');
  });

  it('names the missing secret file without printing anything of its content', () => {
    expect(() => resolveOptions(from({ 'vault-secret-id-file': '/nonexistent/secret' }))).toThrow(
      'vault-secret-id-file: cannot read /nonexistent/secret (ENOENT)',
    );
  });
});

describe('README tables', () => {
  it('match the settings list (run `npx tsx scripts/readme-tables.ts` to refresh)', async () => {
    const { withTables } = await import('../scripts/readme-tables.js');
    const readme = readFileSync('README.md', 'utf8');
    expect(withTables(readme)).toBe(readme);
  });
});
