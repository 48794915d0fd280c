/**
 * Vault over its HTTP API: one login (token, AppRole, JWT/OIDC, Kubernetes), then KV v2 reads, and the
 * token revoked at the end when dtp logged in itself. Two calls (read, write) over our own transport
 * (vault-transport.ts): strict TLS with the ca-file, no redirect followed, and no undici, so that the login
 * can go out before the other clients are loaded. It replaced node-vault, which brought axios, a JSON-schema
 * validator and a template engine (~400 KiB loaded by every run) for these two calls, and hazards we had to
 * switch off: any non-empty VAULT_SKIP_VERIFY turned TLS checks off, DEBUG=node-vault printed request bodies
 * (secret ids, JWTs), and VAULT_TOKEN was used behind the chosen login method's back.
 */
import { readFile } from 'node:fs/promises';
import { vaultTransport, type VaultRequest, type VaultResponse } from './vault-transport.js';
import { RemoteError, StartupError } from '../errors.js';
import { Secret, registerSecretValue } from '../secret.js';
import type { VaultOptions } from '../options.js';
import type { VaultClient } from './api.js';
import { backoffMs, sleep } from './calls.js';
import type { CallStats } from './calls.js';

export interface VaultSettings extends VaultOptions {
  addr: string;
  timeoutMs: number;
  maxRetries: number;
  stats: CallStats;
  /** The GitHub Actions OIDC ID token, when running there. */
  idToken?: (audience: string) => Promise<string>;
  onGitHub: boolean;
  log?: (line: string) => void;
  backoffBaseMs?: number;
  /** PEM bundle of extra certificate authorities (the ca-file setting). */
  caFile?: string;
}

type Method = 'token' | 'approle' | 'jwt' | 'kubernetes';

/** 412: a standby has not caught up yet; 429/5xx: overloaded or sealed for a moment. */
const RETRY_STATUS = new Set([412, 429, 500, 502, 503, 504]);

/** `auto` picks the first method whose credentials are present, in the documented order. */
export function chooseMethod(s: VaultSettings): Method {
  if (s.method !== 'auto') return s.method;
  if (s.token) return 'token';
  if (s.roleId) return 'approle';
  if (s.onGitHub || s.jwtFile) return 'jwt';
  return 'kubernetes';
}

interface VaultCallError {
  message?: string;
  code?: string;
  response?: { statusCode?: number; body?: { errors?: unknown[] } };
}

/** `/v1/<path>` with the token and namespace headers; anything but 200/204 rejects with the response. */
class VaultHttp {
  token: string | undefined;

  constructor(
    private readonly addr: string,
    private readonly namespace: string | undefined,
    private readonly send: (request: VaultRequest) => Promise<VaultResponse>,
  ) {}

  read(path: string): Promise<unknown> {
    return this.#request('GET', path);
  }

  write(path: string, body: Record<string, string>): Promise<unknown> {
    return this.#request('POST', path, body);
  }

  async #request(method: string, path: string, json?: Record<string, string>): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (this.token) headers['X-Vault-Token'] = this.token;
    if (this.namespace) headers['X-Vault-Namespace'] = this.namespace;
    const uri = `${this.addr.replace(/\/+$/, '')}/v1/${path}`;
    const response = await this.send({ method, uri, headers, json });
    if (response.statusCode === 200 || response.statusCode === 204) return response.body;
    throw Object.assign(new Error(`Vault answered ${response.statusCode}`), { response });
  }
}

export class NodeVaultClient implements VaultClient {
  readonly #client: VaultHttp;
  readonly #method: Method;
  /** True once dtp holds a token it obtained itself (and so must revoke); never for a given token. */
  #ownToken = false;

  constructor(private readonly settings: VaultSettings) {
    this.#method = chooseMethod(settings);
    const transport = vaultTransport({ timeoutMs: settings.timeoutMs, caFile: settings.caFile }).defaults();
    this.#client = new VaultHttp(settings.addr, settings.namespace, transport);
    if (this.#method === 'token') this.#client.token = settings.token?.reveal();
  }

  get method(): Method {
    return this.#method;
  }

  async login(): Promise<void> {
    const s = this.settings;
    const mount = s.mount ?? this.#method;
    let body: Record<string, string>;
    switch (this.#method) {
      case 'token':
        if (!s.token)
          throw new StartupError('Vault token login: no token given', 'Set vault-token (or VAULT_TOKEN).');
        return;
      case 'approle':
        if (!s.roleId || !s.secretId) {
          throw new StartupError(
            'Vault AppRole login needs vault-role-id and vault-secret-id',
            'Set both, or choose another vault-auth-method.',
          );
        }
        body = { role_id: s.roleId, secret_id: s.secretId.reveal() };
        break;
      case 'jwt':
      case 'kubernetes': {
        if (!s.role) {
          throw new StartupError(
            `Vault ${this.#method} login needs vault-role`,
            'Set vault-role to the Vault role bound to this workflow or service account.',
          );
        }
        const jwt = await this.#jwt();
        registerSecretValue(jwt);
        body = { role: s.role, jwt };
        break;
      }
    }
    const response = await this.#call('login', 'POST', `auth/${mount}/login`, () =>
      this.#client.write(`auth/${mount}/login`, body),
    );
    const token = (response as { auth?: { client_token?: string } })?.auth?.client_token;
    if (!token) throw new StartupError(`Vault ${this.#method} login answered without a client token`);
    registerSecretValue(token);
    this.#client.token = token;
    this.#ownToken = true;
  }

