/**
 * OCM labels into bindings (src/reconcile/bindings.ts). Label keys and values are written by cluster owners:
 * every value dtp would act on is checked against its pattern end to end, every rejected label is reported
 * with the label, the binding it was meant for and a reason the owner can act on, and nothing unprintable or
 * unbounded from a label reaches a message.
 */
import { describe, expect, it } from 'vitest';
import { parseBindings, quoteValue } from '../../src/reconcile/bindings.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

const V3 = 'sre-capabilities.dtp.v3.';
const V2_TENANT = 'sre-capabilities.dtp.v2.tenant';
const V2_SPEC = 'sre-capabilities.dtp.v2.token-spec';

const known = (name: string) => name === 'default';

/** The labels of one v3 binding. */
function v3(name: string, tenantId: string, spec = 'default'): Record<string, string> {
  return { [`${V3}${name}.tenant`]: tenantId, [`${V3}${name}.token-spec`]: spec };
}

function malformed(label: string, reason: string, binding?: string) {
  return { label, code: 'malformed-label', reason, ...(binding ? { binding } : {}) };
}

function binding(name: string, tenantId: string, specName = 'default') {
  return {
    key: `v3.${name}`,
    tenantId,
    specName,
    tenantLabel: `${V3}${name}.tenant`,
    specLabel: `${V3}${name}.token-spec`,
  };
}

describe('quoteValue: label values in messages', () => {
  it('replaces every non-printable or non-ASCII character with ?', () => {
    expect(quoteValue('ab\u001b[31mc\u00e9\n')).toBe('"ab?[31mc??"');
  });

  it('keeps values of up to 64 characters whole and cuts longer ones to 61 and an ellipsis', () => {
    expect(quoteValue('x'.repeat(64))).toBe(`"${'x'.repeat(64)}"`);
    expect(quoteValue(`${'y'.repeat(61)}zzzz`)).toBe(`"${'y'.repeat(61)}..."`);
  });

  it('shows the cleaned value in the reason of a rejected tenant', () => {
    const parsed = parseBindings(v3('a', 'ab\u0007c'), known);
    expect(parsed.problems).toStrictEqual([
      malformed(`${V3}a.tenant`, 'tenant "ab?c" is not a Dynatrace environment id', 'v3.a'),
    ]);
  });
});

describe('parseBindings: values', () => {
  it('rejects a tenant with a valid id followed by junk', () => {
    const parsed = parseBindings(v3('a', `${TENANT_A}; rm -rf`), known);
    expect(parsed.bindings).toStrictEqual([]);
    expect(parsed.problems).toStrictEqual([
      malformed(`${V3}a.tenant`, `tenant "${TENANT_A}; rm -rf" is not a Dynatrace environment id`, 'v3.a'),
    ]);
  });

  it('rejects a token spec name with junk after or before a valid name, reported on the token-spec label', () => {
    const parsed = parseBindings(
      { ...v3('after', TENANT_A, 'default; x'), ...v3('before', TENANT_B, '../default') },
      known,
    );
    expect(parsed.bindings).toStrictEqual([]);
    expect(parsed.problems).toStrictEqual([
      malformed(`${V3}after.token-spec`, 'token spec "default; x" is not a valid name', 'v3.after'),
      malformed(`${V3}before.token-spec`, 'token spec "../default" is not a valid name', 'v3.before'),
    ]);
  });

  it('rejects a v2 token spec name that is not a valid name', () => {
    const parsed = parseBindings({ [V2_TENANT]: TENANT_A, [V2_SPEC]: 'de fault' }, known);
    expect(parsed.bindings).toStrictEqual([]);
    expect(parsed.problems).toStrictEqual([
      malformed(V2_SPEC, 'token spec "de fault" is not a valid name', 'v2'),
    ]);
  });

  it('accepts a single-character token spec name and a single-character binding name', () => {
    const parsed = parseBindings(v3('b', TENANT_A, 'x'), known);
    expect(parsed.problems).toStrictEqual([]);
    expect(parsed.bindings).toStrictEqual([binding('b', TENANT_A, 'x')]);
  });
});

