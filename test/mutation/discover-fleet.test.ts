/**
 * Discovery across OCM environments (src/reconcile/discover-fleet.ts): labels → subscriptions → clusters,
 * cluster queries of at most 100 subscription ids, one failed environment beside readable ones, and the
 * cluster sink that starts delivery reads early. OCM answers are input from outside: a label of the wrong
 * type, a cluster of a subscription that was not asked for or a cluster answered twice must not shape the
 * fleet, and a failed query fails its environment instead of leaving it empty or partial.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OcmCluster, OcmLabel } from '../../src/clients/api.js';
import { RemoteError, StartupError } from '../../src/errors.js';
import { discoverFleet } from '../../src/reconcile/discover-fleet.js';
import type { Cluster } from '../../src/reconcile/model.js';
import { FakeOcm, type Call } from '../reconcile/fakes.js';
import { ORG_A, ORG_B, ORG_FOREIGN, v2 } from '../reconcile/fixtures.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

const TENANT_KEY = 'sre-capabilities.dtp.v2.tenant';
const SPEC_KEY = 'sre-capabilities.dtp.v2.token-spec';
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };
const pad = (i: number) => String(i).padStart(3, '0');
/** One macrotask: every already-resolved promise chain of the fakes has run by then. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

type SubscriptionQuery = { ids: string[]; organizationIds: string[] };

/** FakeOcm that records its queries in order, and can delay or fail the organization queries. */
class RecordingOcm extends FakeOcm {
  subscriptionQueries: SubscriptionQuery[] = [];
  clusterQueries: string[][] = [];
  events: string[] = [];
  /** Appended to every cluster answer: what a misbehaving OCM adds. */
  extraClusters: OcmCluster[] = [];
  /** Organization queries answer only after a macrotask, behind every subscription-id query. */
  slowOrganizationQueries = false;
  failOrganizationQueries = false;

  constructor(environment = 'production', calls: Call[] = []) {
    super(environment, calls);
  }

  override async listSubscriptions(q: SubscriptionQuery) {
    this.subscriptionQueries.push(structuredClone(q));
    const byOrganization = q.organizationIds.length > 0;
    if (byOrganization && this.slowOrganizationQueries) await tick();
    if (byOrganization && this.failOrganizationQueries)
      throw new RemoteError({
        system: 'ocm',
        operation: 'list subscriptions',
        method: 'GET',
        path: '/s',
        status: 502,
      });
    const found = await super.listSubscriptions(q);
    this.events.push(`subscriptions by ${byOrganization ? 'organization' : 'id'}: ${found.length}`);
    return found;
  }

  override async listClusters(ids: string[]) {
    this.clusterQueries.push([...ids]);
    this.events.push(`clusters: ${ids.length}`);
    return [...(await super.listClusters(ids)), ...this.extraClusters];
  }

  /** A subscription of `org` with its cluster; dtp labels on the subscription when `labels` is given. */
  add(id: string, org: string, labels?: Record<string, string>, extra: Partial<OcmCluster> = {}): void {
    const sub = `sub-${id}`;
    this.subscriptions.push({ id: sub, organizationId: org, clusterId: id, status: 'Active' });
    this.clusters.push({
      id,
      externalId: `ext-${id}`,
      name: `name-${id}`,
      subscriptionId: sub,
      state: 'ready',
      managed: true,
      hostedControlPlane: false,
      ...extra,
    });
    for (const [key, value] of Object.entries(labels ?? {}))
      this.labels.push({ key, value, type: 'Subscription', subscriptionId: sub });
  }

  organizationLabel(org: string, labels: Record<string, string>): void {
    for (const [key, value] of Object.entries(labels))
      this.labels.push({ key, value, type: 'Organization', organizationId: org });
  }
}

