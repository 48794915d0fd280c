/**
 * SIGTERM at random moments of a cold 500-cluster reconcile, the CLI spawned as Tekton runs it: every time
 * the process ends itself with exit code 1 (it is not killed by a signal), the reports exist and say
 * interrupted, and the sandbox holds no orphan token and no duplicate name right after.
 * Where in the grace the deadline falls is a rule of src/shutdown.ts, checked on fake timers in
 * test/reconcile/shutdown.test.ts: a wall-clock bound here would measure the machine's load, not dtp.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/sandbox/random.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';
import { atRequest, reconcileEnv, spawnCli } from './spawn.js';

const moments = (() => {
  const random = new Random(20261201);
  // Request counts spread over a cold run (~1,500 requests): startup, discovery, observe, mints, deliveries.
  return Array.from({ length: 10 }, (_, i) => 5 + Math.floor(random.next() * 140) + i * 140);
})();

describe('SIGTERM at random moments of a cold 500-cluster reconcile', () => {
  const sandboxes: CheckedSandbox[] = [];
  afterAll(async () => {
    await Promise.all(sandboxes.map((h) => h.sandbox.close()));
  });

  it.each(moments.map((m, i) => [i + 1, m]))(
    'moment %i (request %i): exits 1 on its own, reports say interrupted, no orphan, no duplicate',
    async (i, moment) => {
      const h = await checkedSandbox({ clusters: 500, seed: 600 + i });
      sandboxes.push(h);
      const { env, reportDir } = reconcileEnv(h.sandbox, h.configDir);
      // Direct: the signal reaches dtp as it does in a pod (tsx's launcher SIGKILLs a child that does not
      // acknowledge a relayed signal within 30 ms, which a loaded machine can miss).
      const run = spawnCli(['reconcile'], env, true);
      let signalled = false;
      atRequest(h.sandbox, moment, () => {
        signalled = true;
        run.child.kill('SIGTERM');
      });
      const exited = await run.exited;

      expect(signalled, `the run finished before request ${moment}`).toBe(true);
      // Ended by its own exit, not by the signal's default action (which would leave code null).
      expect(exited.signal, exited.stderr).toBeNull();
      expect(exited.code, exited.stderr).toBe(1);
      const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
      expect(report.interrupted).toMatchObject({ signal: 'SIGTERM' });
      expect(readFileSync(join(reportDir, 'summary.md'), 'utf8')).toMatch(/interrupted/i);
      expect(existsSync(join(reportDir, 'metrics.prom'))).toBe(true);
      const audit = h.sandbox.audit();
      expect(audit.orphanTokens).toEqual([]);
      expect(audit.duplicateNames).toEqual([]);
      await h.sandbox.close();
    },
    60_000,
  );

  it('a second signal (GitHub: SIGINT, then SIGTERM) writes the report and exits at once', async () => {
    const h = await checkedSandbox({ clusters: 500, seed: 700 });
    sandboxes.push(h);
    // A 600 s grace (deadline at 420 s) against the 60 s test timeout: only the second signal can end it in time.
    const { env, reportDir } = reconcileEnv(h.sandbox, h.configDir, { DTP_SHUTDOWN_GRACE: '600' });
    const run = spawnCli(['reconcile'], env, true);
    // As on GitHub: SIGTERM after dtp has taken the SIGINT (two signals sent together may arrive either way).
    atRequest(h.sandbox, 700, () => {
      run.child.kill('SIGINT');
      const second = (d: Buffer) => {
        if (!d.toString().includes('SIGINT: stopping')) return;
        run.child.stderr!.off('data', second);
        run.child.kill('SIGTERM');
      };
      run.child.stderr!.on('data', second);
    });
    const exited = await run.exited;
    expect(exited.signal, exited.stderr).toBeNull();
    expect(exited.code, exited.stderr).toBe(1);
    expect(exited.stderr).toMatch(/second signal/);
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
    expect(report.interrupted).toMatchObject({ signal: 'SIGINT' });
    expect(report.exitCode).toBe(1);
  }, 60_000);
});
