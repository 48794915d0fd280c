/**
 * report.json written piece by piece: the same bytes as `JSON.stringify(report, null, 2)`, without holding
 * the whole text (several MB at 10,000 clusters) in memory at the end of a run.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** The JSON of `value` as it stands at `depth` inside a 2-space-indented document. */
const nested = (value: unknown, depth: number) =>
  JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);

export function writeJsonFile(path: string, document: Record<string, unknown>): void {
  const fd = openSync(path, 'w');
  // Many small writes would cost more than they save: buffer up to 64 KiB.
  let buffer = '';
  const write = (text: string) => {
    buffer += text;
    if (buffer.length >= 65_536) {
      writeSync(fd, buffer);
      buffer = '';
    }
  };
  try {
    const entries = Object.entries(document).filter(([, v]) => v !== undefined && typeof v !== 'function');
    write('{');
    entries.forEach(([key, value], i) => {
      write(`${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `);
      if (Array.isArray(value) && value.length > 0) {
        write('[');
        value.forEach((item, j) => write(`${j === 0 ? '' : ','}\n    ${nested(item ?? null, 2)}`));
        write('\n  ]');
      } else {
        write(nested(value, 1));
      }
    });
    write(entries.length > 0 ? '\n}\n' : '}\n');
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}
