/**
 * isNoop (src/reconcile/model.ts) decides that a cluster is left alone: reported unchanged and not applied.
 * That is only true when nothing is written, revoked, minted or updated in any of its Secrets; a mint or an
 * update that slipped through as a no-op would never happen, and the report would hide it.
 */
import { describe, expect, it } from 'vitest';
import {
  isNoop,
  type ClusterPlan,
  type PlannedSecret,
  type PlannedToken,
} from '../../src/reconcile/model.js';
import { Secret } from '../../src/secret.js';
import { TENANT_A } from '../fixtures/domain.js';

function token(key: string, extra: Partial<PlannedToken> = {}): PlannedToken {
  return {
    key,
    specTokenName: key,
    scopes: ['metrics.ingest'],
    expectedName: `dtp_${key}_e_000000000000`,
    tenantId: TENANT_A,
    source: { kind: 'existing', id: `dt0c01.${key.toUpperCase()}`, value: new Secret(`dt0c01.${key}.value`) },
    ...extra,
  };
}

function secret(name: string, tokens: PlannedToken[]): PlannedSecret {
  return {
    namespace: 'dynatrace',
    name,
    tenantId: TENANT_A,
    binding: `v3.${name}`,
    specName: 'default',
    apiUrl: `https://${TENANT_A}.live.dynatrace.com/api`,
    tokens,
  };
}

function plan(secrets: PlannedSecret[]): ClusterPlan {
  return {
    cluster: { ocmEnvironment: 'production', id: 'c1', externalId: 'e', name: 'n', organizationId: 'o' },
    kind: 'SyncSet',
    delivery: 'none',
    deliveryReasons: [],
    secrets,
    revokes: [],
  };
}

describe('isNoop', () => {
  it('is a no-op when every token of every Secret is delivered and needs no update', () => {
    expect(isNoop(plan([secret('a', [token('x')]), secret('b', [token('y')])]))).toBe(true);
  });

  it('is not a no-op when a token of any one Secret needs an update, not only of every Secret', () => {
    const update = { id: 'dt0c01.Y', fromName: 'dtp_old', fromScopes: [] };
    expect(isNoop(plan([secret('a', [token('x')]), secret('b', [token('y', { update })])]))).toBe(false);
  });

  it('is not a no-op when a token is to be minted, even with nothing else to write', () => {
    const mint = token('y', { source: { kind: 'mint', reason: 'new' } });
    expect(isNoop(plan([secret('a', [token('x'), mint])]))).toBe(false);
  });
});
