/**
 * Loads and validates the configuration folder: files → YAML documents with positions → per-document
 * schema checks → the reference implementation's token spec rules → cross-file rules → the typed Config.
 * Every problem in every file is collected (never only the first), and nothing here throws for bad input.
 */
import { Catalog } from './catalog.js';
import { compareDiagnostics, type Diagnostic } from './diagnostics.js';
import { checkDocument } from './documents.js';
import { displayPath, findConfigFiles, readConfigFile } from './files.js';
import { DEFAULT_LIMITS, type LoadLimits } from './limits.js';
import { Problems } from './problems.js';
import type { HostRule } from '../egress.js';
import { checkCrossFile } from './rules/cross-file.js';
import { checkOcmEgress, checkTenantEgress } from './rules/egress.js';
import { checkScopePolicy } from './rules/scope-policy.js';
import { checkTenantUrl } from './rules/tenant.js';
import { DEFAULT_RUN_INTERVAL_MS } from './lifetime.js';
import { checkTokenLifetimes } from './rules/token-lifetime.js';
import { checkTokenSpec } from './rules/token-spec.js';
import { warnAboutUsage } from './rules/usage.js';
import { checkOcmVaultPaths, checkTenantVaultPaths } from './rules/vault-paths.js';
import type { Config } from './types.js';
import { parseConfigFile } from './yaml.js';

export interface LoadResult {
  /** The validated configuration; undefined when any error was found. */
  config: Config | undefined;
  /** Every problem found, errors and warnings, sorted by file, line, column. */
  diagnostics: Diagnostic[];
  /** The files that were read (relative paths). */
  files: string[];
}

/** Trusted settings the rules need: they come from the pipeline, never from the YAML. */
export interface LoadSettings {
  /** `allowed-hosts`: hosts besides the public defaults that the YAML's URLs may name. */
  allowedHosts?: readonly HostRule[];
  /** `run-interval` (default 2h): a `maxAge` not longer than two intervals would rotate on every run. */
  runIntervalMs?: number;
}

export async function loadConfig(dir: string, settings: LoadSettings = {}): Promise<LoadResult> {
  return loadConfigWithLimits(dir, DEFAULT_LIMITS, settings);
}

/** `loadConfig` with other bounds on hostile input (tests use small ones). */
export async function loadConfigWithLimits(
  dir: string,
  limits: LoadLimits,
  settings: LoadSettings = {},
): Promise<LoadResult> {
  const problems = new Problems();
  const catalog = new Catalog();
  const files: string[] = [];
  const budget = { bytes: limits.maxTotalBytes };

  for (const path of findConfigFiles(dir, problems, limits)) {
    const file = displayPath(path);
    files.push(file);
    const text = readConfigFile(path, problems, limits, budget, dir);
    const parsed = text === undefined ? undefined : parseConfigFile(text, file, problems, limits);
    if (!parsed || parsed.broken) catalog.incomplete = true;
    if (!parsed) continue;
    if (parsed.documents.length === 0 && !parsed.broken) {
      problems.inFile(file, 'file has no documents', {
        hint: 'Add the documents (see docs/configuration.md), or delete the file.',
      });
    }
    if (parsed.documents.length > 0) {
      for (const position of parsed.empty) {
        problems.inFile(file, 'empty document (`---` with nothing after it)', {
          severity: 'warning',
          hint: 'Remove the extra `---` line.',
          position,
        });
      }
    }
    for (const doc of parsed.documents) {
      const checked = checkDocument(doc, problems);
      if (checked) catalog.add(checked);
      else catalog.incomplete = true;
    }
  }

  const allowedHosts = settings.allowedHosts ?? [];
  for (const tenant of catalog.tenants) {
    checkTenantUrl(tenant, problems);
    checkTenantEgress(tenant, allowedHosts, problems);
    checkTenantVaultPaths(tenant, problems);
  }
  for (const environment of catalog.ocmEnvironments) {
    checkOcmEgress(environment, allowedHosts, problems);
    checkOcmVaultPaths(environment, problems);
  }
  for (const spec of catalog.tokenSpecs) {
    checkTokenSpec(spec, problems);
    checkTokenLifetimes(spec, problems, settings.runIntervalMs ?? DEFAULT_RUN_INTERVAL_MS);
    checkScopePolicy(spec, problems);
  }
  checkCrossFile(catalog, problems, displayPath(dir));
  if (problems.errorCount === 0) warnAboutUsage(catalog, problems);

  const diagnostics = problems.diagnostics.sort(compareDiagnostics);
  const config = problems.errorCount === 0 ? toConfig(catalog, files) : undefined;
  return { config, diagnostics, files };
}

function toConfig(catalog: Catalog, files: string[]): Config {
  return {
    tenants: new Map(catalog.tenants.map(({ object }) => [object.environmentId, object])),
    tokenSpecs: new Map(catalog.tokenSpecs.map(({ object }) => [object.name, object])),
    organizations: new Map(catalog.organizations.map(({ object }) => [object.organizationId, object])),
    ocmEnvironments: new Map(catalog.ocmEnvironments.map(({ object }) => [object.name, object])),
    files,
  };
}
