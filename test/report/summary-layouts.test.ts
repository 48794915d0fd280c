/**
 * The job summary, one snapshot per layout (plan, reconcile, interrupted, failed start, merged shards with a
 * missing one), from hand-built reports with fixed times and ids, so the rendered Markdown is stable. Beside
 * the snapshots, the promises the summary makes are asserted directly: the headline counts every write,
 * failures are grouped by cause, every action says why, and every count agrees with the totals.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { groupFailures, normaliseFailure } from '../../src/report/failures.js';
import { renderSummary } from '../../src/report/summary.js';
import { cluster, report, totals, uuid } from './fixtures.js';

const created = (n: number) => [
  {
    tenantId: 'abc12345',
    secret: 'dynatrace/dtp',
    key: 'apiToken',
    name: `dtp_api_${uuid(n)}`,
    action: 'create' as const,
    reason: 'new',
  },
];

function planReport(): Report {
  return report({
    mode: 'plan',
    totals: totals({
      clusters: 4,
      planned: 3,
      unchanged: 1,
      tokensCreated: 1,
      tokensUpdated: 1,
      tokensRevoked: 3,
      deliveriesCreated: 1,
      deliveriesPatched: 2,
    }),
    clusters: [
      cluster(1, 'planned', {
        delivery: 'create',
        deliveryReasons: ['no delivery object yet'],
        tokens: created(1),
      }),
      cluster(2, 'planned', {
        delivery: 'patch',
        deliveryReasons: ['token scopes changed'],
        tokens: [
          {
            tenantId: 'abc12345',
            secret: 'dynatrace/dtp',
            key: 'apiToken',
            name: 'dtp_api_x',
            action: 'update',
            id: 'dt0c01.AAAA',
            reason: '+metrics.read',
          },
        ],
      }),
      cluster(3, 'planned', {
        delivery: 'patch',
        deliveryReasons: ['token expired'],
        revokes: [{ tenantId: 'abc12345', id: 'dt0c01.BBBB', name: 'dtp_api_old', reason: 'superseded' }],
      }),
      cluster(4, 'unchanged', { delivery: 'none' }),
    ],
    orphans: {
      planned: [
        { tenantId: 'abc12345', id: 'dt0c01.CCCC', name: 'dtp_api_gone1', reason: 'orphan' },
        { tenantId: 'abc12345', id: 'dt0c01.DDDD', name: 'dtp_api_gone2', reason: 'orphan' },
      ],
      revoked: 0,
      errors: [],
      held: [],
    },
    breakdown: [
      {
        ocmEnvironment: 'production',
        tenantId: 'abc12345',
        clusters: 4,
        tokensCreated: 1,
        tokensReminted: 0,
        tokensUpdated: 1,
        tokensUnchanged: 2,
        tokensRevoked: 1,
        deliveriesCreated: 1,
        deliveriesPatched: 2,
      },
    ],
  });
}

/** One broken Vault path: every cluster of the tenant fails with the same message but its own name. */
function fiftyFailures(): Report {
  const failed = Array.from({ length: 50 }, (_, i) =>
    cluster(100 + i, 'failed', {
      errors: [
        `binding v2 of shop-${100 + i}: tenant abc12345 unavailable: Vault GET secret/data/dtp/abc1234 answered 404\t(request ${9000 + i})`,
      ],
    }),
  );
  return report({
    exitCode: 1,
    totals: totals({
      clusters: 52,
      failed: 50,
      changed: 1,
      unchanged: 1,
      tokensReminted: 1,
      deliveriesPatched: 1,
    }),
    clusters: [
      ...failed,
      cluster(1, 'changed', {
        delivery: 'patch',
        deliveryReasons: ['token revoked'],
        tokens: [{ ...created(1)[0]!, action: 'remint', reason: 'revoked' }],
      }),
      cluster(2, 'unchanged', { delivery: 'none' }),
    ],
  });
}

/**
 * Token lifetimes: two expired tokens re-minted (one on a cluster with a hostile name), two successors
 * delivered, two predecessors revoked (successor in use, grace period over), one still waiting, two
 * rotations held by the budget.
 */
