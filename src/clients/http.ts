/**
 * The one HTTP layer under every client: connection pools, timeouts, retries with full-jitter backoff that
 * honour Retry-After and Dynatrace's X-RateLimit-Reset, a request-rate limit per remote system that slows
 * down on 429 and recovers, and call statistics for the report. Clients speak in domain operations; this
 * file knows nothing of OCM, Dynatrace or Vault except what the caller passes in.
 */
// undici's public API only: its index also loads fetch, WebSocket and the cache (start-up time and memory
// this run does not use), but private `lib/` paths are not a contract and break on any minor release.
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { MalformedAnswerError, OutcomeUnknownError, RemoteError } from '../errors.js';
import type { RemoteErrorDetails, RemoteSystem } from '../errors.js';
import { AnswerProblem } from './answers.js';
import type { AnswerCheck } from './answers.js';
import { backoffMs, proxyFromEnvironment, sleep } from './calls.js';
import type { CallStats } from './calls.js';
import { closeVaultAgents } from './vault-transport.js';

// Call statistics and the backoff live in calls.ts (no undici there); re-exported for the clients and tests.
export { backoffMs, CallStats, sleep } from './calls.js';

export interface HttpRequest<T = unknown> {
  /** Domain words for errors and statistics: "list api tokens", "create SyncSet". */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, appended to the base URL. Never put a secret in it. */
  path: string;
  json?: unknown;
  form?: Record<string, string>;
  /** Extra headers, e.g. Authorization for the SSO call. */
  headers?: Record<string, string>;
  /**
   * Safe to send twice. GET, PUT and DELETE are; a POST that mints a token is not: after a connection reset
   * it may have happened, and a second one would mint a twin.
   */
  idempotent?: boolean;
  /** Statuses returned to the caller instead of thrown (404 for "look up, may be absent"). */
  accept?: number[];
  /**
   * The shape of a 2xx answer the caller relies on (answers.ts); without it the body comes back unchecked.
   * A body that is not JSON or not this shape fails the call: retried when idempotent, else the outcome of
   * the write is unknown. Accepted non-2xx statuses (404) are returned unchecked.
   */
  answer?: AnswerCheck<T>;
}

export interface HttpResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface HttpSettings {
  system: RemoteSystem;
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
  /** Requests per second to this base URL; the limiter halves it on 429 and creeps back on success. */
  rateLimit: number;
  /** Requests in flight at once to this base URL. */
  maxInFlight?: number;
  /** Authorization header value for each attempt (may refresh a token first). */
  authorization?: () => Promise<string | undefined>;
  /** Called once per request on 401, before one more try (a fresh OCM access token, for example). */
  onUnauthorized?: () => Promise<void>;
  /** The remote system's own error text, from its error body. */
  errorMessage?: (body: unknown) => string | undefined;
  stats: CallStats;
  /** Line-per-call logging (`verbose`). */
  log?: (line: string) => void;
  /** Base of the exponential backoff, ms. */
  backoffBaseMs?: number;
  /** Longest single wait between attempts, ms. */
  backoffCapMs?: number;
  random?: () => number;
  /**
   * The certificate authorities TLS trusts, when not only Node's roots: the roots plus the `ca-file` bundle
   * (vault-transport.ts caBundle). One list per run, shared by every client: agents are kept per list.
   */
  ca?: readonly string[];
}

const RETRY_STATUS_ANY_METHOD = new Set([429, 503]);
const RETRY_STATUS_IDEMPOTENT = new Set([500, 502, 504, 412]);
/** Transport failures after which the request may or may not have been processed. */
const AMBIGUOUS_CODES = new Set([
  'ECONNRESET',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TIMEOUT',
  'EPIPE',
]);
/** Transport failures where nothing reached the server: always safe to retry. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * Answers from a gateway whose upstream did not answer in time or at all: the write may have reached the
 * upstream. A 500 or 503 comes from the service itself and says the write failed or was not taken.
 */
const GATEWAY_LOST_STATUS = new Set([502, 504]);
/** TLS failures that a private CA explains; the error says which setting fixes it. */
const UNTRUSTED_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/**
 * Spaces requests evenly at `rate` per second, with no burst: an API that counts requests per second then
 * never sees more than it allows. A 429 stops every request to the system until its wait is over (hammering a
 * throttled API only extends the throttle) and lowers the rate by 10 % for the rest of the run: the limit we
 * were given was too high, and creeping back up would only find it again, one 429 at a time.
 */
