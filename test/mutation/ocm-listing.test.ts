import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MalformedAnswerError } from '../../src/errors.js';
import { OCM, label, labels, ocmClient, servePages } from './ocm-nock.js';

const LABELS = '/api/accounts_mgmt/v1/labels';

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('OCM listings are complete or refused', () => {
  it('a single page holding fewer items than its total is refused, read twice, naming the GET', async () => {
    const requested = servePages(LABELS, (n) => (n === 1 ? { total: 3, items: labels(1, 2) } : undefined));
    const error = await ocmClient()
      .listLabels('sre-capabilities.dtp.%')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect((error as Error).message).toBe(
      'ocm list labels (GET /api/accounts_mgmt/v1/labels): listing incomplete: page 1 of 1 holds 2 items, 3 expected for a total of 3 (after 2 attempts)',
    );
    expect(requested.map((q) => q.get('page'))).toEqual(['1', '1']);
  });

  it('an item listed twice on a single page is refused with the number of duplicates', async () => {
    servePages(LABELS, (n) => (n === 1 ? { total: 3, items: [label(1), label(2), label(1)] } : undefined));
    await expect(ocmClient().listLabels('sre-capabilities.dtp.%')).rejects.toThrow(
      'listing incomplete: 1 items listed twice (the list changed while it was read) (after 2 attempts)',
    );
  });

  it('a later page whose total differs from the first is refused even when its item count fits', async () => {
    servePages(LABELS, (n) =>
      n === 1
        ? { total: 150, items: labels(0, 100) }
        : n === 2
          ? { total: 151, items: labels(100, 50) }
          : undefined,
    );
    await expect(ocmClient().listLabels('sre-capabilities.dtp.%')).rejects.toThrow(
      'listing incomplete: the total changed from 150 to 151 between pages',
    );
  });

  it('a total of exactly the page cap is read (pages asked for), not refused as beyond the cap', async () => {
    // 1,000,000 items is exactly MAX_PAGES full pages: allowed. Page 2 then contradicts the total, which ends
    // the read after one window; the beyond-the-cap refusal would not have asked for page 2 at all.
    const requested = servePages(LABELS, (n) =>
      n === 1 ? { total: 1_000_000, items: labels(0, 100) } : { total: 7, items: [] },
    );
    await expect(ocmClient().listLabels('sre-capabilities.dtp.%')).rejects.toThrow(
      'listing incomplete: the total changed from 1000000 to 7 between pages',
    );
    expect(requested.some((q) => q.get('page') === '2')).toBe(true);
  });

  it('a total one page beyond the cap is refused after the first page only', async () => {
    const requested = servePages(LABELS, () => ({ total: 1_000_001, items: labels(0, 100) }));
    await expect(ocmClient().listLabels('sre-capabilities.dtp.%')).rejects.toThrow(
      'listing incomplete: total 1000001 is more than dtp reads (1000000)',
    );
    expect(requested.map((q) => q.get('page'))).toEqual(['1', '1']);
  });
});

