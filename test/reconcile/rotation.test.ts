/**
 * Rotation decisions on a fixed clock: when a delivered token gets a successor, when its predecessor may
 * go (pickup proven, grace passed, or dead anyway), and that a failed or undelivered successor never costs
 * the cluster its working token. The budget spreads rotations over runs, the most urgent first.
 */
import { describe, expect, it } from 'vitest';
import type { DynatraceToken } from '../../src/clients/api.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/config/duration.js';
import type { TokenSpec } from '../../src/config/types.js';
import { resolveOptions } from '../../src/options.js';
import { desiredSecrets } from '../../src/reconcile/plan.js';
import { mergeRotationSummaries, planRotations } from '../../src/reconcile/rotation-plan.js';
import {
  countRotations,
  decideSlot,
  parseRotationBudget,
  predecessorsInRotation,
  rotationAllowance,
  selectRotations,
  type RotationBudgetSetting,
  type RotationSlot,
  type SlotDecision,
} from '../../src/reconcile/rotation.js';
import {
  cluster,
  config,
  defaultSpec,
  deliveredSecret,
  INGEST_SCOPES,
  liveToken,
  observed,
  OPERATOR_SCOPES,
  tokenMap,
  v2,
} from './fixtures.js';

import { ago, ahead, CLOCK, LIFETIME, NAME, token } from './rotation-fixtures.js';

function slot(deliveredId: string | undefined, tokens: DynatraceToken[], key = 'c1/t/dynatrace/s/apiToken') {
  return { key, tenantId: 't', lifetime: LIFETIME, deliveredId, tokens } satisfies RotationSlot;
}

describe('when a delivered token gets a successor', () => {
  it('not while it is younger than rotateAfter and far from its expiry', () => {
    const fresh = token('dt0c01.A', ago(59 * DAY_MS), { expirationDate: ahead(31 * DAY_MS) });
    expect(decideSlot(slot('dt0c01.A', [fresh]), CLOCK)).toEqual({
      key: 'c1/t/dynatrace/s/apiToken',
      tenantId: 't',
      retire: [],
      waiting: [],
    });
  });

  it('once it is older than rotateAfter', () => {
    const old = token('dt0c01.A', ago(60 * DAY_MS), { expirationDate: ahead(30 * DAY_MS) });
    expect(decideSlot(slot('dt0c01.A', [old]), CLOCK).due).toEqual({
      urgency: 'aged',
      expiresAt: ahead(30 * DAY_MS),
    });
  });

  it('when it expires within the next two scheduled runs, whatever its age', () => {
    const young = token('dt0c01.A', ago(HOUR_MS), { expirationDate: ahead(4 * HOUR_MS) });
    expect(decideSlot(slot('dt0c01.A', [young]), CLOCK).due?.urgency).toBe('expiring');
    const later = token('dt0c01.A', ago(HOUR_MS), { expirationDate: ahead(4 * HOUR_MS + MINUTE_MS) });
    expect(decideSlot(slot('dt0c01.A', [later]), CLOCK).due).toBeUndefined();
  });

  it('when it has expired (reported past expiry; the planner re-mints it)', () => {
    const dead = token('dt0c01.A', ago(91 * DAY_MS), { expirationDate: ago(DAY_MS) });
    expect(decideSlot(slot('dt0c01.A', [dead]), CLOCK).due?.urgency).toBe('expired');
  });

  it('an adopted token without expiry is rotated once older than rotateAfter, to get one', () => {
    const adopted = token('dt0c01.A', ago(400 * DAY_MS));
    expect(decideSlot(slot('dt0c01.A', [adopted]), CLOCK).due).toEqual({ urgency: 'aged' });
    const recent = token('dt0c01.A', ago(10 * DAY_MS));
    expect(decideSlot(slot('dt0c01.A', [recent]), CLOCK).due).toBeUndefined();
  });

  it('a token of unknown age is rotated to get an expiry, and then only when it is expiring', () => {
    expect(decideSlot(slot('dt0c01.A', [token('dt0c01.A', undefined)]), CLOCK).due).toEqual({
      urgency: 'aged',
    });
    const dated = token('dt0c01.A', undefined, { expirationDate: ahead(10 * DAY_MS) });
    expect(decideSlot(slot('dt0c01.A', [dated]), CLOCK).due).toBeUndefined();
    const soon = token('dt0c01.A', undefined, { expirationDate: ahead(3 * HOUR_MS) });
    expect(decideSlot(slot('dt0c01.A', [soon]), CLOCK).due?.urgency).toBe('expiring');
  });

  it('nothing is decided for a slot without a live delivered token (new or re-minted by the planner)', () => {
    const leftover = token('dt0c01.A', ago(100 * DAY_MS));
    expect(decideSlot(slot(undefined, [leftover]), CLOCK)).toMatchObject({ retire: [], waiting: [] });
    expect(decideSlot(slot('dt0c01.GONE', [leftover]), CLOCK)).not.toHaveProperty('due');
  });
});

