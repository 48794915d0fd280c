/**
 * The mint ledger revokes exactly the undelivered mints at a signal's deadline: by id when the mint's answer
 * arrived, otherwise by exact name, never a token the run knew before or one delivered in this run.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MintLedger } from '../../src/reconcile/ledger.js';
import { FakeDynatrace, type Call } from '../reconcile/fakes.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

const NAME = 'dtp_operator_00000000-0000-4000-8000-00000000a001_0123456789ab';

let calls: Call[];
let dts: Map<string, FakeDynatrace>;
let ledger: MintLedger;
const dynatrace = async (tenantId: string) => dts.get(tenantId)!;
const a = () => dts.get(TENANT_A)!;

beforeEach(() => {
  calls = [];
  dts = new Map([TENANT_A, TENANT_B].map((t) => [t, new FakeDynatrace(t, calls)]));
  ledger = new MintLedger();
});

describe('the ledger revokes exactly the undelivered mints', () => {
  it('hands out a distinct positive handle per mint, so settling one never settles another', () => {
    const first = ledger.begin(TENANT_A, NAME);
    const second = ledger.begin(TENANT_A, NAME);

    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    ledger.settle(first);
    expect(ledger.size).toBe(1);
  });

  it('revokes an open mint by its id, not a same-named token delivered earlier in the run', async () => {
    const delivered = await a().createToken({ name: NAME, scopes: [] });
    const deliveredHandle = ledger.begin(TENANT_A, NAME);
    ledger.minted(deliveredHandle, delivered.id);
    ledger.settle(deliveredHandle);
    const open = await a().createToken({ name: NAME, scopes: [] });
    ledger.minted(ledger.begin(TENANT_A, NAME), open.id);
    calls.length = 0;

    const undone = await ledger.compensate(dynatrace, () => false);

    expect(undone).toEqual({ revoked: 1, errors: [] });
    expect([...a().tokens.keys()]).toEqual([delivered.id]);
    expect(calls.map((c) => c.op)).toEqual(['deleteToken']);
    expect(ledger.size).toBe(0);
  });

  it('ignores an answer that arrives for a mint already settled', () => {
    const handle = ledger.begin(TENANT_A, NAME);
    ledger.settle(handle);

    expect(() => ledger.minted(handle, 'dt0c01.LATE')).not.toThrow();
    expect(ledger.size).toBe(0);
  });

  it('without an answer, revokes by exact name only the tokens the run did not know', async () => {
    const lost = await a().createToken({ name: NAME, scopes: [] });
    const known = await a().createToken({ name: NAME, scopes: [] });
    const longer = await a().createToken({ name: `${NAME}x`, scopes: [] });
    ledger.begin(TENANT_A, NAME);

    const undone = await ledger.compensate(
      dynatrace,
      (tenantId, id) => tenantId === TENANT_A && id === known.id,
    );

    expect(undone).toEqual({ revoked: 1, errors: [] });
    expect([...a().tokens.keys()].sort()).toEqual([known.id, longer.id].sort());
    expect(a().tokens.has(lost.id)).toBe(false);
    expect(ledger.size).toBe(0);
  });

  it('keeps a mint it could not revoke open, and says which token of which tenant', async () => {
    const minted = await a().createToken({ name: NAME, scopes: [] });
    ledger.minted(ledger.begin(TENANT_A, NAME), minted.id);
    a().failing.deleteToken = 503;
    ledger.begin(TENANT_B, `${NAME}b`);
    dts.get(TENANT_B)!.failing.listTokens = 502;

    const undone = await ledger.compensate(dynatrace, () => false);

    expect(undone.revoked).toBe(0);
    expect(undone.errors.sort()).toEqual(
      [
        `token ${minted.id} of tenant ${TENANT_A} was minted for an interrupted cluster and could not be revoked (the next run revokes it): dynatrace deleteToken (X /deleteToken) failed with HTTP 503`,
        `token ${NAME}b of tenant ${TENANT_B} was minted for an interrupted cluster and could not be revoked (the next run revokes it): dynatrace listTokens (X /listTokens) failed with HTTP 502`,
      ].sort(),
    );
    expect(ledger.size).toBe(2);
  });
});
