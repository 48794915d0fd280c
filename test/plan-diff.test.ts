/**
 * The pure comparison of a base plan and a head plan (src/report/plan-diff.ts): what the change causes is
 * separated from the drift both plans share, and every change names the YAML object that causes it.
 */
import { describe, expect, it } from 'vitest';
import type { Config, SourceLocation } from '../src/config/types.js';
import { tokenName } from '../src/reconcile/naming.js';
import { changedObjects, diffPlans } from '../src/report/plan-diff.js';
import type { ClusterEntry, Report } from '../src/report/report.js';
import { config, defaultSpec, ORG_A, ORG_B, org, tenant } from './reconcile/fixtures.js';
import { cluster, report, uuid } from './report/fixtures.js';

const T1 = 'abc12345';
const T2 = 'def67890';
const at = (file: string, line: number): SourceLocation => ({ file, line, column: 1 });

/** Base: T2 allows only ORG_A. Head: T2 also allows ORG_B (one added organization on a tenant). */
function configs(headOverrides: { specScopes?: string[] } = {}): { base: Config; head: Config } {
  const build = (t2Orgs: string[], scopes?: string[]) => {
    const spec = defaultSpec();
    spec.source = at('tenants/token-specs.yaml', 2);
    if (scopes) spec.secrets[0]!.tokens[1]!.scopes = scopes;
    if (scopes) spec.elevatedScopes = ['logs.read'];
    return config({
      tenants: [
        { ...tenant(T1), source: at('tenants/tenant-eu.yaml', 2) },
        { ...tenant(T2, t2Orgs), source: at('tenants/tenant-us.yaml', 2) },
      ],
      specs: [spec],
      orgs: [
        { ...org(ORG_A), source: at('tenants/organizations.yaml', 2) },
        { ...org(ORG_B), source: at('tenants/organizations.yaml', 14) },
      ],
    });
  };
  return {
    base: build([ORG_A]),
    head: build([ORG_A, ORG_B], headOverrides.specScopes),
  };
}

const v2To = (tenantId: string) => [{ key: 'v2', tenantId, specName: 'default' }];
const createToken = (n: number, key: string) => ({
  tenantId: T2,
  secret: 'dynatrace/dynatrace-token-dtp',
  key,
  name: `dtp_${key}_${uuid(n)}`,
  action: 'create' as const,
  reason: 'new',
});
const denied = (tenantId: string) => ({
  binding: 'v2',
  label: 'sre-capabilities.dtp.v2.tenant',
  code: 'tenant-denies-org' as const,
  reason: `tenant ${tenantId} does not list organization ${org(ORG_B).name} in allowedOrganizations`,
  tenantId,
  specName: 'default',
});

/** A cluster of ORG_B bound to T2: denied in the base, planned in the head. */
function newlyAllowed(n: number): { base: ClusterEntry; head: ClusterEntry } {
  const common = { organizationId: ORG_B, bindings: [] as ClusterEntry['bindings'] };
  return {
    base: cluster(n, 'denied', { ...common, denials: [denied(T2)] }),
    head: cluster(n, 'planned', {
      organizationId: ORG_B,
      bindings: v2To(T2),
      delivery: 'create',
      deliveryReasons: ['no delivery object yet'],
      tokens: [createToken(n, 'apiToken'), createToken(n, 'dataIngestToken')],
    }),
  };
}

/** A cluster of ORG_A with a revoked token: re-minted with or without the change. */
function drifting(n: number): ClusterEntry {
  return cluster(n, 'planned', {
    bindings: v2To(T1),
    delivery: 'patch',
    deliveryReasons: ['token revoked'],
    tokens: [{ ...createToken(n, 'apiToken'), tenantId: T1, action: 'remint', reason: 'revoked' }],
  });
}

const plan = (clusters: ClusterEntry[], extra: Partial<Report> = {}) =>
  report({ mode: 'plan', clusters, ...extra });

