/**
 * The plumbing the three simulators share: a node:http server on 127.0.0.1 with an ephemeral port, a small
 * router, a record of every request, and fault injection per operation, driven by a seeded random stream so
 * a run can be repeated. Faults come in two kinds: before the request is handled (latency, 429 rate limit,
 * 5xx, connection resets, hangs, fail-next-N: nothing changed) and after it was handled (lost answers and
 * altered answers: the change is applied, then the answer is dropped, cut, replaced or made to lie).
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
  /** Share of requests that are handled (a write is applied), then lose their answer: the connection drops. */
  lostAnswerRate?: number;
  /** Alters the answers of successful (2xx) requests after the simulator handled them. */
  answer?: AnswerFault;
}

/** What happens to an answer after the request was handled; several may combine. */
export interface AnswerFault {
  /** How many answers to alter from now on; every one when absent. */
  count?: number;
  /** Lose the answer after the change was applied: drop the connection, or never answer (client timeout). */
  lose?: 'reset' | 'hang';
  /** Send this body instead: the real JSON cut short, a proxy's HTML page, nothing, or raw text. */
  body?: 'truncated' | 'html' | 'empty' | { raw: string; contentType?: string };
  /** Answer with this status instead of the real one (an HTML page with 200, a 201 that says 200 …). */
  status?: number;
  /** Top-level members removed from the JSON answer (`token` of a created token). */
  drop?: string[];
  /** Top-level members set on the JSON answer (`totalCount: 500` and `apiTokens: []`, OCM `total`). */
  set?: Record<string, unknown>;
  /** Every page's `nextPageKey` leads back to the first page: a listing that never ends. */
  loopPageKey?: boolean;
}

/** The page key of a looping listing (AnswerFault.loopPageKey). */
export const LOOP_PAGE_KEY = 'sandbox-loop';

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
  fault?: 'rate-limit' | 'error' | 'reset' | 'hang' | 'fail-next' | 'lost-answer' | 'altered-answer';
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
  /** Sent as is instead of `body` as JSON (altered answers only). */
  raw?: { text: string; contentType?: string };
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
  /** Answers left to alter per fault-plan key, when the AnswerFault has a count. */
  #answersLeft = new Map<string, number>();
  /** The query of the first page of each looping listing, served again for its page key. */
  #loopQuery = new Map<string, string>();
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
    this.#answersLeft.clear();
    this.#loopQuery.clear();
    for (const [operation, spec] of Object.entries(plan)) {
      if (spec.failNext) this.#failNext.set(operation, { ...spec.failNext });
      if (spec.answer?.count !== undefined) this.#answersLeft.set(operation, spec.answer.count);
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
    const { route, params, pathMatched } = this.#match(url.pathname, method);
    const operation = route?.operation ?? 'unknown';
    // As sent: a looping listing's page key is answered with another query (see #loopBack).
    const sentPath = `${url.pathname}${url.search}`;
    const record = (status: number, fault?: RequestRecord['fault']) =>
      this.options.record({
        system: this.system,
        operation,
        method,
        path: sentPath,
        status,
        at,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(fault ? { fault } : {}),
      });

    const raw = await readBody(req);
    const fault = this.#faultFor(operation);
    if (route && fault.answer?.loopPageKey) this.#loopBack(operation, url);
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
    if (injected && injected !== 'lose') {
      record(injected.response.status, injected.kind);
      send(res, injected.response);
      return;
    }

    const response = route
      ? await this.#run(route, {
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: parseBody(raw, req.headers['content-type']),
          params: params as Record<ParamName, string>,
        })
      : {
          status: pathMatched ? 405 : 404,
          body: this.options.errorBody(
            pathMatched ? 405 : 404,
            pathMatched ? `Method ${method} is not allowed` : `No resource at ${url.pathname}`,
          ),
        };
    const altered =
      route && response.status < 300 ? this.#alter(operation, fault.answer, response) : undefined;
    const lose = injected === 'lose' ? 'reset' : altered?.lose;
    if (lose) {
      // The handler ran: the write is applied, and its answer never arrives.
      record(0, 'lost-answer');
      if (lose === 'reset') req.socket.destroy();
      return;
    }
    record((altered?.response ?? response).status, altered ? 'altered-answer' : undefined);
    send(res, altered?.response ?? response);
  }

  #match(
    pathname: string,
    method: string,
  ): { route?: CompiledRoute; params: Record<string, string>; pathMatched: boolean } {
    let pathMatched = false;
    for (const r of this.#routes) {
      const m = r.regex.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
      return { route: r, params, pathMatched };
    }
    return { params: {}, pathMatched };
  }

  async #run(route: CompiledRoute, simReq: SimRequest): Promise<SimResponse> {
    try {
      const response = await route.handler(simReq);
      this.options.onExchange?.(route.operation, simReq, response);
      return response;
    } catch (error) {
      return {
        status: 500,
        body: this.options.errorBody(500, `simulator error: ${(error as Error).message}`),
      };
    }
  }

  /** A request for the looping page key is served the first page's query again. */
  #loopBack(operation: string, url: URL): void {
    const key = url.searchParams.get('nextPageKey');
    if (key === null) this.#loopQuery.set(operation, url.search);
    else if (key === LOOP_PAGE_KEY) url.search = this.#loopQuery.get(operation) ?? '';
  }

  /** The answer as the fault plan alters it, or undefined when it is sent as the simulator made it. */
  #alter(
    operation: string,
    fault: AnswerFault | undefined,
    response: SimResponse,
  ): { response: SimResponse; lose?: 'reset' | 'hang' } | undefined {
    if (!fault) return undefined;
    const key = this.#faults[operation]?.answer ? operation : '*';
    const left = this.#answersLeft.get(key);
    if (left !== undefined) {
      if (left <= 0) return undefined;
      this.#answersLeft.set(key, left - 1);
    }
    if (fault.lose) return { response, lose: fault.lose };
    let body = response.body;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const copy: Record<string, unknown> = { ...(body as Record<string, unknown>), ...fault.set };
      for (const member of fault.drop ?? []) delete copy[member];
      if (fault.loopPageKey) copy.nextPageKey = LOOP_PAGE_KEY;
      body = copy;
    }
    const status = fault.status ?? response.status;
    return { response: { ...response, status, body, ...rawBody(fault.body, body, status) } };
  }

  #inject(
    operation: string,
    fault: FaultSpec,
    partition: string,
  ): 'reset' | 'hang' | 'lose' | { kind: RequestRecord['fault']; response: SimResponse } | undefined {
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
    edge += fault.lostAnswerRate ?? 0;
    if (roll < edge) return 'lose';
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

/** The replacement body of an altered answer, if the fault asks for one. */
function rawBody(
  kind: AnswerFault['body'],
  body: unknown,
  status: number,
): { raw: { text: string; contentType?: string } } | Record<string, never> {
  if (kind === undefined) return {};
  if (kind === 'empty') return { raw: { text: '' } };
  if (kind === 'truncated') {
    const json = JSON.stringify(body ?? {});
    return { raw: { text: json.slice(0, Math.floor(json.length / 2)), contentType: 'application/json' } };
  }
  if (kind === 'html') {
    const page = `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>Service temporarily unavailable</h1><p>The proxy could not reach the service.</p></body></html>`;
    return { raw: { text: page, contentType: 'text/html; charset=utf-8' } };
  }
  return { raw: { text: kind.raw, contentType: kind.contentType } };
}

function send(res: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (response.raw) {
    payload = response.raw.text;
    if (response.raw.contentType) headers['content-type'] = response.raw.contentType;
  } else if (response.body !== undefined && response.status !== 204) {
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
