/**
 * How long the shared HTTP transport waits, and how much it sends at once (src/clients/http.ts): backoff
 * between attempts, Retry-After on 429 and 503 within the cap, a 429 pausing the whole system, the in-flight
 * gate, and the statistics and log lines of each call. On a fake clock: each wait is read off the clock
 * the transport sets its timers against.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { fake, fakeClient } from './http-fake-undici.js';

vi.mock('undici', () => import('./http-fake-undici.js'));

beforeEach(async () => {
  await closeHttpAgents();
  fake.reset();
  vi.useFakeTimers({ now: 1_000_000 });
  // performance.now() starts at 0 on the fake clock; an elapsed time read off it must not equal the sum.
  vi.advanceTimersByTime(500);
});
afterEach(() => {
  vi.useRealTimers();
  expect(fake.steps).toEqual([]);
  expect(fake.unscripted).toBe(0);
});

/** Backoff of exactly base × 2^(attempt−1) (the jitter at its top), and a cap of 1 s: at most 3 s waits. */
const settings = { backoffBaseMs: 100, backoffCapMs: 1000, random: () => 1 };

/** Starts a GET and reports how many requests were sent at each of `times` ms after the start. */
async function sentAt(times: number[], method: 'GET' | 'POST' = 'GET') {
  const { http, stats } = fakeClient(settings);
  const started = Date.now();
  const call = http.request({ operation: 'get', method, path: '/x' });
  const counts: number[] = [];
  for (const t of times) {
    await vi.advanceTimersByTimeAsync(started + t - Date.now());
    counts.push(fake.sent.length);
  }
  // The rest of the call's waits, so that a wait longer than expected fails the counts, not the test timeout.
  await vi.runAllTimersAsync();
  return { counts, result: await call, stats };
}

