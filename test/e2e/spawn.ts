/** The CLI as a child process against a sandbox, the way Tekton runs it; the test can signal it at any request. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sandbox } from '../../src/sandbox/sandbox.js';

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnedRun {
  child: ChildProcess;
  exited: Promise<Exited>;
}

/** Environment without anything that would make the child think it runs on GitHub. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('GITHUB_') || k.startsWith('DTP_') || k.startsWith('VAULT_') || k === 'CI') continue;
    env[k] = v;
  }
  return env;
}

/**
 * `direct`: node itself loads the TypeScript, so signals reach dtp unrelayed (tsx's launcher relays one
 * signal at a time and SIGKILLs a child that does not acknowledge within 30 ms).
 */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  direct = false,
  cwd = process.cwd(),
): SpawnedRun {
  const cli = resolve('src/cli.ts');
  const [command, ...pre] = direct
    ? [process.execPath, '--import', 'tsx', cli]
    : [resolve('node_modules/.bin/tsx'), cli];
  const child = spawn(command!, [...pre, ...args], {
    cwd,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close' comes after the process exited and both pipes drained: stderr is complete only then.
  const exited = new Promise<Exited>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

export function reconcileEnv(sandbox: Sandbox, configDir: string, extra: Record<string, string> = {}) {
  const reportDir = join(mkdtempSync(join(tmpdir(), 'dtp-spawn-')), 'report');
  return {
    reportDir,
    env: {
      ...sandbox.settings(),
      DTP_CONFIG: configDir,
      DTP_REPORT_DIR: reportDir,
      DTP_HTTP_TIMEOUT: '10',
      DTP_SERVICE_LOGS: 'true',
      ...extra,
    },
  };
}

/** Calls `action` once, synchronously, when the sandbox has recorded `count` requests. */
export function atRequest(sandbox: Sandbox, count: number, action: () => void): void {
  const records = sandbox.records;
  const push = records.push.bind(records);
  let done = false;
  records.push = (...items) => {
    const n = push(...items);
    if (!done && n >= count) {
      done = true;
      action();
    }
    return n;
  };
}
