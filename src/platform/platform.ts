import type { Diagnostic } from '../config/diagnostics.js';
import { escapeControl } from '../escape.js';

/**
 * Where the run happens. Only this knows whether it is on GitHub Actions (masking, job summary, PR
 * annotations, step outputs, artifacts, the OIDC ID token) or elsewhere (Tekton, a laptop: plain lines on
 * stdout/stderr and files). Everything printed goes through here and is redacted on the way.
 */
export interface Platform {
  readonly kind: 'github' | 'plain';
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Printed only with `verbose`. */
  debug(message: string): void;
  /**
   * Configuration problems and plan findings: on GitHub as annotations on the lines (capped per step, the
   * rest as log lines), elsewhere as log lines. `title` names the annotation (default `dtp validate`).
   */
  annotate(diagnostics: readonly Diagnostic[], title?: string): void;
  /** Writes the job summary (Markdown). Returns where it went (a file path), if anywhere. */
  writeSummary(markdown: string): Promise<string | undefined>;
  /** Step outputs (GitHub) or result files (Tekton: `$(results.<name>.path)` via DTP_RESULTS_DIR). */
  setOutputs(outputs: Record<string, string>): Promise<void>;
  /** Publishes the report folder: an artifact on GitHub, nothing more elsewhere (the files are already there). */
  publishReport(dir: string, files: string[]): Promise<void>;
  /** The Actions OIDC ID token for Vault jwt login; undefined off GitHub. */
  idToken?(audience: string): Promise<string>;
}

/** GitHub caps annotations at 10 errors and 10 warnings per step; the rest are listed in the job summary. */
export const ANNOTATION_LIMIT = 10;

/** Kept here, away from @actions/core, so a run outside GitHub never loads the Actions toolkit. */
export function isGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * An Action input exactly as `core.getInput(name)` reads it (@actions/core 3: `INPUT_` + the name upper-cased
 * with spaces as `_`, trimmed; absent is ''), without loading @actions/core: the Action reads its inputs
 * before the Vault login, and the toolkit (~45 ms with its HTTP client) loads while Vault answers.
 */
export function actionInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

/** A diagnostic with every piece of text the configuration wrote (file name, quoted values) escaped. */
export function escapeDiagnostic(d: Diagnostic): Diagnostic {
  return {
    ...d,
    file: escapeControl(d.file),
    message: escapeControl(d.message),
    ...(d.hint !== undefined ? { hint: escapeControl(d.hint) } : {}),
  };
}
