import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTokenName, scopesHash, tokenIdOf, tokenName } from '../../src/reconcile/naming.js';

describe('token naming (wire-compatible with the reference implementation)', () => {
  it('hashes the documented scope vectors', () => {
    expect(scopesHash(['metrics.ingest', 'logs.ingest', 'events.ingest'])).toBe('f6e7fac64719');
    expect(
      scopesHash([
        'activeGateTokenManagement.create',
        'entities.read',
        'settings.write',
        'settings.read',
        'DataExport',
        'InstallerDownload',
      ]),
    ).toBe('1b6c3b9a7248');
  });

  it('sorts by code point, so the order in the spec does not matter and upper case sorts first', () => {
    expect(scopesHash(['b', 'A', 'a'])).toBe(scopesHash(['a', 'b', 'A']));
    // Code point order puts upper case first ("DataExport" before "activeGate..."); a locale sort would not.
    const expected = createHash('sha256').update('DataExport,activeGateTokenManagement.create').digest('hex');
    expect(scopesHash(['activeGateTokenManagement.create', 'DataExport'])).toBe(expected.slice(0, 12));
  });

  it('cuts the spec token name at 46 characters and stays within 100', () => {
    const uuid = '0123abcd-4567-89ef-0123-456789abcdef';
    const name = tokenName('x'.repeat(60), uuid, ['metrics.ingest']);
    expect(name).toBe(`dtp_${'x'.repeat(46)}_${uuid}_${scopesHash(['metrics.ingest'])}`);
    expect(name.length).toBe(100);
  });

  it('reads names back, including spec token names with underscores', () => {
    const uuid = '0123abcd-4567-89ef-0123-456789abcdef';
    const name = tokenName('ingest_v2', uuid, ['logs.ingest']);
    expect(parseTokenName(name)).toEqual({
      specTokenName: 'ingest_v2',
      clusterExternalId: uuid,
      scopesHash: scopesHash(['logs.ingest']),
    });
    expect(parseTokenName('dtp-operator-' + uuid)).toBeUndefined();
    expect(parseTokenName('my personal token')).toBeUndefined();
  });

  it('derives the token id from the value', () => {
    expect(tokenIdOf('dt0c01.ABC.DEF')).toBe('dt0c01.ABC');
    expect(tokenIdOf('dt0c01.ABC')).toBeUndefined();
    expect(tokenIdOf(' dt0c01..DEF')).toBeUndefined();
  });
});
