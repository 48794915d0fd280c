/**
 * The completeness rules of the Dynatrace token listing: a listing that does not add up to its totalCount,
 * changes its total between pages, or hands out more page keys than its total allows is a failed call (after
 * one re-read), never a short list — missing tokens would be re-minted.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MalformedAnswerError, RemoteError } from '../../src/errors.js';
import { DT, dynatraceClient, serveListing, wireTokens } from './dynatrace-nock.js';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The error of a listing that must fail: a MalformedAnswerError after both reads. */
async function listingError(): Promise<MalformedAnswerError> {
  const error = await dynatraceClient()
    .listTokens('dtp_')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MalformedAnswerError);
  return error as MalformedAnswerError;
}

const incomplete = (problem: string) =>
  `dynatrace list api tokens (GET /apiTokens): listing incomplete: ${problem} (after 2 attempts)`;

describe('Dynatrace token listing', () => {
  it('a listing whose pages add up to totalCount returns every token of every page, in order', async () => {
    const requested = serveListing(
      { totalCount: 3, apiTokens: wireTokens(0, 2), nextPageKey: 'K1' },
      { K1: { totalCount: 3, apiTokens: wireTokens(2, 1) } },
    );
    const tokens = await dynatraceClient().listTokens('dtp_');
    expect(tokens.map((t) => t.id)).toEqual(['dt0c01.T0', 'dt0c01.T1', 'dt0c01.T2']);
    expect(tokens[2]).toEqual({
      id: 'dt0c01.T2',
      name: 'dtp_2',
      enabled: true,
      scopes: ['metrics.ingest'],
      expirationDate: undefined,
      creationDate: undefined,
      lastUsedDate: undefined,
    });
    expect(requested).toEqual(['', 'K1']);
  });

  it('a listing with fewer tokens than its totalCount fails after a re-read, naming both counts', async () => {
    const requested = serveListing({ totalCount: 3, apiTokens: wireTokens(0, 2) });
    expect((await listingError()).message).toBe(incomplete('2 of 3 tokens listed (totalCount)'));
    expect(requested).toEqual(['', '']);
  });

  it('a page with more tokens than totalCount fails as such, not as a short listing', async () => {
    serveListing({ totalCount: 1, apiTokens: wireTokens(0, 2) });
    expect((await listingError()).message).toBe(incomplete('2 tokens listed, totalCount says 1'));
  });

  it('a totalCount that changes between pages fails, even when the pages add up to the first total', async () => {
    serveListing(
      { totalCount: 4, apiTokens: wireTokens(0, 2), nextPageKey: 'K1' },
      { K1: { totalCount: 3, apiTokens: wireTokens(2, 2) } },
    );
    expect((await listingError()).message).toBe(incomplete('totalCount changed from 4 to 3 between pages'));
  });

  it('a totalCount above one million is refused on the first page, before any paging', async () => {
    const requested = serveListing(
      { totalCount: 1_000_001, apiTokens: [], nextPageKey: 'K1' },
      { K1: { totalCount: 1_000_001, apiTokens: wireTokens(0, 1) } },
    );
    expect((await listingError()).message).toBe(
      incomplete('totalCount 1000001 is more than dtp reads (1000000)'),
    );
    expect(requested).toEqual(['', '']);
  });

  it('a totalCount of exactly one million is within the cap: it is held to its count, not refused as too large', async () => {
    serveListing({ totalCount: 1_000_000, apiTokens: [] });
    expect((await listingError()).message).toBe(incomplete('0 of 1000000 tokens listed (totalCount)'));
  });

  it('the first page sets the page budget: a smaller later page cannot stretch it', async () => {
    // 2 tokens on the first page of 4 allow 2 pages; a key on page 2 is one page too many.
    const requested = serveListing(
      { totalCount: 4, apiTokens: wireTokens(0, 2), nextPageKey: 'K1' },
      {
        K1: { totalCount: 4, apiTokens: wireTokens(2, 1), nextPageKey: 'K2' },
        K2: { totalCount: 4, apiTokens: wireTokens(3, 1) },
      },
    );
    expect((await listingError()).message).toBe(
      incomplete('a nextPageKey on page 2, more pages than totalCount 4 allows (3 tokens so far)'),
    );
    expect(requested).toEqual(['', 'K1', '', 'K1']);
  });

  it('an empty page that still hands out a nextPageKey is refused, not followed', async () => {
    const requested = serveListing(
      { totalCount: 2, apiTokens: [], nextPageKey: 'K1' },
      { K1: { totalCount: 2, apiTokens: wireTokens(0, 2) } },
    );
    expect((await listingError()).message).toBe(
      incomplete('a nextPageKey on page 1, more pages than totalCount 2 allows (0 tokens so far)'),
    );
    expect(requested).toEqual(['', '']);
  });

  it('a page the API refuses fails the listing with an error naming the list call', async () => {
    nock(DT)
      .get('/api/v2/apiTokens')
      .query(true)
      .reply(403, { error: { code: 403, message: 'Token is missing required scope apiTokens.read' } });
    const error = await dynatraceClient()
      .listTokens('dtp_')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).operation).toBe('list api tokens');
    expect((error as RemoteError).message).toMatch(
      /^dynatrace list api tokens \(GET \/apiTokens\?.*\) failed with HTTP 403: Token is missing required scope apiTokens\.read$/,
    );
  });
});
