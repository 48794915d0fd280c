/**
 * Vault: KV v2 reads with versions, and logins by token, AppRole, JWT and Kubernetes. Each login role has a
 * policy (the KV paths it may read); a read outside it is `403 permission denied`, as Vault answers.
 */
import { randomBytes } from 'node:crypto';
import type { Route, SimRequest, SimResponse } from './server.js';

export interface VaultRole {
  /** KV paths (`<mount>/<path>`) this role may read; a trailing `*` matches any suffix. */
  policy: string[];
  /** AppRole: the secret id that goes with the role id. */
  secretId?: string;
  /** JWT / Kubernetes: the exact JWT accepted (a sandbox does not verify signatures). */
  jwt?: string;
}

interface KvSecret {
  versions: { data: Record<string, string>; created: string }[];
}

export const vaultError = (...errors: string[]) => ({ errors });

const fail = (status: number, ...errors: string[]): SimResponse => ({ status, body: vaultError(...errors) });

export class VaultSim {
  readonly kv = new Map<string, KvSecret>();
  /** Auth method mount → role name (or AppRole role id) → role. */
  readonly roles = new Map<string, Map<string, VaultRole>>();
  readonly tokens = new Map<string, { policy: string[]; expiresAt: number }>();
  rootToken = `hvs.${randomBytes(18).toString('base64url')}`;

  constructor() {
    this.tokens.set(this.rootToken, { policy: ['*'], expiresAt: Number.MAX_SAFE_INTEGER });
  }

  /** Writes a new version of `<mount>/<path>`. */
  put(mount: string, path: string, data: Record<string, string>): number {
    const key = `${mount}/${path}`;
    let secret = this.kv.get(key);
    if (!secret) {
      secret = { versions: [] };
      this.kv.set(key, secret);
    }
    secret.versions.push({ data: { ...data }, created: new Date().toISOString() });
    return secret.versions.length;
  }

  addRole(mount: string, name: string, role: VaultRole): void {
    let roles = this.roles.get(mount);
    if (!roles) {
      roles = new Map();
      this.roles.set(mount, roles);
    }
    roles.set(name, role);
  }

  routes(): Route[] {
    return [
      {
        method: 'POST',
        pattern: '/v1/auth/:mount/login',
        operation: 'login',
        handler: (r) => this.#login(r),
      },
      {
        method: 'GET',
        pattern: '/v1/auth/token/lookup-self',
        operation: 'lookupSelf',
        handler: (r) => this.#lookupSelf(r),
      },
      {
        method: 'POST',
        pattern: '/v1/auth/token/revoke-self',
        operation: 'revokeSelf',
        handler: (r) => this.#revokeSelf(r),
      },
      {
        method: 'GET',
        pattern: '/v1/:mount/data/*path',
        operation: 'readSecret',
        handler: (r) => this.#read(r),
      },
    ];
  }

  #issue(policy: string[], meta: Record<string, string>): SimResponse {
    const token = `hvs.${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, { policy, expiresAt: Date.now() + 3600_000 });
    return {
      status: 200,
      body: envelope({
        auth: {
          client_token: token,
          accessor: randomBytes(12).toString('base64url'),
          policies: ['default', 'dtp'],
          token_policies: ['default', 'dtp'],
          metadata: meta,
          lease_duration: 3600,
          renewable: true,
          entity_id: '',
          token_type: 'service',
          orphan: true,
        },
      }),
    };
  }

  #login(req: SimRequest): SimResponse {
    const roles = this.roles.get(req.params.mount);
    if (!roles)
      return fail(400, `no handler for route "auth/${req.params.mount}/login". route entry not found.`);
    const b = (req.body ?? {}) as Record<string, unknown>;
    if ('role_id' in b) {
      const role = roles.get(String(b.role_id));
      if (!role || role.secretId === undefined || role.secretId !== b.secret_id)
        return fail(400, 'invalid role or secret ID');
      return this.#issue(role.policy, { role_name: String(b.role_id) });
    }
    if (typeof b.jwt !== 'string' || !b.jwt) return fail(400, 'missing jwt');
    if (typeof b.role !== 'string' || !b.role) return fail(400, 'missing role');
    const role = roles.get(b.role);
    if (!role) return fail(400, `role "${b.role}" could not be found`);
    if (role.jwt !== b.jwt) return fail(403, 'permission denied');
    return this.#issue(role.policy, { role: b.role });
  }

  #caller(req: SimRequest): { policy: string[]; expiresAt: number } | SimResponse {
    const token = String(req.headers['x-vault-token'] ?? '');
    const entry = this.tokens.get(token);
    if (!entry || entry.expiresAt < Date.now()) return fail(403, 'permission denied');
    return entry;
  }

  #lookupSelf(req: SimRequest): SimResponse {
    const caller = this.#caller(req);
    if ('status' in caller) return caller;
    return { status: 200, body: { data: { policies: ['default'], ttl: 3600 } } };
  }

  /**
   * The token stops working at once. Real Vault answers 204; the published spec documents only 200, and the
   * simulator answers what the spec allows (clients must take either).
   */
  #revokeSelf(req: SimRequest): SimResponse {
    const caller = this.#caller(req);
    if ('status' in caller) return caller;
    // Kept, expired, so that tests can still scan everything dtp wrote for the revoked value.
    caller.expiresAt = 0;
    return { status: 200 };
  }

  #read(req: SimRequest): SimResponse {
    const caller = this.#caller(req);
    if ('status' in caller) return caller;
    const key = `${req.params.mount}/${req.params.path}`;
    const allowed = caller.policy.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p));
    if (!allowed) return fail(403, '1 error occurred:\n\t* permission denied\n\n');
    const secret = this.kv.get(key);
    const versionText = req.query.get('version');
    const version = versionText ? Number(versionText) : secret?.versions.length;
    const entry = secret && version ? secret.versions[version - 1] : undefined;
    if (!entry) return fail(404);
    return {
      status: 200,
      body: envelope({
        data: {
          data: entry.data,
          metadata: {
            created_time: entry.created,
            custom_metadata: null,
            deletion_time: '',
            destroyed: false,
            version,
          },
        },
      }),
    };
  }
}

/** Vault's response envelope around `data` or `auth`. */
function envelope(content: { data?: unknown; auth?: unknown }): Record<string, unknown> {
  return {
    request_id: randomBytes(16).toString('hex'),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...content,
  };
}
