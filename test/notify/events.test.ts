import { describe, expect, it } from 'vitest';
import { computeNotices, type Notice } from '../../src/notify/events.js';
import { renderText, slackPayload, subject } from '../../src/notify/message.js';
import type { NotifyState } from '../../src/notify/state.js';
import type { ClusterEntry, Report } from '../../src/report/report.js';
import { cluster, report, tenantConfig } from './fixtures.js';

const config = tenantConfig();
const admins = ['admins@example.com'];

/** Runs the notifier over a sequence of reports, carrying the state like the file store would. */
function runs(reports: Report[], threshold = 3, start?: NotifyState): Notice[][] {
  let state = start;
  return reports.map((r) => {
    const { notices, next } = computeNotices({ report: r, config, previous: state, threshold, admins });
    state = JSON.parse(JSON.stringify(next)) as NotifyState;
    return notices;
  });
}

const forTenant = (notices: Notice[], tenant: string) =>
  notices.find((n) => n.audience.kind === 'tenant' && n.audience.tenantId === tenant);
const forAdmins = (notices: Notice[]) => notices.find((n) => n.audience.kind === 'admins');

describe('what is new after a reconcile', () => {
  it('tells a newly failing cluster once, again at the threshold, and its recovery once', () => {
    const failing = report([cluster('c1', 'failed'), cluster('c2', 'unchanged', 'def67890')]);
    const ok = report([cluster('c1', 'unchanged'), cluster('c2', 'unchanged', 'def67890')]);
    const [r1, r2, r3, r4, r5, r6] = runs([failing, failing, failing, failing, ok, ok]);

    const first = forTenant(r1!, 'abc12345')!;
    expect(first.digest.newlyFailing.map((c) => c.id)).toEqual(['c1']);
    expect(first.digest.newlyFailing[0]!.error).toContain('createSyncSet');
    expect(forTenant(r1!, 'def67890')).toBeUndefined();
    expect(forAdmins(r1!)!.digest.newlyFailing.map((c) => c.id)).toEqual(['c1']);

    expect(r2).toEqual([]);
    expect(forTenant(r3!, 'abc12345')!.digest.failingInARow).toMatchObject([{ id: 'c1', runs: 3 }]);
    expect(forTenant(r3!, 'abc12345')!.digest.newlyFailing).toEqual([]);
    expect(r4).toEqual([]);
    expect(forTenant(r5!, 'abc12345')!.digest.recovered.map((c) => c.id)).toEqual(['c1']);
    expect(forAdmins(r5!)!.digest.recovered.map((c) => c.id)).toEqual(['c1']);
    expect(r6).toEqual([]);
  });

  it('sends nothing when nothing is new', () => {
    const steady = report([cluster('c1', 'unchanged'), cluster('c2', 'changed')]);
    expect(runs([steady, steady]).flat()).toEqual([]);
  });

  it('tells everything current again when the state is lost (never silence)', () => {
    const failing = report([cluster('c1', 'failed')]);
    const [, second] = runs([failing, failing]);
    expect(second).toEqual([]);
    const [afterLoss] = runs([failing], 3, undefined);
    expect(forTenant(afterLoss!, 'abc12345')!.digest.newlyFailing.map((c) => c.id)).toEqual(['c1']);
  });

  it('tells a new denial once, to the owners of the tenant its reason names and to the admins', () => {
    const denied = (extra = 'def67890') =>
      report([
        cluster('c3', 'denied', 'abc12345', {
          bindings: [],
          denials: [
            {
              binding: 'obs',
              label: 'sre-capabilities.dtp.v3.obs.tenant',
              code: 'tenant-denies-org',
              reason: `tenant ${extra} does not allow organization org-1`,
            },
          ],
        }),
      ]);
    const [r1, r2] = runs([denied(), denied()]);
    expect(forTenant(r1!, 'def67890')!.digest.denied).toMatchObject([
      { id: 'c3', code: 'tenant-denies-org' },
    ]);
    expect(forTenant(r1!, 'abc12345')).toBeUndefined();
    expect(forAdmins(r1!)!.digest.denied).toHaveLength(1);
    expect(r2).toEqual([]);
  });

  it('tells a held prune and a held re-mint once per hold, and every re-mint', () => {
    const held = (c: ClusterEntry[] = []) =>
      report(c, {
        orphans: {
          planned: [],
          revoked: 0,
          errors: [],
          held: [{ tenantId: 'abc12345', count: 40, total: 50, reason: 'more than half' }],
        },
        remintHeld: [{ tenantId: 'def67890', count: 9, delivered: 10, reason: 'too many at once' }],
      } as Partial<Report>);
    const remint = cluster('c4', 'changed', 'abc12345', {
      tokens: [
        {
          tenantId: 'abc12345',
          secret: 'dynatrace/dt',
          key: 'apiToken',
          name: 'dtp_x',
          action: 'remint',
          reason: 'revoked',
        },
      ],
    });
    const [r1, r2, r3] = runs([held(), held(), held([remint])]);
    expect(forTenant(r1!, 'abc12345')!.digest.heldPrunes).toMatchObject([{ count: 40 }]);
    expect(forTenant(r1!, 'def67890')!.digest.heldRemints).toMatchObject([{ count: 9 }]);
    expect(r2).toEqual([]);
    expect(forTenant(r3!, 'abc12345')!.digest.reminted).toMatchObject([{ id: 'c4', key: 'apiToken' }]);
  });

  it('neither forgets nor calls recovered a failing cluster whose environment could not be read', () => {
    const failing = report([cluster('c1', 'failed')]);
    const unread = report([], {
      environments: [
        { name: 'production', error: 'OCM 503', labels: 0, clusters: 0, skipped: 0, durationMs: 1 },
      ],
    } as Partial<Report>);
    const [, r2, r3] = runs([failing, unread, failing]);
    expect(forAdmins(r2!)!.digest.recovered).toEqual([]);
    expect(forAdmins(r2!)!.digest.unreachable).toMatchObject([{ what: 'ocm:production' }]);
    // Still failing afterwards: the streak went on, so it is not "newly" failing again.
    expect(r3!.flatMap((n) => n.digest.newlyFailing)).toEqual([]);
  });

  it('tells overdue rotations (past expiry, deferred by budget) once, again when a new slot expires', () => {
    const zero = {
      expiringSoon: 0,
      pastExpiry: 0,
      rotationsStarted: 0,
      rotationsDeferred: 0,
      waitingForPickup: 0,
    };
    const done = { rotationsCompleted: { pickup: 0, grace: 0, expired: 0 } };
    const overdue = (slots: string[], deferred: number) =>
      report([cluster('c1', 'changed'), cluster('c2', 'changed'), cluster('c3', 'unchanged', 'def67890')], {
        rotation: {
          ...zero,
          ...done,
          pastExpiry: slots.length,
          rotationsDeferred: deferred,
          pastExpirySlots: slots.map((c) => `${c}/abc12345/dynatrace/dtp/apiToken`),
          tenants: [
            { tenantId: 'abc12345', ...zero, ...done, pastExpiry: slots.length, rotationsDeferred: deferred },
            { tenantId: 'def67890', ...zero, ...done, expiringSoon: 4 },
          ],
        },
      });
    const [r1, r2, r3, r4, r5] = runs([
      overdue(['c1'], 2),
      overdue(['c1'], 2),
      overdue(['c1', 'c2'], 2),
      overdue([], 0),
      overdue(['c1'], 0),
    ]);

    const first = forTenant(r1!, 'abc12345')!.digest.rotationsOverdue;
    expect(first).toEqual([
      {
        tenantId: 'abc12345',
        pastExpiry: [
          { environment: 'production', id: 'c1', name: 'cluster-c1', slot: 'dynatrace/dtp/apiToken' },
        ],
        deferred: 2,
      },
    ]);
    expect(forAdmins(r1!)!.digest.rotationsOverdue).toEqual(first);
    // Expiring soon is the normal course of rotation, not news for anyone.
    expect(forTenant(r1!, 'def67890')).toBeUndefined();
    expect(r2).toEqual([]);
    expect(forTenant(r3!, 'abc12345')!.digest.rotationsOverdue[0]!.pastExpiry.map((p) => p.id)).toEqual([
      'c1',
      'c2',
    ]);
    expect(r4).toEqual([]);
    // Once cleared, the same slot expiring again is news again.
    expect(forTenant(r5!, 'abc12345')!.digest.rotationsOverdue).toMatchObject([{ deferred: 0 }]);
  });

  it("the owners' message names the expired slots by cluster and the deferrals, in text and Slack", () => {
    const notice: Notice = {
      audience: { kind: 'tenant', tenantId: 'abc12345', tenantName: 'Shop', owners: [] },
      threshold: 3,
      digest: {
        newlyFailing: [],
        failingInARow: [],
        recovered: [],
        denied: [],
        heldPrunes: [],
        heldRemints: [],
        reminted: [],
        unreachable: [],
        rotationsOverdue: [
          {
            tenantId: 'abc12345',
            pastExpiry: [
              { environment: 'production', id: 'c1', name: '<shop>', slot: 'dynatrace/dtp/apiToken' },
            ],
            deferred: 2,
          },
        ],
      },
    };
    const context = { shard: '1/1', version: '9.9.9' };
    const text = renderText(notice, context);
    expect(text).toContain('Rotations overdue (1)');
    expect(text).toContain(
      'tenant abc12345: 1 token past expiry: production/<shop> (c1) dynatrace/dtp/apiToken; 2 rotations deferred by rotation-budget',
    );
    expect(subject(notice, context)).toBe('dtp: tenant abc12345: rotations overdue');
    expect(slackPayload(notice, context).text).toContain('production/&lt;shop&gt; (c1)');
  });

  it('a deferral alone is told once per streak', () => {
    const zero = { expiringSoon: 0, pastExpiry: 0, rotationsStarted: 0, waitingForPickup: 0 };
    const deferred = (n: number) =>
      report([cluster('c1', 'unchanged')], {
        rotation: {
          ...zero,
          rotationsDeferred: n,
          rotationsCompleted: { pickup: 0, grace: 0, expired: 0 },
          pastExpirySlots: [],
          tenants: [
            {
              tenantId: 'abc12345',
              ...zero,
              rotationsDeferred: n,
              rotationsCompleted: { pickup: 0, grace: 0, expired: 0 },
            },
          ],
        },
      });
    const [r1, r2, r3, r4] = runs([deferred(3), deferred(1), deferred(0), deferred(2)]);
    expect(forTenant(r1!, 'abc12345')!.digest.rotationsOverdue).toMatchObject([
      { deferred: 3, pastExpiry: [] },
    ]);
    expect(r2).toEqual([]);
    expect(r3).toEqual([]);
    expect(forTenant(r4!, 'abc12345')!.digest.rotationsOverdue).toMatchObject([{ deferred: 2 }]);
  });

  it('counts the threshold from the setting', () => {
    const failing = report([cluster('c1', 'failed')]);
    const [r1, r2] = runs([failing, failing], 2);
    expect(forAdmins(r1!)!.digest.failingInARow).toEqual([]);
    expect(forAdmins(r2!)!.digest.failingInARow).toMatchObject([{ id: 'c1', runs: 2 }]);
  });
});