describe('diffPlans', () => {
  it('puts what the added organization causes first, with the tenant line, and shared drift aside', () => {
    const { base, head } = configs();
    const c1 = newlyAllowed(1);
    const c2 = newlyAllowed(2);
    const diff = diffPlans(
      { report: plan([c1.base, c2.base, drifting(3), cluster(4, 'unchanged')]), config: base },
      { report: plan([c1.head, c2.head, drifting(3), cluster(4, 'unchanged')]), config: head },
    );
    expect(diff.changes.map((c) => c.cluster.name)).toEqual(['shop-1', 'shop-2']);
    const first = diff.changes[0]!;
    expect(first.gained).toEqual(v2To(T2));
    expect(first.delivery).toBe('create');
    expect(first.tokens.map((t) => `${t.action} ${t.key}`)).toEqual([
      'create apiToken',
      'create dataIngestToken',
    ]);
    expect(first.causes).toEqual([
      { kind: 'DynatraceTenant', name: `tenant-${T2}`, file: 'tenants/tenant-us.yaml', line: 2, column: 1 },
    ]);
    expect(diff.totals).toMatchObject({ clusters: 2, tokensCreate: 4, deliveriesCreate: 2, denials: 0 });
    expect(diff.drift.clusters.map((c) => c.name)).toEqual(['shop-3']);
    expect(diff.drift.clusters[0]!.tokens!.map((t) => t.action)).toEqual(['remint']);
    expect(diff.denials).toEqual([]);
  });

  it('splits one cluster: a scope change of the spec is the change, its revoked token is drift', () => {
    const { base, head } = configs({ specScopes: ['metrics.ingest', 'logs.read'] });
    const b = drifting(5);
    const update = {
      tenantId: T1,
      secret: 'dynatrace/dynatrace-token-dtp',
      key: 'dataIngestToken',
      name: 'dtp_ingest_x',
      action: 'update' as const,
      id: 'dt0c01.UPD',
      reason: '+logs.read',
    };
    const h = { ...drifting(5), deliveryReasons: ['token revoked'], tokens: [...b.tokens!, update] };
    const diff = diffPlans({ report: plan([b]), config: base }, { report: plan([h]), config: head });
    expect(diff.changes).toHaveLength(1);
    expect(diff.changes[0]!.tokens).toEqual([update]);
    // The delivery is patched anyway; the change adds a token update to that patch.
    expect(diff.changes[0]!.delivery).toBe('patch');
    expect(diff.changes[0]!.causes.map((c) => `${c.kind} ${c.file}:${c.line}`)).toContain(
      'TokenSpec tenants/token-specs.yaml:2',
    );
    expect(diff.drift.clusters[0]!.tokens!.map((t) => t.action)).toEqual(['remint']);
    expect(diff.elevated).toEqual([
      {
        spec: 'default',
        scopes: ['logs.read'],
        where: { kind: 'TokenSpec', name: 'default', file: 'tenants/token-specs.yaml', line: 2, column: 1 },
        clusters: 1,
      },
    ]);
  });

  it('a removed organization: the cluster loses its binding, its delivery goes, its tokens are revoked', () => {
    const { base: withB, head: withoutB } = configs();
    // Reversed: the base allows ORG_B on T2, the head no longer does.
    const c = newlyAllowed(7);
    const owned = tokenName('operator', uuid(7), ['entities.read']);
    const headReport = plan([c.base], {
      orphans: {
        planned: [
          { tenantId: T2, id: 'dt0c01.OWNED', name: owned, reason: 'binding-removed' },
          {
            tenantId: T1,
            id: 'dt0c01.GONE',
            name: tokenName('x', uuid(99), ['logs.ingest']),
            reason: 'orphan',
          },
          {
            tenantId: T1,
            id: 'dt0c01.OLD',
            name: tokenName('x', uuid(98), ['logs.ingest']),
            reason: 'orphan',
          },
        ],
        revoked: 0,
        errors: [],
        held: [],
        unbound: [{ cluster: c.base, delivery: 'planned', tokens: 1 }],
      },
    });
    const baseReport = plan([{ ...c.head, delivery: 'none', tokens: [], deliveryReasons: [] }], {
      orphans: {
        planned: [
          {
            tenantId: T1,
            id: 'dt0c01.OLD',
            name: tokenName('x', uuid(98), ['logs.ingest']),
            reason: 'orphan',
          },
        ],
        revoked: 0,
        errors: [],
        held: [],
      },
    });
    const diff = diffPlans({ report: baseReport, config: withoutB }, { report: headReport, config: withB });
    expect(diff.changes).toHaveLength(1);
    const change = diff.changes[0]!;
    expect(change.lost).toEqual(v2To(T2));
    expect(change.delivery).toBe('remove');
    expect(change.revokes.map((r) => r.id)).toEqual(['dt0c01.OWNED']);
    expect(diff.denials.map((d) => `${d.cluster.name} ${d.denial.code}`)).toEqual([
      'shop-7 tenant-denies-org',
    ]);
    expect(diff.denials[0]!.causes.map((x) => x.file)).toEqual(['tenants/tenant-us.yaml']);
    // A token of a cluster this run does not see is the change's doing only if the base kept it.
    expect(diff.orphans.map((r) => r.id)).toEqual(['dt0c01.GONE']);
    expect(diff.drift.orphans.map((r) => r.id)).toEqual(['dt0c01.OLD']);
    expect(diff.totals.tokensRevoke).toBe(2);
    expect(diff.totals.deliveriesRemove).toBe(1);
  });

  it('a binding denied before and after, for another reason, is not newly denied', () => {
    const { base, head } = configs();
    const before = newlyAllowed(8).base;
    const after = {
      ...before,
      denials: [{ ...before.denials[0]!, code: 'org-not-allowed' as const, reason: 'not allowed' }],
    };
    const diff = diffPlans({ report: plan([before]), config: base }, { report: plan([after]), config: head });
    expect(diff.denials).toEqual([]);
    expect(diff.changes).toEqual([]);
  });

  it('the same plan on both sides: no change, everything is drift', () => {
    const { base } = configs();
    const same = plan([drifting(1), cluster(2, 'unchanged')]);
    const diff = diffPlans({ report: same, config: base }, { report: same, config: base });
    expect(diff.changes).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(diff.drift.clusters).toHaveLength(1);
  });
});

describe('changedObjects', () => {
  it('ignores a document moved to another file, and marks a removed one with the base line', () => {
    const { base } = configs();
    const moved = configs().base;
    const t1 = moved.tenants.get(T1)!;
    moved.tenants.set(T1, { ...t1, source: at('tenants/all.yaml', 40) });
    moved.tenants.delete(T2);
    const changed = [...changedObjects(base, moved).values()];
    expect(changed).toEqual([
      {
        kind: 'DynatraceTenant',
        name: `tenant-${T2}`,
        file: 'tenants/tenant-us.yaml',
        line: 2,
        column: 1,
        removed: true,
      },
    ]);
  });
});
