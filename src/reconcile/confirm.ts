/**
 * Confirm before re-creating. A delivered token id that the tenant's dtp_ listing does not hold is looked
 * up by id: 404 → it is really gone (re-mint); found under a dtp_ name → the listing omitted it, so the
 * listing cannot be trusted and the tenant is unusable this run; found under another name → renamed by
 * hand, still dtp's: it joins the tenant's tokens and the planner renames it back.
 */
import type { DynatraceToken } from '../clients/api.js';
import { mapConcurrent } from '../concurrency.js';
import { describeError } from '../errors.js';
import { TOKEN_PREFIX, tokenIdOf } from './naming.js';
import { desiredSecrets, TenantTokens } from './plan.js';
import type { Observation } from './observe.js';
import type { Resolution } from './resolve.js';
import type { EngineInput } from './result.js';

type Input = Pick<EngineInput, 'dynatrace' | 'concurrency' | 'log'>;

/** Delivered token ids (with a value that belongs to the id) that the listing of their tenant lacks. */
function missingDeliveredIds(
  resolution: Resolution,
  observation: Pick<Observation, 'tokens' | 'deliveries'>,
): Map<string, Set<string>> {
  const missing = new Map<string, Set<string>>();
  for (const { cluster, eligible } of resolution.eligible.values()) {
    const observed = observation.deliveries.get(cluster.id);
    if (!observed) continue;
    for (const want of desiredSecrets(cluster, eligible)) {
      const live = observation.tokens.get(want.tenantId);
      const secret = observed.secrets.find((s) => s.namespace === want.namespace && s.name === want.name);
      if (!live || !secret) continue;
      for (const [key, idValue] of secret.data) {
        if (!key.endsWith('Id') || key.length <= 2) continue;
        const id = idValue.reveal().trim();
        const value = secret.data.get(key.slice(0, -2))?.reveal().trim();
        if (live.has(id) || value === undefined || tokenIdOf(value) !== id) continue;
        const set = missing.get(want.tenantId) ?? new Set<string>();
        set.add(id);
        missing.set(want.tenantId, set);
      }
    }
  }
  return missing;
}

/** Looks the missing ids up; mutates the observation (tenants made unusable, renamed tokens added). */
export async function confirmMissing(
  resolution: Resolution,
  observation: Observation,
  input: Input,
): Promise<void> {
  const missing = missingDeliveredIds(resolution, observation);
  await mapConcurrent([...missing.keys()].sort(), input.concurrency, async (tenantId) => {
    const ids = [...missing.get(tenantId)!].sort();
    const renamed: DynatraceToken[] = [];
    let problem: string | undefined;
    try {
      const dt = await input.dynatrace(tenantId);
      await mapConcurrent(ids, Math.min(8, input.concurrency), async (id) => {
        if (problem) return;
        const found = await dt.getToken(id);
        if (!found) return;
        if (found.name.startsWith(TOKEN_PREFIX)) {
          problem = `the Dynatrace listing of dtp_ tokens omitted delivered token ${id} (${found.name}), which GET /apiTokens/${id} returns: the listing is incomplete`;
        } else renamed.push(found);
      });
    } catch (e) {
      problem = `delivered tokens missing from the listing could not be confirmed: ${describeError(e)}`;
    }
    const report = observation.tenants.find((t) => t.tenantId === tenantId);
    if (problem) {
      observation.tokens.delete(tenantId);
      if (report)
        report.error = `${problem}; nothing is minted, re-minted or revoked in this tenant this run`;
      input.log.warn(`tenant ${tenantId} cannot be used this run: ${problem}`);
      return;
    }
    if (renamed.length > 0) {
      observation.tokens.set(
        tenantId,
        TenantTokens.of([...observation.tokens.get(tenantId)!.values(), ...renamed]),
      );
      input.log.info(
        `tenant ${tenantId}: ${renamed.length} delivered tokens were renamed by hand; dtp names them back`,
      );
    }
  });
}
