/**
 * Names on the wire that a fleet managed by the reference implementation already carries. Changing any of
 * them re-issues every token of every cluster, so they are fixed here and tested against known vectors.
 */
import { createHash } from 'node:crypto';

/** Every token dtp manages starts with this; nothing else is ever listed, changed or revoked. */
export const TOKEN_PREFIX = 'dtp_';

/** The SyncSet (classic clusters) or Manifest (hosted control planes) that carries the Secrets. */
export const DELIVERY_ID = 'ext-dynatrace-tokens-dtp';

/** OCM label keys: `sre-capabilities.dtp.v3.<binding>.tenant|token-spec` and the v2 pair. */
export const LABEL_PREFIX = 'sre-capabilities.dtp.';
export const LABEL_SEARCH = `${LABEL_PREFIX}%`;
export const V2_TENANT_LABEL = `${LABEL_PREFIX}v2.tenant`;
export const V2_SPEC_LABEL = `${LABEL_PREFIX}v2.token-spec`;
export const V3_PREFIX = `${LABEL_PREFIX}v3.`;

/** Spec token names are cut to this length inside token names (Dynatrace names stay ≤ 100 characters). */
export const SPEC_TOKEN_NAME_MAX = 46;

/** First 12 hex digits of sha256 over the scopes sorted by code point and joined by ",". */
export function scopesHash(scopes: readonly string[]): string {
  return createHash('sha256')
    .update([...scopes].sort().join(','), 'utf8')
    .digest('hex')
    .slice(0, 12);
}

/** `dtp_<specTokenName[:46]>_<clusterExternalId>_<scopesHash>`: the scopes are in the name, so drift shows in a list. */
export function tokenName(
  specTokenName: string,
  clusterExternalId: string,
  scopes: readonly string[],
): string {
  return `${TOKEN_PREFIX}${specTokenName.slice(0, SPEC_TOKEN_NAME_MAX)}_${clusterExternalId}_${scopesHash(scopes)}`;
}

export interface ParsedTokenName {
  /** The (possibly cut) spec token name. */
  specTokenName: string;
  clusterExternalId: string;
  scopesHash: string;
}

// The spec token name may itself contain underscores, so the name is read from the end.
const TOKEN_NAME = /^dtp_(.+)_([0-9A-Za-z][0-9A-Za-z-]*)_([0-9a-f]{12})$/;

/** Reads a dtp token name back; undefined for names dtp did not make. */
export function parseTokenName(name: string): ParsedTokenName | undefined {
  const match = TOKEN_NAME.exec(name);
  if (!match) return undefined;
  return { specTokenName: match[1]!, clusterExternalId: match[2]!, scopesHash: match[3]! };
}

/** The token id is the value's first two dot-separated parts: `dt0c01.<public>` of `dt0c01.<public>.<secret>`. */
export function tokenIdOf(value: string): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  return `${parts[0]}.${parts[1]}`;
}
