/**
 * Carries out one cluster's plan. The only place with side effects on Dynatrace and OCM, ordered so that a
 * failure never leaves a leak: tokens minted for a delivery that could not be written are revoked again,
 * and replaced tokens are revoked only after the new delivery is confirmed.
 */
import type { DynatraceClient, OcmClient } from '../clients/api.js';
import { describeError, OutcomeUnknownError, RemoteError } from '../errors.js';
import { buildDelivery, parseDelivery, secretData } from './delivery.js';
import type { MintLedger } from './ledger.js';
import { mintToken, type Minted } from './mint.js';
import type { ClusterPlan, PlannedRevoke } from './model.js';
import { DELIVERY_ID } from './naming.js';

const SERVICE_NAME = 'dynatrace-token-provider';
const SERVICE_LOG_SUMMARY = 'Dynatrace Token Provider Errors';
const SERVICE_LOG_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ApplyDeps {
  ocm: OcmClient;
  dynatrace: (tenantId: string) => Promise<DynatraceClient>;
  serviceLogs: boolean;
  now: () => Date;
  /** The run's open mints, compensated at a signal's deadline. */
  ledger?: MintLedger;
  /** Token ids listed before this run minted anything (a lost mint never revokes one of them). */
  isKnown?: (tenantId: string, id: string) => boolean;
  /** True once a signal's deadline passed: no further write starts, what was minted is revoked. */
  stopping?: () => boolean;
}

const INTERRUPTED = 'the run was interrupted (signal) before this cluster was finished';

export interface ClusterResult {
  tokensCreated: number;
  tokensReminted: number;
  /** Successors minted and delivered for tokens due for rotation (their predecessors are kept). */
  tokensRotated?: number;
  tokensUpdated: number;
  tokensRevoked: number;
  delivery: 'created' | 'patched' | 'none';
  /** Tokens minted, then revoked again because the delivery failed. */
  compensated: number;
  /** What went wrong (redacted, no secrets); empty when all went well. */
  errors: string[];
  /** Problems that do not fail the cluster (a superseded token that could not be revoked: retried next run). */
  warnings: string[];
  serviceLog?: 'posted' | 'already-posted' | 'failed';
}

export async function applyClusterPlan(plan: ClusterPlan, deps: ApplyDeps): Promise<ClusterResult> {
  const result: ClusterResult = {
    tokensCreated: 0,
    tokensReminted: 0,
    tokensUpdated: 0,
    tokensRevoked: 0,
    delivery: 'none',
    compensated: 0,
    errors: [],
    warnings: [],
  };

  // 1. Name and scope drift: fixed in place, the value (and so the delivery) does not change.
  for (const secret of plan.secrets) {
    for (const token of secret.tokens) {
      if (!token.update) continue;
      try {
        const dt = await deps.dynatrace(token.tenantId);
        await dt.updateToken(token.update.id, { name: token.expectedName, scopes: token.scopes });
        result.tokensUpdated++;
      } catch (error) {
        result.errors.push(`update of token ${token.update.id} failed: ${describeError(error)}`);
      }
    }
  }

  // 2. Mint what is missing. One failure undoes the others: a half-minted cluster gets nothing.
  const minted = new Map<string, Minted>();
  const mintKey = (secretIndex: number, tokenIndex: number) => `${secretIndex}/${tokenIndex}`;
  try {
    for (const [s, secret] of plan.secrets.entries()) {
      for (const [t, token] of secret.tokens.entries()) {
        if (token.source.kind !== 'mint') continue;
        if (deps.stopping?.()) throw new Error(INTERRUPTED);
        minted.set(mintKey(s, t), await mintToken(token, deps));
        if (token.source.reason === 'new') result.tokensCreated++;
        else if (token.source.reason === 'rotation') result.tokensRotated = (result.tokensRotated ?? 0) + 1;
        else result.tokensReminted++;
      }
    }
  } catch (error) {
    result.errors.push(`minting a token failed: ${describeError(error)}`);
    await compensate(minted, deps, result);
    return result;
  }

  // 3. Write the delivery object; if that fails, revoke what was just minted (nothing leaks, next run starts clean).
  if (plan.delivery !== 'none') {
    const object = buildDelivery(
      plan.kind,
      plan.secrets.map((secret, s) => ({
        namespace: secret.namespace,
        name: secret.name,
        data: secretData(secret, (t) => minted.get(mintKey(s, t))!),
      })),
    );
    try {
      if (deps.stopping?.()) throw new Error(INTERRUPTED);
      result.delivery = await writeOrConfirm(plan, object, minted, deps.ocm);
      for (const token of minted.values()) if (token.handle !== undefined) deps.ledger?.settle(token.handle);
    } catch (error) {
      const message = `${plan.kind} ${DELIVERY_ID} could not be written: ${describeError(error)}`;
      result.errors.push(message);
      await compensate(minted, deps, result);
      if (deps.serviceLogs) result.serviceLog = await postServiceLog(plan, message, deps);
      return result;
    }
  }

  // 4. The cluster now holds the new tokens: revoke the ones they replace.
  for (const revoke of plan.revokes) {
    const outcome = await revokeToken(revoke, deps);
    if (outcome === 'revoked') result.tokensRevoked++;
    else if (outcome !== 'absent') result.warnings.push(outcome);
  }
  return result;
}

