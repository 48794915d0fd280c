import { loadConfig } from './config/load.js';
import { ExitCode, UserError } from './errors.js';
import type { Options } from './options.js';
import type { Platform } from './platform/platform.js';

/** The one orchestration behind both entries (the Action and the CLI). */
export async function run(options: Options, platform: Platform): Promise<ExitCode> {
  const loaded = await loadConfig(options.configDir);
  platform.annotate(loaded.diagnostics);
  if (!loaded.config) return ExitCode.invalidConfig;
  if (options.mode === 'validate') {
    platform.info(`${loaded.files.length} files valid`);
    return ExitCode.ok;
  }
  throw new UserError(`mode ${options.mode} is not available yet`);
}
