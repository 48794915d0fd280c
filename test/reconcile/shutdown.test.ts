/**
 * The shutdown clock on fake timers: the deadline that ends in-flight work is a fixed share of the grace,
 * so each rule is checked at the exact millisecond, with no wall clock and no sleeping.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_GRACE_MS, Shutdown } from '../../src/shutdown.js';

/** Whether the promise has settled, after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('Shutdown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the deadline passes at 70 % of the default grace: not 1 ms before, exactly at it', async () => {
    const stop = new Shutdown();
    const deadline = stop.whenDeadline();
    stop.request('SIGTERM');
    expect(stop.requested).toBe(true);

    await vi.advanceTimersByTimeAsync(DEFAULT_GRACE_MS * 0.7 - 1);
    expect(stop.deadlinePassed).toBe(false);
    expect(await settled(deadline)).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    expect(stop.deadlinePassed).toBe(true);
    expect(await settled(deadline)).toBe(true);
  });

  it('setGrace moves the deadline to 70 % of the new grace', async () => {
    const stop = new Shutdown();
    stop.setGrace(10_000);
    expect(stop.graceMs).toBe(10_000);
    stop.request('SIGINT');

    // 4,200 ms would be the deadline of the default grace; the new one is 7,000 ms.
    await vi.advanceTimersByTimeAsync(6_999);
    expect(stop.deadlinePassed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stop.deadlinePassed).toBe(true);
  });

  it('the pending deadline does not keep the process alive by itself', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const stop = new Shutdown();
    stop.request('SIGTERM');
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    const timer = setTimeoutSpy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
  });

  it('no signal, no deadline: the clock alone never ends in-flight work', async () => {
    const stop = new Shutdown();
    const deadline = stop.whenDeadline();
    await vi.advanceTimersByTimeAsync(10 * DEFAULT_GRACE_MS);
    expect(stop.requested).toBe(false);
    expect(stop.deadlinePassed).toBe(false);
    expect(await settled(deadline)).toBe(false);
  });

  it('a deadline already passed resolves a later whenDeadline at once', async () => {
    const stop = new Shutdown();
    stop.request('SIGTERM');
    await vi.advanceTimersByTimeAsync(DEFAULT_GRACE_MS);
    expect(await settled(stop.whenDeadline())).toBe(true);
  });

  it('the force writers run on the second signal only, in registration order', async () => {
    const stop = new Shutdown();
    const written: string[] = [];
    stop.onForce(() => written.push('report'));
    stop.onForce(() => written.push('metrics'));

    stop.request('SIGINT');
    await vi.advanceTimersByTimeAsync(DEFAULT_GRACE_MS);
    // The deadline of the first signal passing is not a second signal: nothing is force-written.
    expect(stop.deadlinePassed).toBe(true);
    expect(written).toEqual([]);

    stop.request('SIGTERM');
    expect(written).toEqual(['report', 'metrics']);
  });

  it('a second signal ends in-flight work at once, before the deadline, and the first signal is the one kept', async () => {
    const stop = new Shutdown();
    const deadline = stop.whenDeadline();
    stop.request('SIGINT');
    expect(await settled(deadline)).toBe(false);
    stop.request('SIGTERM');
    expect(stop.deadlinePassed).toBe(true);
    expect(await settled(deadline)).toBe(true);
    expect(stop.signal).toBe('SIGINT');
  });

  it('a force writer that throws does not keep the others from writing', () => {
    const stop = new Shutdown();
    const written: string[] = [];
    stop.onForce(() => {
      throw new Error('disk full');
    });
    stop.onForce(() => written.push('report'));
    stop.request('SIGINT');
    stop.request('SIGTERM');
    expect(written).toEqual(['report']);
    expect(stop.deadlinePassed).toBe(true);
  });

  it('an unregistered force writer is not called; the others still are', () => {
    const stop = new Shutdown();
    const written: string[] = [];
    const unregister = stop.onForce(() => written.push('gone'));
    stop.onForce(() => written.push('kept'));
    unregister();
    stop.request('SIGTERM');
    stop.request('SIGTERM');
    expect(written).toEqual(['kept']);
  });

  it('exitIfInterrupted cancels the pending deadline and, not owning the process, does not exit', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const stop = new Shutdown();
      stop.request('SIGTERM');
      stop.exitIfInterrupted(1);
      await vi.advanceTimersByTimeAsync(DEFAULT_GRACE_MS);
      expect(stop.deadlinePassed).toBe(false);
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  });

  it('owning the process, an interrupted run exits with its code and a second signal exits 1', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const quiet = new Shutdown();
      quiet.ownsProcess = true;
      quiet.exitIfInterrupted(0);
      // No signal: the run ends normally, the process is not ended here.
      expect(exit).not.toHaveBeenCalled();

      const interrupted = new Shutdown();
      interrupted.ownsProcess = true;
      interrupted.request('SIGTERM');
      interrupted.exitIfInterrupted(2);
      expect(exit).toHaveBeenLastCalledWith(2);

      const forced = new Shutdown();
      forced.ownsProcess = true;
      const written: string[] = [];
      forced.onForce(() => written.push('report'));
      forced.request('SIGINT');
      forced.request('SIGTERM');
      expect(written).toEqual(['report']);
      expect(exit).toHaveBeenCalledTimes(2);
      expect(exit).toHaveBeenLastCalledWith(1);
    } finally {
      exit.mockRestore();
    }
  });
});
