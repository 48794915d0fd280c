/**
 * The plan/apply stage (src/reconcile/clusters.ts) on its own. Planning: only clusters whose delivery object
 * was read are planned, round-robin over OCM environments, with the re-mint guard re-planning the clusters
 * that re-mint in a held tenant. Applying: one cluster's failure stays its own, the progress line, and a
 * signal's deadline that abandons clusters in flight and revokes what they minted. Plan mode: statuses only.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DynatraceToken } from '../../src/clients/api.js';
import { RemoteError } from '../../src/errors.js';
import { ClusterApplier, markPlanned, planClusters, type ClusterWork } from '../../src/reconcile/clusters.js';
import { MintLedger } from '../../src/reconcile/ledger.js';
import type {
  Cluster,
  ClusterPlan,
  DeliveredSecret,
  ObservedDelivery,
  PlannedToken,
} from '../../src/reconcile/model.js';
import { DELIVERY_ID } from '../../src/reconcile/naming.js';
import type { Observation } from '../../src/reconcile/observe.js';
import { TenantTokens } from '../../src/reconcile/plan.js';
import { resolveFleet, type Resolution } from '../../src/reconcile/resolve.js';
import type { EngineInput, EngineLog } from '../../src/reconcile/result.js';
import { Secret } from '../../src/secret.js';
import { Shutdown } from '../../src/shutdown.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';
import {
  cluster,
  config,
  defaultSpec,
  deliveredSecret,
  INGEST_SCOPES,
  liveToken,
  observed,
  OPERATOR_SCOPES,
  v2,
} from '../reconcile/fixtures.js';
import { applyWorld, mint, NOW, plan, token, type ApplyWorld } from './apply-world.js';

const NS = 'dynatrace';
const TOKEN_SECRET = 'dynatrace-token-dtp';
const apiUrl = (tenantId: string) => `https://${tenantId}.live.dynatrace.com/api`;

type Live = DynatraceToken & { value: string };

/** Logs as lines, warnings prefixed. */
function recorder(): { lines: { info: string[]; warn: string[] }; log: EngineLog } {
  const lines = { info: [] as string[], warn: [] as string[] };
  return {
    lines,
    log: { info: (m) => lines.info.push(m), warn: (m) => lines.warn.push(m), debug: () => {} },
  };
}

/** `tenant:key:reason` of every token a plan mints. */
const mintsOf = (p: ClusterPlan) =>
  p.secrets.flatMap((s) =>
    s.tokens.flatMap((t) => (t.source.kind === 'mint' ? [`${t.tenantId}:${t.key}:${t.source.reason}`] : [])),
  );

const v3 = (binding: string, tenantId: string, spec: string) => ({
  [`sre-capabilities.dtp.v3.${binding}.tenant`]: tenantId,
  [`sre-capabilities.dtp.v3.${binding}.token-spec`]: spec,
});

/** A second spec whose Secret has another name, so one cluster can hold a Secret per tenant. */
function ingestSpec() {
  const spec = defaultSpec();
  return { ...spec, name: 'ingest', secrets: [{ ...spec.secrets[0]!, name: 'dynatrace-ingest' }] };
}

/** Bound clusters per OCM environment, what reading their delivery objects gave, and the tenants' listings. */
class Fleet {
  cfg = config({ specs: [defaultSpec(), ingestSpec()] });
  byEnv = new Map<string, Cluster[]>();
  deliveries = new Map<string, ObservedDelivery | undefined>();
  listed = new Map<string, Live[]>([
    [TENANT_A, []],
    [TENANT_B, []],
  ]);
  /** Tenants that could not be read this run, with why. */
  unusable = new Map<string, string>();
  rec = recorder();
  resolution!: Resolution;
  observation!: Observation;

  add(labels: Record<string, string>, ocmEnvironment = 'production'): Cluster {
    const c = cluster(labels, { ocmEnvironment });
    this.byEnv.set(ocmEnvironment, [...(this.byEnv.get(ocmEnvironment) ?? []), c]);
    return c;
  }

