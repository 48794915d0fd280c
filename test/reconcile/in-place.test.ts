/**
 * In-place fixes (src/reconcile/in-place.ts): a cluster whose plan only corrects token names or scopes is
 * carried out as soon as its delivery is read, while other clusters are still being read; everything a
 * fleet-wide decision can change still waits for the whole fleet.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/config/duration.js';
import { parseDelivery } from '../../src/reconcile/delivery.js';
import { resolveBindings } from '../../src/reconcile/eligibility.js';
import { tokenName } from '../../src/reconcile/naming.js';
import { inPlacePlan } from '../../src/reconcile/in-place.js';
import type { TenantTokens } from '../../src/reconcile/plan.js';
import { FakeOcm, type Call } from './fakes.js';
import {
  cluster,
  config,
  defaultSpec,
  deliveredSecret,
  INGEST_SCOPES,
  liveToken,
  observed,
  OPERATOR_SCOPES,
  ORG_A,
  tokenMap,
  v2,
} from './fixtures.js';
import { audit, engine, T1, T2, uuid, world, writes, type World } from './world.js';
import type { EngineOptions } from '../../src/reconcile/engine.js';
import { Shutdown } from '../../src/shutdown.js';

/** Turns of the event loop (no wall-clock wait) until `done()` holds, at most `turns`. */
async function turnsUntil(done: () => boolean, turns = 50): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
}

/** OCM whose read of one cluster's delivery answers only once a write was made, or after 50 loop turns. */
class SlowRead extends FakeOcm {
  constructor(
    environment: string,
    calls: Call[],
    private readonly slow: string,
    private readonly onAnswer = () => {},
  ) {
    super(environment, calls);
  }
  override async getDelivery(...args: Parameters<FakeOcm['getDelivery']>) {
    const answer = await super.getDelivery(...args);
    if (args[0] !== this.slow) return answer;
    await turnsUntil(() => this.calls.some((c) => c.op === 'updateToken' || c.op === 'createToken'));
    this.calls.push({ system: 'ocm', op: 'answered', target: this.slow });
    this.onAnswer();
    return answer;
  }
}

/** Three converged clusters of tenant T1; the read of `slow`'s delivery is the slow one. */
async function converged(slow = 'c3', onAnswer?: () => void): Promise<World> {
  const w = world();
  for (let i = 1; i <= 3; i++)
    w.ocm.addCluster({ id: `c${i}`, externalId: uuid(i), org: ORG_A, labels: v2(T1) });
  await engine(w);
  const ocm = new SlowRead('production', w.calls, slow, onAnswer);
  Object.assign(ocm, { labels: w.ocm.labels, subscriptions: w.ocm.subscriptions, clusters: w.ocm.clusters });
  ocm.deliveries = w.ocm.deliveries;
  ocm.now = w.ocm.now;
  w.calls.length = 0;
  return { ...w, ocm };
}

/** The delivered token ids of a cluster's Secret, by key. */
function deliveredIds(w: World, clusterId: string): Record<'apiToken' | 'dataIngestToken', string> {
  const data = parseDelivery(w.ocm.deliveries.get(clusterId)!).secrets[0]!.data;
  return {
    apiToken: data.get('apiTokenId')!.reveal(),
    dataIngestToken: data.get('dataIngestTokenId')!.reveal(),
  };
}

const quiet = { info: () => {}, warn: () => {}, debug: () => {} };
const run = (w: World, options?: EngineOptions) => engine(w, { log: quiet }, options);
const ops = (w: World) => w.calls.map((c) => `${c.op} ${c.target}`);
const before = (w: World, a: string, b: string) => {
  const list = ops(w);
  const ia = list.findIndex((x) => x.startsWith(a));
  const ib = list.findIndex((x) => x.startsWith(b));
  expect(ia, `${a} in ${list.join(', ')}`).toBeGreaterThanOrEqual(0);
  expect(ib, `${b} in ${list.join(', ')}`).toBeGreaterThanOrEqual(0);
  return ia < ib;
};

