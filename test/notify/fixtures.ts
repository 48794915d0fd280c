/** Small hand-made reports and configs for the notifier's tests. */
import type { Config, DynatraceTenant } from '../../src/config/types.js';
import type { ClusterEntry, Report } from '../../src/report/report.js';
import { ORG_A, TENANT_A, TENANT_B } from '../fixtures/domain.js';

export function tenantConfig(
  tenants: Record<string, { email?: string; slack?: string }[]> = {
    [TENANT_A]: [{ email: 'sre@example.com', slack: '#platform-sre' }],
    [TENANT_B]: [{ email: 'obs@example.com' }],
  },
): Config {
  const map = new Map<string, DynatraceTenant>();
  for (const [id, owners] of Object.entries(tenants)) {
    map.set(id, {
      name: `tenant-${id}`,
      environmentId: id,
      environmentUrl: `https://${id}.live.dynatrace.com`,
      bootstrapToken: { mount: 'kv', path: `dt/${id}`, field: 'token' },
      allowedOrganizations: [],
      owners: owners.map((o, i) => ({ name: `Owner ${i}`, ...o })),
      source: { file: 'tenants.yaml', line: 1, column: 1 },
    } as DynatraceTenant);
  }
  return { tenants: map } as unknown as Config;
}

export function cluster(
  id: string,
  status: ClusterEntry['status'],
  tenant = TENANT_A,
  extra: Partial<ClusterEntry> = {},
): ClusterEntry {
  return {
    ocmEnvironment: 'production',
    id,
    externalId: `ext-${id}`,
    name: `cluster-${id}`,
    organizationId: ORG_A,
    kind: 'SyncSet',
    status,
    bindings: [{ key: 'default', tenantId: tenant, specName: 'default' }],
    denials: [],
    errors: status === 'failed' ? [`ocm createSyncSet → 400 for ${id}`] : [],
    ...extra,
  };
}

export function report(clusters: ClusterEntry[], extra: Partial<Report> = {}): Report {
  const now = new Date('2026-12-01T00:00:00Z');
  return {
    schemaVersion: 1,
    tool: { name: 'dtp', version: '9.9.9' },
    mode: 'reconcile',
    shard: '1/1',
    startedAt: now.toISOString(),
    finishedAt: new Date(now.getTime() + 1500).toISOString(),
    durationMs: 1500,
    exitCode: clusters.some((c) => c.status === 'failed') ? 1 : 0,
    config: { dir: 'tenants', files: 3 },
    totals: {} as Report['totals'],
    environments: [{ name: 'production', labels: 1, clusters: clusters.length, skipped: 0, durationMs: 5 }],
    tenants: [],
    breakdown: [],
    clusters,
    skipped: [],
    orphans: { planned: [], revoked: 0, errors: [], held: [] },
    calls: [],
    stagesMs: { discover: 12 },
    ...extra,
  } as Report;
}
