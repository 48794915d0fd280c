/**
 * The HTTP transport of the Vault client (vault.ts; the shape of node-vault's `request-promise` hook, which
 * it once plugged into in place of axios). Why not axios: it follows up to 21 redirects to any host and from https to http, re-sending `X-Vault-Token` and the login
 * body (secret id, JWT) — a redirect from a compromised or misconfigured proxy would hand the token to
 * whoever it names. Here nothing is followed: a 3xx becomes an error that names only the target's origin.
 * TLS is always verified, against the system roots plus the `ca-file` bundle when one is given; the connection
 * (pool, HTTPS_PROXY / NO_PROXY) is the one every other client of the run uses (http.ts).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import { StartupError } from '../errors.js';
import { sharedDispatcher } from './http.js';

/** What node-vault hands its request function (the subset it uses). */
export interface VaultRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
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
  return [...rootCertificates, pem];
}

/** The object node-vault expects under `request-promise`: `.defaults(rpDefaults)` returns the request function. */
export function vaultTransport(settings: VaultTransportSettings): {
  defaults: () => (request: VaultRequest) => Promise<VaultResponse>;
} {
  const ca = caBundle(settings.caFile);
  const send = (request: VaultRequest) => sendOnce(sharedDispatcher(4, ca), request, settings.timeoutMs);
  return { defaults: () => send };
}

async function sendOnce(agent: Dispatcher, request: VaultRequest, timeoutMs: number): Promise<VaultResponse> {
  const url = new URL(request.uri);
  const body =
    typeof request.json === 'object' && request.json !== null ? JSON.stringify(request.json) : undefined;
  const headers: Record<string, string> = { ...request.headers, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await agent.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: request.method as 'GET',
    headers,
    body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await answer.body.text();
  const status = answer.statusCode;
  if (status >= 300 && status < 400) {
    return {
      statusCode: status,
      body: { errors: [redirectRefused(url, answer.headers.location)] },
      request: { path: url.pathname },
    };
  }
  return { statusCode: status, body: parseJson(text), request: { path: url.pathname } };
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
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Vault answers JSON; anything else (a proxy's HTML page) is an error body without detail.
    return undefined;
  }
}
