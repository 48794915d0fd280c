/**
 * Where notices go: a Slack incoming webhook, a generic JSON webhook with an HMAC-SHA256 signature of the
 * body, and email over SMTP (nodemailer). Every URL and credential is a `Secret`; errors name the channel
 * and the HTTP status or error code, never the URL (a Slack webhook URL is its own credential).
 */
import { createHmac } from 'node:crypto';
import { redact, Secret } from '../secret.js';
import type { Notice } from './events.js';
import { renderText, slackPayload, subject, webhookPayload, type MessageContext } from './message.js';

/** The header a receiver checks: `sha256=<hex HMAC-SHA256 of the raw body with notify-webhook-secret>`. */
export const SIGNATURE_HEADER = 'x-dtp-signature-256';

export interface Channel {
  readonly name: 'slack' | 'webhook' | 'email';
  /** Sends one notice; resolves false when the channel has nobody to send it to. */
  send(notice: Notice, context: MessageContext, signal: AbortSignal): Promise<boolean>;
}

function sign(body: string, secret: Secret): string {
  return `sha256=${createHmac('sha256', secret.reveal()).update(body).digest('hex')}`;
}

async function post(
  channel: string,
  url: Secret,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url.reveal(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal,
      redirect: 'error',
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const why =
      e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.name);
    throw new Error(`${channel}: request failed (${why})`, { cause: error });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`${channel}: HTTP ${response.status}`);
}

export function slackChannel(url: Secret): Channel {
  return {
    name: 'slack',
    async send(notice, context, signal) {
      const body = redact(JSON.stringify(slackPayload(notice, context)));
      await post('slack', url, body, {}, signal);
      return true;
    },
  };
}

export function webhookChannel(url: Secret, secret?: Secret): Channel {
  return {
    name: 'webhook',
    async send(notice, context, signal) {
      const body = redact(JSON.stringify(webhookPayload(notice, context)));
      await post('webhook', url, body, secret ? { [SIGNATURE_HEADER]: sign(body, secret) } : {}, signal);
      return true;
    },
  };
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

function recipientsOf(notice: Notice): string[] {
  const a = notice.audience;
  const all = a.kind === 'tenant' ? a.owners.map((o) => o.email ?? '') : a.recipients;
  return [...new Set(all.filter((r) => EMAIL.test(r)))];
}

export function emailChannel(smtpUrl: Secret, from: string | undefined, timeoutMs: number): Channel {
  const url = new URL(smtpUrl.reveal());
  // The password alone is a secret too: an SMTP error could echo it without the rest of the URL.
  if (url.password) new Secret(decodeURIComponent(url.password));
  const sender = from ?? `dtp@${url.hostname}`;
  return {
    name: 'email',
    async send(notice, context, signal) {
      const to = recipientsOf(notice);
      if (to.length === 0) return false;
      const { createTransport } = await import('nodemailer');
      const transport = createTransport({
        url: smtpUrl.reveal(),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      const abort = () => transport.close();
      signal.addEventListener('abort', abort, { once: true });
      try {
        await transport.sendMail({
          from: sender,
          to,
          subject: redact(subject(notice, context)),
          text: redact(renderText(notice, context)),
        });
      } catch (error) {
        const e = error as Error & { code?: string; responseCode?: number };
        throw new Error(`email: ${e.responseCode ? `SMTP ${e.responseCode}` : (e.code ?? 'failed')}`, {
          cause: error,
        });
      } finally {
        signal.removeEventListener('abort', abort);
        transport.close();
      }
      return true;
    },
  };
}
