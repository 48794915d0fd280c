/**
 * The Dynatrace token answers dtp decides from (src/clients/answers.ts): a listing page, one token read by
 * id, and a freshly minted token. A token missing its state or with a blank scope would be compared wrongly
 * and re-issued or pruned; a page whose count is not a count cannot be judged complete.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { dynatraceTokenCreated, dynatraceTokenOnly, dynatraceTokenPage } from '../../src/clients/answers.js';
import { edited, problemWith } from './answers-expect.js';
import type { Wire } from './answers-expect.js';

const token = () => ({
  id: 'dt0c01.AAAA',
  name: 'dtp_v3_example',
  enabled: true,
  owner: 'dtp',
  personalAccessToken: false,
  scopes: ['logs.ingest', 'metrics.ingest'],
  expirationDate: '2027-01-01T00:00:00Z',
  creationDate: '2026-01-01T00:00:00Z',
  lastUsedDate: '2026-06-01T00:00:00Z',
});

const read = {
  id: 'dt0c01.AAAA',
  name: 'dtp_v3_example',
  enabled: true,
  scopes: ['logs.ingest', 'metrics.ingest'],
  expirationDate: '2027-01-01T00:00:00Z',
  creationDate: '2026-01-01T00:00:00Z',
  lastUsedDate: '2026-06-01T00:00:00Z',
};

describe('a Dynatrace token listing page', () => {
  let page: Record<string, unknown>;
  beforeEach(() => {
    page = {
      totalCount: 3,
      pageSize: 2,
      nextPageKey: 'KEY2',
      apiTokens: [token(), { ...token(), enabled: false }],
    };
  });

  it('is read as its total count, next page key and checked tokens', () => {
    expect(dynatraceTokenPage(page)).toEqual({
      totalCount: 3,
      nextPageKey: 'KEY2',
      apiTokens: [read, { ...read, enabled: false }],
    });
  });

  it('that is empty may leave the token list and the next page key out', () => {
    const empty = dynatraceTokenPage({ totalCount: 0, pageSize: 0 });
    expect(empty).toEqual({ totalCount: 0, apiTokens: [] });
    expect(empty.apiTokens).toEqual([]);
    expect('nextPageKey' in empty).toBe(false);
  });

  it('with a null next page key is the last page', () => {
    expect('nextPageKey' in dynatraceTokenPage({ ...page, nextPageKey: null })).toBe(false);
  });

  it('that is not an object is malformed', () => {
    expect(problemWith(() => dynatraceTokenPage(null))).toBe('the answer is null, not an object');
  });

  const members: [string, (p: Wire) => void, string][] = [
    [
      'a listing without totalCount cannot be judged complete',
      (p) => delete p.totalCount,
      'totalCount is undefined, not a count',
    ],
    ['a negative totalCount is not a count', (p) => (p.totalCount = -3), 'totalCount is number, not a count'],
    [
      'a numeric next page key is malformed',
      (p) => (p.nextPageKey = 5),
      'nextPageKey is number, not a string',
    ],
    [
      'a token list that is an object is malformed',
      (p) => (p.apiTokens = {}),
      'apiTokens is object, not a list',
    ],
    [
      'a token without its enabled state is malformed, not disabled',
      (p) => delete p.apiTokens[1].enabled,
      'apiTokens[1].enabled is missing',
    ],
    [
      'an enabled state sent as a string is malformed',
      (p) => (p.apiTokens[1].enabled = 'true'),
      'apiTokens[1].enabled is string, not a boolean',
    ],
    ['a token without id is malformed', (p) => (p.apiTokens[1].id = ''), 'apiTokens[1].id is empty'],
    [
      'a token without name is malformed',
      (p) => delete p.apiTokens[0].name,
      'apiTokens[0].name is undefined, not a string',
    ],
    [
      'a token listed without scopes is malformed',
      (p) => delete p.apiTokens[1].scopes,
      'apiTokens[1].scopes is undefined, not a list',
    ],
    [
      'a scope that is not a string is not a scope name',
      (p) => (p.apiTokens[1].scopes = ['logs.ingest', 3]),
      'apiTokens[1].scopes[1] is not a scope name',
    ],
    [
      'an empty scope is not a scope name',
      (p) => (p.apiTokens[1].scopes = ['logs.ingest', '']),
      'apiTokens[1].scopes[1] is not a scope name',
    ],
    [
      'a numeric expiration date is malformed',
      (p) => (p.apiTokens[0].expirationDate = 1),
      'apiTokens[0].expirationDate is number, not a string',
    ],
  ];
  it.each(members)('%s', (_rule, edit, message) => {
    expect(problemWith(() => dynatraceTokenPage(edited(page, edit)))).toBe(message);
  });
});

describe('a Dynatrace token read by id', () => {
  it('keeps id, name, state, scopes and dates', () => {
    expect(dynatraceTokenOnly(token())).toEqual(read);
  });

  it('without its enabled state is malformed', () => {
    expect(problemWith(() => dynatraceTokenOnly(edited(token(), (t) => delete t.enabled)))).toBe(
      'enabled is missing',
    );
  });

  it('with a scope list that is a string is malformed', () => {
    expect(problemWith(() => dynatraceTokenOnly({ ...token(), scopes: 'logs.ingest' }))).toBe(
      'scopes is string, not a list',
    );
  });
});

describe('a Dynatrace token just minted', () => {
  let created: Record<string, unknown>;
  beforeEach(() => {
    created = { id: 'dt0c01.BBBB', token: 'minted-secret-value', expirationDate: '2027-01-01T00:00:00Z' };
  });

  it('keeps id, value and expiration date', () => {
    expect(dynatraceTokenCreated(created)).toEqual({
      id: 'dt0c01.BBBB',
      token: 'minted-secret-value',
      expirationDate: '2027-01-01T00:00:00Z',
    });
  });

  const broken: [string, unknown, string][] = [
    ['a mint answered with a string is malformed', 'created', 'the answer is string, not an object'],
    [
      'a mint without id is lost and malformed',
      { token: 'minted-secret-value' },
      'id is undefined, not a string',
    ],
    ['a mint without value is lost and malformed', { id: 'dt0c01.BBBB', token: '' }, 'token is empty'],
    [
      'a numeric expiration date is malformed',
      { id: 'dt0c01.BBBB', token: 'minted-secret-value', expirationDate: 1 },
      'expirationDate is number, not a string',
    ],
  ];
  it.each(broken)('%s', (_rule, body, message) => {
    expect(problemWith(() => dynatraceTokenCreated(body))).toBe(message);
  });
});
