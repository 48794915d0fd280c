/**
 * The SSO token answer (ssoToken in src/clients/answers.ts): dtp caches the access token for
 * `expires_in` seconds, so a lifetime that is not a positive number must be refused, not cached.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ssoToken } from '../../src/clients/answers.js';
import { edited, problemWith } from './answers-expect.js';
import type { Wire } from './answers-expect.js';

describe('an SSO token answer', () => {
  let answer: Record<string, unknown>;
  beforeEach(() => {
    answer = {
      access_token: 'access-value',
      expires_in: 300,
      refresh_token: 'refresh-value',
      token_type: 'Bearer',
    };
  });

  it('keeps the access token, its lifetime and the refresh token', () => {
    expect(ssoToken(answer)).toEqual({
      access_token: 'access-value',
      expires_in: 300,
      refresh_token: 'refresh-value',
    });
  });

  it('without a lifetime or refresh token is still a token', () => {
    const read = ssoToken({ access_token: 'access-value', refresh_token: null });
    expect(read).toEqual({ access_token: 'access-value' });
    expect(read.expires_in).toBeUndefined();
    expect(read.refresh_token).toBeUndefined();
  });

  it('with a fractional lifetime is accepted (positive is all the spec promises)', () => {
    expect(ssoToken({ ...answer, expires_in: 0.5 }).expires_in).toBe(0.5);
  });

  const broken: [string, (a: Wire) => void, string][] = [
    [
      'a lifetime sent as a string is refused',
      (a) => (a.expires_in = '300'),
      'expires_in is string, not a positive number',
    ],
    ['a lifetime of 0 is refused', (a) => (a.expires_in = 0), 'expires_in is number, not a positive number'],
    [
      'a negative lifetime is refused',
      (a) => (a.expires_in = -1),
      'expires_in is number, not a positive number',
    ],
    ['a null lifetime is refused', (a) => (a.expires_in = null), 'expires_in is null, not a positive number'],
    [
      'an answer without access token is malformed',
      (a) => delete a.access_token,
      'access_token is undefined, not a string',
    ],
    ['an empty access token is malformed', (a) => (a.access_token = ''), 'access_token is empty'],
    [
      'a numeric refresh token is malformed',
      (a) => (a.refresh_token = 7),
      'refresh_token is number, not a string',
    ],
  ];
  it.each(broken)('%s', (_rule, edit, message) => {
    expect(problemWith(() => ssoToken(edited(answer, edit)))).toBe(message);
  });

  it('that is a JSON array is malformed', () => {
    expect(problemWith(() => ssoToken([]))).toBe('the answer is array, not an object');
  });
});
