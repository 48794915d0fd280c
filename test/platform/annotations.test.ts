/**
 * Annotations on GitHub: file paths relative to the repository root (GITHUB_WORKSPACE), not the working
 * directory, and GitHub's cap of 10 errors + 10 warnings per step held across every annotate call of a run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspacePath } from '../../src/platform/github.js';

describe('workspacePath', () => {
  it('is relative to GITHUB_WORKSPACE, whatever the working directory', () => {
    const cwd = process.cwd();
    expect(workspacePath('tenants/a.yaml', { GITHUB_WORKSPACE: join(cwd, '..') })).toBe(
      `${cwd.split('/').pop()}/tenants/a.yaml`,
    );
    expect(workspacePath('tenants/a.yaml', { GITHUB_WORKSPACE: cwd })).toBe('tenants/a.yaml');
    expect(workspacePath('tenants/a.yaml', {})).toBe('tenants/a.yaml');
  });

  it('keeps a path outside the workspace as it is (no ../ path GitHub cannot place)', () => {
    expect(workspacePath('tenants/a.yaml', { GITHUB_WORKSPACE: join(process.cwd(), 'sub') })).toBe(
      'tenants/a.yaml',
    );
  });
});

describe('GitHub annotations', () => {
  it('cap at 10 errors and 10 warnings per step across calls, titled, the rest as plain lines', () => {
    const root = mkdtempSync(join(tmpdir(), 'dtp-annotate-'));
    const work = join(root, 'repo', 'deploy');
    mkdirSync(work, { recursive: true });
    const file = join(work, 'snippet.mts');
    writeFileSync(
      file,
      `import { githubPlatform } from '${process.cwd()}/src/platform/github.ts';
       const p = githubPlatform();
       const d = (n: number, severity: 'error' | 'warning') =>
         ({ file: 'tenants/t.yaml', line: n, column: 1, severity, message: 'm' + n });
       p.annotate(Array.from({ length: 8 }, (_, i) => d(i + 1, 'error')));
       p.annotate(Array.from({ length: 6 }, (_, i) => d(i + 20, 'error')), 'dtp plan');
       p.annotate(Array.from({ length: 12 }, (_, i) => d(i + 40, 'warning')), 'dtp plan');`,
    );
    const out = execFileSync(join(process.cwd(), 'node_modules/.bin/tsx'), [file], {
      cwd: work,
      env: { PATH: process.env.PATH, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: join(root, 'repo') },
      encoding: 'utf8',
    }).split('\n');
    const errors = out.filter((l) => l.startsWith('::error '));
    const warnings = out.filter((l) => l.startsWith('::warning '));
    expect(errors).toHaveLength(10);
    expect(warnings).toHaveLength(10);
    expect(errors[0]).toContain('title=dtp validate,file=deploy/tenants/t.yaml,line=1');
    expect(errors[9]).toContain('title=dtp plan,file=deploy/tenants/t.yaml,line=21');
    // Beyond the cap: still in the log, as plain lines.
    expect(out).toContain('tenants/t.yaml:25:1: error: m25');
    expect(out).toContain('tenants/t.yaml:51:1: warning: m51');
  });
});
