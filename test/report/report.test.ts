import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runEngine, type EngineInput } from '../../src/reconcile/engine.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderMetrics } from '../../src/report/metrics.js';
import { mergeReports } from '../../src/report/merge.js';
import { escapeMarkdown } from '../../src/report/markdown.js';
import { FakeDynatrace, FakeOcm, type Call } from '../reconcile/fakes.js';
import { config, ORG_A, ORG_B, ORG_FOREIGN, v2 } from '../reconcile/fixtures.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const context = {
  version: '0.0.0',
  shard: '1/1',
  configDir: 'tenants',
  configFiles: 3,
  exitCode: 0,
  calls: [],
};

function fleet(size: number, name = (i: number) => `cluster-${i}`) {
  const calls: Call[] = [];
  const ocm = new FakeOcm('production', calls);
  const dt = new Map(['abc12345', 'def67890'].map((t) => [t, new FakeDynatrace(t, calls)]));
  for (let i = 1; i <= size; i++) {
    const org = i % 7 === 0 ? ORG_FOREIGN : i % 2 ? ORG_A : ORG_B;
    ocm.addCluster({
      id: `c${String(i).padStart(5, '0')}`,
      externalId: uuid(i),
      org,
      labels: v2(i % 3 ? 'abc12345' : 'def67890'),
      hcp: i % 5 === 0,
    });
    ocm.clusters.at(-1)!.name = name(i);
  }
  const input = (overrides: Partial<EngineInput> = {}): EngineInput => ({
    config: config(),
    mode: 'reconcile',
    concurrency: 8,
    prune: 'true',
    serviceLogs: true,
    shard: { index: 1, count: 1 },
    ocm: [{ environment: 'production', client: ocm }],
    dynatrace: async (t) => dt.get(t)!,
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    ...overrides,
  });
  return { ocm, dt, calls, input };
}

