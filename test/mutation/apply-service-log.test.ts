/**
 * The service-log window: a failed delivery posts one service log to the cluster's owners, and no second
 * one for the same cluster and reason within 24 hours. The OCM fake (WindowedOcm) lists only logs newer than
 * the `since` the code sends, as OCM does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { applyClusterPlan } from '../../src/reconcile/apply.js';
import { DELIVERY_ID } from '../../src/reconcile/naming.js';
import {
  applyWorld,
  deps,
  EXTERNAL_ID,
  HOUR,
  mint,
  NOW,
  plan,
  token,
  type ApplyWorld,
} from './apply-world.js';

const SUMMARY = 'Dynatrace Token Provider Errors';
const REASON = `SyncSet ${DELIVERY_ID} could not be written: ocm createDelivery (X /createDelivery) failed with HTTP 400`;
const DESCRIPTION = `dtp could not deliver the Dynatrace API tokens to this cluster: ${REASON}. No action is needed from the cluster owner; the next run retries.`;

let w: ApplyWorld;
beforeEach(() => {
  w = applyWorld();
  w.ocm.failing.createDelivery = 400;
});

const failedRun = () => applyClusterPlan(plan('create', [[token('operator', mint())]]), deps(w));

describe('the service-log window: no second service log within 24 h for the same cluster and reason', () => {
  it('posts one service log naming the reason, asking OCM for the last 24 hours', async () => {
    const result = await failedRun();

    expect(result.serviceLog).toBe('posted');
    expect(w.ocm.sinceAsked).toEqual([new Date(NOW.getTime() - 24 * HOUR)]);
    expect(w.ocm.serviceLogs).toEqual([
      {
        clusterUuid: EXTERNAL_ID,
        serviceName: 'dynatrace-token-provider',
        summary: SUMMARY,
        description: DESCRIPTION,
        severity: 'Moderate',
        timestamp: NOW.toISOString(),
      },
    ]);
  });

  it('does not post the same reason again 23 hours later', async () => {
    await failedRun();
    w.clock.now = new Date(NOW.getTime() + 23 * HOUR);

    const again = await failedRun();

    expect(again.serviceLog).toBe('already-posted');
    expect(w.ocm.serviceLogs).toHaveLength(1);
  });

  it('posts the same reason again once 24 hours have passed', async () => {
    await failedRun();
    w.clock.now = new Date(NOW.getTime() + 25 * HOUR);

    const again = await failedRun();

    expect(again.serviceLog).toBe('posted');
    expect(w.ocm.serviceLogs).toHaveLength(2);
  });

  it('posts although recent logs exist with another summary or another reason', async () => {
    w.ocm.postedBefore(1, {
      serviceName: 'dynatrace-token-provider',
      summary: SUMMARY,
      description: 'other reason',
    });
    w.ocm.postedBefore(1, {
      serviceName: 'someone-else',
      summary: 'Other summary',
      description: DESCRIPTION,
    });

    const result = await failedRun();

    expect(result.serviceLog).toBe('posted');
    expect(w.ocm.serviceLogs).toHaveLength(3);
  });

  it('reports a service log that could not be checked as failed, without failing otherwise', async () => {
    w.ocm.failing.listServiceLogs = 503;

    const result = await failedRun();

    expect(result.serviceLog).toBe('failed');
    expect(result.errors).toEqual([REASON]);
    expect(w.ocm.serviceLogs).toEqual([]);
  });
});
