/**
 * The observe stage (src/reconcile/observe.ts): which tenants' listings start early, each listing requested
 * once, a failed listing making its tenant unusable (never an empty tenant), the delivery object of each
 * eligible cluster read by its kind, a failed read failing that cluster only, and a signal stopping the stage.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DynatraceClient } from '../../src/clients/api.js';
import { RemoteError, StartupError } from '../../src/errors.js';
import type { Cluster } from '../../src/reconcile/model.js';
import {
  candidateTenants,
  observe,
  readDelivery,
  TenantListings,
  type DeliveryRead,
} from '../../src/reconcile/observe.js';
import { resolveFleet } from '../../src/reconcile/resolve.js';
import type { EngineInput } from '../../src/reconcile/result.js';
import { Shutdown } from '../../src/shutdown.js';
import { FakeDynatrace, FakeOcm, type Call } from '../reconcile/fakes.js';
import {
  cluster,
  config,
  deliveredSecret,
  INGEST_SCOPES,
  liveToken,
  OPERATOR_SCOPES,
  org,
  ORG_A,
  ORG_B,
  ORG_FOREIGN,
  tenant,
  v2,
} from '../reconcile/fixtures.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

/** A third tenant id, sorting after the two shared ones. */
const TENANT_C = 'ghi24680';
const DELIVERY_ID = 'ext-dynatrace-tokens-dtp';

/** One observe stage's world: the configuration, Dynatrace per tenant, OCM and the reads already started. */
class Stage {
  calls: Call[] = [];
  dt = new Map([TENANT_A, TENANT_B, TENANT_C].map((t) => [t, new FakeDynatrace(t, this.calls)]));
  ocm = new FakeOcm('production', this.calls);
  clusters: Cluster[] = [];
  reads = new Map<string, Promise<DeliveryRead | undefined>>();
  warn: string[] = [];
  /** Tenants whose client cannot be had (the bootstrap token could not be loaded), with the reason. */
  noClient = new Map<string, string>();
  /** The stage's input; a test may replace its configuration or give it a signal before observing. */
  input: EngineInput = {
    config: config({ tenants: [tenant(TENANT_A), tenant(TENANT_B), tenant(TENANT_C)] }),
    concurrency: 4,
    dynatrace: async (tenantId: string): Promise<DynatraceClient> => {
      const reason = this.noClient.get(tenantId);
      if (reason) throw new Error(reason);
      return this.dt.get(tenantId)!;
    },
    log: { info: () => {}, warn: (m: string) => this.warn.push(m), debug: () => {} },
    mode: 'reconcile',
    prune: 'true',
    serviceLogs: false,
    shard: { index: 1, count: 1 },
    ocm: [],
  };
  listings = new TenantListings(this.input);

  bind(tenantId: string, extra: Partial<Cluster> = {}): Cluster {
    const c = cluster(v2(tenantId), extra);
    this.clusters.push(c);
    return c;
  }

  /** Starts the delivery read of every bound cluster, as the engine does during discovery. */
  readAll(): void {
    for (const c of this.clusters) this.reads.set(c.id, readDelivery(c, this.ocm));
  }

  resolution() {
    return resolveFleet(
      [
        {
          ocmEnvironment: 'production',
          clusters: this.clusters,
          skipped: [],
          subscriptionsWithoutCluster: 0,
          labels: 0,
        },
      ],
      this.input.config,
      () => true,
    );
  }

  listed(): string[] {
    return this.calls.filter((c) => c.op === 'listTokens').map((c) => c.target);
  }
}

let s: Stage;
beforeEach(() => {
  s = new Stage();
});

describe('candidateTenants: the listings started before discovery says which are needed', () => {
  it('lists exactly the tenants some binding could name, sorted by id', () => {
    const cfg = config({
      // Inserted out of order: the result is sorted, not in configuration order.
      tenants: [
        tenant(TENANT_C, [ORG_A]),
        // Allows an organization the allow-list lacks before one it has: one usable organization suffices.
        tenant(TENANT_B, [ORG_FOREIGN, ORG_B]),
        tenant(TENANT_A, [ORG_A]),
        // Allows only an organization the allow-list lacks.
        tenant('jkl13579', [ORG_FOREIGN]),
        // Allows only an organization whose tenant list excludes it.
        tenant('mno97531', [ORG_B]),
      ],
      orgs: [org(ORG_A), org(ORG_B, { tenants: [TENANT_B] })],
    });
    expect(candidateTenants(cfg)).toEqual([TENANT_A, TENANT_B, TENANT_C]);
  });

  it('is empty when no tenant allows an organization of the allow-list', () => {
    const cfg = config({ tenants: [tenant(TENANT_A, [ORG_FOREIGN])] });
    expect(candidateTenants(cfg)).toEqual([]);
  });
});

