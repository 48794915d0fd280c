/**
 * Compensation in applyClusterPlan: a token minted for a delivery that fails is revoked again (and only
 * that one), a half-minted cluster gets nothing, a stop by signal starts no further write, and the ledger
 * holds exactly the mints not yet delivered or revoked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { applyClusterPlan } from '../../src/reconcile/apply.js';
import { MintLedger } from '../../src/reconcile/ledger.js';
import { DELIVERY_ID } from '../../src/reconcile/naming.js';
import { Secret } from '../../src/secret.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';
import {
  applyWorld,
  CLUSTER_ID,
  deps,
  liveIds,
  mint,
  ocmWrites,
  opsOf,
  plan,
  token,
  type ApplyWorld,
} from './apply-world.js';

const INTERRUPTED = 'the run was interrupted (signal) before this cluster was finished';

let w: ApplyWorld;
let ledger: MintLedger;
beforeEach(() => {
  w = applyWorld();
  ledger = new MintLedger();
});

/** A token that was live before the run, delivered to the cluster and kept by the plan. */
async function existingToken(key: string) {
  const created = await w.dt.get(TENANT_A)!.createToken({ name: `dtp_${key}_kept`, scopes: [] });
  return token(key, { kind: 'existing', id: created.id, value: created.token });
}

describe('compensation: a token minted for a delivery that fails is revoked, and only that one', () => {
  it('revokes both tokens minted for a failed create, keeps the existing one and the planned revoke', async () => {
    const kept = await existingToken('kept');
    const keptId = (kept.source as { id: string }).id;
    w.ocm.failing.createDelivery = 400;
    const p = plan(
      'create',
      [[token('operator', mint()), kept, token('ingest', mint())]],
      [{ tenantId: TENANT_A, id: keptId, name: 'dtp_kept_kept', reason: 'superseded' }],
    );

    const result = await applyClusterPlan(p, deps(w, { ledger }));

    expect(result).toStrictEqual({
      tokensCreated: 0,
      tokensReminted: 0,
      tokensUpdated: 0,
      tokensRevoked: 0,
      delivery: 'none',
      compensated: 2,
      errors: [
        `SyncSet ${DELIVERY_ID} could not be written: ocm createDelivery (X /createDelivery) failed with HTTP 400`,
      ],
      warnings: [],
      serviceLog: 'posted',
    });
    // Only the pre-existing token is left: the two fresh mints are gone, the planned revoke never ran.
    expect(liveIds(w)).toEqual([keptId]);
    expect(ledger.size).toBe(0);
  });

  it('resets the rotation and re-mint counts when the minted successors are revoked again', async () => {
    w.ocm.failing.patchDelivery = 400;
    const p = plan('patch', [[token('operator', mint('rotation')), token('ingest', mint('revoked'))]]);

    const result = await applyClusterPlan(p, deps(w, { serviceLogs: false }));

    expect(result.tokensRotated).toBe(0);
    expect(result.tokensReminted).toBe(0);
    expect(result.compensated).toBe(2);
    expect(liveIds(w)).toEqual([]);
  });

  it('a half-minted cluster gets nothing: one failed mint revokes the others and writes no delivery', async () => {
    w.dt.get(TENANT_B)!.failing.createToken = 500;
    const p = plan('create', [
      [token('operator', mint()), token('ingest', mint())],
      [token('other', mint(), { tenantId: TENANT_B })],
    ]);

    const result = await applyClusterPlan(p, deps(w, { ledger }));

    expect(result).toStrictEqual({
      tokensCreated: 0,
      tokensReminted: 0,
      tokensUpdated: 0,
      tokensRevoked: 0,
      delivery: 'none',
      compensated: 2,
      errors: ['minting a token failed: dynatrace createToken (X /createToken) failed with HTTP 500'],
      warnings: [],
    });
    expect(liveIds(w)).toEqual([]);
    expect(ocmWrites(w)).toEqual([]);
    expect(ledger.size).toBe(0);
  });

  it('reports a minted token it could not revoke again and leaves it open in the ledger', async () => {
    w.ocm.failing.createDelivery = 400;
    w.dt.get(TENANT_A)!.failing.deleteToken = 503;

    const result = await applyClusterPlan(
      plan('create', [[token('operator', mint())]]),
      deps(w, { ledger, serviceLogs: false }),
    );

    const [id] = liveIds(w);
    expect(result.compensated).toBe(0);
    expect(result.errors).toEqual([
      `SyncSet ${DELIVERY_ID} could not be written: ocm createDelivery (X /createDelivery) failed with HTTP 400`,
      `token ${id} was minted but could not be revoked again: dynatrace deleteToken (X /deleteToken) failed with HTTP 503`,
    ]);
    // Still open: the deadline compensation (or the next run) revokes it.
    expect(ledger.size).toBe(1);
  });

  it('leaves no service log when service logs are off', async () => {
    w.ocm.failing.createDelivery = 400;

    const result = await applyClusterPlan(
      plan('create', [[token('operator', mint())]]),
      deps(w, { serviceLogs: false }),
    );

    expect('serviceLog' in result).toBe(false);
    expect(opsOf(w, 'ocm')).toEqual(['createDelivery']);
    expect(w.ocm.serviceLogs).toEqual([]);
  });
});

