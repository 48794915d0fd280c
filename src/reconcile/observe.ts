/**
 * Stage 3, observe: the dtp_ tokens of every tenant a cluster of this shard is bound to, and the delivery
 * object of every eligible cluster. A delivered token id missing from its tenant's listing is confirmed
 * with a GET before anything is re-minted (see confirm.ts).
 */
import type { OcmClient } from '../clients/api.js';
import { mapConcurrent } from '../concurrency.js';
import { describeError, StartupError } from '../errors.js';
import { confirmMissing } from './confirm.js';
import { parseDelivery } from './delivery.js';
import type { ObservedDelivery } from './model.js';
import { DELIVERY_ID, TOKEN_PREFIX } from './naming.js';
import { TenantTokens } from './plan.js';
import type { Resolution } from './resolve.js';
import type { EngineInput, TenantReport } from './result.js';

export interface Observation {
  /** Live dtp_ tokens of the tenants usable this run (plus delivered tokens confirmed by GET). */
  tokens: Map<string, TenantTokens>;
  tenants: TenantReport[];
  /** The delivery object of each eligible cluster read (undefined: none exists). */
  deliveries: Map<string, ObservedDelivery | undefined>;
}

type Input = Pick<EngineInput, 'config' | 'dynatrace' | 'concurrency' | 'log' | 'stop'>;

export async function listTenants(
  needed: readonly string[],
  input: Input,
): Promise<Pick<Observation, 'tokens' | 'tenants'>> {
  const tokens = new Map<string, TenantTokens>();
  const tenants: TenantReport[] = [];
  await mapConcurrent(needed, input.concurrency, async (tenantId) => {
    const name = input.config.tenants.get(tenantId)?.name ?? tenantId;
    try {
      const dt = await input.dynatrace(tenantId);
      const listed = await dt.listTokens(TOKEN_PREFIX);
      tokens.set(tenantId, TenantTokens.of(listed));
      tenants.push({ tenantId, name, tokens: listed.length });
    } catch (e) {
      const message = describeError(e);
      tenants.push({ tenantId, name, tokens: 0, error: message });
      input.log.warn(`tenant ${tenantId} (${name}) cannot be used this run: ${message}`);
    }
  });
  tenants.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  if (needed.length > 0 && tokens.size === 0) {
    throw new StartupError(
      `no Dynatrace tenant could be read: ${tenants.map((t) => `${t.tenantId}: ${t.error}`).join('; ')}`,
      'Check the bootstrap tokens in Vault (they need apiTokens.read and apiTokens.write) and the dynatrace-url override.',
    );
  }
  return { tokens, tenants };
}

/** Reads the delivery objects; a cluster whose object cannot be read fails (and is protected from prune). */
export async function readDeliveries(
  resolution: Resolution,
  ocmByEnv: ReadonlyMap<string, OcmClient>,
  input: Input,
): Promise<Map<string, ObservedDelivery | undefined>> {
  const deliveries = new Map<string, ObservedDelivery | undefined>();
  await mapConcurrent([...resolution.eligible.values()], input.concurrency, async (e) => {
    if (input.stop?.requested) return;
    const { cluster, report } = e;
    try {
      const wire = await ocmByEnv
        .get(cluster.ocmEnvironment)!
        .getDelivery(cluster.id, report.kind, DELIVERY_ID);
      deliveries.set(cluster.id, wire ? parseDelivery(wire) : undefined);
    } catch (error) {
      report.status = 'failed';
      report.errors.push(`reading ${report.kind} ${DELIVERY_ID} failed: ${describeError(error)}`);
    }
  });
  return deliveries;
}

export async function observe(
  resolution: Resolution,
  ocmByEnv: ReadonlyMap<string, OcmClient>,
  input: Input,
): Promise<Observation> {
  if (input.stop?.requested) return { tokens: new Map(), tenants: [], deliveries: new Map() };
  const needed = [
    ...new Set(
      [...resolution.eligible.values()].flatMap((e) => e.eligible.map((b) => b.tenant.environmentId)),
    ),
  ].sort();
  const [listed, deliveries] = await Promise.all([
    listTenants(needed, input),
    readDeliveries(resolution, ocmByEnv, input),
  ]);
  const observation = { ...listed, deliveries };
  await confirmMissing(resolution, observation, input);
  return observation;
}
