/**
 * Markdown for job summaries and PR comments. GitHub renders the summary as raw HTML + Markdown, so every
 * piece of text that came from outside (cluster names, label values, remote error messages) is escaped.
 */

/** Escapes text for a Markdown paragraph or table cell: HTML, table pipes, emphasis and code markers. */
export function escapeMarkdown(text: string): string {
  // One pass, so an escape added for one character is never escaped again by another rule.
  return text.replace(/[&<>|\\`*_[\]#]|\r?\n/g, (m) => {
    if (m === '&') return '&amp;';
    if (m === '<') return '&lt;';
    if (m === '>') return '&gt;';
    if (m === '\n' || m === '\r\n') return ' ';
    return `\\${m}`;
  });
}

/** Inline code for identifiers; backticks inside are replaced so the span cannot be broken out of. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``;
}

export function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** At most `limit` rows, then a line saying how many more there are and where to find them. */
export function capped<T>(items: readonly T[], limit: number): { shown: readonly T[]; more: string } {
  if (items.length <= limit) return { shown: items, more: '' };
  return { shown: items.slice(0, limit), more: `\n\n…and ${items.length - limit} more in report.json.` };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