  /**
   * Revokes the token dtp logged in for, so it is worthless after the run even if it leaked (a given
   * vault-token belongs to the caller and is left alone). Throws a RemoteError; the caller warns.
   */
  async revokeSelf(): Promise<void> {
    if (!this.#ownToken) return;
    const path = 'auth/token/revoke-self';
    await this.#call('revoke token', 'POST', path, () => this.#client.write(path, {}));
    this.#ownToken = false;
    this.#client.token = undefined;
  }

  async #jwt(): Promise<string> {
    const s = this.settings;
    if (this.#method === 'kubernetes') {
      try {
        return (await readFile(s.kubernetesTokenFile, 'utf8')).trim();
      } catch {
        throw new StartupError(
          `Vault kubernetes login: cannot read the service-account token ${s.kubernetesTokenFile}`,
          'Run in a pod with a mounted service-account token, or set kubernetes-token-file.',
        );
      }
    }
    if (s.jwtFile) {
      try {
        return (await readFile(s.jwtFile, 'utf8')).trim();
      } catch {
        throw new StartupError(`Vault jwt login: cannot read ${s.jwtFile}`, 'Check vault-jwt-file.');
      }
    }
    if (s.idToken) {
      try {
        return await s.idToken(s.jwtAudience);
      } catch (error) {
        throw new StartupError(
          `Vault jwt login: GitHub refused the OIDC ID token (${(error as Error).message})`,
          'Give the job `permissions: id-token: write`.',
        );
      }
    }
    throw new StartupError(
      'Vault jwt login needs a JWT',
      'Run on GitHub Actions with `permissions: id-token: write`, or set vault-jwt-file.',
    );
  }

  async readKv(ref: { mount: string; path: string; version?: number }): Promise<Record<string, Secret>> {
    // Each segment encoded: a `?` or `#` in a name must stay a name (`..` is refused by validation).
    const seg = (p: string) => p.split('/').map(encodeURIComponent).join('/');
    const path = `${seg(ref.mount)}/data/${seg(ref.path)}${ref.version ? `?version=${ref.version}` : ''}`;
    const response = await this.#call('read secret', 'GET', path, () => this.#client.read(path));
    const data = (response as { data?: { data?: Record<string, unknown> } })?.data?.data ?? {};
    const out: Record<string, Secret> = {};
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string') out[key] = new Secret(value);
    }
    return out;
  }

  /** One Vault call with retries on transient failures; errors carry status and path, never a body. */
  async #call(
    operation: string,
    method: string,
    path: string,
    send: () => Promise<unknown>,
  ): Promise<unknown> {
    const s = this.settings;
    const started = performance.now();
    let retries = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await send();
        s.log?.(`vault ${method} /v1/${path} → ok`);
        s.stats.record('vault', operation, { calls: 1, retries, totalMs: performance.now() - started });
        return result;
      } catch (error) {
        const e = error as VaultCallError;
        const status = e.response?.statusCode;
        const code = status === undefined ? (e.code ?? 'no response') : undefined;
        s.log?.(`vault ${method} /v1/${path} → ${status ?? code}`);
        const transient = status === undefined ? true : RETRY_STATUS.has(status);
        if (!transient || attempt > s.maxRetries) {
          s.stats.record('vault', operation, {
            calls: 1,
            retries,
            errors: 1,
            totalMs: performance.now() - started,
          });
          const errors = e.response?.body?.errors;
          throw new RemoteError({
            system: 'vault',
            operation: operation === 'login' ? `${this.#method} login` : operation,
            method,
            path: `/v1/${path}`,
            status,
            code,
            remoteMessage:
              Array.isArray(errors) && errors.length > 0 ? errors.map(String).join('; ') : undefined,
            attempts: attempt,
          });
        }
        retries++;
        await sleep(backoffMs(attempt, s.backoffBaseMs ?? 200, 10_000));
      }
    }
  }
}
