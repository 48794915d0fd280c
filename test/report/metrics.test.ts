import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/report/metrics.js';
import type { Report } from '../../src/report/report.js';
import type { TenantRotation } from '../../src/reconcile/rotation-plan.js';
import { parsePrometheusText } from '../notify/prom-text.js';
import { cluster, report } from '../notify/fixtures.js';

const hostile = 'evil"} 1\ndtp_run_exit_code{mode="x"} 0\\';

function sample(r: Report) {
  return {
    ...r,
    breakdown: [
      {
        ocmEnvironment: 'production',
        tenantId: 'abc12345',
        clusters: 2,
        tokensCreated: 2,
        tokensReminted: 1,
        tokensUpdated: 0,
        tokensUnchanged: 3,
        tokensRevoked: 1,
        deliveriesCreated: 2,
        deliveriesPatched: 0,
      },
      {
        ocmEnvironment: hostile,
        tenantId: 'abc12345',
        clusters: 1,
        tokensCreated: 0,
        tokensReminted: 0,
        tokensUpdated: 0,
        tokensUnchanged: 4,
        tokensRevoked: 0,
        deliveriesCreated: 0,
        deliveriesPatched: 0,
      },
    ],
    tenants: [
      { tenantId: 'abc12345', name: 'a', tokens: 9 },
      { tenantId: hostile, name: 'h', tokens: 0, error: 'no' },
    ],
    calls: [
      {
        system: 'ocm',
        operation: 'createSyncSet',
        calls: 7,
        retries: 2,
        rateLimited: 1,
        errors: 0,
        totalMs: 70,
      },
    ],
    orphans: {
      planned: [],
      revoked: 0,
      errors: [],
      held: [{ tenantId: 'abc12345', count: 3, total: 4, reason: 'r' }],
    },
  } as Report;
}

