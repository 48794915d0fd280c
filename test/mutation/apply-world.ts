/**
 * Builders for the apply, mint and ledger tests: one cluster plan over in-memory fakes, and an OCM fake whose
 * service-log listing honours the `since` the code sends (test/reconcile/fakes.ts returns every log).
 */
import type { ServiceLogEntry } from '../../src/clients/api.js';
import type { ApplyDeps } from '../../src/reconcile/apply.js';
import type { ClusterPlan, PlannedRevoke, PlannedToken, TokenSource } from '../../src/reconcile/model.js';
import { tokenName } from '../../src/reconcile/naming.js';
import { FakeDynatrace, FakeOcm, type Call } from '../reconcile/fakes.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

export const NOW = new Date('2026-11-22T12:00:00Z');
export const HOUR = 60 * 60 * 1000;
export const CLUSTER_ID = 'cluster-apply-1';
export const EXTERNAL_ID = '00000000-0000-4000-8000-00000000a001';

/** Service logs as OCM keeps them: stamped when posted, listed only when newer than `since`. */
export class WindowedOcm extends FakeOcm {
  /** Every `since` the code asked for. */
  readonly sinceAsked: Date[] = [];

  constructor(
    calls: Call[],
    private readonly clock: () => Date,
  ) {
    super('production', calls);
  }

  /** A log posted `hoursAgo` before the clock's now (by dtp or by someone else). */
  postedBefore(
    hoursAgo: number,
    entry: Omit<ServiceLogEntry, 'timestamp' | 'clusterUuid' | 'severity'>,
  ): void {
    this.serviceLogs.push({
      clusterUuid: EXTERNAL_ID,
      severity: 'Moderate',
      ...entry,
      timestamp: new Date(this.clock().getTime() - hoursAgo * HOUR).toISOString(),
    });
  }

  override async listServiceLogs(clusterUuid: string, since: Date): Promise<ServiceLogEntry[]> {
    this.sinceAsked.push(since);
    const all = await super.listServiceLogs(clusterUuid);
    return all.filter((log) => log.timestamp !== undefined && Date.parse(log.timestamp) >= since.getTime());
  }

  override async createServiceLog(entry: ServiceLogEntry): Promise<void> {
    await super.createServiceLog({ ...entry, timestamp: this.clock().toISOString() });
  }
}

export interface ApplyWorld {
  calls: Call[];
  ocm: WindowedOcm;
  dt: Map<string, FakeDynatrace>;
  clock: { now: Date };
}

export function applyWorld(): ApplyWorld {
  const calls: Call[] = [];
  const clock = { now: NOW };
  return {
    calls,
    clock,
    ocm: new WindowedOcm(calls, () => clock.now),
    dt: new Map([TENANT_A, TENANT_B].map((t) => [t, new FakeDynatrace(t, calls)])),
  };
}

export function deps(w: ApplyWorld, extra: Partial<ApplyDeps> = {}): ApplyDeps {
  return {
    ocm: w.ocm,
    dynatrace: async (tenantId) => w.dt.get(tenantId)!,
    serviceLogs: true,
    now: () => w.clock.now,
    ...extra,
  };
}

export const SCOPES = ['entities.read', 'settings.read'];

/** A planned token of the cluster; `key` doubles as the spec token name. */
export function token(key: string, source: TokenSource, extra: Partial<PlannedToken> = {}): PlannedToken {
  return {
    key,
    specTokenName: key,
    scopes: [...SCOPES],
    expectedName: tokenName(key, EXTERNAL_ID, SCOPES),
    tenantId: TENANT_A,
    source,
    ...extra,
  };
}

export const mint = (reason: 'new' | 'revoked' | 'rotation' = 'new'): TokenSource => ({
  kind: 'mint',
  reason,
});

/** One cluster's plan: each entry of `secrets` is one Secret's tokens, in its own namespace. */
export function plan(
  delivery: ClusterPlan['delivery'],
  secrets: PlannedToken[][],
  revokes: PlannedRevoke[] = [],
): ClusterPlan {
  return {
    cluster: {
      ocmEnvironment: 'production',
      id: CLUSTER_ID,
      externalId: EXTERNAL_ID,
      name: 'apply-1',
      organizationId: 'org',
    },
    kind: 'SyncSet',
    delivery,
    deliveryReasons: [],
    revokes,
    secrets: secrets.map((tokens, i) => ({
      namespace: `ns-${i}`,
      name: 'dynatrace-token-dtp',
      tenantId: tokens[0]?.tenantId ?? TENANT_A,
      binding: 'v2',
      specName: 'default',
      apiUrl: 'https://abc12345.live.dynatrace.com/api',
      tokens,
    })),
  };
}

/** The OCM writes, in order. */
export const ocmWrites = (w: ApplyWorld) =>
  w.calls
    .filter((c) => c.system === 'ocm' && c.op !== 'getDelivery' && c.op !== 'listServiceLogs')
    .map((c) => c.op);

export const opsOf = (w: ApplyWorld, system: Call['system']) =>
  w.calls.filter((c) => c.system === system).map((c) => c.op);

/** Live token ids of a tenant. */
export const liveIds = (w: ApplyWorld, tenantId = TENANT_A) => [...w.dt.get(tenantId)!.tokens.keys()];