  /** The cluster's delivery object was read and holds these Secrets (none given: no object exists). */
  read(c: Cluster, ...secrets: DeliveredSecret[]): void {
    this.deliveries.set(c.id, secrets.length > 0 ? observed(...secrets) : undefined);
  }

  list(tenantId: string, ...tokens: Live[]): void {
    this.listed.get(tenantId)!.push(...tokens);
  }

  plan(input: Parameters<typeof planClusters>[2] = { log: this.rec.log, now: () => NOW }) {
    this.resolution = resolveFleet(
      [...this.byEnv].map(([ocmEnvironment, clusters]) => ({
        ocmEnvironment,
        clusters,
        skipped: [],
        subscriptionsWithoutCluster: 0,
        labels: 0,
      })),
      this.cfg,
      () => true,
    );
    this.observation = {
      tokens: new Map(
        [...this.listed].filter(([t]) => !this.unusable.has(t)).map(([t, l]) => [t, TenantTokens.of(l)]),
      ),
      tenants: [...this.listed].map(([tenantId, l]) => ({
        tenantId,
        name: `tenant-${tenantId}`,
        tokens: l.length,
        ...(this.unusable.has(tenantId) ? { error: this.unusable.get(tenantId)! } : {}),
      })),
      deliveries: this.deliveries,
    };
    return planClusters(this.resolution, this.observation, input);
  }

  report(c: Cluster) {
    return this.resolution.eligible.get(c.id)!.report;
  }
}

/** A delivered Secret of the default spec in tenant A whose two tokens are no longer live: both re-minted. */
function revokedSecret(c: Cluster): DeliveredSecret {
  return deliveredSecret(TOKEN_SECRET, NS, apiUrl(TENANT_A), {
    apiToken: liveToken('operator', c.externalId, OPERATOR_SCOPES),
    dataIngestToken: liveToken('ingest', c.externalId, INGEST_SCOPES),
  });
}

/** The cluster's two live tokens in the tenant, listed, and delivered to it. */
function kept(f: Fleet, c: Cluster, tenantId = TENANT_A, extra: [Partial<Live>, Partial<Live>] = [{}, {}]) {
  const op = liveToken('operator', c.externalId, OPERATOR_SCOPES, extra[0]);
  const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES, extra[1]);
  f.list(tenantId, op, ingest);
  f.read(c, deliveredSecret(TOKEN_SECRET, NS, apiUrl(tenantId), { apiToken: op, dataIngestToken: ingest }));
}

describe('planning: which clusters are planned, and in what order', () => {
  let f: Fleet;
  beforeEach(() => {
    f = new Fleet();
  });

  it('plans a cluster whose delivery object was read (even as absent) and leaves out one never read', () => {
    const read = f.add(v2(TENANT_A));
    const unread = f.add(v2(TENANT_A));
    f.read(read);

    const { work } = f.plan();

    expect(work.map((w) => w.cluster.id)).toEqual([read.id]);
    expect(work[0]!.plan.delivery).toBe('create');
    expect(f.report(read).plan).toBe(work[0]!.plan);
    expect(f.report(unread).plan).toBeUndefined();
    expect(f.report(unread).errors).toEqual([]);
  });

  it('alternates the OCM environments in the work queue, keeping each environment’s order', () => {
    const p = [f.add(v2(TENANT_A)), f.add(v2(TENANT_A)), f.add(v2(TENANT_A))];
    const s = [f.add(v2(TENANT_A), 'staging'), f.add(v2(TENANT_A), 'staging')];
    for (const c of [...p, ...s]) f.read(c);

    const { work } = f.plan();

    expect(work.map((w) => w.cluster.id)).toEqual([p[0], s[0], p[1], s[1], p[2]].map((c) => c!.id));
  });

  describe('without a clock given, the system clock decides expiry', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(NOW);
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('re-mints a token that expired a minute before the system time and keeps one expiring a minute after', () => {
      const c = f.add(v2(TENANT_A));
      kept(f, c, TENANT_A, [
        { expirationDate: new Date(NOW.getTime() - 60_000).toISOString() },
        { expirationDate: new Date(NOW.getTime() + 60_000).toISOString() },
      ]);

      const { work } = f.plan({ log: f.rec.log });

      expect(mintsOf(work[0]!.plan)).toEqual([`${TENANT_A}:apiToken:expired`]);
    });
  });
});

