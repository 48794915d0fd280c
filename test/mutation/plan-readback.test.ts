/**
 * Reading delivered Secrets back, as the reference implementation writes them: only `<key>Id` entries name a
 * token, ids and values are compared without surrounding whitespace, and a delivered token is re-minted only
 * when it is provably gone (revoked, disabled, expired, or its value unreadable) — then revoked if still live.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/reconcile/model.js';
import { Secret } from '../../src/secret.js';
import { defaultSpec, deliveredSecret, INGEST_SCOPES, liveToken, observed } from '../reconcile/fixtures.js';
import {
  API_URL,
  NS,
  plan,
  SECRET,
  SECRET_ID,
  sources,
  TENANT,
  referenceCluster,
  type LiveToken,
} from './plan-builders.js';

describe('planner read-back of delivered tokens', () => {
  let c: Cluster;
  let operator: LiveToken;
  let ingest: LiveToken;

  beforeEach(() => {
    ({ c, operator, ingest } = referenceCluster());
  });

  it('only `<key>Id` entries are token references: a key that extends another key by two characters is never read as an id', () => {
    // `ingestV2` minus two characters is `ingest`: read as an id, its token value would become a "revoked" id.
    const spec = defaultSpec();
    spec.secrets[0]!.tokens = [
      { name: 'ingest', scopes: [...INGEST_SCOPES] },
      { name: 'ingestV2', scopes: ['logs.ingest'] },
    ];
    const v2token = liveToken('ingestV2', c.externalId, ['logs.ingest']);
    const obs = observed(deliveredSecret(SECRET, NS, API_URL, { ingestV2: v2token }));

    const p = plan(c, { spec, observed: obs, live: [v2token] });

    expect(sources(p)).toEqual(['mint:new', `existing:${v2token.id}`]);
    expect(p.secrets[0]!.tokens[0]!.source).toEqual({ kind: 'mint', reason: 'new' });
    expect(p.revokes).toEqual([]);
  });

  it('a bare `Id` key names no token key: its token is not moved into a slot, it is swept as superseded', () => {
    const secret = deliveredSecret(SECRET, NS, API_URL, { apiToken: operator });
    secret.data.set('Id', Secret.plain(ingest.id));
    secret.data.set('', new Secret(ingest.value));

    const p = plan(c, { observed: observed(secret), live: [operator, ingest] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, 'mint:new']);
    expect(p.revokes).toEqual([{ tenantId: TENANT, id: ingest.id, name: ingest.name, reason: 'superseded' }]);
  });

  it('an id delivered without its value is unreadable: re-minted in place and the old token revoked as superseded', () => {
    const secret = deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest });
    secret.data.delete('apiToken');

    const p = plan(c, { observed: observed(secret), live: [operator, ingest] });

    expect(sources(p)).toEqual(['mint:unreadable', `existing:${ingest.id}`]);
    expect(p.secrets[0]!.tokens[0]!.source).toEqual({
      kind: 'mint',
      reason: 'unreadable',
      replaces: operator.id,
    });
    expect(p.revokes).toEqual([
      { tenantId: TENANT, id: operator.id, name: operator.name, reason: 'superseded' },
    ]);
  });

  it('a delivered id with surrounding whitespace still names its live token: kept (not re-minted) and written back clean', () => {
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, {
        apiToken: { id: ` ${operator.id}\n`, value: operator.value },
        dataIngestToken: ingest,
      }),
    );

    const p = plan(c, { observed: obs, live: [operator, ingest] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, `existing:${ingest.id}`]);
    expect(p.revokes).toEqual([]);
    expect(p.delivery).toBe('patch');
    expect(p.deliveryReasons).toEqual([`Secret ${SECRET_ID} key apiTokenId differs`]);
  });

  it('a token whose expirationDate is exactly now is provably gone: re-minted and revoked as expired', () => {
    const expiring = { ...operator, expirationDate: '2026-11-22T12:00:00.000Z' };
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest }),
    );

    const p = plan(c, { observed: obs, live: [expiring, ingest] });

    expect(sources(p)).toEqual(['mint:expired', `existing:${ingest.id}`]);
    expect(p.revokes).toEqual([
      { tenantId: TENANT, id: operator.id, name: operator.name, reason: 'expired' },
    ]);
  });

  it('a token one millisecond before expiry is still alive and kept', () => {
    const expiring = { ...operator, expirationDate: '2026-11-22T12:00:00.001Z' };
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest }),
    );

    const p = plan(c, { observed: obs, live: [expiring, ingest] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, `existing:${ingest.id}`]);
    expect(p.revokes).toEqual([]);
  });

  it('a token renamed by hand whose delivered value does not match its id is revoked as superseded (the sweep cannot see it)', () => {
    // A name dtp did not make: still this cluster's token, but invisible to the per-cluster sweep.
    const renamed = { ...operator, name: 'dtp_renamed-by-hand' };
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, {
        apiToken: { id: operator.id, value: ingest.value },
        dataIngestToken: ingest,
      }),
    );

    const p = plan(c, { observed: obs, live: [renamed, ingest] });

    expect(sources(p)).toEqual(['mint:unreadable', `existing:${ingest.id}`]);
    expect(p.revokes).toEqual([
      { tenantId: TENANT, id: operator.id, name: 'dtp_renamed-by-hand', reason: 'superseded' },
    ]);
  });
});
