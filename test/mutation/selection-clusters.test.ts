/**
 * `--cluster` (src/reconcile/selection.ts): a run narrowed to named clusters. A name is an OCM id, an
 * external id or a cluster name; no name means the whole shard; a name that matches nothing is said.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Discovery } from '../../src/reconcile/discover.js';
import type { Cluster } from '../../src/reconcile/model.js';
import { clusterSelection } from '../../src/reconcile/selection.js';
import { cluster, v2 } from '../reconcile/fixtures.js';
import { TENANT_A } from '../fixtures/domain.js';

const HINT = '(match by OCM id, external id or name)';

function discovery(clusters: Cluster[], skipped: Cluster[] = []): Discovery {
  return {
    ocmEnvironment: 'production',
    clusters,
    skipped: skipped.map((c) => ({ cluster: c, reason: 'not ready' })),
    subscriptionsWithoutCluster: 0,
    labels: clusters.length + skipped.length,
  };
}

let warnings: string[];
const log = { warn: (m: string) => warnings.push(m) };
let a: Cluster;
let b: Cluster;
let c: Cluster;

beforeEach(() => {
  warnings = [];
  a = cluster(v2(TENANT_A));
  b = cluster(v2(TENANT_A));
  c = cluster(v2(TENANT_A));
});

describe('--cluster matching', () => {
  it('with no names every cluster matches and the selection is inactive', () => {
    for (const names of [undefined, []]) {
      const selection = clusterSelection(names);
      expect(selection.active).toBe(false);
      expect(selection.matches(a)).toBe(true);
    }
  });

  it('a name makes the selection active', () => {
    expect(clusterSelection([a.name]).active).toBe(true);
  });

  it('a cluster matches by its OCM id, its external id or its name, and no other cluster does', () => {
    for (const key of [a.id, a.externalId, a.name]) {
      const selection = clusterSelection([key]);
      expect(selection.matches(a)).toBe(true);
      expect(selection.matches(b)).toBe(false);
    }
  });
});

describe('--cluster resolution against discovery', () => {
  it('resolves the named clusters to their external ids, and only those', () => {
    const selection = clusterSelection([a.id, c.name]);
    const found = selection.resolve([discovery([a, b]), discovery([c])], log);
    expect([...found].sort()).toEqual([a.externalId, c.externalId].sort());
    expect(warnings).toEqual([]);
  });

  it('a cluster among the skipped ones (not ready, not managed) counts as found', () => {
    const selection = clusterSelection([b.externalId]);
    const found = selection.resolve([discovery([a], [b])], log);
    expect([...found]).toEqual([b.externalId]);
    expect(warnings).toEqual([]);
  });

  it('with no names every discovered cluster is found and nothing is warned', () => {
    const found = clusterSelection(undefined).resolve([discovery([a], [b])], log);
    expect([...found].sort()).toEqual([a.externalId, b.externalId].sort());
    expect(warnings).toEqual([]);
  });

  it('a name that matches nothing is warned with the exact text, next to the names that were found', () => {
    const selection = clusterSelection([a.name, 'no-such-cluster']);
    const found = selection.resolve([discovery([a, b])], log);
    expect([...found]).toEqual([a.externalId]);
    expect(warnings).toEqual([`--cluster: no cluster with dtp labels is called "no-such-cluster" ${HINT}`]);
  });

  it('several missing names are listed once, sorted, quoted and comma-separated', () => {
    const selection = clusterSelection(['zeta', a.externalId, 'alpha', 'mid']);
    selection.resolve([discovery([a])], log);
    expect(warnings).toEqual([
      `--cluster: no cluster with dtp labels is called "alpha", "mid", "zeta" ${HINT}`,
    ]);
  });

  it('a name found under one key is not missing for the others (one cluster named twice)', () => {
    const selection = clusterSelection([a.id, a.name]);
    const found = selection.resolve([discovery([a])], log);
    expect([...found]).toEqual([a.externalId]);
    expect(warnings).toEqual([]);
  });

  it('control characters in a missing name are escaped, so it cannot forge a log line', () => {
    clusterSelection(['evil\nwarn: forged\u001b[31m']).resolve([discovery([a])], log);
    expect(warnings).toEqual([
      `--cluster: no cluster with dtp labels is called "evil\\nwarn: forged\\x1b[31m" ${HINT}`,
    ]);
  });

  it('with nothing discovered every name is missing', () => {
    const found = clusterSelection([a.name]).resolve([], log);
    expect(found.size).toBe(0);
    expect(warnings).toEqual([`--cluster: no cluster with dtp labels is called "${a.name}" ${HINT}`]);
  });
});
