/**
 * Rotation across runs on a simulated clock, through the whole engine over in-memory OCM and Dynatrace:
 * tokens minted with an expiry, a successor delivered while the predecessor is kept, the predecessor
 * revoked once pickup is proven (or the grace period ends), a failed delivery that keeps the working token,
 * and the budget capping rotations per run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/config/duration.js';
import { parseDelivery } from '../../src/reconcile/delivery.js';
import { buildReport } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { DatedDynatrace } from './fakes.js';
import { ORG_A, v2 } from './fixtures.js';
import { audit, engine, T1, uuid, world, writes } from './world.js';

const START = new Date('2026-11-22T12:00:00Z');
const MAX_AGE = { maxAgeMs: 2 * HOUR_MS, rotateAfterMs: 80 * 60_000, rotationGraceMs: DAY_MS };

function rotatingWorld(clusters = 1) {
  const w = world();
  let now = START;
  const dt = new DatedDynatrace(T1, w.calls, () => now);
  w.dt.set(T1, dt);
  // The operator token expires after 2 hours; the ingest token never does.
  w.cfg.tokenSpecs.get('default')!.secrets[0]!.tokens[0]!.lifetime = MAX_AGE;
  for (let i = 1; i <= clusters; i++) {
    w.ocm.addCluster({ id: `c${i}`, externalId: uuid(i), org: ORG_A, labels: v2(T1) });
  }
  const run = () => engine(w, { now: () => now, runIntervalMs: 30 * 60_000 });
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  /** The operator token id delivered to cluster `c<n>`. */
  const delivered = (n = 1) =>
    parseDelivery(w.ocm.deliveries.get(`c${n}`)!)
      .secrets[0]!.data.get('apiTokenId')!
      .reveal();
  const operatorTokens = (n = 1) =>
    [...dt.tokens.values()].filter((t) => t.name.includes('operator') && t.name.includes(uuid(n)));
  return { w, dt, run, advance, delivered, operatorTokens };
}

