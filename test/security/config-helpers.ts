/**
 * Runs dtp the way the Action and the CLI do, against a configuration folder, with every remote system
 * pointed at one loopback server that counts what reaches it: a hostile configuration must be refused with
 * exit 2 at its file:line before anything is contacted.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { resolveOptions } from '../../src/options.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { runWithReport } from '../../src/run.js';
import { removeConfig } from '../config/baseline.js';

export interface Listener {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

/**
 * The counting server and the configuration folders of one test file: started before its tests, closed and
 * removed after them. `track` registers a folder for removal and returns it.
 */
export function refusalWorld(): { readonly remote: Listener; track(dir: string): string } {
  let remote: Listener | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    remote = await countingServer();
  });
  afterAll(async () => {
    await remote?.close();
    for (const dir of dirs) removeConfig(dir);
  });
  return {
    get remote() {
      if (!remote) throw new Error('the counting server starts in beforeAll');
      return remote;
    },
    track(dir) {
      dirs.push(dir);
      return dir;
    },
  };
}

/** A loopback server that answers 500 to everything and counts the requests. */
export async function countingServer(): Promise<Listener> {
  let count = 0;
  const server: Server = createServer((_req, res) => {
    count++;
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface DtpOutcome {
  exitCode: number;
  /** Everything printed, stdout and stderr. */
  output: string;
}

/**
 * `dtp <mode> --config <dir>` with `settings` (input names), Vault and every endpoint override pointed at
 * `remote`, so any request the run made would be counted there (and none could leave the machine).
 */
export async function runDtp(
  configDir: string,
  mode: 'validate' | 'plan',
  remote: Listener,
  settings: Record<string, string> = {},
): Promise<DtpOutcome> {
  const all: Record<string, string> = {
    mode,
    config: configDir,
    'report-dir': join(mkdtempSync(join(tmpdir(), 'dtp-sec-report-')), 'report'),
    'vault-addr': remote.url,
    'vault-auth-method': 'token',
    'vault-token': 'not-a-real-token',
    // Trusted overrides: were the YAML check missing, a run would reach the counter, never the internet.
    'ocm-url': `${remote.url}/ocm/{environment}`,
    'ocm-sso-url': `${remote.url}/sso/{environment}`,
    'dynatrace-url': `${remote.url}/e/{tenant}`,
    ...settings,
  };
  const options = resolveOptions((name) => all[name]);
  const lines: string[] = [];
  const platform = plainPlatform({
    summaryPath: join(mkdtempSync(join(tmpdir(), 'dtp-sec-summary-')), 'summary.md'),
    stdout: (l) => lines.push(l),
    stderr: (l) => lines.push(l),
  });
  const outcome = await runWithReport(options, platform);
  return { exitCode: outcome.exitCode, output: lines.join('\n') };
}
