/**
 * Labels by owner (src/reconcile/discover.ts): a label that names no subscription (or organization) belongs
 * to nobody and must not become the labels of a cluster.
 */
import { describe, expect, it } from 'vitest';
import type { OcmLabel } from '../../src/clients/api.js';
import { byOwner } from '../../src/reconcile/discover.js';
import { ORG_A } from '../fixtures/domain.js';

describe('byOwner', () => {
  it('drops labels without an owner id of the requested kind', () => {
    const labels: OcmLabel[] = [
      {
        key: 'sre-capabilities.dtp.v2.tenant',
        value: 'abc12345',
        type: 'Subscription',
        subscriptionId: 'sub1',
      },
      { key: 'sre-capabilities.dtp.v2.tenant', value: 'def67890', type: 'Subscription' },
      {
        key: 'sre-capabilities.dtp.v2.token-spec',
        value: 'default',
        type: 'Subscription',
        subscriptionId: '',
      },
      {
        key: 'sre-capabilities.dtp.v2.tenant',
        value: 'def67890',
        type: 'Organization',
        organizationId: ORG_A,
      },
    ];
    expect([...byOwner(labels, 'subscriptionId')]).toStrictEqual([
      ['sub1', { 'sre-capabilities.dtp.v2.tenant': 'abc12345' }],
    ]);
    expect([...byOwner(labels, 'organizationId')]).toStrictEqual([
      [ORG_A, { 'sre-capabilities.dtp.v2.tenant': 'def67890' }],
    ]);
  });
});
