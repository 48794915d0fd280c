/**
 * Issue 10 end to end: the real clients and engine over loopback HTTP against the simulators, one
 * scenario per rule — confirm before re-minting, the re-mint guard, lost mints, renames by hand, unbound
 * clusters, and a report folder that cannot be written.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';
import { dtp } from './inprocess.js';
import { spawnCli } from './spawn.js';

let h: CheckedSandbox | undefined;
afterEach(async () => {
  await h?.sandbox.close();
  h = undefined;
});
afterAll(async () => {
  await closeHttpAgents();
});

async function coldFleet(clusters = 30, seed = 41): Promise<CheckedSandbox> {
  h = await checkedSandbox({ clusters, seed }, { shape: { environments: 1, tenants: 2, organizations: 3 } });
  const cold = await dtp(h, 'reconcile');
  expect(cold.exitCode).toBe(0);
  return h;
}

function clean(s: CheckedSandbox) {
  const audit = s.sandbox.audit();
  return { orphans: audit.orphanTokens, dead: audit.deadSecrets, duplicates: audit.duplicateNames };
}
const CLEAN = { orphans: [], dead: [], duplicates: [] };

describe('confirm before re-creating', () => {
  it('a listing that leaves delivered tokens out makes the tenant unusable: nothing re-minted', async () => {
    const s = await coldFleet();
    s.sandbox.setFaults('dynatrace', { listTokens: { answer: { set: { apiTokens: [], totalCount: 0 } } } });
    const run = await dtp(s, 'reconcile');
    expect(run.exitCode).toBe(1);
    expect(run.writes).toEqual({});
    expect(run.summary).toMatch(/tenant \w+ unavailable: the Dynatrace listing of dtp\\?_ tokens omitted/);
    s.sandbox.clearFaults();
    expect(clean(s)).toEqual(CLEAN);
  });

  it('holds re-mints when most of a tenant’s delivered tokens are gone, and re-mints them with remint=force', async () => {
    const s = await coldFleet(60);
    const [tenant, state] = [...s.sandbox.dynatrace.tenants].find(
      ([id]) => s.sandbox.tokens(id).length > 20,
    )!;
    for (const t of s.sandbox.tokens(tenant)) state.remove(t.id);
    const held = await dtp(s, 'reconcile');
    expect(held.exitCode).toBe(1);
    expect(held.writes.createToken ?? 0).toBe(0);
    expect(held.summary).toMatch(new RegExp(`${tenant}.*re-mints held`));
    const forced = await dtp(s, 'reconcile', { DTP_REMINT: 'force' });
    expect(forced.exitCode).toBe(0);
    expect(forced.writes.createToken).toBeGreaterThan(20);
    expect(clean(s)).toEqual(CLEAN);
  });
});

describe('no mint is ever lost', () => {
  it.each([
    ['the connection drops after the token was created', { lose: 'reset' as const, count: 4 }],
    ['a 201 without the token value', { drop: ['token'], count: 4 }],
  ])('%s: found by name, revoked, minted again — no duplicate, no orphan', async (_what, answer) => {
    h = await checkedSandbox(
      { clusters: 20, seed: 43 },
      { shape: { environments: 1, tenants: 2, organizations: 3 } },
    );
    h.sandbox.setFaults('dynatrace', { createToken: { answer } });
    const run = await dtp(h, 'reconcile');
    expect(run.exitCode).toBe(0);
    expect(h.sandbox.records.filter((r) => r.operation === 'createToken' && r.fault).length).toBe(4);
    expect(run.writes.deleteToken).toBe(4);
    expect(clean(h)).toEqual(CLEAN);
    h.sandbox.clearFaults();
    const steady = await dtp(h, 'reconcile');
    expect(steady.writes).toEqual({});
  });
});

describe('drift by hand', () => {
  it('renames a delivered token back with PUT, whatever its new name; nothing is re-minted', async () => {
    const s = await coldFleet();
    const tenant = [...s.sandbox.dynatrace.tenants.keys()].find((id) => s.sandbox.tokens(id).length >= 2)!;
    const [a, b] = s.sandbox.tokens(tenant);
    const names = [a!.name, b!.name];
    a!.name = 'renamed by hand';
    b!.name = `${b!.name}-old`;
    const run = await dtp(s, 'reconcile');
    expect(run.exitCode).toBe(0);
    expect(run.writes).toEqual({ updateToken: 2 });
    expect([a!.name, b!.name]).toEqual(names);
    expect(run.summary).not.toMatch(/foreign/);
    expect(clean(s)).toEqual(CLEAN);
  });
});

describe('a cluster that lost every binding', () => {
  it('loses its delivery object before its tokens are revoked', async () => {
    const s = await coldFleet();
    const env = [...s.sandbox.ocm.environments.values()][0]!;
    const delivered = new Set(s.sandbox.deliveries().map((d) => d.clusterId));
    const sub = [...env.subscriptions.values()].find(
      (x) =>
        x.cluster_id &&
        delivered.has(x.cluster_id) &&
        env.labels.some((l) => l.subscription_id === x.id && l.key.endsWith('token-spec')),
    )!;
    for (const l of env.labels)
      if (l.subscription_id === sub.id && l.key.endsWith('token-spec')) l.value = 'removed-spec';
    const run = await dtp(s, 'reconcile');
    expect(run.exitCode).toBe(0);
    expect(s.sandbox.deliveries().some((d) => d.clusterId === sub.cluster_id)).toBe(false);
    expect(run.writes.deleteToken).toBeGreaterThan(0);
    expect(clean(s)).toEqual(CLEAN);
    const order = s.sandbox.records.filter((r) => r.method === 'DELETE').map((r) => r.system);
    expect(order[0]).toBe('ocm');
  });

  it('whose dtp labels were removed is found by external id, and its delivery goes before its tokens', async () => {
    const s = await coldFleet();
    const env = [...s.sandbox.ocm.environments.values()][0]!;
    const delivered = new Set(s.sandbox.deliveries().map((d) => d.clusterId));
    const sub = [...env.subscriptions.values()].find(
      (x) =>
        x.cluster_id && delivered.has(x.cluster_id) && env.labels.some((l) => l.subscription_id === x.id),
    )!;
    const kept = env.labels.filter((l) => l.subscription_id !== sub.id);
    env.labels.splice(0, env.labels.length, ...kept);
    const run = await dtp(s, 'reconcile');
    expect(run.exitCode).toBe(0);
    expect(s.sandbox.deliveries().some((d) => d.clusterId === sub.cluster_id)).toBe(false);
    expect(run.writes.deleteToken).toBeGreaterThan(0);
    expect(clean(s)).toEqual(CLEAN);
    const deletes = s.sandbox.records.filter((r) => r.method === 'DELETE').map((r) => r.system);
    expect(deletes[0]).toBe('ocm');
  });
});

describe('reports never crash the run', () => {
  it('an unwritable report-dir is a setting error naming the folder, exit 2, before anything is contacted', async () => {
    h = await checkedSandbox({ clusters: 5, seed: 45 });
    const blocker = join(mkdtempSync(join(tmpdir(), 'dtp-blocked-')), 'a-file');
    writeFileSync(blocker, 'not a folder');
    const before = h.sandbox.records.length;
    const run = spawnCli(['reconcile'], {
      ...h.sandbox.settings(),
      DTP_CONFIG: h.configDir,
      DTP_REPORT_DIR: join(blocker, 'reports'),
    });
    const exited = await run.exited;
    expect(exited.code).toBe(2);
    expect(exited.stderr).toContain(join(blocker, 'reports'));
    expect(exited.stderr).not.toMatch(/\n\s+at /);
    expect(h.sandbox.records.length).toBe(before);
  }, 30_000);

  it('validate writes no report files unless report-dir is given', async () => {
    h = await checkedSandbox({ clusters: 5, seed: 46 });
    const cwd = mkdtempSync(join(tmpdir(), 'dtp-validate-'));
    const plain = await spawnCli(['validate'], { DTP_CONFIG: h.configDir }, false, cwd).exited;
    expect(plain.code, plain.stderr).toBe(0);
    expect(existsSync(join(cwd, 'dtp-report'))).toBe(false);
    const asked = await spawnCli(['validate'], { DTP_CONFIG: h.configDir, DTP_REPORT_DIR: 'out' }, false, cwd)
      .exited;
    expect(asked.code, asked.stderr).toBe(0);
    expect(existsSync(join(cwd, 'out', 'summary.md'))).toBe(true);
  }, 30_000);
});
