/**
 * Reading a delivered object back: only Secrets with a name and a namespace are Secrets (anything else is
 * counted, and dropped on the next patch), data is strict base64 (anything else is unreadable, so the token
 * is re-minted rather than guessed), stringData is plain text and wins over data as in Kubernetes, and only
 * token values are secret: ids and apiUrl stay readable in reports.
 */
import { describe, expect, it } from 'vitest';
import { parseDelivery } from '../../src/reconcile/delivery.js';
import type { DeliveredSecret } from '../../src/reconcile/model.js';
import { redact } from '../../src/secret.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const API_URL = 'https://abc12345.live.dynatrace.com/api';
const ID = 'dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX';
const VALUE = `${ID}.SECRETPART0123456789`;

function secretItem(data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dynatrace-token-dtp', namespace: 'dynatrace' },
    data,
    ...extra,
  };
}

const plainData = (s: DeliveredSecret) => Object.fromEntries([...s.data].map(([k, v]) => [k, v.reveal()]));

describe('delivery object read-back', () => {
  it('only Secrets with a string name and namespace are read; every other item is counted', () => {
    const wire = {
      kind: 'SyncSet' as const,
      id: 'ext-dynatrace-tokens-dtp',
      items: [
        null,
        { kind: 'Secret' },
        { kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'dynatrace' } },
        { kind: 'ConfigMap', metadata: { name: 'cm' } },
        { kind: 'ConfigMap', metadata: { namespace: 'dynatrace' } },
        { kind: 'Secret', metadata: { namespace: 'dynatrace' } },
        { kind: 'Secret', metadata: { name: 'no-namespace' } },
        { kind: 'Secret', metadata: { name: 7, namespace: 'dynatrace' } },
        secretItem({ apiUrl: b64(API_URL) }),
      ],
    };

    const read = parseDelivery(wire);

    expect(read.kind).toBe('SyncSet');
    expect(read.otherItems).toBe(8);
    expect(read.secrets.map((s) => [s.namespace, s.name, plainData(s)])).toEqual([
      ['dynatrace', 'dynatrace-token-dtp', { apiUrl: API_URL }],
    ]);
  });

  it.each([
    ['characters outside base64, length a multiple of 4', 'QU!D'],
    ['base64 characters, length not a multiple of 4', 'QUJ'],
    ['base64 followed by other text, length a multiple of 4', 'QUJD\nQUI'],
    ['other text followed by base64, length a multiple of 4', '#QUJ'],
    ['null', null],
    ['a number', 1234],
  ])('a data value that is not strict base64 is left out, never guessed (%s)', (_, raw) => {
    const read = parseDelivery({
      kind: 'Manifest',
      id: 'ext-dynatrace-tokens-dtp',
      items: [secretItem({ apiToken: raw, apiTokenId: b64(ID) })],
    });

    expect(read.secrets[0]!.data.has('apiToken')).toBe(false);
    expect(plainData(read.secrets[0]!)).toEqual({ apiTokenId: ID });
  });

  it('padded base64 is decoded as UTF-8', () => {
    const read = parseDelivery({
      kind: 'SyncSet',
      id: 'ext-dynatrace-tokens-dtp',
      items: [secretItem({ a: 'QUI=', b: 'QQ==', c: b64('tökén') })],
    });

    expect(plainData(read.secrets[0]!)).toEqual({ a: 'AB', b: 'A', c: 'tökén' });
  });

  it('stringData is read as plain text and wins over data; non-string entries are left out', () => {
    const read = parseDelivery({
      kind: 'SyncSet',
      id: 'ext-dynatrace-tokens-dtp',
      items: [
        secretItem(
          { apiUrl: b64('https://old.example/api'), apiTokenId: b64(ID) },
          { stringData: { apiUrl: API_URL, apiToken: VALUE, broken: 5 } },
        ),
      ],
    });

    expect(plainData(read.secrets[0]!)).toEqual({ apiUrl: API_URL, apiTokenId: ID, apiToken: VALUE });
  });

  it.each([
    ['data', { data: { apiUrl: b64(API_URL), apiToken: b64(VALUE), apiTokenId: b64(ID) } }],
    ['stringData', { data: {}, stringData: { apiUrl: API_URL, apiToken: VALUE, apiTokenId: ID } }],
  ])('token values read back are secret (redacted), ids and apiUrl are not (%s)', (_, fields) => {
    parseDelivery({
      kind: 'SyncSet',
      id: 'ext-dynatrace-tokens-dtp',
      items: [
        { kind: 'Secret', metadata: { name: 'dynatrace-token-dtp', namespace: 'dynatrace' }, ...fields },
      ],
    });

    expect(redact(`value ${VALUE}`)).toBe('value ***');
    expect(redact(`id ${ID}`)).toBe(`id ${ID}`);
    expect(redact(`url ${API_URL}`)).toBe(`url ${API_URL}`);
  });
});
