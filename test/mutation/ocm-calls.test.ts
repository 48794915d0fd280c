import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ocmErrorMessage } from '../../src/clients/ocm.js';
import { OCM, logEntries, logEntry, ocmClient, servePages } from './ocm-nock.js';

const LOGS = '/api/service_logs/v1/clusters/cluster_logs';
const SINCE = new Date('2026-11-28T00:00:00Z');
const SYNCSETS = '/api/clusters_mgmt/v1/clusters/c1/external_configuration/syncsets';
const MANIFESTS = '/api/clusters_mgmt/v1/clusters/c1/external_configuration/manifests';
const items = [{ kind: 'Secret' }];

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('OCM service logs are read in the since window, at most three pages', () => {
  it('three full pages are read when the total calls for more, and no fourth', async () => {
    const requested = servePages(LOGS, (n) => ({ total: 350, items: logEntries(n * 100, 100) }));
    const logs = await ocmClient().listServiceLogs('uuid-1', SINCE);
    expect(logs).toHaveLength(300);
    expect(requested.map((q) => q.get('page'))).toEqual(['1', '2', '3']);
    expect(requested[0]?.get('search')).toBe("timestamp >= '2026-11-28T00:00:00.000Z'");
  });

  it('a short page ends the read even when its total claims more', async () => {
    const requested = servePages(LOGS, () => ({ total: 500, items: logEntries(0, 50) }));
    expect(await ocmClient().listServiceLogs('uuid-1', SINCE)).toHaveLength(50);
    expect(requested).toHaveLength(1);
  });

  it('a full page that reaches the total ends the read', async () => {
    const requested = servePages(LOGS, () => ({ total: 100, items: logEntries(0, 100) }));
    expect(await ocmClient().listServiceLogs('uuid-1', SINCE)).toHaveLength(100);
    expect(requested).toHaveLength(1);
  });

  it('an entry keeps its own cluster uuid and description; missing fields read as empty or the asked cluster', async () => {
    servePages(LOGS, () => ({
      total: 2,
      items: [
        logEntry(1, { cluster_uuid: 'uuid-other', description: 'said' }),
        { timestamp: '2026-11-29T00:00:00Z' },
      ],
    }));
    expect(await ocmClient().listServiceLogs('uuid-1', SINCE)).toEqual([
      {
        clusterUuid: 'uuid-other',
        serviceName: 'dtp',
        summary: 'entry 1',
        description: 'said',
        severity: 'Info',
        timestamp: '2026-11-28T00:00:00Z',
      },
      {
        clusterUuid: 'uuid-1',
        serviceName: '',
        summary: '',
        description: '',
        severity: 'Info',
        timestamp: '2026-11-29T00:00:00Z',
      },
    ]);
  });

  it('a failed service-log read names the call', async () => {
    nock(OCM).get(LOGS).query(true).reply(400, { reason: 'bad search' });
    await expect(ocmClient().listServiceLogs('uuid-1', SINCE)).rejects.toThrow(
      /^ocm list service logs \(GET \/api\/service_logs\/v1\/clusters\/cluster_logs\?.*failed with HTTP 400: bad search$/,
    );
  });

  it('a service log is posted visible to the customer, and a failure names the call', async () => {
    let posted: unknown;
    nock(OCM)
      .post('/api/service_logs/v1/cluster_logs', (body: unknown) => ((posted = body), true))
      .reply(400, { reason: 'refused' });
    const entry = {
      clusterUuid: 'uuid-1',
      serviceName: 'dtp',
      summary: 's',
      description: 'd',
      severity: 'Info' as const,
    };
    await expect(ocmClient().createServiceLog(entry)).rejects.toThrow(
      'ocm create service log (POST /api/service_logs/v1/cluster_logs) failed with HTTP 400: refused',
    );
    expect(posted).toEqual({
      cluster_uuid: 'uuid-1',
      service_name: 'dtp',
      summary: 's',
      description: 'd',
      severity: 'Info',
      internal_only: false,
    });
  });
});

describe('OCM delivery calls name the object kind they act on', () => {
  it.each([
    ['SyncSet', SYNCSETS],
    ['Manifest', MANIFESTS],
  ] as const)('a failed get, create, patch and delete of a %s say so', async (kind, path) => {
    nock(OCM)
      .get(`${path}/d1`)
      .reply(400, { reason: 'no' })
      .post(path)
      .reply(400, { reason: 'no' })
      .patch(`${path}/d1`)
      .reply(400, { reason: 'no' })
      .delete(`${path}/d1`)
      .reply(400, { reason: 'no' });
    const ocm = ocmClient();
    await expect(ocm.getDelivery('c1', kind, 'd1')).rejects.toThrow(
      `ocm get ${kind} (GET ${path}/d1) failed with HTTP 400: no`,
    );
    await expect(ocm.createDelivery('c1', { kind, id: 'd1', items })).rejects.toThrow(
      `ocm create ${kind} (POST ${path}) failed with HTTP 400: no`,
    );
    await expect(ocm.patchDelivery('c1', { kind, id: 'd1', items })).rejects.toThrow(
      `ocm patch ${kind} (PATCH ${path}/d1) failed with HTTP 400: no`,
    );
    await expect(ocm.deleteDelivery('c1', kind, 'd1')).rejects.toThrow(
      `ocm delete ${kind} (DELETE ${path}/d1) failed with HTTP 400: no`,
    );
  });

  it('a create answered 500 is retried (a replay answers 409, which the caller patches)', async () => {
    nock(OCM).post(SYNCSETS).reply(500, { reason: 'busy' }).post(SYNCSETS).reply(201, { id: 'd1' });
    await ocmClient(1).createDelivery('c1', { kind: 'SyncSet', id: 'd1', items });
    expect(nock.isDone()).toBe(true);
  });
});

describe("OCM's error text is its reason, with its code when there is one", () => {
  it('reason with code, reason alone, and nothing without a string reason', () => {
    expect(ocmErrorMessage({ code: 'OCM-1', reason: 'bad' })).toBe('OCM-1: bad');
    expect(ocmErrorMessage({ reason: 'bad' })).toBe('bad');
    expect(ocmErrorMessage({ code: 'OCM-1' })).toBeUndefined();
    expect(ocmErrorMessage({ code: 'OCM-1', reason: 42 })).toBeUndefined();
  });

  it('a body that is not an object has no reason to read', () => {
    expect(ocmErrorMessage(null)).toBeUndefined();
    expect(ocmErrorMessage('bad gateway')).toBeUndefined();
    // Only an object body is read: a function carrying a `reason` is not OCM's answer.
    expect(ocmErrorMessage(Object.assign(() => undefined, { reason: 'not an answer' }))).toBeUndefined();
  });
});