describe('when a predecessor is revoked', () => {
  const predecessor = token('dt0c01.P', ago(61 * DAY_MS), { expirationDate: ahead(29 * DAY_MS) });

  it('is kept while the successor is unused and the grace period runs', () => {
    const successor = token('dt0c01.S', ago(2 * HOUR_MS), { expirationDate: ahead(90 * DAY_MS) });
    const decision = decideSlot(slot('dt0c01.S', [predecessor, successor]), CLOCK);
    expect(decision.retire).toEqual([]);
    expect(decision.waiting).toEqual([
      { id: 'dt0c01.P', name: NAME, deliveredAt: ago(2 * HOUR_MS), graceEndsAt: ahead(22 * HOUR_MS) },
    ]);
    expect(decision.due).toBeUndefined();
  });

  it('as soon as the successor was used after its delivery (pickup proven)', () => {
    const successor = token('dt0c01.S', ago(2 * HOUR_MS), {
      expirationDate: ahead(90 * DAY_MS),
      lastUsedDate: ago(HOUR_MS),
    });
    const decision = decideSlot(slot('dt0c01.S', [predecessor, successor]), CLOCK);
    expect(decision.retire).toEqual([{ id: 'dt0c01.P', name: NAME, proof: 'pickup' }]);
    expect(decision.waiting).toEqual([]);
  });

  it('not on a lastUsedDate from before the delivery', () => {
    const successor = token('dt0c01.S', ago(2 * HOUR_MS), { lastUsedDate: ago(3 * HOUR_MS) });
    expect(decideSlot(slot('dt0c01.S', [predecessor, successor]), CLOCK).retire).toEqual([]);
  });

  it('when the grace period has passed without proof', () => {
    const successor = token('dt0c01.S', ago(24 * HOUR_MS), { expirationDate: ahead(89 * DAY_MS) });
    const decision = decideSlot(slot('dt0c01.S', [predecessor, successor]), CLOCK);
    expect(decision.retire).toEqual([{ id: 'dt0c01.P', name: NAME, proof: 'grace' }]);
  });

  it('when it has expired anyway', () => {
    const dead = token('dt0c01.P', ago(91 * DAY_MS), { expirationDate: ago(MINUTE_MS) });
    const successor = token('dt0c01.S', ago(HOUR_MS));
    expect(decideSlot(slot('dt0c01.S', [dead, successor]), CLOCK).retire).toEqual([
      { id: 'dt0c01.P', name: NAME, proof: 'expired' },
    ]);
  });

  it('never the delivered token when a newer one exists: a successor whose delivery failed', () => {
    // The delivered token is P; S was minted for a delivery that failed (and its revocation failed too).
    // S is not the cluster's token: even "used", past grace, it proves nothing about P.
    const undelivered = token('dt0c01.S', ago(30 * HOUR_MS), {
      expirationDate: ahead(89 * DAY_MS),
      lastUsedDate: ago(HOUR_MS),
    });
    const decision = decideSlot(slot('dt0c01.P', [predecessor, undelivered]), CLOCK);
    expect(decision.retire).toEqual([]);
    expect(decision.waiting).toEqual([]);
    // P is still due, so the next run tries again.
    expect(decision.due?.urgency).toBe('aged');
  });

  it('a token whose creation date is unknown is not taken for a predecessor', () => {
    const unknown = token('dt0c01.X', undefined);
    const successor = token('dt0c01.S', ago(30 * HOUR_MS), { lastUsedDate: ago(HOUR_MS) });
    expect(decideSlot(slot('dt0c01.S', [unknown, successor]), CLOCK)).toMatchObject({
      retire: [],
      waiting: [],
    });
  });

  it('an aged successor is not rotated again while its predecessor waits, an expiring one is', () => {
    const shortLife = { maxAgeMs: 2 * HOUR_MS, rotateAfterMs: 80 * MINUTE_MS, rotationGraceMs: 24 * HOUR_MS };
    const oldOne = token('dt0c01.P', ago(3 * HOUR_MS), { expirationDate: ahead(HOUR_MS) });
    const aged = token('dt0c01.S', ago(90 * MINUTE_MS), { expirationDate: ahead(5 * HOUR_MS) });
    const lenient = { ...slot('dt0c01.S', [oldOne, aged]), lifetime: shortLife };
    expect(decideSlot(lenient, CLOCK)).toMatchObject({ waiting: [{ id: 'dt0c01.P' }] });
    expect(decideSlot(lenient, CLOCK).due).toBeUndefined();
    const dying = token('dt0c01.S', ago(90 * MINUTE_MS), { expirationDate: ahead(30 * MINUTE_MS) });
    expect(decideSlot({ ...lenient, tokens: [oldOne, dying] }, CLOCK).due?.urgency).toBe('expiring');
  });
});

