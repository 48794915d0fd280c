/**
 * run() starts the Vault login before it reads the configuration (its first request waits on nothing else),
 * but the configuration still decides the outcome: an invalid one exits 2 whatever Vault said, and a token
 * obtained for a run that stops there is revoked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VaultClient } from '../../src/clients/api.js';
import type { Connectors } from '../../src/connectors-api.js';
import { resolveOptions } from '../../src/options.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { runWithReport } from '../../src/run.js';
import { writeFleetConfig } from '../../src/sandbox/fleet.js';

let work: string;
let lines: string[];
let events: string[];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'dtp-early-vault-'));
  lines = [];
  events = [];
});

function brokenConfig(): string {
  const dir = join(work, 'config');
  writeFleetConfig(dir, { environments: 1, tenants: 1, organizations: 1 });
  writeFileSync(join(dir, 'broken.yaml'), 'kind: NoSuchKind\n');
  return dir;
}

/** Connectors whose Vault login succeeds (or fails with `loginError`); the others are never reached here. */
function fakeConnectors(loginError?: Error): Connectors {
  const client: VaultClient = {
    login: async () => {},
    readKv: async () => ({}),
    revokeSelf: async () => {
      events.push('revoke');
    },
  };
  const unused = () => {
    throw new Error('not reached by a run that stops at its configuration');
  };
  return {
    vault: async () => {
      // How much the run had printed when the login started: the configuration's problems come after it.
      events.push(`login after ${lines.length} lines`);
      if (loginError) throw loginError;
      return client;
    },
    ocm: unused,
    dynatrace: unused,
    callStats: () => [],
  };
}

async function plan(configDir: string, connectors: Connectors) {
  const settings: Record<string, string> = {
    mode: 'plan',
    config: configDir,
    'report-dir': join(work, 'report'),
    'vault-addr': 'http://127.0.0.1:9',
  };
  const platform = plainPlatform({
    summaryPath: join(work, 'summary.md'),
    stdout: (l) => lines.push(l),
    stderr: (l) => lines.push(l),
  });
  return runWithReport(
    resolveOptions((name) => settings[name]),
    platform,
    connectors,
  );
}

describe('the early Vault login', () => {
  it('starts before the configuration is read', async () => {
    await plan(brokenConfig(), fakeConnectors());
    expect(events[0]).toBe('login after 0 lines');
    expect(lines.join('\n')).toContain('NoSuchKind');
  });

  it('is revoked when the configuration turns out invalid, and the run exits 2', async () => {
    const outcome = await plan(brokenConfig(), fakeConnectors());
    expect(outcome.exitCode).toBe(2);
    expect(events).toEqual(['login after 0 lines', 'revoke']);
  });

  it('does not hide an invalid configuration when it failed: exit 2, no Vault error', async () => {
    const outcome = await plan(brokenConfig(), fakeConnectors(new Error('Vault answered 403')));
    expect(outcome.exitCode).toBe(2);
    expect(lines.join('\n')).not.toContain('Vault');
    expect(lines.join('\n')).toContain('configuration invalid');
  });
});
