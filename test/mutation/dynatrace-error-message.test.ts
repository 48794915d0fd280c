/**
 * Dynatrace's error text as dtp quotes it in its failures: the message, then which field broke which
 * constraint. Anything that is not an `error` with a string message is no message at all.
 */
import { describe, expect, it } from 'vitest';
import { dynatraceErrorMessage } from '../../src/clients/dynatrace.js';

describe('dynatraceErrorMessage', () => {
  it('an answer without a body or without an error object has no message', () => {
    expect(dynatraceErrorMessage(undefined)).toBeUndefined();
    expect(dynatraceErrorMessage(null)).toBeUndefined();
    expect(dynatraceErrorMessage({})).toBeUndefined();
    expect(dynatraceErrorMessage('<html>gateway</html>')).toBeUndefined();
  });

  it('an error whose message is not a string has no message', () => {
    expect(dynatraceErrorMessage({ error: { code: 400, message: 42 } })).toBeUndefined();
    expect(dynatraceErrorMessage({ error: { code: 400 } })).toBeUndefined();
  });

  it('an error without constraint violations is its message alone', () => {
    expect(dynatraceErrorMessage({ error: { code: 404, message: 'not found' } })).toBe('not found');
    expect(
      dynatraceErrorMessage({ error: { message: 'not found', constraintViolations: 'scopes: bad' } }),
    ).toBe('not found');
    expect(dynatraceErrorMessage({ error: { message: 'not found', constraintViolations: [] } })).toBe(
      'not found',
    );
  });

  it('each constraint violation follows the message as "path message", separated by semicolons', () => {
    expect(
      dynatraceErrorMessage({
        error: {
          message: 'Constraints violated.',
          constraintViolations: [
            { path: 'scopes', message: 'unknown scope foo' },
            { path: 'name', message: 'too long' },
          ],
        },
      }),
    ).toBe('Constraints violated. (scopes unknown scope foo; name too long)');
  });

  it('a violation missing its path or its message is quoted without a placeholder or stray space', () => {
    expect(
      dynatraceErrorMessage({
        error: {
          message: 'Constraints violated.',
          constraintViolations: [{ message: 'unknown scope foo' }, { path: 'name' }],
        },
      }),
    ).toBe('Constraints violated. (unknown scope foo; name)');
  });

  it('a violation with neither path nor message adds nothing, not empty parentheses', () => {
    expect(
      dynatraceErrorMessage({
        error: {
          message: 'Constraints violated.',
          constraintViolations: [{}, { parameterLocation: 'BODY' }],
        },
      }),
    ).toBe('Constraints violated.');
  });
});
