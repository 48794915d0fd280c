/**
 * The pieces of the shared HTTP transport that need no connection (src/clients/http.ts): the rate limiter
 * never exceeding its rate, Retry-After / X-RateLimit-Reset parsing, and call statistics that add up.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallStats, RateLimiter, retryAfterMs } from '../../src/clients/http.js';

describe('the rate limiter never exceeds its rate', () => {
  // A fake clock: the limiter's spacing is read off the clock it sets its timers against.
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Starts `n` acquisitions; the returned list fills with the fake time at which each was granted. */
  function acquire(limiter: RateLimiter, n: number): number[] {
    const at: number[] = [];
    for (let i = 0; i < n; i++) void limiter.acquire().then(() => at.push(Date.now()));
    return at;
  }

  it('keeps one timer for its whole queue, however many wait', async () => {
    const limiter = new RateLimiter(10);
    const at = acquire(limiter, 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(at).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('a request due exactly now goes at once, without waiting for a timer', async () => {
    const limiter = new RateLimiter(10);
    limiter.throttled(Date.now() + 300);
    vi.setSystemTime(Date.now() + 300);
    const at = acquire(limiter, 1);
    expect(vi.getTimerCount()).toBe(0);
    await Promise.resolve();
    expect(at).toEqual([Date.now()]);
  });

  it('after the event loop stalls it catches up at most 4 ms of requests, then keeps its spacing', async () => {
    // 1000/s: one release every 1000 / 980 ms.
    const limiter = new RateLimiter(1000);
    const start = Date.now();
    acquire(limiter, 1);
    await vi.advanceTimersByTimeAsync(0);
    // A stall: the clock moves on without any timer running.
    vi.setSystemTime(start + 100);
    const at = acquire(limiter, 10);
    await Promise.resolve();
    // Releases on the grid from 96 ms on: 96, 97.02, 98.04, 99.06 are due by now; 100.08 is not.
    expect(at).toEqual([start + 100, start + 100, start + 100, start + 100]);
    await vi.advanceTimersByTimeAsync(20);
    const gaps = at.slice(4).map((t, i) => t - at[i + 3]!);
    expect(at).toHaveLength(10);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1);
  });

  it('a second 429 while paused does not lower the rate again, but extends the pause', async () => {
    const limiter = new RateLimiter(100);
    const start = Date.now();
    limiter.throttled(start + 1000);
    limiter.throttled(start + 2000);
    expect(limiter.rate).toBeCloseTo(90);
    const at = acquire(limiter, 1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(at).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(at).toEqual([start + 2000]);
  });

  it('a 429 asking for a shorter wait than the current pause neither shortens it nor lowers the rate', async () => {
    const limiter = new RateLimiter(100);
    const start = Date.now();
    limiter.throttled(start + 1000);
    limiter.throttled(start + 500);
    expect(limiter.rate).toBeCloseTo(90);
    const at = acquire(limiter, 1);
    await vi.advanceTimersByTimeAsync(999);
    expect(at).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(at).toEqual([start + 1000]);
  });

  it('a late 429 whose wait is already over does not lower the rate again', () => {
    const limiter = new RateLimiter(100);
    const start = Date.now();
    limiter.throttled(start + 100);
    vi.setSystemTime(start + 200);
    limiter.throttled(start + 100);
    expect(limiter.rate).toBeCloseTo(90);
  });

  it('a 429 arriving as the pause ends still belongs to that pause', () => {
    const limiter = new RateLimiter(100);
    const start = Date.now();
    limiter.throttled(start + 100);
    vi.setSystemTime(start + 100);
    limiter.throttled(start + 300);
    expect(limiter.rate).toBeCloseTo(90);
  });

  it('a 429 after the pause is over lowers the rate by another 10 %', () => {
    const limiter = new RateLimiter(100);
    const start = Date.now();
    limiter.throttled(start + 100);
    vi.setSystemTime(start + 101);
    limiter.throttled(start + 300);
    expect(limiter.rate).toBeCloseTo(81);
  });
});

describe('Retry-After and X-RateLimit-Reset parsing', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');

  it('reads whole and fractional seconds, of any number of digits, around whitespace', () => {
    expect(retryAfterMs({ 'retry-after': '30' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': '1.25' }, now)).toBe(1250);
    expect(retryAfterMs({ 'retry-after': '1.5' }, now)).toBe(1500);
    expect(retryAfterMs({ 'retry-after': ' 3 ' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': ['4', '9'] }, now)).toBe(4000);
  });

  it('a value that is neither seconds nor a date is no answer, not NaN', () => {
    for (const value of ['x5', '5abc', 'soon', '']) {
      expect(retryAfterMs({ 'retry-after': value }, now), value).toBeUndefined();
    }
  });

  it('an unreadable Retry-After falls back to X-RateLimit-Reset', () => {
    const reset = String((now + 1500) * 1000);
    expect(retryAfterMs({ 'retry-after': 'soon', 'x-ratelimit-reset': reset }, now)).toBe(1500);
  });

  it('a date in the past is no wait', () => {
    expect(retryAfterMs({ 'retry-after': 'Sun, 29 Nov 2026 09:59:00 GMT' }, now)).toBe(0);
  });

  it('X-RateLimit-Reset is digits only, around whitespace', () => {
    const at = (now + 1500) * 1000;
    expect(retryAfterMs({ 'x-ratelimit-reset': ` ${at} ` }, now)).toBe(1500);
    expect(retryAfterMs({ 'x-ratelimit-reset': `x${at}` }, now)).toBeUndefined();
    expect(retryAfterMs({ 'x-ratelimit-reset': `${at}x` }, now)).toBeUndefined();
    expect(retryAfterMs({ 'x-ratelimit-reset': String(now * 1000) }, now)).toBe(0);
  });
});

describe('call statistics add up', () => {
  it('adds every delta of the same system and operation into one row', () => {
    const stats = new CallStats();
    stats.record('ocm', 'list', { calls: 1, retries: 2, rateLimited: 1, errors: 0, totalMs: 10.4 });
    stats.record('ocm', 'list', { calls: 1, errors: 1, totalMs: 5.3 });
    stats.record('ocm', 'list', {});
    expect(stats.snapshot()).toEqual([
      { system: 'ocm', operation: 'list', calls: 2, retries: 2, rateLimited: 1, errors: 1, totalMs: 16 },
    ]);
  });

  it('lists rows sorted by system, then operation', () => {
    const stats = new CallStats();
    stats.record('sso', 'token', { calls: 1 });
    stats.record('ocm', 'list', { calls: 1 });
    stats.record('dynatrace', 'mint', { calls: 1 });
    stats.record('ocm', 'get', { calls: 1 });
    expect(stats.snapshot().map((s) => `${s.system} ${s.operation}`)).toEqual([
      'dynatrace mint',
      'ocm get',
      'ocm list',
      'sso token',
    ]);
  });
});
