/**
 * Output escaping by context (issue 9, item 6): cluster owners control OCM label keys and values and cluster
 * names, remote systems control error messages, pull requests control file names. None of it may break out
 * of a summary table, inject links, images or HTML into the job summary or the PR comment, forge a log line
 * or a workflow command, or reorder text with bidi controls.
 */
import { marked } from 'marked';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import {
  escapeControl,
  escapeMarkdown,
  escapePromLabel,
  escapeWorkflowData,
  escapeWorkflowProperty,
  inlineCode,
  shellQuote,
  tableCode,
} from '../../src/escape.js';
import { githubPlatform } from '../../src/platform/github.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { commentBody, MARKER } from '../../src/platform/pr-comment.js';
import { runEngine } from '../../src/reconcile/engine.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderValidationSummary } from '../../src/report/validation-summary.js';
import { FakeDynatrace, FakeOcm, type Call } from '../reconcile/fakes.js';
import { config, ORG_A, v2 } from '../reconcile/fixtures.js';

const HOSTILE = [
  'x|![x](https://evil.example/x.png)',
  '<img src=x onerror=alert(1)>',
  '[click me](javascript:alert(1))',
  '<https://evil.example/auto>',
  '\u001b[31merror: forged\u001b[0m',
  'a\r\n::set-output name=x::y',
  'line\n## heading\n| a | b |',
  'tab\there',
  '\u202egnp.exe',
  '@acme/everyone ping',
  '&lt;b&gt;entity&#x3c;',
  '**bold** _em_ ~~strike~~ `code`',
];
const LABEL_PREFIX = 'sre-capabilities.dtp.v3.';

/** Characters that must never reach a summary, comment or log line raw. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** `|` not escaped by a backslash: the cell separators GFM sees. */
function cellSeparators(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '|') n++;
  }
  return n;
}

function expectSafeMarkdown(markdown: string): void {
  expect(markdown).not.toMatch(RAW_CONTROL);
  for (const line of markdown.split('\n')) expect(line.trimStart().startsWith('::'), line).toBe(false);
  // Every row of a table has exactly the header's cells: nothing broke out of a cell.
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || (i > 0 && lines[i - 1]!.startsWith('|'))) continue;
    const width = cellSeparators(lines[i]!);
    for (let j = i; j < lines.length && lines[j]!.startsWith('|'); j++)
      expect(cellSeparators(lines[j]!), lines[j]).toBe(width);
  }
  // Rendered as GitHub would (GFM): no image, no HTML from a value, no link that hides its target.
  const html = marked.parse(markdown, { gfm: true, async: false });
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/(href|src)="javascript:/i);
  expect(html).not.toMatch(/<[a-z][^>]*\son\w+=/i);
  for (const [, href, text] of html.matchAll(/<a href="([^"]*)"[^>]*>(.*?)<\/a>/g)) expect(text).toBe(href);
  expect(html).not.toMatch(/<h[1-6][^>]*>heading/);
  // GitHub links @mentions in text, never inside code spans.
  expect(html.replace(/<code>.*?<\/code>/g, '')).not.toContain('@acme/everyone');
  expect(html).not.toMatch(/<(strong|em|del)>/);
}

async function hostileReport(
  mode: 'plan' | 'reconcile',
  hostile = HOSTILE,
  failures = true,
): Promise<Report> {
  const calls: Call[] = [];
  const ocm = new FakeOcm('production', calls);
  const dt = new Map(['abc12345', 'def67890'].map((t) => [t, new FakeDynatrace(t, calls)]));
  hostile.forEach((text, i) => {
    ocm.addCluster({
      id: `c${i}`,
      externalId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      org: ORG_A,
      labels: {
        ...v2('abc12345'),
        [`${LABEL_PREFIX}${text}.tenant`]: text,
        [`${LABEL_PREFIX}b${i}.tenant`]: text,
      },
      hcp: i % 2 === 0,
    });
    ocm.clusters.at(-1)!.name = text;
  });
  const result = await runEngine({
    config: config(),
    mode,
    concurrency: 4,
    prune: 'true',
    serviceLogs: true,
    shard: { index: 1, count: 1 },
    ocm: [{ environment: 'production', client: ocm }],
    dynatrace: async (t) => dt.get(t)!,
    log: { info: () => {}, warn: () => {}, debug: () => {} },
  });
  const report = buildReport(result, {
    version: '0.0.0',
    shard: '1/1',
    configDir: 'tenants',
    configFiles: 3,
    exitCode: 1,
    calls: [],
  });
  if (!failures) return report;
  // Remote answers end up in error texts: make some clusters fail with hostile messages.
  report.clusters.slice(0, 4).forEach((c, i) => {
    c.status = 'failed';
    c.errors = [`vault said: ${hostile[i]!}\t${hostile[(i + 4) % hostile.length]!}`];
  });
  report.totals.failed = Math.min(4, report.clusters.length);
  report.tenants.push({ tenantId: 'abc12345', name: hostile.at(-1)!, error: hostile[0]! } as never);
  return report;
}

