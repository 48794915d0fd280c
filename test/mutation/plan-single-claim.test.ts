/**
 * Single claim: one delivered token id is never claimed by two keys. A slot that never held a token takes a
 * delivered one only when it was minted for the same spec entry (a renamed Secret or key) and no other key
 * holds it; a slot whose token is provably gone is re-minted, never filled with another delivered token.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Cluster, ClusterPlan } from '../../src/reconcile/model.js';
import { SPEC_TOKEN_NAME_MAX } from '../../src/reconcile/naming.js';
import { defaultSpec, deliveredSecret, liveToken, observed, OPERATOR_SCOPES } from '../reconcile/fixtures.js';
import {
  API_URL,
  NS,
  plan,
  SECRET,
  sources,
  TENANT,
  referenceCluster,
  type LiveToken,
} from './plan-builders.js';

/** Delivered token ids each planned key keeps. */
function claimedIds(p: ClusterPlan): string[] {
  return p.secrets.flatMap((s) =>
    s.tokens.flatMap((t) => (t.source.kind === 'existing' ? [t.source.id] : [])),
  );
}

describe('planner single claim', () => {
  let c: Cluster;
  let operator: LiveToken;
  let ingest: LiveToken;

  beforeEach(() => {
    ({ c, operator, ingest } = referenceCluster());
  });

  it('single claim: two Secrets with the same token entry never share the one delivered token; the second is minted', () => {
    const spec = defaultSpec();
    spec.secrets = [
      {
        name: SECRET,
        namespace: NS,
        tokens: [{ name: 'operator', keyNameInSecret: 'apiToken', scopes: [...OPERATOR_SCOPES] }],
      },
      {
        name: 'dynatrace-token-copy',
        namespace: NS,
        tokens: [{ name: 'operator', keyNameInSecret: 'apiToken', scopes: [...OPERATOR_SCOPES] }],
      },
    ];
    const obs = observed(deliveredSecret(SECRET, NS, API_URL, { apiToken: operator }));

    const p = plan(c, { spec, observed: obs, live: [operator] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, 'mint:new']);
    expect(claimedIds(p)).toEqual([operator.id]);
  });

  it('single claim: a new key does not take a delivered token minted for another spec entry; that token is swept', () => {
    const logs = liveToken('logs', c.externalId, ['logs.ingest']);
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, { apiToken: operator }),
      deliveredSecret('dynatrace-logs', NS, API_URL, { logs }),
    );

    const p = plan(c, { observed: obs, live: [operator, logs] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, 'mint:new']);
    expect(p.revokes).toEqual([{ tenantId: TENANT, id: logs.id, name: logs.name, reason: 'superseded' }]);
  });

  it('single claim: a delivered token whose name was changed by hand is not taken by a new key (its entry is unknown)', () => {
    const renamed = { ...ingest, name: 'dtp_renamed-by-hand' };
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, { apiToken: operator }),
      deliveredSecret('dynatrace-old', NS, API_URL, { dataIngestToken: ingest }),
    );

    const p = plan(c, { observed: obs, live: [operator, renamed] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, 'mint:new']);
    expect(claimedIds(p)).not.toContain(ingest.id);
  });

  it('a token is re-minted only when it is provably gone: a revoked slot is re-minted, not filled with another delivered token', () => {
    const spare = liveToken('operator', c.externalId, OPERATOR_SCOPES);
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest }),
      deliveredSecret('dynatrace-token-old', NS, API_URL, { apiToken: spare }),
    );

    // `operator` is gone from the tenant; `spare` (same entry, other Secret) is live.
    const p = plan(c, { observed: obs, live: [ingest, spare] });

    expect(sources(p)).toEqual(['mint:revoked', `existing:${ingest.id}`]);
    expect(p.secrets[0]!.tokens[0]!.source).toEqual({
      kind: 'mint',
      reason: 'revoked',
      replaces: operator.id,
    });
    expect(p.revokes).toEqual([{ tenantId: TENANT, id: spare.id, name: spare.name, reason: 'superseded' }]);
  });

  it('a renamed Secret keeps a token whose spec entry name is longer than the part kept in token names', () => {
    const long = 'operator-token-read-by-the-dynatrace-operator-in-every-cluster';
    expect(long.length).toBeGreaterThan(SPEC_TOKEN_NAME_MAX);
    const spec = defaultSpec();
    spec.secrets[0]!.name = 'dynatrace-tokens';
    spec.secrets[0]!.tokens = [{ name: long, keyNameInSecret: 'apiToken', scopes: [...OPERATOR_SCOPES] }];
    const token = liveToken(long, c.externalId, OPERATOR_SCOPES);
    const obs = observed(deliveredSecret(SECRET, NS, API_URL, { apiToken: token }));

    const p = plan(c, { spec, observed: obs, live: [token] });

    expect(p.secrets[0]!.tokens[0]!.source).toMatchObject({
      kind: 'existing',
      id: token.id,
      movedFrom: `${NS}/${SECRET}:apiToken`,
    });
    expect(p.revokes).toEqual([]);
  });
});
