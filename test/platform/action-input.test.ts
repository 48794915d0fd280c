/**
 * The Action reads its inputs before @actions/core is loaded (src/platform/platform.ts actionInput): every
 * input must read exactly as `core.getInput` reads it, whatever the name and the value.
 */
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OPTIONS } from '../../src/options.js';
import { actionInput } from '../../src/platform/platform.js';

afterEach(() => vi.unstubAllEnvs());

const NAMES = [...OPTIONS.map((o) => o.name), 'with space', 'Mixed Case name', 'tab\tname', 'ünïcode'];
const VALUES = ['value', '  padded \n', '\t', '', 'multi\nline\n', ' \u00a0nbsp\u00a0 ', '0', 'false'];

describe('actionInput', () => {
  it.each(VALUES)('reads %j as core.getInput does, for every input name', (value) => {
    for (const name of NAMES) {
      vi.stubEnv(`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value);
      expect(actionInput(name), name).toBe(core.getInput(name));
    }
  });

  it('an input that is not set reads as empty, as with core.getInput', () => {
    for (const name of NAMES) {
      vi.stubEnv(`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, undefined);
      expect(actionInput(name)).toBe('');
      expect(core.getInput(name)).toBe('');
    }
  });

  it('reads the variable the runner sets: INPUT_ and the name upper-cased, spaces as _', () => {
    vi.stubEnv('INPUT_VAULT-ADDR', ' https://vault.example.com ');
    vi.stubEnv('INPUT_WITH_SPACE', 'x');
    expect(actionInput('vault-addr')).toBe('https://vault.example.com');
    expect(actionInput('with space')).toBe('x');
  });
});
