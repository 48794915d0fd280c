/** The prune stage's safety rules: which tokens it may revoke this run, and what it reports when it may not. */
import { beforeEach, describe, expect, it } from 'vitest';
import { describeError, RemoteError } from '../../src/errors.js';
import { Shutdown } from '../../src/shutdown.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';
import {
  liveIds,
  markEligible,
  mintFor,
  ocmCluster,
  pruneWorld,
  runPrune,
  writes,
  type PruneWorld,
} from './prune-world.js';

let w: PruneWorld;
beforeEach(() => {
  w = pruneWorld();
});

describe('prune: which tokens may go', () => {
  it('revokes a token of a cluster that is gone when discovery was complete, and reports no errors', async () => {
    const gone = await mintFor(w, TENANT_A, 9);
    const result = await runPrune(w);
    expect(result.planned.map((r) => [r.id, r.reason])).toEqual([[gone, 'orphan']]);
    expect(result.revoked).toBe(1);
    expect(result.errors).toEqual([]);
    expect(result.held).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([]);
  });

  it('no prune on incomplete discovery: a token of an unknown cluster stays', async () => {
    const gone = await mintFor(w, TENANT_A, 9);
    w.discoveryComplete = false;
    const result = await runPrune(w);
    expect(result.planned).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([gone]);
  });

  it('failed clusters protected: tokens of a cluster that failed this run are not pruned', async () => {
    const failed = ocmCluster('c-failed', 5);
    markEligible(w, failed, [], 'failed');
    const kept = await mintFor(w, TENANT_A, 5);
    const result = await runPrune(w);
    expect(result.planned).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([kept]);
  });

  it('a cluster that did not fail loses the tokens of a tenant it is no longer bound to', async () => {
    const fine = ocmCluster('c-fine', 5);
    markEligible(w, fine, [TENANT_B], 'changed');
    const stale = await mintFor(w, TENANT_A, 5);
    const result = await runPrune(w);
    expect(result.planned.map((r) => [r.id, r.reason])).toEqual([[stale, 'binding-removed']]);
  });

  it('tokens of a tenant whose re-mints were held are not pruned; other tenants still are', async () => {
    const heldToken = await mintFor(w, TENANT_A, 9);
    const other = await mintFor(w, TENANT_B, 8);
    w.heldTenants.add(TENANT_A);
    const result = await runPrune(w);
    expect(result.planned.map((r) => r.id)).toEqual([other]);
    expect(liveIds(w, TENANT_A)).toEqual([heldToken]);
    expect(liveIds(w, TENANT_B)).toEqual([]);
  });

  it('a prune held by the blast-radius guard is logged with its count, total and reason', async () => {
    for (let n = 1; n <= 11; n++) await mintFor(w, TENANT_A, n);
    const result = await runPrune(w);
    expect(result.planned).toEqual([]);
    expect(result.held).toEqual([expect.objectContaining({ tenantId: TENANT_A, count: 11, total: 11 })]);
    expect(w.logs).toEqual([
      `tenant ${TENANT_A}: 11 of 11 dtp_ tokens have no cluster; not revoked: more than 50% of the tenant's dtp_ tokens; set prune to force if intended`,
    ]);
    expect(liveIds(w, TENANT_A)).toHaveLength(11);
  });
});

describe('prune: when it revokes', () => {
  it('plan mode plans the revokes and revokes nothing', async () => {
    const gone = await mintFor(w, TENANT_A, 9);
    const result = await runPrune(w, { mode: 'plan' });
    expect(result.planned.map((r) => r.id)).toEqual([gone]);
    expect(result.revoked).toBe(0);
    expect(writes(w)).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([gone]);
  });

  it('after a stop request no further token is revoked', async () => {
    const gone = await mintFor(w, TENANT_A, 9);
    const stop = new Shutdown();
    // Set directly: request() would also start the grace timer, which this test does not need.
    stop.signal = 'SIGTERM';
    const result = await runPrune(w, { stop });
    expect(result.planned.map((r) => r.id)).toEqual([gone]);
    expect(result.revoked).toBe(0);
    expect(writes(w)).toEqual([]);
    expect(liveIds(w, TENANT_A)).toEqual([gone]);
  });

  it('a failed revoke is reported for that token and the others still go', async () => {
    const a = await mintFor(w, TENANT_A, 9);
    const b = await mintFor(w, TENANT_B, 8);
    w.dt.get(TENANT_A)!.failing.deleteToken = 500;
    const result = await runPrune(w);
    const refused = new RemoteError({
      system: 'dynatrace',
      operation: 'deleteToken',
      method: 'X',
      path: '/deleteToken',
      status: 500,
    });
    expect(result.errors).toEqual([`token ${a} of tenant ${TENANT_A}: ${describeError(refused)}`]);
    expect(result.revoked).toBe(1);
    expect(liveIds(w, TENANT_B)).not.toContain(b);
  });
});
