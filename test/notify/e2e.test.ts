/**
 * Notifications and the metrics push end to end: dtp reconciles a sandbox fleet whose SyncSet writes fail,
 * run after run, then recover; the webhook, SMTP and Pushgateway receivers record what dtp sent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHttpAgents } from '../../src/clients/http.js';
import { runAgainst } from '../../src/sandbox/cli.js';
import { startReceivers, type Receivers } from '../../src/sandbox/receivers.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { checkedSandbox, type CheckedSandbox } from '../sandbox/harness.js';
import { parsePrometheusText } from './prom-text.js';

const tmp = mkdtempSync(join(tmpdir(), 'dtp-notify-e2e-'));
const stateFile = join(tmp, 'state', 'notify.json');
const notifySecrets = {
  hook: 'e2e-webhook-path-secret-31415',
  hmac: 'e2e-hmac-key-27182',
  smtp: 'e2e-smtp-password-16180',
  push: 'e2e-push-token-14142',
};
let h: CheckedSandbox;
let rx: Receivers;
let runNo = 0;

interface Sent {
  exitCode: number;
  out: string[];
  hooks: { audience: { kind: string; tenant?: string }; events: Record<string, { id?: string }[]> }[];
  mails: { to: string[]; data: string }[];
}

async function reconcile(): Promise<Sent> {
  const hooksBefore = rx.webhook.received.length;
  const mailsBefore = rx.smtp.messages.length;
  const out: string[] = [];
  const outcome = await runAgainst(
    h.sandbox,
    'reconcile',
    {
      DTP_CONFIG: h.configDir,
      DTP_REPORT_DIR: join(tmp, `run-${++runNo}`),
      DTP_NOTIFY_WEBHOOK_URL: `${rx.webhook.url}/${notifySecrets.hook}`,
      DTP_NOTIFY_WEBHOOK_SECRET: notifySecrets.hmac,
      DTP_NOTIFY_SMTP_URL: rx.smtp.url('dtp', notifySecrets.smtp),
      DTP_NOTIFY_ADMINS: 'admins@example.com',
      DTP_NOTIFY_STATE_FILE: stateFile,
      DTP_METRICS_PUSH_URL: rx.pushgateway.url,
      DTP_METRICS_PUSH_AUTH: `bearer ${notifySecrets.push}`,
    },
    { stdout: (l) => out.push(l), stderr: (l) => out.push(l) },
  );
  return {
    exitCode: outcome.exitCode,
    out,
    hooks: rx.webhook.received.slice(hooksBefore).map((m) => JSON.parse(m.body)),
    mails: rx.smtp.messages.slice(mailsBefore),
  };
}

/** Every secret value the sandbox knows, and the notification credentials. */
function secretValues(s: Sandbox): string[] {
  const values: string[] = [
    s.fleet.credentials.vaultSecretId,
    s.fleet.credentials.vaultJwt,
    s.vault.rootToken,
  ];
  for (const env of s.ocm.environments.values()) {
    values.push(...env.clients.values(), ...env.offlineTokens, ...env.accessTokens.keys());
  }
  for (const tenant of s.dynatrace.tenants.values()) {
    for (const t of tenant.tokens.values()) values.push(t.value, t.value.split('.')[2]!);
  }
  values.push(...s.vault.tokens.keys(), ...Object.values(notifySecrets));
  return values.filter((v) => v.length >= 8);
}

const admins = (s: Sent) => s.hooks.find((m) => m.audience.kind === 'admins');
const ids = (list: { id?: string }[] | undefined) => (list ?? []).map((c) => c.id ?? '').sort();

