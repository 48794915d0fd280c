/**
 * The token-lifetime counts of a real engine run agree with the rest of the summary: the headline's
 * rotations are the clusters' `rotate` actions, completed rotations are revocations counted in the revoked
 * total and proven as the changes table says, deferrals follow the budget, and expired tokens are re-mints.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/config/duration.js';
import { parseDelivery } from '../../src/reconcile/delivery.js';
import type { EngineInput } from '../../src/reconcile/result.js';
import type { TenantRotation } from '../../src/reconcile/rotation-plan.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { DatedDynatrace } from '../reconcile/fakes.js';
import { ORG_A, v2 } from '../reconcile/fixtures.js';
import { engine, T1, uuid, world } from '../reconcile/world.js';

function rotatingFleet(clusters: number) {
  const w = world();
  let now = new Date('2026-11-22T12:00:00Z');
  const dt = new DatedDynatrace(T1, w.calls, () => now);
  w.dt.set(T1, dt);
  w.cfg.tokenSpecs.get('default')!.secrets[0]!.tokens[0]!.lifetime = {
    maxAgeMs: 2 * HOUR_MS,
    rotateAfterMs: 80 * 60_000,
    rotationGraceMs: DAY_MS,
  };
  for (let i = 1; i <= clusters; i++)
    w.ocm.addCluster({ id: `c${i}`, externalId: uuid(i), org: ORG_A, labels: v2(T1) });
  const raw = (overrides: Partial<EngineInput> = {}) =>
    engine(w, { now: () => now, runIntervalMs: 30 * 60_000, rotationBudget: { count: 2 }, ...overrides });
  const run = async (mode: 'plan' | 'reconcile') =>
    buildReport(await raw({ mode }), {
      version: '0.0.0',
      shard: '1/1',
      configDir: 'tenants',
      configFiles: 3,
      exitCode: 0,
      calls: [],
    });
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  /** The cluster picks up what it was delivered: every delivered token id is used now. */
  const useDelivered = () => {
    for (const wire of w.ocm.deliveries.values())
      for (const secret of parseDelivery(wire).secrets)
        for (const [key, value] of secret.data)
          if (key.endsWith('Id') && dt.tokens.has(value.reveal())) dt.use(value.reveal());
  };
  return { w, raw, run, advance, useDelivered };
}

function expectRotationConsistent(report: Report): void {
  const r = report.rotation!;
  const summary = renderSummary(report);
  const headline = summary.split('\n')[0]!;
  const tokens = report.clusters.flatMap((c) => c.tokens ?? []);
  const rotated = tokens.filter((t) => t.action === 'rotate').length;
  expect(r.rotationsStarted).toBe(rotated);
  const verb = report.mode === 'plan' ? 'to rotate' : 'rotated';
  if (rotated > 0) expect(headline).toContain(`${rotated} token${rotated === 1 ? '' : 's'} ${verb}`);
  else expect(headline).not.toContain(verb);
  const proofs = report.clusters.flatMap((c) => c.revokes ?? []).filter((v) => v.reason === 'rotated');
  for (const proof of ['pickup', 'grace', 'expired'] as const)
    expect(r.rotationsCompleted[proof]).toBe(proofs.filter((p) => p.proof === proof).length);
  expect(report.totals.tokensRevoked).toBeGreaterThanOrEqual(proofs.length);
  // The per-tenant rows add up to the run's counts.
  const sum = (f: (t: TenantRotation) => number) => r.tenants.reduce((n, t) => n + f(t), 0);
  expect(sum((t) => t.rotationsDeferred)).toBe(r.rotationsDeferred);
  expect(sum((t) => t.pastExpiry)).toBe(r.pastExpirySlots.length);
  const row = summary
    .split('### Token lifetimes')[1]!
    .split('\n')
    .find((l) => l.startsWith('| `'))!;
  expect(
    row
      .split(' | ')
      .slice(1)
      .map((c) => Number(c.replace(/\D/g, ''))),
  ).toEqual([
    r.expiringSoon,
    r.pastExpiry,
    r.rotationsStarted,
    r.rotationsDeferred,
    r.waitingForPickup,
    r.rotationsCompleted.pickup,
    r.rotationsCompleted.grace,
    r.rotationsCompleted.expired,
  ]);
}

describe('token lifetimes in the summary of real runs', () => {
  it('rotations within the budget, deferrals, then completion by pickup', async () => {
    const f = rotatingFleet(5);
    const cold = await f.run('reconcile');
    expect(renderSummary(cold)).toContain('### Token lifetimes');
    f.advance(81 * 60_000);
    const plan = await f.run('plan');
    expect(plan.rotation).toMatchObject({ expiringSoon: 5, rotationsStarted: 2, rotationsDeferred: 3 });
    expectRotationConsistent(plan);
    const rotating = await f.run('reconcile');
    expect(rotating.rotation).toMatchObject({ rotationsStarted: 2, rotationsDeferred: 3 });
    expect(renderSummary(rotating)).toContain('**Deferred by `rotation-budget`**: 3 tokens');
    expectRotationConsistent(rotating);

    f.advance(60_000);
    f.useDelivered();
    f.advance(60_000);
    const completing = await f.run('reconcile');
    expect(completing.rotation!.rotationsCompleted.pickup).toBe(2);
    expect(renderSummary(completing)).toContain('successor in use');
    expectRotationConsistent(completing);
  });

  it('expired tokens are named as past expiry and re-minted, not counted as rotations', async () => {
    const f = rotatingFleet(3);
    await f.run('reconcile');
    f.advance(3 * HOUR_MS);
    const expired = await f.run('reconcile');
    expect(expired.rotation!.pastExpirySlots).toHaveLength(3);
    expect(expired.totals.tokensReminted).toBe(3);
    const summary = renderSummary(expired);
    expect(summary).toContain('**Past expiry** (3 tokens)');
    for (const name of expired.clusters.map((c) => c.name)) expect(summary).toContain(name);
    expectRotationConsistent(expired);
  });

  it('a pull request plan compares with a base planned under the same rotation settings', async () => {
    const f = rotatingFleet(5);
    await f.run('reconcile');
    f.advance(81 * 60_000);
    const result = await f.raw({ mode: 'plan', baseConfig: f.w.cfg });
    const rotations = (clusters: typeof result.clusters) =>
      clusters
        .flatMap((c) => (c.plan?.secrets ?? []).flatMap((s) => s.tokens.map((t) => ({ c, t }))))
        .filter(({ t }) => t.source.kind === 'mint' && t.source.reason === 'rotation')
        .map(({ c, t }) => `${c.cluster.id}/${t.key}`)
        .sort();
    // The budget (2 of 10 delivered tokens) is the head's: the default 5 % would allow only 1 in the base,
    // and an unchanged configuration would read as a pull request that changes rotations.
    expect(rotations(result.clusters)).toHaveLength(2);
    expect(rotations(result.baseline!.clusters)).toEqual(rotations(result.clusters));
  });
});
