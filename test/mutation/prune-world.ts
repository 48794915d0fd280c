/**
 * The prune stage on its own: fakes for OCM and two tenants, a hand-made resolution, and the observation the
 * stage would get from listing the tenants. Each test builds one with pruneWorld() and shapes it directly.
 */
import type { ClusterReport, EngineInput } from '../../src/reconcile/result.js';
import type { Cluster } from '../../src/reconcile/model.js';
import { TenantTokens } from '../../src/reconcile/plan.js';
import { prune, type PruneInput } from '../../src/reconcile/prune.js';
import type { Resolution } from '../../src/reconcile/resolve.js';
import { FakeDynatrace, FakeOcm, isWrite, type Call } from '../reconcile/fakes.js';
import { config, defaultSpec, tenant } from '../reconcile/fixtures.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The Secret the delivery object of a cluster carries (content does not matter to unbind). */
export const SECRET_ITEM = {
  kind: 'Secret',
  metadata: { name: 'dynatrace-token-dtp', namespace: 'dynatrace' },
};

export interface PruneWorld {
  calls: Call[];
  ocm: FakeOcm;
  dt: Map<string, FakeDynatrace>;
  resolution: Resolution;
  discoveryComplete: boolean;
  heldTenants: Set<string>;
  logs: string[];
}

export function pruneWorld(): PruneWorld {
  const calls: Call[] = [];
  return {
    calls,
    ocm: new FakeOcm('production', calls),
    dt: new Map([TENANT_A, TENANT_B].map((t) => [t, new FakeDynatrace(t, calls)])),
    resolution: {
      clusters: [],
      eligible: new Map(),
      unbound: [],
      skipped: [],
      discovered: new Set(),
      protectedClusters: new Set(),
    },
    discoveryComplete: true,
    heldTenants: new Set(),
    logs: [],
  };
}

/** A cluster as OCM describes it; `id` is its OCM id, `n` picks its external id. */
export function ocmCluster(id: string, n: number, extra: Partial<Cluster> = {}): Cluster {
  return {
    ocmEnvironment: 'production',
    id,
    externalId: uuid(n),
    name: `name-${id}`,
    organizationId: 'org-1',
    subscriptionId: `sub-${id}`,
    hostedControlPlane: false,
    state: 'ready',
    managed: true,
    labels: {},
    ...extra,
  };
}

/** A dtp_ token of the cluster with external id uuid(n) in the tenant; returns its id. */
export async function mintFor(
  w: PruneWorld,
  tenantId: string,
  n: number,
  spec = 'operator',
): Promise<string> {
  const created = await w.dt
    .get(tenantId)!
    .createToken({ name: `dtp_${spec}_${uuid(n)}_0123456789ab`, scopes: [] });
  return created.id;
}

/** Marks a cluster eligible (bound to the tenants) with the given report status. */
export function markEligible(
  w: PruneWorld,
  c: Cluster,
  tenants: string[],
  status: ClusterReport['status'] = 'changed',
): void {
  w.resolution.discovered.add(c.externalId);
  w.resolution.eligible.set(c.id, {
    cluster: c,
    eligible: tenants.map((t) => ({
      binding: { key: 'v2', tenantId: t, specName: 'default', tenantLabel: 'x', specLabel: 'y' },
      tenant: tenant(t),
      spec: defaultSpec(),
    })),
    report: {
      cluster: {
        ocmEnvironment: c.ocmEnvironment,
        id: c.id,
        externalId: c.externalId,
        name: c.name,
        organizationId: c.organizationId,
      },
      kind: 'SyncSet',
      status,
      bindings: [],
      denials: [],
      errors: [],
    },
  });
}

/** Marks a discovered cluster as unbound (ready, no allowed binding left). */
export function markUnbound(w: PruneWorld, c: Cluster): void {
  w.resolution.discovered.add(c.externalId);
  w.resolution.unbound.push(c);
}

export function deliverTo(w: PruneWorld, c: Cluster, items: unknown[] = [SECRET_ITEM]): void {
  w.ocm.deliveries.set(c.id, { kind: 'SyncSet', id: 'ext-dynatrace-tokens-dtp', items });
}

/** Runs the prune stage over the world as it is now (the tenants are listed first, as observe does). */
export async function runPrune(w: PruneWorld, overrides: Partial<EngineInput> = {}) {
  const tokens = new Map<string, TenantTokens>();
  for (const [id, dt] of w.dt) tokens.set(id, TenantTokens.of(await dt.listTokens('dtp_')));
  w.calls.length = 0;
  const p: PruneInput = {
    resolution: w.resolution,
    observation: { tokens, tenants: [], deliveries: new Map() },
    ocmByEnv: new Map([['production', w.ocm]]),
    discoveryComplete: w.discoveryComplete,
    heldTenants: w.heldTenants,
    inShard: () => true,
  };
  const input: EngineInput = {
    config: config(),
    mode: 'reconcile',
    concurrency: 4,
    prune: 'true',
    serviceLogs: true,
    shard: { index: 1, count: 1 },
    ocm: [{ environment: 'production', client: w.ocm }],
    dynatrace: async (tenantId) => w.dt.get(tenantId)!,
    log: { info: () => {}, warn: (m) => w.logs.push(m), debug: () => {} },
    ...overrides,
  };
  return prune(p, input);
}

export const ops = (w: PruneWorld) => w.calls.map((c) => `${c.op} ${c.target}`);
export const writes = (w: PruneWorld) => w.calls.filter(isWrite).map((c) => `${c.op} ${c.target}`);
export const liveIds = (w: PruneWorld, tenantId: string) => [...w.dt.get(tenantId)!.tokens.keys()].sort();
