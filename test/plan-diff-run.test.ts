/**
 * `dtp plan --base-config` as a run (src/run.ts) against the sandbox: the summary and the PR comment lead
 * with the change, its denials are annotated on the YAML line, and the comparison adds no remote call.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgainst } from '../src/sandbox/cli.js';
import { checkedSandbox, type CheckedSandbox } from './sandbox/harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'dtp-base-run-'));
let runs = 0;

async function plan(h: CheckedSandbox, configDir: string, extra: Record<string, string> = {}) {
  const reportDir = join(tmp, `run-${++runs}`);
  const out: string[] = [];
  const before = h.sandbox.records.length;
  const outcome = await runAgainst(
    h.sandbox,
    'plan',
    { DTP_CONFIG: configDir, DTP_REPORT_DIR: reportDir, ...extra },
    { stdout: (l) => out.push(l), stderr: (l) => out.push(l) },
  );
  const records = h.sandbox.records.slice(before);
  return {
    exitCode: outcome.exitCode,
    out,
    requests: records.length,
    writes: h.sandbox.writes(records).length,
    summary: readFileSync(join(reportDir, 'summary.md'), 'utf8'),
  };
}

describe('dtp plan --base-config', () => {
  let h: CheckedSandbox;
  let head: string;
  const ORG = 'allowed001xxxxxxxxxxxxxxxxx';
  beforeAll(async () => {
    h = await checkedSandbox({ clusters: 60, seed: 21 });
    // The pull request removes one organization from the first tenant (tenants.yaml, line 1).
    head = join(tmp, 'head');
    cpSync(h.configDir, head, { recursive: true });
    const file = join(head, 'tenants.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`    - ${ORG}\n`);
    writeFileSync(file, text.replace(`    - ${ORG}\n`, ''));
  });
  afterAll(() => h.sandbox.close());

  it('leads with the change, annotates its denials on the tenant line, and costs no extra remote call', async () => {
    const plain = await plan(h, head);
    const compared = await plan(h, head, { DTP_BASE_CONFIG: h.configDir });
    expect(plain.exitCode).toBe(0);
    expect(compared.exitCode).toBe(0);
    expect(compared.writes).toBe(0);
    expect(compared.requests).toBe(plain.requests);

    expect(plain.summary).not.toContain('What this change does');
    const [lead, folded] = compared.summary.split('<details><summary>Drift a reconcile would fix anyway');
    expect(lead).toMatch(/^## dtp plan — 📝 this change: \d+ clusters? — /);
    expect(lead).toMatch(/### Bindings this change denies \(\d+\)/);
    expect(lead).toContain('tenant-denies-org');
    expect(lead).toMatch(/`[^`]*head\/tenants\.yaml:1` DynatraceTenant tenant-0/);
    expect(folded).toBeDefined();
    const annotations = compared.out.filter((l) =>
      /head\/tenants\.yaml:1:\d+: warning: tenant-denies-org: this change denies/.test(l),
    );
    expect(annotations).toHaveLength(1);
    // Without a base, the same denials are still findings on the line, just not "this change".
    expect(
      plain.out.some((l) => /head\/tenants\.yaml:1:\d+: warning: tenant-denies-org: denied/.test(l)),
    ).toBe(true);
  });

  it('a base folder that does not exist is an empty base: everything is the change', async () => {
    const compared = await plan(h, head, { DTP_BASE_CONFIG: join(tmp, 'no-such-base') });
    expect(compared.exitCode).toBe(0);
    expect(compared.summary).toMatch(/### What this change does \(\d+ clusters\)/);
    expect(compared.summary).toContain('No cluster has drift of its own.');
  });
});
