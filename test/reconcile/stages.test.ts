/** Each engine stage on its own, over fakes: resolve, the re-mint guard, the mint ledger, mint, unbind. */
import { describe, expect, it } from 'vitest';
import type { Discovery } from '../../src/reconcile/discover.js';
import { discoverFleet } from '../../src/reconcile/discover-fleet.js';
import { MintLedger } from '../../src/reconcile/ledger.js';
import { mintToken } from '../../src/reconcile/mint.js';
import type { ClusterPlan, PlannedToken } from '../../src/reconcile/model.js';
import { tokenName } from '../../src/reconcile/naming.js';
import { remintHolds } from '../../src/reconcile/remint-guard.js';
import { resolveFleet } from '../../src/reconcile/resolve.js';
import { removeDelivery } from '../../src/reconcile/unbind.js';
import { StartupError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { FakeDynatrace, FakeOcm, type Call } from './fakes.js';
import { cluster, config, ORG_A, ORG_FOREIGN, v2 } from './fixtures.js';
import { groupLimiter } from '../../src/concurrency.js';

const T = 'abc12345';
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };

describe('discover stage', () => {
  it('keeps going when one environment fails, and cannot start when all do', async () => {
    const calls: Call[] = [];
    const good = new FakeOcm('good', calls);
    const bad = new FakeOcm('bad', calls);
    bad.failing.listLabels = 503;
    const found = await discoverFleet({
      ocm: [
        { environment: 'good', client: good },
        { environment: 'bad', client: bad },
      ],
      log: quiet,
    });
    expect(found.discoveries.map((d) => d.ocmEnvironment)).toEqual(['good']);
    expect(found.environments.find((e) => e.name === 'bad')!.error).toMatch(/503/);
    await expect(
      discoverFleet({ ocm: [{ environment: 'bad', client: bad }], log: quiet }),
    ).rejects.toBeInstanceOf(StartupError);
  });
});

describe('streaming discovery', () => {
  it('hands out clusters per cluster query, as many queries as one per 100 subscriptions', async () => {
    const calls: Call[] = [];
    const ocm = new FakeOcm('production', calls);
    for (let i = 0; i < 250; i++)
      ocm.addCluster({
        id: `c${String(i).padStart(3, '0')}`,
        externalId: `e${i}`,
        org: ORG_A,
        labels: v2(T),
      });
    // The same subscriptions again through an organization label: they must not be queried twice.
    ocm.labels.push({
      key: 'sre-capabilities.dtp.v2.tenant',
      value: T,
      type: 'Organization',
      organizationId: ORG_A,
    });
    const batches: number[] = [];
    const found = await discoverFleet(
      { ocm: [{ environment: 'production', client: ocm }], log: quiet },
      (c) => batches.push(c.length),
    );
    expect(calls.filter((c) => c.op === 'listClusters')).toHaveLength(3);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(250);
    expect(batches.length).toBeGreaterThan(1);
    expect(found.discoveries[0]!.clusters.map((c) => c.id)).toEqual(
      [...found.discoveries[0]!.clusters.map((c) => c.id)].sort(),
    );
  });

  it('drops a whole environment whose cluster query fails, after handing out what it had', async () => {
    const calls: Call[] = [];
    const ocm = new FakeOcm('production', calls);
    ocm.addCluster({ id: 'c1', externalId: 'e1', org: ORG_A, labels: v2(T) });
    ocm.failing.listClusters = 500;
    const found = await discoverFleet({
      ocm: [
        { environment: 'production', client: ocm },
        { environment: 'stage', client: new FakeOcm('stage', calls) },
      ],
      log: quiet,
    });
    expect(found.discoveries.map((d) => d.ocmEnvironment)).toEqual(['stage']);
    expect(found.environments.find((e) => e.name === 'production')!.error).toMatch(/500/);
  });
});

