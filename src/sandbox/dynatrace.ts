/**
 * Dynatrace Environment API v2 api tokens, several tenants on one server (`/e/<tenant>/api/v2`). Tokens have
 * real-format ids and values (`dt0c01.<24 public>.<64 secret>`), the secret is returned once at creation,
 * listing pages with `nextPageKey`, and the caller's own token must carry apiTokens.read / apiTokens.write.
 */
import { SimClock } from './clock.js';
import type { Random } from './random.js';
import { UPPER_ALNUM } from './random.js';
import type { Route, SimRequest, SimResponse } from './server.js';
import { KNOWN_SCOPES } from '../config/scopes.js';

export interface TokenState {
  id: string;
  /** The full token value; only the simulator's inspection API shows it. */
  value: string;
  name: string;
  scopes: string[];
  enabled: boolean;
  owner: string;
  creationDate: string;
  modifiedDate?: string;
  expirationDate?: string;
  /** Set when the token authenticates a request, as Dynatrace records it. */
  lastUsedDate?: string;
}

class TenantState {
  /** Insertion order is creation order. */
  readonly tokens = new Map<string, TokenState>();
  readonly byValue = new Map<string, TokenState>();

  constructor(readonly id: string) {}

  add(token: TokenState): TokenState {
    this.tokens.set(token.id, token);
    this.byValue.set(token.value, token);
    return token;
  }

  remove(id: string): boolean {
    const t = this.tokens.get(id);
    if (!t) return false;
    this.tokens.delete(id);
    this.byValue.delete(t.value);
    return true;
  }
}

export const dynatraceError = (
  status: number,
  message: string,
  violations?: { path: string; message: string }[],
) => ({
  error: {
    code: status,
    message,
    ...(violations
      ? { constraintViolations: violations.map((v) => ({ ...v, parameterLocation: 'PAYLOAD_BODY' })) }
      : {}),
  },
});

const fail = (
  status: number,
  message: string,
  violations?: { path: string; message: string }[],
): SimResponse => ({
  status,
  body: dynatraceError(status, message, violations),
});

const DEFAULT_FIELDS = ['id', 'name', 'enabled', 'owner', 'creationDate'];
const OPTIONAL_FIELDS = [
  'scopes',
  'expirationDate',
  'modifiedDate',
  'lastUsedDate',
  'lastUsedIpAddress',
  'personalAccessToken',
];
/** Scopes the token-admin API itself accepts even if our catalog of product scopes lacks them. */
const API_SCOPES = new Set([...KNOWN_SCOPES, 'apiTokens.read', 'apiTokens.write']);

export class DynatraceSim {
  readonly tenants = new Map<string, TenantState>();

  constructor(
    private readonly random: Random,
    /** Creation, expiry and last use follow this clock (tests move it). */
    readonly clock: SimClock = new SimClock(),
  ) {}

  tenant(id: string): TenantState {
    let t = this.tenants.get(id);
    if (!t) {
      t = new TenantState(id);
      this.tenants.set(id, t);
    }
    return t;
  }

  /** A token as Dynatrace would mint it, added to the tenant. */
  mint(tenantId: string, name: string, scopes: string[], owner = 'dtp-bootstrap'): TokenState {
    const pub = this.random.string(24, UPPER_ALNUM);
    const secret = this.random.string(64, UPPER_ALNUM);
    return this.tenant(tenantId).add({
      id: `dt0c01.${pub}`,
      value: `dt0c01.${pub}.${secret}`,
      name,
      scopes: [...scopes],
      enabled: true,
      owner,
      creationDate: this.clock.iso(),
    });
  }

