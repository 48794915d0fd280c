/**
 * Dynatrace API tokens over the Environment API v2. Only `dtp_` tokens are listed (the name selector narrows
 * the listing server-side; its matching is not documented as a prefix match, so names are filtered again).
 */
import { Secret } from '../secret.js';
import type { CreatedToken, DynatraceClient, DynatraceToken } from './api.js';
import type { HttpClient } from './http.js';
import { MalformedAnswerError } from '../errors.js';
import { dynatraceTokenCreated, dynatraceTokenOnly, dynatraceTokenPage } from './answers.js';
import type { DynatraceTokenWire } from './answers.js';

/** The largest page the API allows: most tenants answer in one call. */
const PAGE_SIZE = 10_000;
/** A listing that contradicts itself is read once more: a change during the read explains one, not two. */
const LISTING_READS = 2;
/** Far beyond any tenant's token count: a totalCount past it is a lie that would keep dtp paging. */
const MAX_TOKENS = 1_000_000;
/** Requested in every listing: what drift, expiry and the reports are judged by. */
const TOKEN_FIELDS = '+scopes,+expirationDate,+creationDate,+lastUsedDate';

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

  /**
   * Every `dtp_` token, or a MalformedAnswerError: a listing that does not add up to its `totalCount` (counted
   * before the prefix filter, as the API counts), repeats a page key, or runs past the pages its total allows
   * would make live tokens look missing, and missing tokens get re-minted.
   */
  async listTokens(prefix: string): Promise<DynatraceToken[]> {
    const first = `/apiTokens?${new URLSearchParams({
      apiTokenSelector: `name("${prefix}")`,
      fields: TOKEN_FIELDS,
      pageSize: String(PAGE_SIZE),
    }).toString()}`;
    for (let read = 1; ; read++) {
      const listed = await this.#listOnce(first);
      if ('tokens' in listed) return listed.tokens.filter((t) => t.name.startsWith(prefix)).map(toToken);
      if (read >= LISTING_READS) {
        throw new MalformedAnswerError({
          system: this.http.system,
          operation: 'list api tokens',
          method: 'GET',
          path: '/apiTokens',
          remoteMessage: `listing incomplete: ${listed.problem}`,
          attempts: read,
        });
      }
    }
  }

  async #listOnce(first: string): Promise<{ tokens: DynatraceTokenWire[] } | { problem: string }> {
    const tokens: DynatraceTokenWire[] = [];
    const keys = new Set<string>();
    let path = first;
    let total: number | undefined;
    let maxPages = 1;
    for (let pages = 1; ; pages++) {
      const { body } = await this.http.request({
        operation: 'list api tokens',
        method: 'GET',
        path,
        answer: dynatraceTokenPage,
      });
      total ??= body.totalCount;
      if (total > MAX_TOKENS)
        return { problem: `totalCount ${total} is more than dtp reads (${MAX_TOKENS})` };
      // The first page's size bounds how many pages the stated total can take.
      if (pages === 1) maxPages = Math.max(1, Math.ceil(total / Math.max(1, body.apiTokens.length)));
      if (body.totalCount !== total)
        return { problem: `totalCount changed from ${total} to ${body.totalCount} between pages` };
      tokens.push(...body.apiTokens);
      if (tokens.length > total)
        return { problem: `${tokens.length} tokens listed, totalCount says ${total}` };
      const key = body.nextPageKey;
      if (!key) break;
      if (keys.has(key))
        return { problem: `nextPageKey repeated on page ${pages} (${tokens.length} of ${total} tokens)` };
      if (pages >= maxPages || body.apiTokens.length === 0)
        return {
          problem: `a nextPageKey on page ${pages}, more pages than totalCount ${total} allows (${tokens.length} tokens so far)`,
        };
      keys.add(key);
      // The API rejects other parameters next to nextPageKey.
      path = `/apiTokens?${new URLSearchParams({ nextPageKey: key }).toString()}`;
    }
    if (tokens.length !== total)
      return { problem: `${tokens.length} of ${total} tokens listed (totalCount)` };
    return { tokens };
  }

  async createToken(request: {
    name: string;
    scopes: string[];
    expirationDate?: string;
  }): Promise<CreatedToken> {
    // Not idempotent: the HTTP layer never sends it twice once it may have arrived, and a 201 without `id`
    // or `token` (answers.ts) is an OutcomeUnknownError for the caller to resolve by name.
    const { body } = await this.http.request({
      operation: 'create api token',
      method: 'POST',
      path: '/apiTokens',
      json: {
        name: request.name,
        scopes: request.scopes,
        ...(request.expirationDate ? { expirationDate: request.expirationDate } : {}),
      },
      answer: dynatraceTokenCreated,
    });
    return { id: body.id, token: new Secret(body.token), expirationDate: body.expirationDate };
  }

  async getToken(id: string): Promise<DynatraceToken | undefined> {
    const { status, body } = await this.http.request({
      operation: 'get api token',
      method: 'GET',
      path: tokenPath(id),
      accept: [404],
      answer: dynatraceTokenOnly,
    });
    if (status === 404) return undefined;
    return toToken(body);
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

function toToken(t: DynatraceTokenWire): DynatraceToken {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes.map(intern),
    enabled: t.enabled,
    expirationDate: t.expirationDate,
    creationDate: t.creationDate,
    lastUsedDate: t.lastUsedDate,
  };
}