describe('planning: the re-mint guard', () => {
  let f: Fleet;
  let remints: Cluster[];
  let fresh: Cluster;
  const HOLD_REASON =
    '12 of 12 delivered tokens would be re-minted (more than 50%); set remint to force if intended';

  beforeEach(() => {
    f = new Fleet();
    // Six clusters whose two delivered tokens in tenant A are gone: 12 of 12 re-minted, the tenant is held.
    // The first one has a second binding, in tenant B, whose Secret was never delivered.
    remints = [f.add({ ...v3('main', TENANT_A, 'default'), ...v3('extra', TENANT_B, 'ingest') })];
    for (let i = 0; i < 5; i++) remints.push(f.add(v2(TENANT_A)));
    for (const c of remints) f.read(c, revokedSecret(c));
    // A new cluster in the held tenant: new tokens are not re-mints.
    fresh = f.add(v2(TENANT_A));
    f.read(fresh);
  });

  it('a held tenant’s re-minting clusters keep their Secret as delivered, and the hold is logged once per tenant', () => {
    const { work, remintHeld } = f.plan();

    expect(remintHeld).toEqual([{ tenantId: TENANT_A, count: 12, delivered: 12, reason: HOLD_REASON }]);
    expect(f.rec.lines.warn).toEqual([`tenant ${TENANT_A}: re-mints held: ${HOLD_REASON}`]);
    for (const w of work.filter((x) => x.cluster !== fresh)) {
      const secret = w.plan.secrets.find((s) => s.tenantId === TENANT_A)!;
      expect(secret.carriedOver).toBeDefined();
      expect(secret.tokens).toEqual([]);
      expect(w.plan.revokes).toEqual([]);
      expect(f.report(w.cluster).plan).toBe(w.plan);
    }
  });

  it('re-planning a held cluster keeps its other tenants’ tokens: its Secret in tenant B is still minted', () => {
    const { work } = f.plan();

    expect(work.map((w) => [w.cluster.id, mintsOf(w.plan)])).toEqual([
      [remints[0]!.id, [`${TENANT_B}:apiToken:new`, `${TENANT_B}:dataIngestToken:new`]],
      ...remints.slice(1).map((c) => [c.id, []]),
      [fresh.id, [`${TENANT_A}:apiToken:new`, `${TENANT_A}:dataIngestToken:new`]],
    ]);
    expect(work[0]!.plan.delivery).toBe('patch');
    expect(work[1]!.plan.delivery).toBe('none');
  });

  it('remint force holds nothing and re-mints every token', () => {
    const { work, remintHeld } = f.plan({ log: f.rec.log, now: () => NOW, remint: 'force' });

    expect(remintHeld).toEqual([]);
    expect(f.rec.lines.warn).toEqual([]);
    expect(mintsOf(work[1]!.plan)).toEqual([
      `${TENANT_A}:apiToken:revoked`,
      `${TENANT_A}:dataIngestToken:revoked`,
    ]);
  });
});

describe('plan mode', () => {
  it('marks each cluster failed (its errors), unchanged (a no-op plan) or planned, without a write', () => {
    const f = new Fleet();
    const broken = f.add(v2(TENANT_B));
    const same = f.add(v2(TENANT_A));
    const added = f.add(v2(TENANT_A));
    f.unusable.set(TENANT_B, 'HTTP 401');
    f.read(broken);
    kept(f, same);
    f.read(added);

    const { work } = f.plan();
    markPlanned(work);

    expect([broken, same, added].map((c) => f.report(c).status)).toEqual(['failed', 'unchanged', 'planned']);
    expect(f.report(broken).errors).toEqual([`binding v2: tenant ${TENANT_B} unavailable: HTTP 401`]);
    for (const w of work) expect(w.report.plan).toBe(w.plan);
  });
});

