/**
 * A whole run against the simulators: the Vault token dtp logged in for is revoked as the run's last Vault
 * call (it no longer works afterwards), a given token is left alone, and a refused revoke is a warning.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedSandbox } from '../sandbox/harness.js';
import type { CheckedSandbox } from '../sandbox/harness.js';
import { runAgainst } from '../../src/sandbox/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'dtp-vault-revoke-'));
let h: CheckedSandbox;
let runs = 0;

beforeAll(async () => {
  h = await checkedSandbox({ clusters: 6, seed: 91 });
});
afterAll(() => h.sandbox.close());

async function plan(extra: Record<string, string> = {}) {
  const out: string[] = [];
  const before = h.sandbox.records.length;
  const outcome = await runAgainst(
    h.sandbox,
    'plan',
    { DTP_CONFIG: h.configDir, DTP_REPORT_DIR: join(tmp, `run-${++runs}`), ...extra },
    { stdout: (l) => out.push(l), stderr: (l) => out.push(l) },
  );
  const vaultCalls = h.sandbox.records.slice(before).filter((r) => r.system === 'vault');
  return { exitCode: outcome.exitCode, out, vaultCalls };
}

const live = () =>
  [...h.sandbox.vault.tokens.entries()].filter(([, t]) => t.expiresAt > Date.now()).map(([k]) => k);

describe('Vault token revocation at the end of a run', () => {
  it('after an AppRole login: revoke-self is the last Vault call and the token stops working', async () => {
    const liveBefore = live();
    const run = await plan();
    expect(run.exitCode).toBe(0);
    expect(run.vaultCalls[0]!.operation).toBe('login');
    expect(run.vaultCalls.at(-1)).toMatchObject({ operation: 'revokeSelf', status: 200 });
    expect(run.vaultCalls.filter((r) => r.operation === 'revokeSelf')).toHaveLength(1);
    // The run's own token is gone: what is live now was live before it (other tests may leave tokens).
    expect(live()).toEqual(liveBefore);
    expect(liveBefore).toContain(h.sandbox.vault.rootToken);
    expect(h.problems).toEqual([]);
  });

  it('a given token (vault-auth-method token) is never revoked', async () => {
    const run = await plan({ DTP_VAULT_AUTH_METHOD: 'token', DTP_VAULT_TOKEN: h.sandbox.vault.rootToken });
    expect(run.exitCode).toBe(0);
    expect(run.vaultCalls.some((r) => r.operation === 'revokeSelf')).toBe(false);
    expect(live()).toContain(h.sandbox.vault.rootToken);
  });

  it('a revoke Vault refuses is a warning; the run still succeeds', async () => {
    // 403 is not retried: one refused revoke, then the warning.
    h.sandbox.setFaults('vault', { revokeSelf: { failNext: { count: 1, status: 403 } } });
    try {
      const run = await plan();
      expect(run.exitCode).toBe(0);
      expect(run.out.join('\n')).toMatch(/could not revoke this run's token.*HTTP 403/);
    } finally {
      h.sandbox.setFaults('vault', {});
    }
  });
});
