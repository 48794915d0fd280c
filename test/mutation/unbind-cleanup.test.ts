/**
 * A cluster that lost every binding, as the prune stage cleans it: delivery object removed and confirmed
 * before any of its tokens is revoked; kept (tokens too) whenever that cannot be done safely.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { describeError, RemoteError } from '../../src/errors.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';
import {
  deliverTo,
  liveIds,
  markUnbound,
  mintFor,
  ocmCluster,
  ops,
  pruneWorld,
  runPrune,
  writes,
  type PruneWorld,
} from './prune-world.js';

let w: PruneWorld;
beforeEach(() => {
  w = pruneWorld();
});

const ref = (c: ReturnType<typeof ocmCluster>) => ({
  ocmEnvironment: c.ocmEnvironment,
  id: c.id,
  externalId: c.externalId,
  name: c.name,
  organizationId: c.organizationId,
});

describe('unbind order', () => {
  it('delivery removed and confirmed before any revoke', async () => {
    const u = ocmCluster('u1', 7);
    markUnbound(w, u);
    deliverTo(w, u);
    const token = await mintFor(w, TENANT_A, 7);
    const result = await runPrune(w);
    expect(ops(w)).toEqual([
      'getDelivery u1',
      'deleteDelivery u1',
      'getDelivery u1',
      `deleteToken ${TENANT_A}/${token}`,
    ]);
    expect(result.unbound).toEqual([{ cluster: ref(u), delivery: 'deleted', tokens: 1 }]);
    expect(result.revoked).toBe(1);
  });

  it('a cluster found only by external id (labels removed) has its delivery removed before its tokens go', async () => {
    w.ocm.addCluster({ id: 'u9', externalId: 'ext-unlabelled', org: 'org-1', labels: {} });
    w.ocm.deliveries.set('u9', {
      kind: 'SyncSet',
      id: 'ext-dynatrace-tokens-dtp',
      items: [{ kind: 'Secret' }],
    });
    const token = (
      await w.dt.get(TENANT_A)!.createToken({ name: 'dtp_operator_ext-unlabelled_0123456789ab', scopes: [] })
    ).id;
    const result = await runPrune(w);
    expect(ops(w)).toEqual([
      'findClusters ',
      'getDelivery u9',
      'deleteDelivery u9',
      'getDelivery u9',
      `deleteToken ${TENANT_A}/${token}`,
    ]);
    expect(result.unbound.map((u) => [u.cluster.id, u.cluster.organizationId, u.delivery])).toEqual([
      ['u9', '', 'deleted'],
    ]);
  });

  it('plan mode only plans the removal of an unbound cluster’s delivery and writes nothing', async () => {
    const u = ocmCluster('u1', 7);
    markUnbound(w, u);
    deliverTo(w, u);
    const token = await mintFor(w, TENANT_A, 7);
    const result = await runPrune(w, { mode: 'plan' });
    expect(result.unbound).toEqual([{ cluster: ref(u), delivery: 'planned', tokens: 1 }]);
    expect(result.planned.map((r) => r.id)).toEqual([token]);
    expect(ops(w)).toEqual([]);
    expect(w.logs).toEqual([]);
  });

  it('an unbound cluster with tokens in a held tenant keeps its delivery and every token', async () => {
    const u = ocmCluster('u1', 7);
    markUnbound(w, u);
    deliverTo(w, u);
    const a = await mintFor(w, TENANT_A, 7);
    const b = await mintFor(w, TENANT_B, 7);
    w.heldTenants.add(TENANT_B);
    const result = await runPrune(w);
    const error = 'some of its tokens are held back or in a tenant not usable this run';
    expect(result.unbound).toEqual([{ cluster: ref(u), delivery: 'kept', tokens: 1, error }]);
    expect(result.planned).toEqual([]);
    expect(writes(w)).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([a]);
    expect(liveIds(w, TENANT_B)).toEqual([b]);
    expect(w.logs).toEqual([`production/name-u1: lost its bindings; delivery and tokens kept: ${error}`]);
  });

  it('a delivery removal OCM refuses keeps the cluster’s tokens', async () => {
    const u = ocmCluster('u1', 7);
    markUnbound(w, u);
    deliverTo(w, u);
    const token = await mintFor(w, TENANT_A, 7);
    w.ocm.failing.deleteDelivery = 500;
    const result = await runPrune(w);
    const refused = new RemoteError({
      system: 'ocm',
      operation: 'deleteDelivery',
      method: 'X',
      path: '/deleteDelivery',
      status: 500,
    });
    expect(result.unbound).toEqual([
      { cluster: ref(u), delivery: 'kept', tokens: 1, error: describeError(refused) },
    ]);
    expect(result.planned).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([token]);
  });

  it('a failed lookup of clusters without labels is logged and their tokens stay', async () => {
    const token = await mintFor(w, TENANT_A, 9);
    w.ocm.failing.findClusters = 503;
    const result = await runPrune(w);
    const refused = new RemoteError({
      system: 'ocm',
      operation: 'findClusters',
      method: 'X',
      path: '/findClusters',
      status: 503,
    });
    expect(w.logs).toEqual([
      `production: looking up clusters without dtp labels failed: ${describeError(refused)}`,
    ]);
    expect(result.planned).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([token]);
  });

  it('unbound clusters are reported in order of OCM id', async () => {
    for (const [id, n] of [
      ['u3', 3],
      ['u1', 1],
      ['u2', 2],
    ] as const) {
      const c = ocmCluster(id, n);
      markUnbound(w, c);
      deliverTo(w, c);
      await mintFor(w, TENANT_A, n);
    }
    const result = await runPrune(w, { mode: 'plan' });
    expect(result.unbound.map((u) => u.cluster.id)).toEqual(['u1', 'u2', 'u3']);
  });
});
