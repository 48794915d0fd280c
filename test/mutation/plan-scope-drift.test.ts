/**
 * Scope drift is fixed in place: a delivered token whose live scopes differ from the spec's (as a set) gets an
 * update with its current name and scopes; the value stays, nothing is minted and the Secret is not rewritten.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/reconcile/model.js';
import { deliveredSecret, observed, OPERATOR_SCOPES } from '../reconcile/fixtures.js';
import { API_URL, NS, plan, SECRET, sources, referenceCluster, type LiveToken } from './plan-builders.js';

describe('planner scope drift', () => {
  let c: Cluster;
  let operator: LiveToken;
  let ingest: LiveToken;

  beforeEach(() => {
    ({ c, operator, ingest } = referenceCluster());
  });

  /** Plans the reference state with the operator token's live scopes replaced (its name unchanged). */
  function withOperatorScopes(scopes: string[]) {
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest }),
    );
    return plan(c, { observed: obs, live: [{ ...operator, scopes }, ingest] });
  }

  it('scope drift fixed in place: a token narrowed by hand to a prefix of the sorted scopes is widened with an update', () => {
    // 'settings.write' sorts last: the narrowed list equals the spec's list up to its own length.
    const narrowed = OPERATOR_SCOPES.filter((s) => s !== 'settings.write');

    const p = withOperatorScopes(narrowed);

    expect(sources(p)).toEqual([`existing:${operator.id}`, `existing:${ingest.id}`]);
    expect(p.secrets[0]!.tokens[0]!.update).toEqual({
      id: operator.id,
      fromName: operator.name,
      fromScopes: narrowed,
    });
    expect(p.delivery).toBe('none');
  });

  it('scope drift fixed in place: one scope swapped for another (same count) is updated', () => {
    const swapped = OPERATOR_SCOPES.map((s) => (s === 'entities.read' ? 'entities.write' : s));

    const p = withOperatorScopes(swapped);

    expect(p.secrets[0]!.tokens[0]!.update).toEqual({
      id: operator.id,
      fromName: operator.name,
      fromScopes: swapped,
    });
    expect(p.secrets[0]!.tokens[1]!.update).toBeUndefined();
    expect(p.revokes).toEqual([]);
  });

  it('scope drift fixed in place: the same scopes in another order are no drift', () => {
    const p = withOperatorScopes([...OPERATOR_SCOPES].reverse());

    expect(p.secrets[0]!.tokens[0]!.update).toBeUndefined();
    expect(p.delivery).toBe('none');
  });
});