describe('the rotation budget', () => {
  const due = (
    key: string,
    urgency: 'expired' | 'expiring' | 'aged',
    expiresInMs?: number,
  ): SlotDecision => ({
    key,
    tenantId: 't',
    due: { urgency, ...(expiresInMs !== undefined ? { expiresAt: ahead(expiresInMs) } : {}) },
    retire: [],
    waiting: [],
  });

  it('reads a share or a count, and refuses anything else', () => {
    expect(parseRotationBudget('5%')).toEqual({ percent: 5 });
    expect(parseRotationBudget('2.5%')).toEqual({ percent: 2.5 });
    expect(parseRotationBudget('20')).toEqual({ count: 20 });
    for (const bad of ['0', '0%', '101%', '-1', 'five', '5 %', ''])
      expect(parseRotationBudget(bad), bad).toBeUndefined();
  });

  it('is 5 % of the managed tokens, at least 1', () => {
    expect(rotationAllowance({ percent: 5 }, 1000)).toBe(50);
    expect(rotationAllowance({ percent: 5 }, 19)).toBe(1);
    expect(rotationAllowance({ percent: 5 }, 0)).toBe(1);
    expect(rotationAllowance({ count: 7 }, 1000)).toBe(7);
  });

  it('admits the tokens expiring soonest first and defers the rest', () => {
    const decisions = [
      due('aged-old', 'aged', 20 * DAY_MS),
      due('expiring-late', 'expiring', 3 * HOUR_MS),
      due('aged-no-expiry', 'aged'),
      due('expiring-soon', 'expiring', HOUR_MS),
      { key: 'fresh', tenantId: 't', retire: [], waiting: [] },
    ];
    const selection = selectRotations(decisions, 3);
    expect([...selection.admitted]).toEqual(['expiring-soon', 'expiring-late', 'aged-old']);
    expect(selection.deferred.map((d) => d.key)).toEqual(['aged-no-expiry']);
  });

  it('expired tokens are never held back, but use up the budget first', () => {
    const selection = selectRotations(
      [due('aged', 'aged', DAY_MS), due('dead-1', 'expired'), due('dead-2', 'expired')],
      2,
    );
    expect(selection.admitted.size).toBe(0);
    expect(selection.deferred.map((d) => d.key)).toEqual(['aged']);
  });

  it('counts what the report shows', () => {
    const waiting = decideSlot(
      slot('dt0c01.S', [
        token('dt0c01.P', ago(61 * DAY_MS)),
        token('dt0c01.S', ago(HOUR_MS), { expirationDate: ahead(3 * HOUR_MS) }),
      ]),
      CLOCK,
    );
    const decisions = [
      waiting,
      due('dead', 'expired'),
      {
        key: 'done',
        tenantId: 't',
        retire: [{ id: 'x', name: NAME, proof: 'pickup' as const }],
        waiting: [],
      },
    ];
    expect(countRotations(decisions, selectRotations(decisions, 1))).toEqual({
      expiringSoon: 1,
      pastExpiry: 1,
      rotationsStarted: 0,
      rotationsDeferred: 1,
      rotationsCompleted: { pickup: 1, grace: 0, expired: 0 },
      waitingForPickup: 1,
    });
  });
});

