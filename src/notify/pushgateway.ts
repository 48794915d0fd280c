/**
 * Pushes metrics.prom to a Prometheus Pushgateway. One group per shard (`job="dtp"`, `shard="<i>_of_<n>"`):
 * a PUT replaces the whole group, so a metric that a run no longer writes (a deleted tenant) disappears
 * instead of lingering from an earlier run, and parallel shards never overwrite each other.
 */
import { Secret } from '../secret.js';

export type PushAuth =
  { scheme: 'basic'; user: string; password: Secret } | { scheme: 'bearer'; token: Secret };

/**
 * `metrics-push-auth`: `basic <user>:<password>` or `bearer <token>`. Returns a problem text for a value of
 * another shape (never echoing the value).
 */
export function parsePushAuth(value: Secret): PushAuth | string {
  const m = /^(basic|bearer)\s+(\S.*)$/i.exec(value.reveal().trim());
  if (!m) return 'metrics-push-auth: must be "basic <user>:<password>" or "bearer <token>"';
  const rest = m[2]!.trim();
  if (m[1]!.toLowerCase() === 'bearer') return { scheme: 'bearer', token: new Secret(rest) };
  const colon = rest.indexOf(':');
  if (colon < 1) return 'metrics-push-auth: basic needs "<user>:<password>"';
  return { scheme: 'basic', user: rest.slice(0, colon), password: new Secret(rest.slice(colon + 1)) };
}

function authorization(auth: PushAuth): Secret {
  const value =
    auth.scheme === 'bearer'
      ? `Bearer ${auth.token.reveal()}`
      : `Basic ${Buffer.from(`${auth.user}:${auth.password.reveal()}`).toString('base64')}`;
  return new Secret(value);
}

function groupingPath(shard: { index: number; count: number }): string {
  return `/metrics/job/dtp/shard/${shard.index}_of_${shard.count}`;
}

export async function pushMetrics(
  body: string,
  target: { url: string; auth?: PushAuth; shard: { index: number; count: number } },
  signal: AbortSignal,
): Promise<void> {
  const url = `${target.url.replace(/\/+$/, '')}${groupingPath(target.shard)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'PUT',
      headers: {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        ...(target.auth ? { authorization: authorization(target.auth).reveal() } : {}),
      },
      body,
      signal,
      redirect: 'error',
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const why =
      e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.name);
    throw new Error(`Pushgateway ${groupingPath(target.shard)}: request failed (${why})`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    throw new Error(
      `Pushgateway ${groupingPath(target.shard)}: HTTP ${response.status}${text ? ` ${text.slice(0, 200).trim()}` : ''}`,
    );
  }
}