/** `count` labelled clusters c000… of ORG_A, added (and so listed by OCM) in descending order. */
function descending(ocm: RecordingOcm, count: number): string[] {
  const ids = Array.from({ length: count }, (_, i) => `c${pad(i)}`);
  for (const id of [...ids].reverse()) ocm.add(id, ORG_A, v2(TENANT_A));
  return ids;
}

const single = (ocm: RecordingOcm, onClusters?: (c: readonly Cluster[]) => void) =>
  discoverFleet({ ocm: [{ environment: ocm.environment, client: ocm }], log: quiet }, onClusters);

afterEach(() => {
  vi.useRealTimers();
});

describe('discoverFleet: environments', () => {
  it('reports an environment without a client as failed with its error, or "no client", and keeps no client for it', async () => {
    const production = new RecordingOcm('production');
    production.add('c1', ORG_A, v2(TENANT_A));
    const found = await discoverFleet({
      ocm: [
        { environment: 'stage', error: 'vault: permission denied' },
        { environment: 'production', client: production },
        { environment: 'integration' },
      ],
      log: quiet,
    });
    const zero = { labels: 0, clusters: 0, skipped: 0, durationMs: 0 };
    expect(found.environments).toStrictEqual([
      { name: 'integration', error: 'no client', ...zero },
      { name: 'production', labels: 2, clusters: 1, skipped: 0, durationMs: expect.any(Number) },
      { name: 'stage', error: 'vault: permission denied', ...zero },
    ]);
    expect(found.discoveries.map((d) => d.ocmEnvironment)).toStrictEqual(['production']);
    expect([...found.ocmByEnv]).toStrictEqual([['production', production]]);
  });

  it('reports the time an environment took to discover as its durationMs', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    // A clock that does not start at zero: a duration is a difference, not a sum.
    vi.advanceTimersByTime(1_000);
    const ocm = new RecordingOcm();
    ocm.add('c1', ORG_A, v2(TENANT_A));
    const listLabels = ocm.listLabels.bind(ocm);
    ocm.listLabels = async () => {
      vi.advanceTimersByTime(250);
      return listLabels();
    };
    const found = await single(ocm);
    expect(found.environments[0]!.durationMs).toBe(250);
  });

  it('logs each discovered environment with its ready and skipped counts', async () => {
    const ocm = new RecordingOcm();
    ocm.add('c1', ORG_A, v2(TENANT_A));
    ocm.add('c2', ORG_A, v2(TENANT_A), { state: 'installing' });
    const logs: string[] = [];
    await discoverFleet({
      ocm: [{ environment: 'production', client: ocm }],
      log: { ...quiet, info: (m) => logs.push(m) },
    });
    expect(logs).toStrictEqual(['production: 1 ready clusters with dtp labels (1 not ready or not managed)']);
  });

  it('warns of a failed environment by name and error, and still discovers the others', async () => {
    const bad = new RecordingOcm('production');
    bad.failing.listLabels = 503;
    const good = new RecordingOcm('stage');
    good.add('c1', ORG_A, v2(TENANT_A));
    const warnings: string[] = [];
    const found = await discoverFleet({
      ocm: [
        { environment: 'production', client: bad },
        { environment: 'stage', client: good },
      ],
      log: { ...quiet, warn: (m) => warnings.push(m) },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^production: discovery failed, nothing is changed there this run: .*503/);
    expect(found.environments.map((e) => [e.name, e.error !== undefined])).toStrictEqual([
      ['production', true],
      ['stage', false],
    ]);
    expect(found.discoveries.map((d) => d.clusters.map((c) => c.id))).toStrictEqual([['c1']]);
  });

  it('sorts environments and discoveries by environment name, not by the order they finish', async () => {
    const names = ['stage', 'production', 'integration'];
    const found = await discoverFleet({
      ocm: names.map((environment) => ({ environment, client: new RecordingOcm(environment) })),
      log: quiet,
    });
    expect(found.environments.map((e) => e.name)).toStrictEqual(['integration', 'production', 'stage']);
    expect(found.discoveries.map((d) => d.ocmEnvironment)).toStrictEqual([
      'integration',
      'production',
      'stage',
    ]);
  });

  it('is an empty fleet, not a startup error, when no OCM environment is configured', async () => {
    await expect(discoverFleet({ ocm: [], log: quiet })).resolves.toStrictEqual({
      environments: [],
      discoveries: [],
      ocmByEnv: new Map(),
    });
  });

  it('cannot start when no environment can be read, naming each with its error and hinting at the credentials', async () => {
    const bad = new RecordingOcm('production');
    bad.failing.listLabels = 503;
    const run = discoverFleet({
      ocm: [{ environment: 'stage' }, { environment: 'production', client: bad }],
      log: quiet,
    });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    const { message, hint } = error as StartupError;
    expect(message).toMatch(/^no OCM environment could be read: production: .*503.*; stage: no client$/);
    expect(hint).toBe(
      'Check the OCM credentials in Vault, the SSO and API URLs (ocm-url / ocm-sso-url overrides) and the network.',
    );
  });
});