describe('rotation across runs', () => {
  it('mints with the expiry of maxAge, and only for entries that have one', async () => {
    const { dt, run } = rotatingWorld();
    await run();
    const tokens = [...dt.tokens.values()];
    // Sent with an explicit offset, as the API documents it.
    expect(tokens.find((t) => t.name.includes('operator'))!.expirationDate).toBe(
      '2026-11-22T14:00:00.000+00:00',
    );
    expect(tokens.find((t) => t.name.includes('ingest'))!.expirationDate).toBeUndefined();
  });

  it('a successor mint whose answer is lost is revoked by name, never the same-named predecessor in use', async () => {
    const { dt, run, advance, delivered, operatorTokens } = rotatingWorld();
    await run();
    const first = delivered();
    advance(81 * 60_000);
    dt.loseCreates = 1;
    const rotating = await run();
    const successor = delivered();
    expect(rotating.clusters[0]!.result).toMatchObject({ tokensRotated: 1 });
    // The predecessor the cluster still uses, listed before the run, survives the lost mint's clean-up.
    expect(
      operatorTokens()
        .map((t) => t.id)
        .sort(),
    ).toEqual([first, successor].sort());
  });

  it('delivers a successor, keeps the predecessor until pickup is proven, then revokes it', async () => {
    const { w, dt, run, advance, delivered, operatorTokens } = rotatingWorld();
    await run();
    const first = delivered();

    advance(81 * 60_000); // older than rotateAfter (80m)
    const rotating = await run();
    const successor = delivered();
    expect(successor).not.toBe(first);
    expect(rotating.clusters[0]!.result).toMatchObject({ tokensRotated: 1, tokensRevoked: 0 });
    expect(
      operatorTokens()
        .map((t) => t.id)
        .sort(),
    ).toEqual([first, successor].sort());
    expect(rotating.rotation).toMatchObject({ rotationsStarted: 1 });

    advance(10 * 60_000); // not used yet: kept
    w.calls.length = 0;
    const waiting = await run();
    expect(writes(w)).toEqual([]);
    expect(waiting.rotation).toMatchObject({ waitingForPickup: 1 });
    expect(dt.tokens.has(first)).toBe(true);

    advance(5 * 60_000);
    dt.use(successor); // the Operator reread the Secret
    advance(60_000);
    const done = await run();
    expect(dt.tokens.has(first)).toBe(false);
    expect(done.clusters[0]!.plan!.revokes).toEqual([
      expect.objectContaining({ id: first, reason: 'rotated', proof: 'pickup' }),
    ]);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });
  });

  it('revokes the predecessor when the grace period ends without proof', async () => {
    const { w, dt, run, advance, delivered } = rotatingWorld();
    // A grace period shorter than the lifetime, so it ends before the predecessor expires.
    w.cfg.tokenSpecs.get('default')!.secrets[0]!.tokens[0]!.lifetime = {
      ...MAX_AGE,
      rotationGraceMs: 20 * 60_000,
    };
    await run();
    const first = delivered();
    advance(81 * 60_000);
    await run();
    advance(19 * 60_000);
    await run();
    expect(dt.tokens.has(first)).toBe(true);
    advance(2 * 60_000);
    const result = await run();
    expect(dt.tokens.has(first)).toBe(false);
    expect(result.clusters[0]!.plan!.revokes).toEqual([
      expect.objectContaining({ id: first, proof: 'grace' }),
    ]);
  });

  it('a cluster whose new delivery fails keeps its working token, and the successor is revoked', async () => {
    const { w, dt, run, advance, delivered, operatorTokens } = rotatingWorld();
    await run();
    const first = delivered();
    advance(81 * 60_000);
    w.ocm.failing.patchDelivery = 500;
    const failed = await run();
    expect(failed.clusters[0]!.status).toBe('failed');
    expect(delivered()).toBe(first);
    expect(operatorTokens().map((t) => t.id)).toEqual([first]);
    expect(dt.tokens.get(first)!.enabled).toBe(true);
    expect(audit(w)).toEqual({ dead: [], orphans: [] });

    delete w.ocm.failing.patchDelivery;
    advance(10 * 60_000);
    await run();
    expect(delivered()).not.toBe(first);
    expect(dt.tokens.has(first)).toBe(true); // kept until pickup
  });

  it('a successor left behind by a failed compensation is revoked, never the delivered token', async () => {
    const { w, dt, run, advance, delivered, operatorTokens } = rotatingWorld();
    await run();
    const first = delivered();
    advance(81 * 60_000);
    w.ocm.failing.patchDelivery = 500;
    dt.failing.deleteToken = 500; // the successor cannot be revoked again
    await run();
    const leftover = operatorTokens().find((t) => t.id !== first)!;
    expect(leftover).toBeDefined();
    dt.use(leftover.id); // whatever happens to it, it proves nothing about the cluster

    delete w.ocm.failing.patchDelivery;
    delete dt.failing.deleteToken;
    advance(60_000);
    const next = await run();
    // The rotation is tried again with a new successor; the one left behind is revoked, the first kept.
    expect([first, leftover.id]).not.toContain(delivered());
    expect(dt.tokens.has(first)).toBe(true);
    expect(dt.tokens.has(leftover.id)).toBe(false);
    expect(next.clusters[0]!.plan!.revokes).toEqual([
      expect.objectContaining({ id: leftover.id, reason: 'superseded' }),
    ]);
  });

  it('a due token whose scopes changed is fixed in place first, then rotated with its predecessor kept', async () => {
    const { w, dt, run, advance, delivered } = rotatingWorld();
    await run();
    const first = delivered();
    advance(81 * 60_000);
    w.cfg.tokenSpecs.get('default')!.secrets[0]!.tokens[0]!.scopes = ['DataExport', 'InstallerDownload'];
    w.calls.length = 0;
    await run();
    expect(writes(w).map((c) => c.op)).toEqual(['updateToken']);
    advance(10 * 60_000);
    await run();
    const successor = delivered();
    expect(successor).not.toBe(first);
    expect(dt.tokens.get(first)!.name).toBe(dt.tokens.get(successor)!.name);
    advance(10 * 60_000);
    await run();
    expect(dt.tokens.has(first)).toBe(true);
  });

  it('the budget caps the rotations of a run; the rest follow on the next runs', async () => {
    const { w, run, advance } = rotatingWorld(4);
    await run();
    advance(81 * 60_000);
    w.calls.length = 0;
    const first = await run(); // 8 delivered tokens, 5 %: one rotation
    expect(first.rotation).toMatchObject({ rotationsStarted: 1, rotationsDeferred: 3 });
    expect(writes(w).filter((c) => c.op === 'createToken')).toHaveLength(1);
    const second = await run();
    expect(second.rotation).toMatchObject({ rotationsStarted: 1, rotationsDeferred: 2 });
  });

  it('a fleet without maxAge is untouched: no expiry sent, nothing rotated, no rotation report', async () => {
    const { w, dt, run, advance } = rotatingWorld();
    delete w.cfg.tokenSpecs.get('default')!.secrets[0]!.tokens[0]!.lifetime;
    await run();
    expect([...dt.tokens.values()].every((t) => t.expirationDate === undefined)).toBe(true);
    advance(400 * DAY_MS);
    w.calls.length = 0;
    const later = await run();
    expect(writes(w)).toEqual([]);
    expect(later.rotation).toBeUndefined();
  });
});

describe('rotation in report.json and the summary', () => {
  it('counts rotations started, waiting and completed by proof, and validates against the schema', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const addFormats = (await import('ajv-formats')).default;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync('docs/report.schema.json', 'utf8')));
    const context = {
      version: '0.0.0',
      shard: '1/1',
      configDir: 'tenants',
      configFiles: 1,
      exitCode: 0,
      calls: [],
    };

    const { dt, run, advance, delivered } = rotatingWorld();
    await run();
    advance(81 * 60_000);
    const started = buildReport(await run(), context);
    advance(5 * 60_000);
    const waiting = buildReport(await run(), context);
    dt.use(delivered());
    advance(60_000);
    const completed = buildReport(await run(), context);

    expect(started.rotation).toMatchObject({ rotationsStarted: 1, waitingForPickup: 0 });
    expect(started.clusters[0]!.tokens).toEqual([
      expect.objectContaining({ key: 'apiToken', action: 'rotate' }),
    ]);
    expect(waiting.rotation).toMatchObject({ rotationsStarted: 0, waitingForPickup: 1 });
    expect(completed.rotation).toMatchObject({
      rotationsStarted: 0,
      waitingForPickup: 0,
      rotationsCompleted: { pickup: 1, grace: 0, expired: 0 },
    });
    expect(completed.rotation!.tenants).toEqual([
      expect.objectContaining({ tenantId: T1, rotationsCompleted: { pickup: 1, grace: 0, expired: 0 } }),
    ]);
    expect(started.rotation!.tenants).toEqual([
      expect.objectContaining({ tenantId: T1, rotationsStarted: 1 }),
    ]);
    for (const report of [started, waiting, completed]) {
      validate(JSON.parse(JSON.stringify(report)));
      expect(validate.errors ?? []).toEqual([]);
    }
    const summary = renderSummary(completed);
    expect(summary).toContain('revoked: rotated, successor in use');
  });
});