  routes(): Route[] {
    const base = '/e/:tenant/api/v2/apiTokens';
    const r = (
      method: string,
      pattern: string,
      operation: string,
      need: string,
      h: (t: TenantState, q: SimRequest) => SimResponse,
    ): Route => ({
      method,
      pattern,
      operation,
      handler: (req) => this.#authorized(req, need, h),
    });
    return [
      r('GET', base, 'listTokens', 'apiTokens.read', (t, q) => this.#list(t, q)),
      r('POST', base, 'createToken', 'apiTokens.write', (t, q) => this.#create(t, q)),
      r('POST', `${base}/lookup`, 'lookupToken', 'apiTokens.read', (t, q) => {
        const value = (q.body as { token?: unknown } | undefined)?.token;
        if (typeof value !== 'string')
          return fail(400, 'Constraints violated.', [{ path: 'token', message: 'must not be null' }]);
        const token = t.byValue.get(value);
        return token
          ? { status: 200, body: tokenBody(token, [...DEFAULT_FIELDS, ...OPTIONAL_FIELDS]) }
          : fail(404, 'The token does not exist');
      }),
      r('GET', `${base}/:id`, 'getToken', 'apiTokens.read', (t, q) => {
        const token = t.tokens.get(q.params.id);
        return token
          ? { status: 200, body: tokenBody(token, [...DEFAULT_FIELDS, ...OPTIONAL_FIELDS]) }
          : fail(404, `Token with ID ${q.params.id} not found`);
      }),
      r('PUT', `${base}/:id`, 'updateToken', 'apiTokens.write', (t, q) => this.#update(t, q)),
      r('DELETE', `${base}/:id`, 'deleteToken', 'apiTokens.write', (t, q) =>
        t.remove(q.params.id) ? { status: 204 } : fail(404, `Token with ID ${q.params.id} not found`),
      ),
    ];
  }

  #authorized(
    req: SimRequest,
    scope: string,
    handler: (t: TenantState, q: SimRequest) => SimResponse,
  ): SimResponse {
    const tenant = this.tenants.get(req.params.tenant);
    if (!tenant) return fail(404, `Environment ${req.params.tenant} not found`);
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Api-Token ')) return fail(401, 'Missing authorization parameter.');
    const caller = tenant.byValue.get(auth.slice('Api-Token '.length));
    if (!caller || !caller.enabled) return fail(401, 'Token Authentication failed');
    if (caller.expirationDate && Date.parse(caller.expirationDate) <= this.clock.now())
      return fail(401, 'Token expired');
    caller.lastUsedDate = this.clock.iso();
    if (!caller.scopes.includes(scope))
      return fail(403, `Token is missing required scope. Use one of: ${scope}`);
    return handler(tenant, req);
  }

  #list(tenant: TenantState, req: SimRequest): SimResponse {
    const q = req.query;
    let state: { selector?: string; fields: string[]; pageSize: number; offset: number };
    const key = q.get('nextPageKey');
    if (key !== null) {
      if ([...q.keys()].some((k) => k !== 'nextPageKey')) {
        return fail(400, 'Constraints violated.', [
          { path: 'nextPageKey', message: 'must be the only query parameter when set' },
        ]);
      }
      try {
        state = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
      } catch {
        return fail(400, 'Invalid nextPageKey');
      }
    } else {
      const pageSize = Number(q.get('pageSize') ?? '200');
      if (!Number.isInteger(pageSize) || pageSize < 100 || pageSize > 10_000) {
        return fail(400, 'Constraints violated.', [
          { path: 'pageSize', message: 'must be between 100 and 10000' },
        ]);
      }
      const fields = [...DEFAULT_FIELDS];
      for (const f of (q.get('fields') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const name = f.replace(/^[+-]/, '');
        if (![...DEFAULT_FIELDS, ...OPTIONAL_FIELDS].includes(name))
          return fail(400, `Unknown field ${name}`);
        if (f.startsWith('-')) fields.splice(fields.indexOf(name), 1);
        else if (!fields.includes(name)) fields.push(name);
      }
      const selectorText = q.get('apiTokenSelector');
      let selector: string | undefined;
      if (selectorText) {
        const m = /^name\("((?:[^"\\]|\\.)*)"\)$/.exec(selectorText.trim());
        if (!m) return fail(400, `Invalid apiTokenSelector: ${selectorText}`);
        selector = (m[1] ?? '').replace(/\\(.)/g, '$1');
      }
      state = { selector, fields, pageSize, offset: 0 };
    }
    // The selector matches names containing the text, case-insensitively.
    const all = [...tenant.tokens.values()].filter(
      (t) => state.selector === undefined || t.name.toLowerCase().includes(state.selector.toLowerCase()),
    );
    const page = all.slice(state.offset, state.offset + state.pageSize);
    const nextOffset = state.offset + page.length;
    const body: Record<string, unknown> = {
      totalCount: all.length,
      pageSize: state.pageSize,
      apiTokens: page.map((t) => tokenBody(t, state.fields)),
    };
    if (nextOffset < all.length) {
      body.nextPageKey = Buffer.from(JSON.stringify({ ...state, offset: nextOffset })).toString('base64url');
    }
    return { status: 200, body };
  }