/**
 * A write whose answer was lost may have been applied: read the object back before the mints are revoked,
 * or the cluster would be left holding revoked tokens.
 */
async function writeOrConfirm(
  plan: ClusterPlan,
  object: ReturnType<typeof buildDelivery>,
  minted: ReadonlyMap<string, Minted>,
  ocm: OcmClient,
): Promise<'created' | 'patched'> {
  try {
    return await writeDelivery(plan, object, ocm);
  } catch (error) {
    const answered = error instanceof RemoteError && error.status !== undefined && error.status < 500;
    if (answered && !(error instanceof OutcomeUnknownError)) throw error;
    const back = await ocm.getDelivery(plan.cluster.id, plan.kind, DELIVERY_ID).catch(() => undefined);
    const ids = new Set(
      (back ? parseDelivery(back).secrets : []).flatMap((s) =>
        [...s.data].filter(([k]) => k.endsWith('Id')).map(([, v]) => v.reveal()),
      ),
    );
    if (minted.size > 0 && [...minted.values()].every((m) => ids.has(m.id))) {
      return plan.delivery === 'create' ? 'created' : 'patched';
    }
    throw error;
  }
}

async function writeDelivery(
  plan: ClusterPlan,
  object: ReturnType<typeof buildDelivery>,
  ocm: OcmClient,
): Promise<'created' | 'patched'> {
  if (plan.delivery === 'create') {
    try {
      await ocm.createDelivery(plan.cluster.id, object);
      return 'created';
    } catch (error) {
      // Created meanwhile (or by a retried request that did reach OCM): replace its content instead.
      if (!(error instanceof RemoteError && error.isConflict)) throw error;
      await ocm.patchDelivery(plan.cluster.id, object);
      return 'patched';
    }
  }
  try {
    await ocm.patchDelivery(plan.cluster.id, object);
    return 'patched';
  } catch (error) {
    // Deleted since it was read: create it.
    if (!(error instanceof RemoteError && error.isNotFound)) throw error;
    await ocm.createDelivery(plan.cluster.id, object);
    return 'created';
  }
}

async function compensate(
  minted: Map<string, Minted>,
  deps: ApplyDeps,
  result: ClusterResult,
): Promise<void> {
  for (const token of minted.values()) {
    try {
      const dt = await deps.dynatrace(token.tenantId);
      await dt.deleteToken(token.id);
      if (token.handle !== undefined) deps.ledger?.settle(token.handle);
      result.compensated++;
    } catch (error) {
      // Still recognisable next run: a dtp_ token of this cluster that no delivery references is revoked then.
      result.errors.push(
        `token ${token.id} was minted but could not be revoked again: ${describeError(error)}`,
      );
    }
  }
  result.tokensCreated = 0;
  result.tokensReminted = 0;
  if (result.tokensRotated) result.tokensRotated = 0;
}

async function revokeToken(revoke: PlannedRevoke, deps: ApplyDeps): Promise<'revoked' | 'absent' | string> {
  try {
    const dt = await deps.dynatrace(revoke.tenantId);
    return (await dt.deleteToken(revoke.id)) === 'deleted' ? 'revoked' : 'absent';
  } catch (error) {
    return `token ${revoke.id} (${revoke.reason}) could not be revoked, retried next run: ${describeError(error)}`;
  }
}

/** One service log per cluster and message per 24 hours: the cluster's owners see it in OCM. */
async function postServiceLog(
  plan: ClusterPlan,
  message: string,
  deps: ApplyDeps,
): Promise<'posted' | 'already-posted' | 'failed'> {
  const description = `dtp could not deliver the Dynatrace API tokens to this cluster: ${message}. No action is needed from the cluster owner; the next run retries.`;
  try {
    const since = new Date(deps.now().getTime() - SERVICE_LOG_WINDOW_MS);
    const recent = await deps.ocm.listServiceLogs(plan.cluster.externalId, since);
    if (recent.some((log) => log.summary === SERVICE_LOG_SUMMARY && log.description === description)) {
      return 'already-posted';
    }
    await deps.ocm.createServiceLog({
      clusterUuid: plan.cluster.externalId,
      serviceName: SERVICE_NAME,
      summary: SERVICE_LOG_SUMMARY,
      description,
      severity: 'Moderate',
    });
    return 'posted';
  } catch {
    return 'failed';
  }
}
