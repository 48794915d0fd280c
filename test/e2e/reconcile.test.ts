/**
 * dtp end to end against the simulators over loopback HTTP: the real clients, engine and report, with every
 * exchange checked against the real specs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedSandbox } from '../sandbox/harness.js';
import type { CheckedSandbox } from '../sandbox/harness.js';
import { dtp as runInProcess, type Captured as Shared } from './inprocess.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { closeHttpAgents } from '../../src/clients/http.js';

type Captured = Omit<Shared, 'writes'> & { writes: number };

/** The shared in-process run, with its writes counted as one number. */
async function dtp(
  h: CheckedSandbox,
  mode: 'plan' | 'reconcile',
  extra: Record<string, string> = {},
): Promise<Captured> {
  const run = await runInProcess(h, mode, extra);
  return { ...run, writes: Object.values(run.writes).reduce((a, b) => a + b, 0) };
}

/** Every secret value the sandbox knows: none may appear in anything dtp wrote or printed. */
function secretValues(s: Sandbox): string[] {
  const values: string[] = [
    s.fleet.credentials.vaultSecretId,
    s.fleet.credentials.vaultJwt,
    s.vault.rootToken,
  ];
  for (const env of s.ocm.environments.values()) {
    values.push(...env.clients.values(), ...env.offlineTokens, ...env.accessTokens.keys());
  }
  for (const tenant of s.dynatrace.tenants.values()) {
    for (const t of tenant.tokens.values()) values.push(t.value, t.value.split('.')[2]!);
  }
  values.push(...s.vault.tokens.keys());
  return values.filter((v) => v.length >= 8);
}

function scan(texts: string[], secrets: string[]): string[] {
  const found: string[] = [];
  for (const text of texts)
    for (const secret of secrets) if (text.includes(secret)) found.push(secret.slice(0, 6));
  return found;
}

function outputs(run: Captured): string[] {
  return [...run.out, ...readdirSync(run.reportDir).map((f) => readFileSync(join(run.reportDir, f), 'utf8'))];
}

afterAll(async () => {
  await closeHttpAgents();
});

describe('a 200-cluster fleet', () => {
  let h: CheckedSandbox;
  let cold: Captured;
  let steady: Captured;

  beforeAll(async () => {
    h = await checkedSandbox(
      { clusters: 200, seed: 21 },
      { shape: { environments: 2, tenants: 4, organizations: 6 } },
    );
    cold = await dtp(h, 'reconcile');
    steady = await dtp(h, 'reconcile');
  });
  afterAll(async () => {
    await h.sandbox.close();
  });

  it('reconciles cold: every eligible cluster gets its Secrets, backed by live tokens', () => {
    expect(cold.exitCode).toBe(0);
    const audit = h.sandbox.audit();
    expect(audit.orphanTokens).toEqual([]);
    expect(audit.deadSecrets).toEqual([]);
    expect(audit.duplicateNames).toEqual([]);
    const changed = cold.report.totals.changed!;
    expect(changed).toBeGreaterThan(150);
    expect(audit.deliveries).toBe(changed);
    // Hosted control planes got Manifests, the others SyncSets.
    const kinds = new Set(h.sandbox.deliveries().map((d) => d.kind));
    expect(kinds).toEqual(new Set(['SyncSet', 'Manifest']));
    for (const d of h.sandbox.deliveries()) {
      const cluster = h.sandbox.ocm.env(d.environment).clusters.get(d.clusterId)!;
      expect(d.kind).toBe(cluster.hcp ? 'Manifest' : 'SyncSet');
    }
  });

  it('denies clusters of organizations that are not allowed, and mints nothing for them', () => {
    const denied = cold.report.clusters.filter((c) => c.denials.length > 0);
    expect(denied.length).toBeGreaterThan(0);
    const delivered = new Set(h.sandbox.deliveries().map((d) => d.clusterId));
    for (const env of h.sandbox.ocm.environments.values()) {
      for (const sub of env.subscriptions.values()) {
        if (sub.organization_id.startsWith('disallowed')) expect(delivered.has(sub.cluster_id!)).toBe(false);
      }
    }
  });

  it('changes nothing on the second run', () => {
    expect(steady.exitCode).toBe(0);
    expect(steady.writes).toBe(0);
    expect(steady.report.totals.changed).toBe(0);
    expect(steady.report.totals.unchanged).toBe(cold.report.totals.changed);
  });

  it('plans without writing', async () => {
    const plan = await dtp(h, 'plan');
    expect(plan.exitCode).toBe(0);
    expect(plan.writes).toBe(0);
  });

  it('never shows a secret in logs, summary, report or metrics', () => {
    const secrets = secretValues(h.sandbox);
    expect(secrets.length).toBeGreaterThan(300);
    expect(scan([...outputs(cold), ...outputs(steady)], secrets)).toEqual([]);
  });

  it('sent only requests the real specs allow, and got only answers they describe', () => {
    expect(h.checked).toBeGreaterThan(500);
    expect(h.problems).toEqual([]);
  });
});

