/**
 * `--cluster`: a run narrowed to named clusters touches only them, and never prunes (it sees only part of the
 * fleet, so every other cluster's tokens would look like orphans).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';
import { dtp } from './inprocess.js';

let h: CheckedSandbox | undefined;
afterEach(async () => {
  await h?.sandbox.close();
  h = undefined;
});
afterAll(async () => {
  await closeHttpAgents();
});

const fleet = async () => {
  h = await checkedSandbox(
    { clusters: 30, seed: 51 },
    { shape: { environments: 1, tenants: 2, organizations: 3 } },
  );
  return h;
};

describe('--cluster', () => {
  it('reconciles only the named clusters (by name and by external id), and the rest stay untouched', async () => {
    const s = await fleet();
    const planned = await dtp(s, 'plan');
    const eligible = planned.report.clusters.filter((c) => c.status === 'planned') as unknown as {
      name: string;
      externalId: string;
    }[];
    expect(eligible.length).toBeGreaterThan(4);
    const run = await dtp(s, 'reconcile', {
      DTP_CLUSTER: `${eligible[0]!.name},${eligible[1]!.externalId}`,
    });
    expect(run.exitCode).toBe(0);
    expect(run.report.clusters.map((c) => c.name).sort()).toEqual(
      [eligible[0]!.name, eligible[1]!.name].sort(),
    );
    expect(run.report.clusters.map((c) => c.status)).toEqual(['changed', 'changed']);
    expect(s.sandbox.deliveries().length).toBe(2);
    expect(s.sandbox.audit()).toMatchObject({ orphanTokens: [], deadSecrets: [], duplicateNames: [] });
  });

  it('never prunes, even when tokens of other clusters have no cluster any more', async () => {
    const s = await fleet();
    expect((await dtp(s, 'reconcile')).exitCode).toBe(0);
    const env = [...s.sandbox.ocm.environments.values()][0]!;
    const delivered = new Set(s.sandbox.deliveries().map((d) => d.clusterId));
    const gone = [...env.subscriptions.values()].filter((x) => x.cluster_id && delivered.has(x.cluster_id));
    const [keep, unlabel] = gone;
    const kept = env.labels.filter((l) => l.subscription_id !== unlabel!.id);
    env.labels.splice(0, env.labels.length, ...kept);
    const keepName = env.clusters.get(keep!.cluster_id!)!.name;
    const narrowed = await dtp(s, 'reconcile', { DTP_CLUSTER: keepName });
    expect(narrowed.exitCode).toBe(0);
    expect(narrowed.writes).toEqual({});
    // The full run then cleans up what the narrowed one left alone.
    const full = await dtp(s, 'reconcile');
    expect(full.writes.deleteToken).toBeGreaterThan(0);
  });

  it('says which named cluster matched nothing', async () => {
    const s = await fleet();
    const run = await dtp(s, 'plan', { DTP_CLUSTER: 'no-such-cluster' });
    expect(run.exitCode).toBe(0);
    expect(run.out.join('\n')).toMatch(/--cluster: no cluster with dtp labels is called "no-such-cluster"/);
    expect(run.report.clusters).toEqual([]);
  });
});
