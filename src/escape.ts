/**
 * The one place where text from outside (file names, OCM labels, remote error messages, YAML values) is
 * made safe for where it lands. Every log line, annotation, summary, comment and metric label goes through
 * one of these functions; each is written for its context, so callers never escape by hand.
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