describe('under faults', () => {
  let h: CheckedSandbox;
  beforeAll(async () => {
    h = await checkedSandbox({ clusters: 80, seed: 33 });
  });
  afterAll(async () => {
    await h.sandbox.close();
  });

  it('rides out 429s, 5xx and resets, then converges with no duplicate and no orphan', async () => {
    h.sandbox.setFaults('dynatrace', {
      createToken: { rateLimit: 15 },
      '*': { errorRate: 0.05, latencyMs: 2, jitterMs: 5 },
    });
    h.sandbox.setFaults('ocm', { '*': { errorRate: 0.05, resetRate: 0.02 } });
    const faulty = await dtp(h, 'reconcile');
    const rateLimited = h.sandbox.records.filter((r) => r.fault === 'rate-limit').length;
    expect(rateLimited).toBeGreaterThan(0);
    // Retries may run out under these faults: then, and only then, the run says so.
    expect(faulty.exitCode).toBe(faulty.report.totals.failed! > 0 ? 1 : 0);
    h.sandbox.clearFaults();
    const again = await dtp(h, 'reconcile');
    expect(again.exitCode).toBe(0);
    const audit = h.sandbox.audit();
    expect(audit.duplicateNames).toEqual([]);
    expect(audit.deadSecrets).toEqual([]);
    expect(audit.orphanTokens).toEqual([]);
    const steady = await dtp(h, 'reconcile');
    expect(steady.writes).toBe(0);
  });

  it('loses the answers of 10 % of the writes (applied, then the connection drops), then converges with one clean run', async () => {
    const lossy = await checkedSandbox({ clusters: 80, seed: 35 });
    try {
      const lose = { lostAnswerRate: 0.15 };
      lossy.sandbox.setFaults('dynatrace', { createToken: lose, updateToken: lose, deleteToken: lose });
      lossy.sandbox.setFaults('ocm', {
        createSyncSet: lose,
        patchSyncSet: lose,
        createManifest: lose,
        patchManifest: lose,
      });
      const faulty = await dtp(lossy, 'reconcile');
      const writes = lossy.sandbox.writes();
      const lost = writes.filter((r) => r.fault === 'lost-answer').length;
      expect(lost / writes.length).toBeGreaterThanOrEqual(0.1);
      expect(faulty.exitCode).toBe(faulty.report.totals.failed! > 0 ? 1 : 0);
      // Every lost mint was found by name and revoked (or delivered) in the same run.
      expect(lossy.sandbox.audit().duplicateNames).toEqual([]);
      expect(lossy.sandbox.audit().orphanTokens).toEqual([]);
      lossy.sandbox.clearFaults();
      const again = await dtp(lossy, 'reconcile');
      expect(again.exitCode).toBe(0);
      const audit = lossy.sandbox.audit();
      expect(audit.duplicateNames).toEqual([]);
      expect(audit.orphanTokens).toEqual([]);
      expect(audit.deadSecrets).toEqual([]);
      expect((await dtp(lossy, 'reconcile')).writes).toBe(0);
    } finally {
      await lossy.sandbox.close();
    }
  });

  it('revokes what it minted when the delivery cannot be written, and tells the cluster once', async () => {
    const more = await checkedSandbox({ clusters: 20, seed: 34, hcpShare: 0 });
    try {
      more.sandbox.setFaults('ocm', { createSyncSet: { failNext: { count: 10_000, status: 400 } } });
      const failed = await dtp(more, 'reconcile');
      expect(failed.exitCode).toBe(1);
      expect(failed.report.totals.failed).toBeGreaterThan(0);
      const audit = more.sandbox.audit();
      expect(audit.tokens).toBe(0);
      const logs = [...more.sandbox.ocm.environments.values()].flatMap((e) => e.serviceLogs);
      expect(logs.length).toBe(failed.report.totals.failed);
      expect(logs[0]).toMatchObject({ severity: 'Moderate', summary: 'Dynatrace Token Provider Errors' });
      await dtp(more, 'reconcile');
      const logsAfter = [...more.sandbox.ocm.environments.values()].flatMap((e) => e.serviceLogs);
      expect(logsAfter.length).toBe(logs.length);
      more.sandbox.clearFaults();
      const healed = await dtp(more, 'reconcile');
      expect(healed.exitCode).toBe(0);
      expect(more.sandbox.audit()).toMatchObject({ orphanTokens: [], deadSecrets: [], duplicateNames: [] });
      expect(scan(outputs(failed), secretValues(more.sandbox))).toEqual([]);
    } finally {
      await more.sandbox.close();
    }
  });

  it('re-mints a token revoked behind its back and redelivers it', async () => {
    const own = await checkedSandbox({ clusters: 20, seed: 36 });
    try {
      expect((await dtp(own, 'reconcile')).exitCode).toBe(0);
      const tenant = [...own.sandbox.dynatrace.tenants.values()].find((t) => t.tokens.size > 0)!;
      const [victim] = own.sandbox.tokens(tenant.id);
      expect(victim).toBeDefined();
      tenant.remove(victim!.id);
      expect(own.sandbox.audit().deadSecrets.length).toBeGreaterThan(0);
      const run = await dtp(own, 'reconcile');
      expect(run.exitCode).toBe(0);
      expect(run.report.totals.tokensReminted).toBeGreaterThanOrEqual(1);
      expect(own.sandbox.audit()).toMatchObject({ orphanTokens: [], deadSecrets: [], duplicateNames: [] });
    } finally {
      await own.sandbox.close();
    }
  });

  it('cannot start with a wrong Vault secret id: exit 3, a report, no stack trace, no secret', async () => {
    const run = await dtp(h, 'reconcile', { DTP_VAULT_SECRET_ID: 'wrong-secret-id-value' });
    expect(run.exitCode).toBe(3);
    const text = run.out.join('\n');
    expect(text).toContain('Vault login failed');
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).not.toContain('wrong-secret-id-value');
    expect(run.report.exitCode).toBe(3);
  });
});
