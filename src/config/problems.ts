/**
 * The documents being validated and the problems found in them. Every rule reports through `Problems`, by
 * document and JSON pointer, so each message names its field and lands on the line that was written.
 */
import { escapeControl } from '../escape.js';
import type { Diagnostic } from './diagnostics.js';
import { fieldName, type Anchor, type Position, type PositionIndex } from './positions.js';
import { SuggestionBudget } from './suggest.js';
import type { SourceLocation } from './types.js';

/** One YAML document of a configuration file. */
export interface ConfigDocument {
  /** Relative path with forward slashes. */
  file: string;
  /** 0-based place among the file's documents. */
  index: number;
  /** The constructed value (a mapping for every document that reaches the rules). */
  value: unknown;
  positions: PositionIndex;
  /** Where the document's content starts: the `source` of what it defines. */
  start: SourceLocation;
}

export type Severity = Diagnostic['severity'];

export interface ProblemDetails {
  hint?: string;
  /** Point at the key (unknown fields, duplicates) instead of the value. */
  anchor?: Anchor;
  /** The field named in the message, when it is not the one pointed at (an unknown key names its object). */
  subject?: string;
  severity?: Severity;
}

export class Problems {
  readonly diagnostics: Diagnostic[] = [];
  /** Shared by every "did you mean" of one load, so a flood of typos cannot stall the run. */
  readonly suggestions = new SuggestionBudget();
  readonly #reported = new Set<string>();

  /** A problem with one field of a document; the message is prefixed with the field's name. */
  at(doc: ConfigDocument, pointer: string, message: string, details: ProblemDetails = {}): void {
    this.#reported.add(placeOf(doc, pointer));
    const field = fieldName(pointer);
    const named = details.subject === undefined ? field : fieldName(details.subject);
    this.add(
      doc.file,
      doc.positions.locate(pointer, details.anchor),
      named ? `${named}: ${message}` : message,
      {
        ...details,
        field: field || undefined,
      },
    );
  }

  /** A problem at a place in a file that has no document (syntax errors), or with the whole file (line 0). */
  inFile(file: string, message: string, details: ProblemDetails & { position?: Position } = {}): void {
    this.add(file, details.position ?? { line: 0, column: 0 }, message, details);
  }

  /** Whether a problem was already reported at exactly this place (later rules stay quiet there). */
  reported(doc: ConfigDocument, pointer: string): boolean {
    return this.#reported.has(placeOf(doc, pointer));
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  private add(
    file: string,
    position: Position,
    message: string,
    details: ProblemDetails & { field?: string },
  ): void {
    // File names and quoted values come from outside: a newline or ESC in them must not forge a line.
    this.diagnostics.push({
      file: escapeControl(file),
      line: position.line,
      column: position.column,
      severity: details.severity ?? 'error',
      message: escapeControl(message),
      ...(details.hint ? { hint: escapeControl(details.hint) } : {}),
      ...(details.field ? { field: details.field } : {}),
    });
  }
}

function placeOf(doc: ConfigDocument, pointer: string): string {
  return `${doc.file}\u0000${doc.index}\u0000${pointer}`;
}

/** A value as it is quoted in a message: short, on one line, in backticks. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const oneLine = escapeControl(text.replace(/\s+/g, ' '));
  return `\`${oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine}\``;
}

/** `tenants/a.yaml:12:5`: where something else was written, for "first defined at" messages. */
export function where(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
