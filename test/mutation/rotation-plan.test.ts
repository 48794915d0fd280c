/**
 * Rotation over a whole run (src/reconcile/rotation-plan.ts): which token a slot has delivered is read from
 * that slot's own Secret, the budget's base is every live delivered token of every cluster, each cluster's
 * planner gets all of its slots, and the summary (report, metrics) splits the counts by tenant.
 */
import { describe, expect, it } from 'vitest';
import type { DynatraceToken } from '../../src/clients/api.js';
import { DAY_MS, HOUR_MS } from '../../src/config/duration.js';
import type { TokenSpec } from '../../src/config/types.js';
import type { DeliveredSecret } from '../../src/reconcile/model.js';
import { desiredSecrets, TenantTokens } from '../../src/reconcile/plan.js';
import {
  mergeRotationSummaries,
  planRotations,
  rotationSummary,
  slotKey,
  type ClusterObservation,
  type RotationRun,
  type RotationSummary,
} from '../../src/reconcile/rotation-plan.js';
import {
  countRotations,
  type RotationBudgetSetting,
  type RotationCounts,
  type SlotDecision,
} from '../../src/reconcile/rotation.js';
import { Secret } from '../../src/secret.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';
import {
  cluster,
  defaultSpec,
  deliveredSecret,
  INGEST_SCOPES,
  liveToken,
  observed,
  OPERATOR_SCOPES,
  v2,
} from '../reconcile/fixtures.js';
import { API_URL, eligible, NOW, NS, SECRET, TENANT } from './plan-builders.js';

const CLOCK = { now: NOW, runIntervalMs: 2 * HOUR_MS };
/** maxAge 90d → rotateAfter 60d, grace 24h. */
const LIFETIME = { maxAgeMs: 90 * DAY_MS, rotateAfterMs: 60 * DAY_MS, rotationGraceMs: 24 * HOUR_MS };
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const ahead = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
/** Older than rotateAfter, far from its expiry: due as `aged`. */
const AGED = { creationDate: ago(61 * DAY_MS), expirationDate: ahead(29 * DAY_MS) };

function lifetimeSpec(entries: string[] = ['operator']): TokenSpec {
  const spec = defaultSpec();
  for (const t of spec.secrets[0]!.tokens) if (entries.includes(t.name)) t.lifetime = LIFETIME;
  return spec;
}

/** A cluster of TENANT whose operator and ingest tokens are both aged; the test says what its Secrets hold. */
function agedCluster(spec: TokenSpec = lifetimeSpec()) {
  const c = cluster(v2(TENANT));
  const operator = liveToken('operator', c.externalId, OPERATOR_SCOPES, AGED);
  const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES, AGED);
  const desired = desiredSecrets(c, [eligible(spec)]);
  const at = (secrets: DeliveredSecret[]): ClusterObservation => ({
    cluster: c,
    desired,
    observed: observed(...secrets),
  });
  return {
    c,
    operator,
    ingest,
    key: (k: string) => slotKey(c.id, desired[0]!, k),
    /** The Secret as dtp delivers it, holding both tokens. */
    both: () => at([deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest })]),
    at,
  };
}

const plan = (
  clusters: ClusterObservation[],
  live: DynatraceToken[],
  budget: RotationBudgetSetting = { percent: 5 },
): RotationRun =>
  planRotations(clusters, new Map([[TENANT, TenantTokens.of(live)]]), { clock: CLOCK, budget });

describe('the slots of a cluster', () => {
  it("the delivered id is read from the slot's own Secret, not from another Secret of the same delivery", () => {
    const a = agedCluster();
    const foreign: DeliveredSecret = {
      namespace: 'other',
      name: SECRET,
      data: new Map([['apiUrl', Secret.plain(API_URL)]]),
    };
    const own = deliveredSecret(SECRET, NS, API_URL, { apiToken: a.operator, dataIngestToken: a.ingest });
    const run = plan([a.at([foreign, own])], [a.operator, a.ingest]);
    expect([...run.admitted]).toEqual([a.key('apiToken')]);
  });

  it('a delivered id with whitespace around it still names the delivered token', () => {
    const a = agedCluster();
    const padded: DeliveredSecret = {
      namespace: NS,
      name: SECRET,
      data: new Map([
        ['apiToken', new Secret(a.operator.value)],
        ['apiTokenId', Secret.plain(` ${a.operator.id}\n`)],
      ]),
    };
    const run = plan([a.at([padded])], [a.operator]);
    expect(run.decisions[0]!.due).toEqual({ urgency: 'aged', expiresAt: AGED.expirationDate });
    expect([...run.admitted]).toEqual([a.key('apiToken')]);
  });

  it('a Secret without the id of one of its keys leaves that key undelivered and the other slots decided', () => {
    const a = agedCluster(lifetimeSpec(['operator', 'ingest']));
    const operatorOnly = deliveredSecret(SECRET, NS, API_URL, { apiToken: a.operator });
    const run = plan([a.at([operatorOnly])], [a.operator, a.ingest], { count: 5 });
    expect(run.decisions.map((d) => [d.key, d.due?.urgency])).toEqual([
      [a.key('apiToken'), 'aged'],
      [a.key('dataIngestToken'), undefined],
    ]);
    expect([...run.admitted]).toEqual([a.key('apiToken')]);
  });

  it('every slot of one cluster reaches that cluster’s planner, not only the last one decided', () => {
    const a = agedCluster(lifetimeSpec(['operator', 'ingest']));
    const run = plan([a.both()], [a.operator, a.ingest], { count: 2 });
    expect(run.byCluster).toEqual(
      new Map([
        [
          a.c.id,
          {
            rotate: new Set([a.key('apiToken'), a.key('dataIngestToken')]),
            keep: new Set(),
            retire: new Map(),
          },
        ],
      ]),
    );
  });
});

