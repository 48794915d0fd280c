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
  // The summary goes elsewhere: inside the configuration folder it would be a file to ignore next time.
  // An explicit report-dir asks for the summary outside GitHub too.
  const summaryDir = mkdtempSync(join(tmpdir(), 'dtp-summary-'));
  const summaryPath = join(summaryDir, 'summary.md');
  const settings: Record<string, string> = { mode: 'validate', config: configDir, 'report-dir': summaryDir };
  const options = resolveOptions((name) => settings[name]);
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
