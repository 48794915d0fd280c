import { describe, expect, it } from 'vitest';
import { interleave } from '../../src/reconcile/engine.js';
import { parseDelivery } from '../../src/reconcile/delivery.js';
import { parseTokenName } from '../../src/reconcile/naming.js';
import { StartupError } from '../../src/errors.js';
import { FakeOcm } from './fakes.js';
import { defaultSpec, ORG_A, ORG_FOREIGN, v2 } from './fixtures.js';
import { audit, engine, T1, T2, uuid, world, writes } from './world.js';

describe('runEngine', () => {
  it('cold start delivers SyncSets and Manifests, then a steady run makes zero writes', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    w.ocm.addCluster({ id: 'c2', externalId: uuid(2), org: ORG_A, labels: v2(T2), hcp: true });
    const cold = await engine(w);
    expect(cold.clusters.map((c) => [c.cluster.id, c.kind, c.status])).toEqual([
      ['c1', 'SyncSet', 'changed'],
      ['c2', 'Manifest', 'changed'],
    ]);
    expect(w.ocm.deliveries.get('c2')!.kind).toBe('Manifest');
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
    expect(w.dt.get(T1)!.tokens.size).toBe(2);

    w.calls.length = 0;
    const steady = await engine(w);
    expect(steady.clusters.map((c) => c.status)).toEqual(['unchanged', 'unchanged']);
    expect(writes(w)).toEqual([]);
    // The lower bound: discovery (3), one token listing per tenant (2), one delivery read per cluster (2).
    expect(w.calls.map((c) => c.op).sort()).toEqual(
      [
        'getDelivery',
        'getDelivery',
        'listClusters',
        'listLabels',
        'listSubscriptions',
        'listTokens',
        'listTokens',
      ].sort(),
    );
  });

  it('plan mode reads everything and writes nothing', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    const result = await engine(w, { mode: 'plan' });
    expect(result.clusters[0]!.status).toBe('planned');
    expect(result.clusters[0]!.plan!.delivery).toBe('create');
    expect(writes(w)).toEqual([]);
  });

  it('gives a cluster of a foreign organization nothing and touches nothing', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_FOREIGN, labels: v2(T1) });
    const result = await engine(w);
    expect(result.clusters[0]).toMatchObject({ status: 'denied', denials: [{ code: 'org-not-allowed' }] });
    expect(writes(w)).toEqual([]);
    // The tenant is listed with discovery (read only), before anyone knows no cluster needs it: not reported.
    expect(result.tenants).toEqual([]);
    expect(w.calls.some((c) => c.op === 'getDelivery')).toBe(false);
  });

  it('revokes the minted tokens when the delivery cannot be written, posts one service log, and recovers cleanly', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    w.ocm.failing.createDelivery = 500;
    const failed = await engine(w);
    expect(failed.clusters[0]!.status).toBe('failed');
    expect(failed.clusters[0]!.result).toMatchObject({
      compensated: 2,
      tokensCreated: 0,
      serviceLog: 'posted',
    });
    expect(w.dt.get(T1)!.tokens.size).toBe(0);
    expect(w.ocm.serviceLogs).toHaveLength(1);
    expect(w.ocm.serviceLogs[0]).toMatchObject({
      severity: 'Moderate',
      summary: 'Dynatrace Token Provider Errors',
    });

    const again = await engine(w);
    expect(again.clusters[0]!.result!.serviceLog).toBe('already-posted');
    expect(w.ocm.serviceLogs).toHaveLength(1);

    delete w.ocm.failing.createDelivery;
    await engine(w);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
    expect(w.dt.get(T1)!.tokens.size).toBe(2);
  });

  it('re-mints a revoked token and patches only that cluster', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    w.ocm.addCluster({ id: 'c2', externalId: uuid(2), org: ORG_A, labels: v2(T1) });
    await engine(w);
    const victim = [...w.dt.get(T1)!.tokens.values()].find(
      (t) => t.name.includes(uuid(1)) && t.name.includes('operator'),
    )!;
    w.dt.get(T1)!.tokens.delete(victim.id);
    w.calls.length = 0;
    const result = await engine(w);
    expect(result.clusters.map((c) => c.status)).toEqual(['changed', 'unchanged']);
    expect(result.clusters[0]!.result).toMatchObject({ tokensReminted: 1, delivery: 'patched' });
    expect(writes(w).map((c) => c.op)).toEqual(['createToken', 'patchDelivery']);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('fixes scope drift with a PUT and no delivery write', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    await engine(w);
    w.cfg.tokenSpecs.get('default')!.secrets[0]!.tokens[1]!.scopes = ['metrics.ingest', 'logs.ingest'];
    w.calls.length = 0;
    const result = await engine(w);
    expect(writes(w).map((c) => c.op)).toEqual(['updateToken']);
    expect(result.clusters[0]!.result!.tokensUpdated).toBe(1);
    const renamed = [...w.dt.get(T1)!.tokens.values()].find((t) => t.name.includes('ingest'))!;
    expect(renamed.scopes).toEqual(['metrics.ingest', 'logs.ingest']);
  });

  it('keeps the other tenant working when one tenant cannot be read, and carries its Secret over', async () => {
    const w = world();
    const logsSpec = defaultSpec();
    logsSpec.name = 'logs-only';
    logsSpec.secrets = [
      { name: 'dynatrace-logs', namespace: 'dynatrace', tokens: [{ name: 'logs', scopes: ['logs.ingest'] }] },
    ];
    w.cfg.tokenSpecs.set('logs-only', logsSpec);
    w.ocm.addCluster({
      id: 'c1',
      externalId: uuid(1),
      org: ORG_A,
      labels: {
        'sre-capabilities.dtp.v3.a.tenant': T1,
        'sre-capabilities.dtp.v3.a.token-spec': 'default',
        'sre-capabilities.dtp.v3.b.tenant': T2,
        'sre-capabilities.dtp.v3.b.token-spec': 'logs-only',
      },
    });
    w.ocm.addCluster({ id: 'c2', externalId: uuid(2), org: ORG_A, labels: v2(T1) });
    await engine(w);
    const before = structuredClone(w.ocm.deliveries.get('c1'));
    // T1 drifts (one token revoked on c1) while T2 cannot be read: c1 is patched for T1 and keeps T2's Secret.
    const victim = [...w.dt.get(T1)!.tokens.values()].find(
      (t) => t.name.includes(uuid(1)) && t.name.includes('operator'),
    )!;
    w.dt.get(T1)!.tokens.delete(victim.id);
    w.dt.get(T2)!.failing.listTokens = 403;
    w.calls.length = 0;
    const result = await engine(w);
    expect(result.tenants.map((t) => [t.tenantId, !!t.error])).toEqual([
      [T1, false],
      [T2, true],
    ]);
    expect(result.clusters.map((c) => c.status)).toEqual(['failed', 'unchanged']);
    expect(result.clusters[0]!.errors[0]).toMatch(
      /binding v3.b: tenant def67890 unavailable: dynatrace listTokens/,
    );
    expect(writes(w).map((c) => c.op)).toEqual(['createToken', 'patchDelivery']);
    const after = parseDelivery(w.ocm.deliveries.get('c1')!).secrets.find(
      (s) => s.name === 'dynatrace-logs',
    )!;
    const kept = parseDelivery(before!).secrets.find((s) => s.name === 'dynatrace-logs')!;
    expect([...after.data].map(([k, v]) => [k, v.reveal()])).toEqual(
      [...kept.data].map(([k, v]) => [k, v.reveal()]),
    );
  });

  it('stops with a startup error when no tenant can be read', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    w.dt.get(T1)!.failing.listTokens = 401;
    await expect(engine(w)).rejects.toBeInstanceOf(StartupError);
  });

  it('revokes the tokens of a cluster that disappeared, but not when discovery was incomplete', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    w.ocm.addCluster({ id: 'c2', externalId: uuid(2), org: ORG_A, labels: v2(T1) });
    w.ocm.addCluster({ id: 'c3', externalId: uuid(3), org: ORG_A, labels: v2(T1) });
    await engine(w);
    w.ocm.clusters = w.ocm.clusters.filter((c) => c.id !== 'c3');

    const broken = new FakeOcm('stage', w.calls);
    broken.failing.listLabels = 503;
    const partial = await engine(w, {
      ocm: [
        { environment: 'production', client: w.ocm },
        { environment: 'stage', client: broken },
      ],
    });
    expect(partial.orphans.planned).toEqual([]);
    expect(partial.environments.find((e) => e.name === 'stage')!.error).toMatch(/503/);

    const full = await engine(w);
    expect(full.orphans.revoked).toBe(2);
    expect(full.orphans.planned.every((r) => parseTokenName(r.name)?.clusterExternalId === uuid(3))).toBe(
      true,
    );
    expect(w.dt.get(T1)!.tokens.size).toBe(4);
  });

  it('leaves the tokens of a cluster that is not ready alone', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(T1) });
    w.ocm.addCluster({ id: 'c2', externalId: uuid(2), org: ORG_A, labels: v2(T1) });
    await engine(w);
    w.ocm.clusters.find((c) => c.id === 'c2')!.state = 'hibernating';
    const result = await engine(w);
    expect(result.skipped).toEqual([
      expect.objectContaining({ reason: 'cluster is hibernating, not ready' }),
    ]);
    expect(result.orphans.planned).toEqual([]);
    expect(w.dt.get(T1)!.tokens.size).toBe(4);
  });

  it('denies a label with an unknown tenant without touching anything', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2('nosuch123') });
    const result = await engine(w);
    expect(result.clusters[0]).toMatchObject({ status: 'denied', denials: [{ code: 'unknown-tenant' }] });
    expect(writes(w)).toEqual([]);
  });

  it('processes only its shard', async () => {
    const w = world();
    for (let i = 1; i <= 20; i++)
      w.ocm.addCluster({ id: `c${i}`, externalId: uuid(i), org: ORG_A, labels: v2(T1) });
    const one = await engine(w, { mode: 'plan', shard: { index: 1, count: 2 } });
    const two = await engine(w, { mode: 'plan', shard: { index: 2, count: 2 } });
    const ids = [...one.clusters, ...two.clusters].map((c) => c.cluster.id).sort();
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `c${i + 1}`).sort());
    expect(one.clusters.length).toBeGreaterThan(0);
    expect(two.clusters.length).toBeGreaterThan(0);
  });
});

describe('work order', () => {
  it('alternates OCM environments so each environment rate limit is used at once', () => {
    const items = ['p1', 'p2', 'p3', 's1', 'x1', 's2'];
    expect(interleave(items, (i) => i[0]!)).toEqual(['p1', 's1', 'x1', 'p2', 's2', 'p3']);
    expect(interleave([], (i: string) => i)).toEqual([]);
  });
});