describe('delivered mints are settled in the ledger', () => {
  it('settles every mint once the delivery is written, and counts new tokens as created', async () => {
    const p = plan('create', [[token('operator', mint()), token('ingest', mint())]]);

    const result = await applyClusterPlan(p, deps(w, { ledger }));

    expect(result).toStrictEqual({
      tokensCreated: 2,
      tokensReminted: 0,
      tokensUpdated: 0,
      tokensRevoked: 0,
      delivery: 'created',
      compensated: 0,
      errors: [],
      warnings: [],
    });
    expect(ledger.size).toBe(0);
    expect(liveIds(w)).toHaveLength(2);
  });

  it('counts each mint under its reason: new, re-minted, rotated', async () => {
    const p = plan('create', [
      [token('a', mint('new')), token('b', mint('revoked')), token('c', mint('rotation'))],
    ]);

    const result = await applyClusterPlan(p, deps(w));

    expect([result.tokensCreated, result.tokensReminted, result.tokensRotated]).toEqual([1, 1, 1]);
    expect(result.delivery).toBe('created');
  });
});

describe('a stop by signal starts no further write', () => {
  it('mints nothing once the deadline passed', async () => {
    const result = await applyClusterPlan(
      plan('create', [[token('operator', mint())]]),
      deps(w, { stopping: () => true }),
    );

    expect(result.errors).toEqual([`minting a token failed: ${INTERRUPTED}`]);
    expect(opsOf(w, 'dynatrace')).toEqual([]);
    expect(opsOf(w, 'ocm')).toEqual([]);
  });

  it('writes no delivery when the deadline passed after minting, and revokes the mints', async () => {
    const dt = w.dt.get(TENANT_A)!;
    // The deadline passes once both tokens are minted.
    const stopping = () => dt.tokens.size >= 2;

    const result = await applyClusterPlan(
      plan('create', [[token('operator', mint()), token('ingest', mint())]]),
      deps(w, { stopping, ledger, serviceLogs: false }),
    );

    expect(result.errors).toEqual([`SyncSet ${DELIVERY_ID} could not be written: ${INTERRUPTED}`]);
    expect(result.compensated).toBe(2);
    expect(opsOf(w, 'ocm')).toEqual([]);
    expect(w.ocm.deliveries.has(CLUSTER_ID)).toBe(false);
    expect(liveIds(w)).toEqual([]);
    expect(ledger.size).toBe(0);
  });
});

describe('name and scope drift is fixed in place', () => {
  it('updates drifted tokens, reports one that fails, and still writes the delivery', async () => {
    const live = await w.dt.get(TENANT_A)!.createToken({ name: 'dtp_old', scopes: [] });
    const drifted = token(
      'operator',
      { kind: 'existing', id: live.id, value: live.token },
      { update: { id: live.id, fromName: 'dtp_old', fromScopes: [] } },
    );
    const gone = token(
      'ingest',
      { kind: 'existing', id: 'dt0c01.GONE', value: new Secret('dt0c01.GONE.value') },
      { update: { id: 'dt0c01.GONE', fromName: 'dtp_old2', fromScopes: [] } },
    );

    const result = await applyClusterPlan(plan('create', [[drifted, gone]]), deps(w));

    expect(result.tokensUpdated).toBe(1);
    expect(result.errors).toEqual([
      'update of token dt0c01.GONE failed: dynatrace update (PUT /x) failed with HTTP 404',
    ]);
    expect(w.dt.get(TENANT_A)!.tokens.get(live.id)!.name).toBe(drifted.expectedName);
    expect(result.delivery).toBe('created');
  });
});

describe('replaced tokens are revoked only after the delivery', () => {
  it('counts what was revoked, passes over what was already gone, and warns about what failed', async () => {
    const a = w.dt.get(TENANT_A)!;
    const old = await a.createToken({ name: 'dtp_old', scopes: [] });
    const older = await a.createToken({ name: 'dtp_older', scopes: [] });
    const b = w.dt.get(TENANT_B)!;
    const other = await b.createToken({ name: 'dtp_other', scopes: [] });
    b.failing.deleteToken = 500;
    const p = plan(
      'none',
      [],
      [
        { tenantId: TENANT_A, id: old.id, name: 'dtp_old', reason: 'superseded' },
        { tenantId: TENANT_A, id: older.id, name: 'dtp_older', reason: 'rotated' },
        { tenantId: TENANT_A, id: 'dt0c01.ALREADYGONE', name: 'dtp_gone', reason: 'orphan' },
        { tenantId: TENANT_B, id: other.id, name: 'dtp_other', reason: 'expired' },
      ],
    );

    const result = await applyClusterPlan(p, deps(w));

    expect(result).toStrictEqual({
      tokensCreated: 0,
      tokensReminted: 0,
      tokensUpdated: 0,
      tokensRevoked: 2,
      delivery: 'none',
      compensated: 0,
      errors: [],
      warnings: [
        `token ${other.id} (expired) could not be revoked, retried next run: dynatrace deleteToken (X /deleteToken) failed with HTTP 500`,
      ],
    });
    expect(a.tokens.size).toBe(0);
  });
});
