/**
 * The pull-request plan end to end over the engine: base and head tenants/ (the YAML fixture set of
 * test/config/baseline.ts, loaded from files so every object has its real file:line) differ by one
 * organization on one tenant. The plan's first section lists exactly the clusters and tokens that change
 * because of it, with the tenant's line; unrelated drift is only in the folded section; and comparing costs
 * no remote call beyond the plan itself.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import { parseTokenName, tokenName } from '../src/reconcile/naming.js';
import type { EngineResult } from '../src/reconcile/result.js';
import { renderChangeSummary } from '../src/report/change-summary.js';
import { findings } from '../src/report/findings.js';
import { changeOf } from '../src/report/plan-diff.js';
import { buildReport, type ReportContext } from '../src/report/report.js';
import { baseline, ORG_A, ORG_B, removeConfig, writeConfig } from './config/baseline.js';
import { engine, uuid, world, type World } from './reconcile/world.js';

const EU = 'abc12345';
const US = 'def67890';
const v2 = (tenantId: string) => ({
  'sre-capabilities.dtp.v2.tenant': tenantId,
  'sre-capabilities.dtp.v2.token-spec': 'default',
});
const context: ReportContext = {
  version: 'test',
  shard: '1/1',
  configDir: 'tenants',
  configFiles: 5,
  exitCode: 0,
  calls: [],
};

async function load(dir: string): Promise<Config> {
  const loaded = await loadConfig(dir);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  removeConfig(dir);
  return loaded.config!;
}

/** tenants/ of the base, and of the head with ORG_B added to the prod-us tenant. */
async function configs(): Promise<{ without: Config; withB: Config }> {
  const withB = baseline(
    'tenant-us.yaml',
    `allowedOrganizations: [${ORG_A}]`,
    `allowedOrganizations: [${ORG_A}, ${ORG_B}]`,
  );
  return { without: await load(writeConfig()), withB: await load(writeConfig({ 'tenant-us.yaml': withB })) };
}

/** Five clusters: two of ORG_B bound to prod-us (denied unless ORG_B is added), three others. */
function fleet(): World {
  const w = world();
  w.dt = new Map([...w.dt].filter(([t]) => t === EU || t === US));
  w.ocm.addCluster({ id: 'c1', externalId: uuid(1), org: ORG_B, labels: v2(US) });
  w.ocm.addCluster({ id: 'c2', externalId: uuid(2), org: ORG_B, labels: v2(US), hcp: true });
  w.ocm.addCluster({ id: 'c3', externalId: uuid(3), org: ORG_A, labels: v2(EU) });
  w.ocm.addCluster({ id: 'c4', externalId: uuid(4), org: ORG_A, labels: v2(US) });
  w.ocm.addCluster({ id: 'c5', externalId: uuid(5), org: ORG_B, labels: v2(EU) });
  return w;
}

/** Drift that has nothing to do with the change: c3's operator token revoked by hand, a deleted cluster's token. */
function addDrift(w: World): void {
  const eu = w.dt.get(EU)!;
  const victim = [...eu.tokens.values()].find(
    (t) => parseTokenName(t.name)?.clusterExternalId === uuid(3) && t.name.startsWith('dtp_operator_'),
  )!;
  eu.tokens.delete(victim.id);
  const name = tokenName('ingest', uuid(99), ['logs.ingest']);
  eu.tokens.set('dt0c01.GONE0000000000000000', {
    id: 'dt0c01.GONE0000000000000000',
    name,
    scopes: ['logs.ingest'],
    enabled: true,
    value: `dt0c01.GONE0000000000000000.${'G'.repeat(64)}`,
  });
}

async function planWithBase(w: World, head: Config, base: Config) {
  w.calls.length = 0;
  const plain = await engine(w, { mode: 'plan', config: head });
  const plainCalls = w.calls.map((c) => `${c.op} ${c.target}`).sort();
  w.calls.length = 0;
  const result: EngineResult = await engine(w, { mode: 'plan', config: head, baseConfig: base });
  const calls = w.calls.map((c) => `${c.op} ${c.target}`).sort();
  const report = buildReport(result, context);
  const change = changeOf(result, result.baseline!, { report, config: head }, base, context);
  return { plain, plainCalls, result, calls, report, change };
}

