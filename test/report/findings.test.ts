/**
 * Findings on the YAML line (src/report/findings.ts): problems that follow from the configuration land on
 * the tenant, token spec or organization that decides them, one finding per cause and line.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import type { Denial } from '../../src/reconcile/model.js';
import { findings } from '../../src/report/findings.js';
import { diffPlans } from '../../src/report/plan-diff.js';
import { config, defaultSpec, ORG_A, ORG_B, org, tenant } from '../reconcile/fixtures.js';
import { cluster, report } from './fixtures.js';

const at = (file: string, line: number) => ({ file, line, column: 1 });

function cfg(): Config {
  return config({
    tenants: [
      { ...tenant('abc12345'), source: at('tenants/eu.yaml', 3) },
      { ...tenant('def67890', [ORG_A]), source: at('tenants/us.yaml', 4) },
    ],
    specs: [{ ...defaultSpec([ORG_A]), source: at('tenants/specs.yaml', 5) }],
    orgs: [
      { ...org(ORG_A), source: at('tenants/orgs.yaml', 6) },
      { ...org(ORG_B), source: at('tenants/orgs.yaml', 20) },
    ],
  });
}

const denial = (code: Denial['code'], tenantId = 'def67890', specName = 'default'): Denial => ({
  binding: 'v2',
  label: 'sre-capabilities.dtp.v2.tenant',
  code,
  reason: `reason of ${code}`,
  tenantId,
  specName,
});

const deniedClusters = (from: number, count: number, d: Denial) =>
  Array.from({ length: count }, (_, i) =>
    cluster(from + i, 'denied', { organizationId: ORG_B, bindings: [], denials: [d] }),
  );

describe('findings', () => {
  it('groups 40 denials by one tenant into one finding on its line, and a spec denial on the spec line', () => {
    const r = report({
      mode: 'plan',
      clusters: [
        ...deniedClusters(1, 40, denial('tenant-denies-org')),
        ...deniedClusters(100, 2, denial('spec-denies-org', 'abc12345')),
        // The cluster owner's label mistake: no YAML line decides it.
        ...deniedClusters(200, 5, {
          label: 'sre-capabilities.dtp.v3.x',
          code: 'malformed-label',
          reason: 'bad',
        }),
      ],
    });
    const found = findings(r, cfg());
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual([
      'tenants/us.yaml:4 warning',
      'tenants/specs.yaml:5 warning',
    ]);
    expect(found[0]!.message).toBe(
      'tenant-denies-org: denied 40 bindings (shop-1, shop-2, shop-3 and 37 more): reason of tenant-denies-org',
    );
    expect(found[0]!.hint).toContain('allowedOrganizations');
    expect(found[1]!.message).toContain('denied 2 bindings (shop-100, shop-101)');
  });

  it('puts organization-decided denials on the organization of the cluster', () => {
    const r = report({ clusters: deniedClusters(1, 1, denial('org-excludes-tenant')) });
    expect(findings(r, cfg()).map((f) => `${f.file}:${f.line}`)).toEqual(['tenants/orgs.yaml:20']);
  });

  it('an unusable tenant is an error on its document, with the clusters it failed', () => {
    const r = report({
      tenants: [{ tenantId: 'abc12345', name: 'eu', tokens: 0, error: 'Vault: field "token" not found' }],
      environments: [
        { name: 'production', error: 'SSO 401', labels: 0, clusters: 0, skipped: 0, durationMs: 0 },
      ],
      clusters: [cluster(1, 'failed'), cluster(2, 'failed'), cluster(3, 'unchanged')],
    });
    const c = cfg();
    c.ocmEnvironments.set('production', { source: at('tenants/env.yaml', 7) } as never);
    const found = findings(r, c);
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual([
      'tenants/eu.yaml:3 error',
      'tenants/env.yaml:7 error',
    ]);
    expect(found[0]!.message).toBe(
      'tenant abc12345 could not be used this run (2 clusters failed): Vault: field "token" not found',
    );
  });

  it('with a base plan: only the denials the change introduces, on the changed line, and new elevated scopes', () => {
    const base = cfg();
    const head = cfg();
    // The change drops ORG_A from tenant def67890 and adds an elevated scope to the spec.
    head.tenants.set('def67890', { ...head.tenants.get('def67890')!, allowedOrganizations: [] });
    const spec = head.tokenSpecs.get('default')!;
    head.tokenSpecs.set('default', {
      ...spec,
      elevatedScopes: [...(spec.elevatedScopes ?? []), 'logs.read'],
    });
    const old = deniedClusters(1, 3, denial('spec-denies-org', 'abc12345'));
    const bound = cluster(10, 'planned', {
      bindings: [{ key: 'v2', tenantId: 'def67890', specName: 'default' }],
    });
    const lost = cluster(10, 'denied', { bindings: [], denials: [denial('tenant-denies-org')] });
    const diff = diffPlans(
      { report: report({ mode: 'plan', clusters: [...old, bound] }), config: base },
      { report: report({ mode: 'plan', clusters: [...old, lost] }), config: head },
    );
    const found = findings(report({ mode: 'plan', clusters: [...old, lost] }), head, diff);
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['tenants/us.yaml:4', 'tenants/specs.yaml:5']);
    expect(found[0]!.message).toBe(
      'tenant-denies-org: this change denies 1 binding (shop-10): reason of tenant-denies-org',
    );
    expect(found[1]!.message).toContain('token spec default newly requests elevated scopes logs.read');
  });
});
