/**
 * The job summary of `dtp validate`: a verdict, the counts, and every problem in one table. Messages quote
 * what the pull request wrote, so every cell is escaped: a value can neither break the table nor inject HTML.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { ANNOTATION_LIMIT } from '../platform/platform.js';
import { escapeMarkdown } from '../escape.js';
import { table } from './markdown.js';

export function renderValidationSummary(
  result: { diagnostics: Diagnostic[]; files: string[] },
  options: { annotationLimit?: number } = {},
): string {
  const limit = options.annotationLimit ?? ANNOTATION_LIMIT;
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  const files = result.files.length;
  const verdict = errors > 0 ? '❌ configuration invalid' : '✅ configuration valid';
  const lines = [
    `## dtp validate: ${verdict}`,
    '',
    `${count(errors, 'error')}, ${count(warnings, 'warning')} in ${count(files, 'file')}.`,
  ];
  if (result.diagnostics.length === 0) return `${lines.join('\n')}\n`;

  lines.push(
    '',
    `On a pull request the first ${limit} errors and the first ${limit} warnings are annotated on their lines; all of them are listed here.`,
    '',
    table(
      ['Where', 'Severity', 'Problem', 'What to do'],
      result.diagnostics.map((d) => [
        escapeMarkdown(d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file),
        d.severity,
        escapeMarkdown(d.message),
        escapeMarkdown(d.hint ?? ''),
      ]),
    ),
  );
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