describe('parseBindings: label keys', () => {
  it('rejects binding names that are empty, or start or end with anything but a letter or digit', () => {
    const parsed = parseBindings(
      {
        [`${V3}tenant`]: TENANT_A,
        [`${V3}-a.tenant`]: TENANT_A,
        [`${V3}-a.token-spec`]: 'default',
        [`${V3}b-.tenant`]: TENANT_A,
        [`${V3}b-.token-spec`]: 'default',
        [`${V3}c d.tenant`]: TENANT_A,
        [`${V3}c d.token-spec`]: 'default',
      },
      known,
    );
    expect(parsed.bindings).toStrictEqual([]);
    expect(parsed.problems).toStrictEqual([
      malformed(`${V3}-a.tenant`, 'binding name "-a" is not valid'),
      malformed(`${V3}-a.token-spec`, 'binding name "-a" is not valid'),
      malformed(`${V3}b-.tenant`, 'binding name "b-" is not valid'),
      malformed(`${V3}b-.token-spec`, 'binding name "b-" is not valid'),
      malformed(`${V3}c d.tenant`, 'binding name "c d" is not valid'),
      malformed(`${V3}c d.token-spec`, 'binding name "c d" is not valid'),
      malformed(`${V3}tenant`, 'binding name "" is not valid'),
    ]);
  });

  it('reads a key with an empty binding name before the suffix as a wrong suffix', () => {
    const parsed = parseBindings({ [`${V3}.tenant`]: TENANT_A, [`${V3}.token-spec`]: 'default' }, known);
    expect(parsed.bindings).toStrictEqual([]);
    expect(parsed.problems).toStrictEqual([
      malformed(`${V3}.tenant`, 'label key ends in neither .tenant nor .token-spec'),
      malformed(`${V3}.token-spec`, 'label key ends in neither .tenant nor .token-spec'),
    ]);
  });

  it('keeps dots inside a binding name and splits at the last one', () => {
    const parsed = parseBindings(v3('team.a', TENANT_A), known);
    expect(parsed.problems).toStrictEqual([]);
    expect(parsed.bindings).toStrictEqual([binding('team.a', TENANT_A)]);
  });

  it('reports a binding with a token spec and no tenant on its token-spec label, for its binding', () => {
    const parsed = parseBindings({ [`${V3}x.token-spec`]: 'default' }, known);
    expect(parsed).toStrictEqual({
      bindings: [],
      problems: [malformed(`${V3}x.token-spec`, `binding x has no ${V3}x.tenant label`, 'v3.x')],
    });
  });

  it('reports a binding with a tenant and no token spec on its tenant label, for its binding', () => {
    const parsed = parseBindings({ [`${V3}x.tenant`]: TENANT_A }, known);
    expect(parsed.problems).toStrictEqual([
      malformed(`${V3}x.tenant`, `binding x has no ${V3}x.token-spec label`, 'v3.x'),
    ]);
  });

  it('orders problems and bindings by label key, whatever order OCM returned the labels in', () => {
    const parsed = parseBindings(
      {
        ...v3('z', TENANT_B),
        [`${V3}b.tenants`]: TENANT_A,
        ...v3('m', TENANT_A),
        [`${V3}a.tenants`]: TENANT_A,
      },
      known,
    );
    expect(parsed.problems.map((p) => p.label)).toStrictEqual([`${V3}a.tenants`, `${V3}b.tenants`]);
    expect(parsed.bindings).toStrictEqual([binding('m', TENANT_A), binding('z', TENANT_B)]);
  });
});

describe('parseBindings: the v2 pair', () => {
  it('reports nothing for a cluster without v2 labels whose v3 bindings name no known spec', () => {
    expect(parseBindings({}, known)).toStrictEqual({ bindings: [], problems: [] });
    expect(parseBindings(v3('a', TENANT_A, 'gold'), known)).toStrictEqual({
      bindings: [binding('a', TENANT_A, 'gold')],
      problems: [],
    });
  });

  it('reports a lone v2 token-spec label on that label: the tenant label is missing', () => {
    const parsed = parseBindings({ [V2_SPEC]: 'default' }, known);
    expect(parsed).toStrictEqual({
      bindings: [],
      problems: [malformed(V2_SPEC, `${V2_TENANT} is missing`, 'v2')],
    });
  });

  it('reports a lone v2 tenant label on that label: the token-spec label is missing', () => {
    const parsed = parseBindings({ [V2_TENANT]: TENANT_A }, known);
    expect(parsed).toStrictEqual({
      bindings: [],
      problems: [malformed(V2_TENANT, `${V2_SPEC} is missing`, 'v2')],
    });
  });

  it('reads a complete v2 pair as the binding v2', () => {
    const parsed = parseBindings({ [V2_TENANT]: TENANT_A, [V2_SPEC]: 'default' }, known);
    expect(parsed).toStrictEqual({
      bindings: [
        { key: 'v2', tenantId: TENANT_A, specName: 'default', tenantLabel: V2_TENANT, specLabel: V2_SPEC },
      ],
      problems: [],
    });
  });
});
