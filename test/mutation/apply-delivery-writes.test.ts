/**
 * Idempotent delivery writes: a create that meets an existing object (409) patches it, a patch that meets
 * none (404) creates it, never a duplicate; an answered refusal fails at once, and a write whose answer
 * was lost is read back before its mints are revoked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryObjectWire } from '../../src/clients/api.js';
import { OutcomeUnknownError, RemoteError } from '../../src/errors.js';
import { applyClusterPlan } from '../../src/reconcile/apply.js';
import { parseDelivery } from '../../src/reconcile/delivery.js';
import { DELIVERY_ID } from '../../src/reconcile/naming.js';
import { FakeOcm } from '../reconcile/fakes.js';
import {
  applyWorld,
  CLUSTER_ID,
  deps,
  liveIds,
  mint,
  ocmWrites,
  opsOf,
  plan,
  token,
  type ApplyWorld,
} from './apply-world.js';

let w: ApplyWorld;
beforeEach(() => {
  w = applyWorld();
});

const twoMints = () => [[token('operator', mint()), token('ingest', mint())]];

/** The delivered `<key>Id` values of the cluster's delivery object. */
function deliveredIds(): string[] {
  const wire = w.ocm.deliveries.get(CLUSTER_ID);
  if (!wire) return [];
  return parseDelivery(wire).secrets.flatMap((s) =>
    [...s.data].filter(([k]) => k.endsWith('Id')).map(([, v]) => v.reveal()),
  );
}

function existingDelivery(): void {
  w.ocm.deliveries.set(CLUSTER_ID, { kind: 'SyncSet', id: DELIVERY_ID, items: [] });
}

const remote = (status: number) =>
  new RemoteError({ system: 'ocm', operation: 'write', method: 'POST', path: '/x', status });

/** OCM applies the write, then the answer is replaced by `error` (lost, or a 5xx from a proxy). */
function appliedThen(op: 'createDelivery' | 'patchDelivery', error: Error): void {
  const real = FakeOcm.prototype[op];
  w.ocm[op] = async (clusterId: string, object: DeliveryObjectWire) => {
    await real.call(w.ocm, clusterId, object);
    throw error;
  };
}

describe('idempotent delivery writes (409 → patch, 404 → create, never a duplicate)', () => {
  it('creates a missing delivery object with one create', async () => {
    const result = await applyClusterPlan(plan('create', twoMints()), deps(w));

    expect(result.delivery).toBe('created');
    expect(ocmWrites(w)).toEqual(['createDelivery']);
    expect(deliveredIds().sort()).toEqual(liveIds(w).sort());
  });

  it('patches the object a create finds already there (409)', async () => {
    existingDelivery();

    const result = await applyClusterPlan(plan('create', twoMints()), deps(w));

    expect(result.delivery).toBe('patched');
    expect(result.errors).toEqual([]);
    expect(result.compensated).toBe(0);
    expect(ocmWrites(w)).toEqual(['createDelivery', 'patchDelivery']);
    expect(deliveredIds().sort()).toEqual(liveIds(w).sort());
  });

  it('creates the object a patch finds gone (404)', async () => {
    const result = await applyClusterPlan(plan('patch', twoMints()), deps(w));

    expect(result.delivery).toBe('created');
    expect(result.compensated).toBe(0);
    expect(ocmWrites(w)).toEqual(['patchDelivery', 'createDelivery']);
    expect(deliveredIds().sort()).toEqual(liveIds(w).sort());
  });

  it('patches an existing object with one patch', async () => {
    existingDelivery();

    const result = await applyClusterPlan(plan('patch', twoMints()), deps(w));

    expect(result.delivery).toBe('patched');
    expect(ocmWrites(w)).toEqual(['patchDelivery']);
  });

  it('a create refused with another answer (400) fails at once: no patch, no read-back, mints revoked', async () => {
    w.ocm.failing.createDelivery = 400;

    const result = await applyClusterPlan(plan('create', twoMints()), deps(w, { serviceLogs: false }));

    expect(opsOf(w, 'ocm')).toEqual(['createDelivery']);
    expect(result.delivery).toBe('none');
    expect(result.compensated).toBe(2);
    expect(liveIds(w)).toEqual([]);
  });

  it('a patch refused with another answer (400) fails at once: no create, no read-back, mints revoked', async () => {
    existingDelivery();
    w.ocm.failing.patchDelivery = 400;

    const result = await applyClusterPlan(plan('patch', twoMints()), deps(w, { serviceLogs: false }));

    expect(opsOf(w, 'ocm')).toEqual(['patchDelivery']);
    expect(result.compensated).toBe(2);
    expect(liveIds(w)).toEqual([]);
  });
});

