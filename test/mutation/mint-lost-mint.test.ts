/**
 * No mint lost: a mint whose outcome is unknown is looked up by its exact name, the tokens the run did not
 * know are revoked, and it is retried once; every mint stays in the ledger until it is delivered or revoked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { OutcomeUnknownError, RemoteError } from '../../src/errors.js';
import { MintLedger } from '../../src/reconcile/ledger.js';
import { mintToken } from '../../src/reconcile/mint.js';
import { FakeDynatrace, type Call } from '../reconcile/fakes.js';
import { TENANT_A } from '../fixtures/domain.js';
import { mint, SCOPES, token } from './apply-world.js';

let calls: Call[];
let dt: FakeDynatrace;
let ledger: MintLedger;
const planned = token('operator', mint());
const NAME = planned.expectedName;

beforeEach(() => {
  calls = [];
  dt = new FakeDynatrace(TENANT_A, calls);
  ledger = new MintLedger();
});

const ops = () => calls.map((c) => c.op);
const namedExactly = () => [...dt.tokens.values()].filter((t) => t.name === NAME).map((t) => t.id);

describe('no mint lost: unknown outcome → look up by exact name, revoke the unknown ones, retry once', () => {
  it('revokes the lost token only, keeps known and longer-named tokens, and returns the retry', async () => {
    const before = await dt.createToken({ name: NAME, scopes: SCOPES });
    const longer = await dt.createToken({ name: `${NAME}x`, scopes: SCOPES });
    calls.length = 0;
    dt.loseCreates = 1;

    const minted = await mintToken(planned, {
      dynatrace: async () => dt,
      ledger,
      isKnown: (tenantId, id) => tenantId === TENANT_A && id === before.id,
    });

    expect(namedExactly().sort()).toEqual([before.id, minted.id].sort());
    expect(dt.tokens.has(longer.id)).toBe(true);
    expect(ops()).toEqual(['createToken', 'listTokens', 'deleteToken', 'createToken']);
    expect(minted.tenantId).toBe(TENANT_A);
    expect(minted.value.reveal()).toBe(dt.tokens.get(minted.id)!.value);
  });

  it('revokes the lost token when the run knew no tokens at all, and works without a ledger', async () => {
    dt.loseCreates = 1;

    const minted = await mintToken(planned, { dynatrace: async () => dt });

    expect(namedExactly()).toEqual([minted.id]);
    expect(minted.handle).toBeUndefined();
  });

  it('gives up after the second lost answer, revoking both tokens and settling the ledger', async () => {
    dt.loseCreates = 2;

    const attempt = mintToken(planned, { dynatrace: async () => dt, ledger, isKnown: () => false });

    await expect(attempt).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(ops().filter((op) => op === 'createToken')).toHaveLength(2);
    expect(dt.tokens.size).toBe(0);
    expect(ledger.size).toBe(0);
  });

  it('gives up after the second lost answer without a ledger, with the lost answer as the error', async () => {
    dt.loseCreates = 2;

    await expect(mintToken(planned, { dynatrace: async () => dt })).rejects.toBeInstanceOf(
      OutcomeUnknownError,
    );
    expect(dt.tokens.size).toBe(0);
  });

  it('keeps the mint open in the ledger when the lost token cannot be looked up, and does not retry', async () => {
    dt.loseCreates = 1;
    dt.failing.listTokens = 503;

    const error: Error = await mintToken(planned, { dynatrace: async () => dt, ledger }).catch((e) => e);

    expect(error.message).toBe(
      `the answer to minting ${NAME} was lost and the token could not be looked up to revoke it (the next run revokes it): dynatrace listTokens (X /listTokens) failed with HTTP 503`,
    );
    expect(error.cause).toBeInstanceOf(RemoteError);
    expect((error.cause as RemoteError).status).toBe(503);
    expect(ops()).toEqual(['createToken', 'listTokens']);
    expect(ledger.size).toBe(1);
    // Once the listing works again, the deadline compensation finds it by name.
    delete dt.failing.listTokens;
    expect(
      await ledger.compensate(
        async () => dt,
        () => false,
      ),
    ).toEqual({ revoked: 1, errors: [] });
    expect(dt.tokens.size).toBe(0);
  });
});

describe('a refused mint is not a lost one', () => {
  it('fails at once without a lookup or retry and settles its ledger entry', async () => {
    dt.failing.createToken = 500;

    const attempt = mintToken(planned, { dynatrace: async () => dt, ledger });

    await expect(attempt).rejects.toThrow('dynatrace createToken (X /createToken) failed with HTTP 500');
    expect(ops()).toEqual(['createToken']);
    expect(ledger.size).toBe(0);
  });

  it('fails with the remote error when there is no ledger', async () => {
    dt.failing.createToken = 500;

    const error = await mintToken(planned, { dynatrace: async () => dt }).catch((e) => e);

    expect(error).toBeInstanceOf(RemoteError);
    expect(error.status).toBe(500);
  });
});

describe('the ledger holds each mint by its id once the answer arrived', () => {
  it('compensates a delivered-never mint by its id, without listing the tenant', async () => {
    const minted = await mintToken(planned, { dynatrace: async () => dt, ledger });
    calls.length = 0;

    const undone = await ledger.compensate(
      async () => dt,
      () => false,
    );

    expect(undone).toEqual({ revoked: 1, errors: [] });
    expect(calls).toEqual([{ system: 'dynatrace', op: 'deleteToken', target: `${TENANT_A}/${minted.id}` }]);
  });
});

describe('a token with a lifetime is minted with its expiry, one without has none', () => {
  let requests: unknown[];
  beforeEach(() => {
    requests = [];
    const create = dt.createToken.bind(dt);
    dt.createToken = (request) => {
      requests.push(request);
      return create(request);
    };
  });

  it('sends expirationDate from the plan', async () => {
    const expiring = token('operator', {
      kind: 'mint',
      reason: 'rotation',
      expiresAt: '2027-01-01T00:00:00.000Z',
    });

    await mintToken(expiring, { dynatrace: async () => dt });

    expect(requests).toStrictEqual([
      { name: NAME, scopes: SCOPES, expirationDate: '2027-01-01T00:00:00.000Z' },
    ]);
  });

  it('sends no expirationDate field at all without one', async () => {
    await mintToken(planned, { dynatrace: async () => dt });

    expect(requests).toStrictEqual([{ name: NAME, scopes: SCOPES }]);
  });
});