describe('escaping per context', () => {
  it('Markdown text: no HTML, link, image, emphasis, table cell, heading, mention or control character', () => {
    const out = escapeMarkdown(
      'x|![i](https://e/x.png) <b>&amp; *a* _b_ ~c~ `d` # h @team \t\n\u001b\u202e\\',
    );
    expect(out).toBe(
      'x\\|!\\[i\\](https://e/x.png) &lt;b&gt;&amp;amp; \\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\# h @&#8203;team  \\\\x1b\\\\u202e\\\\',
    );
  });

  it('inline code: cannot be closed early; inside a table cell a `|` cannot split the row', () => {
    expect(inlineCode('a`b\nc')).toBe("`a'b c`");
    expect(tableCode('k|![x](y)')).toBe('`k\\|![x](y)`');
    expect(inlineCode('\u001b[1m')).toBe('`\\x1b[1m`');
  });

  it('workflow commands: data and properties encoded as the runner decodes them', () => {
    expect(escapeWorkflowData('50%\r\n::set-output name=x::y')).toBe('50%25%0D%0A::set-output name=x::y');
    expect(escapeWorkflowProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('log lines, metric labels and shell values', () => {
    expect(escapeControl('a\r\nerror: forged\u001b[0m\u202e')).toBe('a\\r\\nerror: forged\\x1b[0m\\u202e');
    expect(escapePromLabel('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(shellQuote("it's $(rm -rf /) `x`")).toBe(`'it'\\''s $(rm -rf /) \`x\`'`);
    expect(shellQuote('https://127.0.0.1:8200')).toBe('https://127.0.0.1:8200');
  });
});

describe('hostile label keys, values, cluster names and remote messages', () => {
  it.each(['plan', 'reconcile'] as const)('cannot break the %s summary', async (mode) => {
    const report = await hostileReport(mode);
    const summary = renderSummary(report);
    // The hostile label keys really are in it (as denials), so the test exercises them.
    expect(summary).toContain('Denied bindings');
    expect(summary).toContain('Failed clusters');
    expectSafeMarkdown(summary);
  });

  it('a `|` in a label key cannot break out of its table cell into an image', async () => {
    const summary = renderSummary(await hostileReport('plan', ['x|![x](https://evil.example/x.png)'], false));
    expectSafeMarkdown(summary);
    expect(summary).toContain('`sre-capabilities.dtp.v3.x\\|![x](https://evil.example/x.png).tenant`');
  });

  it('cannot break the PR comment', async () => {
    const body = commentBody(renderSummary(await hostileReport('plan')));
    expect(body.startsWith(MARKER)).toBe(true);
    expectSafeMarkdown(body);
  });

  it('cannot break the validation summary (file names and quoted values from the PR)', () => {
    const diagnostics: Diagnostic[] = HOSTILE.map((text, i) => ({
      file: `tenants/${text}.yaml`,
      line: i + 1,
      column: 1,
      severity: 'error',
      message: `unknown field ${text}`,
      hint: text,
    }));
    expectSafeMarkdown(renderValidationSummary({ diagnostics, files: ['tenants/a.yaml'] }));
  });
});

describe('log lines and workflow commands', () => {
  afterEach(() => vi.restoreAllMocks());

  const diagnostic: Diagnostic = {
    file: 'tenants/a\n::error file=x::forged\u001b[2J.yaml',
    line: 3,
    column: 1,
    severity: 'error',
    message: 'bad value "x\r\nerror: forged"\u202e',
    hint: 'fix\n::add-mask::x',
  };

  it('plain logs: one record never prints a line that looks like another record', () => {
    const lines: string[] = [];
    const platform = plainPlatform({
      summaryPath: '/dev/null',
      verbose: true,
      stdout: (l) => lines.push(...l.split('\n')),
      stderr: (l) => lines.push(...l.split('\n')),
    });
    platform.info('cluster a\nerror: forged \u001b[31m');
    platform.warn('x\r\nwarning: forged');
    platform.error('boom\u202e');
    platform.debug('d\ndebug: forged');
    platform.annotate([diagnostic]);
    for (const l of lines) expect(l).not.toMatch(RAW_CONTROL);
    expect(lines.filter((l) => /^(error|warning|debug):/.test(l))).toEqual([
      'warning: x',
      'error: boom\\u202e',
      'debug: d',
    ]);
    expect(lines.some((l) => l.startsWith('tenants/a\\n::error'))).toBe(true);
  });

  it('GitHub: no value can start a workflow command of its own', () => {
    // Created first: it masks every secret registered so far (tokens of earlier tests) with add-mask.
    const platform = githubPlatform({ verbose: true });
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    platform.info('a\n::set-output name=x::y');
    platform.warn('w\r\n::add-mask::secret');
    platform.error('e\n::error::forged\u001b[0m');
    platform.debug('d\n::stop-commands::x');
    platform.annotate([diagnostic]);
    vi.restoreAllMocks();
    const lines = written.join('').split(/\r?\n/).filter(Boolean);
    const commands = lines.filter((l) => l.trimStart().startsWith('::')).map((l) => l.split('::')[1]);
    // Only the commands dtp itself issues: a warning, an error and one annotation.
    expect(commands.map((c) => c!.split(' ')[0])).toEqual(['warning', 'error', 'error']);
    for (const l of lines) expect(l).not.toMatch(RAW_CONTROL);
    const annotation = lines.find((l) => l.includes('title=dtp validate'))!;
    // The file property cannot end early: its `:` and `,` and the line break are encoded.
    expect(annotation).toContain('file=tenants/a\\n%3A%3Aerror file=x%3A%3Aforged\\x1b[2J.yaml');
  });
});