describe('discoverFleet: queries', () => {
  it('queries subscriptions by their label ids sorted, 100 at most per query, without organization ids', async () => {
    const ocm = new RecordingOcm();
    const ids = descending(ocm, 250).map((id) => `sub-${id}`);
    await single(ocm);
    expect(ocm.subscriptionQueries).toStrictEqual([
      { ids: ids.slice(0, 100), organizationIds: [] },
      { ids: ids.slice(100, 200), organizationIds: [] },
      { ids: ids.slice(200), organizationIds: [] },
    ]);
  });

  it('queries subscriptions by their labelled organizations sorted, 100 at most per query, without subscription ids', async () => {
    const ocm = new RecordingOcm();
    const orgs = Array.from({ length: 150 }, (_, i) => `org${pad(i)}`);
    for (const org of [...orgs].reverse()) ocm.organizationLabel(org, v2(TENANT_A));
    await single(ocm);
    expect(ocm.subscriptionQueries).toStrictEqual([
      { ids: [], organizationIds: orgs.slice(0, 100) },
      { ids: [], organizationIds: orgs.slice(100) },
    ]);
  });

  it('asks each cluster query for exactly its 100 (or the last, fewer) subscription ids, sorted', async () => {
    const ocm = new RecordingOcm();
    const ids = descending(ocm, 250).map((id) => `sub-${id}`);
    await single(ocm);
    expect(ocm.clusterQueries).toStrictEqual([ids.slice(0, 100), ids.slice(100, 200), ids.slice(200)]);
  });

  it('sends a cluster query as soon as 100 subscriptions have gathered, before the other subscription queries answer', async () => {
    const ocm = new RecordingOcm();
    descending(ocm, 100);
    ocm.add('d1', ORG_B);
    ocm.organizationLabel(ORG_B, v2(TENANT_B));
    ocm.slowOrganizationQueries = true;
    const found = await single(ocm);
    expect(ocm.events).toStrictEqual([
      'subscriptions by id: 100',
      'clusters: 100',
      'subscriptions by organization: 1',
      'clusters: 1',
    ]);
    expect(found.discoveries[0]!.clusters).toHaveLength(101);
  });

  it('gathers the subscriptions of several queries into one cluster query while they are fewer than 100', async () => {
    const ocm = new RecordingOcm();
    descending(ocm, 50);
    for (let i = 0; i < 30; i++) ocm.add(`d${pad(i)}`, ORG_B);
    ocm.organizationLabel(ORG_B, v2(TENANT_B));
    const found = await single(ocm);
    expect(ocm.clusterQueries.map((q) => q.length)).toStrictEqual([80]);
    expect(found.discoveries[0]!.clusters).toHaveLength(80);
  });

  it('fails the environment when a subscription query fails, and sends no cluster query for what it had gathered', async () => {
    const ocm = new RecordingOcm('production');
    descending(ocm, 5);
    ocm.organizationLabel(ORG_B, v2(TENANT_B));
    ocm.failOrganizationQueries = true;
    const other = new RecordingOcm('stage');
    const handed: string[] = [];
    const found = await discoverFleet(
      {
        ocm: [
          { environment: 'production', client: ocm },
          { environment: 'stage', client: other },
        ],
        log: quiet,
      },
      (clusters) => handed.push(...clusters.map((c) => c.id)),
    );
    expect(found.environments.find((e) => e.name === 'production')!.error).toMatch(/502/);
    expect(found.discoveries.map((d) => d.ocmEnvironment)).toStrictEqual(['stage']);
    expect(ocm.clusterQueries).toStrictEqual([]);
    expect(handed).toStrictEqual([]);
  });
});

