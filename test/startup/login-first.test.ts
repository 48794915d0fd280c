/**
 * The Vault login is a run's first request, and nothing but the settings is loaded before it is sent: the
 * clients (src/connectors.ts with undici) load after it, while Vault answers, and then what the entry
 * defers (the V8 settings). Checked by the order of events — the request made, each module loaded — not by
 * timing. The Action entry: login-first-action.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { approle, LOGIN, loginFirstWorld, REVOKE } from './login-first-world.js';

const { events } = vi.hoisted(() => ({ events: [] as string[] }));

vi.mock('undici', async (importOriginal) => {
  events.push('undici loaded');
  return importOriginal();
});
vi.mock('../../src/connectors.js', async (importOriginal) => {
  events.push('connectors loaded');
  return importOriginal();
});

const world = loginFirstWorld(events);

describe('the Vault login goes out before the rest loads', () => {
  it('plan and reconcile: before the clients and undici, and before what the entry defers', async () => {
    const { resolveOptions } = await import('../../src/options.js');
    const { plainPlatform } = await import('../../src/platform/plain.js');
    const { runWithReport } = await import('../../src/run.js');
    const { processShutdown } = await import('../../src/shutdown.js');
    const settings: Record<string, string> = {
      mode: 'plan',
      config: world.configDir,
      'report-dir': join(world.work, 'report'),
      ...approle(world),
    };
    const platform = plainPlatform({
      summaryPath: join(world.work, 'summary.md'),
      stdout: () => {},
      stderr: () => {},
    });
    const outcome = await runWithReport(
      resolveOptions((name) => settings[name]),
      platform,
      undefined,
      processShutdown,
      () => void events.push('entry loads'),
    );
    expect(outcome.exitCode).toBe(2);
    expect(events).toEqual([LOGIN, 'connectors loaded', 'undici loaded', 'entry loads', REVOKE]);
  });
});