describe('TenantListings: one listing per tenant, complete before anything is decided', () => {
  it('requests a listing once per tenant even when started early and awaited later', async () => {
    const early = s.listings.start(TENANT_A);
    expect(s.listings.start(TENANT_A)).toBe(early);
    const { tokens, tenants } = await s.listings.collect([TENANT_A, TENANT_B]);
    expect(s.listed()).toEqual([`${TENANT_A}/`, `${TENANT_B}/`]);
    expect([...tokens.keys()]).toEqual([TENANT_A, TENANT_B]);
    expect(tenants.map((t) => t.tenantId)).toEqual([TENANT_A, TENANT_B]);
  });

  it('reports each tenant under its configured name with the count of dtp_ tokens listed', async () => {
    const token = liveToken('operator', '00000000-0000-4000-8000-000000000001', OPERATOR_SCOPES);
    s.dt.get(TENANT_A)!.tokens.set(token.id, token);
    s.dt.get(TENANT_A)!.tokens.set('dt0c01.OTHER', { ...token, id: 'dt0c01.OTHER', name: 'not-ours' });
    const { tokens, tenants } = await s.listings.collect([TENANT_A]);
    expect(tenants).toEqual([{ tenantId: TENANT_A, name: `tenant-${TENANT_A}`, tokens: 1 }]);
    expect([...tokens.get(TENANT_A)!.keys()]).toEqual([token.id]);
  });

  it('reports a tenant the configuration does not name under its id', async () => {
    s.input.config = config({ tenants: [tenant(TENANT_B)] });
    const { tenants } = await s.listings.collect([TENANT_A, TENANT_B]);
    expect(tenants.map((t) => [t.tenantId, t.name])).toEqual([
      [TENANT_A, TENANT_A],
      [TENANT_B, `tenant-${TENANT_B}`],
    ]);
  });

  it('sorts the per-tenant report entries by tenant id whatever order they were needed in', async () => {
    const { tenants } = await s.listings.collect([TENANT_C, TENANT_A, TENANT_B]);
    expect(tenants.map((t) => t.tenantId)).toEqual([TENANT_A, TENANT_B, TENANT_C]);
  });

  it('a failed listing marks the tenant unusable with its error and a warning, never an empty tenant', async () => {
    s.dt.get(TENANT_B)!.failing.listTokens = 403;
    s.noClient.set(TENANT_C, 'bootstrap token not found in Vault');
    const { tokens, tenants } = await s.listings.collect([TENANT_A, TENANT_B, TENANT_C]);
    expect([...tokens.keys()]).toEqual([TENANT_A]);
    expect(tenants.map((t) => [t.tenantId, t.tokens, t.error])).toEqual([
      [TENANT_A, 0, undefined],
      [TENANT_B, 0, expect.stringContaining('403')],
      [TENANT_C, 0, 'bootstrap token not found in Vault'],
    ]);
    const errorB = tenants[1]!.error!;
    expect(s.warn).toEqual([
      `tenant ${TENANT_B} (tenant-${TENANT_B}) cannot be used this run: ${errorB}`,
      `tenant ${TENANT_C} (tenant-${TENANT_C}) cannot be used this run: bootstrap token not found in Vault`,
    ]);
  });

  it('cannot start when no needed tenant can be read, naming each tenant and its error', async () => {
    s.noClient.set(TENANT_A, 'no token A');
    s.noClient.set(TENANT_B, 'no token B');
    const failure = await s.listings.collect([TENANT_B, TENANT_A]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StartupError);
    const error = failure as StartupError;
    expect(error.message).toBe(
      `no Dynatrace tenant could be read: ${TENANT_A}: no token A; ${TENANT_B}: no token B`,
    );
    expect(error.hint).toBe(
      'Check the bootstrap tokens in Vault (they need apiTokens.read and apiTokens.write) and the dynatrace-url override.',
    );
  });

  it('needs nothing when no tenant is needed', async () => {
    const { tokens, tenants } = await s.listings.collect([]);
    expect(tokens.size).toBe(0);
    expect(tenants).toEqual([]);
    expect(s.listed()).toEqual([]);
  });
});

describe('readDelivery: the delivery object of one cluster', () => {
  it('picks SyncSet vs Manifest by hosted control plane', async () => {
    const classic = s.bind(TENANT_A);
    const hcp = s.bind(TENANT_A, { hostedControlPlane: true });
    s.ocm.deliveries.set(classic.id, { kind: 'SyncSet', id: DELIVERY_ID, items: [] });
    s.ocm.deliveries.set(hcp.id, { kind: 'Manifest', id: DELIVERY_ID, items: [] });
    expect(await readDelivery(classic, s.ocm)).toEqual({
      delivery: { kind: 'SyncSet', secrets: [], otherItems: 0 },
    });
    expect(await readDelivery(hcp, s.ocm)).toEqual({
      delivery: { kind: 'Manifest', secrets: [], otherItems: 0 },
    });
  });

  it('reads an absent object as no delivery', async () => {
    expect(await readDelivery(s.bind(TENANT_A), s.ocm)).toEqual({ delivery: undefined });
  });

  it('turns a failed read into an error naming the object, not a rejection', async () => {
    const classic = s.bind(TENANT_A);
    const hcp = s.bind(TENANT_A, { hostedControlPlane: true });
    s.ocm.failing.getDelivery = 500;
    const reason = new RemoteError({
      system: 'ocm',
      operation: 'getDelivery',
      method: 'X',
      path: '/getDelivery',
      status: 500,
    }).message;
    expect(await readDelivery(classic, s.ocm)).toEqual({
      error: `reading SyncSet ${DELIVERY_ID} failed: ${reason}`,
    });
    expect(await readDelivery(hcp, s.ocm)).toEqual({
      error: `reading Manifest ${DELIVERY_ID} failed: ${reason}`,
    });
  });
});

