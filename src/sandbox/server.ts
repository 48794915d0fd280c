/**
 * The plumbing the three simulators share: a node:http server on 127.0.0.1 with an ephemeral port, a small
 * router, a record of every request, and fault injection (latency, 429 rate limit, 5xx, connection resets,
 * hangs, fail-next-N) per operation, driven by a seeded random stream so a run can be repeated.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Random } from './random.js';

export type SystemName = 'ocm' | 'sso' | 'dynatrace' | 'vault';

export interface FaultSpec {
  /** Added to every answer, ms. */
  latencyMs?: number;
  /** Uniform extra latency 0..jitterMs. */
  jitterMs?: number;
  /** Requests per second this operation accepts; more are answered 429 with Retry-After. */
  rateLimit?: number;
  /** Share (0..1) of requests answered with 500/502/503. */
  errorRate?: number;
  /** Share of requests whose connection is reset before an answer. */
  resetRate?: number;
  /** Share of requests never answered (the client's timeout must fire). */
  hangRate?: number;
  /** The next `count` requests fail with `status` (or a reset when status is 0). */
  failNext?: { count: number; status: number };
}

/** Faults by operation name (see each simulator's routes) or `*` for every operation. */
export type FaultPlan = Record<string, FaultSpec>;

export interface RequestRecord {
  system: SystemName;
  operation: string;
  method: string;
  /** Path and query as sent. */
  path: string;
  status: number;
  /** When the request arrived (epoch ms). */
  at: number;
  ms: number;
  /** The injected fault, if one decided the answer. */
  fault?: 'rate-limit' | 'error' | 'reset' | 'hang' | 'fail-next';
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON or form body; raw text when neither. */
  body: unknown;
  /** Path parameters of the route (`:id` → `params.id`); only the names the routes use. */
  params: Record<ParamName, string>;
}

