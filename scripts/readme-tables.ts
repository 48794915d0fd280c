/**
 * The settings and outputs tables of the README, generated from src/options.ts so they cannot drift.
 * `npx tsx scripts/readme-tables.ts` rewrites them in place; a test fails when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { envName, OPTIONS, OUTPUTS } from '../src/options.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function settingsTable(): string {
  const rows = OPTIONS.map((o) => {
    const env = [envName(o.name), ...(o.secret ? [`${envName(o.name)}_FILE`] : []), ...(o.env ?? [])]
      .map((e) => `\`${e}\``)
      .join(', ');
    const def = o.name === 'github-token' ? '`${{ github.token }}`' : o.default ? `\`${o.default}\`` : '';
    return `| \`${o.name}\` | ${def} | ${env} | ${cell(o.description)}${o.secret ? ' **Secret.**' : ''} |`;
  });
  return [
    '| input / flag | default | environment | what it does |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function outputsTable(): string {
  return [
    '| output | meaning |',
    '| --- | --- |',
    ...OUTPUTS.map((o) => `| \`${o.name}\` | ${cell(o.description)} |`),
  ].join('\n');
}

export function withTables(readme: string): string {
  const put = (text: string, name: string, table: string) =>
    text.replace(new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`), `$1\n${table}\n$2`);
  return put(put(readme, 'settings', settingsTable()), 'outputs', outputsTable());
}

if (process.argv[1]?.endsWith('readme-tables.ts')) {
  writeFileSync('README.md', withTables(readFileSync('README.md', 'utf8')));
}
