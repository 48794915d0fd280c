/**
 * The blast-radius guard of re-minting (src/reconcile/remint-guard.ts): a tenant where more than half, and
 * more than 10, of the delivered tokens would be re-minted in one run is held unless `remint` is `force`;
 * `remintsIn` says which cluster plans must be re-planned without a held tenant.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClusterPlan, MintReason, PlannedToken } from '../../src/reconcile/model.js';
import { remintHolds, remintsIn } from '../../src/reconcile/remint-guard.js';
import { Secret } from '../../src/secret.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

/** `existing`: the delivered token is kept; a mint reason: the planner mints a token for that reason. */
type Source = 'existing' | MintReason;

function token(tenantId: string, source: Source): PlannedToken {
  return {
    key: 'apiToken',
    specTokenName: 'operator',
    scopes: [],
    expectedName: 'dtp_operator',
    tenantId,
    source:
      source === 'existing'
        ? { kind: 'existing', id: 'dt0c01.KEPT', value: Secret.plain('dt0c01.KEPT.value') }
        : { kind: 'mint', reason: source },
  };
}

function plan(secrets: { tenantId: string; sources: Source[] }[]): ClusterPlan {
  return {
    cluster: { ocmEnvironment: 'production', id: 'c', externalId: 'e', name: 'n', organizationId: 'o' },
    kind: 'SyncSet',
    delivery: 'patch',
    deliveryReasons: [],
    revokes: [],
    secrets: secrets.map(({ tenantId, sources }, i) => ({
      namespace: 'dynatrace',
      name: `secret-${i}`,
      tenantId,
      binding: 'v2',
      specName: 'default',
      apiUrl: 'https://x/api',
      tokens: sources.map((s) => token(tenantId, s)),
    })),
  };
}

/** One plan (one cluster) per token: the guard counts over the whole run, not per cluster. */
function fleet(tenantId: string, counts: Partial<Record<Source, number>>): ClusterPlan[] {
  return Object.entries(counts).flatMap(([source, n]) =>
    Array.from({ length: n }, () => plan([{ tenantId, sources: [source as Source] }])),
  );
}

describe('re-mint guard threshold', () => {
  it('holds a tenant with 11 of 11 delivered tokens re-minted, but not one with 10 of 10', () => {
    expect(remintHolds(fleet(TENANT_A, { revoked: 10 }), { remint: 'true' })).toEqual([]);
    expect(remintHolds(fleet(TENANT_A, { revoked: 11 }), { remint: 'true' })).toEqual([
      expect.objectContaining({ tenantId: TENANT_A, count: 11, delivered: 11 }),
    ]);
  });

  it('does not hold exactly half of the delivered tokens re-minted, and holds one more', () => {
    expect(remintHolds(fleet(TENANT_A, { revoked: 12, existing: 12 }), { remint: 'true' })).toEqual([]);
    expect(remintHolds(fleet(TENANT_A, { revoked: 13, existing: 11 }), { remint: 'true' })).toEqual([
      expect.objectContaining({ tenantId: TENANT_A, count: 13, delivered: 24 }),
    ]);
  });

  it('gives the hold a reason naming the counts and the share in percent', () => {
    const [hold] = remintHolds(fleet(TENANT_A, { expired: 12, existing: 3 }), { remint: 'true' });
    expect(hold!.reason).toBe(
      '12 of 15 delivered tokens would be re-minted (more than 50%); set remint to force if intended',
    );
    const [strict] = remintHolds(fleet(TENANT_A, { disabled: 12, existing: 30 }), {
      remint: 'true',
      maxShare: 0.25,
    });
    expect(strict!.reason).toBe(
      '12 of 42 delivered tokens would be re-minted (more than 25%); set remint to force if intended',
    );
  });

  it('never holds when remint is force, however many tokens would be re-minted', () => {
    expect(remintHolds(fleet(TENANT_A, { revoked: 50 }), { remint: 'force' })).toEqual([]);
  });
});

describe('re-mint guard counts per tenant', () => {
  let plans: ClusterPlan[];
  beforeEach(() => {
    // TENANT_B first: the holds come out in tenant order, not in the order the plans came.
    plans = [
      ...fleet(TENANT_B, { unreadable: 11 }),
      ...fleet(TENANT_A, { revoked: 11 }),
      // Another tenant's kept tokens do not dilute TENANT_A's share.
      ...fleet('zzz99999', { existing: 100 }),
    ];
  });

  it('holds each tenant on its own share and lists the holds sorted by tenant id', () => {
    expect(remintHolds(plans, { remint: 'true' }).map((h) => [h.tenantId, h.count, h.delivered])).toEqual([
      [TENANT_A, 11, 11],
      [TENANT_B, 11, 11],
    ]);
  });

  it('counts a rotation as a delivered token that is kept, not as a re-mint', () => {
    // 11 re-mints of 22 delivered: exactly half, not held. Counted as re-mints, the rotations would make it 22 of 22.
    expect(remintHolds(fleet(TENANT_A, { revoked: 11, rotation: 11 }), { remint: 'true' })).toEqual([]);
    expect(remintHolds(fleet(TENANT_A, { revoked: 12, rotation: 11 }), { remint: 'true' })).toEqual([
      expect.objectContaining({ count: 12, delivered: 23 }),
    ]);
  });

  it('does not count a new token as delivered', () => {
    expect(remintHolds(fleet(TENANT_A, { revoked: 11, new: 100 }), { remint: 'true' })).toEqual([
      expect.objectContaining({ count: 11, delivered: 11 }),
    ]);
  });
});

describe('a plan is re-planned for a held tenant only when it re-mints one of its tokens', () => {
  const held = new Set([TENANT_A]);

  it.each(['revoked', 'disabled', 'expired', 'unreadable', 'copied'] as const)(
    'a %s re-mint in a held tenant counts',
    (reason) => {
      expect(remintsIn(plan([{ tenantId: TENANT_A, sources: [reason] }]), held)).toBe(true);
    },
  );

  it.each(['existing', 'new', 'rotation'] as const)(
    'a %s token in a held tenant does not count',
    (source) => {
      expect(remintsIn(plan([{ tenantId: TENANT_A, sources: [source] }]), held)).toBe(false);
    },
  );

  it('a re-mint in a tenant that is not held does not count', () => {
    expect(remintsIn(plan([{ tenantId: TENANT_B, sources: ['revoked'] }]), held)).toBe(false);
  });

  it('one re-mint among kept tokens of the same Secret counts', () => {
    expect(remintsIn(plan([{ tenantId: TENANT_A, sources: ['existing', 'revoked', 'new'] }]), held)).toBe(
      true,
    );
  });

  it('one re-minting Secret among Secrets that re-mint nothing counts', () => {
    const p = plan([
      { tenantId: TENANT_B, sources: ['revoked'] },
      { tenantId: TENANT_A, sources: ['existing'] },
      { tenantId: TENANT_A, sources: ['expired'] },
    ]);
    expect(remintsIn(p, held)).toBe(true);
  });
});