// ---- applying ----

const EXISTING = { kind: 'existing', id: 'dt0c01.KEPT', value: Secret.plain('dt0c01.KEPT.value') } as const;

/** One cluster's work: a plan of apply-world, under its own OCM id and name. */
function clusterWork(name: string, p: ClusterPlan, errors: string[] = []): ClusterWork {
  const ref = { ...p.cluster, id: name, name };
  const c: Cluster = {
    ...ref,
    subscriptionId: `sub-${name}`,
    hostedControlPlane: false,
    state: 'ready',
    managed: true,
    labels: {},
  };
  return {
    cluster: c,
    eligible: [],
    plan: { ...p, cluster: ref },
    report: { cluster: ref, kind: 'SyncSet', status: 'unchanged', bindings: [], denials: [], errors },
  };
}

/** A plan that creates the delivery object with one new token named after `key`. */
const creating = (key: string) => plan('create', [[token(key, mint())]]);
/** A plan with nothing to do. */
const noop = () => plan('none', [[token('kept', EXISTING)]]);

class Stage {
  w: ApplyWorld = applyWorld();
  rec = recorder();
  ledger = new MintLedger();
  tokens = new Map<string, TenantTokens>();

  /** The tenants' listings before the run, as observe takes them. */
  async listAll(): Promise<void> {
    for (const [id, dt] of this.w.dt) this.tokens.set(id, TenantTokens.of(await dt.listTokens('dtp_')));
    this.w.calls.length = 0;
  }

  input(extra: Partial<EngineInput> = {}): EngineInput {
    return {
      config: config(),
      mode: 'reconcile',
      concurrency: 4,
      prune: 'true',
      serviceLogs: true,
      shard: { index: 1, count: 1 },
      ocm: [{ environment: 'production', client: this.w.ocm }],
      dynatrace: async (tenantId) => this.w.dt.get(tenantId)!,
      log: this.rec.log,
      now: () => this.w.clock.now,
      ...extra,
    };
  }

  run(work: ClusterWork[], input: EngineInput) {
    const known = (tenantId: string, id: string) => this.tokens.get(tenantId)?.has(id) ?? false;
    const applier = new ClusterApplier(new Map([['production', this.w.ocm]]), input, this.ledger, known);
    for (const w of work) applier.add(w);
    return applier.settle();
  }

  dt(tenantId = TENANT_A) {
    return this.w.dt.get(tenantId)!;
  }

  liveNames(tenantId = TENANT_A) {
    return [...this.dt(tenantId).tokens.values()].map((t) => t.name);
  }
}

const nameOf = (key: string) => (creating(key).secrets[0]!.tokens[0] as PlannedToken).expectedName;

