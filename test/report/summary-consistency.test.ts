/**
 * Every number the summary shows agrees with every other one: the headline, the counts table, the
 * per-tenant table (with its row for tokens without a cluster) and the changes heading are all the
 * report's totals, across cold, steady, drift, prune and failing runs, in plan and reconcile.
 */
import { describe, expect, it } from 'vitest';
import { runEngine, type EngineInput } from '../../src/reconcile/engine.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { FakeDynatrace, FakeOcm, type Call } from '../reconcile/fakes.js';
import { config, ORG_A, ORG_B, v2 } from '../reconcile/fixtures.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function fleet(size: number) {
  const calls: Call[] = [];
  const ocm = new FakeOcm('production', calls);
  const dt = new Map(['abc12345', 'def67890'].map((t) => [t, new FakeDynatrace(t, calls)]));
  for (let i = 1; i <= size; i++) {
    ocm.addCluster({
      id: `c${i}`,
      externalId: uuid(i),
      org: i % 2 ? ORG_A : ORG_B,
      labels: v2(i % 3 ? 'abc12345' : 'def67890'),
    });
  }
  const input = (mode: 'plan' | 'reconcile'): EngineInput => ({
    config: config(),
    mode,
    concurrency: 4,
    prune: 'true',
    serviceLogs: false,
    shard: { index: 1, count: 1 },
    ocm: [{ environment: 'production', client: ocm }],
    dynatrace: async (t) => dt.get(t)!,
    log: { info: () => {}, warn: () => {}, debug: () => {} },
  });
  const report = async (mode: 'plan' | 'reconcile') =>
    buildReport(await runEngine(input(mode)), {
      version: '0.0.0',
      shard: '1/1',
      configDir: 'tenants',
      configFiles: 3,
      exitCode: 0,
      calls: [],
    });
  return { ocm, dt, report };
}

/** The cells of a Markdown table under a heading, as numbers where they are numbers. */
function tableAfter(summary: string, heading: string): string[][] {
  const start = summary.indexOf(heading);
  if (start < 0) return [];
  const lines = summary.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && lines[i]!.startsWith('|'); i++)
    rows.push(
      lines[i]!.slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  return rows;
}

function expectConsistent(report: Report): void {
  const summary = renderSummary(report);
  const t = report.totals;
  const plan = report.mode === 'plan';
  const changed = plan ? t.planned : t.changed;

  const [counts] = tableAfter(summary, '| clusters |');
  expect(counts!.map(Number)).toEqual([t.clusters, t.unchanged, changed, t.failed, t.denied, t.skipped]);

  const rows = tableAfter(summary, '### By OCM environment and tenant');
  const column = (i: number) => rows.reduce((n, r) => n + Number(r[i]), 0);
  expect(column(3)).toBe(t.tokensCreated);
  expect(column(4)).toBe(t.tokensReminted);
  expect(column(5)).toBe(t.tokensUpdated);
  expect(column(7)).toBe(t.tokensRevoked);

  const title = plan ? 'Planned actions' : 'Changes';
  if (changed > 0) {
    expect(summary).toContain(`### ${title} (${changed} clusters)`);
    expect(tableAfter(summary, `### ${title}`)).toHaveLength(Math.min(changed, 50));
  } else {
    expect(summary).not.toContain(`### ${title}`);
  }

  const headline = summary.split('\n')[0]!;
  const writes = t.tokensCreated + t.tokensReminted + t.tokensUpdated + t.tokensRevoked;
  if (writes + t.deliveriesCreated + t.deliveriesPatched === 0)
    expect(headline).toMatch(/nothing to change|failed/);
  else expect(headline).not.toContain('nothing to change');
  for (const [n, what] of [
    [t.tokensRevoked, 'revoke'],
    [t.tokensCreated, 'create'],
  ] as const)
    if (n > 0) expect(headline).toMatch(new RegExp(`\\b${n} tokens? (to )?${what}`));
  expect(summary).not.toMatch(/none (SyncSet|Manifest)/);
}

describe('summary counts agree with each other', () => {
  it('cold plan and reconcile, then a steady run', async () => {
    const f = fleet(12);
    expectConsistent(await f.report('plan'));
    expectConsistent(await f.report('reconcile'));
    const steady = await f.report('reconcile');
    expect(renderSummary(steady).split('\n')[0]).toBe('## dtp reconcile — ✅ nothing to change');
    expectConsistent(steady);
  });

  it('clusters that lost their labels: tokens revoked show in the headline and the tenant table', async () => {
    const f = fleet(12);
    await f.report('reconcile');
    f.ocm.labels = f.ocm.labels.filter((l) => !['sub-c1', 'sub-c2'].includes(l.subscriptionId!));
    const plan = await f.report('plan');
    expect(plan.totals.tokensRevoked).toBeGreaterThan(0);
    expectConsistent(plan);
    const done = await f.report('reconcile');
    expect(done.totals.tokensRevoked).toBeGreaterThan(0);
    expect(renderSummary(done)).toContain('(no cluster)');
    expectConsistent(done);
  });

  it('revoked tokens re-minted, and a run whose deliveries fail', async () => {
    const f = fleet(12);
    await f.report('reconcile');
    f.dt.get('abc12345')!.tokens.clear();
    expectConsistent(await f.report('plan'));
    expectConsistent(await f.report('reconcile'));
    f.dt.get('def67890')!.tokens.clear();
    f.ocm.failing.patchDelivery = 500;
    const failing = await f.report('reconcile');
    expect(failing.totals.failed).toBeGreaterThan(0);
    expectConsistent(failing);
  });
});