export class RateLimiter {
  #rate: number;
  #lastRelease = -Infinity;
  #pausedUntil = 0;
  readonly #queue: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(rate: number) {
    this.#rate = rate;
  }

  get rate(): number {
    return this.#rate;
  }

  /**
   * Resolves when this request may go. Waiters queue first come first served and are released one at a
   * time, each at least one interval after the previous release *as it happened*: when the event loop
   * stalls, the queue waits rather than bursting to catch up (a burst is what a per-second limit punishes).
   */
  acquire(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#queue.push(resolve);
      this.#pump();
    });
  }

  // 2 % under the limit: a release a little late still lands under the limit of the next second.
  #interval(): number {
    return 1000 / (this.#rate * 0.98);
  }

  #pump(): void {
    if (this.#timer) return;
    for (;;) {
      const next = this.#queue[0];
      if (!next) return;
      const now = Date.now();
      const due = Math.max(this.#lastRelease + this.#interval(), this.#pausedUntil);
      if (due > now) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, due - now);
        return;
      }
      this.#queue.shift();
      // Stay on the grid when a timer fires late, but catch up at most 4 ms (or one interval) of requests:
      // timers are coarser than the interval at high rates, and a long stall must not turn into a burst.
      const lag = Math.max(this.#interval(), 4);
      this.#lastRelease = Number.isFinite(this.#lastRelease) ? Math.max(due, now - lag) : now;
      next();
    }
  }

  throttled(retryAt: number): void {
    if (retryAt > this.#pausedUntil) {
      // Requests already in flight answer 429 too: one lowering per pause, not one per answer.
      if (this.#pausedUntil < Date.now()) this.#rate = Math.max(0.5, this.#rate * 0.9);
      this.#pausedUntil = retryAt;
    }
  }
}

/** Counts in-flight requests and queues the rest, first come first served. */
class Gate {
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  async enter(): Promise<void> {
    if (this.#active < this.limit) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  leave(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active--;
  }
}

/** Dispatchers per trust list and pool size; keep-alive sockets are reused across clients. */
const agents = new Map<readonly string[] | undefined, Map<number, Dispatcher>>();

/**
 * The dispatcher for a pool size and trust list: the plain Agent, or one that honours the proxy variables
 * when they are set (its NO_PROXY matching is not needed on every call otherwise). Exported for Vault's
 * transport, which goes through it when a proxy is configured (vault-transport.ts says why).
 */
export function sharedDispatcher(connections: number, ca?: readonly string[]): Dispatcher {
  let pools = agents.get(ca);
  if (!pools) agents.set(ca, (pools = new Map()));
  let agent = pools.get(connections);
  if (!agent) {
    const tls = ca ? { ca: [...ca] } : undefined;
    const options = { connections, keepAliveTimeout: 10_000, pipelining: 1, connect: tls };
    agent = proxyFromEnvironment() ? proxyAgent(options, tls) : new Agent(options);
    pools.set(connections, agent);
  }
  return agent;
}

function proxyAgent(options: Agent.Options, tls: { ca: string[] } | undefined): Dispatcher {
  return new EnvHttpProxyAgent({ ...options, requestTls: tls, proxyTls: tls });
}

/** Closes pooled connections (Vault's own too) so a CLI run exits promptly. */
export async function closeHttpAgents(): Promise<void> {
  const all = [...agents.values()].flatMap((pools) => [...pools.values()]);
  agents.clear();
  closeVaultAgents();
  await Promise.all(all.map((a) => a.close().catch(() => undefined)));
}

export class HttpClient {
  readonly limiter: RateLimiter;
  readonly #gate: Gate;
  readonly #settings: Required<Pick<HttpSettings, 'backoffBaseMs' | 'backoffCapMs' | 'random'>> &
    HttpSettings;
  readonly #origin: string;
  /** The base URL's path (`/api/v2`, `/production`), before each request's path. */
  readonly #basePath: string;

