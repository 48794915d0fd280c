/**
 * Users edit tenants/: the repository's own tests must not care. A copy of the shipped folder gets a new
 * TokenSpec file, written exactly as docs/configuration.md says (one file, the editor schema line first);
 * the config tests that look at the shipped folder then run against the copy, and a plan and two reconciles
 * over a sandbox fleet built from it behave as with the original.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { dtp } from './e2e/inprocess.js';
import { checkedSandbox, type CheckedSandbox } from './sandbox/harness.js';

const NEW_SPEC = `# yaml-language-server: $schema=../schemas/dtp.schema.json
apiVersion: dtp/v1
kind: TokenSpec
metadata:
  name: logs-only
spec:
  description: Log ingest only, for clusters that ship logs without the Operator
  ocm_org_ids: [2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr] # osd-fleet-production
  secrets:
    - name: dynatrace-logs
      namespace: openshift-logging
      tokens:
        - name: logs
          scopes: [logs.ingest]
`;

function editedCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'dtp-edited-')), 'tenants');
  cpSync('tenants', dir, { recursive: true });
  writeFileSync(join(dir, 'token-spec-logs-only.yaml'), NEW_SPEC);
  return dir;
}

/** Vitest in a child process, without this run's own VITEST_* state. */
function vitest(files: string[], env: Record<string, string>): { code: number; output: string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  try {
    const output = execFileSync('node_modules/.bin/vitest', ['run', ...files], {
      env: { ...clean, ...env },
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { code: 0, output };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}\n${e.stderr}` };
  }
}

describe('a tenants/ with a new TokenSpec file', () => {
  const dir = editedCopy();

  it('is valid, with the new spec, and no warning', async () => {
    const loaded = await loadConfig(dir);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.config!.tokenSpecs.get('logs-only')?.secrets[0]?.namespace).toBe('openshift-logging');
  });

  it('passes the config tests that look at the shipped folder', () => {
    const run = vitest(['test/config/shipped.test.ts'], { DTP_TEST_TENANTS: dir });
    expect(run.output).toMatch(/Tests\s+.*\d+ passed/);
    expect(run.code, run.output).toBe(0);
  }, 60_000);

  describe('over a sandbox fleet built from it', () => {
    let h: CheckedSandbox;
    beforeAll(async () => {
      h = await checkedSandbox({ clusters: 30, seed: 11 }, { configDir: dir });
    });
    afterAll(() => h.sandbox.close());

    it('plans without writing, reconciles, and a second reconcile changes nothing', async () => {
      const plan = await dtp(h, 'plan');
      expect(plan.exitCode).toBe(0);
      expect(plan.writes).toEqual({});
      expect(plan.report.totals.planned).toBeGreaterThan(0);
      const first = await dtp(h, 'reconcile');
      expect(first.exitCode).toBe(0);
      const second = await dtp(h, 'reconcile');
      expect(second.exitCode).toBe(0);
      expect(second.writes).toEqual({});
      expect(h.problems).toEqual([]);
    }, 60_000);
  });
});
