/**
 * Escaping (src/escape.ts) at its edges: one value must never forge a second log line or run in a shell,
 * however it is shaped.
 */
import { describe, expect, it } from 'vitest';
import { escapeControl, shellQuote } from '../../src/escape.js';

describe('control characters become visible, in a fixed-width form', () => {
  it.each([
    ['tab', 'a\tb', 'a\\tb'],
    ['a C0 control below 0x10 (two hex digits, zero-padded)', 'a\u0001b', 'a\\x01b'],
    ['escape (terminal sequences)', '\u001b[31m', '\\x1b[31m'],
    ['a C1 control', 'a\u0085b', 'a\\x85b'],
    ['a bidi override (Trojan Source)', 'a\u202eb', 'a\\u202eb'],
  ])('%s', (_, text, shown) => {
    expect(escapeControl(text)).toBe(shown);
  });
});

describe('a value for a shell is quoted unless every character is harmless', () => {
  it.each([
    ['a space after a harmless start', 'a b', "'a b'"],
    ['a command substitution after a harmless start', 'x$(touch /tmp/pwned)', "'x$(touch /tmp/pwned)'"],
    ['a single quote', "it's", "'it'\\''s'"],
  ])('%s', (_, text, quoted) => {
    expect(shellQuote(text)).toBe(quoted);
  });

  it('leaves a plain value as it is', () => {
    expect(shellQuote('https://abc12345.live.dynatrace.com/api')).toBe(
      'https://abc12345.live.dynatrace.com/api',
    );
  });
});
