/**
 * Notifications and the metrics push against the sandbox's receivers (Slack and generic webhooks, SMTP,
 * Pushgateway) on 127.0.0.1: what each channel gets, the signature, failures as warnings, and no secret.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER } from '../../src/notify/channels.js';
import { notifyAndPush, stateFileFor } from '../../src/notify/notify.js';
import { resolveOptions } from '../../src/options.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { startReceivers, type Receivers } from '../../src/sandbox/receivers.js';
import { Secret } from '../../src/secret.js';
import type { Report } from '../../src/report/report.js';
import { parsePrometheusText } from './prom-text.js';
import { cluster, report, tenantConfig } from './fixtures.js';

const config = tenantConfig();
let rx: Receivers;
let dir: string;
const secrets = {
  slackPath: '/services/T0001/B0002/slack-hook-secret-9f8e7d',
  webhookPath: '/hooks/dtp-webhook-secret-1a2b3c',
  hmac: 'hmac-key-for-the-webhook-55aa',
  smtpPassword: 'smtp-password-77bb',
  pushToken: 'pushgateway-bearer-99cc',
  // A minted token value that leaked into an error text by mistake: redact() must still catch it.
  leaked: 'dt0c01.LEAKEDTOKENID.LEAKEDSECRETPART0123456789',
};

function settings(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'notify-slack-url': `${rx.slack.url}${secrets.slackPath}`,
    'notify-webhook-url': `${rx.webhook.url}${secrets.webhookPath}`,
    'notify-webhook-secret': secrets.hmac,
    'notify-smtp-url': rx.smtp.url('dtp', secrets.smtpPassword),
    'notify-from': 'dtp@example.com',
    'notify-admins': 'admins@example.com, oncall@example.com',
    'notify-state-file': join(dir, 'state.json'),
    'metrics-push-url': rx.pushgateway.url,
    'metrics-push-auth': `bearer ${secrets.pushToken}`,
    ...extra,
  };
}

async function deliver(r: Report, extra: Record<string, string> = {}, deadlineMs?: number) {
  const values = settings(extra);
  const options = resolveOptions((name) => values[name]);
  const lines: string[] = [];
  const platform = plainPlatform({
    summaryPath: join(dir, 'summary.md'),
    stdout: (l) => lines.push(l),
    stderr: (l) => lines.push(l),
  });
  await notifyAndPush(r, { config, options, platform, deadlineMs });
  return lines;
}

const failing = () =>
  report([
    cluster('c1', 'failed', 'abc12345', { errors: [`ocm createSyncSet → 400 (token ${secrets.leaked})`] }),
    cluster('c2', 'failed', 'def67890'),
    cluster('c3', 'unchanged'),
  ]);

beforeAll(async () => {
  rx = await startReceivers();
});
afterAll(async () => {
  await rx.close();
});
beforeEach(() => {
  // Registered per test: the registry is reset before each one (test/setup.ts).
  new Secret(secrets.leaked);
  dir = mkdtempSync(join(tmpdir(), 'dtp-notify-'));
  for (const r of [rx.slack, rx.webhook, rx.pushgateway]) r.received.length = 0;
  rx.smtp.messages.length = 0;
});

describe('notifications after a reconcile', () => {
  it('sends one aggregated message per tenant and one to the admins on every channel', async () => {
    const lines = await deliver(failing());
    expect(lines.join('\n')).toContain('notifications: 3 notices, 9 messages sent');
    // Slack: three posts, each listing only its audience's clusters.
    const slack = rx.slack.received.map((m) => JSON.parse(m.body).text as string);
    expect(slack).toHaveLength(3);
    const tenantPost = slack.find((t) => t.includes('tenant abc12345'))!;
    expect(tenantPost).toContain('Newly failing clusters (1)');
    expect(tenantPost).toContain('production/cluster-c1 (c1)');
    expect(tenantPost).not.toContain('cluster-c2');
    expect(tenantPost).toContain('Owners: #platform-sre');
    const adminPost = slack.find((t) => t.includes('all tenants'))!;
    expect(adminPost).toContain('Newly failing clusters (2)');
    expect(rx.slack.received.every((m) => m.path === secrets.slackPath)).toBe(true);

    // Email: to the owners' addresses, and to the admins in one message.
    const to = rx.smtp.messages.map((m) => m.to.sort().join(','));
    expect(to.sort()).toEqual([
      'admins@example.com,oncall@example.com',
      'obs@example.com',
      'sre@example.com',
    ]);
    const mail = rx.smtp.messages.find((m) => m.to.includes('obs@example.com'))!;
    expect(mail.from).toBe('dtp@example.com');
    expect(mail.user).toBe('dtp');
    expect(mail.data).toMatch(/^Subject: dtp: tenant def67890: 1 failing$/m);
    expect(mail.data).toContain('production/cluster-c2 (c2)');

    // Webhook: JSON events, signed.
    const hooks = rx.webhook.received.map((m) => JSON.parse(m.body));
    expect(hooks.map((h) => h.audience.kind).sort()).toEqual(['admins', 'tenant', 'tenant']);
    expect(hooks.find((h) => h.audience.tenant === 'def67890').events.newlyFailing).toMatchObject([
      { id: 'c2' },
    ]);
  });

  it('signs the webhook body with HMAC-SHA256 so the receiver can verify it', async () => {
    await deliver(failing());
    expect(rx.webhook.received.length).toBeGreaterThan(0);
    for (const m of rx.webhook.received) {
      const expected = `sha256=${createHmac('sha256', secrets.hmac).update(m.body).digest('hex')}`;
      expect(m.headers[SIGNATURE_HEADER]).toBe(expected);
      const forged = `sha256=${createHmac('sha256', secrets.hmac).update(`${m.body} `).digest('hex')}`;
      expect(m.headers[SIGNATURE_HEADER]).not.toBe(forged);
    }
  });

  it('sends nothing the second time, and tells it again when the state file is lost', async () => {
    await deliver(failing());
    const first = rx.webhook.received.length;
    const lines = await deliver(failing());
    expect(rx.webhook.received.length).toBe(first);
    expect(lines.join('\n')).toContain('nothing new');
    rmSync(join(dir, 'state.json'));
    await deliver(failing());
    expect(rx.webhook.received.length).toBe(first * 2);
  });

  it('turns a failed delivery into a warning and tells it again next run', async () => {
    rx.webhook.failNext(10, 503);
    const lines = await deliver(failing());
    expect(lines).toContainEqual(
      expect.stringMatching(/^warning: notification to .* over webhook failed: webhook: HTTP 503$/),
    );
    expect(rx.webhook.received.length).toBe(3);
    rx.webhook.failNext(0);
    await deliver(failing());
    expect(rx.webhook.received.length).toBe(6);
    expect(JSON.parse(rx.webhook.received[5]!.body).events.newlyFailing.length).toBeGreaterThan(0);
  });

  it('gives up on a receiver that never answers, with a warning, and tells it again next run', async () => {
    rx.webhook.holding = true;
    rx.pushgateway.holding = true;
    try {
      const lines = await deliver(failing(), {}, 200);
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^warning: notification to .* over webhook failed: webhook: request failed \(timed out\)$/,
        ),
      );
      expect(lines).toContainEqual(expect.stringMatching(/^warning: metrics push failed: .*timed out/));
      // Slack and email went out; the state was kept, so the webhook's news is still news.
      expect(rx.slack.received).toHaveLength(3);
    } finally {
      rx.webhook.holding = false;
      rx.pushgateway.holding = false;
    }
    await deliver(failing());
    expect(JSON.parse(rx.webhook.received.at(-1)!.body).events.newlyFailing.length).toBeGreaterThan(0);
  });

  it('warns about a corrupt state file and notifies again', async () => {
    await deliver(failing());
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'state.json'), '{ half a docu');
    const before = rx.slack.received.length;
    const lines = await deliver(failing());
    expect(lines).toContainEqual(expect.stringContaining('is corrupt: starting over'));
    expect(rx.slack.received.length).toBe(before * 2);
  });

  it('never puts a secret in a message', async () => {
    await deliver(failing());
    await deliver(report([cluster('c1', 'unchanged'), cluster('c2', 'unchanged', 'def67890')]));
    // Paths and headers aside (the receivers' own URLs, the push credentials), no body carries a secret.
    const bodies = [
      ...[rx.slack, rx.webhook, rx.pushgateway].flatMap((r) => r.received.map((m) => m.body)),
      ...rx.smtp.messages.map((m) => m.data),
    ];
    const hits = Object.values(secrets).flatMap((s) =>
      bodies.filter((b) => b.includes(s)).map(() => s.slice(0, 8)),
    );
    expect(hits).toEqual([]);
    // The leaked value was there, and was redacted.
    expect(bodies.join('\n')).toContain('(token ***)');
    expect(rx.slack.received.some((m) => m.body.includes('recovered') || m.body.includes('Recovered'))).toBe(
      true,
    );
  });

  it('does not notify in plan mode, and never for a run that could not start', async () => {
    await deliver({ ...failing(), mode: 'plan' });
    await deliver({ ...failing(), startupError: 'Vault login failed', exitCode: 3 });
    expect(rx.slack.received).toEqual([]);
    expect(rx.smtp.messages).toEqual([]);
    expect(rx.pushgateway.received).toHaveLength(2);
  });

  it('neither notifies nor pushes for a run stopped by a signal', async () => {
    await deliver({ ...failing(), interrupted: { signal: 'SIGTERM', notProcessed: 3, compensated: 0 } });
    expect(rx.slack.received).toEqual([]);
    expect(rx.pushgateway.received).toEqual([]);
  });
});

describe('the metrics push', () => {
  it('PUTs a body that parses, to the shard group, with the configured auth', async () => {
    await deliver(failing(), { shard: '2/3' });
    const [push] = rx.pushgateway.received;
    expect(push).toMatchObject({ method: 'PUT', path: '/metrics/job/dtp/shard/2_of_3' });
    expect(push!.headers.authorization).toBe(`Bearer ${secrets.pushToken}`);
    expect(push!.headers['content-type']).toContain('version=0.0.4');
    expect(parsePrometheusText(push!.body).get('dtp_build_info')!.samples[0]!.labels.version).toBe('9.9.9');
  });

  it('sends basic auth', async () => {
    await deliver(failing(), {
      'metrics-push-auth': 'basic pusher:s3cret-push-pass',
      'notify-slack-url': '',
    });
    expect(rx.pushgateway.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('pusher:s3cret-push-pass').toString('base64')}`,
    );
  });

  it('turns a failed push into a warning', async () => {
    rx.pushgateway.failNext(1, 500);
    const lines = await deliver(failing());
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^warning: metrics push failed: Pushgateway \/metrics\/job\/dtp\/shard\/1_of_1: HTTP 500/,
      ),
    );
  });

  it('keeps a state file per shard', () => {
    const values = settings({ shard: '2/4' });
    expect(stateFileFor(resolveOptions((n) => values[n]))).toBe(join(dir, 'state-shard-2-of-4.json'));
  });
});

describe('settings', () => {
  it('rejects a malformed auth, URL or admin address without echoing the secret', () => {
    const values = settings({
      'metrics-push-auth': 'token-without-scheme-abc',
      'notify-smtp-url': 'http://mail.example.com',
      'notify-admins': 'not-an-address',
    });
    let message = '';
    try {
      resolveOptions((n) => values[n]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('metrics-push-auth: must be "basic <user>:<password>" or "bearer <token>"');
    expect(message).toContain('notify-smtp-url: scheme http: is not smtp or smtps');
    expect(message).toContain('notify-admins: "not-an-address"');
    expect(message).not.toContain('token-without-scheme-abc');
  });
});
