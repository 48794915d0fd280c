/**
 * The CLI as people type it (issue 12, item 4): bare switches, boolean words in flags and DTP_* variables,
 * `--version`, did-you-mean for commands and flags, `report merge` wording, and a `--write-env` file that
 * works with `source`. End-to-end cases run the real entry with tsx; parsing cases call it directly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { expandSwitches, flagSource } from '../src/cli-args.js';
import { envSource, layered, resolveOptions } from '../src/options.js';
import { formatEta, ProgressMeter } from '../src/report/progress.js';
import { cluster, report, totals } from './report/fixtures.js';

const TSX = join('node_modules', '.bin', 'tsx');

function dtp(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(TSX, ['src/cli.ts', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A private copy of a valid configuration: the test depends on it validating, not on what it holds. */
function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtp-cli-'));
  cpSync('tenants', join(dir, 'tenants'), { recursive: true });
  return join(dir, 'tenants');
}

describe('dtp --version', () => {
  it.each([['--version'], ['version'], ['-V']])('%s prints the package version', (arg) => {
    const { code, stdout } = dtp([arg]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`dtp ${pkg.version}`);
  });
});

describe('did you mean', () => {
  it('suggests the command for a typo, exit 2', () => {
    const { code, stderr } = dtp(['plna']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "plna"; did you mean plan?');
  });

  it('suggests the flag for a typo, exit 2', () => {
    const { code, stderr } = dtp(['validate', '--verbos']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown flag --verbos; did you mean --verbose?');
    expect(() => flagSource(['--concurency', '4'])).toThrow(/did you mean --concurrency\?/);
    expect(() => flagSource(['--zzzzzz'])).toThrow(/^unknown flag --zzzzzz$/);
  });

  it('suggests the subcommand of report', () => {
    const { code, stderr } = dtp(['report', 'merg']);
    expect(code).toBe(2);
    expect(stderr).toContain('did you mean report merge?');
  });

  it('prints a hostile command name escaped', () => {
    const { stderr } = dtp(['pl\u001b[2Jan']);
    expect(stderr).not.toContain('\u001b');
    expect(stderr).toContain('pl\\x1b[2Jan');
  });
});

describe('on/off settings', () => {
  const value = (args: string[], name: string) => flagSource(args).source(name);

  it('a bare switch means on; --no-<name> means off; an explicit word is kept', () => {
    expect(value(['--verbose'], 'verbose')).toBe('true');
    expect(value(['--verbose', '--config', 'x'], 'verbose')).toBe('true');
    expect(value(['--verbose', 'false'], 'verbose')).toBe('false');
    expect(value(['--verbose=no'], 'verbose')).toBe('no');
    expect(value(['--no-prune'], 'prune')).toBe('false');
    expect(value(['--prune', 'force'], 'prune')).toBe('force');
    expect(value(['--pr-comment'], 'pr-comment')).toBe('true');
    // A setting that takes a value still needs one.
    expect(() => flagSource(['--config'])).toThrow(/argument missing/);
    // A word that is not a boolean is not swallowed: it stays a positional, which the command refuses.
    expect(expandSwitches(['--verbose', 'tenants'])).toEqual(['--verbose=true', 'tenants']);
  });

  it.each([
    ['1', true],
    ['yes', true],
    ['TRUE', true],
    ['on', true],
    ['0', false],
    ['no', false],
    ['false', false],
    ['off', false],
  ])('DTP_VERBOSE=%s', (word, on) => {
    expect(resolveOptions(envSource({ DTP_VERBOSE: word })).verbose).toBe(on);
    expect(resolveOptions(envSource({ DTP_PR_COMMENT: word })).prComment).toBe(on);
  });

  it('refuses a word that is neither, naming the setting', () => {
    expect(() => resolveOptions(envSource({ DTP_VERBOSE: 'maybe' }))).toThrow(
      /verbose: "maybe" is not one of true, false/,
    );
  });

  it('flags come before the environment', () => {
    const options = resolveOptions(
      layered(flagSource(['--no-verbose']).source, envSource({ DTP_VERBOSE: '1' })),
    );
    expect(options.verbose).toBe(false);
  });

  it('--verbose without a value runs end to end', () => {
    const { code, stdout, stderr } = dtp(['validate', '--config', configCopy(), '--verbose']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('configuration valid');
  });

  it('DTP_VERBOSE=1 runs end to end', () => {
    const { code } = dtp(['validate', '--config', configCopy()], { DTP_VERBOSE: '1' });
    expect(code).toBe(0);
  });
});

describe('dtp report merge', () => {
  it('says how many shards it merged, once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtp-merge-'));
    const files = ['1/2', '2/2'].map((shard, i) => {
      const path = join(dir, `r${i}.json`);
      const r = report({
        mode: 'plan',
        shard,
        totals: totals({ clusters: 1, planned: 1, tokensCreated: 1 }),
        clusters: [cluster(i + 1, 'planned')],
      });
      writeFileSync(path, JSON.stringify(r));
      return path;
    });
    const { code, stdout } = dtp(['report', 'merge', ...files, '--out', join(dir, 'merged')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^merged 2 shards: 2 clusters, 0 failed; written to /);
    expect(stdout).not.toContain('shards merged');
    expect(readFileSync(join(dir, 'merged', 'summary.md'), 'utf8')).toContain(' · 2 shards merged · ');
  });
});

describe('progress line', () => {
  it('shows rate and ETA once something is done', () => {
    let now = 0;
    const meter = new ProgressMeter(1000, () => now);
    expect(meter.line(0)).toBe('progress: 0/1000 clusters');
    now = 5000;
    expect(meter.line(250, 3)).toBe('progress: 250/1000 clusters (3 failed) · 50/s · ETA 15 s');
    now = 10_000;
    expect(meter.line(1000)).toBe('progress: 1000/1000 clusters · 100/s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(3720)).toBe('1 h 02 min');
  });
});

describe('dtp sandbox --write-env', () => {
  it('writes a file that `source` exports to child processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtp-env-'));
    const file = join(dir, 'sandbox.env');
    const child = spawn(
      TSX,
      ['src/cli.ts', 'sandbox', '--config', configCopy(), '--clusters', '3', '--write-env', file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      // The file is written before the ready message is printed.
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('sandbox ready')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`sandbox exited early (${code}): ${out}`)));
      });
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      const names = [...text.matchAll(/^export (DTP_[A-Z_]+|VAULT_[A-Z_]+)=/gm)].map((m) => m[1]!);
      expect(names).toContain('DTP_CONFIG');
      expect(
        text
          .split('\n')
          .filter(Boolean)
          .every((l) => l.startsWith('export ')),
      ).toBe(true);
      // A child of the shell that sourced the file sees every variable (only exported ones are inherited).
      const script = `. '${file}' && node -e 'console.log(JSON.stringify(process.env))'`;
      const seen = JSON.parse(
        spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH } }).stdout,
      ) as Record<string, string>;
      for (const name of names) expect(seen[name], name).toBeTruthy();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
