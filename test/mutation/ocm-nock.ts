/**
 * An OCM client against nock for the client-level rules of src/clients/ocm.ts: no retries unless asked, so
 * each answer is seen once per read, and every request's query recorded.
 */
import nock from 'nock';
import { CallStats, HttpClient } from '../../src/clients/http.js';
import { OcmRestClient, ocmErrorMessage } from '../../src/clients/ocm.js';

export const OCM = 'http://ocm.test';

export function ocmClient(maxRetries = 0): OcmRestClient {
  return new OcmRestClient(
    'production',
    new HttpClient({
      system: 'ocm',
      baseUrl: OCM,
      timeoutMs: 2000,
      maxRetries,
      rateLimit: 1000,
      stats: new CallStats(),
      backoffBaseMs: 1,
      backoffCapMs: 2,
      errorMessage: ocmErrorMessage,
    }),
  );
}

export interface Page {
  total: number;
  items: unknown[];
}

/**
 * Serves a paged GET on `path`: `byPage` answers by the `page` parameter (a missing page answers 404).
 * Returns the requests' query parameters, in order, so a test can count and inspect the reads.
 */
export function servePages(path: string, byPage: (n: number) => Page | undefined): URLSearchParams[] {
  const requested: URLSearchParams[] = [];
  nock(OCM)
    .persist()
    .get(path)
    .query(true)
    // nock 15 hands the reply function the fetch Request.
    .reply((request: Request) => {
      const params = new URL(request.url).searchParams;
      requested.push(params);
      const page = byPage(Number(params.get('page')));
      return page
        ? [200, { kind: 'List', size: page.items.length, ...page }]
        : [404, { code: 'OCM-404', reason: 'no such page' }];
    });
  return requested;
}

export const label = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `label-${i}`,
  key: 'sre-capabilities.dtp.tenant',
  value: 'abc12345',
  type: 'Subscription',
  subscription_id: `sub-${i}`,
  ...extra,
});

export const labels = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => label(from + i));

export const logEntry = (i: number, extra: Record<string, unknown> = {}) => ({
  cluster_uuid: 'uuid-1',
  service_name: 'dtp',
  summary: `entry ${i}`,
  description: `description ${i}`,
  severity: 'Info',
  timestamp: '2026-11-28T00:00:00Z',
  ...extra,
});

export const logEntries = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => logEntry(from + i));
