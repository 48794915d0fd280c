/**
 * The resolve stage (src/reconcile/resolve.ts): a shard reports only its own clusters, skipped ones included,
 * and a cluster's status before planning says whether any binding of it was allowed.
 */
import { describe, expect, it } from 'vitest';
import type { Discovery } from '../../src/reconcile/discover.js';
import { clusterRef } from '../../src/reconcile/model.js';
import { resolveFleet } from '../../src/reconcile/resolve.js';
import { TENANT_A } from '../fixtures/domain.js';
import { cluster, config, ORG_FOREIGN, v2 } from '../reconcile/fixtures.js';

function discovery(parts: Partial<Discovery>): Discovery {
  return {
    ocmEnvironment: 'production',
    clusters: [],
    skipped: [],
    subscriptionsWithoutCluster: 0,
    labels: 0,
    ...parts,
  };
}

describe('resolveFleet', () => {
  it('reports only the skipped clusters of its own shard, and protects every skipped cluster', () => {
    const mine = cluster(v2(TENANT_A), { state: 'installing' });
    const theirs = cluster(v2(TENANT_A), { state: 'hibernating' });
    const found = discovery({
      skipped: [
        { cluster: mine, reason: 'cluster is installing, not ready' },
        { cluster: theirs, reason: 'cluster is hibernating, not ready' },
      ],
    });
    const r = resolveFleet([found], config(), (externalId) => externalId === mine.externalId);
    expect(r.skipped).toStrictEqual([
      { cluster: clusterRef(mine), reason: 'cluster is installing, not ready' },
    ]);
    expect([...r.protectedClusters]).toStrictEqual([mine.externalId, theirs.externalId]);
  });

  it('marks a cluster with an allowed binding unchanged and one without denied', () => {
    const bound = cluster(v2(TENANT_A));
    const foreign = cluster(v2(TENANT_A), { organizationId: ORG_FOREIGN });
    const r = resolveFleet([discovery({ clusters: [bound, foreign] })], config(), () => true);
    expect(r.clusters.map((c) => [c.cluster.id, c.status])).toStrictEqual([
      [bound.id, 'unchanged'],
      [foreign.id, 'denied'],
    ]);
  });
});
