/**
 * `base-config`: the base branch's configuration, read only to compare plans. Nothing in it is contacted or
 * annotated (its lines are not the pull request's); a base that is missing is empty — the pull request adds
 * the folder — and a base that is invalid leaves the plan as it is without a base, with a warning.
 */
import { existsSync } from 'node:fs';
import { loadConfig, type LoadSettings } from '../config/load.js';
import type { Config } from '../config/types.js';

export type BaseConfig = { config: Config; warning?: undefined } | { config?: undefined; warning: string };

const empty = (): Config => ({
  tenants: new Map(),
  tokenSpecs: new Map(),
  organizations: new Map(),
  ocmEnvironments: new Map(),
  files: [],
});

export async function loadBaseConfig(dir: string, settings: LoadSettings = {}): Promise<BaseConfig> {
  if (!existsSync(dir)) return { config: empty() };
  const loaded = await loadConfig(dir, settings);
  if (loaded.config) return { config: loaded.config };
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  return {
    warning: `base-config ${dir} is not a valid configuration (${errors} errors); planning without comparing to the base`,
  };
}
