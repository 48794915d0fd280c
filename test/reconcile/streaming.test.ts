/**
 * The streaming engine against a seeded sandbox fleet, over the real clients: overlapping the stages
 * changes nothing in the result, and no cluster is planned (so nothing is written for it) before the
 * listings of its tenants are complete — asserted on the order of the simulators' request records.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import type { Config } from '../../src/config/types.js';
import { realConnectors } from '../../src/connectors.js';
import { dynatraceTokenRef, ocmCredentialsRef } from '../../src/credentials.js';
import { envName, resolveOptions } from '../../src/options.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { runEngine, type EngineInput, type EngineResult } from '../../src/reconcile/engine.js';
import type { Secret } from '../../src/secret.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { RequestRecord } from '../../src/sandbox/server.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };

/** The engine's input as run() builds it, from the sandbox's settings (the same Vault paths and clients). */
async function engineInput(h: CheckedSandbox, mode: 'plan' | 'reconcile'): Promise<EngineInput> {
  const settings: Record<string, string> = { ...h.sandbox.settings(), DTP_CONFIG: h.configDir };
  const options = resolveOptions((name) => settings[envName(name)]);
  const platform = plainPlatform({ summaryPath: '/dev/null', stdout: () => {}, stderr: () => {} });
  const connect = realConnectors(options, platform);
  const vault = await connect.vault();
  const field = async (ref: { mount: string; path: string; version?: number }, name: string) =>
    (await vault.readKv(ref))[name]!;
  const config: Config = h.config;
  const ocm = await Promise.all(
    [...config.ocmEnvironments.values()].map(async (env) => {
      const { credentials: c } = ocmCredentialsRef(env, mode);
      const values =
        c.grant === 'client_credentials'
          ? {
              clientId: (await field(c.secret, c.clientIdField)).reveal(),
              clientSecret: await field(c.secret, c.clientSecretField),
            }
          : { offlineToken: await field(c.secret, c.offlineTokenField) };
      const endpoints = {
        apiUrl: options.ocmUrl!.replace('{environment}', env.name),
        ssoUrl: options.ocmSsoUrl!.replace('{environment}', env.name),
      };
      return { environment: env.name, client: connect.ocm(env, endpoints, values) };
    }),
  );
  return {
    config,
    mode,
    concurrency: 16,
    prune: 'true',
    serviceLogs: false,
    shard: { index: 0, count: 1 },
    ocm,
    dynatrace: async (tenantId) => {
      const tenant = config.tenants.get(tenantId)!;
      const { field: name, ...ref } = dynatraceTokenRef(tenant, mode).ref;
      const token: Secret = await field(ref, name);
      return connect.dynatrace(tenant, options.dynatraceUrl!.replace('{tenant}', tenantId), token);
    },
    log: quiet,
    now: () => NOW,
  };
}

/** What a run decided, without the clock and the stage timings. */
function decisions(result: EngineResult) {
  const { startedAt: _s, finishedAt: _f, stagesMs: _t, environments, ...rest } = result;
  return { ...rest, environments: environments.map(({ durationMs: _d, ...e }) => e) };
}

/** Churn a converged fleet: new clusters, tokens revoked by hand (re-mints), so the plan has work in it. */
async function churned(seed: number): Promise<CheckedSandbox> {
  const h = await checkedSandbox({ clusters: 120, seed, notReadyShare: 0.1, disallowedShare: 0.1 });
  await runEngine(await engineInput(h, 'reconcile'));
  h.sandbox.fleet.grow(12);
  const tenant = [...h.sandbox.dynatrace.tenants.values()][0]!;
  const dtp = [...tenant.tokens.values()].filter((t) => t.name.startsWith('dtp_'));
  for (const t of dtp.slice(0, 4)) tenant.remove(t.id);
  return h;
}

const writesOf = (records: readonly RequestRecord[]) =>
  records.filter((r) => r.method !== 'GET' && (r.system === 'ocm' || r.system === 'dynatrace'));

