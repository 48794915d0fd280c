import { describe, expect, it } from 'vitest';
import { parseBindings } from '../../src/reconcile/bindings.js';
import { resolveBindings } from '../../src/reconcile/eligibility.js';
import { cluster, config, defaultSpec, ORG_A, ORG_B, ORG_FOREIGN, org, tenant, v2 } from './fixtures.js';

const known = (name: string) => name === 'default';

describe('parseBindings', () => {
  it('reads v3 bindings and ignores v2 when a v3 binding names a known spec', () => {
    const parsed = parseBindings(
      {
        'sre-capabilities.dtp.v3.a.tenant': 'abc12345',
        'sre-capabilities.dtp.v3.a.token-spec': 'default',
        ...v2('def67890'),
      },
      known,
    );
    expect(parsed.bindings.map((b) => [b.key, b.tenantId, b.specName])).toEqual([
      ['v3.a', 'abc12345', 'default'],
    ]);
    expect(parsed.problems).toEqual([]);
  });

  it('falls back to v2 when no v3 binding names a known spec, as the reference implementation does', () => {
    const parsed = parseBindings(
      {
        'sre-capabilities.dtp.v3.a.tenant': 'abc12345',
        'sre-capabilities.dtp.v3.a.token-spec': 'nope',
        ...v2('def67890'),
      },
      known,
    );
    expect(parsed.bindings.map((b) => b.key)).toEqual(['v3.a', 'v2']);
  });

  it('reports malformed labels: wrong suffix, a missing half, a bad value, an unknown key', () => {
    const parsed = parseBindings(
      {
        'sre-capabilities.dtp.v3.a.tenants': 'abc12345',
        'sre-capabilities.dtp.v3.b.tenant': 'abc12345',
        'sre-capabilities.dtp.v3.c.tenant': 'ABC; DROP',
        'sre-capabilities.dtp.v3.c.token-spec': 'default',
        'sre-capabilities.dtp.v4.tenant': 'abc12345',
        'sre-capabilities.dtp.v2.tenant': 'abc12345',
      },
      known,
    );
    expect(parsed.bindings).toEqual([]);
    expect(parsed.problems.map((p) => [p.label, p.code, p.reason])).toEqual([
      [
        'sre-capabilities.dtp.v3.a.tenants',
        'malformed-label',
        'label key ends in neither .tenant nor .token-spec',
      ],
      [
        'sre-capabilities.dtp.v4.tenant',
        'malformed-label',
        'not a dtp label key (expected v3.<binding>.tenant|token-spec or the v2 pair)',
      ],
      [
        'sre-capabilities.dtp.v3.b.tenant',
        'malformed-label',
        'binding b has no sre-capabilities.dtp.v3.b.token-spec label',
      ],
      [
        'sre-capabilities.dtp.v3.c.tenant',
        'malformed-label',
        'tenant "ABC; DROP" is not a Dynatrace environment id',
      ],
      ['sre-capabilities.dtp.v2.tenant', 'malformed-label', 'sre-capabilities.dtp.v2.token-spec is missing'],
    ]);
  });

  it('never echoes control characters or huge values from labels', () => {
    const parsed = parseBindings({ ...v2('x\u001b[31m'.repeat(40)) }, known);
    const reason = parsed.problems[0]!.reason;
    expect(reason).not.toContain('\u001b');
    expect(reason.length).toBeLessThan(120);
  });
});

describe('resolveBindings (eligibility per binding)', () => {
  const cases: [string, Parameters<typeof config>[0], Record<string, string>, string, string][] = [
    ['unknown tenant', {}, v2('zzz99999'), 'unknown-tenant', 'tenant "zzz99999" is not configured'],
    ['unknown spec', {}, v2('abc12345', 'gold'), 'unknown-spec', 'token spec "gold" is not configured'],
    [
      'org not declared',
      { orgs: [org(ORG_B)] },
      v2('abc12345'),
      'org-not-allowed',
      `organization ${ORG_A} is not an AllowedOrganization`,
    ],
    [
      'tenant does not list the org',
      { tenants: [tenant('abc12345', [ORG_B])] },
      v2('abc12345'),
      'tenant-denies-org',
      `tenant abc12345 (tenant-abc12345) does not list organization ${org(ORG_A).name} in allowedOrganizations`,
    ],
    [
      'spec does not list the org',
      { specs: [defaultSpec([ORG_B])] },
      v2('abc12345'),
      'spec-denies-org',
      `token spec default does not list organization ${org(ORG_A).name} in ocm_org_ids`,
    ],
    [
      'org narrowed to other tenants',
      { orgs: [org(ORG_A, { tenants: ['def67890'] })] },
      v2('abc12345'),
      'org-excludes-tenant',
      `organization ${org(ORG_A).name} limits itself to tenants def67890`,
    ],
    [
      'org narrowed to other specs',
      { orgs: [org(ORG_A, { tokenSpecs: ['other'] })] },
      v2('abc12345'),
      'org-excludes-spec',
      `organization ${org(ORG_A).name} limits itself to token specs other`,
    ],
    [
      'org in another OCM environment',
      { orgs: [org(ORG_A, { ocmEnvironment: 'stage' })] },
      v2('abc12345'),
      'org-wrong-environment',
      `organization ${org(ORG_A).name} is allowed in OCM environment stage, not production`,
    ],
  ];
  it.each(cases)('%s', (_name, parts, labels, code, reason) => {
    const result = resolveBindings(cluster(labels), config(parts));
    expect(result.eligible).toEqual([]);
    expect(result.denials).toEqual([expect.objectContaining({ code, reason, binding: 'v2' })]);
  });

  it('allows one binding and denies the other on the same cluster', () => {
    const c = cluster({
      'sre-capabilities.dtp.v3.ok.tenant': 'abc12345',
      'sre-capabilities.dtp.v3.ok.token-spec': 'default',
      'sre-capabilities.dtp.v3.no.tenant': 'def67890',
      'sre-capabilities.dtp.v3.no.token-spec': 'default',
    });
    const cfg = config({ tenants: [tenant('abc12345'), tenant('def67890', [ORG_B])] });
    const result = resolveBindings(c, cfg);
    expect(result.eligible.map((e) => e.binding.key)).toEqual(['v3.ok']);
    expect(result.denials.map((d) => [d.binding, d.code])).toEqual([['v3.no', 'tenant-denies-org']]);
  });

  it('gives a foreign organization nothing', () => {
    const result = resolveBindings(cluster(v2('abc12345'), { organizationId: ORG_FOREIGN }), config());
    expect(result.eligible).toEqual([]);
    expect(result.denials[0]!.code).toBe('org-not-allowed');
  });

  it('denies the second of two bindings that would deliver the same Secret', () => {
    const c = cluster({
      'sre-capabilities.dtp.v3.a.tenant': 'abc12345',
      'sre-capabilities.dtp.v3.a.token-spec': 'default',
      'sre-capabilities.dtp.v3.b.tenant': 'def67890',
      'sre-capabilities.dtp.v3.b.token-spec': 'default',
    });
    const result = resolveBindings(c, config());
    expect(result.eligible.map((e) => e.binding.key)).toEqual(['v3.a']);
    expect(result.denials).toEqual([
      expect.objectContaining({
        binding: 'v3.b',
        code: 'secret-conflict',
        reason: 'Secret dynatrace/dynatrace-token-dtp is already delivered by binding v3.a',
      }),
    ]);
  });
});
