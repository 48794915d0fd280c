/**
 * The Action's platform before @actions/core is loaded (src/platform/deferred.ts): what is asked for before
 * the implementation is there is done once it is, in the order asked, and — with the real GitHub platform —
 * only after every secret value known by then has been masked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deferredPlatform } from '../../src/platform/deferred.js';
import type { Platform } from '../../src/platform/platform.js';

const VALUE = 'hvs.DEFERREDPLATFORMTEST000000000000000000000000';
const LATER = 'hvs.REGISTEREDBEFORELOADBUTAFTERCREATION00000000';

/** A platform that records every call. */
function recording(events: string[], kind: Platform['kind'] = 'github'): Platform {
  return {
    kind,
    info: (m) => events.push(`info ${m}`),
    warn: (m) => events.push(`warn ${m}`),
    error: (m) => events.push(`error ${m}`),
    debug: (m) => events.push(`debug ${m}`),
    annotate: (d, title) => events.push(`annotate ${d.length} ${title}`),
    writeSummary: async (m) => {
      events.push(`summary ${m}`);
      return 'path';
    },
    setOutputs: async (o) => void events.push(`outputs ${JSON.stringify(o)}`),
    publishReport: async (dir) => void events.push(`publish ${dir}`),
    ...(kind === 'github' ? { idToken: async (audience: string) => `id-token for ${audience}` } : {}),
  };
}

describe('a deferred platform', () => {
  it('loads nothing until asked, then does what waited in order, before anything asked later', async () => {
    const events: string[] = [];
    let loads = 0;
    const platform = deferredPlatform('github', async () => {
      loads++;
      await null; // as an import: later, never at once
      events.push('loaded');
      return recording(events);
    });
    expect(loads).toBe(0);
    platform.info('one');
    platform.warn('two');
    platform.annotate([], 'dtp plan');
    const summary = platform.writeSummary('three');
    platform.error('four');
    expect(events).toEqual([]);
    expect(await summary).toBe('path');
    platform.debug('five');
    await platform.setOutputs({ a: '1' });
    expect(events).toEqual([
      'loaded',
      'info one',
      'warn two',
      'annotate 0 dtp plan',
      'error four',
      'summary three',
      'debug five',
      'outputs {"a":"1"}',
    ]);
    expect(loads).toBe(1);
  });

  it('ready() loads it once; once loaded, calls go straight through', async () => {
    const events: string[] = [];
    const real = recording(events);
    const platform = deferredPlatform('github', async () => real);
    expect(await platform.ready()).toBe(real);
    expect(await platform.ready()).toBe(real);
    platform.info('now');
    expect(events).toEqual(['info now']);
  });

  it('the OIDC ID token waits for the implementation; a plain platform has none to offer', async () => {
    const github = deferredPlatform('github', async () => recording([]));
    expect(await github.idToken?.('vault')).toBe('id-token for vault');
    const plain = deferredPlatform('plain', async () => recording([], 'plain'));
    expect(plain.kind).toBe('plain');
    expect(plain.idToken).toBeUndefined();
  });
});

describe('the deferred GitHub platform', () => {
  it('masks every secret value before it prints what waited for @actions/core', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtp-deferred-'));
    const file = join(dir, 'snippet.mts');
    writeFileSync(
      file,
      `import { deferredPlatform } from '${process.cwd()}/src/platform/deferred.ts';
       import { Secret } from '${process.cwd()}/src/secret.ts';
       new Secret('${VALUE}');
       const p = deferredPlatform('github', async () =>
         (await import('${process.cwd()}/src/platform/github.ts')).githubPlatform());
       new Secret('${LATER}');
       p.info('first ${VALUE}');
       p.info('second ${LATER}');
       await p.ready();`,
    );
    const out = execFileSync(join(process.cwd(), 'node_modules/.bin/tsx'), [file], {
      env: { PATH: process.env.PATH, GITHUB_ACTIONS: 'true' },
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(out).toEqual([`::add-mask::${VALUE}`, `::add-mask::${LATER}`, 'first ***', 'second ***']);
  });
});
