/**
 * Shared by the answers-*.test.ts files: runs one check of src/clients/answers.ts on a broken answer and
 * returns what it objected to. The HTTP layer only turns an AnswerProblem into a MalformedAnswerError, so the
 * class, its name and the member named in the message are what an operator reading the error relies on.
 */
import { expect } from 'vitest';
import { AnswerProblem } from '../../src/clients/answers.js';

export function problemWith(check: () => unknown): string {
  let caught: unknown;
  try {
    check();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'the broken answer was accepted').toBeInstanceOf(AnswerProblem);
  expect((caught as Error).name).toBe('AnswerProblem');
  return (caught as Error).message;
}

/** Untyped JSON as a table row edits it: any member, at any depth, may be replaced or deleted. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the rows break answers in ways no type allows
export type Wire = any;

/** A deep copy of `good` with one edit applied: each table row starts from a fresh, valid answer. */
export function edited<T>(good: T, edit: (copy: Wire) => void): T {
  const copy = structuredClone(good);
  edit(copy);
  return copy;
}