export type ParamName = 'env' | 'id' | 'cluster' | 'tenant' | 'mount' | 'path';

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface Route {
  method: string;
  /** `/api/clusters_mgmt/v1/clusters/:id`; a trailing `*rest` takes the remainder. */
  pattern: string;
  operation: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      if (part.startsWith('*')) {
        names.push(part.slice(1));
        return '(.+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${source}$`), names };
}

/** A 429 as the system sends it; each simulator formats its own body. */
export type RateLimitAnswer = (retryAfterS: number, limit: number) => SimResponse;

export interface SimServerOptions {
  system: SystemName;
  routes: Route[];
  /** The error body for a status, in the system's own format. */
  errorBody: (status: number, message: string) => unknown;
  rateLimitAnswer?: RateLimitAnswer;
  seed: number;
  record: (r: RequestRecord) => void;
  /** Sees every routed request with its answer (contract checks in tests). */
  onExchange?: (operation: string, req: SimRequest, res: SimResponse) => void;
  /**
   * What a rate limit counts separately, from the path: one OCM environment, one Dynatrace tenant. Real
   * APIs limit each of those on its own.
   */
  partitionOf?: (path: string) => string;
}

export class SimServer {
  readonly system: SystemName;
  #server: Server;
  #routes: CompiledRoute[];
  #faults: FaultPlan = {};
  #failNext = new Map<string, { count: number; status: number }>();
  #windows = new Map<string, { start: number; count: number }>();
  #random: Random;
  url = '';

  constructor(private readonly options: SimServerOptions) {
    this.system = options.system;
    this.#routes = options.routes.map(compile);
    this.#random = new Random(options.seed);
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5000;
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Replaces the fault plan; `failNext` entries start counting now. */
  setFaults(plan: FaultPlan): void {
    this.#faults = plan;
    this.#failNext.clear();
    this.#windows.clear();
    for (const [operation, spec] of Object.entries(plan)) {
      if (spec.failNext) this.#failNext.set(operation, { ...spec.failNext });
    }
  }

  operations(): string[] {
    return this.#routes.map((r) => r.operation);
  }

  #faultFor(operation: string): FaultSpec {
    return { ...this.#faults['*'], ...this.#faults[operation] };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    let route: CompiledRoute | undefined;
    let params: Record<string, string> = {};
    let pathMatched = false;
    for (const r of this.#routes) {
      const m = r.regex.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      route = r;
      params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
      break;
    }
    const operation = route?.operation ?? 'unknown';
    const record = (status: number, fault?: RequestRecord['fault']) =>
      this.options.record({
        system: this.system,
        operation,
        method,
        path: `${url.pathname}${url.search}`,
        status,
        at,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(fault ? { fault } : {}),
      });

    const raw = await readBody(req);
    const fault = this.#faultFor(operation);
    const delay = (fault.latencyMs ?? 0) + (fault.jitterMs ? this.#random.next() * fault.jitterMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    const injected = route
      ? this.#inject(operation, fault, this.options.partitionOf?.(url.pathname) ?? '')
      : undefined;
    if (injected === 'reset') {
      record(0, 'reset');
      req.socket.destroy();
      return;
    }
    if (injected === 'hang') {
      record(0, 'hang');
      return;
    }
    if (injected) {
      record(injected.response.status, injected.kind);
      send(res, injected.response);
      return;
    }

    let response: SimResponse;
    if (!route) {
      response = {
        status: pathMatched ? 405 : 404,
        body: this.options.errorBody(
          pathMatched ? 405 : 404,
          pathMatched ? `Method ${method} is not allowed` : `No resource at ${url.pathname}`,
        ),
      };
    } else {
      const simReq: SimRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: parseBody(raw, req.headers['content-type']),
        params: params as Record<ParamName, string>,
      };
      try {
        response = await route.handler(simReq);
        this.options.onExchange?.(operation, simReq, response);
      } catch (error) {
        response = {
          status: 500,
          body: this.options.errorBody(500, `simulator error: ${(error as Error).message}`),
        };
      }
    }
    record(response.status);
    send(res, response);
  }

  #inject(
    operation: string,
    fault: FaultSpec,
    partition: string,
  ): 'reset' | 'hang' | { kind: RequestRecord['fault']; response: SimResponse } | undefined {
    const next = this.#failNext.get(operation) ?? this.#failNext.get('*');
    if (next && next.count > 0) {
      next.count--;
      if (next.status === 0) return 'reset';
      return {
        kind: 'fail-next',
        response: { status: next.status, body: this.options.errorBody(next.status, 'injected failure') },
      };
    }
    if (fault.rateLimit !== undefined) {
      const key = `${this.#faults[operation]?.rateLimit !== undefined ? operation : '*'}|${partition}`;
      const now = Date.now();
      let w = this.#windows.get(key);
      if (!w || now - w.start >= 1000) {
        w = { start: now, count: 0 };
        this.#windows.set(key, w);
      }
      w.count++;
      if (w.count > fault.rateLimit) {
        const retryAfterS = Math.max(1, Math.ceil((w.start + 1000 - now) / 1000));
        const answer = this.options.rateLimitAnswer?.(retryAfterS, fault.rateLimit) ?? {
          status: 429,
          body: this.options.errorBody(429, 'Too Many Requests'),
          headers: { 'retry-after': String(retryAfterS) },
        };
        return { kind: 'rate-limit', response: answer };
      }
    }
    const roll = this.#random.next();
    let edge = fault.resetRate ?? 0;
    if (roll < edge) return 'reset';
    edge += fault.hangRate ?? 0;
    if (roll < edge) return 'hang';
    edge += fault.errorRate ?? 0;
    if (roll < edge) {
      const status = [500, 502, 503][Math.floor(this.#random.next() * 3)] ?? 500;
      return {
        kind: 'error',
        response: { status, body: this.options.errorBody(status, 'injected server error') },
      };
    }
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  // JSON first, whatever the content type says: Vault reads a JSON body even when curl labels it a form.
  if (/^\s*[[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      // not JSON after all
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  return raw;
}

function send(res: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (response.body !== undefined && response.status !== 204) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** `page`/`size` paging as OCM does it: pages from 1, a bounded size, the total of all matches. */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  maxSize = 500,
): { page: number; size: number; total: number; items: T[] } | { error: string } {
  const page = Number(query.get('page') ?? '1');
  const size = Number(query.get('size') ?? '100');
  if (!Number.isInteger(page) || page < 1)
    return { error: `Value '${query.get('page')}' of 'page' is not valid` };
  if (!Number.isInteger(size) || size < 0 || size > maxSize) {
    return { error: `Value '${query.get('size')}' of 'size' must be between 0 and ${maxSize}` };
  }
  const slice = items.slice((page - 1) * size, page * size);
  return { page, size: slice.length, total: items.length, items: slice };
}
