/**
 * The engine's stages as a whole (src/reconcile/engine.ts), over the in-memory fakes: when the stages
 * overlap, what a signal and `--cluster` keep from starting, which clusters the shard and the selection let
 * in, the order of the cluster reports, the stage timings and the baseline plan of a PR plan.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeliveryObjectWire, DynatraceToken, OcmCluster } from '../../src/clients/api.js';
import type { EngineInput, EngineOptions } from '../../src/reconcile/engine.js';
import { tokenName } from '../../src/reconcile/naming.js';
import { shardOf } from '../../src/reconcile/shard.js';
import { Shutdown } from '../../src/shutdown.js';
import { FakeDynatrace, FakeOcm, type Call } from '../reconcile/fakes.js';
import { config, org, ORG_A, ORG_B, ORG_FOREIGN, v2 } from '../reconcile/fixtures.js';
import { engine, uuid, world, writes, type World } from '../reconcile/world.js';
import { OPERATOR_SCOPES, TENANT_A } from '../fixtures/domain.js';

/** The external id of a cluster OCM no longer knows: its tokens are orphans. */
const GONE = uuid(99);

/** A dtp_ token of the deleted cluster GONE in the tenant; returns its id. */
async function orphanIn(w: World, tenantId = TENANT_A): Promise<string> {
  const created = await w.dt.get(tenantId)!.createToken({
    name: tokenName('operator', GONE, OPERATOR_SCOPES),
    scopes: [...OPERATOR_SCOPES],
  });
  return created.id;
}

const live = (w: World, tenantId = TENANT_A) => [...w.dt.get(tenantId)!.tokens.keys()];
const opsOf = (calls: readonly Call[]) => calls.map((c) => c.op);
const targetsOf = (calls: readonly Call[], op: string) =>
  calls.filter((c) => c.op === op).map((c) => c.target);
/** Lets every pending promise and I/O callback run (no wall-clock wait). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** OCM whose cluster queries wait until the test lets them answer: discovery cannot finish before that. */
class HeldOcm extends FakeOcm {
  #release!: () => void;
  readonly #open = new Promise<void>((resolve) => (this.#release = resolve));
  reached = false;
  override async listClusters(ids: string[]): Promise<OcmCluster[]> {
    this.reached = true;
    await this.#open;
    return super.listClusters(ids);
  }
  release(): void {
    this.#release();
  }
}

function heldWorld(): World & { ocm: HeldOcm } {
  const w = world();
  const ocm = new HeldOcm('production', w.calls);
  ocm.now = w.ocm.now;
  return { ...w, ocm };
}

/** world.ts's engine(), silent, with engine options. */
function runWith(w: World, overrides: Partial<EngineInput>, options?: EngineOptions) {
  return engine(w, { log: { info: () => {}, warn: () => {}, debug: () => {} }, ...overrides }, options);
}

/** Runs a plan with discovery held; returns the calls made before discovery could finish. */
async function callsWhileDiscovering(
  w: World & { ocm: HeldOcm },
  overrides: Partial<EngineInput>,
  options?: EngineOptions,
) {
  const run = runWith(w, { mode: 'plan', ...overrides }, options);
  await settle();
  expect(w.ocm.reached).toBe(true);
  const before = [...w.calls];
  w.ocm.release();
  const result = await run;
  return { before, result };
}

describe('stage overlap', () => {
  let w: World & { ocm: HeldOcm };
  beforeEach(() => {
    w = heldWorld();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(TENANT_A) });
  });

  it('by default (concurrency above 1) the token listings start with discovery, before it has finished', async () => {
    const { before, result } = await callsWhileDiscovering(w, { concurrency: 4 });
    expect(opsOf(before).filter((op) => op === 'listTokens')).toHaveLength(2);
    expect(result.clusters.map((c) => c.status)).toEqual(['planned']);
  });

  it('at concurrency 1 the stages do not overlap by default: no listing before discovery has finished', async () => {
    const { before, result } = await callsWhileDiscovering(w, { concurrency: 1 });
    expect(opsOf(before)).not.toContain('listTokens');
    expect(result.clusters.map((c) => c.status)).toEqual(['planned']);
    // Without overlap only the tenants the resolved clusters need are listed, after discovery.
    expect(targetsOf(w.calls, 'listTokens')).toEqual([`${TENANT_A}/`]);
  });

  it('`overlap: false` waits stage by stage even at a concurrency that would overlap', async () => {
    const { before } = await callsWhileDiscovering(w, { concurrency: 4 }, { overlap: false });
    expect(opsOf(before)).not.toContain('listTokens');
  });

  it('`overlap: true` overlaps even at concurrency 1', async () => {
    const { before } = await callsWhileDiscovering(w, { concurrency: 1 }, { overlap: true });
    expect(opsOf(before).filter((op) => op === 'listTokens')).toHaveLength(2);
  });
});

