/**
 * Stage 3, observe: the dtp_ tokens of every tenant a cluster of this shard is bound to, and the delivery
 * object of every eligible cluster. Both are started early (listings with discovery, delivery reads as each
 * cluster is found); the observation is assembled from them once discovery is complete. A delivered token
 * id missing from its tenant's listing is confirmed with a GET before anything is re-minted (confirm.ts).
 */
import type { OcmClient } from '../clients/api.js';
import type { Config } from '../config/types.js';
import { describeError, StartupError } from '../errors.js';
import { confirmMissing } from './confirm.js';
import { parseDelivery } from './delivery.js';
import { deliveryKindOf, type Cluster, type ObservedDelivery } from './model.js';
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

/**
 * Tenants some cluster could be bound to under this configuration (a tenant allows an organization that the
 * allow-list has and that does not exclude it). Their listings start with discovery, before it says which
 * are needed; a listing nobody needs costs one request and is not reported.
 */
export function candidateTenants(config: Config): string[] {
  const out: string[] = [];
  for (const [tenantId, tenant] of config.tenants) {
    const usable = tenant.allowedOrganizations.some((org) => {
      const allowed = config.organizations.get(org);
      return allowed !== undefined && (!allowed.tenants || allowed.tenants.includes(tenantId));
    });
    if (usable) out.push(tenantId);
  }
  return out.sort();
}

type Listing = { tokens: TenantTokens; count: number } | { error: string };

/**
 * The dtp_ token listing of each tenant, started once on first demand (or early, by `start`). Nothing is
 * decided from a listing until it is complete: `collect` awaits the listings of the tenants needed.
 */
export class TenantListings {
  readonly #started = new Map<string, Promise<Listing>>();
  readonly #collected = new Map<string, Promise<Pick<Observation, 'tokens' | 'tenants'>>>();

  constructor(private readonly input: Input) {}

  start(tenantId: string): Promise<Listing> {
    let listing = this.#started.get(tenantId);
    if (!listing) {
      listing = this.#list(tenantId);
      this.#started.set(tenantId, listing);
    }
    return listing;
  }

  async #list(tenantId: string): Promise<Listing> {
    try {
      const dt = await this.input.dynatrace(tenantId);
      const listed = await dt.listTokens(TOKEN_PREFIX);
      return { tokens: TenantTokens.of(listed), count: listed.length };
    } catch (e) {
      return { error: describeError(e) };
    }
  }

  /**
   * The listings of `needed`, as the observation holds them; warns about each tenant that cannot be used.
   * Asked again for the same tenants (in-place fixes, then the observation), it answers the same, once.
   */
  collect(needed: readonly string[]): Promise<Pick<Observation, 'tokens' | 'tenants'>> {
    const key = needed.join('\u0000');
    let collected = this.#collected.get(key);
    if (!collected) {
      collected = this.#collect(needed);
      this.#collected.set(key, collected);
    }
    return collected;
  }

  async #collect(needed: readonly string[]): Promise<Pick<Observation, 'tokens' | 'tenants'>> {
    const tokens = new Map<string, TenantTokens>();
    const tenants: TenantReport[] = [];
    const listings = await Promise.all(needed.map((tenantId) => this.start(tenantId)));
    needed.forEach((tenantId, i) => {
      const listing = listings[i]!;
      const name = this.input.config.tenants.get(tenantId)?.name ?? tenantId;
      if ('tokens' in listing) {
        tokens.set(tenantId, listing.tokens);
        tenants.push({ tenantId, name, tokens: listing.count });
      } else {
        tenants.push({ tenantId, name, tokens: 0, error: listing.error });
        this.input.log.warn(`tenant ${tenantId} (${name}) cannot be used this run: ${listing.error}`);
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
}

/** What reading one cluster's delivery object gave: the object (undefined: none exists), or why not. */
export type DeliveryRead = { delivery: ObservedDelivery | undefined } | { error: string };

export async function readDelivery(cluster: Cluster, ocm: OcmClient): Promise<DeliveryRead> {
  const kind = deliveryKindOf(cluster);
  try {
    const wire = await ocm.getDelivery(cluster.id, kind, DELIVERY_ID);
    return { delivery: wire ? parseDelivery(wire) : undefined };
  } catch (error) {
    return { error: `reading ${kind} ${DELIVERY_ID} failed: ${describeError(error)}` };
  }
}

/** The tenants the eligible clusters are bound to, sorted. */
export function neededTenants(resolution: Resolution): string[] {
  const needed = new Set<string>();
  for (const e of resolution.eligible.values())
    for (const b of e.eligible) needed.add(b.tenant.environmentId);
  return [...needed].sort();
}

/**
 * The observation of the resolved fleet from reads already made (or started): a cluster whose object could
 * not be read fails (and is protected from prune); one never read (a signal came first) is left out.
 */
export async function observe(
  resolution: Resolution,
  reads: ReadonlyMap<string, Promise<DeliveryRead | undefined>>,
  listings: TenantListings,
  input: Input,
): Promise<Observation> {
  if (input.stop?.requested) return { tokens: new Map(), tenants: [], deliveries: new Map() };
  const deliveries = new Map<string, ObservedDelivery | undefined>();
  const [listed] = await Promise.all([
    listings.collect(neededTenants(resolution)),
    Promise.all(
      [...resolution.eligible.values()].map(async ({ cluster, report }) => {
        const read = await reads.get(cluster.id);
        if (!read) return;
        if ('error' in read) {
          report.status = 'failed';
          report.errors.push(read.error);
        } else deliveries.set(cluster.id, read.delivery);
      }),
    ),
  ]);
  const observation = { ...listed, deliveries };
  await confirmMissing(resolution, observation, input);
  return observation;
}
