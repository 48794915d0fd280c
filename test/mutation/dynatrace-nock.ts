/**
 * A Dynatrace client against nock, for the client-level rules of src/clients/dynatrace.ts: listing pages
 * served by page key, every request recorded, no retries so each answer is seen once per read.
 */
import nock from 'nock';
import { CallStats, HttpClient } from '../../src/clients/http.js';
import { DynatraceRestClient, dynatraceErrorMessage } from '../../src/clients/dynatrace.js';
import type { DynatraceTokenWire } from '../../src/clients/answers.js';

export const DT = 'http://abc12345.dt.test';

export function dynatraceClient(): DynatraceRestClient {
  return new DynatraceRestClient(
    'abc12345',
    new HttpClient({
      system: 'dynatrace',
      baseUrl: `${DT}/api/v2`,
      timeoutMs: 2000,
      maxRetries: 0,
      rateLimit: 1000,
      stats: new CallStats(),
      backoffBaseMs: 1,
      backoffCapMs: 2,
      errorMessage: dynatraceErrorMessage,
    }),
  );
}

export const wireToken = (n: number): DynatraceTokenWire => ({
  id: `dt0c01.T${n}`,
  name: `dtp_${n}`,
  enabled: true,
  scopes: ['metrics.ingest'],
});

export const wireTokens = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => wireToken(from + i));

export interface ListingPage {
  totalCount: number;
  apiTokens: DynatraceTokenWire[];
  nextPageKey?: string;
}

/**
 * Serves a listing: `first` answers the request without a page key, `byKey` the requests that carry one.
 * Returns the page keys requested, in order ('' for a first page), so a test can count the reads.
 */
export function serveListing(first: ListingPage, byKey: Record<string, ListingPage> = {}): string[] {
  const requested: string[] = [];
  nock(DT)
    .persist()
    .get('/api/v2/apiTokens')
    .query(true)
    // nock 15 hands the reply function the fetch Request.
    .reply((request: Request) => {
      const key = new URL(request.url).searchParams.get('nextPageKey') ?? '';
      requested.push(key);
      const page = key === '' ? first : byKey[key];
      return page ? [200, page] : [404, { error: { code: 404, message: `no page ${key}` } }];
    });
  return requested;
}
