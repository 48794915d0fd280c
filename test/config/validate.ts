/** Runs `run()` in validate mode, as the Action and the CLI do, and captures everything it prints. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveOptions } from '../../src/options.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { run } from '../../src/run.js';

export interface Validation {
  exitCode: number;
  stdout: string[];
  stderr: string[];
  summary: string;
  /** Everything printed or written, for checks that must hold everywhere (no stack traces). */
  everything: string;
}

export async function validate(configDir: string): Promise<Validation> {
  const settings: Record<string, string> = { mode: 'validate', config: configDir };
  const options = resolveOptions((name) => settings[name]);
  // The summary goes elsewhere: inside the configuration folder it would be a file to ignore next time.
  const summaryPath = join(mkdtempSync(join(tmpdir(), 'dtp-summary-')), 'summary.md');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const platform = plainPlatform({
    summaryPath,
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
  });
  const exitCode = await run(options, platform);
  const summary = readFileSync(summaryPath, 'utf8');
  return { exitCode, stdout, stderr, summary, everything: [...stdout, ...stderr, summary].join('\n') };
}

/** A line of a stack trace, as Node prints them. */
export const STACK_FRAME = /^\s+at /m;
