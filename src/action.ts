import * as core from '@actions/core';
import { githubPlatform } from './platform/github.js';
import { envSource, layered, OPTIONS, resolveOptions } from './options.js';
import { run } from './run.js';
import { ExitCode, UserError } from './errors.js';
import { redact } from './secret.js';
import { leanRuntime } from './runtime.js';
import { installSignalHandlers } from './shutdown.js';

/** The GitHub Action: inputs (then DTP_* variables) → the shared run() → exit code. */
export async function runAction(): Promise<void> {
  installSignalHandlers();
  const inputs = (name: string) => (OPTIONS.some((o) => o.name === name) ? core.getInput(name) : undefined);
  let exitCode: number;
  try {
    const options = resolveOptions(layered(inputs, envSource(process.env)));
    if (options.mode !== 'validate') await leanRuntime();
    const platform = githubPlatform({
      verbose: options.verbose,
      shard: options.shard,
      logFormat: options.logFormat,
    });
    exitCode = await run(options, platform);
  } catch (error) {
    if (error instanceof UserError) {
      core.error(error.hint ? `${error.message}\nhint: ${error.hint}` : error.message);
      exitCode = error.exitCode;
    } else {
      core.error(redact(String((error as Error)?.stack ?? error)));
      exitCode = ExitCode.cannotStart;
    }
  }
  core.setOutput('exit-code', String(exitCode));
  if (exitCode !== ExitCode.ok) core.setFailed(`dtp finished with exit code ${exitCode}`);
  process.exitCode = exitCode;
}
