/**
 * findUnlabelled: clusters whose dtp labels were removed, looked up by external id in every OCM environment.
 * An id that could not be looked up everywhere stays unresolved, so its tokens are kept this run.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { OcmClient } from '../../src/clients/api.js';
import { describeError, RemoteError } from '../../src/errors.js';
import { findUnlabelled } from '../../src/reconcile/unlabelled.js';
import { FakeOcm, type Call } from '../reconcile/fakes.js';

let calls: Call[];
let production: FakeOcm;
let stage: FakeOcm;
beforeEach(() => {
  calls = [];
  production = new FakeOcm('production', calls);
  stage = new FakeOcm('stage', calls);
});
const envs = (...clients: [string, OcmClient][]) => new Map(clients);

describe('unlabelled: lookup', () => {
  it('no ids: nothing looked up and nothing reported', async () => {
    expect(await findUnlabelled([], envs(['production', production]))).toEqual({
      found: [],
      unresolved: [],
      errors: [],
    });
    expect(calls).toEqual([]);
  });

  it('a cluster found by external id is returned whole, with no organization and no labels', async () => {
    production.addCluster({
      id: 'c1',
      externalId: 'e1',
      org: 'org-x',
      labels: {},
      hcp: true,
      state: 'hibernating',
    });
    expect(await findUnlabelled(['e1'], envs(['production', production]))).toEqual({
      found: [
        {
          ocmEnvironment: 'production',
          id: 'c1',
          externalId: 'e1',
          name: 'name-c1',
          organizationId: '',
          subscriptionId: 'sub-c1',
          hostedControlPlane: true,
          state: 'hibernating',
          managed: true,
          labels: {},
        },
      ],
      unresolved: [],
      errors: [],
    });
  });

  it('ids are looked up in sorted order', async () => {
    const asked: string[][] = [];
    production.findClusters = async (ids) => (asked.push(ids), []);
    await findUnlabelled(['e3', 'e1', 'e2'], envs(['production', production]));
    expect(asked).toEqual([['e1', 'e2', 'e3']]);
  });

  it('found clusters are sorted by OCM id across environments', async () => {
    production.addCluster({ id: 'c3', externalId: 'e3', org: 'o', labels: {} });
    production.addCluster({ id: 'c1', externalId: 'e1', org: 'o', labels: {} });
    stage.addCluster({ id: 'c2', externalId: 'e2', org: 'o', labels: {} });
    const out = await findUnlabelled(['e1', 'e2', 'e3'], envs(['production', production], ['stage', stage]));
    expect(out.found.map((c) => [c.ocmEnvironment, c.id])).toEqual([
      ['production', 'c1'],
      ['stage', 'c2'],
      ['production', 'c3'],
    ]);
  });

  it('an environment whose client cannot look clusters up is skipped, not counted as a failure', async () => {
    const legacy: OcmClient = Object.assign(new FakeOcm('legacy', calls), { findClusters: undefined });
    production.addCluster({ id: 'c1', externalId: 'e1', org: 'o', labels: {} });
    const out = await findUnlabelled(['e1', 'e2'], envs(['legacy', legacy], ['production', production]));
    expect(out.errors).toEqual([]);
    expect(out.unresolved).toEqual([]);
    expect(out.found.map((c) => c.id)).toEqual(['c1']);
  });
});

describe('unlabelled: a failed environment', () => {
  it('names the environment, and leaves unresolved exactly the ids not found elsewhere', async () => {
    production.addCluster({ id: 'c1', externalId: 'e1', org: 'o', labels: {} });
    stage.failing.findClusters = 503;
    const out = await findUnlabelled(['e2', 'e1', 'e3'], envs(['production', production], ['stage', stage]));
    const refused = new RemoteError({
      system: 'ocm',
      operation: 'findClusters',
      method: 'X',
      path: '/findClusters',
      status: 503,
    });
    expect(out.errors).toEqual([
      `stage: looking up clusters without dtp labels failed: ${describeError(refused)}`,
    ]);
    expect(out.unresolved).toEqual(['e2', 'e3']);
    expect(out.found.map((c) => c.id)).toEqual(['c1']);
  });
});
