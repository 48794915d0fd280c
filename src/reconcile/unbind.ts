/**
 * A cluster that lost every binding (organization no longer allowed, token spec or tenant removed) is
 * cleaned in order: its delivery object goes first (or, when it holds objects dtp did not write, only the
 * Secrets are patched out), the removal is confirmed by reading it back, and only then are its tokens
 * revoked — so the cluster never holds a Secret whose token is already gone.
 */
import type { DeliveryObjectWire, OcmClient } from '../clients/api.js';
import { RemoteError } from '../errors.js';
import { deliveryKindOf, type Cluster } from './model.js';
import { DELIVERY_ID } from './naming.js';

const isSecret = (item: unknown) => (item as { kind?: unknown } | null)?.kind === 'Secret';

export async function removeDelivery(
  cluster: Cluster,
  ocm: OcmClient,
): Promise<'deleted' | 'patched' | 'absent'> {
  const kind = deliveryKindOf(cluster);
  const wire = await ocm.getDelivery(cluster.id, kind, DELIVERY_ID);
  if (!wire || !wire.items.some(isSecret)) return 'absent';
  const others = wire.items.filter((item) => !isSecret(item));
  if (others.length === 0) {
    try {
      await ocm.deleteDelivery(cluster.id, kind, DELIVERY_ID);
    } catch (error) {
      if (!(error instanceof RemoteError && error.isNotFound)) throw error;
    }
  } else {
    const patched: DeliveryObjectWire = { kind, id: DELIVERY_ID, items: others };
    await ocm.patchDelivery(cluster.id, patched);
  }
  const back = await ocm.getDelivery(cluster.id, kind, DELIVERY_ID);
  if (back?.items.some(isSecret)) {
    throw new Error(`${kind} ${DELIVERY_ID} still holds Secrets after it was removed; its tokens are kept`);
  }
  return others.length === 0 ? 'deleted' : 'patched';
}