describe('applying: one cluster’s failure is its own', () => {
  let s: Stage;
  beforeEach(async () => {
    s = new Stage();
    await s.listAll();
  });

  it('logs a failed cluster’s errors once, joined, naming the cluster; a cluster that succeeds logs nothing', async () => {
    // The first cluster's create fails and so does revoking its fresh token: two errors.
    s.w.ocm.failing.createDelivery = 400;
    s.dt().failing.deleteToken = 500;
    s.w.ocm.deliveries.set('ok', { kind: 'SyncSet', id: DELIVERY_ID, items: [] });
    const failing = clusterWork('bad', creating('aa'));
    const fine = clusterWork('ok', plan('patch', [[token('bb', mint())]]));

    await s.run([failing, fine], s.input());

    const leftOver = [...s.dt().tokens.values()].find((t) => t.name === nameOf('aa'))!;
    expect(failing.report.status).toBe('failed');
    expect(fine.report.status).toBe('changed');
    expect(s.rec.lines.warn).toEqual([
      `production/bad (bad): SyncSet ${DELIVERY_ID} could not be written: ocm createDelivery (X /createDelivery) failed with HTTP 400; ` +
        `token ${leftOver.id} was minted but could not be revoked again: dynatrace deleteToken (X /deleteToken) failed with HTTP 500`,
    ]);
  });

  it('logs a warning of the apply under the cluster’s environment and name; the cluster is still changed', async () => {
    s.dt().failing.deleteToken = 500;
    const work = clusterWork(
      'warned',
      plan(
        'none',
        [[token('kept', EXISTING)]],
        [{ tenantId: TENANT_A, id: 'dt0c01.OLD', name: 'dtp_old', reason: 'superseded' }],
      ),
    );

    await s.run([work], s.input());

    expect(work.report.status).toBe('changed');
    expect(s.rec.lines.warn).toEqual([
      'production/warned: token dt0c01.OLD (superseded) could not be revoked, retried next run: dynatrace deleteToken (X /deleteToken) failed with HTTP 500',
    ]);
  });

  it('an exception while applying one cluster fails that cluster with the error, and the others go on', async () => {
    s.dt().failing.deleteToken = 500;
    const throwing = clusterWork(
      'throws',
      plan(
        'none',
        [[token('kept', EXISTING)]],
        [{ tenantId: TENANT_A, id: 'dt0c01.OLD', name: 'dtp_old', reason: 'superseded' }],
      ),
    );
    const other = clusterWork('other', creating('cc'));
    const log: EngineLog = {
      ...s.rec.log,
      warn: () => {
        throw new Error('log sink closed');
      },
    };

    await s.run([throwing, other], s.input({ log, concurrency: 1 }));

    expect(throwing.report.status).toBe('failed');
    expect(throwing.report.errors).toEqual(['log sink closed']);
    expect(other.report.status).toBe('changed');
  });

  it('without a clock given, a failed delivery still posts its service log (the window comes from the system clock)', async () => {
    s.w.ocm.failing.createDelivery = 400;
    const work = clusterWork('bad', creating('aa'));

    await s.run([work], s.input({ now: undefined }));

    expect(work.report.status).toBe('failed');
    expect(work.report.result!.serviceLog).toBe('posted');
  });

  it('a lost mint never revokes a same-named token the tenant listed before the run', async () => {
    const dt = s.dt();
    const listedBefore = await dt.createToken({ name: nameOf('aa'), scopes: [] });
    await s.listAll();
    dt.loseCreates = 1;
    const work = clusterWork('c', creating('aa'));

    await s.run([work], s.input());

    expect(work.report.status).toBe('changed');
    expect(dt.tokens.has(listedBefore.id)).toBe(true);
    // The one listed before and the retried mint; the lost one is gone.
    expect(dt.tokens.size).toBe(2);
  });

  it('without a signal nothing is compensated at the end: a lost mint that could not be looked up is left to the next run', async () => {
    const dt = s.dt();
    dt.loseCreates = 1;
    const list = dt.listTokens.bind(dt);
    let failures = 1;
    dt.listTokens = async (prefix) => {
      if (failures-- > 0)
        throw new RemoteError({
          system: 'dynatrace',
          operation: 'listTokens',
          method: 'X',
          path: '/listTokens',
          status: 502,
        });
      return list(prefix);
    };
    const work = clusterWork('lost', creating('aa'));

    const outcome = await s.run([work], s.input());

    expect(work.report.status).toBe('failed');
    expect(outcome).toEqual({ notProcessed: new Set(), compensated: 0 });
    expect(s.liveNames()).toEqual([nameOf('aa')]);
    expect(s.ledger.size).toBe(1);
  });
});

