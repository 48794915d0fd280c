import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainPlatform } from '../../src/platform/plain.js';
import { Secret } from '../../src/secret.js';

const VALUE =
  'dt0c01.PLATFORMTESTPUBLIC0000.PLATFORMTESTSECRETPART000000000000000000000000000000000000000000';

/** Runs a snippet in a child process (the GitHub adapter writes workflow commands to the real stdout). */
function child(code: string, env: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtp-platform-'));
  const file = join(dir, 'snippet.mts');
  writeFileSync(file, code);
  return execFileSync(join(process.cwd(), 'node_modules/.bin/tsx'), [file], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
}

describe('plain platform (Tekton, local)', () => {
  it('redacts secret values from every line and file, and writes outputs as result files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtp-plain-'));
    const out: string[] = [];
    const platform = plainPlatform({
      summaryPath: join(dir, 'summary.md'),
      resultsDir: join(dir, 'results'),
      stdout: (l) => out.push(l),
      stderr: (l) => out.push(l),
    });
    new Secret(VALUE);
    platform.info(`minted ${VALUE}`);
    platform.warn(`oops ${VALUE}`);
    await platform.writeSummary(`summary ${VALUE}`);
    await platform.setOutputs({ clusters: '3', 'report-path': `/x/${VALUE}` });
    expect(out.join('\n')).not.toContain(VALUE);
    expect(out).toEqual(['minted ***', 'warning: oops ***']);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toBe('summary ***');
    expect(readdirSync(join(dir, 'results')).sort()).toEqual(['clusters', 'report-path']);
    expect(readFileSync(join(dir, 'results', 'clusters'), 'utf8')).toBe('3');
  });

  it('never prints a workflow command such as ::add-mask:: (outside GitHub it would print the secret)', () => {
    const out = child(
      `import { plainPlatform } from '${process.cwd()}/src/platform/plain.ts';
       import { Secret } from '${process.cwd()}/src/secret.ts';
       const p = plainPlatform({ summaryPath: '/dev/null' });
       new Secret('${VALUE}');
       p.info('hello');`,
      {},
    );
    expect(out).toBe('hello\n');
  });
});

describe('GitHub platform', () => {
  it('masks every secret value as soon as it exists, and still redacts its own lines', () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'dtp-gh-')), 'summary.md');
    writeFileSync(summary, '');
    const out = child(
      `import { githubPlatform } from '${process.cwd()}/src/platform/github.ts';
       import { Secret } from '${process.cwd()}/src/secret.ts';
       const p = githubPlatform();
       new Secret('${VALUE}');
       p.info('value ${VALUE}');
       await p.writeSummary('done ${VALUE}');`,
      { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    );
    expect(out.split('\n')).toContain(`::add-mask::${VALUE}`);
    expect(out.split('\n')).toContain('value ***');
    expect(readFileSync(summary, 'utf8')).toBe('done ***\n');
  });
});