describe('rotation over a run', () => {
  const T = 'abc12345';
  const lifetimeSpec = (): TokenSpec => {
    const spec = defaultSpec();
    spec.secrets[0]!.tokens[0]!.lifetime = LIFETIME;
    return spec;
  };
  const cfg = config({ specs: [lifetimeSpec()] });
  const bindings = () => [
    {
      binding: { key: 'v2', tenantId: T, specName: 'default', tenantLabel: 'x', specLabel: 'y' },
      tenant: cfg.tenants.get(T)!,
      spec: cfg.tokenSpecs.get('default')!,
    },
  ];

  /** A cluster whose Secret holds `operator` (with the given dates) and a lifetime-less `ingest` token. */
  function deliveredCluster(operator: Partial<DynatraceToken>, extra: DynatraceToken[] = []) {
    const c = cluster(v2(T));
    const op = liveToken('operator', c.externalId, OPERATOR_SCOPES, operator);
    const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES, { creationDate: ago(400 * DAY_MS) });
    const predecessors = extra.map((t) => ({ ...t, name: op.name }));
    return {
      cluster: c,
      desired: desiredSecrets(c, bindings()),
      observed: observed(
        deliveredSecret('dynatrace-token-dtp', 'dynatrace', `https://${T}.live.dynatrace.com/api`, {
          apiToken: op,
          dataIngestToken: ingest,
        }),
      ),
      tokens: [op, ingest, ...predecessors],
      operatorId: op.id,
    };
  }

  const settings = (budget: RotationBudgetSetting = { percent: 5 }) => ({
    clock: CLOCK,
    budget,
  });

  it('rotates the due, keeps the waiting, retires the picked-up, and leaves lifetime-less tokens alone', () => {
    const aged = deliveredCluster({ creationDate: ago(61 * DAY_MS), expirationDate: ahead(29 * DAY_MS) });
    const waiting = deliveredCluster({ creationDate: ago(2 * HOUR_MS) }, [
      token('dt0c01.WAIT', ago(61 * DAY_MS)),
    ]);
    const done = deliveredCluster({ creationDate: ago(30 * HOUR_MS), lastUsedDate: ago(HOUR_MS) }, [
      token('dt0c01.DONE', ago(61 * DAY_MS)),
    ]);
    const all = [aged, waiting, done];
    const run = planRotations(all, new Map([[T, tokenMap(...all.flatMap((c) => c.tokens))]]), settings());

    expect(run.byCluster.get(aged.cluster.id)).toEqual({
      rotate: new Set([`${aged.cluster.id}/${T}/dynatrace/dynatrace-token-dtp/apiToken`]),
      keep: new Set(),
      retire: new Map(),
    });
    expect(run.byCluster.get(waiting.cluster.id)).toEqual({
      rotate: new Set(),
      keep: new Set(['dt0c01.WAIT']),
      retire: new Map(),
    });
    expect(run.byCluster.get(done.cluster.id)).toEqual({
      rotate: new Set(),
      keep: new Set(),
      retire: new Map([['dt0c01.DONE', 'pickup']]),
    });
    // 6 delivered tokens, 5 % of them: the minimum of one rotation. The ingest tokens (400 days old) have no maxAge.
    expect(run.counts).toMatchObject({
      rotationsStarted: 1,
      rotationsDeferred: 0,
      waitingForPickup: 1,
      rotationsCompleted: { pickup: 1 },
    });
    expect(run.decisions).toHaveLength(3);
  });

  it('the budget gives the successor to the token expiring first', () => {
    const later = deliveredCluster({ creationDate: ago(70 * DAY_MS), expirationDate: ahead(20 * DAY_MS) });
    const sooner = deliveredCluster({ creationDate: ago(65 * DAY_MS), expirationDate: ahead(10 * DAY_MS) });
    const all = [later, sooner];
    const run = planRotations(
      all,
      new Map([[T, tokenMap(...all.flatMap((c) => c.tokens))]]),
      settings({ count: 1 }),
    );
    expect([...run.byCluster.keys()]).toEqual([sooner.cluster.id]);
    expect(run.deferred.map((d) => d.key)).toEqual([
      `${later.cluster.id}/${T}/dynatrace/dynatrace-token-dtp/apiToken`,
    ]);
  });

  it('decides nothing for a tenant that could not be read', () => {
    const aged = deliveredCluster({ creationDate: ago(61 * DAY_MS) });
    const run = planRotations([aged], new Map(), settings());
    expect(run.decisions).toEqual([]);
    expect(run.byCluster.size).toBe(0);
  });
});

