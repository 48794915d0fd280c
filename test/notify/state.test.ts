import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyState, fileStateStore, parseState } from '../../src/notify/state.js';

const dir = mkdtempSync(join(tmpdir(), 'dtp-notify-state-'));

describe('the notify state file', () => {
  it('round-trips what it saved', () => {
    const store = fileStateStore(join(dir, 'nested', 'state.json'));
    expect(store.load()).toEqual({ state: undefined, why: 'missing' });
    const state = {
      ...emptyState(),
      failing: { 'prod/c1': { runs: 2, name: 'c1', tenants: ['abc12345'] } },
      held: ['prune:x'],
    };
    store.save(state);
    expect(store.load()).toEqual({ state });
  });

  it('reads a document written before rotation (no overdue list) as nothing overdue told yet', () => {
    const { overdue: _overdue, ...old } = { ...emptyState(), held: ['prune:x'] };
    expect(parseState(JSON.stringify(old))).toEqual({ ...emptyState(), held: ['prune:x'] });
    expect(parseState(JSON.stringify({ ...emptyState(), overdue: ['expired:a'] }))!.overdue).toEqual([
      'expired:a',
    ]);
  });

  it.each([
    ['not JSON', '{"version": 1,'],
    ['another version', JSON.stringify({ ...emptyState(), version: 2 })],
    ['a list', '[]'],
    [
      'a bad streak',
      JSON.stringify({ ...emptyState(), failing: { a: { runs: 0, name: 'a', tenants: [] } } }),
    ],
    ['a wrong field type', JSON.stringify({ ...emptyState(), denied: 'x' })],
    ['a wrong overdue list', JSON.stringify({ ...emptyState(), overdue: [1] })],
  ])('reads %s as corrupt, so everything is told again', (_what, text) => {
    const path = join(dir, `${Math.random()}.json`);
    writeFileSync(path, text);
    expect(parseState(text)).toBeUndefined();
    expect(fileStateStore(path).load()).toMatchObject({ state: undefined, why: 'corrupt' });
  });
});