describe('report and summary', () => {
  it('counts what happened and never contains a token value', async () => {
    const f = fleet(30);
    const result = await runEngine(f.input());
    const report = buildReport(result, context);
    expect(report.totals).toMatchObject({
      clusters: 30,
      changed: 26,
      denied: 4,
      failed: 0,
      deliveriesCreated: 26,
      tokensCreated: 52,
    });
    expect(report.breakdown.reduce((n, b) => n + b.tokensCreated, 0)).toBe(52);
    const outputs = [JSON.stringify(report), renderSummary(report), await renderMetrics(report)];
    const values = [...f.dt.values()].flatMap((d) => [...d.tokens.values()].map((t) => t.value));
    expect(values).toHaveLength(52);
    for (const value of values) for (const out of outputs) expect(out).not.toContain(value);
    // Token ids are identifiers, not secrets: the report may show them.
    expect(renderSummary(report)).toContain('26 clusters reconciled');
  });

  it('escapes what cluster owners control (names, label values)', async () => {
    const f = fleet(3, () => '<img src=x onerror=alert(1)>|`pwn`');
    f.ocm.failing.createDelivery = 500;
    const report = buildReport(await runEngine(f.input()), context);
    const summary = renderSummary(report);
    expect(summary).not.toContain('<img');
    expect(summary).toContain('&lt;img src=x onerror=alert(1)&gt;\\|\\`pwn\\`');
    expect(escapeMarkdown('a|b\n<c>')).toBe('a\\|b &lt;c&gt;');
  });

  it('stays far below the 1 MiB summary cap for 3,000 failing clusters with long errors', async () => {
    const f = fleet(3000);
    f.ocm.failing.getDelivery = 503;
    const report = buildReport(await runEngine(f.input({ concurrency: 64 })), context);
    expect(report.totals.failed).toBeGreaterThan(2500);
    const summary = renderSummary(report);
    expect(Buffer.byteLength(summary)).toBeLessThan(200 * 1024);
    expect(summary).toContain('more in report.json');
  });

  it('writes Prometheus metrics with escaped labels', async () => {
    const f = fleet(5);
    const report = buildReport(await runEngine(f.input()), context);
    const metrics = await renderMetrics(report);
    expect(metrics).toMatch(/^dtp_clusters\{ocm_environment="production",status="changed"\} 5$/m);
    expect(metrics).toMatch(/^dtp_last_success_timestamp_seconds\{mode="reconcile"\} \d+/m);
    expect(metrics.match(/^# TYPE dtp_clusters gauge$/gm)).toHaveLength(1);
  });
});

describe('sharding', () => {
  const plans = (r: Report) =>
    new Map(
      r.clusters.map((c) => [
        c.id,
        { status: c.status, delivery: c.delivery, tokens: c.tokens, denials: c.denials },
      ]),
    );

  it('the union of the shards’ plans equals the unsharded plan, with no cluster in two shards', async () => {
    const f = fleet(200);
    const whole = buildReport(await runEngine(f.input({ mode: 'plan' })), context);
    const shards = await Promise.all(
      [1, 2, 3, 4].map(async (index) =>
        buildReport(await runEngine(f.input({ mode: 'plan', shard: { index, count: 4 } })), {
          ...context,
          shard: `${index}/4`,
        }),
      ),
    );
    const seen = new Set<string>();
    for (const s of shards) {
      expect(s.clusters.length).toBeGreaterThan(20);
      for (const c of s.clusters) {
        expect(seen.has(c.id)).toBe(false);
        seen.add(c.id);
      }
    }
    const merged = mergeReports(shards);
    expect(plans(merged)).toEqual(plans(whole));
    expect(merged.totals).toEqual(whole.totals);
    expect(merged.clusters.map((c) => c.id)).toEqual(whole.clusters.map((c) => c.id));
  });

  it('refuses to merge the same shard twice or different modes', async () => {
    const f = fleet(4);
    const a = buildReport(await runEngine(f.input({ mode: 'plan' })), context);
    expect(() => mergeReports([a, a])).toThrow(/same shard/);
    const b = buildReport(await runEngine(f.input()), { ...context, shard: '2/2' });
    expect(() => mergeReports([a, b])).toThrow(/different modes/);
  });
});

describe('report.json schema', () => {
  it('every report (plan, reconcile with failures, merged) validates against docs/report.schema.json', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { readFileSync } = await import('node:fs');
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync('docs/report.schema.json', 'utf8')));
    const f = fleet(20);
    f.ocm.failing.patchDelivery = 500;
    const plan = buildReport(await runEngine(f.input({ mode: 'plan' })), context);
    const cold = buildReport(await runEngine(f.input()), context);
    f.dt.get('abc12345')!.tokens.clear();
    const failing = buildReport(await runEngine(f.input({ remint: 'force' })), { ...context, exitCode: 1 });
    const merged = mergeReports([
      buildReport(await runEngine(f.input({ mode: 'plan', shard: { index: 1, count: 2 } })), {
        ...context,
        shard: '1/2',
      }),
      buildReport(await runEngine(f.input({ mode: 'plan', shard: { index: 2, count: 2 } })), {
        ...context,
        shard: '2/2',
      }),
    ]);
    expect(failing.totals.failed).toBeGreaterThan(0);
    for (const report of [plan, cold, failing, merged]) {
      const ok = validate(JSON.parse(JSON.stringify(report)));
      expect(validate.errors ?? [], report.mode).toEqual([]);
      expect(ok).toBe(true);
    }
  });
});

describe('missing shards', () => {
  it('names the shards of a run that left no report', async () => {
    const { missingShards } = await import('../../src/report/merge.js');
    expect(missingShards(['1/4', '3/4'])).toEqual(['2/4', '4/4']);
    expect(missingShards(['1/2', '2/2'])).toEqual([]);
    // Reports of different splits are not one run: nothing can be said.
    expect(missingShards(['1/2', '1/3'])).toEqual([]);
  });
});

describe('report.json on disk', () => {
  it('is written piece by piece with exactly the bytes of JSON.stringify(report, null, 2)', async () => {
    const { writeJsonFile } = await import('../../src/report/report-file.js');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'dtp-json-'));
    const documents: Record<string, unknown>[] = [
      {},
      {
        a: 1,
        empty: [],
        list: [{ x: [1, 2], y: { z: 'q"\n' } }, null, 'two'],
        nested: { deep: [] },
        skip: undefined,
      },
      { clusters: Array.from({ length: 3000 }, (_, i) => ({ id: `c${i}`, errors: [], plan: { n: i } })) },
    ];
    for (const [i, doc] of documents.entries()) {
      const path = join(dir, `r${i}.json`);
      writeJsonFile(path, doc);
      expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    }
  });
});