describe('a signal', () => {
  let w: World;
  let stop: Shutdown;
  beforeEach(() => {
    w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(TENANT_A) });
    w.ocm.addCluster({ id: 'c2', externalId: uuid(2), org: ORG_A, labels: v2(TENANT_A) });
    w.ocm.addCluster({ id: 'c3', externalId: uuid(3), org: ORG_FOREIGN, labels: v2(TENANT_A) });
    stop = new Shutdown();
  });

  it('that came before the run lists no tenant and reads no delivery; unread clusters are not processed', async () => {
    stop.request('SIGTERM');
    const result = await engine(w, { stop });
    expect(opsOf(w.calls)).toEqual(['listLabels', 'listSubscriptions', 'listClusters']);
    // The denied cluster needed nothing read: it is reported; the two eligible ones were never processed.
    expect(result.clusters.map((c) => [c.cluster.id, c.status])).toEqual([['c3', 'denied']]);
    expect(result.interrupted).toEqual({ signal: 'SIGTERM', notProcessed: 2, compensated: 0 });
    expect(result.orphans).toEqual({ planned: [], revoked: 0, errors: [], held: [], unbound: [] });
  });

  it('during discovery starts no delivery read, no write and no prune; the clusters it cut off are counted', async () => {
    const orphan = await orphanIn(w);
    w.calls.length = 0;
    const listClusters = w.ocm.listClusters.bind(w.ocm);
    w.ocm.listClusters = async (ids) => {
      stop.request('SIGINT');
      return listClusters(ids);
    };
    const result = await engine(w, { stop });
    expect(opsOf(w.calls)).not.toContain('getDelivery');
    expect(writes(w)).toEqual([]);
    expect(live(w)).toEqual([orphan]);
    expect(result.clusters.map((c) => c.cluster.id)).toEqual(['c3']);
    expect(result.interrupted).toEqual({ signal: 'SIGINT', notProcessed: 2, compensated: 0 });
    expect(Object.keys(result.stagesMs)).toEqual(['discover', 'resolve', 'observe', 'plan', 'clusters']);
  });
});

describe('clusters whose delivery was read', () => {
  it('a cluster whose delivery cannot be read is reported failed, not dropped as not processed', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(TENANT_A) });
    w.ocm.failing.getDelivery = 503;
    const result = await engine(w);
    expect(result.clusters.map((c) => [c.cluster.id, c.status])).toEqual([['c1', 'failed']]);
    expect(result.clusters[0]!.errors[0]).toMatch(/503/);
    expect(result).not.toHaveProperty('interrupted');
  });
});

describe('--cluster', () => {
  let w: World;
  let orphan: string;
  beforeEach(async () => {
    w = world();
    for (let i = 1; i <= 3; i++)
      w.ocm.addCluster({ id: `c${i}`, externalId: uuid(i), org: ORG_A, labels: v2(TENANT_A) });
    w.ocm.addCluster({ id: 'c4', externalId: uuid(4), org: ORG_FOREIGN, labels: v2(TENANT_A) });
    w.ocm.addCluster({
      id: 'c5',
      externalId: uuid(5),
      org: ORG_A,
      labels: v2(TENANT_A),
      state: 'installing',
    });
    orphan = await orphanIn(w);
    w.calls.length = 0;
  });

  it('processes only the named cluster, reads only its delivery and never prunes', async () => {
    const result = await engine(w, { clusters: ['c2'] });
    // Neither the denied cluster nor the one not ready was named: neither is reported.
    expect(result.clusters.map((c) => [c.cluster.id, c.status])).toEqual([['c2', 'changed']]);
    expect(result.skipped).toEqual([]);
    expect(targetsOf(w.calls, 'getDelivery')).toEqual(['c2']);
    expect(result.orphans).toEqual({ planned: [], revoked: 0, errors: [], held: [], unbound: [] });
    expect(live(w)).toContain(orphan);
    expect(opsOf(w.calls)).not.toContain('deleteToken');
    expect(Object.keys(result.stagesMs)).not.toContain('prune');
  });

  it('the same run without a selection prunes the orphan', async () => {
    const result = await engine(w);
    expect(result.orphans.revoked).toBe(1);
    expect(live(w)).not.toContain(orphan);
  });
});

