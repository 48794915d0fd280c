/**
 * One mint that is never lost. A mint whose answer was lost or unusable (OutcomeUnknownError) may have
 * created the token: it is looked up by its exact name and revoked before the one retry, so neither a
 * duplicate name nor an orphan survives. Every mint is in the run's ledger until it is settled.
 */
import type { DynatraceClient } from '../clients/api.js';
import { describeError, OutcomeUnknownError } from '../errors.js';
import type { Secret } from '../secret.js';
import type { MintLedger } from './ledger.js';
import type { PlannedToken } from './model.js';

export interface Minted {
  tenantId: string;
  id: string;
  value: Secret;
  /** The ledger entry, settled once delivered or revoked. */
  handle?: number;
}

export interface MintDeps {
  dynatrace: (tenantId: string) => Promise<DynatraceClient>;
  ledger?: MintLedger;
  /** Token ids the run knew before it minted (the tenant's listing): never revoked as a lost mint. */
  isKnown?: (tenantId: string, id: string) => boolean;
}

/** Revokes every token named `name` the run did not know: the lost mint's result. */
async function revokeLostMint(
  dt: DynatraceClient,
  name: string,
  isKnown: (id: string) => boolean,
): Promise<void> {
  const found = (await dt.listTokens(name)).filter((t) => t.name === name && !isKnown(t.id));
  // 'absent' is as good as 'deleted' here: either way the lost mint no longer works.
  for (const token of found) await dt.deleteToken(token.id);
}

export async function mintToken(token: PlannedToken, deps: MintDeps): Promise<Minted> {
  const dt = await deps.dynatrace(token.tenantId);
  const handle = deps.ledger?.begin(token.tenantId, token.expectedName);
  const known = (id: string) => deps.isKnown?.(token.tenantId, id) ?? false;
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await dt.createToken({
        name: token.expectedName,
        scopes: token.scopes,
        ...(token.source.kind === 'mint' && token.source.expiresAt
          ? { expirationDate: token.source.expiresAt }
          : {}),
      });
      if (handle !== undefined) deps.ledger!.minted(handle, created.id);
      return { tenantId: token.tenantId, id: created.id, value: created.token, handle };
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) {
        if (handle !== undefined) deps.ledger!.settle(handle);
        throw error;
      }
      try {
        await revokeLostMint(dt, token.expectedName, known);
      } catch (lookup) {
        // The ledger entry stays open: a deadline compensation retries it; otherwise the next run revokes it.
        throw new Error(
          `the answer to minting ${token.expectedName} was lost and the token could not be looked up to revoke it (the next run revokes it): ${describeError(lookup)}`,
          { cause: lookup },
        );
      }
      if (attempt >= 2) {
        if (handle !== undefined) deps.ledger!.settle(handle);
        throw error;
      }
    }
  }
}