describe('OCM listings keep what the answer says', () => {
  it('an organization label keeps its organization id', async () => {
    servePages(LABELS, () => ({
      total: 1,
      items: [label(1, { type: 'Organization', subscription_id: undefined, organization_id: 'org-1' })],
    }));
    expect(await ocmClient().listLabels('sre-capabilities.dtp.%')).toEqual([
      {
        key: 'sre-capabilities.dtp.tenant',
        value: 'abc12345',
        type: 'Organization',
        subscriptionId: undefined,
        organizationId: 'org-1',
      },
    ]);
  });

  it('subscription searches list ids sorted and deduplicated, quoted, and keep the external cluster id', async () => {
    const requested = servePages('/api/accounts_mgmt/v1/subscriptions', () => ({
      total: 1,
      items: [
        {
          id: "sub-'a",
          organization_id: 'org-a',
          status: 'Active',
          cluster_id: 'c1',
          external_cluster_id: 'ext-1',
        },
      ],
    }));
    const subs = await ocmClient().listSubscriptions({
      ids: ['sub-b', "sub-'a", 'sub-b'],
      organizationIds: ['org-z', 'org-a'],
    });
    // Both searches answer the same subscription: it is kept once.
    expect(subs).toEqual([
      {
        id: "sub-'a",
        organizationId: 'org-a',
        clusterId: 'c1',
        externalClusterId: 'ext-1',
        status: 'Active',
      },
    ]);
    expect(requested.map((q) => q.get('search')).sort()).toEqual([
      "id in ('sub-''a', 'sub-b') and status in ('Active', 'Reserved')",
      "organization_id in ('org-a', 'org-z') and status in ('Active', 'Reserved')",
    ]);
    expect(requested.every((q) => q.get('order') === 'id asc')).toBe(true);
  });

  it('a failed subscription search names the call', async () => {
    nock(OCM)
      .get('/api/accounts_mgmt/v1/subscriptions')
      .query(true)
      .reply(400, { code: 'ACCT-MGMT-11', reason: 'bad search' });
    await expect(ocmClient().listSubscriptions({ ids: ['s1'], organizationIds: [] })).rejects.toThrow(
      /^ocm list subscriptions \(GET \/api\/accounts_mgmt\/v1\/subscriptions\?.*failed with HTTP 400: ACCT-MGMT-11: bad search$/,
    );
  });

  it('clusters are found by quoted, sorted external ids; one without a name is named by its id', async () => {
    const requested = servePages('/api/clusters_mgmt/v1/clusters', () => ({
      total: 2,
      items: [
        { id: 'c1', external_id: 'ext-a', name: 'one', state: 'ready', subscription: { id: 's1' } },
        { id: 'c3', external_id: 'ext-b', state: 'uninstalling', subscription: { id: 's3' } },
      ],
    }));
    const clusters = await ocmClient().findClusters(['ext-b', 'ext-a', 'ext-b']);
    expect(requested.map((q) => [q.get('search'), q.get('order')])).toEqual([
      ["external_id in ('ext-a', 'ext-b')", 'id asc'],
    ]);
    expect(clusters.map((c) => [c.id, c.externalId, c.name, c.subscriptionId])).toEqual([
      ['c1', 'ext-a', 'one', 's1'],
      ['c3', 'ext-b', 'c3', 's3'],
    ]);
  });

  it('a cluster still installing has no external id: listed by subscription, its external id is empty', async () => {
    servePages('/api/clusters_mgmt/v1/clusters', () => ({
      total: 1,
      items: [{ id: 'c2', state: 'installing', subscription: { id: 's2' } }],
    }));
    const clusters = await ocmClient().listClusters(['s2']);
    expect(clusters.map((c) => [c.id, c.externalId, c.subscriptionId])).toEqual([['c2', '', 's2']]);
  });
});

describe('OCM listings answer the search they were asked, or nothing of them is used', () => {
  const sub = (id: string, org: string, status = 'Active') => ({ id, organization_id: org, status });
  const cluster = (id: string, sub: string, externalId?: string) => ({
    id,
    // A ready cluster must have an external id (answers.ts); one still installing may lack it.
    state: externalId ? 'ready' : 'installing',
    subscription: { id: sub },
    ...(externalId ? { external_id: externalId } : {}),
  });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: Error) => e,
    );

  it.each([
    [
      'a subscription not asked for',
      { ids: ['s1'], organizationIds: [] },
      sub('s2', 'org-a'),
      'id or status',
    ],
    [
      'a subscription of another status',
      { ids: ['s1', 's2'], organizationIds: [] },
      sub('s2', 'org-a', 'Deprovisioned'),
      'id or status',
    ],
    [
      'a subscription of another organization',
      { ids: [], organizationIds: ['org-a'] },
      sub('s1', 'org-b'),
      'organization or status',
    ],
    [
      'an organization subscription of another status',
      { ids: [], organizationIds: ['org-a'] },
      sub('s1', 'org-a', 'Archived'),
      'organization or status',
    ],
  ])('%s is a malformed answer naming the call', async (_, query, item, what) => {
    servePages('/api/accounts_mgmt/v1/subscriptions', () => ({
      total: 2,
      items: [sub(query.ids[0] ?? 's0', query.organizationIds[0] ?? 'org-a'), item],
    }));
    const error = await failure(ocmClient().listSubscriptions(query));
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error!.message).toBe(
      `ocm list subscriptions (GET /api/accounts_mgmt/v1/subscriptions): 1 of 2 items answered are outside the search (${what} not asked for)`,
    );
  });

  it('a cluster of a subscription not asked for is a malformed answer naming the call', async () => {
    servePages('/api/clusters_mgmt/v1/clusters', () => ({
      total: 2,
      items: [cluster('c1', 's1'), cluster('c2', 's9')],
    }));
    const error = await failure(ocmClient().listClusters(['s1', 's2']));
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error!.message).toBe(
      'ocm list clusters (GET /api/clusters_mgmt/v1/clusters): 1 of 2 items answered are outside the search (subscription.id not asked for)',
    );
  });

  it.each([
    ['another external id', cluster('c2', 's2', 'ext-z')],
    ['no external id', cluster('c2', 's2')],
  ])('a cluster found by external id with %s is a malformed answer', async (_, item) => {
    servePages('/api/clusters_mgmt/v1/clusters', () => ({
      total: 2,
      items: [cluster('c1', 's1', 'ext-a'), item],
    }));
    const error = await failure(ocmClient().findClusters(['ext-a']));
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect(error!.message).toContain(
      '1 of 2 items answered are outside the search (external_id not asked for)',
    );
  });

  it('an answer inside the search is used whole', async () => {
    servePages('/api/accounts_mgmt/v1/subscriptions', () => ({
      total: 2,
      items: [sub('s1', 'org-a'), sub('s2', 'org-a', 'Reserved')],
    }));
    const subs = await ocmClient().listSubscriptions({ ids: ['s1', 's2'], organizationIds: [] });
    expect(subs.map((s) => [s.id, s.status])).toEqual([
      ['s1', 'Active'],
      ['s2', 'Reserved'],
    ]);
  });
});