describe('the shard', () => {
  it('reports, reads and prunes only the clusters of its shard', async () => {
    const w = world();
    const inMine = (n: number) => shardOf(uuid(n), 2) === 2;
    // Eligible (0), denied (1) and not ready (2) clusters, each kind in both shards.
    const kinds = new Map<number, number>();
    const seen = { mine: 0, other: 0 };
    for (let n = 1; n <= 12; n++) {
      const kind = inMine(n) ? seen.mine++ % 3 : seen.other++ % 3;
      kinds.set(n, kind);
      w.ocm.addCluster({
        id: `c${n}`,
        externalId: uuid(n),
        org: kind === 1 ? ORG_FOREIGN : ORG_A,
        labels: v2(TENANT_A),
        state: kind === 2 ? 'hibernating' : 'ready',
      });
    }
    expect(seen.mine).toBeGreaterThanOrEqual(3);
    expect(seen.other).toBeGreaterThanOrEqual(3);
    const mine = (kind: number) =>
      [...kinds].filter(([n, k]) => inMine(n) && k === kind).map(([n]) => `c${n}`);
    // Tokens of two deleted clusters, one in each shard.
    const gone = Array.from({ length: 40 }, (_, i) => 100 + i);
    const dt = w.dt.get(TENANT_A)!;
    const name = (n: number) => tokenName('operator', uuid(n), OPERATOR_SCOPES);
    const mineGone = await dt.createToken({ name: name(gone.find(inMine)!), scopes: [] });
    await dt.createToken({ name: name(gone.find((n) => !inMine(n))!), scopes: [] });
    w.calls.length = 0;
    const result = await engine(w, { mode: 'plan', shard: { index: 2, count: 2 } });
    expect(result.clusters.map((c) => c.cluster.id).sort()).toEqual([...mine(0), ...mine(1)].sort());
    expect(result.skipped.map((s) => s.cluster.id).sort()).toEqual(mine(2).sort());
    expect(targetsOf(w.calls, 'getDelivery').sort()).toEqual(mine(0).sort());
    expect(result.orphans.planned.map((r) => r.id)).toEqual([mineGone.id]);
  });
});

describe('the cluster reports', () => {
  it('are sorted by OCM environment, then by cluster name', async () => {
    const w = world();
    const stage = new FakeOcm('stage', w.calls);
    w.ocm.addCluster({ id: 'p1', externalId: uuid(1), org: ORG_A, labels: v2(TENANT_A) });
    w.ocm.addCluster({ id: 'p2', externalId: uuid(2), org: ORG_A, labels: v2(TENANT_A) });
    stage.addCluster({ id: 's1', externalId: uuid(3), org: ORG_A, labels: v2(TENANT_A) });
    w.ocm.clusters[0]!.name = 'zulu';
    w.ocm.clusters[1]!.name = 'alpha';
    stage.clusters[0]!.name = 'bravo';
    const result = await engine(w, {
      mode: 'plan',
      ocm: [
        { environment: 'production', client: w.ocm },
        { environment: 'stage', client: stage },
      ],
    });
    expect(result.clusters.map((c) => `${c.cluster.ocmEnvironment}/${c.cluster.name}`)).toEqual([
      'production/alpha',
      'production/zulu',
      'stage/bravo',
    ]);
  });

  it('a plain run has no rotation, baseline or interrupted block', async () => {
    const w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(TENANT_A) });
    const result = await engine(w);
    expect(Object.keys(result).sort()).toEqual(
      [
        'mode',
        'startedAt',
        'finishedAt',
        'environments',
        'tenants',
        'clusters',
        'skipped',
        'orphans',
        'remintHeld',
        'stagesMs',
      ].sort(),
    );
  });
});