describe('plan with base-config: one organization added to a tenant', () => {
  it('leads with exactly the two clusters and four tokens it adds, on the tenant line; drift is folded', async () => {
    const { without, withB } = await configs();
    const w = fleet();
    await engine(w, { config: without });
    addDrift(w);

    const { plainCalls, calls, report, change, plain } = await planWithBase(w, withB, without);
    // The comparison adds no remote call: the same discovery, listings and delivery reads as a plain plan.
    expect(calls).toEqual(plainCalls);
    expect(plain.clusters.map((c) => c.status)).toEqual(report.clusters.map((c) => c.status));

    expect(change.changes.map((c) => c.cluster.id)).toEqual(['c1', 'c2']);
    for (const c of change.changes) {
      expect(c.gained).toEqual([{ key: 'v2', tenantId: US, specName: 'default' }]);
      expect(c.delivery).toBe('create');
      expect(c.tokens.map((t) => `${t.action} ${t.tenantId} ${t.key}`)).toEqual([
        `create ${US} apiToken`,
        `create ${US} dataIngestToken`,
      ]);
      expect(c.revokes).toEqual([]);
      expect(c.causes).toHaveLength(1);
      expect(c.causes[0]).toMatchObject({ kind: 'DynatraceTenant', name: 'prod-us', line: 1 });
      expect(c.causes[0]!.file).toMatch(/\/tenant-us\.yaml$/);
    }
    expect(change.totals).toMatchObject({
      clusters: 2,
      tokensCreate: 4,
      tokensRevoke: 0,
      deliveriesCreate: 2,
    });
    expect(change.denials).toEqual([]);
    expect(change.elevated).toEqual([]);
    expect(change.orphans).toEqual([]);
    expect(change.drift.clusters.map((c) => c.id)).toEqual(['c3']);
    expect(change.drift.clusters[0]!.tokens!.map((t) => `${t.action} ${t.key}`)).toEqual(['remint apiToken']);
    expect(change.drift.orphans.map((r) => r.id)).toEqual(['dt0c01.GONE0000000000000000']);

    const md = renderChangeSummary(report, change);
    const [lead, folded] = md.split('<details><summary>Drift a reconcile would fix anyway');
    expect(lead).toContain('### What this change does (2 clusters)');
    expect(lead).toMatch(
      /name-c1 .*\| \+v2 def67890\/default \| create SyncSet \| create apiToken \(new\), create dataIngestToken \(new\) \| — \| `[^`]*tenant-us\.yaml:1` DynatraceTenant prod-us \|/,
    );
    expect(lead).toContain('name-c2');
    for (const other of ['name-c3', 'name-c4', 'name-c5', 'GONE']) expect(lead).not.toContain(other);
    expect(folded).toContain('name-c3');
    expect(folded).toContain('1 token without a cluster would be revoked anyway.');
    expect(findings(report, withB, change)).toEqual([]);
  });

  it('the reverse change: both clusters lose the binding, their deliveries and tokens go, denials on the line', async () => {
    const { without, withB } = await configs();
    const w = fleet();
    await engine(w, { config: withB });
    const { calls, plainCalls, report, change } = await planWithBase(w, without, withB);
    expect(calls).toEqual(plainCalls);
    expect(change.changes.map((c) => [c.cluster.id, c.delivery, c.lost.length, c.revokes.length])).toEqual([
      ['c1', 'remove', 1, 2],
      ['c2', 'remove', 1, 2],
    ]);
    expect(change.denials.map((d) => `${d.cluster.id} ${d.denial.code}`)).toEqual([
      'c1 tenant-denies-org',
      'c2 tenant-denies-org',
    ]);
    expect(change.drift.clusters).toEqual([]);
    const found = findings(report, without, change);
    expect(found).toHaveLength(1);
    expect(found[0]!.file).toMatch(/\/tenant-us\.yaml$/);
    expect(found[0]!.message).toMatch(
      /^tenant-denies-org: this change denies 2 bindings \(name-c1, name-c2\)/,
    );
  });
});
