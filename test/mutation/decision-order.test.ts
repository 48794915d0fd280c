/**
 * Decisions do not depend on the runner's locale: which of two bindings gets a contested Secret is the same
 * under da_DK (where "aa" sorts after "z"), et_EE and lt_LT as under C — so a pull request's plan on one
 * runner and the reconcile on another agree (src/reconcile/order.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveBindings } from '../../src/reconcile/eligibility.js';
import { decisionOrder } from '../../src/reconcile/order.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';
import { cluster, config } from '../reconcile/fixtures.js';

const V3 = 'sre-capabilities.dtp.v3.';
const contested = {
  [`${V3}z.tenant`]: TENANT_B,
  [`${V3}z.token-spec`]: 'default',
  [`${V3}aa.tenant`]: TENANT_A,
  [`${V3}aa.token-spec`]: 'default',
};

// Keys whose order differs by locale: "aa" (da), "z" before "t" (et), "y" before "j" (lt), case.
const KEYS = ['v3.z', 'v3.y', 'v3.t', 'v3.j', 'v3.aa', 'v3.B', 'v3.a'];
const EN_ORDER = ['v3.a', 'v3.aa', 'v3.B', 'v3.j', 'v3.t', 'v3.y', 'v3.z'];

function winnerHere(): string[] {
  return resolveBindings(cluster(contested), config()).eligible.map((e) => e.binding.key);
}

/** The same decision taken in a process of its own under `locale`. */
function winnerUnder(locale: string): { keys: string[]; order: string[] } {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const script = `
    const { resolveBindings } = await import('./src/reconcile/eligibility.ts');
    const { decisionOrder } = await import('./src/reconcile/order.ts');
    const { cluster, config } = await import('./test/reconcile/fixtures.ts');
    const labels = ${JSON.stringify(contested)};
    const keys = resolveBindings(cluster(labels), config()).eligible.map((e) => e.binding.key);
    const order = ${JSON.stringify(KEYS)}.sort(decisionOrder);
    process.stdout.write(JSON.stringify({ keys, order }));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, LC_ALL: locale, LANG: locale },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { keys: string[]; order: string[] };
}

describe('decision order', () => {
  it('a contested Secret goes to the first binding in English collation: "aa" before "z"', () => {
    expect(winnerHere()).toEqual(['v3.aa']);
    expect([...KEYS].sort(decisionOrder)).toEqual(EN_ORDER);
  });

  it.each(['da_DK.UTF-8', 'et_EE.UTF-8', 'lt_LT.UTF-8'])(
    'under %s the same binding wins and keys sort the same as under C',
    (locale) => {
      expect(winnerUnder(locale)).toEqual({ keys: ['v3.aa'], order: EN_ORDER });
    },
  );
});
