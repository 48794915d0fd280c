/**
 * The HTTP transport of the Vault client (vault.ts; the shape of node-vault's `request-promise` hook, which
 * it once plugged into in place of axios). Why not axios: it follows up to 21 redirects to any host and from https to http, re-sending `X-Vault-Token` and the login
 * body (secret id, JWT) — a redirect from a compromised or misconfigured proxy would hand the token to
 * whoever it names. Here nothing is followed: a 3xx becomes an error that names only the target's origin.
 * TLS is always verified, against the system roots plus the `ca-file` bundle when one is given.
 *
 * It speaks through Node's own http/https modules, not undici: the Vault login is a run's first request, and
 * this way it goes out before undici (the clients module, ~40 ms to load) is loaded; undici then loads while
 * Vault answers (run.ts). With a proxy configured (HTTPS_PROXY, HTTP_PROXY), Vault goes through the shared
 * undici dispatcher instead, like every other client (http.ts): Node 24's own proxy support (the Agent's
 * `proxyEnv`) decides differently — an https URL does not fall back to HTTP_PROXY, a NO_PROXY entry
 * `example.com` does not cover `vault.example.com`, an empty lowercase variable does not hide the uppercase
 * one, and an https:// proxy is not checked against the ca-file — and one proxy behaviour for all systems is
 * worth more than 40 ms at start.
 */
import { readFileSync } from 'node:fs';
import type { Agent as HttpAgent } from 'node:http';
import { StartupError } from '../errors.js';
import { proxyFromEnvironment } from './calls.js';

/** What node-vault hands its request function (the subset it uses). */
export interface VaultRequest {
  method: string;
  uri: string;
  /** A header whose value is undefined is not sent. */
  headers?: Record<string, string | undefined>;
  /** The JSON body, or `true` (request-promise's "parse the answer as JSON"). */
  json?: unknown;
}

/** What node-vault's response handling reads. */
export interface VaultResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

export interface VaultTransportSettings {
  timeoutMs: number;
  caFile?: string;
}

type Send = (request: VaultRequest) => Promise<VaultResponse>;

/** Reads the ca-file bundle once; a bundle without a certificate is a mistake worth stopping for. */
export function caBundle(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined;
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch {
    throw new StartupError(`ca-file: cannot read ${caFile}`, 'Point ca-file at a readable PEM bundle.');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new StartupError(
      `ca-file: ${caFile} holds no PEM certificate`,
      'ca-file must be a PEM bundle (-----BEGIN CERTIFICATE----- blocks).',
    );
  }
  return [...builtin('node:tls').rootCertificates, pem];
}

/**
 * Node's built-in modules, taken when needed rather than imported: an `import` of a built-in reads every one
 * of its exports, and node:http's `WebSocket` export then loads Node's own copy of undici (~25 ms before the
 * first request); node:tls's exports load the crypto stack (~10 ms), which only a ca-file or https needs.
 * Read at each use, not kept: test doubles (nock) patch `request` on the module.
 */
function builtin<Id extends 'node:http' | 'node:https' | 'node:tls'>(id: Id) {
  return process.getBuiltinModule(id);
}

/** The object node-vault expects under `request-promise`: `.defaults(rpDefaults)` returns the request function. */
export function vaultTransport(settings: VaultTransportSettings): { defaults: () => Send } {
  const ca = caBundle(settings.caFile);
  const send = proxyFromEnvironment()
    ? viaSharedDispatcher(ca, settings.timeoutMs)
    : viaNode(ca, settings.timeoutMs);
  return { defaults: () => send };
}

/** Node agents of the Vault clients made so far; closeHttpAgents (http.ts) closes them with the undici pools. */
const nodeAgents = new Set<HttpAgent>();

/** Closes the Vault connections kept alive. Idle ones never hold the process open (Node unrefs them). */
export function closeVaultAgents(): void {
  // Kept registered: a transport used again after a close keeps its agents, whose new connections the next
  // close must still reach.
  for (const agent of nodeAgents) agent.destroy();
}

/** Idle keep-alive connections are closed after this long, as the undici pools do (http.ts). */
const IDLE_MS = 10_000;

/** What goes on the wire, the same for either transport. */
interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** What comes back, before it is read as Vault's answer. */
interface Incoming {
  status: number;
  location: string | string[] | undefined;
  text: string;
}

