/**
 * Plan credentials: when a tenant names a `planToken` (apiTokens.read only) and an OCM environment names
 * read-only `planCredentials`, plan mode never reads the bootstrap token or the write credentials — proved
 * with the sandbox Vault's request log, and with a Vault role that could not read them anyway.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { loadConfig } from '../../src/config/load.js';
import { runAgainst } from '../../src/sandbox/cli.js';
import type { RequestRecord } from '../../src/sandbox/server.js';
import { writeFleetConfig } from '../../src/sandbox/fleet.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';

const PLAN_ROLE = 'dtp-plan';
const PLAN_SECRET_ID = 'plan-role-secret-id-5f2c9a';
const tmp = mkdtempSync(join(tmpdir(), 'dtp-plan-creds-'));

/** The fleet configuration with plan credentials added to every tenant and OCM environment. */
function withPlanCredentials(dir: string): void {
  const tenants = join(dir, 'tenants.yaml');
  writeFileSync(
    tenants,
    readFileSync(tenants, 'utf8').replace(
      /path: creds\/dynatrace\/bootstrap\/(\w+)\n {4}field: token\n/g,
      (all, id: string) =>
        `${all}  planToken: {mount: app-sre, path: creds/dynatrace/plan/${id}, field: token}\n`,
    ),
  );
  const environments = join(dir, 'ocm-environments.yaml');
  writeFileSync(
    environments,
    readFileSync(environments, 'utf8').replace(
      /name: (\S+)\nspec:\n/g,
      (all, env: string) =>
        `${all}  planCredentials: {mount: app-sre, path: creds/ocm/${env}/dtp-plan, clientIdField: id, clientSecretField: secret}\n`,
    ),
  );
}

/** Plan secrets in Vault and the simulators, and a Vault role whose policy holds only them. */
function seedPlanCredentials(h: CheckedSandbox): string[] {
  const paths: string[] = [];
  for (const tenant of h.config.tenants.values()) {
    const token = h.sandbox.dynatrace.mint(tenant.environmentId, 'dtp-plan', ['apiTokens.read'], 'sre');
    const ref = tenant.planToken!;
    h.sandbox.vault.put(ref.mount, ref.path, { [ref.field]: token.value });
    paths.push(`${ref.mount}/${ref.path}`);
  }
  for (const environment of h.config.ocmEnvironments.values()) {
    const c = environment.planCredentials!;
    if (c.grant !== 'client_credentials') throw new Error('the test writes client credentials');
    const id = `dtp-plan-${environment.name}`;
    const secret = `ocm-plan-secret-${environment.name}-7d1e`;
    h.sandbox.ocm.env(environment.name).clients.set(id, secret);
    h.sandbox.vault.put(c.secret.mount, c.secret.path, {
      [c.clientIdField]: id,
      [c.clientSecretField]: secret,
    });
    paths.push(`${c.secret.mount}/${c.secret.path}`);
  }
  h.sandbox.vault.addRole('approle', PLAN_ROLE, { policy: paths, secretId: PLAN_SECRET_ID });
  return paths;
}

let h: CheckedSandbox;
let planPaths: string[];
let writePaths: string[];
let runs = 0;
let sandboxes = 0;

async function dtp(mode: 'plan' | 'reconcile', extra: Record<string, string> = {}) {
  const before = h.sandbox.records.length;
  const reportDir = join(tmp, `run-${++runs}`);
  const out: string[] = [];
  const outcome = await runAgainst(
    h.sandbox,
    mode,
    { DTP_CONFIG: h.configDir, DTP_REPORT_DIR: reportDir, ...extra },
    { stdout: (l) => out.push(l), stderr: (l) => out.push(l) },
  );
  const records = h.sandbox.records.slice(before);
  const vaultReads = records
    .filter((r: RequestRecord) => r.system === 'vault' && r.operation === 'readSecret')
    .map((r) => ({
      path: r.path.replace(/^\/v1\/([^/]+)\/data\//, '$1/').replace(/\?.*$/, ''),
      status: r.status,
    }));
  return { exitCode: outcome.exitCode, out, vaultReads, writes: h.sandbox.writes(records).length };
}

const asPlanRole = { DTP_VAULT_ROLE_ID: PLAN_ROLE, DTP_VAULT_SECRET_ID: PLAN_SECRET_ID };

// Each test gets its own configuration and sandbox: a reconcile in one test would otherwise leave nothing
// for the next test's plan to plan (the tests passed only in file order).
beforeEach(async () => {
  const configDir = join(tmp, `tenants-${++sandboxes}`);
  writeFleetConfig(configDir, { environments: 2, tenants: 3, organizations: 4 });
  const original = await loadConfig(configDir);
  writePaths = [
    ...[...original.config!.tenants.values()].map(
      (t) => `${t.bootstrapToken.mount}/${t.bootstrapToken.path}`,
    ),
    ...[...original.config!.ocmEnvironments.values()].map(
      (e) => `${e.credentials.secret.mount}/${e.credentials.secret.path}`,
    ),
  ];
  withPlanCredentials(configDir);
  h = await checkedSandbox({ clusters: 40, seed: 9 }, { configDir });
  planPaths = seedPlanCredentials(h);
});

afterEach(async () => {
  await h.sandbox.close();
});

afterAll(async () => {
  await closeHttpAgents();
});

describe('plan with plan credentials', () => {
  it('reads only the plan token and the read-only OCM credentials from Vault, and plans the fleet', async () => {
    const plan = await dtp('plan', asPlanRole);
    expect(plan.out.join('\n')).not.toMatch(/error/i);
    expect(plan.exitCode).toBe(0);
    expect(plan.writes).toBe(0);
    expect(plan.vaultReads.length).toBeGreaterThan(0);
    expect(new Set(plan.vaultReads.map((r) => r.path))).toEqual(new Set(planPaths));
    expect(plan.vaultReads.every((r) => r.status === 200)).toBe(true);
    for (const path of writePaths) expect(plan.vaultReads.map((r) => r.path)).not.toContain(path);
    const report = JSON.parse(readFileSync(join(tmp, `run-${runs}`, 'report.json'), 'utf8'));
    expect(report.totals.planned).toBeGreaterThan(0);
    expect(h.problems, 'requests the real specs do not allow').toEqual([]);
  });

  it('reconcile still reads the bootstrap token and the write credentials, never the plan ones', async () => {
    const reconcile = await dtp('reconcile');
    expect(reconcile.exitCode).toBe(0);
    expect(new Set(reconcile.vaultReads.map((r) => r.path))).toEqual(new Set(writePaths));
    expect(h.problems, 'requests the real specs do not allow').toEqual([]);
  });

  it('falls back to the bootstrap token for a tenant without a planToken (which the plan role cannot read)', async () => {
    const tenants = join(h.configDir, 'tenants.yaml');
    const text = readFileSync(tenants, 'utf8');
    // This test's own configuration (beforeEach): no need to restore it.
    writeFileSync(tenants, text.replace(/ {2}planToken: \{[^}]*\}\n/, ''));
    const plan = await dtp('plan', asPlanRole);
    const denied = plan.vaultReads.filter((r) => r.status === 403).map((r) => r.path);
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatch(/^app-sre\/creds\/dynatrace\/bootstrap\//);
    expect(plan.exitCode).toBe(1);
    expect(h.problems, 'requests the real specs do not allow').toEqual([]);
  });
});
