/**
 * Issue 11 end to end: token expiry and rotation with proven pickup, the real clients and engine over
 * loopback HTTP against the simulators, with the sandbox's clock moved between runs (the in-process runs
 * read the same clock). After every run the fleet's audit shows no orphan, no dead Secret (an expired token
 * counts as dead) and no duplicate a rotation in progress does not explain.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import type { FleetConfigShape } from '../../src/sandbox/fleet.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';
import { dtp, type Captured } from './inprocess.js';

let h: CheckedSandbox | undefined;
afterEach(async () => {
  if (h) expect(h.problems).toEqual([]);
  await h?.sandbox.close();
  h = undefined;
});
afterAll(async () => {
  await closeHttpAgents();
});

const MIN = 60_000;
const T0 = Date.parse('2026-06-01T00:00:00.000Z');

interface Rotation {
  rotationsStarted: number;
  rotationsDeferred: number;
  rotationsCompleted: { pickup: number; grace: number; expired: number };
  waitingForPickup: number;
}

/** A run on a 10-minute schedule ("expiring" = within 20 minutes), with the audit checked afterwards. */
async function run(s: CheckedSandbox, extra: Record<string, string> = {}, exitCode = 0): Promise<Captured> {
  const result = await dtp(s, 'reconcile', { DTP_RUN_INTERVAL: '10m', ...extra });
  expect(result.exitCode, result.out.join('\n')).toBe(exitCode);
  const audit = s.sandbox.audit();
  expect({ orphans: audit.orphanTokens, dead: audit.deadSecrets, duplicates: audit.duplicateNames }).toEqual({
    orphans: [],
    dead: [],
    duplicates: [],
  });
  return result;
}

const rotation = (r: Captured) => r.report.rotation as Rotation;

async function lifetimeFleet(tokenLifetime: FleetConfigShape['tokenLifetime'], clusters = 10) {
  h = await checkedSandbox(
    { clusters, seed: 61 },
    { shape: { environments: 1, tenants: 1, organizations: 2, tokenLifetime } },
  );
  h.sandbox.clock.set(T0);
  await run(h);
  return h;
}

/** The live tokens the Secrets hold for specs with maxAge (the only ones with an expiry), by id. */
function deliveredExpiring(s: CheckedSandbox): Map<string, { cluster: string; name: string }> {
  const out = new Map<string, { cluster: string; name: string }>();
  for (const d of s.sandbox.deliveredTokens()) {
    const t = s.sandbox.dynatrace.tenants.get(d.tenant)?.byValue.get(d.value);
    if (t?.expirationDate) out.set(t.id, { cluster: d.cluster, name: t.name });
  }
  return out;
}

const allTokenIds = (s: CheckedSandbox) =>
  new Set([...s.sandbox.dynatrace.tenants.keys()].flatMap((id) => s.sandbox.tokens(id).map((t) => t.id)));

it('mints with the expiry of maxAge, rotates with overlap and revokes a predecessor only once its successor is used', async () => {
  const s = await lifetimeFleet({ maxAge: '2h' });
  const first = deliveredExpiring(s);
  const n = first.size;
  expect(n).toBeGreaterThan(4);
  for (const id of first.keys()) {
    const token = s.sandbox.tokens('sbx00000').find((t) => t.id === id)!;
    expect(Date.parse(token.expirationDate!)).toBe(T0 + 120 * MIN);
  }

  s.sandbox.clock.advance(30 * MIN); // younger than rotateAfter (80m): nothing to do
  expect((await run(s)).writes).toEqual({});

  s.sandbox.clock.advance(55 * MIN); // 85m: aged, every slot gets a successor
  const started = await run(s, { DTP_ROTATION_BUDGET: '100%' });
  expect(started.writes.createToken).toBe(n);
  expect(started.writes.deleteToken ?? 0).toBe(0);
  expect(rotation(started).rotationsStarted).toBe(n);
  const second = deliveredExpiring(s);
  expect([...second.keys()].filter((id) => first.has(id))).toEqual([]);
  for (const id of first.keys()) expect(allTokenIds(s).has(id)).toBe(true);
  for (const id of second.keys()) {
    const token = s.sandbox.tokens('sbx00000').find((t) => t.id === id)!;
    expect(Date.parse(token.expirationDate!)).toBe(T0 + (85 + 120) * MIN);
  }
  expect(s.sandbox.audit().waitingForPickup.length).toBe(n);

  s.sandbox.clock.advance(5 * MIN); // no use seen yet: the predecessors stay
  const waiting = await run(s);
  expect(waiting.writes).toEqual({});
  expect(rotation(waiting).waitingForPickup).toBe(n);

  // The Operator of half the clusters rereads its Secret and uses the successor.
  const clusters = [...new Set([...second.values()].map((d) => d.cluster))].sort();
  const picked = new Set(clusters.slice(0, Math.ceil(clusters.length / 2)));
  const pickedSlots = [...second.values()].filter((d) => picked.has(d.cluster));
  expect(s.sandbox.useDeliveredTokens((c) => picked.has(c))).toBeGreaterThanOrEqual(pickedSlots.length);
  const half = await run(s);
  expect(half.writes.deleteToken).toBe(pickedSlots.length);
  expect(half.writes.createToken ?? 0).toBe(0);
  expect(rotation(half).rotationsCompleted).toEqual({ pickup: pickedSlots.length, grace: 0, expired: 0 });
  const left = s.sandbox.audit().waitingForPickup;
  expect(left.length).toBe(n - pickedSlots.length);
  // What is left is exactly the predecessors of the clusters that did not use their successor yet.
  const pickedNames = new Set(pickedSlots.map((d) => d.name));
  for (const w of left) expect(pickedNames.has(w.name)).toBe(false);

  s.sandbox.useDeliveredTokens();
  const done = await run(s);
  expect(done.writes.deleteToken).toBe(n - pickedSlots.length);
  expect(s.sandbox.audit().waitingForPickup).toEqual([]);
  expect([...allTokenIds(s)].filter((id) => first.has(id))).toEqual([]);
});