describe("the budget's base: the live delivered tokens of every cluster", () => {
  it('two clusters delivering two live tokens each are 4 tokens: 50 % admits both due slots', () => {
    const a = agedCluster();
    const b = agedCluster();
    const run = plan([a.both(), b.both()], [a.operator, a.ingest, b.operator, b.ingest], { percent: 50 });
    expect([...run.admitted]).toEqual([a.key('apiToken'), b.key('apiToken')]);
    expect(run.deferred).toEqual([]);
  });

  it('a delivered id that is no longer live is not counted: 2 live tokens, 50 % admits one', () => {
    const a = agedCluster();
    const b = agedCluster();
    const run = plan([a.both(), b.both()], [a.operator, b.operator], { percent: 50 });
    expect([...run.admitted]).toEqual([a.key('apiToken')]);
    expect(run.deferred.map((d) => d.key)).toEqual([b.key('apiToken')]);
  });
});

describe('the rotation summary', () => {
  const decision = (key: string, tenantId: string, more: Partial<SlotDecision> = {}): SlotDecision => ({
    key,
    tenantId,
    retire: [],
    waiting: [],
    ...more,
  });
  const counts = (c: Partial<RotationCounts> = {}): RotationCounts => ({
    expiringSoon: 0,
    pastExpiry: 0,
    rotationsStarted: 0,
    rotationsDeferred: 0,
    waitingForPickup: 0,
    ...c,
    rotationsCompleted: { pickup: 0, grace: 0, expired: 0, ...c.rotationsCompleted },
  });

  it('lists the expired slots and splits every count by tenant, sorted by tenant id', () => {
    const bAged1 = decision('c1/b/k1', TENANT_B, { due: { urgency: 'aged' } });
    const bAged2 = decision('c1/b/k2', TENANT_B, { due: { urgency: 'aged' } });
    const bDead = decision('c1/b/k3', TENANT_B, { due: { urgency: 'expired' } });
    const aSoon = decision('c2/a/k1', TENANT_A, { due: { urgency: 'expiring' } });
    const aAged = decision('c2/a/k2', TENANT_A, { due: { urgency: 'aged' } });
    const aDone = decision('c2/a/k3', TENANT_A, {
      retire: [{ id: 'dt0c01.G', name: 'n', proof: 'grace' }],
      waiting: [{ id: 'dt0c01.W', name: 'n', deliveredAt: ago(HOUR_MS), graceEndsAt: ahead(HOUR_MS) }],
    });
    // Tenant B first, so an unsorted summary shows.
    const decisions = [bAged1, bAged2, bDead, aSoon, aAged, aDone];
    const selection = { admitted: new Set([bAged1.key, bAged2.key, aSoon.key]), deferred: [aAged] };
    const run: RotationRun = {
      byCluster: new Map(),
      decisions,
      ...selection,
      counts: countRotations(decisions, selection),
    };

    expect(rotationSummary(run)).toStrictEqual({
      ...counts({
        expiringSoon: 1,
        pastExpiry: 1,
        rotationsStarted: 3,
        rotationsDeferred: 1,
        waitingForPickup: 1,
        rotationsCompleted: { pickup: 0, grace: 1, expired: 0 },
      }),
      pastExpirySlots: ['c1/b/k3'],
      tenants: [
        {
          tenantId: TENANT_A,
          ...counts({
            expiringSoon: 1,
            rotationsStarted: 1,
            rotationsDeferred: 1,
            waitingForPickup: 1,
            rotationsCompleted: { pickup: 0, grace: 1, expired: 0 },
          }),
        },
        { tenantId: TENANT_B, ...counts({ pastExpiry: 1, rotationsStarted: 2 }) },
      ],
    } satisfies RotationSummary);
  });

  it('summaries of shards add up every proof, grace included', () => {
    const part = (grace: number): RotationSummary => {
      const c = counts({ rotationsCompleted: { pickup: 0, grace, expired: 0 } });
      return { ...c, pastExpirySlots: [], tenants: [{ tenantId: TENANT_A, ...c }] };
    };
    const merged = mergeRotationSummaries([part(2), part(1)]);
    expect(merged.rotationsCompleted.grace).toBe(3);
    expect(merged.tenants[0]!.rotationsCompleted.grace).toBe(3);
  });
});