describe('discoverFleet: what OCM answers', () => {
  it('hands every ready cluster to the sink once, and never an empty batch', async () => {
    const ocm = new RecordingOcm();
    descending(ocm, 100);
    // The second cluster query answers only clusters that are not ready: nothing to hand out.
    for (let i = 0; i < 3; i++) ocm.add(`s${i}`, ORG_A, v2(TENANT_A), { state: 'installing' });
    const batches: string[][] = [];
    await single(ocm, (clusters) => batches.push(clusters.map((c) => c.id)));
    expect(ocm.clusterQueries).toHaveLength(2);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(100);
  });

  it('discovers and hands out a cluster that OCM answers twice only once', async () => {
    const ocm = new RecordingOcm();
    descending(ocm, 150);
    ocm.extraClusters = [structuredClone(ocm.clusters.find((c) => c.id === 'c000')!)];
    const handed: string[] = [];
    const found = await single(ocm, (clusters) => handed.push(...clusters.map((c) => c.id)));
    const discovery = found.discoveries[0]!;
    expect(handed).toHaveLength(150);
    expect(new Set(handed).size).toBe(150);
    expect(discovery.clusters).toHaveLength(150);
    expect(discovery.subscriptionsWithoutCluster).toBe(0);
  });

  it('takes no cluster of a subscription that was not asked for into the fleet', async () => {
    const ocm = new RecordingOcm();
    ocm.add('c1', ORG_A, v2(TENANT_A));
    ocm.extraClusters = [
      {
        id: 'intruder',
        externalId: 'ext-intruder',
        name: 'intruder',
        subscriptionId: 'sub-never-asked',
        state: 'ready',
        managed: true,
        hostedControlPlane: false,
      },
    ];
    const handed: string[] = [];
    const found = await single(ocm, (clusters) => handed.push(...clusters.map((c) => c.id)));
    expect(found.discoveries[0]!.clusters.map((c) => c.id)).toStrictEqual(['c1']);
    expect(found.discoveries[0]!.skipped).toStrictEqual([]);
    expect(handed).toStrictEqual(['c1']);
  });

  it('skips a cluster that is not ready, not managed or has no external id yet, with the reason', async () => {
    const ocm = new RecordingOcm();
    ocm.add('a-ready', ORG_A, v2(TENANT_A));
    ocm.add('b-installing', ORG_A, v2(TENANT_A), { state: 'installing' });
    ocm.add('c-unmanaged', ORG_A, v2(TENANT_A), { managed: false });
    ocm.add('d-no-external-id', ORG_A, v2(TENANT_A), { externalId: '' });
    const handed: string[] = [];
    const found = await single(ocm, (clusters) => handed.push(...clusters.map((c) => c.id)));
    const discovery = found.discoveries[0]!;
    expect(discovery.clusters.map((c) => c.id)).toStrictEqual(['a-ready']);
    expect(handed).toStrictEqual(['a-ready']);
    expect(discovery.skipped.map((s) => [s.cluster.id, s.reason])).toStrictEqual([
      ['b-installing', 'cluster is installing, not ready'],
      ['c-unmanaged', 'cluster is not managed'],
      ['d-no-external-id', 'cluster has no external id yet'],
    ]);
  });

  it('sorts the clusters and the skipped clusters of a discovery by id, not by the order OCM answers', async () => {
    const ocm = new RecordingOcm();
    for (const id of ['c3', 'c1', 'c2']) ocm.add(id, ORG_A, v2(TENANT_A));
    for (const id of ['s2', 's3', 's1']) ocm.add(id, ORG_A, v2(TENANT_A), { state: 'hibernating' });
    const discovery = (await single(ocm)).discoveries[0]!;
    expect(discovery.clusters.map((c) => c.id)).toStrictEqual(['c1', 'c2', 'c3']);
    expect(discovery.skipped.map((s) => s.cluster.id)).toStrictEqual(['s1', 's2', 's3']);
  });

  it('counts the labelled subscriptions that have no cluster', async () => {
    const ocm = new RecordingOcm();
    ocm.add('c1', ORG_A, v2(TENANT_A));
    ocm.subscriptions.push(
      { id: 'sub-empty1', organizationId: ORG_A, status: 'Reserved' },
      { id: 'sub-empty2', organizationId: ORG_A, status: 'Reserved' },
    );
    for (const subscriptionId of ['sub-empty1', 'sub-empty2'])
      ocm.labels.push({ key: TENANT_KEY, value: TENANT_A, type: 'Subscription', subscriptionId });
    const discovery = (await single(ocm)).discoveries[0]!;
    expect(discovery.subscriptionsWithoutCluster).toBe(2);
    expect(discovery.labels).toBe(4);
  });

  it('applies organization labels to every subscription of the organization, under its own labels', async () => {
    const ocm = new RecordingOcm();
    ocm.organizationLabel(ORG_B, v2(TENANT_B));
    ocm.add('b1', ORG_B, { [TENANT_KEY]: TENANT_A });
    ocm.add('b2', ORG_B);
    const discovery = (await single(ocm)).discoveries[0]!;
    expect(discovery.clusters.map((c) => [c.id, c.labels])).toStrictEqual([
      ['b1', { [TENANT_KEY]: TENANT_A, [SPEC_KEY]: 'default' }],
      ['b2', v2(TENANT_B)],
    ]);
  });

  it('takes a label as a subscription label only when OCM types it Subscription', async () => {
    const ocm = new RecordingOcm();
    ocm.add('x', ORG_B);
    ocm.add('y', ORG_B);
    const stray: OcmLabel[] = [
      {
        key: TENANT_KEY,
        value: TENANT_A,
        type: 'Organization',
        organizationId: ORG_A,
        subscriptionId: 'sub-x',
      },
      { key: TENANT_KEY, value: TENANT_A, type: 'Account', subscriptionId: 'sub-y' },
    ];
    ocm.labels.push(...stray);
    const discovery = (await single(ocm)).discoveries[0]!;
    expect(ocm.subscriptionQueries).toStrictEqual([{ ids: [], organizationIds: [ORG_A] }]);
    expect(discovery.clusters).toStrictEqual([]);
    expect(discovery.subscriptionsWithoutCluster).toBe(0);
  });

  it('takes a label as an organization label only when OCM types it Organization', async () => {
    const ocm = new RecordingOcm();
    ocm.add('a1', ORG_A, v2(TENANT_A));
    ocm.add('f1', ORG_FOREIGN);
    // The subscription label of a1 names an organization as well, and an account label names another.
    ocm.labels[0]!.organizationId = ORG_FOREIGN;
    ocm.labels.push({ key: TENANT_KEY, value: TENANT_B, type: 'Account', organizationId: ORG_B });
    ocm.add('b1', ORG_B);
    const discovery = (await single(ocm)).discoveries[0]!;
    expect(ocm.subscriptionQueries).toStrictEqual([{ ids: ['sub-a1'], organizationIds: [] }]);
    expect(discovery.clusters.map((c) => [c.id, c.labels])).toStrictEqual([['a1', v2(TENANT_A)]]);
  });
});
