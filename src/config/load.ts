// Placeholder: replaced by the configuration loader (issue 2).
import type { Diagnostic } from './diagnostics.js';
import type { Config } from './types.js';

export interface LoadResult {
  /** The validated configuration; undefined when any error was found. */
  config: Config | undefined;
  /** Every problem found, errors and warnings, sorted by file, line, column. */
  diagnostics: Diagnostic[];
  /** The files that were read (relative paths). */
  files: string[];
}

export async function loadConfig(_dir: string): Promise<LoadResult> {
  return { config: undefined, diagnostics: [], files: [] };
}
