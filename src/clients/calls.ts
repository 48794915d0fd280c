/**
 * What every client shares and that needs no HTTP library: call statistics, the retry backoff, and whether a
 * proxy is configured. Kept apart from http.ts (undici) so that the Vault login, which starts before undici
 * is loaded (vault-transport.ts), can use them.
 */
import type { CallStat } from '../report/report.js';

/** Statistics per system and operation, shared by every client of a run. */
export class CallStats {
  readonly #stats = new Map<string, CallStat>();

  record(system: string, operation: string, delta: Partial<Omit<CallStat, 'system' | 'operation'>>): void {
    const key = `${system}\u0000${operation}`;
    let stat = this.#stats.get(key);
    if (!stat) {
      stat = { system, operation, calls: 0, retries: 0, rateLimited: 0, errors: 0, totalMs: 0 };
      this.#stats.set(key, stat);
    }
    stat.calls += delta.calls ?? 0;
    stat.retries += delta.retries ?? 0;
    stat.rateLimited += delta.rateLimited ?? 0;
    stat.errors += delta.errors ?? 0;
    stat.totalMs += delta.totalMs ?? 0;
  }

  snapshot(): CallStat[] {
    return [...this.#stats.values()]
      .map((s) => ({ ...s, totalMs: Math.round(s.totalMs) }))
      .sort((a, b) => a.system.localeCompare(b.system) || a.operation.localeCompare(b.operation));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: a random wait up to base × 2^(attempt−1), capped. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return random() * Math.min(capMs, baseMs * 2 ** (attempt - 1));
}

/**
 * Whether a proxy is configured in the environment. Every client honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 * (either case), the variables every other tool on a build machine or in a pod follows: one behaviour for
 * all systems, and none when they are unset.
 */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY);
}
