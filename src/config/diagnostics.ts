/**
 * One problem found in the configuration, at a place in a file. Rendered as `file:line:column: message`
 * on the console and as an annotation on the pull request's line on GitHub.
 */
export interface Diagnostic {
  /** Path relative to the working directory, with forward slashes (what GitHub annotations expect). */
  file: string;
  /** 1-based. 0 when the problem concerns the whole file (unreadable, empty folder, ...). */
  line: number;
  /** 1-based. */
  column: number;
  severity: 'error' | 'warning';
  /** What is wrong, naming the field: `spec.environmentUrl: must start with https://`. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** Dotted path of the field inside the document (`spec.secrets[0].tokens[1].scopes[2]`), when known. */
  field?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const hint = d.hint ? `\n    hint: ${d.hint}` : '';
  return `${where}: ${d.severity}: ${d.message}${hint}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.message.localeCompare(b.message)
  );
}
