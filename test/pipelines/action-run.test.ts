/**
 * The Action, run the way GitHub runs it, in validate mode (offline):
 * - through @github/local-action (the Action's source with the Actions toolkit stubbed, inputs from a .env
 *   file), via test/pipelines/fixtures/local-action-entry.ts, which exports runAction as the `run()' that
 *   local-action calls (src/index.ts calls it at import time, as GitHub needs);
 * - the committed bundle dist/index.js (what action.yml's `runs.main` points to) under node 24 with the
 *   variables the runner sets (GITHUB_ACTIONS, INPUT_*, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT).
 * Both must exit 0 and write the validation summary for the shipped tenants/, and exit 2 with the problem in
 * the summary for a broken copy.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, repoPath } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'dtp-action-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of tenants/ with one unknown field: invalid, exit code 2. */
function brokenConfig(): string {
  const dir = join(work, 'broken-tenants');
  cpSync(repoPath('tenants'), dir, { recursive: true });
  appendFileSync(join(dir, 'tenant-redhat-aws-stage.yaml'), 'bogusField: 1\n');
  return dir;
}

/** The environment without anything a surrounding GitHub Actions run (CI) would leak into the child. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|DTP_|VAULT_)/.test(k)) continue;
    env[k] = v;
  }
  // node 24 (the `node` devDependency) and tsx first on PATH, as in `npm test`.
  env.PATH = [repoPath('node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);
  return { ...env, ...extra };
}

let runs = 0;
function files() {
  const dir = join(work, `run-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const summary = join(dir, 'summary.md');
  const output = join(dir, 'output.txt');
  writeFileSync(summary, ''); // the runner creates both files before a step starts
  writeFileSync(output, '');
  return { dir, summary, output };
}

describe('@github/local-action', () => {
  const localAction = (config: string) => {
    const f = files();
    const dotenv = join(f.dir, '.env');
    writeFileSync(
      dotenv,
      [
        'INPUT_MODE=validate',
        `INPUT_CONFIG=${config}`,
        `INPUT_REPORT-DIR=${join(f.dir, 'report')}`,
        `GITHUB_STEP_SUMMARY=${f.summary}`,
        'GITHUB_ACTIONS=true',
        'GITHUB_REPOSITORY=example-org/dtp',
        '',
      ].join('\n'),
    );
    const result = spawnSync(
      process.execPath,
      [
        repoPath('node_modules', '@github', 'local-action', 'bin', 'local-action.js'),
        'run',
        '.',
        'test/pipelines/fixtures/local-action-entry.ts',
        dotenv,
      ],
      { cwd: ROOT, env: cleanEnv({ NO_COLOR: '1' }), encoding: 'utf8', timeout: 120_000 },
    );
    return { ...result, summaryText: readFileSync(f.summary, 'utf8') };
  };

  it('validate mode on the shipped tenants/: exit 0, outputs and the validation summary', () => {
    const r = localAction('tenants');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.summaryText).toContain('## dtp validate: ✅ configuration valid');
    expect(r.summaryText).toMatch(/0 errors, 0 warnings in \d+ files\./);
    // local-action prints the outputs the Action set.
    expect(r.stdout).toMatch(/'exit-code'\s*│\s*'0'/);
  });

  it('validate mode on a broken copy: exit 2 and the problem in the summary', () => {
    const r = localAction(brokenConfig());
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(2);
    expect(r.summaryText).toContain('## dtp validate: ❌ configuration invalid');
    expect(r.summaryText).toContain('unknown field \\`bogusField\\`');
    expect(r.stdout).toMatch(/'exit-code'\s*│\s*'2'/);
  });
});

describe('dist/index.js (what GitHub runs)', () => {
  const runDist = (config: string) => {
    const f = files();
    const result = spawnSync(repoPath('node_modules', '.bin', 'node'), [repoPath('dist', 'index.js')], {
      cwd: ROOT,
      env: cleanEnv({
        GITHUB_ACTIONS: 'true',
        INPUT_MODE: 'validate',
        INPUT_CONFIG: config,
        'INPUT_REPORT-DIR': join(f.dir, 'report'),
        GITHUB_STEP_SUMMARY: f.summary,
        GITHUB_OUTPUT: f.output,
      }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return {
      ...result,
      summaryText: readFileSync(f.summary, 'utf8'),
      outputText: readFileSync(f.output, 'utf8'),
    };
  };

  it('validate mode on the shipped tenants/: exit 0, exit-code output and the validation summary', () => {
    const r = runDist('tenants');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.summaryText).toContain('## dtp validate: ✅ configuration valid');
    expect(r.outputText).toMatch(/^exit-code<<(.+)\n0\n\1$/m);
  });

  it('validate mode on a broken copy: exit 2, an error annotation on the line, the problem in the summary', () => {
    const r = runDist(brokenConfig());
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(2);
    expect(r.summaryText).toContain('## dtp validate: ❌ configuration invalid');
    expect(r.stdout).toMatch(
      /::error title=dtp validate,file=.*tenant-redhat-aws-stage\.yaml,line=\d+,col=1::/,
    );
    expect(r.outputText).toMatch(/^exit-code<<(.+)\n2\n\1$/m);
  });
});
