/**
 * The Action entry sends the Vault login before it loads @actions/core (with its HTTP client): inputs are
 * read as core reads them, the toolkit loads while Vault answers, and the outcome is reported through it as
 * before (the exit-code output). Checked by the order of events, not by timing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { approle, LOGIN, loginFirstWorld, REVOKE } from './login-first-world.js';

const { events } = vi.hoisted(() => ({ events: [] as string[] }));

vi.mock('@actions/core', async (importOriginal) => {
  events.push('@actions/core loaded');
  return importOriginal();
});

const world = loginFirstWorld(events);

describe('the Action', () => {
  it('sends the Vault login before @actions/core loads, and reports through it as before', async () => {
    const output = join(world.work, 'github-output');
    const summary = join(world.work, 'github-summary.md');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const inputs: Record<string, string> = {
      mode: 'plan',
      config: ` ${world.configDir} `, // trimmed, as core.getInput trims
      'report-dir': join(world.work, 'report'),
      ...approle(world),
    };
    for (const [name, value] of Object.entries(inputs)) vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
    vi.stubEnv('GITHUB_OUTPUT', output);
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { runAction } = await import('../../src/action.js');
    await runAction();
    expect(events).toEqual([LOGIN, '@actions/core loaded', REVOKE]);
    expect(process.exitCode).toBe(2);
    expect(readFileSync(output, 'utf8')).toMatch(/^exit-code<<(.+)\n2\n\1$/m);
  });
});
