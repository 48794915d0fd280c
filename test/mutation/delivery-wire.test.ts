/**
 * Delivery objects exactly as the reference writes them (labels, names, namespaces, keys, base64 data): a fleet
 * the reference implementation manages is adopted without a single write, and the Operator reads what dtp
 * writes. Values and ids are written without surrounding whitespace, which the Operator rejects.
 */
import { describe, expect, it } from 'vitest';
import { buildDelivery, secretData } from '../../src/reconcile/delivery.js';
import type { PlannedSecret, PlannedToken } from '../../src/reconcile/model.js';
import { Secret } from '../../src/secret.js';

const API_URL = 'https://abc12345.live.dynatrace.com/api';
const ID = 'dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX';
const VALUE = `${ID}.SECRETPART0123456789`;

function plannedToken(key: string, source: PlannedToken['source']): PlannedToken {
  return { key, specTokenName: key, scopes: [], expectedName: `dtp_${key}`, tenantId: 'abc12345', source };
}

function plannedSecret(tokens: PlannedToken[]): PlannedSecret {
  return {
    namespace: 'dynatrace',
    name: 'dynatrace-token-dtp',
    tenantId: 'abc12345',
    binding: 'v2',
    specName: 'default',
    apiUrl: API_URL,
    tokens,
  };
}

describe('delivery object wire format', () => {
  it.each(['SyncSet', 'Manifest'] as const)(
    'delivery objects exactly as the reference writes them: %s with a labelled Opaque v1 Secret and base64 data',
    (kind) => {
      const wire = buildDelivery(kind, [
        {
          namespace: 'dynatrace',
          name: 'dynatrace-token-dtp',
          data: new Map([
            ['apiUrl', API_URL],
            ['apiToken', VALUE],
            ['apiTokenId', ID],
            ['label', 'tökén'],
          ]),
        },
      ]);

      // Literal base64, computed outside the code under test.
      expect(wire).toEqual({
        kind,
        id: 'ext-dynatrace-tokens-dtp',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name: 'dynatrace-token-dtp',
              namespace: 'dynatrace',
              labels: { 'app.kubernetes.io/managed-by': 'dynatrace-token-provider' },
            },
            data: {
              apiUrl: 'aHR0cHM6Ly9hYmMxMjM0NS5saXZlLmR5bmF0cmFjZS5jb20vYXBp',
              apiToken: 'ZHQwYzAxLkFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWC5TRUNSRVRQQVJUMDEyMzQ1Njc4OQ==',
              apiTokenId: 'ZHQwYzAxLkFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWA==',
              label: 'dMO2a8Opbg==',
            },
          },
        ],
      });
    },
  );

  it('a Secret holds apiUrl and, per token, `<key>` = value and `<key>Id` = id, a minted value and id without surrounding whitespace', () => {
    const secret = plannedSecret([
      plannedToken('apiToken', { kind: 'existing', id: ID, value: new Secret(VALUE) }),
      plannedToken('dataIngestToken', { kind: 'mint', reason: 'new' }),
    ]);

    const data = secretData(secret, (index) => {
      expect(index).toBe(1);
      return { id: ' dt0c01.MINTED\n', value: new Secret('\tdt0c01.MINTED.VALUE0123456789 \n') };
    });

    expect([...data]).toEqual([
      ['apiUrl', API_URL],
      ['apiToken', VALUE],
      ['apiTokenId', ID],
      ['dataIngestToken', 'dt0c01.MINTED.VALUE0123456789'],
      ['dataIngestTokenId', 'dt0c01.MINTED'],
    ]);
  });

  it('a carried-over Secret is written back exactly as delivered, with none of the planned keys', () => {
    const carried = {
      namespace: 'dynatrace',
      name: 'dynatrace-token-dtp',
      data: new Map([
        ['apiUrl', Secret.plain('https://old.example/api')],
        ['apiToken', new Secret(` ${VALUE}`)],
      ]),
    };
    const secret = { ...plannedSecret([]), carriedOver: carried };

    const data = secretData(secret, () => {
      throw new Error('nothing is minted for a carried-over Secret');
    });

    expect([...data]).toEqual([
      ['apiUrl', 'https://old.example/api'],
      ['apiToken', ` ${VALUE}`],
    ]);
  });
});