function outgoing(request: VaultRequest): Outgoing {
  const url = new URL(request.uri);
  const body =
    typeof request.json === 'object' && request.json !== null ? JSON.stringify(request.json) : undefined;
  const headers: Record<string, string> = {};
  // node:http throws on an undefined value (undici skipped it): an absent header is simply not sent.
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value !== undefined) headers[name] = value;
  }
  headers.accept = 'application/json';
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { url, method: request.method, headers, body };
}

/** Keep-alive pools of up to 4 connections per Vault (its few calls: login, reads, revoke), one per scheme. */
function viaNode(ca: readonly string[] | undefined, timeoutMs: number): Send {
  let http: HttpAgent | undefined;
  let https: HttpAgent | undefined;
  const pool = { keepAlive: true, maxSockets: 4, timeout: IDLE_MS };
  const agentFor = (url: URL): HttpAgent => {
    if (url.protocol !== 'https:') return (http ??= kept(new (builtin('node:http').Agent)(pool)));
    const tls = ca ? { ca: [...ca] } : {};
    return (https ??= kept(new (builtin('node:https').Agent)({ ...pool, ...tls })));
  };
  return async (request) => {
    const out = outgoing(request);
    return answer(out.url, await exchange(agentFor(out.url), out, timeoutMs));
  };
}

function kept(agent: HttpAgent): HttpAgent {
  nodeAgents.add(agent);
  return agent;
}

/**
 * One request and its whole answer. `timeoutMs` bounds each wait (connecting, the answer's headers, each
 * part of its body); the codes on expiry are undici's, so a Vault error reads as it did over undici.
 */
function exchange(agent: HttpAgent, out: Outgoing, timeoutMs: number): Promise<Incoming> {
  return new Promise((resolve, reject) => {
    const send = builtin(out.url.protocol === 'https:' ? 'node:https' : 'node:http').request;
    let answered = false;
    // req.end(body) hands Node the whole body before the head is written: it sets Content-Length itself.
    const req = send(
      out.url,
      { method: out.method, headers: out.headers, agent, timeout: timeoutMs },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('close', () => {
          if (!res.complete)
            reject(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
        });
      },
    );
    req.on('timeout', () => {
      const code = answered
        ? 'UND_ERR_BODY_TIMEOUT'
        : req.socket?.connecting
          ? 'UND_ERR_CONNECT_TIMEOUT'
          : 'UND_ERR_HEADERS_TIMEOUT';
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000}s`), { code }));
    });
    req.on('error', reject);
    req.end(out.body);
  });
}

/** Through a proxy: the dispatcher (pool, HTTPS_PROXY / NO_PROXY) every other client of the run uses. */
function viaSharedDispatcher(ca: readonly string[] | undefined, timeoutMs: number): Send {
  return async (request) => {
    const out = outgoing(request);
    const { sharedDispatcher } = await import('./http.js');
    const res = await sharedDispatcher(4, ca).request({
      origin: out.url.origin,
      path: `${out.url.pathname}${out.url.search}`,
      method: out.method as 'GET',
      headers: out.headers,
      body: out.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    return answer(out.url, { status: res.statusCode, location: res.headers.location, text });
  };
}

function answer(url: URL, incoming: Incoming): VaultResponse {
  const { status } = incoming;
  if (status >= 300 && status < 400) {
    return {
      statusCode: status,
      body: { errors: [redirectRefused(url, incoming.location)] },
      request: { path: url.pathname },
    };
  }
  return { statusCode: status, body: parseJson(incoming.text), request: { path: url.pathname } };
}

/** Names only the origin of the target: a Location can carry tokens or paths in its query. */
function redirectRefused(from: URL, location: string | string[] | undefined): string {
  const target = Array.isArray(location) ? location[0] : location;
  let origin = 'an unreadable location';
  try {
    if (target) origin = new URL(target, from).origin;
  } catch {
    // keep the placeholder: an unparsable Location is reported, never echoed
  }
  return `Vault redirected to ${origin}; dtp follows no Vault redirect (the token would travel with it): set vault-addr to the address that answers directly (the active node or its load balancer)`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Vault answers JSON; anything else (a proxy's HTML page) is an error body without detail.
    return undefined;
  }
}
