import { actionInput } from './platform/platform.js';
import { deferredPlatform, type DeferredPlatform } from './platform/deferred.js';
import { envSource, layered, OPTIONS, resolveOptions, type Options } from './options.js';
import { run } from './run.js';
import { ExitCode, UserError } from './errors.js';
import { redact } from './secret.js';
import { leanRuntime } from './runtime.js';
import { installSignalHandlers } from './shutdown.js';

/**
 * The GitHub Action: inputs (then DTP_* variables) → the shared run() → exit code. @actions/core is not
 * imported here: it loads while the Vault login is in flight (platform/deferred.ts).
 */
export async function runAction(): Promise<void> {
  installSignalHandlers();
  const inputs = (name: string) => (OPTIONS.some((o) => o.name === name) ? actionInput(name) : undefined);
  let platform: DeferredPlatform | undefined;
  let exitCode: number;
  try {
    const options = resolveOptions(layered(inputs, envSource(process.env)));
    platform = githubPlatformLater(options);
    // validate contacts nothing: there is no login to send first.
    if (options.mode === 'validate') await platform.ready();
    const loaded = platform;
    exitCode = await run(options, platform, undefined, async () => {
      await loaded.ready();
      leanRuntime();
    });
  } catch (error) {
    const core = await actionsCore(platform);
    if (error instanceof UserError) {
      core.error(error.hint ? `${error.message}\nhint: ${error.hint}` : error.message);
      exitCode = error.exitCode;
    } else {
      core.error(redact(String((error as Error)?.stack ?? error)));
      exitCode = ExitCode.cannotStart;
    }
  }
  const core = await actionsCore(platform);
  core.setOutput('exit-code', String(exitCode));
  if (exitCode !== ExitCode.ok) core.setFailed(`dtp finished with exit code ${exitCode}`);
  process.exitCode = exitCode;
}

function githubPlatformLater(options: Options): DeferredPlatform {
  return deferredPlatform('github', async () =>
    (await import('./platform/github.js')).githubPlatform({
      verbose: options.verbose,
      shard: options.shard,
      logFormat: options.logFormat,
    }),
  );
}

/** The toolkit, once the platform (if one was made) has printed its masks and everything that waited. */
async function actionsCore(platform: DeferredPlatform | undefined) {
  await platform?.ready();
  return import('@actions/core');
}
