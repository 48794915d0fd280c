/**
 * No token is lost when its name was changed by hand to one dtp cannot read. Such a token is tied to its
 * cluster only by the delivery object; once the Secret or key that holds it is no longer wanted, the
 * planner revokes it as superseded — unless rotation still keeps it, or its name says it is another
 * cluster's (a copied Secret).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/reconcile/model.js';
import type { ClusterRotation } from '../../src/reconcile/rotation-plan.js';
import { deliveredSecret, liveToken, observed, OPERATOR_SCOPES } from '../reconcile/fixtures.js';
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

describe('planner: tokens renamed by hand in Secrets no longer wanted', () => {
  let c: Cluster;
  let operator: LiveToken;
  let ingest: LiveToken;
  let renamed: LiveToken;

  beforeEach(() => {
    ({ c, operator, ingest } = referenceCluster());
    renamed = { ...liveToken('old', c.externalId, OPERATOR_SCOPES), name: 'dtp_renamed-by-hand' };
  });

  const wanted = () => deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest });

  it('a hand-renamed token in a Secret no longer wanted is revoked as superseded, not left live', () => {
    const obs = observed(wanted(), deliveredSecret('old-secret', NS, API_URL, { oldToken: renamed }));

    const p = plan(c, { observed: obs, live: [operator, ingest, renamed] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, `existing:${ingest.id}`]);
    expect(p.delivery).toBe('patch');
    expect(p.revokes).toEqual([
      { tenantId: TENANT, id: renamed.id, name: renamed.name, reason: 'superseded' },
    ]);
  });

  it('a hand-renamed token under a key no longer wanted in a wanted Secret is revoked as superseded', () => {
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, {
        apiToken: operator,
        dataIngestToken: ingest,
        oldToken: renamed,
      }),
    );

    const p = plan(c, { observed: obs, live: [operator, ingest, renamed] });

    expect(p.revokes).toEqual([
      { tenantId: TENANT, id: renamed.id, name: renamed.name, reason: 'superseded' },
    ]);
  });

  it('a hand-renamed token that rotation keeps is not revoked', () => {
    const obs = observed(wanted(), deliveredSecret('old-secret', NS, API_URL, { oldToken: renamed }));
    const rotation: ClusterRotation = { rotate: new Set(), keep: new Set([renamed.id]), retire: new Map() };

    const p = plan(c, { observed: obs, live: [operator, ingest, renamed], rotation });

    expect(p.revokes).toEqual([]);
  });

  it('a token named for another cluster in a Secret no longer wanted is that cluster’s: never revoked from here', () => {
    const other = liveToken('old', '00000000-0000-4000-8000-ffffffffffff', OPERATOR_SCOPES);
    const obs = observed(wanted(), deliveredSecret('old-secret', NS, API_URL, { oldToken: other }));

    const p = plan(c, { observed: obs, live: [operator, ingest, other] });

    expect(p.revokes).toEqual([]);
  });

  it('a hand-renamed token still delivered in its slot is reused (renamed back), not revoked', () => {
    const mine = { ...operator, name: 'dtp_renamed-by-hand' };
    const obs = observed(deliveredSecret(SECRET, NS, API_URL, { apiToken: mine, dataIngestToken: ingest }));

    const p = plan(c, { observed: obs, live: [mine, ingest] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, `existing:${ingest.id}`]);
    expect(p.revokes).toEqual([]);
  });

  it('a hand-renamed token that is no longer live is not revoked again', () => {
    const obs = observed(wanted(), deliveredSecret('old-secret', NS, API_URL, { oldToken: renamed }));

    const p = plan(c, { observed: obs, live: [operator, ingest] });

    expect(p.revokes).toEqual([]);
  });

  it('the tokens of a tenant that could not be read are not swept', () => {
    const obs = observed(wanted(), deliveredSecret('old-secret', NS, API_URL, { oldToken: renamed }));

    const p = plan(c, { observed: obs, live: null });

    expect(p.revokes).toEqual([]);
  });
});
