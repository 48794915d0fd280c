/**
 * The OCM answers dtp decides from (src/clients/answers.ts): listing envelopes, labels, subscriptions,
 * clusters, SyncSets/Manifests and service logs. Each table starts from one valid answer and breaks one member;
 * the check must refuse it and name that member, because a silently accepted hole turns into an empty list,
 * a lost binding or a wrong token name.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ocmCluster,
  ocmDelivery,
  ocmLabel,
  ocmPage,
  ocmServiceLog,
  ocmSubscription,
} from '../../src/clients/answers.js';
import { edited, problemWith } from './answers-expect.js';
import type { Wire } from './answers-expect.js';

describe('an OCM listing page', () => {
  let page: Record<string, unknown>;
  beforeEach(() => {
    page = {
      kind: 'LabelList',
      page: 1,
      size: 2,
      total: 2,
      items: [
        {
          id: 'L1',
          key: 'sre-capabilities.dtp.tenant',
          value: 'abc12345',
          type: 'Subscription',
          subscription_id: 'S1',
        },
        {
          id: 'L2',
          key: 'sre-capabilities.dtp.spec',
          value: 'v1',
          type: 'Organization',
          organization_id: 'O1',
        },
      ],
    };
  });

  it('is read as its total and its checked items', () => {
    expect(ocmPage(ocmLabel)(page)).toEqual({
      total: 2,
      items: [
        {
          id: 'L1',
          key: 'sre-capabilities.dtp.tenant',
          value: 'abc12345',
          type: 'Subscription',
          subscription_id: 'S1',
        },
        {
          id: 'L2',
          key: 'sre-capabilities.dtp.spec',
          value: 'v1',
          type: 'Organization',
          organization_id: 'O1',
        },
      ],
    });
  });

  it('with an empty list and a total of 0 is a complete, empty listing', () => {
    expect(ocmPage(ocmLabel)({ page: 1, size: 0, total: 0, items: [] })).toEqual({ total: 0, items: [] });
  });

  const broken: [string, unknown, string][] = [
    ['a null body is not a listing', null, 'the answer is null, not an object'],
    ['a JSON array is not a listing', [], 'the answer is array, not an object'],
    ['a bare string is not a listing', 'OK', 'the answer is string, not an object'],
    ['a bare number is not a listing', 2, 'the answer is number, not an object'],
  ];
  it.each(broken)('%s', (_rule, body, message) => {
    expect(problemWith(() => ocmPage(ocmLabel)(body))).toBe(message);
  });

  const members: [string, (p: Wire) => void, string][] = [
    [
      'a listing without total cannot be judged complete',
      (p) => delete p.total,
      'total is undefined, not a count',
    ],
    ['a total sent as a string is not a count', (p) => (p.total = '2'), 'total is string, not a count'],
    ['a fractional total is not a count', (p) => (p.total = 1.5), 'total is number, not a count'],
    ['a negative total is not a count', (p) => (p.total = -1), 'total is number, not a count'],
    ['a null total is not a count', (p) => (p.total = null), 'total is null, not a count'],
    [
      'a listing without items is malformed, not empty',
      (p) => delete p.items,
      'items is undefined, not a list',
    ],
    ['items given as an object is not a list', (p) => (p.items = {}), 'items is object, not a list'],
    ['a null item is named by its index', (p) => (p.items[1] = null), 'items[1] is null, not an object'],
    [
      'an item that is a list is named by its index',
      (p) => (p.items[1] = []),
      'items[1] is array, not an object',
    ],
  ];
  it.each(members)('%s', (_rule, edit, message) => {
    expect(problemWith(() => ocmPage(ocmLabel)(edited(page, edit)))).toBe(message);
  });
});

describe('an OCM label', () => {
  const at = 'items[3]';
  let label: Record<string, unknown>;
  beforeEach(() => {
    label = {
      kind: 'Label',
      id: 'L1',
      key: 'sre-capabilities.dtp.tenant',
      value: 'abc12345',
      type: 'Subscription',
      subscription_id: 'S1',
      internal: false,
    };
  });

  it('keeps id, key, value, type and the id of what it is attached to', () => {
    expect(ocmLabel(label, at)).toEqual({
      id: 'L1',
      key: 'sre-capabilities.dtp.tenant',
      value: 'abc12345',
      type: 'Subscription',
      subscription_id: 'S1',
      organization_id: undefined,
    });
  });

  it('may carry an empty value: an empty label value is a value', () => {
    expect(ocmLabel({ ...label, value: '' }, at).value).toBe('');
  });

  it('reads an empty or null id, subscription_id or organization_id as absent', () => {
    const read = ocmLabel(
      { key: 'k', value: 'v', type: 'Account', id: '', subscription_id: null, organization_id: '' },
      at,
    );
    expect(read).toEqual({ key: 'k', value: 'v', type: 'Account' });
    expect(read.id).toBeUndefined();
    expect(read.organization_id).toBeUndefined();
  });

  it('of type Organization keeps the organization it is linked to', () => {
    const read = ocmLabel(
      { key: 'k', value: 'v', type: 'Organization', organization_id: 'O1', subscription_id: '' },
      at,
    );
    expect(read.organization_id).toBe('O1');
    expect(read.subscription_id).toBeUndefined();
  });

  it('of another type needs neither subscription_id nor organization_id', () => {
    expect(ocmLabel({ key: 'k', value: 'v', type: 'Account' }, at).type).toBe('Account');
  });

  const members: [string, (l: Wire) => void, string][] = [
    [
      'a Subscription label without subscription_id has lost its binding',
      (l) => delete l.subscription_id,
      'items[3] is a Subscription label without subscription_id',
    ],
    [
      'a Subscription label with an empty subscription_id has lost its binding',
      (l) => (l.subscription_id = ''),
      'items[3] is a Subscription label without subscription_id',
    ],
    [
      'an Organization label without organization_id has lost its binding',
      (l) => Object.assign(l, { type: 'Organization', organization_id: undefined }),
      'items[3] is an Organization label without organization_id',
    ],
    [
      'an Organization label with an empty organization_id has lost its binding',
      (l) => Object.assign(l, { type: 'Organization', organization_id: '' }),
      'items[3] is an Organization label without organization_id',
    ],
    ['a label without key is malformed', (l) => delete l.key, 'items[3].key is undefined, not a string'],
    ['a label with an empty key is malformed', (l) => (l.key = ''), 'items[3].key is empty'],
    ['a numeric key is malformed', (l) => (l.key = 7), 'items[3].key is number, not a string'],
    [
      'a label without value is malformed',
      (l) => delete l.value,
      'items[3].value is undefined, not a string',
    ],
    ['a label with an empty type is malformed', (l) => (l.type = ''), 'items[3].type is empty'],
    ['a numeric label id is malformed', (l) => (l.id = 5), 'items[3].id is number, not a string'],
    [
      'a numeric organization_id is malformed',
      (l) => (l.organization_id = 9),
      'items[3].organization_id is number, not a string',
    ],
  ];
  it.each(members)('%s', (_rule, edit, message) => {
    expect(problemWith(() => ocmLabel(edited(label, edit), at))).toBe(message);
  });
});

describe('an OCM subscription', () => {
  const at = 'items[0]';
  let subscription: Record<string, unknown>;
  beforeEach(() => {
    subscription = {
      kind: 'Subscription',
      id: 'S1',
      organization_id: 'O1',
      status: 'Active',
      cluster_id: 'C1',
      external_cluster_id: 'E1',
      plan: { id: 'ROSA' },
    };
  });

  it('keeps its id, organization, status and both cluster ids', () => {
    expect(ocmSubscription(subscription, at)).toEqual({
      id: 'S1',
      organization_id: 'O1',
      status: 'Active',
      cluster_id: 'C1',
      external_cluster_id: 'E1',
    });
  });

  it('reads empty cluster ids as absent (a subscription whose cluster is not installed yet)', () => {
    const read = ocmSubscription({ ...subscription, cluster_id: '', external_cluster_id: '' }, at);
    expect(read.cluster_id).toBeUndefined();
    expect(read.external_cluster_id).toBeUndefined();
  });

  const members: [string, (s: Wire) => void, string][] = [
    ['a subscription without id is malformed', (s) => delete s.id, 'items[0].id is undefined, not a string'],
    [
      'a subscription without organization is malformed',
      (s) => (s.organization_id = ''),
      'items[0].organization_id is empty',
    ],
    ['a numeric status is malformed', (s) => (s.status = 1), 'items[0].status is number, not a string'],
    [
      'a numeric external_cluster_id is malformed',
      (s) => (s.external_cluster_id = 1),
      'items[0].external_cluster_id is number, not a string',
    ],
  ];
  it.each(members)('%s', (_rule, edit, message) => {
    expect(problemWith(() => ocmSubscription(edited(subscription, edit), at))).toBe(message);
  });
});

describe('an OCM cluster', () => {
  const at = 'items[2]';
  let cluster: Record<string, unknown>;
  beforeEach(() => {
    cluster = {
      kind: 'Cluster',
      id: 'C1',
      external_id: 'E1',
      name: 'prod-1',
      state: 'ready',
      managed: true,
      subscription: { kind: 'SubscriptionLink', id: 'S1', href: '/api/accounts_mgmt/v1/subscriptions/S1' },
      hypershift: { enabled: true },
      product: { kind: 'ProductLink', id: 'rosa' },
    };
  });

  it('keeps id, external id, name, state, managed, subscription, hypershift and product', () => {
    expect(ocmCluster(cluster, at)).toEqual({
      id: 'C1',
      external_id: 'E1',
      name: 'prod-1',
      state: 'ready',
      managed: true,
      subscriptionId: 'S1',
      hypershift: true,
      productId: 'rosa',
    });
  });

  it('still installing may lack external_id, name, hypershift and product', () => {
    const installing = edited(cluster, (c) => {
      delete c.external_id;
      delete c.hypershift;
      delete c.product;
      delete c.managed;
      c.name = null;
      c.state = 'installing';
    });
    expect(ocmCluster(installing, at)).toEqual({
      id: 'C1',
      state: 'installing',
      subscriptionId: 'S1',
      hypershift: false,
    });
  });

  const members: [string, (c: Wire) => void, string][] = [
    [
      'a ready cluster without external_id cannot name its tokens',
      (c) => delete c.external_id,
      'items[2] is ready but has no external_id',
    ],
    [
      'a ready cluster with an empty external_id cannot name its tokens',
      (c) => (c.external_id = ''),
      'items[2] is ready but has no external_id',
    ],
    [
      'a cluster without subscription link is malformed',
      (c) => delete c.subscription,
      'items[2].subscription is undefined, not an object',
    ],
    [
      'a subscription link without id is malformed',
      (c) => delete c.subscription.id,
      'items[2].subscription.id is undefined, not a string',
    ],
    [
      'a hypershift member that is not an object is malformed',
      (c) => (c.hypershift = 'yes'),
      'items[2].hypershift is string, not an object',
    ],
    [
      'a hypershift flag that is not a boolean is malformed',
      (c) => (c.hypershift.enabled = 'true'),
      'items[2].hypershift.enabled is string, not a boolean',
    ],
    [
      'a product member that is a list is malformed',
      (c) => (c.product = []),
      'items[2].product is array, not an object',
    ],
    [
      'a numeric product id is malformed',
      (c) => (c.product.id = 5),
      'items[2].product.id is number, not a string',
    ],
    [
      'a managed flag that is not a boolean is malformed',
      (c) => (c.managed = 'yes'),
      'items[2].managed is string, not a boolean',
    ],
    [
      'a cluster without state is malformed',
      (c) => delete c.state,
      'items[2].state is undefined, not a string',
    ],
    ['a cluster without id is malformed', (c) => (c.id = ''), 'items[2].id is empty'],
  ];
  it.each(members)('%s', (_rule, edit, message) => {
    expect(problemWith(() => ocmCluster(edited(cluster, edit), at))).toBe(message);
  });
});

describe.each(['resources', 'workloads'] as const)('an OCM delivery carrying %s', (itemsField) => {
  let delivery: Record<string, unknown>;
  beforeEach(() => {
    delivery = {
      kind: 'SyncSet',
      id: 'ext-dynatrace-tokens-dtp',
      [itemsField]: [{ kind: 'Secret' }, { kind: 'Secret' }],
    };
  });

  it('keeps its id and its items as sent', () => {
    expect(ocmDelivery(itemsField)(delivery)).toEqual({
      id: 'ext-dynatrace-tokens-dtp',
      items: [{ kind: 'Secret' }, { kind: 'Secret' }],
    });
  });

  it('without the list has no items (OCM leaves an empty list out)', () => {
    expect(ocmDelivery(itemsField)(edited(delivery, (d) => delete d[itemsField]))).toEqual({
      id: 'ext-dynatrace-tokens-dtp',
      items: [],
    });
  });

  it('that is not an object is malformed', () => {
    expect(problemWith(() => ocmDelivery(itemsField)(null))).toBe('the answer is null, not an object');
  });

  it('without an id is malformed', () => {
    expect(problemWith(() => ocmDelivery(itemsField)(edited(delivery, (d) => (d.id = ''))))).toBe(
      'id is empty',
    );
  });

  it('whose list is not a list is malformed', () => {
    expect(problemWith(() => ocmDelivery(itemsField)(edited(delivery, (d) => (d[itemsField] = {}))))).toBe(
      `${itemsField} is object, not a list`,
    );
  });
});

describe('an OCM service log entry', () => {
  const at = 'items[0]';
  let entry: Record<string, unknown>;
  beforeEach(() => {
    entry = {
      kind: 'ClusterLog',
      id: 'log-1',
      cluster_uuid: 'E1',
      service_name: 'dtp',
      summary: 'Dynatrace token re-issued',
      description: 'The token was re-issued.',
      severity: 'Info',
      timestamp: '2026-01-01T00:00:00Z',
    };
  });

  it('keeps cluster, service, summary, description, severity and timestamp', () => {
    expect(ocmServiceLog(entry, at)).toEqual({
      cluster_uuid: 'E1',
      service_name: 'dtp',
      summary: 'Dynatrace token re-issued',
      description: 'The token was re-issued.',
      severity: 'Info',
      timestamp: '2026-01-01T00:00:00Z',
    });
  });

  it.each(['cluster_uuid', 'service_name', 'summary', 'description', 'severity', 'timestamp'])(
    'with a non-string %s is malformed',
    (field) => {
      expect(problemWith(() => ocmServiceLog({ ...entry, [field]: 1 }, at))).toBe(
        `items[0].${field} is number, not a string`,
      );
    },
  );
});