function rotationReport(): Report {
  const token = (n: number, action: 'rotate' | 'remint', reason: string) => ({
    tenantId: 'abc12345',
    secret: 'dynatrace/dtp',
    key: 'apiToken',
    name: `dtp_api_${uuid(n)}`,
    action,
    reason,
  });
  const retired = (id: string, proof: 'pickup' | 'grace') => ({
    tenantId: 'abc12345',
    id,
    name: `dtp_api_${id}`,
    reason: 'rotated' as const,
    proof,
  });
  const counts = {
    expiringSoon: 3,
    pastExpiry: 2,
    rotationsStarted: 2,
    rotationsDeferred: 2,
    rotationsCompleted: { pickup: 1, grace: 1, expired: 0 },
    waitingForPickup: 1,
  };
  const patched = (n: number, action: 'rotate' | 'remint', reason: string, why: string) =>
    cluster(n, 'changed', { delivery: 'patch', deliveryReasons: [why], tokens: [token(n, action, reason)] });
  const hostile = { ...patched(4, 'remint', 'expired', 'token expired'), name: 'shop-4 | <img src=x> **x**' };
  return report({
    totals: totals({
      clusters: 7,
      changed: 6,
      unchanged: 1,
      tokensReminted: 2,
      tokensRevoked: 2,
      deliveriesPatched: 4,
    }),
    clusters: [
      patched(1, 'remint', 'expired', 'token expired'),
      cluster(2, 'changed', { delivery: 'none', revokes: [retired('dt0c01.PRED2', 'pickup')] }),
      cluster(3, 'changed', { delivery: 'none', revokes: [retired('dt0c01.PRED3', 'grace')] }),
      hostile,
      patched(5, 'rotate', 'rotation', 'token due for rotation'),
      patched(6, 'rotate', 'rotation', 'token due for rotation'),
      cluster(7, 'unchanged', { delivery: 'none' }),
    ],
    breakdown: [
      {
        ocmEnvironment: 'production',
        tenantId: 'abc12345',
        clusters: 7,
        tokensCreated: 0,
        tokensReminted: 2,
        tokensUpdated: 0,
        tokensUnchanged: 3,
        tokensRevoked: 2,
        deliveriesCreated: 0,
        deliveriesPatched: 4,
      },
    ],
    rotation: {
      ...counts,
      pastExpirySlots: [
        `${cluster(1, 'changed').id}/abc12345/dynatrace/dtp/apiToken`,
        `${hostile.id}/abc12345/dynatrace/dtp/apiToken`,
      ],
      tenants: [{ tenantId: 'abc12345', ...counts }],
    },
  });
}

describe('summary layouts (snapshots)', () => {
  it('plan', async () => {
    await expect(renderSummary(planReport())).toMatchFileSnapshot('__snapshots__/summary-plan.md');
  });

  it('reconcile with one broken Vault path failing 50 clusters', async () => {
    await expect(renderSummary(fiftyFailures())).toMatchFileSnapshot('__snapshots__/summary-reconcile.md');
  });

  it('interrupted', async () => {
    const r = report({
      interrupted: { signal: 'SIGTERM', notProcessed: 120, compensated: 2 },
      exitCode: 1,
      totals: totals({
        clusters: 3,
        changed: 2,
        unchanged: 1,
        tokensCreated: 2,
        deliveriesCreated: 2,
        tokensCompensated: 2,
      }),
      clusters: [
        cluster(1, 'changed', {
          delivery: 'create',
          tokens: created(1),
          deliveryReasons: ['no delivery object yet'],
        }),
        cluster(2, 'changed', {
          delivery: 'create',
          tokens: created(2),
          deliveryReasons: ['no delivery object yet'],
        }),
        cluster(3, 'unchanged', { delivery: 'none' }),
      ],
    });
    await expect(renderSummary(r)).toMatchFileSnapshot('__snapshots__/summary-interrupted.md');
  });

  it('failed start', async () => {
    const r = report({
      exitCode: 3,
      startupError: 'Vault login failed: jwt role "dtp-plan" not found (403)\nnext line',
      environments: [],
      tenants: [],
      calls: [],
      stagesMs: {},
    });
    await expect(renderSummary(r)).toMatchFileSnapshot('__snapshots__/summary-failed-start.md');
  });

  it('token lifetimes and rotation', async () => {
    await expect(renderSummary(rotationReport())).toMatchFileSnapshot('__snapshots__/summary-rotation.md');
  });

  it('merged shards with one shard missing', async () => {
    const r = planReport();
    r.shard = '2 shards merged';
    r.startupError = 'no report of shard 3/3';
    r.exitCode = 3;
    await expect(renderSummary(r)).toMatchFileSnapshot('__snapshots__/summary-merged-missing.md');
  });
});

