import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { redact } from '../secret.js';
import type { Platform } from './platform.js';

export interface PlainPlatformOptions {
  /** Where the summary goes (Markdown file). */
  summaryPath: string;
  /** Tekton: the task's results folder (`/tekton/results`); each output becomes a file there. */
  resultsDir?: string;
  verbose?: boolean;
  /** Defaults to the process streams; tests pass collectors. */
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

/**
 * Tekton and local runs: plain lines, files. Never prints workflow commands such as `::add-mask::`,
 * which outside GitHub would print the secret itself.
 */
export function plainPlatform(options: PlainPlatformOptions): Platform {
  const out = options.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    kind: 'plain',
    info: (message) => out(redact(message)),
    warn: (message) => err(`warning: ${redact(message)}`),
    error: (message) => err(`error: ${redact(message)}`),
    debug: (message) => {
      if (options.verbose) out(`debug: ${redact(message)}`);
    },
    annotate(diagnostics: readonly Diagnostic[]) {
      for (const d of diagnostics) err(redact(formatDiagnostic(d)));
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
}