  constructor(settings: HttpSettings) {
    this.#settings = { backoffBaseMs: 200, backoffCapMs: 20_000, random: Math.random, ...settings };
    // Parsed once, not per request: this is on the path of every call.
    const base = new URL(settings.baseUrl);
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.limiter = new RateLimiter(settings.rateLimit);
    this.#gate = new Gate(settings.maxInFlight ?? 32);
  }

  get system(): RemoteSystem {
    return this.#settings.system;
  }

  async request<T = unknown>(req: HttpRequest<T>): Promise<HttpResponse<T>> {
    const s = this.#settings;
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const started = performance.now();
    let attempt = 0;
    let refreshedAuth = false;
    let retries = 0;
    let rateLimited = 0;
    const finish = (errors: number) =>
      s.stats.record(s.system, req.operation, {
        calls: 1,
        retries,
        rateLimited,
        errors,
        totalMs: performance.now() - started,
      });

    for (;;) {
      attempt++;
      let outcome: Attempt;
      await this.limiter.acquire();
      await this.#gate.enter();
      const attemptStart = performance.now();
      try {
        outcome = await this.#attempt(req);
      } finally {
        this.#gate.leave();
      }
      s.log?.(
        `${s.system} ${req.method} ${req.path} → ${outcome.response?.status ?? outcome.code} ${Math.round(performance.now() - attemptStart)}ms${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
      );

      const response = outcome.response;
      if (response && response.status < 300) {
        const checked = req.answer ? checkAnswer(outcome, req.answer) : { body: response.body as T };
        if ('body' in checked) {
          finish(0);
          return { ...response, body: checked.body };
        }
        // A write that was answered 2xx happened; what it created cannot be read from this answer.
        if (!idempotent || attempt > s.maxRetries) {
          finish(1);
          const details = this.#details(req, attempt, {
            status: response.status,
            remoteMessage: checked.problem,
          });
          throw idempotent ? new MalformedAnswerError(details) : new OutcomeUnknownError(details);
        }
        retries++;
        await sleep(backoffMs(attempt, s.backoffBaseMs, s.backoffCapMs, s.random));
        continue;
      }
      if (response && req.accept?.includes(response.status)) {
        finish(0);
        return response as HttpResponse<T>;
      }
      if (response?.status === 401 && s.onUnauthorized && !refreshedAuth) {
        refreshedAuth = true;
        await s.onUnauthorized();
        continue;
      }

      const retryable = response
        ? RETRY_STATUS_ANY_METHOD.has(response.status) ||
          (idempotent && RETRY_STATUS_IDEMPOTENT.has(response.status))
        : NOT_SENT_CODES.has(outcome.code ?? '') || (idempotent && AMBIGUOUS_CODES.has(outcome.code ?? ''));
      if (!retryable || attempt > s.maxRetries) {
        finish(1);
        throw this.#failure(req, idempotent, outcome, attempt);
      }

      retries++;
      if (response?.status === 429) rateLimited++;
      await sleep(this.#waitBefore(attempt, response));
    }
  }

  /** How long to wait after this attempt: backoff, or longer when the server said so (429, 503). */
  #waitBefore(attempt: number, response: HttpResponse | undefined): number {
    const s = this.#settings;
    const backoff = backoffMs(attempt, s.backoffBaseMs, s.backoffCapMs, s.random);
    if (response?.status === 429) {
      const wait = Math.min(s.backoffCapMs * 3, Math.max(retryAfterMs(response.headers) ?? 0, backoff));
      this.limiter.throttled(Date.now() + wait);
      return wait;
    }
    if (response?.status === 503) {
      const told = retryAfterMs(response.headers);
      if (told !== undefined) return Math.min(s.backoffCapMs * 3, Math.max(told, backoff));
    }
    return backoff;
  }

  #details(
    req: HttpRequest<unknown>,
    attempts: number,
    extra: Partial<RemoteErrorDetails>,
  ): RemoteErrorDetails {
    return {
      system: this.#settings.system,
      operation: req.operation,
      method: req.method,
      path: req.path,
      attempts,
      ...extra,
    };
  }

  /**
   * The error for a call that will not be tried again. A write that was sent and then lost its answer (reset,
   * closed socket, timeout, a gateway that lost the upstream) is an OutcomeUnknownError: it may have been
   * applied, and the caller must find out before doing it again.
   */
  #failure(req: HttpRequest<unknown>, idempotent: boolean, outcome: Attempt, attempts: number): RemoteError {
    const response = outcome.response;
    if (response) {
      const details = this.#details(req, attempts, {
        status: response.status,
        remoteMessage: this.#settings.errorMessage?.(response.body),
      });
      return !idempotent && GATEWAY_LOST_STATUS.has(response.status)
        ? new OutcomeUnknownError(details)
        : new RemoteError(details);
    }
    const code = outcome.code ?? 'UND_ERR_SOCKET';
    if (!idempotent && AMBIGUOUS_CODES.has(code)) {
      return new OutcomeUnknownError(this.#details(req, attempts, { code, remoteMessage: outcome.message }));
    }
    const remoteMessage = UNTRUSTED_CERT_CODES.has(code)
      ? 'the server certificate is not signed by a trusted CA: set ca-file to a PEM bundle with the issuing CA'
      : outcome.message;
    return new RemoteError(this.#details(req, attempts, { code, remoteMessage }));
  }

  async #attempt(req: HttpRequest): Promise<Attempt> {
    const s = this.#settings;
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    // A credential that cannot be obtained (SSO refused) throws from here: not a transport problem to retry.
    const auth = await s.authorization?.();
    if (auth) headers.authorization = auth;
    // undici's own timeouts, not an AbortSignal.timeout per request: those keep a timer (and the request's
    // closures) alive for the whole timeout even after the answer came, which at 10,000 requests is real memory.
    try {
      const res = await sharedDispatcher(Math.max(8, s.maxInFlight ?? 32), s.ca).request({
        origin: this.#origin,
        path: this.#basePath + req.path || '/',
        method: req.method,
        headers,
        body,
        headersTimeout: s.timeoutMs,
        bodyTimeout: s.timeoutMs,
      });
      const text = await res.body.text();
      const type = String(res.headers['content-type'] ?? '');
      let parsed: unknown = text || undefined;
      let json = false;
      if (text) {
        try {
          parsed = JSON.parse(text);
          json = true;
        } catch {
          // An error page or a cut-off answer: kept as text for error messages, refused by checkAnswer.
        }
      }
      return {
        response: { status: res.statusCode, body: parsed, headers: res.headers },
        json,
        contentType: type,
        bytes: Buffer.byteLength(text),
      };
    } catch (error) {
      const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
      const code =
        e.name === 'TimeoutError' ||
        e.name === 'AbortError' ||
        e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
        e.code === 'UND_ERR_BODY_TIMEOUT'
          ? 'TIMEOUT'
          : (e.code ?? e.cause?.code ?? 'UND_ERR_SOCKET');
      const message = code === 'TIMEOUT' ? `no answer within ${s.timeoutMs / 1000}s` : undefined;
      return { code, message };
    }
  }
}

interface Attempt {
  response?: HttpResponse;
  /** The body parsed as JSON. */
  json?: boolean;
  contentType?: string;
  bytes?: number;
  code?: string;
  message?: string;
}

/** The checked body of a 2xx answer, or what is wrong with it (never the body's text: it is untrusted). */
function checkAnswer<T>(outcome: Attempt, answer: AnswerCheck<T>): { body: T } | { problem: string } {
  if (!outcome.json) {
    const what = outcome.contentType?.split(';')[0] || 'no content type';
    if (!outcome.bytes) return { problem: 'malformed answer: the body is empty, not JSON' };
    return {
      problem: /json/i.test(what)
        ? `malformed answer: the JSON body is cut short or invalid (${outcome.bytes} bytes)`
        : `malformed answer: ${what} (${outcome.bytes} bytes), not JSON`,
    };
  }
  try {
    return { body: answer(outcome.response?.body) };
  } catch (error) {
    if (error instanceof AnswerProblem) return { problem: `malformed answer: ${error.message}` };
    throw error;
  }
}

/**
 * How long the server asked us to wait: `Retry-After` in seconds or as an HTTP date, or Dynatrace's
 * `X-RateLimit-Reset`, a Unix time in microseconds.
 */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const first = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const retryAfter = first('retry-after');
  if (retryAfter !== undefined) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = first('x-ratelimit-reset');
  if (reset !== undefined && /^\d+$/.test(reset.trim())) {
    const atMs = Number(reset) / 1000;
    if (atMs > now) return atMs - now;
    return 0;
  }
  return undefined;
}
