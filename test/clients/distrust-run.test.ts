/**
 * The distrusting clients under the whole job (issue 10, items 1 and 2): a reconciled fleet, then a run whose
 * remote answers are broken or lie. Each run must end in bounded time with a failing exit code, change
 * nothing, and say in the summary which system and which answer was wrong — never "0 ready clusters".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';
import { dtp } from '../e2e/inprocess.js';

let h: CheckedSandbox;
const FAST = { DTP_MAX_RETRIES: '2' };

// A fresh converged fleet per test (not beforeAll): each test must start from a fleet no other test touched,
// and Stryker treats code run in beforeAll as module-level, re-running every test for each of its mutants.
beforeEach(async () => {
  h = await checkedSandbox(
    { clusters: 40, seed: 77 },
    { shape: { environments: 1, tenants: 2, organizations: 3 } },
  );
  const cold = await dtp(h, 'reconcile');
  expect(cold.exitCode).toBe(0);
});
afterEach(async () => {
  await h.sandbox.close();
  await closeHttpAgents();
});

const tokenCount = () =>
  [...h.sandbox.dynatrace.tenants.keys()].reduce((n, t) => n + h.sandbox.tokens(t).length, 0);

describe('broken OCM answers', () => {
  it.each([
    [
      'an HTML page with 200 for the clusters',
      'listClusters',
      { body: 'html' as const, status: 200 },
      /text\/html/,
    ],
    ['truncated JSON for the labels', 'listLabels', { body: 'truncated' as const }, /cut short or invalid/],
  ])('%s: the run fails, changes nothing and names the answer', async (_what, operation, answer, reason) => {
    const tokens = tokenCount();
    h.sandbox.setFaults('ocm', { [operation]: { answer } });
    const run = await dtp(h, 'reconcile', FAST);
    expect(run.exitCode).not.toBe(0);
    expect(run.writes).toEqual({});
    expect(tokenCount()).toBe(tokens);
    expect(run.summary).toMatch(reason);
    expect(run.summary).toMatch(/ocm list (clusters|labels)/);
  });
});

describe('lying Dynatrace listings', () => {
  it('a nextPageKey that loops ends the run in a bounded number of requests, nothing changed', async () => {
    const before = h.sandbox.records.length;
    h.sandbox.setFaults('dynatrace', { listTokens: { answer: { loopPageKey: true } } });
    const run = await dtp(h, 'reconcile', FAST);
    const listings = h.sandbox.records.slice(before).filter((r) => r.operation === 'listTokens').length;
    expect(run.exitCode).not.toBe(0);
    expect(run.writes).toEqual({});
    // Two tenants, each listing read at most twice, each read stopped at its second page.
    expect(listings).toBeLessThanOrEqual(2 * 2 * 2);
    expect(run.summary).toMatch(/dynatrace list api tokens .*listing incomplete: .*nextPageKey/);
  });

  it('totalCount 500 with no tokens: no mint, no re-mint, no delivery change', async () => {
    const tokens = tokenCount();
    h.sandbox.setFaults('dynatrace', { listTokens: { answer: { set: { totalCount: 500, apiTokens: [] } } } });
    const run = await dtp(h, 'reconcile', FAST);
    expect(run.exitCode).not.toBe(0);
    expect(run.writes).toEqual({});
    expect(tokenCount()).toBe(tokens);
    expect(run.summary).toMatch(/0 of 500 tokens listed/);
  });

  it('with the faults gone, the next run changes nothing: the fleet was left intact', async () => {
    const run = await dtp(h, 'reconcile', FAST);
    expect(run.exitCode).toBe(0);
    expect(run.writes).toEqual({});
    const audit = h.sandbox.audit();
    expect({
      orphans: audit.orphanTokens,
      dead: audit.deadSecrets,
      duplicates: audit.duplicateNames,
    }).toEqual({
      orphans: [],
      dead: [],
      duplicates: [],
    });
  });
});
