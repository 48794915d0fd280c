/**
 * removeDelivery on its own: only dtp's Secrets leave the cluster (the whole object when it holds nothing
 * else), and the removal counts only once a read-back shows no Secret; otherwise it throws and the caller
 * keeps the tokens.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { RemoteError } from '../../src/errors.js';
import { removeDelivery } from '../../src/reconcile/unbind.js';
import { FakeOcm, type Call } from '../reconcile/fakes.js';
import { ocmCluster, SECRET_ITEM } from './prune-world.js';

const ID = 'ext-dynatrace-tokens-dtp';
const CONFIG_MAP = { kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'dynatrace' } };
const u = ocmCluster('u1', 1);
const notFound = () =>
  new RemoteError({ system: 'ocm', operation: 'delete SyncSet', method: 'DELETE', path: '/x', status: 404 });

let calls: Call[];
let ocm: FakeOcm;
beforeEach(() => {
  calls = [];
  ocm = new FakeOcm('production', calls);
});
const ops = () => calls.map((c) => c.op);

describe('unbind: nothing to remove', () => {
  it('a cluster without a delivery object is absent, and nothing is written', async () => {
    expect(await removeDelivery(u, ocm)).toBe('absent');
    expect(ops()).toEqual(['getDelivery']);
  });

  it('a delivery object holding no Secret is absent, and is left as it is', async () => {
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: ID, items: [CONFIG_MAP] });
    expect(await removeDelivery(u, ocm)).toBe('absent');
    expect(ops()).toEqual(['getDelivery']);
    expect(ocm.deliveries.get('u1')!.items).toEqual([CONFIG_MAP]);
  });
});

describe('unbind: delete, confirmed', () => {
  it('a delete OCM refuses propagates, and the removal is not confirmed', async () => {
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: ID, items: [SECRET_ITEM] });
    ocm.failing.deleteDelivery = 500;
    const error = await removeDelivery(u, ocm).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).status).toBe(500);
    expect(ops()).toEqual(['getDelivery', 'deleteDelivery']);
  });

  it('a delete answered 404 (already gone) counts as deleted once the read-back confirms it', async () => {
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: ID, items: [SECRET_ITEM] });
    ocm.deleteDelivery = async (clusterId) => {
      calls.push({ system: 'ocm', op: 'deleteDelivery', target: clusterId });
      ocm.deliveries.delete(clusterId);
      throw notFound();
    };
    expect(await removeDelivery(u, ocm)).toBe('deleted');
    expect(ops()).toEqual(['getDelivery', 'deleteDelivery', 'getDelivery']);
  });

  it('a delete answered 404 that left the Secrets in place is not confirmed', async () => {
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: ID, items: [SECRET_ITEM] });
    ocm.deleteDelivery = async () => {
      throw notFound();
    };
    await expect(removeDelivery(u, ocm)).rejects.toThrow(
      `SyncSet ${ID} still holds Secrets after it was removed`,
    );
  });
});

describe("unbind: only dtp's own Secrets patched out", () => {
  it('other objects stay; the Secrets go', async () => {
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: ID, items: [CONFIG_MAP, SECRET_ITEM] });
    expect(await removeDelivery(u, ocm)).toBe('patched');
    expect(ocm.deliveries.get('u1')).toEqual({ kind: 'SyncSet', id: ID, items: [CONFIG_MAP] });
    expect(ops()).toEqual(['getDelivery', 'patchDelivery', 'getDelivery']);
  });

  it('a patch whose read-back still shows a Secret beside other objects is not confirmed', async () => {
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: ID, items: [CONFIG_MAP, SECRET_ITEM] });
    ocm.patchDelivery = async () => {};
    await expect(removeDelivery(u, ocm)).rejects.toThrow(
      `SyncSet ${ID} still holds Secrets after it was removed`,
    );
  });

  it('an empty item (null) is kept as one of the other objects, never read as a Secret', async () => {
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: ID, items: [SECRET_ITEM, null] });
    expect(await removeDelivery(u, ocm)).toBe('patched');
    expect(ocm.deliveries.get('u1')!.items).toEqual([null]);
  });
});
