/**
 * Risk-graded scopes: a token spec cannot give clusters code upload, extension configuration or tenant-wide
 * configuration writes at all, and gives them an elevated scope only when it says why.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { baseline, shown, writeConfig } from '../config/baseline.js';
import { refusalWorld, runDtp } from './config-helpers.js';

const SPECS = 'token-specs.yaml';
const INGEST = 'scopes: [metrics.ingest, logs.ingest, openTelemetryTrace.ingest]';

const world = refusalWorld();

function specs(text: string): string {
  const dir = writeConfig({ [SPECS]: text });
  world.track(dir);
  return dir;
}

describe('forbidden scopes', () => {
  it.each([
    ['PluginUpload', 'code that runs on monitored hosts'],
    ['extensions.write', 'code that runs on ActiveGates and hosts'],
    ['extensionConfigurations.write', 'with which endpoints and credentials'],
    ['WriteConfig', 'tenant-wide configuration'],
    ['hub.write', 'installs and removes Hub items'],
    ['ActiveGateCertManagement', 'certificates'],
  ])('refuses %s at its line with the reason, contacting nothing', async (scope, why) => {
    const dir = specs(baseline(SPECS, INGEST, `scopes: [metrics.ingest, ${scope}]`));
    const before = world.remote.requests();
    for (const mode of ['validate', 'plan'] as const) {
      const result = await runDtp(dir, mode, world.remote);
      expect(result.exitCode, mode).toBe(2);
      expect(result.output).toContain(
        `${shown(dir, SPECS)}:17:36: error: spec.secrets[0].tokens[1].scopes[1]: scope \`${scope}\` is not allowed: `,
      );
      expect(result.output).toContain(why);
    }
    expect(world.remote.requests()).toBe(before);
  });
});

describe('elevated scopes', () => {
  it('refuses one the spec does not acknowledge, at its line, saying how to acknowledge it', async () => {
    const dir = specs(
      baseline(
        SPECS,
        "    - {scope: settings.write, reason: The Operator writes its cluster's monitoring settings.}\n",
        '',
      ),
    );
    const result = await runDtp(dir, 'validate', world.remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(
      `${shown(dir, SPECS)}:14:69: error: spec.secrets[0].tokens[0].scopes[2]: scope \`settings.write\` is elevated (`,
    );
    expect(result.output).toContain('add `acknowledgedScopes: [{scope: settings.write, reason:');
  });

  it('refuses a broad read added to an ingest token', async () => {
    const dir = specs(baseline(SPECS, INGEST, 'scopes: [metrics.ingest, logs.read]'));
    const result = await runDtp(dir, 'validate', world.remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('scope `logs.read` is elevated (it reads the logs of the whole tenant)');
  });

  it('refuses an acknowledgement without a reason', async () => {
    const dir = specs(baseline(SPECS, 'reason: The Operator downloads the OneAgent.', "reason: ' '"));
    const result = await runDtp(dir, 'validate', world.remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('acknowledgedScopes[4].reason: must say why the clusters need the scope');
  });

  it('warns about an acknowledgement nothing uses', async () => {
    const dir = specs(
      baseline(
        SPECS,
        '  acknowledgedScopes:\n',
        '  acknowledgedScopes:\n    - {scope: logs.read, reason: Not needed.}\n',
      ),
    );
    const result = await loadConfig(dir);
    expect(result.config).toBeDefined();
    expect(result.diagnostics.map((d) => `${d.severity}: ${d.message}`)).toEqual([
      'warning: spec.acknowledgedScopes[0].scope: scope `logs.read` is acknowledged but no token of this spec has it',
    ]);
  });

  it('puts the elevated scopes of each spec into the model, for the summary and the plan', async () => {
    const dir = writeConfig();
    world.track(dir);
    const spec = (await loadConfig(dir)).config!.tokenSpecs.get('default')!;
    expect(spec.elevatedScopes).toEqual([
      'DataExport',
      'InstallerDownload',
      'activeGateTokenManagement.create',
      'settings.read',
      'settings.write',
    ]);
    expect(spec.acknowledgedScopes?.find((a) => a.scope === 'settings.write')?.reason).toBe(
      "The Operator writes its cluster's monitoring settings.",
    );
  });
});
