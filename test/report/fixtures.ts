/** Hand-built reports with fixed times and ids, for stable summaries and CLI tests. */
import { emptyTotals, type ClusterEntry, type Report, type Totals } from '../../src/report/report.js';
import { ORG_A, TENANT_A } from '../fixtures/domain.js';

export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function totals(partial: Partial<Totals>): Totals {
  return { ...emptyTotals(), ...partial };
}

export function cluster(
  n: number,
  status: ClusterEntry['status'],
  extra: Partial<ClusterEntry> = {},
): ClusterEntry {
  return {
    ocmEnvironment: 'production',
    id: `2a${String(n).padStart(30, '0')}`,
    externalId: uuid(n),
    name: `shop-${n}`,
    organizationId: ORG_A,
    kind: n % 2 ? 'SyncSet' : 'Manifest',
    status,
    bindings: [{ key: 'v2', tenantId: TENANT_A, specName: 'default' }],
    denials: [],
    errors: [],
    ...extra,
  };
}

export function report(partial: Partial<Report>): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'dtp', version: '1.4.0' },
    mode: 'reconcile',
    shard: '1/1',
    startedAt: '2026-11-30T06:00:00.000Z',
    finishedAt: '2026-11-30T06:00:42.000Z',
    durationMs: 42_000,
    exitCode: 0,
    config: { dir: 'tenants', files: 4 },
    totals: totals({}),
    environments: [
      { name: 'production', labels: 12, clusters: 10, skipped: 1, durationMs: 1200 },
    ] as Report['environments'],
    tenants: [{ tenantId: TENANT_A, name: 'Shop', tokens: 20 }] as Report['tenants'],
    breakdown: [],
    clusters: [],
    skipped: [],
    orphans: { planned: [], revoked: 0, errors: [], held: [] },
    calls: [
      {
        system: 'ocm',
        operation: 'listLabels',
        calls: 3,
        retries: 0,
        rateLimited: 0,
        errors: 0,
        totalMs: 90,
      },
    ],
    stagesMs: { discover: 1200, clusters: 40_000 },
    ...partial,
  };
}
