/**
 * The sandbox's simulated time: the Dynatrace simulator dates tokens by it, refuses them after their
 * expiry and records their use; the Operator stand-in uses delivered tokens; the audit tells a rotation in
 * progress from a leak.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { dtp } from '../e2e/inprocess.js';
import { checkedSandbox, type CheckedSandbox } from './harness.js';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const HOUR = 3_600_000;
const TENANT = 'sbx00000';
let h: CheckedSandbox;

beforeAll(async () => {
  h = await checkedSandbox(
    { clusters: 8, seed: 5 },
    { shape: { environments: 1, tenants: 1, organizations: 1, tokenLifetime: { maxAge: '2h' } } },
  );
  h.sandbox.clock.set(T0);
  expect((await dtp(h, 'reconcile', { DTP_RUN_INTERVAL: '10m' })).exitCode).toBe(0);
}, 60_000);
afterAll(async () => {
  await h.sandbox.close();
  await closeHttpAgents();
  expect(h.problems).toEqual([]);
});

async function call(path: string, token: string, json?: unknown) {
  const res = await fetch(`${h.sandbox.servers.dynatrace.url}/e/${TENANT}/api/v2/apiTokens${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: { authorization: `Api-Token ${token}`, 'content-type': 'application/json' },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const bootstrap = () =>
  [...h.sandbox.dynatrace.tenant(TENANT).tokens.values()].find((t) => t.name === 'dtp-bootstrap')!;

describe('simulated clock', () => {
  it('dates creation, relative expiry and last use by the clock, and refuses a token after its expiry', async () => {
    h.sandbox.clock.set(T0 + HOUR);
    const created = await call('', bootstrap().value, {
      name: 'sandbox-reader',
      scopes: ['apiTokens.read'],
      expirationDate: 'now+1h',
    });
    expect(created.status).toBe(201);
    expect(created.body.expirationDate).toBe(new Date(T0 + 2 * HOUR).toISOString());
    const token = String(created.body.token);
    const state = h.sandbox.dynatrace.tenant(TENANT).byValue.get(token)!;
    expect(state.creationDate).toBe(new Date(T0 + HOUR).toISOString());

    h.sandbox.clock.advance(30 * 60_000);
    expect((await call('?pageSize=100', token)).status).toBe(200);
    expect(state.lastUsedDate).toBe(new Date(T0 + 1.5 * HOUR).toISOString());

    h.sandbox.clock.advance(30 * 60_000); // exactly at the expiry
    expect((await call('?pageSize=100', token)).status).toBe(401);
    expect(state.lastUsedDate).toBe(new Date(T0 + 1.5 * HOUR).toISOString());
    h.sandbox.dynatrace.tenant(TENANT).remove(state.id);
    h.sandbox.clock.set(T0 + 10 * 60_000);
  });
});

describe('Operator stand-in and the audit of rotations', () => {
  const delivered = () =>
    h.sandbox
      .deliveredTokens()
      .map((d) => ({ ...d, token: h.sandbox.dynatrace.tenant(d.tenant).byValue.get(d.value)! }));

  it('uses the delivered tokens of the chosen clusters only', () => {
    const all = delivered();
    const cluster = all[0]!.cluster;
    const used = h.sandbox.useDeliveredTokens((c) => c === cluster);
    expect(used).toBe(all.filter((d) => d.cluster === cluster).length);
    for (const d of all)
      expect(d.token.lastUsedDate).toBe(d.cluster === cluster ? h.sandbox.clock.iso() : undefined);
  });

  it('counts an older same-name token as waiting for pickup, and reports a younger one or a dead one', () => {
    const target = delivered().find((d) => d.token.expirationDate)!.token;
    const sim = h.sandbox.dynatrace;
    const mintAt = (at: number, expires?: number) => {
      const now = h.sandbox.clock.now();
      h.sandbox.clock.set(at);
      const t = sim.mint(TENANT, target.name, target.scopes);
      if (expires !== undefined) t.expirationDate = new Date(expires).toISOString();
      h.sandbox.clock.set(now);
      return t;
    };
    const clean = h.sandbox.audit();
    expect([clean.orphanTokens, clean.deadSecrets, clean.duplicateNames, clean.waitingForPickup]).toEqual([
      [],
      [],
      [],
      [],
    ]);

    const predecessor = mintAt(T0 - HOUR, T0 + HOUR);
    const rotating = h.sandbox.audit();
    expect(rotating.waitingForPickup).toEqual([{ tenant: TENANT, id: predecessor.id, name: target.name }]);
    expect([rotating.orphanTokens, rotating.duplicateNames]).toEqual([[], []]);

    const stray = mintAt(T0 + 5 * 60_000);
    const leaked = h.sandbox.audit();
    expect(leaked.orphanTokens).toEqual([{ tenant: TENANT, id: stray.id, name: target.name }]);
    expect(leaked.duplicateNames).toEqual([{ tenant: TENANT, name: target.name, count: 2 }]);
    sim.tenant(TENANT).remove(stray.id);

    // Past its expiry the predecessor waits for nothing: it is a leak dtp must revoke.
    const now = h.sandbox.clock.now();
    h.sandbox.clock.set(T0 + HOUR);
    const expired = h.sandbox.audit();
    expect(expired.waitingForPickup).toEqual([]);
    expect(expired.orphanTokens.map((o) => o.id)).toEqual([predecessor.id]);
    h.sandbox.clock.set(now);
    sim.tenant(TENANT).remove(predecessor.id);
  });

  it('counts a Secret whose token expired as dead', () => {
    h.sandbox.clock.set(T0 + 2 * HOUR);
    const dead = h.sandbox.audit().deadSecrets;
    expect(dead.length).toBe(delivered().filter((d) => d.token.expirationDate).length);
    expect(dead.length).toBeGreaterThan(0);
    h.sandbox.clock.set(T0 + 10 * 60_000);
  });
});