describe('group limiter', () => {
  it('never runs more than the limit and serves the groups in turn', async () => {
    const limit = groupLimiter(2);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const task = (name: string) => () => {
      started.push(name);
      peak = Math.max(peak, ++running);
      return new Promise<void>((resolve) => gates.push(() => (running--, resolve())));
    };
    const all = [
      ...['a1', 'a2', 'a3', 'a4'].map((n) => limit('a', task(n))),
      ...['b1', 'b2'].map((n) => limit('b', task(n))),
    ];
    while (gates.length > 0 || started.length < 6) {
      await Promise.resolve();
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    // a1 a2 took the slots when they came; after that the waiting groups alternate (b is not served last).
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1', 'a4', 'b2']);
  });
});

describe('resolve stage', () => {
  it('splits clusters into eligible, unbound (no allowed binding) and protected ones, within the shard', () => {
    const eligible = cluster(v2(T));
    const denied = cluster(v2(T), { organizationId: ORG_FOREIGN });
    const installing = cluster(v2(T), { state: 'installing' });
    const discovery: Discovery = {
      ocmEnvironment: 'production',
      clusters: [eligible, denied],
      skipped: [{ cluster: installing, reason: 'cluster is installing, not ready' }],
      subscriptionsWithoutCluster: 0,
      labels: 6,
    };
    const r = resolveFleet([discovery], config(), () => true);
    expect([...r.eligible.keys()]).toEqual([eligible.id]);
    expect(r.unbound.map((c) => c.id)).toEqual([denied.id]);
    expect([...r.protectedClusters]).toEqual([installing.externalId]);
    expect(r.discovered.size).toBe(3);
    const none = resolveFleet([discovery], config(), () => false);
    expect(none.clusters).toEqual([]);
    expect(none.discovered.size).toBe(3);
  });
});

function planWith(tokens: { reason?: string }[], tenantId = T): ClusterPlan {
  return {
    cluster: { ocmEnvironment: 'p', id: 'c', externalId: 'e', name: 'n', organizationId: 'o' },
    kind: 'SyncSet',
    delivery: 'patch',
    deliveryReasons: [],
    revokes: [],
    secrets: [
      {
        namespace: 'ns',
        name: 's',
        tenantId,
        binding: 'v2',
        specName: 'default',
        apiUrl: 'https://x/api',
        tokens: tokens.map((t) => ({
          key: 'k',
          specTokenName: 'k',
          scopes: [],
          expectedName: 'dtp_k',
          tenantId,
          source: t.reason
            ? { kind: 'mint', reason: t.reason as 'revoked' }
            : { kind: 'existing', id: 'x', value: new Secret('v') },
        })),
      },
    ],
  };
}

describe('re-mint guard', () => {
  it('holds a tenant when more than half of its delivered tokens (and more than 10) would be re-minted', () => {
    const plans = Array.from({ length: 12 }, () => planWith([{ reason: 'revoked' }, {}]));
    expect(remintHolds(plans, { remint: 'true' })).toEqual([]);
    const most = Array.from({ length: 12 }, () =>
      planWith([{ reason: 'revoked' }, { reason: 'expired' }, { reason: 'new' }]),
    );
    expect(remintHolds(most, { remint: 'true' })).toEqual([
      expect.objectContaining({ tenantId: T, count: 24, delivered: 24 }),
    ]);
    expect(remintHolds(most, { remint: 'force' })).toEqual([]);
    const few = Array.from({ length: 5 }, () => planWith([{ reason: 'revoked' }, { reason: 'revoked' }]));
    expect(remintHolds(few, { remint: 'true' })).toEqual([]);
  });
});

const planned = (name: string): PlannedToken => ({
  key: 'apiToken',
  specTokenName: 'operator',
  scopes: ['entities.read'],
  expectedName: name,
  tenantId: T,
  source: { kind: 'mint', reason: 'new' },
});

describe('mint and the ledger', () => {
  it('revokes the token of a lost answer by exact name, keeps tokens known before, and retries once', async () => {
    const calls: Call[] = [];
    const dt = new FakeDynatrace(T, calls);
    const name = tokenName('operator', 'ext-1', ['entities.read']);
    const before = await dt.createToken({ name, scopes: ['entities.read'] });
    await dt.createToken({ name: `${name}x`, scopes: [] });
    dt.loseCreates = 1;
    const ledger = new MintLedger();
    const minted = await mintToken(planned(name), {
      dynatrace: async () => dt,
      ledger,
      isKnown: (_t, id) => id === before.id,
    });
    expect(dt.tokens.has(before.id)).toBe(true);
    expect(
      [...dt.tokens.values()]
        .filter((t) => t.name === name)
        .map((t) => t.id)
        .sort(),
    ).toEqual([before.id, minted.id].sort());
    expect(ledger.size).toBe(1);
  });

  it('compensates open mints at the deadline: by id, or by name when the answer never came', async () => {
    const dt = new FakeDynatrace(T, []);
    const ledger = new MintLedger();
    const a = await dt.createToken({ name: 'dtp_a', scopes: [] });
    ledger.minted(ledger.begin(T, 'dtp_a'), a.id);
    await dt.createToken({ name: 'dtp_b', scopes: [] });
    ledger.begin(T, 'dtp_b');
    const settled = ledger.begin(T, 'dtp_c');
    await dt.createToken({ name: 'dtp_c', scopes: [] });
    ledger.settle(settled);
    const undone = await ledger.compensate(
      async () => dt,
      () => false,
    );
    expect(undone).toEqual({ revoked: 2, errors: [] });
    expect([...dt.tokens.values()].map((t) => t.name)).toEqual(['dtp_c']);
    expect(ledger.size).toBe(0);
  });
});

describe('unbind', () => {
  const c = cluster(v2(T), { id: 'u1' });
  const secret = { kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: {} };
  const other = { kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'n' } };

  it('deletes a delivery object that holds only Secrets, and confirms it is gone', async () => {
    const calls: Call[] = [];
    const ocm = new FakeOcm('production', calls);
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: 'ext-dynatrace-tokens-dtp', items: [secret] });
    expect(await removeDelivery(c, ocm)).toBe('deleted');
    expect(calls.map((x) => x.op)).toEqual(['getDelivery', 'deleteDelivery', 'getDelivery']);
  });

  it('patches only the Secrets out when the object holds other objects', async () => {
    const ocm = new FakeOcm('production', []);
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: 'ext-dynatrace-tokens-dtp', items: [secret, other] });
    expect(await removeDelivery(c, ocm)).toBe('patched');
    expect(ocm.deliveries.get('u1')!.items).toEqual([other]);
  });

  it('fails when the read-back still shows Secrets', async () => {
    const ocm = new FakeOcm('production', []);
    ocm.deliveries.set('u1', { kind: 'SyncSet', id: 'ext-dynatrace-tokens-dtp', items: [secret] });
    ocm.deleteDelivery = async () => {};
    await expect(removeDelivery(c, ocm)).rejects.toThrow(/still holds Secrets/);
  });
});
