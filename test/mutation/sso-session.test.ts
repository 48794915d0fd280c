/**
 * The OCM SSO session (src/clients/sso.ts): the access token is refreshed before it lapses, a 401 from the
 * API forces a new one, refused credentials become a startup error without the secret, and a rotated
 * refresh token is kept out of logs.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SsoSession, oauthErrorMessage } from '../../src/clients/sso.js';
import type { HttpClient } from '../../src/clients/http.js';
import { RemoteError, StartupError } from '../../src/errors.js';
import { Secret, redact, resetSecretRegistry } from '../../src/secret.js';

type Answer = { access_token: string; expires_in?: number; refresh_token?: string };

/** An HttpClient stand-in that answers token requests from a queue (or throws what is queued). */
function fakeHttp(answers: (Answer | Error)[]) {
  const forms: Record<string, string>[] = [];
  const http = {
    request: async (request: { form: Record<string, string> }) => {
      forms.push(request.form);
      const next = answers.shift();
      if (!next) throw new Error('no more token answers queued');
      if (next instanceof Error) throw next;
      return { body: next };
    },
  } as unknown as HttpClient;
  return { http, forms };
}

const refused = (status: number) =>
  new RemoteError({ system: 'sso', operation: 'get access token', method: 'POST', path: '/token', status });

const credentials = { clientId: 'dtp-client', clientSecret: new Secret('client-secret-value') };

beforeEach(() => resetSecretRegistry());

describe('the SSO access token is refreshed before it lapses', () => {
  it('at exactly the refresh margin (60 s before expiry) a new token is fetched', async () => {
    let now = 0;
    const { http, forms } = fakeHttp([
      { access_token: 'access-one-value', expires_in: 900 },
      { access_token: 'access-two-value', expires_in: 900 },
    ]);
    const sso = new SsoSession(http, credentials, 'production', () => now);
    expect(await sso.accessToken()).toBe('access-one-value');
    now = 839_999; // 1 ms before the margin: still the cached token
    expect(await sso.accessToken()).toBe('access-one-value');
    now = 840_000;
    expect(await sso.accessToken()).toBe('access-two-value');
    expect(forms).toHaveLength(2);
  });

  it('invalidate (the API said 401) forgets the cached token and fetches a new one at once', async () => {
    const { http, forms } = fakeHttp([
      { access_token: 'access-one-value', expires_in: 900 },
      { access_token: 'access-two-value', expires_in: 900 },
    ]);
    const sso = new SsoSession(http, credentials, 'production', () => 0);
    expect(await sso.accessToken()).toBe('access-one-value');
    await sso.invalidate();
    expect(forms).toHaveLength(2);
    expect(await sso.accessToken()).toBe('access-two-value');
    expect(forms).toHaveLength(2);
  });
});

describe('refused SSO credentials', () => {
  for (const status of [400, 401, 403]) {
    it(`HTTP ${status} is a startup error naming the environment, with a hint, without the secret`, async () => {
      const { http } = fakeHttp([refused(status)]);
      const error = await new SsoSession(http, credentials, 'stage', () => 0).accessToken().catch((e) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect(error.message).toContain('OCM environment stage: SSO refused the credentials');
      expect(error.message).toContain(`HTTP ${status}`);
      expect(error.message).not.toContain('client-secret-value');
      expect(error.hint).toBe(
        'Check the OCM credentials in Vault (client id/secret or offline token) and the SSO URL.',
      );
    });
  }

  it('a server failure (HTTP 503) stays the RemoteError: it is not the credentials', async () => {
    const cause = refused(503);
    const { http } = fakeHttp([cause]);
    const error = await new SsoSession(http, credentials, 'stage', () => 0).accessToken().catch((e) => e);
    expect(error).toBe(cause);
  });
});

describe('tokens from SSO are secrets', () => {
  it('a rotated refresh token in the answer is masked in logs, like the access token', async () => {
    const { http } = fakeHttp([
      { access_token: 'access-one-value', expires_in: 900, refresh_token: 'rotated-refresh-value' },
    ]);
    await new SsoSession(
      http,
      { offlineToken: new Secret('offline-token-value') },
      'stage',
      () => 0,
    ).accessToken();
    expect(redact('log rotated-refresh-value access-one-value')).toBe('log *** ***');
  });
});

describe('the SSO OAuth error text', () => {
  it('prefers error_description, then error', () => {
    expect(oauthErrorMessage({ error: 'invalid_client', error_description: 'Invalid client secret' })).toBe(
      'Invalid client secret',
    );
    expect(oauthErrorMessage({ error: 'invalid_client' })).toBe('invalid_client');
  });

  it('is undefined for anything that carries no OAuth error text', () => {
    expect(oauthErrorMessage({ error: 42, error_description: null })).toBeUndefined();
    expect(oauthErrorMessage({})).toBeUndefined();
    expect(oauthErrorMessage(null)).toBeUndefined();
    expect(oauthErrorMessage('invalid_client')).toBeUndefined();
    expect(oauthErrorMessage(undefined)).toBeUndefined();
    // Only a parsed JSON object counts, not some other value that happens to carry the properties.
    expect(oauthErrorMessage(Object.assign(() => undefined, { error: 'invalid_client' }))).toBeUndefined();
  });
});