describe('in-place fixes during the reads', () => {
  it('a scope drift is fixed while another cluster is still being read, once, and reported', async () => {
    const w = await converged();
    const id = deliveredIds(w, 'c1').apiToken;
    w.dt.get(T1)!.tokens.get(id)!.scopes = ['metrics.read'];
    const result = await run(w);
    expect(before(w, `updateToken ${T1}/${id}`, 'answered c3')).toBe(true);
    expect(ops(w).filter((x) => x.startsWith('updateToken'))).toEqual([`updateToken ${T1}/${id}`]);
    expect(w.dt.get(T1)!.tokens.get(id)!.scopes).toEqual([...OPERATOR_SCOPES]);
    const c1 = result.clusters.find((c) => c.cluster.id === 'c1')!;
    expect([c1.status, c1.result?.tokensUpdated]).toEqual(['changed', 1]);
    expect(result.clusters.map((c) => c.status)).toEqual(['changed', 'unchanged', 'unchanged']);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('without overlap the same fix waits for the last read', async () => {
    const w = await converged();
    const id = deliveredIds(w, 'c1').apiToken;
    w.dt.get(T1)!.tokens.get(id)!.scopes = ['metrics.read'];
    await run(w, { overlap: false });
    expect(before(w, 'answered c3', `updateToken ${T1}/${id}`)).toBe(true);
  });

  it('a cluster that also needs a re-mint waits for the whole fleet: its delivered ids are confirmed first', async () => {
    const w = await converged();
    const ids = deliveredIds(w, 'c1');
    w.dt.get(T1)!.tokens.get(ids.apiToken)!.scopes = ['metrics.read'];
    w.dt.get(T1)!.tokens.delete(ids.dataIngestToken);
    const result = await run(w);
    expect(before(w, 'answered c3', `updateToken ${T1}/${ids.apiToken}`)).toBe(true);
    expect(before(w, `getToken ${T1}/${ids.dataIngestToken}`, 'createToken')).toBe(true);
    const c1 = result.clusters.find((c) => c.cluster.id === 'c1')!;
    expect([c1.result?.tokensUpdated, c1.result?.tokensReminted]).toEqual([1, 1]);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('a tenant found unusable afterwards keeps the fix made; the cluster reports the tenant, nothing is minted', async () => {
    const w = await converged();
    const fixed = deliveredIds(w, 'c1').apiToken;
    w.dt.get(T1)!.tokens.get(fixed)!.scopes = ['metrics.read'];
    // The listing leaves out a token c2 holds, which GET finds under its dtp_ name: the listing lies.
    w.dt.get(T1)!.hiddenFromListing.add(deliveredIds(w, 'c2').apiToken);
    const result = await run(w);
    expect(w.dt.get(T1)!.tokens.get(fixed)!.scopes).toEqual([...OPERATOR_SCOPES]);
    expect(result.tenants.find((t) => t.tenantId === T1)!.error).toMatch(/listing is incomplete/);
    const c1 = result.clusters.find((c) => c.cluster.id === 'c1')!;
    expect(c1.status).toBe('failed');
    expect(c1.errors.join('\n')).toMatch(new RegExp(`tenant ${T1} unavailable`));
    // The report shows the plan that was carried out, not one made again without the tenant.
    expect(c1.plan?.secrets[0]?.tokens.map((t) => t.update?.id)).toEqual([fixed, undefined]);
    expect(writes(w).map((c) => c.op)).toEqual(['updateToken']);
  });

  it('rotation is decided on the clock of the in-place decisions, so the plan stage agrees with them', async () => {
    const w = await converged();
    const start = Date.parse('2026-11-22T12:00:00Z');
    w.cfg.tokenSpecs.get('default')!.secrets[0]!.tokens[1]!.lifetime = {
      maxAgeMs: 90 * DAY_MS,
      rotateAfterMs: 60 * DAY_MS,
      rotationGraceMs: 24 * HOUR_MS,
    };
    // Every ingest token is a day short of its rotation at the start; the clock jumps two days at the first fix.
    for (const t of w.dt.get(T1)!.tokens.values())
      if (t.name.startsWith('dtp_ingest')) t.creationDate = new Date(start - 59 * DAY_MS).toISOString();
    w.dt.get(T1)!.tokens.get(deliveredIds(w, 'c1').apiToken)!.scopes = ['metrics.read'];
    let jumped = false;
    const update = w.dt.get(T1)!.updateToken.bind(w.dt.get(T1)!);
    w.dt.get(T1)!.updateToken = (id, u) => ((jumped = true), update(id, u));
    const result = await engine(w, {
      log: quiet,
      now: () => new Date(start + (jumped ? 2 * DAY_MS : 0)),
    });
    expect(jumped).toBe(true);
    const rotated = result.clusters.reduce((n, c) => n + (c.result?.tokensRotated ?? 0), 0);
    expect([result.rotation?.rotationsStarted ?? 0, rotated]).toEqual([0, 0]);
  });

  it('a tenant that cannot be listed is reported once, though the in-place decisions wait for it too', async () => {
    const w = await converged();
    w.ocm.addCluster({ id: 'c4', externalId: uuid(4), org: ORG_A, labels: v2(T2) });
    w.dt.get(T2)!.failing.listTokens = 503;
    await engine(w);
    expect(w.logs.filter((l) => l.includes(`tenant ${T2}`) && l.includes('cannot be used'))).toHaveLength(1);
  });

  it('a run narrowed to one cluster fixes it in place; the clusters it did not read are left alone', async () => {
    const w = await converged();
    for (const clusterId of ['c1', 'c2'])
      w.dt.get(T1)!.tokens.get(deliveredIds(w, clusterId).apiToken)!.scopes = ['metrics.read'];
    const result = await engine(w, { log: quiet, clusters: ['c1'] });
    expect(writes(w).map((c) => `${c.op} ${c.target}`)).toEqual([
      `updateToken ${T1}/${deliveredIds(w, 'c1').apiToken}`,
    ]);
    expect(result.clusters.map((c) => [c.cluster.id, c.status])).toEqual([['c1', 'changed']]);
  });

  it('a signal during the reads starts no fix, also not for the cluster already read; none is processed', async () => {
    const stop = new Shutdown();
    const w = await converged('c1', () => stop.request('SIGTERM'));
    w.dt.get(T1)!.tokens.get(deliveredIds(w, 'c1').apiToken)!.scopes = ['metrics.read'];
    const result = await engine(w, { log: quiet, stop, concurrency: 1 }, { overlap: true });
    expect(ops(w).filter((x) => x.startsWith('getDelivery'))).toEqual(['getDelivery c1']);
    expect(writes(w)).toEqual([]);
    expect(result.clusters).toEqual([]);
    expect(result.interrupted).toEqual({ signal: 'SIGTERM', notProcessed: 3, compensated: 0 });
  });

  it('plan mode writes nothing while reading', async () => {
    const w = await converged();
    w.dt.get(T1)!.tokens.get(deliveredIds(w, 'c1').apiToken)!.scopes = ['metrics.read'];
    const result = await engine(w, { log: quiet, mode: 'plan' });
    expect(writes(w)).toEqual([]);
    expect(result.clusters.map((c) => c.status)).toEqual(['planned', 'unchanged', 'unchanged']);
  });
});

describe('inPlacePlan', () => {
  const c = cluster(v2(T1));
  const eligible = resolveBindings(c, config({ tenants: undefined })).eligible;
  const CLOCK = { now: new Date('2026-06-01T12:00:00Z'), runIntervalMs: 2 * HOUR_MS };
  const apiUrl = `https://${T1}.live.dynatrace.com/api`;

  function state(operatorScopes: string[] = [...OPERATOR_SCOPES], extra = {}) {
    const operator = liveToken('operator', c.externalId, [...OPERATOR_SCOPES], {
      scopes: operatorScopes,
      ...extra,
    });
    const ingest = liveToken('ingest', c.externalId, [...INGEST_SCOPES]);
    const delivery = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', apiUrl, {
        apiToken: operator,
        dataIngestToken: ingest,
      }),
    );
    return { operator, ingest, delivery };
  }
  const tokensOf = (...t: Parameters<typeof tokenMap>) =>
    new Map<string, TenantTokens>([[T1, tokenMap(...t)]]);

  it('a scope drift alone is a plan in place', () => {
    const { operator, ingest, delivery } = state(['metrics.read']);
    const plan = inPlacePlan({
      cluster: c,
      eligible,
      observed: delivery,
      tokens: tokensOf(operator, ingest),
      clock: CLOCK,
    });
    expect(plan?.secrets[0]!.tokens.map((t) => t.update?.id)).toEqual([operator.id, undefined]);
  });

  it('nothing to do, no delivery object, a missing delivered id or an unreadable tenant: not in place', () => {
    const { operator, ingest, delivery } = state(['metrics.read']);
    const clean = state();
    const args = { cluster: c, eligible, clock: CLOCK };
    expect(
      inPlacePlan({ ...args, observed: clean.delivery, tokens: tokensOf(clean.operator, clean.ingest) }),
    ).toBe(undefined);
    expect(inPlacePlan({ ...args, observed: undefined, tokens: tokensOf(operator, ingest) })).toBe(undefined);
    expect(inPlacePlan({ ...args, observed: delivery, tokens: tokensOf(operator) })).toBe(undefined);
    expect(inPlacePlan({ ...args, observed: delivery, tokens: new Map() })).toBe(undefined);
  });

  it('a name drift alone (right scopes, another dtp_ name of the cluster) is a plan in place', () => {
    const { operator, ingest, delivery } = state(undefined, {
      name: tokenName('operator', c.externalId, ['metrics.read']),
    });
    const plan = inPlacePlan({
      cluster: c,
      eligible,
      observed: delivery,
      tokens: tokensOf(operator, ingest),
      clock: CLOCK,
    });
    expect(plan?.secrets[0]!.tokens[0]!.update?.fromName).toBe(operator.name);
  });

  it('a drift in one of two Secrets is in place', () => {
    const spec = defaultSpec();
    spec.secrets.push({ ...spec.secrets[0]!, name: 'second' });
    const twoSecrets = resolveBindings(c, config({ specs: [spec] })).eligible;
    const { operator, ingest } = state(['metrics.read']);
    const again = state();
    const delivery = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', apiUrl, {
        apiToken: operator,
        dataIngestToken: ingest,
      }),
      deliveredSecret('second', 'dynatrace', apiUrl, {
        apiToken: again.operator,
        dataIngestToken: again.ingest,
      }),
    );
    const tokens = tokensOf(operator, ingest, again.operator, again.ingest);
    const plan = inPlacePlan({ cluster: c, eligible: twoSecrets, observed: delivery, tokens, clock: CLOCK });
    expect(plan?.secrets.map((s) => s.tokens.filter((t) => t.update).length)).toEqual([1, 0]);
  });

  it('a drift beside a change of the Secret (its apiUrl) is not in place: the delivery object is written', () => {
    const { operator, ingest } = state(['metrics.read']);
    const moved = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', `https://old.example/api`, {
        apiToken: operator,
        dataIngestToken: ingest,
      }),
    );
    expect(
      inPlacePlan({
        cluster: c,
        eligible,
        observed: moved,
        tokens: tokensOf(operator, ingest),
        clock: CLOCK,
      }),
    ).toBe(undefined);
  });

  it('a token of the cluster that its plan revokes (a duplicate) makes it not in place', () => {
    const { operator, ingest, delivery } = state(['metrics.read']);
    const twin = liveToken('operator', c.externalId, [...OPERATOR_SCOPES]);
    expect(
      inPlacePlan({
        cluster: c,
        eligible,
        observed: delivery,
        tokens: tokensOf(operator, ingest, twin),
        clock: CLOCK,
      }),
    ).toBe(undefined);
  });

  it('a token due for rotation makes it not in place: the budget is decided over the fleet', () => {
    const lifetime = { maxAgeMs: 90 * DAY_MS, rotateAfterMs: 60 * DAY_MS, rotationGraceMs: 24 * HOUR_MS };
    const spec = defaultSpec();
    spec.secrets[0]!.tokens[1]!.lifetime = lifetime;
    const withLifetime = resolveBindings(c, config({ specs: [spec] })).eligible;
    const old = new Date(CLOCK.now.getTime() - 70 * DAY_MS).toISOString();
    const young = new Date(CLOCK.now.getTime() - 10 * DAY_MS).toISOString();
    const { operator, delivery } = state(['metrics.read']);
    const ingestAt = (created: string) => ({
      ...liveToken('ingest', c.externalId, [...INGEST_SCOPES]),
      creationDate: created,
    });
    const due = ingestAt(old);
    const fresh = ingestAt(young);
    const deliver = (t: { id: string; value: string }) =>
      observed(
        deliveredSecret('dynatrace-token-dtp', 'dynatrace', apiUrl, {
          apiToken: operator,
          dataIngestToken: t,
        }),
      );
    const args = { cluster: c, eligible: withLifetime, clock: CLOCK };
    expect(inPlacePlan({ ...args, observed: deliver(due), tokens: tokensOf(operator, due) })).toBe(undefined);
    expect(
      inPlacePlan({ ...args, observed: deliver(fresh), tokens: tokensOf(operator, fresh) }),
    ).toBeDefined();
    void delivery;
  });
});
