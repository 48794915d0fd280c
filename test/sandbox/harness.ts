/**
 * Starts a sandbox for tests with every exchange checked against the real specs: a response or request the
 * specs do not allow is collected, and each test file asserts none were.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { checkExchange } from '../../src/sandbox/contract.js';
import type { ContractProblem, System } from '../../src/sandbox/contract.js';
import { writeFleetConfig } from '../../src/sandbox/fleet.js';
import type { FleetConfigShape, FleetDescription } from '../../src/sandbox/fleet.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { SimRequest, SimResponse, SystemName } from '../../src/sandbox/server.js';

export interface CheckedSandbox {
  sandbox: Sandbox;
  config: Config;
  configDir: string;
  problems: (ContractProblem & { path: string; status: number })[];
  /** Spec operations seen, `METHOD path-template` as the contract module names them. */
  checked: number;
}

/** The path as the spec writes it: without the sandbox's per-environment or per-tenant mount. */
function specPath(system: SystemName, path: string): { system: System; path: string } | undefined {
  if (system === 'ocm') return { system, path: path.replace(/^\/[^/]+(?=\/api\/)/, '') };
  if (system === 'dynatrace') return { system, path: path.replace(/^\/e\/[^/]+\/api\/v2/, '') };
  if (system === 'vault') return { system, path: path.replace(/^\/v1/, '') };
  return undefined; // SSO: no spec in the set.
}

export async function checkedSandbox(
  fleet: FleetDescription,
  options: { configDir?: string; shape?: FleetConfigShape } = {},
): Promise<CheckedSandbox> {
  let configDir = options.configDir;
  if (!configDir) {
    configDir = join(mkdtempSync(join(tmpdir(), 'dtp-fleet-')), 'tenants');
    writeFleetConfig(configDir, options.shape);
  }
  const loaded = await loadConfig(configDir);
  if (!loaded.config)
    throw new Error(`fleet config invalid: ${JSON.stringify(loaded.diagnostics.slice(0, 3))}`);
  const result: CheckedSandbox = {
    sandbox: undefined as unknown as Sandbox,
    config: loaded.config,
    configDir,
    problems: [],
    checked: 0,
  };
  const onExchange = (system: SystemName, _op: string, req: SimRequest, res: SimResponse) => {
    const where = specPath(system, req.path);
    if (!where) return;
    result.checked++;
    const problems = checkExchange({
      ...where,
      method: req.method,
      query: Object.fromEntries(req.query),
      status: res.status,
      requestBody: req.body,
      responseBody: res.body,
    });
    // A request the simulator refused (4xx) is allowed to break the request schema: that is why it was refused.
    for (const p of problems) {
      if (p.where === 'request' && res.status >= 400) continue;
      result.problems.push({ ...p, path: req.path, status: res.status });
    }
  };
  result.sandbox = await startSandbox({ config: loaded.config, fleet, onExchange });
  return result;
}