describe('the rotation settings', () => {
  const settingsOf = (values: Record<string, string>) => resolveOptions((name) => values[name]);

  it('default to 5 % per run and a two-hour schedule', () => {
    const options = settingsOf({});
    expect(options.rotationBudget).toEqual({ percent: 5 });
    expect(options.runIntervalMs).toBe(2 * HOUR_MS);
  });

  it('take a count and another schedule', () => {
    const options = settingsOf({ 'rotation-budget': '20', 'run-interval': '30m' });
    expect(options.rotationBudget).toEqual({ count: 20 });
    expect(options.runIntervalMs).toBe(30 * MINUTE_MS);
  });

  it('refuse what they cannot read, naming the setting', () => {
    expect(() => settingsOf({ 'rotation-budget': 'lots', 'run-interval': '5m' })).toThrow(
      /rotation-budget: "lots" must be a share[\s\S]*run-interval: "5m" must be a duration from 10m to 7d/,
    );
  });
});

describe('rotation summaries of shards', () => {
  it('add up, per tenant too', () => {
    const counts = (n: number) => ({
      expiringSoon: n,
      pastExpiry: n,
      rotationsStarted: n,
      rotationsDeferred: n,
      rotationsCompleted: { pickup: n, grace: 0, expired: 1 },
      waitingForPickup: n,
    });
    const part = (n: number, tenants: string[]) => ({
      ...counts(n),
      pastExpirySlots: [`c${n}/t/ns/s/k`],
      tenants: tenants.map((tenantId) => ({ tenantId, ...counts(n) })),
    });
    expect(mergeRotationSummaries([part(2, ['b', 'a']), part(1, ['a'])])).toEqual({
      ...counts(3),
      rotationsCompleted: { pickup: 3, grace: 0, expired: 2 },
      pastExpirySlots: ['c1/t/ns/s/k', 'c2/t/ns/s/k'],
      tenants: [
        { tenantId: 'a', ...counts(3), rotationsCompleted: { pickup: 3, grace: 0, expired: 2 } },
        { tenantId: 'b', ...counts(2) },
      ],
    });
  });
});

describe('duplicate names in an audit', () => {
  const delivered = new Set(['dt0c01.S']);
  const isDelivered = (id: string) => delivered.has(id);

  it('older tokens beside the one delivered are a rotation in progress', () => {
    const tokens = [token('dt0c01.P', ago(2 * DAY_MS)), token('dt0c01.S', ago(HOUR_MS))];
    expect(predecessorsInRotation(tokens, isDelivered)).toEqual(new Set(['dt0c01.P']));
  });

  it('a newer token, or one without a creation date, stays unexplained', () => {
    const tokens = [
      token('dt0c01.S', ago(HOUR_MS)),
      token('dt0c01.N', ago(60_000)),
      token('dt0c01.X', undefined),
    ];
    expect(predecessorsInRotation(tokens, isDelivered)).toEqual(new Set());
  });

  it('nothing is explained when none or two of them are delivered', () => {
    const tokens = [token('dt0c01.P', ago(2 * DAY_MS)), token('dt0c01.Q', ago(DAY_MS))];
    expect(predecessorsInRotation(tokens, isDelivered)).toEqual(new Set());
    expect(predecessorsInRotation([...tokens, token('dt0c01.S', ago(HOUR_MS))], () => true)).toEqual(
      new Set(),
    );
  });
});
