/**
 * The one place where text from outside (file names, OCM labels, remote error messages, YAML values) is
 * made safe for where it lands. Every log line, annotation, summary, comment and metric label goes through
 * one of these functions; each is written for its context, so callers never escape by hand.
 *
 * Contexts and their functions:
 * - a log line (plain or GitHub):            escapeControl
 * - Markdown paragraph or table cell:        escapeMarkdown
 * - an identifier as inline code:            inlineCode (paragraph), tableCode (inside a table cell)
 * - a workflow command (`::error …::msg`):   escapeWorkflowData (message), escapeWorkflowProperty (file=, title=)
 * - a Prometheus label value:                escapePromLabel
 * - a value in a file meant for `source`:    shellQuote
 */

/**
 * C0 controls (tab and newline included), DEL, C1 controls, and the Unicode bidi controls and line/paragraph
 * separators that can reorder or split what a reader sees (Trojan Source).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Makes control characters visible (`\x1b`, `\n`, `\u202e`) so one value can never forge a second log line,
 * a terminal escape sequence or a reordered text. Printable text, including non-ASCII letters, is kept.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Line breaks and tabs read as one space in Markdown output; other controls stay visible (escapeControl). */
function flattenControl(text: string): string {
  return escapeControl(text.replace(/\r\n|[\r\n\t\u2028\u2029]+/g, ' '));
}

/**
 * Text for a Markdown paragraph or a table cell (GitHub job summary, PR comment). Neutralised: HTML tags and
 * entities (`<`, `>`, `&`), links and images (`[`, `]`), emphasis and strike (`*`, `_`, `~`), code
 * (`` ` ``), headings (`#`), table cells (`|`), backslashes, line breaks and tabs (one space), control and
 * bidi characters (made visible), and `@mentions` (a zero-width space after `@`, so a cluster owner's label
 * cannot ping a person or team from a PR comment). A bare URL stays visible text: GitHub may link it, but its
 * text is its target, so it cannot disguise where it goes, and it can never become an image.
 */
export function escapeMarkdown(text: string): string {
  // One pass, so an escape added for one character is never escaped again by another rule.
  return flattenControl(text).replace(/[&<>|\\`*_~[\]#@]/g, (m) => {
    if (m === '&') return '&amp;';
    if (m === '<') return '&lt;';
    if (m === '>') return '&gt;';
    if (m === '@') return '@&#8203;';
    return `\\${m}`;
  });
}

/**
 * An identifier as inline code in a paragraph. Backticks become `'` so the span cannot be closed early;
 * inside a code span nothing else is Markdown or HTML.
 */
export function inlineCode(text: string): string {
  return `\`${flattenControl(text).replace(/`/g, "'")}\``;
}

/**
 * Inline code inside a table cell: a `|` splits a GFM table row even inside a code span unless escaped, and
 * the table parser removes that backslash again before the span is rendered.
 */
export function tableCode(text: string): string {
  return inlineCode(text).replace(/\|/g, '\\|');
}

/**
 * The message of a workflow command (`::warning::<message>`), as GitHub's runner reads it: `%`, CR and LF
 * percent-encoded, so a value can neither end the command nor start a second one on a new line.
 */
export function escapeWorkflowData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property of a workflow command (`file=`, `title=`): as data, plus `:` and `,`, which end a property. */
export function escapeWorkflowProperty(text: string): string {
  return escapeWorkflowData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A Prometheus label value in the text exposition format: backslash, double quote and line feed escaped.
 * (prom-client applies the same escaping itself; this is for metrics written by hand.)
 */
export function escapePromLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A value for a POSIX shell (`export NAME=<value>` in a file meant for `source`): single-quoted. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
