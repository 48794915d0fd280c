/**
 * Eligibility per binding (src/reconcile/eligibility.ts): the v2 labels count only when no v3 binding names a
 * configured token spec, bindings are judged in binding-key order, and a denial names every value the
 * allow-list would accept so the owner knows what to change.
 */
import { describe, expect, it } from 'vitest';
import { resolveBindings } from '../../src/reconcile/eligibility.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';
import { cluster, config, ORG_A, ORG_B, org, v2 } from '../reconcile/fixtures.js';

const V3 = 'sre-capabilities.dtp.v3.';

function v3(name: string, tenantId: string, spec = 'default'): Record<string, string> {
  return { [`${V3}${name}.tenant`]: tenantId, [`${V3}${name}.token-spec`]: spec };
}

describe('resolveBindings', () => {
  it('lists every tenant an organization limits itself to, comma-separated', () => {
    const cfg = config({ orgs: [org(ORG_A, { tenants: ['aaa11111', 'bbb22222'] }), org(ORG_B)] });
    const result = resolveBindings(cluster(v2(TENANT_A)), cfg);
    expect(result.eligible).toEqual([]);
    expect(result.denials).toStrictEqual([
      {
        binding: 'v2',
        label: 'sre-capabilities.dtp.v2.tenant',
        code: 'org-excludes-tenant',
        reason: `organization ${org(ORG_A).name} limits itself to tenants aaa11111, bbb22222`,
        tenantId: TENANT_A,
        specName: 'default',
      },
    ]);
  });

  it('lists every token spec an organization limits itself to, comma-separated', () => {
    const cfg = config({ orgs: [org(ORG_A, { tokenSpecs: ['gold', 'silver'] }), org(ORG_B)] });
    const result = resolveBindings(cluster(v2(TENANT_A)), cfg);
    expect(result.eligible).toEqual([]);
    expect(result.denials).toStrictEqual([
      {
        binding: 'v2',
        label: 'sre-capabilities.dtp.v2.token-spec',
        code: 'org-excludes-spec',
        reason: `organization ${org(ORG_A).name} limits itself to token specs gold, silver`,
        tenantId: TENANT_A,
        specName: 'default',
      },
    ]);
  });

  it('ignores the v2 labels of a cluster whose v3 binding names a configured token spec', () => {
    const result = resolveBindings(cluster({ ...v3('a', TENANT_A), ...v2(TENANT_B) }), config());
    expect(result.eligible.map((e) => [e.binding.key, e.tenant.environmentId])).toStrictEqual([
      ['v3.a', TENANT_A],
    ]);
    expect(result.denials).toStrictEqual([]);
  });

  it('judges bindings in binding-key order, v2 before v3, not in the order they were parsed', () => {
    // v2 falls back in (the v3 spec is unknown) and is parsed last, but is judged first.
    const fallback = resolveBindings(cluster({ ...v3('a', TENANT_A, 'gold'), ...v2('zzz99999') }), config());
    expect(fallback.denials.map((d) => [d.binding, d.code])).toStrictEqual([
      ['v2', 'unknown-tenant'],
      ['v3.a', 'unknown-spec'],
    ]);
  });
});