describe('what the summary promises', () => {
  it('the 50-failures case renders as one grouped row with the cause, the count and what to do', () => {
    const summary = renderSummary(fiftyFailures());
    expect(summary).toContain('### Failed clusters (50, 1 cause)');
    const rows = summary.split('\n').filter((l) => l.includes('unavailable: Vault GET'));
    // One grouped row, plus the capped per-cluster list folded below it.
    expect(rows.filter((l) => l.includes('| 50 |'))).toHaveLength(1);
    expect(summary).toContain('shop-100, shop-101, shop-102, …');
    expect(summary).toContain('Check the Vault path');
    expect(summary).not.toContain('\t');
  });

  it('the headline counts revocations: never "nothing to change" while tokens are revoked', () => {
    const r = report({
      totals: totals({ clusters: 5, unchanged: 5, tokensRevoked: 4 }),
      orphans: {
        planned: ['a', 'b', 'c', 'd'].map((id) => ({
          tenantId: 'abc12345',
          id,
          name: `dtp_${id}`,
          reason: 'orphan' as const,
        })),
        revoked: 4,
        errors: [],
        held: [],
      },
    });
    const summary = renderSummary(r);
    expect(summary.split('\n')[0]).toBe('## dtp reconcile — ✅ 4 tokens revoked');
    expect(summary).not.toContain('nothing to change');
    // The per-tenant table shows the revocations instead of a silent 0.
    expect(summary).toMatch(/\| \(no cluster\) \| `abc12345` \| 0 \| 0 \| 0 \| 0 \| 0 \| 4 \| 0 \| 0 \|/);
  });

  it('rotations are writes in the headline, and the lifetimes block names expired slots and proofs', () => {
    const summary = renderSummary(rotationReport());
    expect(summary.split('\n')[0]).toBe(
      '## dtp reconcile — ✅ 6 clusters reconciled — 2 tokens re-minted · 2 tokens rotated · 2 tokens revoked · 4 deliveries patched',
    );
    const block = summary.split('### Token lifetimes')[1]!.split('###')[0]!;
    expect(block).toMatch(/\| `abc12345` \| 3 \| 2 \| 2 \| 2 \| 1 \| 1 \| 1 \| 0 \|/);
    expect(block).toContain('completed: successor in use');
    expect(block).toContain('completed: grace period over');
    expect(block).toContain('**Deferred by `rotation-budget`**: 2 tokens');
    expect(block).toContain('**Past expiry** (2 tokens)');
    expect(block).toContain('shop-1 `2a');
    // The hostile cluster name cannot open a table cell or an HTML tag.
    expect(block).not.toContain('<img');
    expect(block).not.toMatch(/shop-4 \| </);
    expect(block).toContain('`abc12345/dynatrace/dtp/apiToken`');
  });

  it('a fleet without maxAge gets no lifetimes block and plan mode says what rotation would do', () => {
    expect(renderSummary(planReport())).not.toContain('Token lifetimes');
    const plan = { ...rotationReport(), mode: 'plan' as const };
    plan.totals = { ...plan.totals, planned: 6, changed: 0 };
    const summary = renderSummary(plan);
    expect(summary.split('\n')[0]).toContain('2 tokens to rotate');
    expect(summary).toContain('rotations to start');
  });

  it('the changes heading counts exactly the changed clusters, and every row says why', () => {
    const r = planReport();
    const summary = renderSummary(r);
    expect(summary).toContain(`### Planned actions (${r.totals.planned} clusters)`);
    const table = summary.split('### Planned actions')[1]!.split('</details>')[0]!;
    const rows = table.split('\n').filter((l) => l.startsWith('| production'));
    expect(rows).toHaveLength(r.totals.planned);
    expect(table).toContain('update apiToken (+metrics.read)');
    expect(table).toContain('dtp\\_api\\_old (revoked: replaced)');
    expect(table).toContain('create apiToken (new)');
    expect(summary).not.toMatch(/none (SyncSet|Manifest)/);
  });

  it('the version is in the summary', () => {
    expect(renderSummary(planReport())).toContain('dtp 1.4.0 ·');
  });

  it('normalises causes: cluster names, ids, token names and request numbers do not split a group', () => {
    const a = cluster(1, 'failed', {
      errors: ['shop-1 (dt0c01.ABCDEF): GET /x/2a000000000000000000000000000001 failed: 503 request 123456'],
    });
    const b = cluster(2, 'failed', {
      errors: ['shop-2 (dt0c01.XYZ): GET /x/2a000000000000000000000000000002 failed: 503 request 654321'],
    });
    const c = cluster(3, 'failed', { errors: ['shop-3: 404 not found'] });
    const groups = groupFailures([a, b, c]);
    expect(groups.map((g) => [g.cause, g.clusters.length])).toEqual([
      ['<cluster> (<id>): GET /x/<cluster> failed: 503 request <id>', 2],
      ['<cluster>: 404 not found', 1],
    ]);
    expect(normaliseFailure('token dtp_api_00000000-0000-4000-8000-000000000001_ab12 revoked')).toBe(
      'token <token> revoked',
    );
  });
});

describe('snapshots hold no secrets', () => {
  it('no token value, Vault token or key in any committed summary snapshot', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('./__snapshots__/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      // A Dynatrace token value is `dt0c01.<public>.<secret>`; the summary may show ids (`dt0c01.<public>`).
      expect(text, file).not.toMatch(/dt0[a-z]\d{2}\.[A-Za-z0-9]+\.[A-Za-z0-9]{16,}/);
      expect(text, file).not.toMatch(/\bhv[sbr]\.[A-Za-z0-9_-]{20,}|-----BEGIN|client_secret|offline_token/i);
    }
  });
});
