/**
 * Engine scenarios of issue 10 over in-memory fakes: confirm before re-minting, the re-mint guard, lost
 * mints, renames by hand, unbound clusters cleaned in order, and a stop by signal.
 */
import { describe, expect, it } from 'vitest';
import { Shutdown } from '../../src/shutdown.js';
import { config, defaultSpec, org, ORG_A, ORG_B, tenant, v2 } from './fixtures.js';
import { audit, engine, T1, T2, uuid, world, writes, type World } from './world.js';

const ops = (w: World, op: string) => w.calls.filter((c) => c.op === op);

function fleet(n: number, orgId = ORG_A): World {
  const w = world();
  for (let i = 1; i <= n; i++)
    w.ocm.addCluster({ id: `c${i}`, externalId: uuid(i), org: orgId, labels: v2(T1) });
  return w;
}

function duplicateNames(w: World): string[] {
  const names = [...w.dt.get(T1)!.tokens.values()].map((t) => t.name);
  return names.filter((n, i) => names.indexOf(n) !== i);
}

describe('confirm before re-creating', () => {
  it('makes a tenant unusable when GET finds a delivered token its listing left out', async () => {
    const w = fleet(2);
    await engine(w);
    const dt = w.dt.get(T1)!;
    dt.hiddenFromListing.add([...dt.tokens.keys()][0]!);
    w.calls.length = 0;
    const result = await engine(w);
    expect(ops(w, 'getToken')).toHaveLength(1);
    expect(writes(w)).toEqual([]);
    expect(result.tenants.find((t) => t.tenantId === T1)!.error).toMatch(
      /Dynatrace listing of dtp_ tokens omitted delivered token/,
    );
    expect(result.clusters.every((c) => c.status === 'failed')).toBe(true);
  });

  it('re-mints a token GET confirms is gone', async () => {
    const w = fleet(1);
    await engine(w);
    const dt = w.dt.get(T1)!;
    dt.tokens.delete([...dt.tokens.keys()][0]!);
    const result = await engine(w);
    expect(result.clusters[0]!.status).toBe('changed');
    expect(result.clusters[0]!.result!.tokensReminted).toBe(1);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('holds re-mints when more than half of a tenant’s delivered tokens would be re-minted, unless forced', async () => {
    const w = fleet(12);
    await engine(w);
    w.dt.get(T1)!.tokens.clear();
    w.calls.length = 0;
    const held = await engine(w);
    expect(held.remintHeld).toEqual([expect.objectContaining({ tenantId: T1, count: 24, delivered: 24 })]);
    expect(writes(w)).toEqual([]);
    const forced = await engine(w, { remint: 'force' });
    expect(forced.remintHeld).toEqual([]);
    expect(forced.clusters.every((c) => c.status === 'changed')).toBe(true);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });
});

describe('renamed by hand', () => {
  it.each([
    ['a name without the dtp_ prefix', (name: string) => `renamed by someone ${name.slice(4, 10)}`],
    ['a dtp_ name that no longer parses', (name: string) => `${name}-old`],
  ])('is renamed back with PUT when it carries %s, never re-minted', async (_what, rename) => {
    const w = fleet(1);
    await engine(w);
    const token = [...w.dt.get(T1)!.tokens.values()][0]!;
    const expected = token.name;
    token.name = rename(expected);
    w.calls.length = 0;
    const result = await engine(w);
    expect(ops(w, 'createToken')).toEqual([]);
    expect(ops(w, 'updateToken')).toHaveLength(1);
    expect(token.name).toBe(expected);
    expect(result.clusters[0]!.status).toBe('changed');
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });
});

describe('a mint whose answer is lost', () => {
  it('is found by its exact name and revoked before the one retry: no duplicate, no orphan', async () => {
    const w = fleet(1);
    w.dt.get(T1)!.loseCreates = 1;
    const result = await engine(w);
    expect(result.clusters[0]!.status).toBe('changed');
    expect(ops(w, 'createToken')).toHaveLength(3);
    expect(ops(w, 'deleteToken')).toHaveLength(1);
    expect(duplicateNames(w)).toEqual([]);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('fails the cluster after a second lost answer and leaves nothing behind', async () => {
    const w = fleet(1);
    w.dt.get(T1)!.loseCreates = 2;
    const result = await engine(w);
    expect(result.clusters[0]!.status).toBe('failed');
    expect(w.dt.get(T1)!.tokens.size).toBe(0);
    expect(w.ocm.deliveries.size).toBe(0);
  });
});

describe('a cluster that lost every binding', () => {
  it('loses its delivery object first, then its tokens', async () => {
    const w = fleet(1);
    w.ocm.addCluster({ id: 'keep', externalId: uuid(99), org: ORG_B, labels: v2(T1) });
    await engine(w);
    w.cfg = config({ orgs: [org(ORG_B)] });
    w.calls.length = 0;
    const result = await engine(w);
    expect(result.orphans.unbound).toEqual([
      expect.objectContaining({
        cluster: expect.objectContaining({ id: 'c1' }),
        delivery: 'deleted',
        tokens: 2,
      }),
    ]);
    const order = writes(w).map((c) => c.op);
    expect(order).toEqual(['deleteDelivery', 'deleteToken', 'deleteToken']);
    expect(w.ocm.deliveries.has('c1')).toBe(false);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('whose dtp labels were removed is found by external id: delivery object first, then its tokens', async () => {
    const w = fleet(1);
    w.ocm.addCluster({ id: 'keep', externalId: uuid(99), org: ORG_A, labels: v2(T1) });
    await engine(w);
    w.ocm.labels = w.ocm.labels.filter((l) => l.subscriptionId !== 'sub-c1');
    w.calls.length = 0;
    const result = await engine(w);
    expect(result.orphans.unbound).toEqual([
      expect.objectContaining({ cluster: expect.objectContaining({ id: 'c1' }), delivery: 'deleted' }),
    ]);
    expect(writes(w).map((c) => c.op)).toEqual(['deleteDelivery', 'deleteToken', 'deleteToken']);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('keeps the tokens of a cluster without labels when it cannot be looked up', async () => {
    const w = fleet(1);
    w.ocm.addCluster({ id: 'keep', externalId: uuid(99), org: ORG_A, labels: v2(T1) });
    await engine(w);
    w.ocm.labels = w.ocm.labels.filter((l) => l.subscriptionId !== 'sub-c1');
    w.ocm.failing.findClusters = 503;
    w.calls.length = 0;
    await engine(w);
    expect(writes(w)).toEqual([]);
  });

  it('keeps its tokens when its delivery object cannot be removed', async () => {
    const w = fleet(1);
    w.ocm.addCluster({ id: 'keep', externalId: uuid(99), org: ORG_B, labels: v2(T1) });
    await engine(w);
    w.cfg = config({ orgs: [org(ORG_B)] });
    w.ocm.failing.deleteDelivery = 500;
    const result = await engine(w);
    expect(result.orphans.unbound[0]).toMatchObject({ delivery: 'kept' });
    expect(ops(w, 'deleteToken')).toEqual([]);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });
});

describe('a stop by signal', () => {
  it('starts no new cluster, lets the one in flight finish, and skips prune', async () => {
    const w = fleet(6);
    const stop = new Shutdown();
    w.dt.get(T1)!.onCreate = () => {
      if (!stop.requested) stop.request('SIGTERM');
    };
    const result = await engine(w, { stop, concurrency: 1 });
    expect(result.interrupted).toMatchObject({ signal: 'SIGTERM', notProcessed: 5 });
    expect(result.clusters.map((c) => c.status)).toEqual(['changed']);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('revokes at the deadline what a cluster in flight minted, even a mint that never answered', async () => {
    const w = fleet(3);
    const stop = new Shutdown();
    const dt = w.dt.get(T1)!;
    dt.onCreate = () => {
      if (dt.tokens.size < 2) return;
      dt.hangCreates = 1;
      dt.onCreate = undefined;
      queueMicrotask(() => {
        stop.request('SIGTERM');
        stop.passDeadline();
      });
    };
    const result = await engine(w, { stop, concurrency: 2 });
    expect(result.interrupted).toBeDefined();
    expect(result.interrupted!.compensated).toBeGreaterThan(0);
    expect(result.clusters.some((c) => c.status === 'failed')).toBe(true);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
    expect(dt.tokens.size).toBe(0);
  });
});

describe('a cluster that keeps some bindings', () => {
  const v3 = (binding: string, tenantId: string, spec: string) => ({
    [`sre-capabilities.dtp.v3.${binding}.tenant`]: tenantId,
    [`sre-capabilities.dtp.v3.${binding}.token-spec`]: spec,
  });
  const ingestSpec = () => {
    const spec = defaultSpec();
    return { ...spec, name: 'ingest', secrets: [{ ...spec.secrets[0]!, name: 'dynatrace-ingest' }] };
  };
  const twoBindings = () => {
    const w = world();
    w.cfg = config({ specs: [defaultSpec(), ingestSpec()] });
    w.ocm.addCluster({
      id: 'c1',
      externalId: uuid(1),
      org: ORG_A,
      labels: { ...v3('main', T1, 'default'), ...v3('extra', T2, 'ingest') },
    });
    // Another cluster keeps the tenant in use, so its tokens are listed (and pruned) this run.
    w.ocm.addCluster({ id: 'keep', externalId: uuid(2), org: ORG_B, labels: v2(T2) });
    return w;
  };
  // The tenant of the second binding no longer allows the organization.
  const withoutExtra = () =>
    config({ specs: [defaultSpec(), ingestSpec()], tenants: [tenant(T1), tenant(T2, [ORG_B])] });

  it('patches out only the removed Secret, then revokes its tokens', async () => {
    const w = twoBindings();
    await engine(w);
    expect(w.ocm.deliveries.get('c1')!.items).toHaveLength(2);
    w.cfg = withoutExtra();
    w.calls.length = 0;
    await engine(w);
    expect(
      w.ocm.deliveries.get('c1')!.items.map((i) => (i as { metadata: { name: string } }).metadata.name),
    ).toEqual(['dynatrace-token-dtp']);
    const order = writes(w).map((c) => c.op);
    expect(order.indexOf('patchDelivery')).toBeLessThan(order.indexOf('deleteToken'));
    expect(ops(w, 'deleteToken')).toHaveLength(2);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('keeps the removed binding’s tokens while the patch fails', async () => {
    const w = twoBindings();
    await engine(w);
    w.cfg = withoutExtra();
    w.ocm.failing.patchDelivery = 500;
    w.calls.length = 0;
    await engine(w);
    expect(ops(w, 'deleteToken')).toEqual([]);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });
});