describe('streaming engine', () => {
  const sandboxes: Sandbox[] = [];
  afterEach(async () => {
    await closeHttpAgents();
  });
  afterAll(async () => {
    for (const s of sandboxes) await s.close();
  });

  it('plans exactly the same with the stages overlapped as one after another', async () => {
    // Built in the test, not in beforeAll: Stryker runs code executed in beforeAll for every mutant it covers.
    const h = await churned(11);
    sandboxes.push(h.sandbox);
    const overlapped = await runEngine(await engineInput(h, 'plan'));
    const staged = await runEngine(await engineInput(h, 'plan'), { overlap: false });
    expect(overlapped.clusters.some((c) => c.status === 'planned')).toBe(true);
    expect(overlapped.clusters.some((c) => c.status === 'denied')).toBe(true);
    expect(overlapped.skipped.length).toBeGreaterThan(0);
    expect(decisions(overlapped)).toEqual(decisions(staged));
    expect(h.problems).toEqual([]);
  });

  it('reconciles to the same result with and without overlap (two sandboxes of one seed)', async () => {
    // Two fresh sandboxes: this test must not change the fleet the plan test reads.
    const one = await churned(11);
    const other = await churned(11);
    sandboxes.push(one.sandbox, other.sandbox);
    const a = await runEngine(await engineInput(one, 'reconcile'));
    const b = await runEngine(await engineInput(other, 'reconcile'), { overlap: false });
    // Minted token ids differ with the order of the requests; the decisions and their outcome must not.
    const outcome = (r: EngineResult) =>
      r.clusters.map((c) => ({
        cluster: c.cluster,
        status: c.status,
        errors: c.errors,
        tokens: c.plan?.secrets.flatMap((s) => s.tokens.map((t) => [t.tenantId, t.key, t.source.kind])),
        delivery: c.plan?.delivery,
        created: c.result?.tokensCreated,
      }));
    expect(a.clusters.some((c) => c.status === 'changed')).toBe(true);
    expect(outcome(a)).toEqual(outcome(b));
    expect(a.orphans.planned.length).toBe(b.orphans.planned.length);
    expect(a.remintHeld).toEqual(b.remintHeld);
    expect(one.sandbox.audit()).toMatchObject({ orphanTokens: [], deadSecrets: [], duplicateNames: [] });
  });

  it("writes nothing for a cluster before its tenants' listings are complete, while reads overlap them", async () => {
    const cold = await checkedSandbox({ clusters: 60, seed: 12 });
    sandboxes.push(cold.sandbox);
    // Slow listings: without the wait, the first clusters' mints and deliveries would go out before them.
    cold.sandbox.setFaults('dynatrace', { listTokens: { latencyMs: 400 } });
    const before = cold.sandbox.records.length;
    const result = await runEngine(await engineInput(cold, 'reconcile'));
    const records = cold.sandbox.records.slice(before);
    // Records are appended when the simulator answers: index order is completion order.
    const listed = new Map<string, number>();
    records.forEach((r, i) => {
      if (r.operation === 'listTokens') listed.set(r.path.split('/')[2]!, i);
    });
    const tenantsOf = new Map(result.clusters.map((c) => [c.cluster.id, c.bindings.map((b) => b.tenantId)]));
    const writes = writesOf(records);
    expect(writes.length).toBeGreaterThan(60);
    for (const w of writes) {
      const index = records.indexOf(w);
      const tenants =
        w.system === 'dynatrace'
          ? [w.path.split('/')[2]!]
          : (tenantsOf.get(decodeURIComponent(w.path.split('/clusters/')[1]!.split('/')[0]!)) ?? []);
      expect(tenants.length).toBeGreaterThan(0);
      for (const t of tenants)
        expect(index, `${w.operation} ${w.path} before tenant ${t} was listed`).toBeGreaterThan(
          listed.get(t)!,
        );
    }
    // The delivery reads did not wait for the listings: some were answered before the first listing was.
    const firstListed = Math.min(...listed.values());
    expect(
      records.findIndex((r) => r.operation === 'getSyncSet' || r.operation === 'getManifest'),
    ).toBeLessThan(firstListed);
    expect(result.clusters.filter((c) => c.status === 'failed')).toEqual([]);
  });
});
