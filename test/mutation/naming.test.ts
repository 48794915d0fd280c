/**
 * Names on the wire (src/reconcile/naming.ts). A fleet managed by the reference implementation already carries
 * these names and labels: changing one re-issues every token of every cluster, or makes dtp blind to the
 * tokens and deliveries it made. The values are spelled out here on purpose, not imported.
 */
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_ID,
  LABEL_PREFIX,
  LABEL_SEARCH,
  parseTokenName,
  scopesHash,
  SPEC_TOKEN_NAME_MAX,
  TOKEN_PREFIX,
  tokenIdOf,
  tokenName,
  V2_SPEC_LABEL,
  V2_TENANT_LABEL,
  V3_PREFIX,
} from '../../src/reconcile/naming.js';

const UUID = '0123abcd-4567-89ef-0123-456789abcdef';
const HASH = scopesHash(['logs.ingest']);

describe('wire names never change', () => {
  it('keeps the token prefix, delivery id and label keys of the reference implementation', () => {
    expect(TOKEN_PREFIX).toBe('dtp_');
    expect(DELIVERY_ID).toBe('ext-dynatrace-tokens-dtp');
    expect(LABEL_PREFIX).toBe('sre-capabilities.dtp.');
    expect(LABEL_SEARCH).toBe('sre-capabilities.dtp.%');
    expect(V2_TENANT_LABEL).toBe('sre-capabilities.dtp.v2.tenant');
    expect(V2_SPEC_LABEL).toBe('sre-capabilities.dtp.v2.token-spec');
    expect(V3_PREFIX).toBe('sre-capabilities.dtp.v3.');
    expect(SPEC_TOKEN_NAME_MAX).toBe(46);
  });

  it('keeps a spec token name of exactly 46 characters whole, and cuts the 47th', () => {
    expect(tokenName('y'.repeat(46), UUID, ['logs.ingest'])).toBe(`dtp_${'y'.repeat(46)}_${UUID}_${HASH}`);
    expect(tokenName(`${'y'.repeat(46)}z`, UUID, ['logs.ingest'])).toBe(
      `dtp_${'y'.repeat(46)}_${UUID}_${HASH}`,
    );
  });
});

describe('only names dtp made are read back as dtp tokens (nothing else is ever changed or revoked)', () => {
  it('reads its own name back', () => {
    expect(parseTokenName(`dtp_s_${UUID}_${HASH}`)).toEqual({
      specTokenName: 's',
      clusterExternalId: UUID,
      scopesHash: HASH,
    });
  });

  it.each([
    ['text before the prefix', `xdtp_s_${UUID}_${HASH}`],
    ['another prefix', `dtq_s_${UUID}_${HASH}`],
    ['text after the hash', `dtp_s_${UUID}_${HASH}x`],
    ['a hash one digit short', `dtp_s_${UUID}_${HASH.slice(1)}`],
    ['a hash in upper case', `dtp_s_${UUID}_${HASH.toUpperCase()}`],
    ['a cluster id starting with a dash', `dtp_s_-${UUID}_${HASH}`],
    ['a cluster id with a dot', `dtp_s_${UUID}.x_${HASH}`],
    ['no spec token name', `dtp__${UUID}_${HASH}`],
    ['no cluster id', `dtp_s__${HASH}`],
  ])('refuses %s', (_, name) => {
    expect(parseTokenName(name)).toBeUndefined();
  });
});

describe('the token id is the public part of a token value', () => {
  it.each([
    ['dt0c01.ABC.DEF', 'dt0c01.ABC'],
    ['dt0c01.ABC', undefined],
    ['dt0c01.ABC.DEF.GHI', undefined],
    ['dt0c01.ABC.', undefined],
    ['.ABC.DEF', undefined],
    ['dt0c01..DEF', undefined],
  ])('%s → %s', (value, id) => {
    expect(tokenIdOf(value)).toBe(id);
  });
});
