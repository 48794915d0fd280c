/**
 * Dynatrace API tokens over the Environment API v2. Only `dtp_` tokens are listed (the name selector narrows
 * the listing server-side; its matching is not documented as a prefix match, so names are filtered again).
 */
import { Secret } from '../secret.js';
import type { CreatedToken, DynatraceClient, DynatraceToken } from './api.js';
import type { HttpClient } from './http.js';

/** The largest page the API allows: most tenants answer in one call. */
const PAGE_SIZE = 10_000;

interface TokenList {
  apiTokens?: {
    id: string;
    name: string;
    enabled?: boolean;
    scopes?: string[];
    expirationDate?: string;
  }[];
  nextPageKey?: string | null;
}

/** Dynatrace's error text with its constraint violations (which field, what is wrong). */
export function dynatraceErrorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; constraintViolations?: unknown } } | undefined)
    ?.error;
  if (!error || typeof error.message !== 'string') return undefined;
  const violations = Array.isArray(error.constraintViolations)
    ? (error.constraintViolations as { path?: string; message?: string }[])
        .map((v) => `${v.path ?? ''} ${v.message ?? ''}`.trim())
        .filter(Boolean)
    : [];
  return violations.length > 0 ? `${error.message} (${violations.join('; ')})` : error.message;
}

const tokenPath = (id: string) => `/apiTokens/${encodeURIComponent(id)}`;

/** Tens of thousands of tokens share a few dozen scope names: keep one copy of each. */
const scopeNames = new Map<string, string>();
const intern = (scope: string) => {
  const known = scopeNames.get(scope);
  if (known !== undefined) return known;
  scopeNames.set(scope, scope);
  return scope;
};

export class DynatraceRestClient implements DynatraceClient {
  constructor(
    readonly tenantId: string,
    private readonly http: HttpClient,
  ) {}

  async listTokens(prefix: string): Promise<DynatraceToken[]> {
    const out: DynatraceToken[] = [];
    let path = `/apiTokens?${new URLSearchParams({
      apiTokenSelector: `name("${prefix}")`,
      fields: '+scopes,+expirationDate',
      pageSize: String(PAGE_SIZE),
    }).toString()}`;
    for (;;) {
      const { body } = await this.http.request<TokenList>({
        operation: 'list api tokens',
        method: 'GET',
        path,
      });
      for (const t of body?.apiTokens ?? []) {
        if (!t.name?.startsWith(prefix)) continue;
        out.push({
          id: t.id,
          name: t.name,
          scopes: (t.scopes ?? []).map(intern),
          enabled: t.enabled !== false,
          expirationDate: t.expirationDate,
        });
      }
      if (!body?.nextPageKey) return out;
      // The API rejects other parameters next to nextPageKey.
      path = `/apiTokens?${new URLSearchParams({ nextPageKey: body.nextPageKey }).toString()}`;
    }
  }

  async createToken(request: { name: string; scopes: string[] }): Promise<CreatedToken> {
    const { body } = await this.http.request<{ id: string; token: string; expirationDate?: string }>({
      operation: 'create api token',
      method: 'POST',
      path: '/apiTokens',
      json: { name: request.name, scopes: request.scopes },
    });
    return { id: body.id, token: new Secret(body.token), expirationDate: body.expirationDate };
  }

  async getToken(id: string): Promise<DynatraceToken | undefined> {
    const { status, body } = await this.http.request<{
      id: string;
      name: string;
      enabled?: boolean;
      scopes?: string[];
      expirationDate?: string;
    }>({ operation: 'get api token', method: 'GET', path: tokenPath(id), accept: [404] });
    if (status === 404) return undefined;
    return {
      id: body.id,
      name: body.name,
      scopes: (body.scopes ?? []).map(intern),
      enabled: body.enabled !== false,
      expirationDate: body.expirationDate,
    };
  }

  async updateToken(id: string, update: { name: string; scopes: string[] }): Promise<void> {
    await this.http.request({
      operation: 'update api token',
      method: 'PUT',
      path: tokenPath(id),
      json: { name: update.name, scopes: update.scopes },
    });
  }

  async deleteToken(id: string): Promise<'deleted' | 'absent'> {
    const { status } = await this.http.request({
      operation: 'delete api token',
      method: 'DELETE',
      path: tokenPath(id),
      accept: [404],
    });
    return status === 404 ? 'absent' : 'deleted';
  }
}
