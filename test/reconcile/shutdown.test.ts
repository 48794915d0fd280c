import { describe, expect, it } from 'vitest';
import { Shutdown } from '../../src/shutdown.js';

describe('Shutdown', () => {
  it('a first signal requests the stop; the deadline comes later; a second signal writes and ends in-flight work', async () => {
    const stop = new Shutdown();
    stop.setGrace(600_000);
    const written: string[] = [];
    stop.onForce(() => written.push('report'));
    const deadline = stop.whenDeadline();
    stop.request('SIGINT');
    expect(stop.requested).toBe(true);
    expect(stop.deadlinePassed).toBe(false);
    expect(written).toEqual([]);
    stop.request('SIGTERM');
    expect(written).toEqual(['report']);
    expect(stop.deadlinePassed).toBe(true);
    await deadline;
    expect(stop.signal).toBe('SIGINT');
  });

  it('an unregistered writer is not called', () => {
    const stop = new Shutdown();
    const written: string[] = [];
    const unregister = stop.onForce(() => written.push('x'));
    unregister();
    stop.request('SIGTERM');
    stop.request('SIGTERM');
    expect(written).toEqual([]);
  });
});