describe('metrics.prom', () => {
  it('parses with a strict text-format parser, one HELP/TYPE per family, counters ending in _total', async () => {
    const text = await renderMetrics(sample(report([cluster('c1', 'changed'), cluster('c2', 'failed')])));
    const families = parsePrometheusText(text);
    expect(families.get('dtp_build_info')!.samples).toEqual([
      { name: 'dtp_build_info', labels: { version: '9.9.9' }, value: 1 },
    ]);
    for (const f of families.values()) {
      expect(f.help, f.name).toBeTruthy();
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
    }
    expect(families.get('dtp_token_actions_total')!.type).toBe('counter');
    expect(families.get('dtp_remote_calls_total')!.samples[0]!.value).toBe(7);
    expect(families.get('dtp_tenant_tokens')!.samples).toEqual([
      { name: 'dtp_tenant_tokens', labels: { tenant: 'abc12345' }, value: 10 },
    ]);
    expect(families.get('dtp_orphan_tokens_held')!.samples[0]!.value).toBe(3);
    // Everything the hand-written exposition had is still there.
    for (const name of [
      'dtp_run_exit_code',
      'dtp_run_duration_seconds',
      'dtp_last_run_timestamp_seconds',
      'dtp_stage_duration_seconds',
      'dtp_clusters',
      'dtp_tokens_managed',
      'dtp_ocm_environment_up',
      'dtp_tenant_up',
      'dtp_remote_retries_total',
      'dtp_remote_rate_limited_total',
      'dtp_remote_errors_total',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.has('dtp_last_success_timestamp_seconds')).toBe(false); // a cluster failed
  });

  it('keeps hostile label values inside their quotes', async () => {
    const text = await renderMetrics(sample(report([cluster('c1', 'changed')])));
    const families = parsePrometheusText(text);
    const managed = families.get('dtp_tokens_managed')!.samples;
    expect(managed.map((s) => s.labels.ocm_environment)).toContain(hostile);
    // The forged sample in the label value did not become a series of its own.
    expect(families.get('dtp_run_exit_code')!.samples.map((s) => s.labels.mode)).toEqual(['reconcile']);
    expect(families.get('dtp_tenant_up')!.samples.find((s) => s.labels.tenant === hostile)!.value).toBe(0);
  });

  it('starts from zero on every run: a second render in the same process does not add up', async () => {
    const r = sample(report([cluster('c1', 'changed')]));
    const first = parsePrometheusText(await renderMetrics(r));
    const second = parsePrometheusText(await renderMetrics(r));
    expect(second.get('dtp_remote_calls_total')!.samples).toEqual(
      first.get('dtp_remote_calls_total')!.samples,
    );
  });

  it('writes 0, not NaN, for a duration that could not be measured', async () => {
    const r = { ...report([]), durationMs: Number.NaN };
    const families = parsePrometheusText(await renderMetrics(r));
    expect(families.get('dtp_run_duration_seconds')!.samples[0]!.value).toBe(0);
  });

  it('writes token lifetimes per tenant, with completions by proof, when some spec has maxAge', async () => {
    const counts = (over: Partial<TenantRotation>): TenantRotation => ({
      tenantId: 'abc12345',
      expiringSoon: 0,
      pastExpiry: 0,
      rotationsStarted: 0,
      rotationsDeferred: 0,
      rotationsCompleted: { pickup: 0, grace: 0, expired: 0 },
      waitingForPickup: 0,
      ...over,
    });
    const tenants = [
      counts({
        expiringSoon: 3,
        pastExpiry: 1,
        rotationsStarted: 2,
        rotationsDeferred: 2,
        waitingForPickup: 4,
      }),
      counts({ tenantId: hostile, rotationsCompleted: { pickup: 5, grace: 1, expired: 0 } }),
    ];
    const rotation = { ...counts({}), pastExpirySlots: ['c1/abc12345/ns/s/apiToken'], tenants };
    const families = parsePrometheusText(await renderMetrics(report([], { rotation })));
    const values = (name: string) =>
      families
        .get(name)!
        .samples.map((s) => [s.labels.tenant, s.labels.proof, s.value].filter((v) => v !== undefined));
    expect(values('dtp_tokens_expiring_soon')).toEqual([
      ['abc12345', 3],
      [hostile, 0],
    ]);
    expect(values('dtp_tokens_past_expiry')).toEqual([
      ['abc12345', 1],
      [hostile, 0],
    ]);
    expect(values('dtp_rotations_started_total')).toEqual([
      ['abc12345', 2],
      [hostile, 0],
    ]);
    expect(values('dtp_rotations_deferred')).toEqual([
      ['abc12345', 2],
      [hostile, 0],
    ]);
    expect(values('dtp_rotations_waiting_for_pickup')).toEqual([
      ['abc12345', 4],
      [hostile, 0],
    ]);
    expect(values('dtp_rotations_completed_total')).toContainEqual([hostile, 'pickup', 5]);
    expect(values('dtp_rotations_completed_total')).toContainEqual([hostile, 'grace', 1]);
    expect(families.get('dtp_rotations_started_total')!.type).toBe('counter');
    expect(families.get('dtp_tokens_past_expiry')!.type).toBe('gauge');
  });

  it('writes no lifetime series for a fleet without maxAge', async () => {
    const families = parsePrometheusText(await renderMetrics(report([cluster('c1', 'changed')])));
    expect([...families.keys()].filter((n) => /rotation|expir/.test(n))).toEqual([]);
  });

  it('marks an interrupted run, and an uninterrupted one with 0', async () => {
    const interrupted = { signal: 'SIGTERM', notProcessed: 2, compensated: 0 };
    const stopped = parsePrometheusText(await renderMetrics(report([], { interrupted })));
    const finished = parsePrometheusText(await renderMetrics(report([])));
    expect(stopped.get('dtp_run_interrupted')!.samples[0]!.value).toBe(1);
    expect(finished.get('dtp_run_interrupted')!.samples[0]!.value).toBe(0);
  });

  it('the strict parser rejects what Prometheus would', () => {
    expect(() => parsePrometheusText('a{b="c} 1\n')).toThrow(/unterminated/);
    expect(() => parsePrometheusText('a{b="\\x"} 1\n')).toThrow(/escape/);
    expect(() => parsePrometheusText('a{x="1"} 1\nb 1\na{x="2"} 2\n')).toThrow(/split/);
    expect(() => parsePrometheusText('a 1\n# TYPE a gauge\n')).toThrow(/too late/);
    expect(() => parsePrometheusText('a 1\na 2\n')).toThrow(/twice/);
    expect(() => parsePrometheusText('a Nan\n')).toThrow(/bad value/);
  });
});
