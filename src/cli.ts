#!/usr/bin/env node
import { flagSource, unknownCommand } from './cli-args.js';
import { ExitCode, UserError } from './errors.js';
import { envSource, layered, OPTIONS, resolveOptions, type SettingSource } from './options.js';
import { isGitHubActions } from './platform/platform.js';
import { plainPlatform } from './platform/plain.js';
import { run } from './run.js';
import { leanRuntime } from './runtime.js';
import { installSignalHandlers } from './shutdown.js';
import { redact } from './secret.js';
import { VERSION } from './version.js';
import { join } from 'node:path';

const USAGE = `dtp — Dynatrace Token Provider

Usage:
  dtp validate [--config tenants]   check the configuration offline (exit 0 valid, 2 invalid)
  dtp plan [settings]               read everything, change nothing, print what reconcile would do
  dtp reconcile [settings]          mint missing tokens, fix drift, deliver Secrets
  dtp run [settings]                the mode comes from --mode / DTP_MODE (what the Tekton task calls)
  dtp sandbox [--help]              start the OCM, Dynatrace and Vault simulators with a demo fleet
  dtp demo                          sandbox + a cold reconcile + a steady-state reconcile (npm start)
  dtp report merge <report.json>... [--out <dir>]   merge the reports of shards into one
  dtp version | dtp --version       print the version

Settings: --<name> <value>, or the environment variable DTP_<NAME>; secrets also as --<name>-file <path>.
On/off settings also as bare switches: --verbose, --no-prune; as values true/false, yes/no, on/off, 1/0.
${OPTIONS.map((o) => `  --${o.name.padEnd(22)} ${o.description}${o.default ? ` [${o.default}]` : ''}`).join('\n')}

Exit codes: 0 all good · 1 some clusters failed · 2 invalid configuration · 3 could not start.`;

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return ExitCode.ok;
    case 'version':
    case '--version':
    case '-V':
      console.log(`dtp ${VERSION}`);
      return ExitCode.ok;
    case 'sandbox': {
      const { sandboxMain } = await import('./sandbox/cli.js');
      return sandboxMain(rest);
    }
    case 'demo': {
      const { demoMain } = await import('./sandbox/cli.js');
      return demoMain(rest);
    }
    case 'report': {
      if (rest[0] !== 'merge') throw unknownCommand(`report ${rest[0] ?? ''}`.trim(), ['report merge']);
      const { mergeMain } = await import('./report/merge.js');
      const { dir, report, shards } = await mergeMain(rest.slice(1));
      if (isGitHubActions()) {
        const { renderSummary } = await import('./report/summary.js');
        const { githubPlatform } = await import('./platform/github.js');
        await githubPlatform().writeSummary(renderSummary(report));
      }
      console.log(
        `merged ${shards} shards: ${report.totals.clusters} clusters, ${report.totals.failed} failed; written to ${dir}`,
      );
      return ExitCode.ok;
    }
    case 'validate':
    case 'plan':
    case 'reconcile':
    case 'run': {
      if (rest.includes('--help') || rest.includes('-h')) {
        console.log(USAGE);
        return ExitCode.ok;
      }
      const { source, positionals } = flagSource(rest);
      if (positionals.length > 0) {
        throw new UserError(
          `unexpected argument "${positionals[0]}"`,
          'Settings are flags: --config <folder>.',
        );
      }
      const modeFromCommand: SettingSource = (name) =>
        name === 'mode' && command !== 'run' ? command : undefined;
      const options = resolveOptions(layered(modeFromCommand, source, envSource(process.env)));
      const platform = isGitHubActions()
        ? (await import('./platform/github.js')).githubPlatform({
            verbose: options.verbose,
            shard: options.shard,
            logFormat: options.logFormat,
          })
        : plainPlatform({
            summaryPath: join(options.reportDir, 'summary.md'),
            resultsDir: process.env.DTP_RESULTS_DIR,
            verbose: options.verbose,
            logFormat: options.logFormat,
          });
      installSignalHandlers();
      return run(options, platform, undefined, leanRuntime);
    }
    default:
      throw unknownCommand(command);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UserError) {
      console.error(`error: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
      process.exitCode = error.exitCode;
    } else {
      // Not a user error: a bug or an unexpected failure. Print the stack (redacted) so it can be reported.
      console.error(redact(String((error as Error)?.stack ?? error)));
      process.exitCode = ExitCode.cannotStart;
    }
  },
);
