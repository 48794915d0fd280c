/**
 * The CLI's words: commands and `--flags`, read the way people type them. On/off settings work as bare
 * switches (`--verbose`, `--no-prune`), a misspelt command or flag gets a suggestion, and every mistake is
 * exit code 2 with what to type instead.
 */
import { parseArgs } from 'node:util';
import { closest } from './config/suggest.js';
import { ExitCode, UserError } from './errors.js';
import { escapeControl } from './escape.js';
import { OPTIONS, type OptionDef, type SettingSource } from './options.js';

const COMMANDS = [
  'validate',
  'plan',
  'reconcile',
  'run',
  'sandbox',
  'demo',
  'report',
  'version',
  'help',
] as const;

/** Words that may follow a switch as its value (`--verbose true` keeps working). */
const SWITCH_VALUES = new Set(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'force']);

/** An on/off setting: one whose choices include `true`; `--no-<name>` also needs `false`. */
function isSwitch(def: OptionDef | undefined): boolean {
  return def?.choices?.includes('true') === true;
}

const byName = (name: string) => OPTIONS.find((o) => o.name === name);

function knownFlags(): string[] {
  return OPTIONS.flatMap((o) => [
    o.name,
    ...(o.secret ? [`${o.name}-file`] : []),
    ...(isSwitch(o) && o.choices?.includes('false') ? [`no-${o.name}`] : []),
  ]);
}

function unknownFlag(flag: string): UserError {
  const match = closest(flag, knownFlags());
  return new UserError(
    `unknown flag --${escapeControl(flag)}${match ? `; did you mean --${match}?` : ''}`,
    'Run `dtp --help` for the list of settings; each is --<name> <value> (on/off settings also --<name> / --no-<name>).',
    ExitCode.invalidConfig,
  );
}

/**
 * Rewrites bare switches into `--name=value` for parseArgs: `--verbose` → `--verbose=true`,
 * `--no-prune` → `--prune=false`; `--verbose false` and `--verbose=false` are kept as they are.
 */
export function expandSwitches(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (!arg.startsWith('--') || arg.includes('=')) {
      out.push(arg);
      continue;
    }
    const name = arg.slice(2);
    const negated = name.startsWith('no-') && !byName(name) ? name.slice(3) : undefined;
    if (negated !== undefined && isSwitch(byName(negated)) && byName(negated)!.choices!.includes('false')) {
      out.push(`--${negated}=false`);
    } else if (isSwitch(byName(name))) {
      const next = args[i + 1];
      if (next !== undefined && SWITCH_VALUES.has(next.toLowerCase())) out.push(`--${name}=${args[++i]}`);
      else out.push(`--${name}=true`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Parses the flags of the known settings; an unknown flag is an error that suggests the nearest one. */
export function flagSource(args: readonly string[]): { source: SettingSource; positionals: string[] } {
  const spec: Record<string, { type: 'string'; multiple?: boolean }> = {};
  for (const o of OPTIONS) {
    spec[o.name] = o.multiple ? { type: 'string', multiple: true } : { type: 'string' };
    if (o.secret) spec[`${o.name}-file`] = { type: 'string' };
  }
  const expanded = expandSwitches(args);
  for (const arg of expanded) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0]!;
    if (!(name in spec)) throw unknownFlag(name);
  }
  try {
    const { values, positionals } = parseArgs({
      args: expanded,
      options: spec,
      allowPositionals: true,
      strict: true,
    });
    const value = (name: string) => {
      const v = values[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    return { source: value, positionals };
  } catch (error) {
    throw new UserError(
      escapeControl((error as Error).message),
      'Run `dtp --help` for the list of settings; each is --<name> <value>.',
      ExitCode.invalidConfig,
    );
  }
}

export function unknownCommand(command: string, commands: readonly string[] = COMMANDS): UserError {
  const match = closest(command, commands);
  return new UserError(
    `unknown command "${escapeControl(command)}"${match ? `; did you mean ${match}?` : ''}`,
    commands === COMMANDS
      ? 'Run `dtp --help` for the commands.'
      : `Usage: ${commands.map((c) => `dtp ${c}`).join(', ')} (see \`dtp --help\`).`,
    ExitCode.invalidConfig,
  );
}