describe('applying after a signal', () => {
  const ABANDONED = 'abandoned at the end of the grace period after a signal; its new tokens were revoked';
  let s: Stage;
  let stop: Shutdown;
  let work: ClusterWork[];
  beforeEach(async () => {
    s = new Stage();
    await s.listAll();
    stop = new Shutdown();
    work = [
      clusterWork('first', creating('aa')),
      clusterWork('second', creating('bb')),
      clusterWork('third', creating('cc')),
    ];
  });
  afterEach(() => {
    stop.exitIfInterrupted(0);
  });

  /** The second cluster's mint never answers; the signal and its deadline come right then. */
  function hangSecond(then: () => void = () => {}) {
    const dt = s.dt();
    dt.onCreate = (name) => {
      if (name !== nameOf('bb')) return;
      dt.hangCreates = 1;
      then();
      queueMicrotask(() => {
        stop.request('SIGTERM');
        stop.passDeadline();
      });
    };
  }

  it('a signal before the stage starts no cluster: all are reported not processed and nothing is written', async () => {
    stop.request('SIGTERM');

    const outcome = await s.run(work, s.input({ stop }));

    expect(outcome).toEqual({ notProcessed: new Set(work.map((w) => w.report)), compensated: 0 });
    expect(s.w.calls).toEqual([]);
    expect(work.map((w) => w.report.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('at the deadline a finished cluster keeps its status, the one in flight fails and the unstarted one is not processed', async () => {
    hangSecond();

    const outcome = await s.run(work, s.input({ stop, concurrency: 1 }));

    const [first, second, third] = work.map((w) => w.report);
    expect(first!.status).toBe('changed');
    expect(first!.errors).toEqual([]);
    expect(second!.status).toBe('failed');
    expect(second!.errors).toEqual([ABANDONED]);
    expect(third!.status).toBe('unchanged');
    expect(third!.errors).toEqual([]);
    expect(outcome.notProcessed).toEqual(new Set([third]));
  });

  it('counts the tokens of abandoned clusters revoked at the deadline', async () => {
    hangSecond();

    const outcome = await s.run(work, s.input({ stop, concurrency: 1 }));

    expect(outcome.compensated).toBe(1);
    expect(s.liveNames()).toEqual([nameOf('aa')]);
    expect(s.rec.lines.warn).toEqual([]);
  });

  it('warns about each token of an abandoned cluster that could not be revoked at the deadline', async () => {
    hangSecond(() => {
      s.dt().failing.deleteToken = 503;
    });

    const outcome = await s.run(work, s.input({ stop, concurrency: 1 }));

    expect(outcome.compensated).toBe(0);
    expect(s.rec.lines.warn).toEqual([
      `token ${nameOf('bb')} of tenant ${TENANT_A} was minted for an interrupted cluster and could not be revoked (the next run revokes it): dynatrace deleteToken (X /deleteToken) failed with HTTP 503`,
    ]);
  });
});

describe('the progress line', () => {
  let s: Stage;
  let stop: Shutdown;
  let work: ClusterWork[];
  beforeEach(async () => {
    vi.useFakeTimers();
    s = new Stage();
    await s.listAll();
    stop = new Shutdown();
    // Failed (its tenant unusable), unchanged, and one whose mint never answers.
    work = [
      clusterWork('failed', noop(), ['tenant unavailable']),
      clusterWork('same', noop()),
      clusterWork('hangs', creating('hh')),
    ];
    s.dt().hangCreates = 1;
  });
  afterEach(() => {
    stop.exitIfInterrupted(0);
    vi.useRealTimers();
  });

  const PROGRESS = /^progress: 2\/3 clusters \(1 failed\)(?: ·|$)/;

  it('says every progressEveryMs how many clusters finished and how many failed, and stops with the stage', async () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const running = s.run(work, s.input({ stop, progressEveryMs: 1000 }));

    await vi.advanceTimersByTimeAsync(999);
    expect(s.rec.lines.info).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.rec.lines.info).toEqual([expect.stringMatching(PROGRESS)]);
    // The progress timer alone does not keep the process alive.
    expect((intervals.mock.results[0]!.value as NodeJS.Timeout).hasRef()).toBe(false);

    stop.request('SIGTERM');
    stop.passDeadline();
    await running;
    s.rec.lines.info.length = 0;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.rec.lines.info).toEqual([]);
  });

  it('comes every 5 s by default', async () => {
    const running = s.run(work, s.input({ stop }));

    await vi.advanceTimersByTimeAsync(4999);
    expect(s.rec.lines.info).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.rec.lines.info).toEqual([expect.stringMatching(PROGRESS)]);

    stop.request('SIGTERM');
    stop.passDeadline();
    await running;
  });
});