it('revokes an unused predecessor when rotationGrace has passed, before it expires', async () => {
  const s = await lifetimeFleet({ maxAge: '2h', rotationGrace: '30m' });
  const n = deliveredExpiring(s).size;
  s.sandbox.clock.advance(85 * MIN);
  expect((await run(s, { DTP_ROTATION_BUDGET: '100%' })).writes.createToken).toBe(n);

  s.sandbox.clock.advance(20 * MIN); // 105m: grace ends at 115m
  const early = await run(s);
  expect(early.writes.deleteToken ?? 0).toBe(0);
  expect(s.sandbox.audit().waitingForPickup.length).toBe(n);

  s.sandbox.clock.advance(12 * MIN); // 117m: grace over, predecessors still alive until 120m
  const graced = await run(s);
  expect(graced.writes.deleteToken).toBe(n);
  expect(rotation(graced).rotationsCompleted).toEqual({ pickup: 0, grace: n, expired: 0 });
  expect(s.sandbox.audit().waitingForPickup).toEqual([]);
});

it('a cluster whose new delivery fails keeps its working token, and rotates on a later run', async () => {
  const s = await lifetimeFleet({ maxAge: '2h' });
  const first = deliveredExpiring(s);
  const n = first.size;
  s.sandbox.clock.advance(85 * MIN);
  // One cluster at a time: the first delivery write is refused, the others go through.
  s.sandbox.setFaults('ocm', { patchSyncSet: { failNext: { count: 1, status: 400 } } });
  const failed = await run(s, { DTP_ROTATION_BUDGET: '100%', DTP_CONCURRENCY: '1' }, 1);
  expect(failed.report.clusters.filter((c) => c.status === 'failed').length).toBe(1);
  const kept = [...deliveredExpiring(s)].filter(([id]) => first.has(id));
  const stuck = new Set(kept.map(([, d]) => d.cluster));
  expect(stuck.size).toBe(1);
  expect(failed.writes.createToken).toBe(n);
  // The failed cluster's successors were revoked again; its delivered tokens are the ones that worked.
  expect(failed.writes.deleteToken).toBe(kept.length);
  expect(s.sandbox.audit().waitingForPickup.length).toBe(n - kept.length);

  s.sandbox.clearFaults();
  s.sandbox.clock.advance(10 * MIN);
  const retried = await run(s, { DTP_ROTATION_BUDGET: '100%' });
  expect(retried.writes.createToken).toBe(kept.length);
  expect(retried.writes.deleteToken ?? 0).toBe(0);
  expect([...deliveredExpiring(s).keys()].filter((id) => first.has(id))).toEqual([]);
  expect(s.sandbox.audit().waitingForPickup.length).toBe(n);
});

it('when every delivery fails, no cluster loses its working token', async () => {
  const s = await lifetimeFleet({ maxAge: '2h' });
  const first = deliveredExpiring(s);
  s.sandbox.clock.advance(85 * MIN);
  const refuse = { failNext: { count: 1_000, status: 400 } };
  s.sandbox.setFaults('ocm', { patchSyncSet: refuse, patchManifest: refuse });
  const failed = await run(s, { DTP_ROTATION_BUDGET: '100%' }, 1);
  expect(failed.writes.createToken).toBe(first.size);
  expect(failed.writes.deleteToken).toBe(first.size);
  expect([...deliveredExpiring(s).keys()].sort()).toEqual([...first.keys()].sort());
  expect(s.sandbox.audit().waitingForPickup).toEqual([]);
});

it('rotation-budget caps the rotations, and the delivery writes, of one run', async () => {
  const s = await lifetimeFleet({ maxAge: '2h' }, 12);
  const first = deliveredExpiring(s);
  const n = first.size;
  s.sandbox.clock.advance(85 * MIN);
  let rotated = 0;
  for (let i = 1; rotated < n; i++) {
    const r = await run(s, { DTP_ROTATION_BUDGET: '3' });
    const created = r.writes.createToken ?? 0;
    expect(created).toBe(Math.min(3, n - rotated));
    // One delivery write per cluster at most, for the clusters of the admitted slots only.
    const deliveryWrites = (r.writes.patchSyncSet ?? 0) + (r.writes.patchManifest ?? 0);
    expect(deliveryWrites).toBeGreaterThan(0);
    expect(deliveryWrites).toBeLessThanOrEqual(created);
    rotated += created;
    expect(rotation(r).rotationsDeferred).toBe(n - rotated);
    expect(i).toBeLessThan(n); // every run makes progress
    s.sandbox.clock.advance(MIN);
  }
  expect([...deliveredExpiring(s).keys()].filter((id) => first.has(id))).toEqual([]);
  expect(s.sandbox.audit().waitingForPickup.length).toBe(n);
});
