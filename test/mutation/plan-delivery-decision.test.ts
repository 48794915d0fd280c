/**
 * The delivery object is written only when its decoded data would change, and the plan says why in words the
 * summary shows (sorted, no reasons for an untouched object). A tenant that could not be read never causes a
 * delivery object to be created.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/reconcile/model.js';
import { Secret } from '../../src/secret.js';
import { defaultSpec, deliveredSecret, observed } from '../reconcile/fixtures.js';
import {
  API_URL,
  NS,
  plan,
  SECRET,
  SECRET_ID,
  sources,
  referenceCluster,
  type LiveToken,
} from './plan-builders.js';

describe('planner delivery decision and reasons', () => {
  let c: Cluster;
  let operator: LiveToken;
  let ingest: LiveToken;
  const reference = () =>
    observed(deliveredSecret(SECRET, NS, API_URL, { apiToken: operator, dataIngestToken: ingest }));

  beforeEach(() => {
    ({ c, operator, ingest } = referenceCluster());
  });

  it('an object left as the reference writes it is not touched and carries no reasons', () => {
    const p = plan(c, { observed: reference(), live: [operator, ingest] });

    expect(p.delivery).toBe('none');
    expect(p.deliveryReasons).toEqual([]);
  });

  it('a new cluster gets the object created, for new tokens', () => {
    const p = plan(c, { observed: undefined, live: [] });

    expect(p.delivery).toBe('create');
    expect(p.deliveryReasons).toEqual(['new tokens', 'no delivery object yet']);
  });

  it('a revoked token is named in the reasons, sorted with the other reasons', () => {
    const p = plan(c, { observed: { ...reference(), otherItems: 2 }, live: [ingest] });

    expect(sources(p)).toEqual(['mint:revoked', `existing:${ingest.id}`]);
    expect(p.delivery).toBe('patch');
    // Added in the order 'token revoked', then 'objects…': sorted for the summary.
    expect(p.deliveryReasons).toEqual(['objects dtp does not write were found in it', 'token revoked']);
  });

  it('a tenant that could not be read and has nothing delivered yet gets no Secret and no delivery object', () => {
    const p = plan(c, { observed: undefined, live: null });

    expect(p.secrets).toEqual([]);
    expect(p.delivery).toBe('none');
    expect(p.deliveryReasons).toEqual([]);
  });

  it('an empty delivery object of a cluster whose tenant could not be read is left alone', () => {
    const p = plan(c, { observed: { kind: 'SyncSet', secrets: [], otherItems: 0 }, live: null });

    expect(p.secrets).toEqual([]);
    expect(p.delivery).toBe('none');
  });

  it('a renamed Secret is patched: the old one is no longer wanted, the new one missing, its tokens moved', () => {
    const spec = defaultSpec();
    spec.secrets[0]!.name = 'dynatrace-tokens';

    const p = plan(c, { spec, observed: reference(), live: [operator, ingest] });

    expect(sources(p)).toEqual([`existing:${operator.id}`, `existing:${ingest.id}`]);
    expect(p.delivery).toBe('patch');
    expect(p.deliveryReasons).toEqual([
      `Secret ${SECRET_ID} is no longer wanted`,
      `Secret ${NS}/dynatrace-tokens is missing`,
      'a Secret or key was renamed',
    ]);
  });

  it('a Secret with a key dtp does not write is patched back to exactly its own keys', () => {
    const obs = reference();
    obs.secrets[0]!.data.set('note', Secret.plain('added by hand'));

    const p = plan(c, { observed: obs, live: [operator, ingest] });

    expect(p.delivery).toBe('patch');
    expect(p.deliveryReasons).toEqual([`Secret ${SECRET_ID} has other keys`]);
  });

  it('a token value that differs only by whitespace is named by its key, not as an apiUrl change', () => {
    const obs = observed(
      deliveredSecret(SECRET, NS, API_URL, {
        apiToken: { id: operator.id, value: `${operator.value}\n` },
        dataIngestToken: ingest,
      }),
    );

    const p = plan(c, { observed: obs, live: [operator, ingest] });

    expect(p.delivery).toBe('patch');
    expect(p.deliveryReasons).toEqual([`Secret ${SECRET_ID} key apiToken differs`]);
  });
});