describe('re-mints held', () => {
  it('the tokens of a tenant whose re-mints are held are not pruned', async () => {
    const w = world();
    for (let i = 1; i <= 6; i++)
      w.ocm.addCluster({ id: `c${i}`, externalId: uuid(i), org: ORG_A, labels: v2(TENANT_A) });
    await engine(w);
    // All 12 delivered tokens gone at once: more than 10 and more than half, so the guard holds them.
    w.dt.get(TENANT_A)!.tokens.clear();
    const orphan = await orphanIn(w);
    const result = await engine(w);
    expect(result.remintHeld.map((h) => h.tenantId)).toEqual([TENANT_A]);
    expect(result.orphans.planned).toEqual([]);
    expect(live(w)).toEqual([orphan]);
  });
});

describe('the baseline plan (PR plan diff)', () => {
  let w: World;
  let orphan: string;
  beforeEach(async () => {
    w = world();
    w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(TENANT_A) });
    await engine(w);
    orphan = await orphanIn(w);
    w.calls.length = 0;
  });

  it('is planned only when a base configuration is given', async () => {
    const result = await engine(w, { mode: 'plan' });
    expect(result).not.toHaveProperty('baseline');
  });

  it("plans the base configuration against the run's observation, without a remote call of its own", async () => {
    const head = await engine(w, { mode: 'plan' });
    const headCalls = opsOf(w.calls);
    w.calls.length = 0;
    const result = await engine(w, { mode: 'plan', baseConfig: config({ orgs: [org(ORG_B)] }) });
    expect(opsOf(w.calls)).toEqual(headCalls);
    expect(result.clusters).toEqual(head.clusters);
    expect(result.baseline!.clusters.map((c) => [c.cluster.id, c.status])).toEqual([['c1', 'denied']]);
  });

  it('prunes in the baseline when every environment was discovered', async () => {
    const result = await engine(w, { mode: 'plan', baseConfig: config() });
    expect(result.baseline!.orphans.planned.map((r) => r.id)).toEqual([orphan]);
    expect(result.baseline!.clusters.map((c) => [c.cluster.id, c.status])).toEqual([['c1', 'unchanged']]);
  });

  it('prunes nothing in the baseline when one environment could not be discovered', async () => {
    const broken = new FakeOcm('stage', w.calls);
    broken.failing.listLabels = 503;
    const result = await engine(w, {
      mode: 'plan',
      baseConfig: config(),
      ocm: [
        { environment: 'production', client: w.ocm },
        { environment: 'stage', client: broken },
      ],
    });
    expect(result.baseline!.orphans.planned).toEqual([]);
    expect(result.baseline!.clusters.map((c) => [c.cluster.id, c.status])).toEqual([['c1', 'unchanged']]);
  });
});

/** Each fake call this many fake milliseconds long (performance.now is faked). */
const COST: Record<string, number> = {
  listLabels: 1500,
  listTokens: 250,
  createDelivery: 40,
  deleteToken: 7,
};

class TimedOcm extends FakeOcm {
  override async listLabels() {
    vi.advanceTimersByTime(COST.listLabels!);
    return super.listLabels();
  }
  override async createDelivery(clusterId: string, object: DeliveryObjectWire) {
    vi.advanceTimersByTime(COST.createDelivery!);
    return super.createDelivery(clusterId, object);
  }
}

class TimedDynatrace extends FakeDynatrace {
  override async listTokens(prefix: string): Promise<DynatraceToken[]> {
    vi.advanceTimersByTime(COST.listTokens!);
    return super.listTokens(prefix);
  }
  override async deleteToken(id: string) {
    vi.advanceTimersByTime(COST.deleteToken!);
    return super.deleteToken(id);
  }
}

describe('stage timings', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
    // A clock that does not start at 0: a duration must not come out right by accident.
    vi.advanceTimersByTime(1000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stagesMs has one entry per stage that ran, with the time spent in it', async () => {
    const calls: Call[] = [];
    const ocm = new TimedOcm('production', calls);
    const dt = new Map([TENANT_A].map((t) => [t, new TimedDynatrace(t, calls)]));
    const w: World = { calls, ocm, dt, cfg: config(), logs: [] };
    ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_A, labels: v2(TENANT_A) });
    await orphanIn(w);
    const result = await runWith(w, {}, { overlap: false });
    expect(result.orphans.revoked).toBe(1);
    expect(result.stagesMs).toEqual({
      discover: COST.listLabels,
      resolve: 0,
      observe: COST.listTokens,
      plan: 0,
      clusters: COST.createDelivery,
      prune: COST.deleteToken,
    });
  });
});
