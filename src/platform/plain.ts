import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { escapeControl } from '../escape.js';
import { redact } from '../secret.js';
import { escapeDiagnostic, type Platform } from './platform.js';
import { withLogFormat, type LogFormat } from './log-format.js';

/**
 * One log record as printed lines: control characters made visible line by line, and every line after the
 * first indented, so a value with a line break inside can never print a line of its own (a forged `error:`).
 */
function logLines(message: string): string {
  return redact(message)
    .split(/\r?\n/)
    .map((line, i) => (i === 0 ? '' : '  ') + escapeControl(line))
    .join('\n');
}

export interface PlainPlatformOptions {
  /** Where the summary goes (Markdown file). */
  summaryPath: string;
  /** Tekton: the task's results folder (`/tekton/results`); each output becomes a file there. */
  resultsDir?: string;
  verbose?: boolean;
  /** Defaults to the process streams; tests pass collectors. */
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** `log-format`: json prints one object per line (src/platform/log-format.ts). */
  logFormat?: LogFormat;
}

/**
 * Tekton and local runs: plain lines, files. Never prints workflow commands such as `::add-mask::`,
 * which outside GitHub would print the secret itself.
 */
export function plainPlatform(options: PlainPlatformOptions): Platform {
  const out = options.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const platform: Platform = {
    kind: 'plain',
    info: (message) => out(logLines(message)),
    warn: (message) => err(`warning: ${logLines(message)}`),
    error: (message) => err(`error: ${logLines(message)}`),
    debug: (message) => {
      if (options.verbose) out(`debug: ${logLines(message)}`);
    },
    annotate(diagnostics: readonly Diagnostic[]) {
      for (const d of diagnostics) err(redact(formatDiagnostic(escapeDiagnostic(d))));
    },
    async writeSummary(markdown) {
      mkdirSync(dirname(options.summaryPath), { recursive: true });
      writeFileSync(options.summaryPath, redact(markdown));
      return options.summaryPath;
    },
    async setOutputs(outputs) {
      if (!options.resultsDir) return;
      mkdirSync(options.resultsDir, { recursive: true });
      for (const [name, value] of Object.entries(outputs)) {
        writeFileSync(join(options.resultsDir, name), redact(value));
      }
    },
    async publishReport() {
      // The files are in the report folder already; nothing to upload outside GitHub.
    },
  };
  return withLogFormat(platform, options, { info: out, warn: err, error: err });
}