describe('notifications over runs', () => {
  const runs: Sent[] = [];
  let failing: string[] = [];

  beforeAll(async () => {
    rx = await startReceivers();
    h = await checkedSandbox({ clusters: 24, seed: 21, hcpShare: 0 });
    h.sandbox.setFaults('ocm', { createSyncSet: { failNext: { count: 100_000, status: 400 } } });
    for (let i = 0; i < 4; i++) runs.push(await reconcile());
    rmSync(stateFile);
    runs.push(await reconcile()); // the state is lost while the clusters still fail
    h.sandbox.clearFaults();
    runs.push(await reconcile()); // recovers
    runs.push(await reconcile()); // steady
    failing = ids(admins(runs[0]!)?.events.newlyFailing);
  }, 120_000);
  afterAll(async () => {
    await h.sandbox.close();
    await rx.close();
    await closeHttpAgents();
  });

  it('tells the newly failing clusters and new denials once, to the owners and the admins', () => {
    const [first, second] = runs;
    expect(first!.exitCode).toBe(1);
    expect(failing.length).toBeGreaterThan(5);
    expect(ids(admins(first!)!.events.denied).length).toBeGreaterThan(0);
    const tenantHooks = first!.hooks.filter((m) => m.audience.kind === 'tenant');
    expect(tenantHooks.length).toBeGreaterThan(0);
    // Each tenant hears about its own clusters only; together they cover every failing cluster.
    expect(ids(tenantHooks.flatMap((m) => m.events.newlyFailing ?? []))).toEqual(
      expect.arrayContaining(failing),
    );
    expect(first!.mails.find((m) => m.to.includes('admins@example.com'))!.data).toContain(
      'Newly failing clusters',
    );
    expect(first!.mails.some((m) => m.to.includes('sre@example.com'))).toBe(true);
    expect(second!.hooks).toEqual([]);
    expect(second!.mails).toEqual([]);
  });

  it('tells the clusters failing for 3 runs in a row once, on the third run', () => {
    const [, , third, fourth] = runs;
    expect(ids(admins(third!)!.events.failingInARow)).toEqual(failing);
    expect(admins(third!)!.events.newlyFailing).toEqual([]);
    expect(fourth!.hooks).toEqual([]);
  });

  it('tells the recovery once, then nothing when nothing is new', () => {
    const [, , , , , recovered, steady] = runs;
    expect(recovered!.exitCode).toBe(0);
    expect(ids(admins(recovered!)!.events.recovered)).toEqual(failing);
    expect(steady!.hooks).toEqual([]);
    expect(steady!.mails).toEqual([]);
    expect(steady!.out.join('\n')).toContain('notifications: nothing new since the last run');
  });

  it('tells everything current again when the state is lost', () => {
    const lost = runs[4]!;
    expect(ids(admins(lost)!.events.newlyFailing)).toEqual(failing);
    expect(ids(admins(lost)!.events.denied)).toEqual(ids(admins(runs[0]!)!.events.denied));
  });

  it('pushes metrics every run, in a body that parses, equal to metrics.prom', () => {
    expect(rx.pushgateway.received).toHaveLength(runs.length);
    for (const push of rx.pushgateway.received) {
      expect(push.path).toBe('/metrics/job/dtp/shard/1_of_1');
      expect(parsePrometheusText(push.body).get('dtp_clusters')!.samples.length).toBeGreaterThan(0);
    }
    const written = readFileSync(join(tmp, `run-${runNo}`, 'metrics.prom'), 'utf8');
    parsePrometheusText(written);
    const strip = (t: string) => t.replace(/^dtp_(run_duration|stage_duration|last_\w+).*$/gm, '');
    expect(strip(rx.pushgateway.received.at(-1)!.body)).toBe(strip(written));
  });

  it('never puts a secret the sandbox knows into a message', () => {
    const secrets = secretValues(h.sandbox);
    expect(secrets.length).toBeGreaterThan(20);
    const bodies = [
      ...rx.webhook.received.map((m) => m.body),
      ...rx.pushgateway.received.map((m) => m.body),
      ...rx.smtp.messages.map((m) => m.data),
      ...runs.flatMap((r) => r.out),
    ];
    const hits = secrets.filter((s) => bodies.some((b) => b.includes(s))).map((s) => s.slice(0, 6));
    expect(hits).toEqual([]);
  });
});

describe('log-format json in a real run', () => {
  it('prints only JSON objects, with the remote calls as operations with durations', async () => {
    const s = await checkedSandbox({ clusters: 6, seed: 5 });
    try {
      const lines: string[] = [];
      const outcome = await runAgainst(
        s.sandbox,
        'plan',
        {
          DTP_CONFIG: s.configDir,
          DTP_REPORT_DIR: join(tmp, 'json-logs'),
          DTP_LOG_FORMAT: 'json',
          DTP_VERBOSE: 'true',
        },
        { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) },
      );
      expect(outcome.exitCode).toBe(0);
      expect(lines.length).toBeGreaterThan(5);
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const r of records) expect(Object.keys(r).slice(0, 3)).toEqual(['time', 'level', 'message']);
      const calls = records.filter((r) => r.operation);
      expect(calls.length).toBeGreaterThan(3);
      // Every call the HTTP layer timed carries its duration (Vault's client logs no time).
      const timed = calls.filter((r) => / \d+ms/.test(r.message as string));
      expect(timed.length).toBeGreaterThan(3);
      expect(timed.every((r) => typeof r.durationMs === 'number')).toBe(true);
      expect(calls.some((r) => typeof r.cluster === 'string')).toBe(true);
    } finally {
      await s.sandbox.close();
    }
  });
});
