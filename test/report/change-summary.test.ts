/**
 * The "plan with base" summary layout (src/report/change-summary.ts): the change leads, with the YAML line
 * of each cause; the drift a reconcile would fix anyway is folded. A snapshot of the rendered Markdown beside
 * direct assertions on the promises.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { renderChangeSummary } from '../../src/report/change-summary.js';
import { diffPlans } from '../../src/report/plan-diff.js';
import type { ClusterEntry, Report } from '../../src/report/report.js';
import { config, defaultSpec, ORG_A, ORG_B, org, tenant } from '../reconcile/fixtures.js';
import { cluster, report, totals, uuid } from './fixtures.js';

const at = (file: string, line: number) => ({ file, line, column: 1 });

function configs(): { base: Config; head: Config } {
  const build = (usOrgs: string[], elevated: string[]) =>
    config({
      tenants: [
        { ...tenant('abc12345'), name: 'prod-eu', source: at('tenants/tenant-eu.yaml', 2) },
        { ...tenant('def67890', usOrgs), name: 'prod-us', source: at('tenants/tenant-us.yaml', 2) },
      ],
      specs: [{ ...defaultSpec(), elevatedScopes: elevated, source: at('tenants/token-specs.yaml', 2) }],
      orgs: [
        { ...org(ORG_A), name: 'team-a', source: at('tenants/organizations.yaml', 2) },
        { ...org(ORG_B), name: 'team-b', source: at('tenants/organizations.yaml', 15) },
      ],
    });
  return {
    base: build([ORG_A], ['settings.write']),
    head: build([ORG_A, ORG_B], ['DataExport', 'settings.write']),
  };
}

const token = (n: number, key: string, tenantId: string, action: 'create' | 'remint', reason: string) => ({
  tenantId,
  secret: 'dynatrace/dynatrace-token-dtp',
  key,
  name: `dtp_${key}_${uuid(n)}`,
  action,
  reason,
});

function reports(): { base: Report; head: Report } {
  const usBinding = [{ key: 'v2', tenantId: 'def67890', specName: 'default' }];
  const deniedBefore = (n: number) =>
    cluster(n, 'denied', {
      organizationId: ORG_B,
      name: n === 1 ? 'shop|1' : `shop-${n}`,
      bindings: [],
      denials: [
        {
          binding: 'v2',
          label: 'sre-capabilities.dtp.v2.tenant',
          code: 'tenant-denies-org',
          reason: 'tenant def67890 (prod-us) does not list organization team-b in allowedOrganizations',
          tenantId: 'def67890',
          specName: 'default',
        },
      ],
    });
  const allowedNow = (n: number): ClusterEntry => ({
    ...deniedBefore(n),
    status: 'planned',
    bindings: usBinding,
    denials: [],
    delivery: 'create',
    deliveryReasons: ['no delivery object yet'],
    tokens: [
      token(n, 'apiToken', 'def67890', 'create', 'new'),
      token(n, 'dataIngestToken', 'def67890', 'create', 'new'),
    ],
  });
  const drift = cluster(3, 'planned', {
    delivery: 'patch',
    deliveryReasons: ['token revoked'],
    tokens: [token(3, 'apiToken', 'abc12345', 'remint', 'revoked')],
  });
  const orphan = { tenantId: 'abc12345', id: 'dt0c01.ORPHAN', name: 'dtp_gone', reason: 'orphan' as const };
  const common = {
    mode: 'plan' as const,
    orphans: { planned: [orphan], revoked: 0, errors: [], held: [] },
  };
  return {
    base: report({ ...common, clusters: [deniedBefore(1), deniedBefore(2), drift, cluster(4, 'unchanged')] }),
    head: report({
      ...common,
      totals: totals({
        clusters: 4,
        planned: 3,
        unchanged: 1,
        tokensCreated: 4,
        tokensReminted: 1,
        tokensRevoked: 1,
        deliveriesCreated: 2,
        deliveriesPatched: 1,
      }),
      clusters: [allowedNow(1), allowedNow(2), drift, cluster(4, 'unchanged')],
    }),
  };
}

function render(): string {
  const { base, head } = configs();
  const r = reports();
  const diff = diffPlans({ report: r.base, config: base }, { report: r.head, config: head });
  return renderChangeSummary(r.head, diff);
}

describe('plan with base summary', () => {
  it('matches the snapshot', async () => {
    await expect(render()).toMatchFileSnapshot('__snapshots__/summary-plan-with-base.md');
  });

  it('leads with the change and its YAML line; drift only in the folded section', () => {
    const md = render();
    const [lead, folded] = md.split('<details><summary>Drift a reconcile would fix anyway');
    expect(md.split('\n')[0]).toBe(
      '## dtp plan — 📝 this change: 2 clusters — 4 tokens to create · 2 deliveries to create',
    );
    expect(lead).toContain('### What this change does (2 clusters)');
    expect(lead).toContain('shop\\|1');
    expect(lead).toContain('shop-2');
    expect(lead).toContain('`tenants/tenant-us.yaml:2` DynatraceTenant prod-us');
    expect(lead).toContain('+v2 def67890/default');
    expect(lead).toContain('### Elevated scopes newly requested');
    expect(lead).toContain('`DataExport`');
    expect(lead).not.toContain('`settings.write`');
    expect(lead).not.toContain('shop-3');
    expect(lead).not.toContain('dtp\\_gone');
    expect(folded).toContain('shop-3');
    expect(folded).toContain('re-mint apiToken (revoked)');
    expect(folded).toContain('1 token without a cluster would be revoked anyway.');
  });

  it('token lifetimes are fleet drift: folded, never in the lead', () => {
    const { base, head } = configs();
    const r = reports();
    const counts = {
      expiringSoon: 2,
      pastExpiry: 0,
      rotationsStarted: 1,
      rotationsDeferred: 1,
      rotationsCompleted: { pickup: 0, grace: 0, expired: 0 },
      waitingForPickup: 0,
    };
    r.head.rotation = { ...counts, pastExpirySlots: [], tenants: [{ tenantId: 'abc12345', ...counts }] };
    const md = renderChangeSummary(
      r.head,
      diffPlans({ report: r.base, config: base }, { report: r.head, config: head }),
    );
    const [lead, folded] = md.split('<details><summary>Drift a reconcile would fix anyway');
    expect(lead).not.toContain('Token lifetimes');
    expect(folded).toContain('### Token lifetimes');
    expect(folded).toContain('**Deferred by `rotation-budget`**: 1 token due');
  });
});