describe('waits between attempts', () => {
  it('a retry waits its backoff before the next attempt', async () => {
    fake.answer(503);
    fake.answer(200, { ok: 1 });
    const { counts, result } = await sentAt([99, 100]);
    expect(counts).toEqual([1, 2]);
    expect(result.status).toBe(200);
  });

  it('each retry waits twice as long as the one before: base, 2 × base, 4 × base', async () => {
    fake.answer(503);
    fake.answer(503);
    fake.answer(503);
    fake.answer(200, { ok: 1 });
    // Attempts at 0, then 100 ms, 200 ms and 400 ms apart: 0, 100, 300, 700.
    const { counts, result } = await sentAt([99, 100, 299, 300, 699, 700]);
    expect(counts).toEqual([1, 2, 2, 3, 3, 4]);
    expect(result.status).toBe(200);
  });

  it('Retry-After on a 503 is honoured: the next attempt waits as told', async () => {
    fake.answer(503, undefined, { 'retry-after': '2' });
    fake.answer(200, { ok: 1 });
    const { counts } = await sentAt([1999, 2000]);
    expect(counts).toEqual([1, 2]);
  });

  it('Retry-After on a 503 shorter than the backoff waits the backoff', async () => {
    fake.answer(503, undefined, { 'retry-after': '0' });
    fake.answer(200, { ok: 1 });
    const { counts } = await sentAt([99, 100]);
    expect(counts).toEqual([1, 2]);
  });

  it('Retry-After on a 503 waits at most three backoff caps', async () => {
    fake.answer(503, undefined, { 'retry-after': '3600' });
    fake.answer(201, { ok: 1 });
    const { counts } = await sentAt([2999, 3000], 'POST');
    expect(counts).toEqual([1, 2]);
  });

  it('a 429 waits as told by Retry-After', async () => {
    fake.answer(429, undefined, { 'retry-after': '2' });
    fake.answer(200, { ok: 1 });
    const { counts } = await sentAt([1999, 2000]);
    expect(counts).toEqual([1, 2]);
  });

  it('the 429 wait is capped at three backoff caps, however long the server asks for', async () => {
    fake.answer(429, undefined, { 'retry-after': '3600' });
    fake.answer(200, { ok: 1 });
    const { counts } = await sentAt([2999, 3000]);
    expect(counts).toEqual([1, 2]);
  });

  it('a 429 without Retry-After waits the backoff', async () => {
    fake.answer(429);
    fake.answer(200, { ok: 1 });
    const { counts } = await sentAt([99, 100]);
    expect(counts).toEqual([1, 2]);
  });

  it('a 429 pauses every request to the system until its wait is over', async () => {
    fake.answer(429, undefined, { 'retry-after': '2' });
    fake.answer(200, { other: 1 });
    fake.answer(200, { ok: 1 });
    const { http } = fakeClient(settings);
    const started = Date.now();
    const first = http.request({ operation: 'get', method: 'GET', path: '/x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.sent).toHaveLength(1);
    // Another caller, after the 429 arrived: held by the same pause, not sent into the throttle.
    const second = http.request({ operation: 'other', method: 'GET', path: '/y' });
    await vi.advanceTimersByTimeAsync(started + 1999 - Date.now());
    expect(fake.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(fake.sent.map((r) => r.path)).toEqual(['/x', '/y', '/x']);
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
    expect(http.limiter.rate).toBeCloseTo(900);
  });
});

describe('call statistics add up', () => {
  it('a 503 retry is a retry, not a rate-limited answer', async () => {
    fake.answer(503);
    fake.answer(200, { ok: 1 });
    const { stats } = await sentAt([100]);
    expect(stats.snapshot()).toEqual([
      { system: 'ocm', operation: 'get', calls: 1, retries: 1, rateLimited: 0, errors: 0, totalMs: 100 },
    ]);
  });

  it('a 429 retry counts as both a retry and rate-limited', async () => {
    fake.answer(429, undefined, { 'retry-after': '0' });
    fake.answer(200, { ok: 1 });
    const { stats } = await sentAt([100]);
    expect(stats.snapshot()[0]).toMatchObject({ calls: 1, retries: 1, rateLimited: 1, errors: 0 });
  });

  it('a call is timed from its first attempt to its answer, waits included', async () => {
    fake.answer(503, undefined, { 'retry-after': '2' });
    fake.answer(200, { ok: 1 });
    const { stats } = await sentAt([2000]);
    expect(stats.snapshot()[0]?.totalMs).toBe(2000);
  });

  it('an accepted status (404 on a look-up) counts as one call without error', async () => {
    fake.answer(404, { reason: 'absent' });
    const { http, stats } = fakeClient(settings);
    const res = await http.request({ operation: 'find', method: 'GET', path: '/x', accept: [404] });
    expect(res.status).toBe(404);
    expect(stats.snapshot()).toEqual([
      { system: 'ocm', operation: 'find', calls: 1, retries: 0, rateLimited: 0, errors: 0, totalMs: 0 },
    ]);
  });
});

describe('verbose logging', () => {
  it('logs one line per attempt: status or transport code, duration, and the attempt after the first', async () => {
    const lines: string[] = [];
    fake.fail({ code: 'ECONNREFUSED' });
    fake.answer(503);
    fake.answer(201, { ok: 1 });
    const { http } = fakeClient({ ...settings, log: (line) => lines.push(line) });
    const call = http.request({ operation: 'mint', method: 'POST', path: '/p' });
    await vi.advanceTimersByTimeAsync(1000);
    await call;
    expect(lines).toEqual([
      'ocm POST /p → ECONNREFUSED 0ms',
      'ocm POST /p → 503 0ms (attempt 2)',
      'ocm POST /p → 201 0ms (attempt 3)',
    ]);
  });

  it('logs how long the attempt itself took', async () => {
    const lines: string[] = [];
    const answer = fake.hold();
    const { http } = fakeClient({ ...settings, log: (line) => lines.push(line) });
    const call = http.request({ operation: 'get', method: 'GET', path: '/x' });
    await vi.advanceTimersByTimeAsync(250);
    answer();
    await call;
    expect(lines).toEqual(['ocm GET /x → 200 250ms']);
  });
});

describe('the in-flight gate bounds concurrent requests', () => {
  it('never more than maxInFlight requests at once; the next waiter enters as one leaves', async () => {
    const answers = Array.from({ length: 5 }, () => fake.hold());
    const { http } = fakeClient({ ...settings, maxInFlight: 2 });
    const calls = answers.map((_, i) => http.request({ operation: 'get', method: 'GET', path: `/${i}` }));
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.sent).toHaveLength(2);
    answers[0]!();
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.sent).toHaveLength(3);
    expect(fake.inFlight).toBe(2);
    for (const answer of answers.slice(1)) {
      answer();
      await vi.advanceTimersByTimeAsync(100);
    }
    await expect(Promise.all(calls)).resolves.toHaveLength(5);
    expect(fake.sent.map((r) => r.path)).toEqual(['/0', '/1', '/2', '/3', '/4']);
    expect(fake.maxInFlight).toBe(2);
  });

  it('a request that failed leaves the gate to the next', async () => {
    fake.fail({ code: 'ERR_SOMETHING_ELSE' });
    const answer = fake.hold();
    const { http } = fakeClient({ ...settings, maxInFlight: 1 });
    const failed = http.request({ operation: 'get', method: 'GET', path: '/a' }).catch((e) => e.code);
    const next = http.request({ operation: 'get', method: 'GET', path: '/b' });
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.sent).toHaveLength(2);
    answer();
    await expect(failed).resolves.toBe('ERR_SOMETHING_ELSE');
    await expect(next).resolves.toMatchObject({ status: 200 });
  });
});