describe('a write whose answer was lost is read back before its mints are revoked', () => {
  it('keeps the mints of a create that was applied although the answer was a 500', async () => {
    appliedThen('createDelivery', remote(500));

    const result = await applyClusterPlan(plan('create', twoMints()), deps(w));

    expect(result.delivery).toBe('created');
    expect(result.errors).toEqual([]);
    expect(result.compensated).toBe(0);
    expect(opsOf(w, 'ocm')).toEqual(['createDelivery', 'getDelivery']);
    expect(deliveredIds().sort()).toEqual(liveIds(w).sort());
    expect(liveIds(w)).toHaveLength(2);
  });

  it('keeps the mints of a patch that was applied although the answer was a 500', async () => {
    existingDelivery();
    appliedThen('patchDelivery', remote(500));

    const result = await applyClusterPlan(plan('patch', twoMints()), deps(w));

    expect(result.delivery).toBe('patched');
    expect(result.compensated).toBe(0);
    expect(liveIds(w)).toHaveLength(2);
  });

  it('keeps the mints of a create whose 201 was unusable (outcome unknown)', async () => {
    appliedThen(
      'createDelivery',
      new OutcomeUnknownError({
        system: 'ocm',
        operation: 'create',
        method: 'POST',
        path: '/x',
        status: 201,
      }),
    );

    const result = await applyClusterPlan(plan('create', twoMints()), deps(w));

    expect(result.delivery).toBe('created');
    expect(result.compensated).toBe(0);
    expect(liveIds(w)).toHaveLength(2);
  });

  it('reads back after an error that is not an answer from OCM, whatever status field it carries', async () => {
    appliedThen('createDelivery', Object.assign(new Error('socket closed by a proxy'), { status: 400 }));

    const result = await applyClusterPlan(plan('create', twoMints()), deps(w));

    expect(opsOf(w, 'ocm')).toEqual(['createDelivery', 'getDelivery']);
    expect(result.delivery).toBe('created');
    expect(result.compensated).toBe(0);
  });

  it('revokes the mints and reports the original error when the read-back finds no object', async () => {
    w.ocm.failing.createDelivery = 503;

    const result = await applyClusterPlan(plan('create', twoMints()), deps(w, { serviceLogs: false }));

    expect(opsOf(w, 'ocm')).toEqual(['createDelivery', 'getDelivery']);
    expect(result.errors).toEqual([
      `SyncSet ${DELIVERY_ID} could not be written: ocm createDelivery (X /createDelivery) failed with HTTP 503`,
    ]);
    expect(result.compensated).toBe(2);
    expect(liveIds(w)).toEqual([]);
  });

  it('revokes every mint when the read-back holds only some of them', async () => {
    // The object read back carries the first Secret only (an older or partial write).
    w.ocm.createDelivery = async (clusterId, object) => {
      w.ocm.deliveries.set(clusterId, { ...object, items: object.items.slice(0, 1) });
      throw remote(502);
    };
    const p = plan('create', [[token('operator', mint())], [token('ingest', mint())]]);

    const result = await applyClusterPlan(p, deps(w, { serviceLogs: false }));

    expect(deliveredIds()).toHaveLength(1);
    expect(result.delivery).toBe('none');
    expect(result.compensated).toBe(2);
    expect(liveIds(w)).toEqual([]);
  });

  it('counts only `<key>Id` entries of the read-back as delivered ids', async () => {
    // The minted id shows up in the object, but under a value key: the cluster does not hold it as delivered.
    w.ocm.createDelivery = async (clusterId, object) => {
      const items = (object.items as { data: Record<string, string> }[]).map((item) => {
        const data = Object.fromEntries(
          Object.entries(item.data).map(([k, v]) => [k.endsWith('Id') ? `${k.slice(0, -2)}Ref` : k, v]),
        );
        return { ...item, data };
      });
      w.ocm.deliveries.set(clusterId, { ...object, items });
      throw remote(502);
    };

    const result = await applyClusterPlan(
      plan('create', [[token('operator', mint())]]),
      deps(w, { serviceLogs: false }),
    );

    expect(result.delivery).toBe('none');
    expect(result.compensated).toBe(1);
    expect(liveIds(w)).toEqual([]);
  });
});
