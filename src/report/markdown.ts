/**
 * Markdown building blocks for job summaries and PR comments. GitHub renders the summary as raw HTML +
 * Markdown, so every piece of text that came from outside is escaped first (src/escape.ts).
 */

// Escaping lives in one module for every context; re-exported for the renderers that import it from here.
export { escapeMarkdown, inlineCode, tableCode } from '../escape.js';

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
