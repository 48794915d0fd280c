/**
 * Clusters whose dtp labels were removed are not discovered: they are known only from the names of their
 * tokens. Before those tokens are revoked, the clusters are looked up by external id in every OCM
 * environment so their delivery objects can be removed first.
 */
import type { OcmClient } from '../clients/api.js';
import { describeError } from '../errors.js';
import type { Cluster } from './model.js';

export interface Unlabelled {
  /** Clusters found by external id (any state). */
  found: Cluster[];
  /** External ids that could not be looked up everywhere: their tokens stay this run. */
  unresolved: string[];
  errors: string[];
}

export async function findUnlabelled(
  externalIds: readonly string[],
  ocmByEnv: ReadonlyMap<string, OcmClient>,
): Promise<Unlabelled> {
  const out: Unlabelled = { found: [], unresolved: [], errors: [] };
  if (externalIds.length === 0) return out;
  let failed = false;
  await Promise.all(
    [...ocmByEnv].map(async ([environment, client]) => {
      if (!client.findClusters) return;
      try {
        for (const c of await client.findClusters([...externalIds].sort())) {
          out.found.push({
            ocmEnvironment: environment,
            id: c.id,
            externalId: c.externalId,
            name: c.name,
            organizationId: '',
            subscriptionId: c.subscriptionId,
            hostedControlPlane: c.hostedControlPlane,
            state: c.state,
            managed: c.managed,
            labels: {},
          });
        }
      } catch (error) {
        failed = true;
        out.errors.push(
          `${environment}: looking up clusters without dtp labels failed: ${describeError(error)}`,
        );
      }
    }),
  );
  if (failed) {
    const found = new Set(out.found.map((c) => c.externalId));
    out.unresolved = externalIds.filter((id) => !found.has(id));
  }
  out.found.sort((a, b) => a.id.localeCompare(b.id));
  return out;
}