  #create(tenant: TenantState, req: SimRequest): SimResponse {
    const b = (req.body ?? {}) as { name?: unknown; scopes?: unknown; expirationDate?: unknown };
    const violations = [
      ...(typeof b.name !== 'string' || !b.name.trim()
        ? [{ path: 'name', message: 'must not be blank' }]
        : []),
      ...scopeViolations(b.scopes, true),
    ];
    const expiration = expirationOf(b.expirationDate, this.clock.now());
    if (expiration === null) violations.push({ path: 'expirationDate', message: 'is not a valid date' });
    if (violations.length > 0) return fail(400, 'Constraints violated.', violations);
    const token = this.mint(tenant.id, String(b.name), b.scopes as string[]);
    if (expiration) token.expirationDate = expiration;
    return {
      status: 201,
      body: {
        id: token.id,
        token: token.value,
        ...(token.expirationDate ? { expirationDate: token.expirationDate } : {}),
      },
    };
  }

  #update(tenant: TenantState, req: SimRequest): SimResponse {
    const token = tenant.tokens.get(req.params.id);
    if (!token) return fail(404, `Token with ID ${req.params.id} not found`);
    const b = (req.body ?? {}) as { name?: unknown; scopes?: unknown; enabled?: unknown };
    const violations = [
      ...(b.name !== undefined && (typeof b.name !== 'string' || !b.name.trim())
        ? [{ path: 'name', message: 'must not be blank' }]
        : []),
      ...(b.scopes !== undefined ? scopeViolations(b.scopes, false) : []),
      ...(b.enabled !== undefined && typeof b.enabled !== 'boolean'
        ? [{ path: 'enabled', message: 'must be a boolean' }]
        : []),
    ];
    if (violations.length > 0) return fail(400, 'Constraints violated.', violations);
    if (typeof b.name === 'string') token.name = b.name;
    if (Array.isArray(b.scopes)) token.scopes = [...(b.scopes as string[])];
    if (typeof b.enabled === 'boolean') token.enabled = b.enabled;
    token.modifiedDate = this.clock.iso();
    return { status: 204 };
  }
}

function scopeViolations(scopes: unknown, required: boolean): { path: string; message: string }[] {
  if (!Array.isArray(scopes) || (required && scopes.length === 0)) {
    return [{ path: 'scopes', message: 'must not be empty' }];
  }
  return scopes
    .map((s, i) =>
      typeof s === 'string' && API_SCOPES.has(s)
        ? undefined
        : { path: `scopes[${i}]`, message: `unknown scope ${String(s)}` },
    )
    .filter((v): v is { path: string; message: string } => v !== undefined);
}

/**
 * ApiTokenCreate.expirationDate as the API reads it — UTC milliseconds, an ISO 8601 time, or `now+<N><unit>`
 * — stored as the ISO time Dynatrace answers with. Undefined when absent, null when unreadable.
 */
function expirationOf(value: unknown, now: number): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.trim()) return null;
  const relative = /^now\+(\d+)([mhdwMy])$/.exec(value.trim());
  if (relative) {
    const unitMs = { m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30 * 86400e3, y: 365 * 86400e3 };
    return new Date(now + Number(relative[1]) * unitMs[relative[2] as keyof typeof unitMs]).toISOString();
  }
  const at = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value.replace(' ', 'T'));
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

function tokenBody(t: TokenState, fields: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    enabled: t.enabled,
    owner: t.owner,
    creationDate: t.creationDate,
    scopes: t.scopes,
    expirationDate: t.expirationDate,
    modifiedDate: t.modifiedDate,
    lastUsedDate: t.lastUsedDate,
    personalAccessToken: false,
  };
  return Object.fromEntries(fields.filter((f) => all[f] !== undefined).map((f) => [f, all[f]]));
}
