/** The job summary of `dtp validate`: verdict, counts, every problem, and nothing a PR can inject. */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { renderValidationSummary } from '../../src/report/validation-summary.js';

const error: Diagnostic = {
  file: 'tenants/a.yaml',
  line: 12,
  column: 5,
  severity: 'error',
  message: 'spec: unknown field `<img src=x onerror=alert(1)>|x`',
  hint: 'Did you mean `spec`? | or <b>this</b>',
};
const warning: Diagnostic = {
  file: 'tenants/README.md',
  line: 0,
  column: 0,
  severity: 'warning',
  message: 'ignored: tenants/README.md',
};

describe('validation summary', () => {
  it('gives the verdict and the counts', () => {
    expect(renderValidationSummary({ diagnostics: [], files: ['a.yaml'] })).toBe(
      '## dtp validate: ✅ configuration valid\n\n0 errors, 0 warnings in 1 file.\n',
    );
    const text = renderValidationSummary({ diagnostics: [error, warning], files: ['a.yaml', 'b.yaml'] });
    expect(text).toContain('## dtp validate: ❌ configuration invalid');
    expect(text).toContain('1 error, 1 warning in 2 files.');
  });

  it('lists every problem with its place, and says which are annotated', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...error, line: i + 1, message: `problem ${i}` }));
    const text = renderValidationSummary(
      { diagnostics: [...many, warning], files: ['a.yaml'] },
      { annotationLimit: 10 },
    );
    expect(text).toContain(
      'the first 10 errors and the first 10 warnings are annotated on their lines; all of them are listed here',
    );
    for (let i = 0; i < 25; i++)
      expect(text).toContain(`| tenants/a.yaml:${i + 1}:5 | error | problem ${i} |`);
    expect(text).toContain('| tenants/README.md | warning |');
  });

  it('escapes what the configuration wrote: HTML, table pipes and backticks', () => {
    const text = renderValidationSummary({ diagnostics: [error], files: ['a.yaml'] });
    const row = text.split('\n').find((l) => l.startsWith('| tenants/a.yaml'))!;
    expect(row).not.toContain('<img');
    expect(row).not.toContain('<b>');
    expect(row).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Four cells and nothing more: the pipes in the message and hint are escaped.
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(4);
    expect(row).not.toMatch(/(?<!\\)`/);
  });
});
