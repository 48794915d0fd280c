/**
 * The base branch's plan for the PR plan diff (src/reconcile/baseline.ts): the base configuration planned
 * against the observation the head run made, pure and without a remote call. Its prune half follows the
 * head run's rules: a delivery that was not read protects its cluster's tokens, and a tenant whose re-mints
 * are held is not pruned.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { planBaseline, type BaselineInput } from '../../src/reconcile/baseline.js';
import type { Discovery } from '../../src/reconcile/discover.js';
import type { Cluster, ObservedDelivery } from '../../src/reconcile/model.js';
import type { Observation } from '../../src/reconcile/observe.js';
import type { TenantTokens } from '../../src/reconcile/plan.js';
import {
  cluster,
  config,
  deliveredSecret,
  liveToken,
  observed,
  tenant,
  tokenMap,
  v2,
} from '../reconcile/fixtures.js';
import { INGEST_SCOPES, OPERATOR_SCOPES, TENANT_A, TENANT_B } from '../fixtures/domain.js';

const NOW = new Date('2026-11-22T12:00:00Z');
/** The external id of a cluster no discovery knows (deleted): its tokens are orphans. */
const GONE = '00000000-0000-4000-8000-999999999999';

type Live = ReturnType<typeof liveToken>;

/** The two tokens of cluster `c` in `tenantId`, and the delivery that references them. */
function delivered(c: Cluster, tenantId: string): { tokens: Live[]; delivery: ObservedDelivery } {
  const operator = liveToken('operator', c.externalId, OPERATOR_SCOPES);
  const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES);
  const secret = deliveredSecret(
    'dynatrace-token-dtp',
    'dynatrace',
    `https://${tenantId}.live.dynatrace.com/api`,
    {
      apiToken: operator,
      dataIngestToken: ingest,
    },
  );
  return { tokens: [operator, ingest], delivery: observed(secret) };
}

function discovery(clusters: Cluster[]): Discovery {
  return { ocmEnvironment: 'production', clusters, skipped: [], subscriptionsWithoutCluster: 0, labels: 0 };
}

function observation(
  tokens: Record<string, Live[]>,
  deliveries: [Cluster, ObservedDelivery | undefined][],
): Observation {
  const listed = new Map<string, TenantTokens>(
    Object.entries(tokens).map(([t, list]) => [t, tokenMap(...list)]),
  );
  return { tokens: listed, tenants: [], deliveries: new Map(deliveries.map(([c, d]) => [c.id, d])) };
}

function input(
  clusters: Cluster[],
  obs: Observation,
  overrides: Partial<BaselineInput> & { config?: Config } = {},
): BaselineInput {
  return {
    discoveries: [discovery(clusters)],
    observation: obs,
    config: config(),
    inShard: () => true,
    discoveryComplete: true,
    prune: 'true',
    now: () => NOW,
    ...overrides,
  };
}

const NOTHING_PRUNED = { planned: [], revoked: 0, errors: [], held: [], unbound: [] };

let synced: Cluster;
let fresh: Cluster;

beforeEach(() => {
  synced = cluster(v2(TENANT_A));
  fresh = cluster(v2(TENANT_A));
});

describe('base plan', () => {
  it('plans each cluster under the base configuration: in sync is unchanged, a missing delivery is planned', () => {
    const onB = cluster(v2(TENANT_B));
    const a = delivered(synced, TENANT_A);
    const obs = observation({ [TENANT_A]: a.tokens }, [
      [synced, a.delivery],
      [fresh, undefined],
    ]);
    // The base branch does not know tenant B yet: its binding is a denial there, whatever the head says.
    const base = config({ tenants: [tenant(TENANT_A)] });
    const result = planBaseline(input([synced, fresh, onB], obs, { config: base }));

    const byName = new Map(result.clusters.map((r) => [r.cluster.name, r]));
    expect(byName.get(synced.name)!.status).toBe('unchanged');
    expect(byName.get(fresh.name)!.status).toBe('planned');
    expect(byName.get(fresh.name)!.plan?.delivery).not.toBe('none');
    expect(byName.get(onB.name)!.status).toBe('denied');
    expect(result.skipped).toEqual([]);
    expect(result.remintHeld).toEqual([]);
  });

  it('does not prune the tokens of a cluster the base configuration still binds to their tenant', () => {
    const a = delivered(synced, TENANT_A);
    const obs = observation({ [TENANT_A]: a.tokens }, [[synced, a.delivery]]);
    expect(planBaseline(input([synced], obs)).orphans).toEqual(NOTHING_PRUNED);
  });

  it('plans a revoke of the tokens a read cluster has in a tenant the base configuration does not bind', () => {
    const a = delivered(synced, TENANT_A);
    const stray = liveToken('operator', synced.externalId, OPERATOR_SCOPES);
    const obs = observation({ [TENANT_A]: a.tokens, [TENANT_B]: [stray] }, [[synced, a.delivery]]);
    expect(planBaseline(input([synced], obs)).orphans).toEqual({
      planned: [{ tenantId: TENANT_B, id: stray.id, name: stray.name, reason: 'binding-removed' }],
      revoked: 0,
      errors: [],
      held: [],
      unbound: [],
    });
  });

  it('leaves every token of a cluster whose delivery was not read, as the head run does', () => {
    const a = delivered(synced, TENANT_A);
    const stray = liveToken('operator', synced.externalId, OPERATOR_SCOPES);
    const obs = observation({ [TENANT_A]: a.tokens, [TENANT_B]: [stray] }, []);
    const result = planBaseline(input([synced], obs));
    expect(result.orphans).toEqual(NOTHING_PRUNED);
    expect(result.clusters.map((r) => r.status)).toEqual(['unchanged']);
  });
});

describe('base plan and the re-mint guard', () => {
  /** Six clusters whose delivered tokens are gone from tenant A (12 re-mints: held), and one orphan there. */
  function remintStorm() {
    const clusters = Array.from({ length: 6 }, () => cluster(v2(TENANT_A)));
    const orphan = liveToken('operator', GONE, OPERATOR_SCOPES);
    const obs = observation(
      { [TENANT_A]: [orphan] },
      clusters.map((c) => [c, delivered(c, TENANT_A).delivery]),
    );
    return { clusters, orphan, obs };
  }

  it('does not prune a tenant whose re-mints are held', () => {
    const { clusters, obs } = remintStorm();
    const result = planBaseline(input(clusters, obs, { remint: 'true' }));
    expect(result.remintHeld).toEqual([
      expect.objectContaining({ tenantId: TENANT_A, count: 12, delivered: 12 }),
    ]);
    expect(result.orphans).toEqual(NOTHING_PRUNED);
  });

  it('passes the head run’s remint setting: forced, nothing is held and the orphan is planned', () => {
    const { clusters, orphan, obs } = remintStorm();
    const result = planBaseline(input(clusters, obs, { remint: 'force' }));
    expect(result.remintHeld).toEqual([]);
    expect(result.orphans.planned).toEqual([
      { tenantId: TENANT_A, id: orphan.id, name: orphan.name, reason: 'orphan' },
    ]);
  });
});