describe('observe: the observation assembled from the reads and listings already started', () => {
  it('a failed delivery read fails that cluster only, and its object is not observed', async () => {
    const broken = s.bind(TENANT_A);
    const fine = s.bind(TENANT_A);
    s.ocm.deliveries.set(fine.id, { kind: 'SyncSet', id: DELIVERY_ID, items: [] });
    const resolution = s.resolution();
    s.reads.set(broken.id, Promise.resolve({ error: 'reading SyncSet failed: boom' }));
    s.reads.set(fine.id, readDelivery(fine, s.ocm));
    const observation = await observe(resolution, s.reads, s.listings, s.input);
    const report = (c: Cluster) => resolution.eligible.get(c.id)!.report;
    expect(report(broken).status).toBe('failed');
    expect(report(broken).errors).toEqual(['reading SyncSet failed: boom']);
    expect(report(fine).status).toBe('unchanged');
    expect(report(fine).errors).toEqual([]);
    expect([...observation.deliveries.keys()]).toEqual([fine.id]);
    expect(observation.deliveries.get(fine.id)).toEqual({ kind: 'SyncSet', secrets: [], otherItems: 0 });
  });

  it('leaves out a cluster whose read was never made (a signal came first), without failing it', async () => {
    const skipped = s.bind(TENANT_A);
    const neverStarted = s.bind(TENANT_A);
    const absent = s.bind(TENANT_A);
    const resolution = s.resolution();
    s.reads.set(skipped.id, Promise.resolve(undefined));
    s.reads.set(absent.id, readDelivery(absent, s.ocm));
    const observation = await observe(resolution, s.reads, s.listings, s.input);
    expect([...observation.deliveries]).toEqual([[absent.id, undefined]]);
    for (const c of [skipped, neverStarted]) {
      expect(resolution.eligible.get(c.id)!.report.status).toBe('unchanged');
      expect(resolution.eligible.get(c.id)!.report.errors).toEqual([]);
    }
  });

  it('lists exactly the tenants the eligible clusters are bound to, in tenant order', async () => {
    // Bound in reverse order: the listings are requested and held sorted by tenant id.
    s.bind(TENANT_C);
    s.bind(TENANT_A);
    s.bind(TENANT_C);
    const observation = await observe(s.resolution(), s.reads, s.listings, s.input);
    expect(s.listed()).toEqual([`${TENANT_A}/`, `${TENANT_C}/`]);
    expect([...observation.tokens.keys()]).toEqual([TENANT_A, TENANT_C]);
    expect(observation.tenants.map((t) => t.tenantId)).toEqual([TENANT_A, TENANT_C]);
  });

  it('a listing contradicted by GET makes its tenant unusable this run', async () => {
    const c = s.bind(TENANT_A);
    const api = liveToken('operator', c.externalId, OPERATOR_SCOPES);
    const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES);
    const dt = s.dt.get(TENANT_A)!;
    dt.tokens.set(api.id, api);
    dt.tokens.set(ingest.id, ingest);
    dt.hiddenFromListing.add(api.id);
    s.bind(TENANT_B);
    const secret = deliveredSecret('dynatrace-token-dtp', 'dynatrace', `https://${TENANT_A}.x/api`, {
      apiToken: api,
      dataIngestToken: ingest,
    });
    const resolution = s.resolution();
    for (const b of s.clusters) s.reads.set(b.id, Promise.resolve({ delivery: undefined }));
    s.reads.set(c.id, Promise.resolve({ delivery: { kind: 'SyncSet', secrets: [secret], otherItems: 0 } }));
    const observation = await observe(resolution, s.reads, s.listings, s.input);
    expect(observation.tokens.has(TENANT_A)).toBe(false);
    expect(observation.tenants.find((t) => t.tenantId === TENANT_A)!.error).toBeDefined();
    expect(observation.tokens.has(TENANT_B)).toBe(true);
  });

  it('a signal before the stage observes nothing and makes no request', async () => {
    s.bind(TENANT_A);
    s.bind(TENANT_B);
    s.readAll();
    const resolution = s.resolution();
    const stop = new Shutdown();
    stop.request('SIGTERM');
    s.input.stop = stop;
    s.calls.length = 0;
    const observation = await observe(resolution, s.reads, s.listings, s.input);
    stop.exitIfInterrupted(0);
    expect(observation).toEqual({ tokens: new Map(), tenants: [], deliveries: new Map() });
    expect(s.calls).toEqual([]);
  });
});
