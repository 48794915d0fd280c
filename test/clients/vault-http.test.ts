/**
 * Vault HTTP hygiene: no redirect is followed (the token and the login body never travel to another host or
 * over plain HTTP), the token dtp logged in for is revoked at the end, and the ca-file bundle is honoured.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallStats } from '../../src/clients/http.js';
import { NodeVaultClient } from '../../src/clients/vault.js';
import type { VaultSettings } from '../../src/clients/vault.js';
import { StartupError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';

const VAULT = 'http://vault.test:8200';
const TOKEN = 'hvs.logged-in-token-value';

const settings = (extra: Partial<VaultSettings> = {}): VaultSettings => ({
  addr: VAULT,
  method: 'approle',
  roleId: 'role-1',
  secretId: new Secret('secret-id-value'),
  jwtAudience: 'vault',
  kubernetesTokenFile: '/nonexistent/token',
  timeoutMs: 2000,
  maxRetries: 2,
  stats: new CallStats(),
  onGitHub: false,
  backoffBaseMs: 1,
  ...extra,
});

const approleLogin = (origin = VAULT) =>
  nock(origin)
    .post('/v1/auth/approle/login', { role_id: 'role-1', secret_id: 'secret-id-value' })
    .reply(200, { auth: { client_token: TOKEN } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('Vault follows no redirect', () => {
  it('a 307 to another host is not followed: the token never reaches it, the error names only its origin', async () => {
    approleLogin();
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .reply(307, '', { Location: `http://evil.test/v1/secret/data/dtp/a?stolen=${TOKEN}` });
    const evil = nock('http://evil.test')
      .get(/.*/)
      .query(true)
      .reply(200, { data: { data: { token: 'x' } } });

    const vault = new NodeVaultClient(settings());
    await vault.login();
    const error = await vault.readKv({ mount: 'secret', path: 'dtp/a' }).catch((e: Error) => e);

    expect(evil.isDone()).toBe(false);
    nock.cleanAll(); // the evil interceptor is expected to stay pending
    expect(error).toMatchObject({ status: 307 });
    expect(String(error)).toContain('Vault redirected to http://evil.test');
    expect(String(error)).toContain('follows no Vault redirect');
    expect(String(error)).not.toContain(TOKEN);
    expect(String(error)).not.toContain('stolen');
  });

  it('a redirected login does not re-send the secret id elsewhere', async () => {
    nock(VAULT)
      .post('/v1/auth/approle/login')
      .reply(308, '', { Location: 'https://other.test:8200/v1/auth/approle/login' });
    const other = nock('https://other.test:8200')
      .post(/.*/)
      .reply(200, { auth: { client_token: TOKEN } });

    const error = await new NodeVaultClient(settings()).login().catch((e: Error) => e);

    expect(other.isDone()).toBe(false);
    nock.cleanAll();
    expect(error).toMatchObject({ status: 308 });
    expect(String(error)).toContain('https://other.test:8200');
    expect(String(error)).not.toContain('secret-id-value');
  });

  it('https → http on the same host is not followed (no downgrade)', async () => {
    const secure = 'https://vault.test';
    nock(secure)
      .get('/v1/secret/data/dtp/a')
      .reply(301, '', { Location: 'http://vault.test/v1/secret/data/dtp/a' });
    const plain = nock('http://vault.test')
      .get(/.*/)
      .reply(200, { data: { data: { token: 'x' } } });

    const vault = new NodeVaultClient(settings({ addr: secure, method: 'token', token: new Secret(TOKEN) }));
    await vault.login();
    const error = await vault.readKv({ mount: 'secret', path: 'dtp/a' }).catch((e: Error) => e);

    expect(plain.isDone()).toBe(false);
    nock.cleanAll();
    expect(error).toMatchObject({ status: 301 });
    expect(String(error)).toContain('Vault redirected to http://vault.test');
  });
});

describe('the token dtp logged in for is revoked', () => {
  it('after an AppRole login: revoke-self with that token, once', async () => {
    approleLogin();
    const revoke = nock(VAULT, { reqheaders: { 'x-vault-token': TOKEN } })
      .post('/v1/auth/token/revoke-self')
      .reply(204);
    const vault = new NodeVaultClient(settings());
    await vault.login();
    await vault.revokeSelf();
    expect(revoke.isDone()).toBe(true);
    await vault.revokeSelf(); // nothing left to revoke: no second request (nock would refuse it)
  });

  it('never for a given token: it belongs to the caller', async () => {
    const revoke = nock(VAULT).post('/v1/auth/token/revoke-self').reply(204);
    const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(TOKEN) }));
    await vault.login();
    await vault.revokeSelf();
    expect(revoke.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('a refused revoke is an error the run turns into a warning, without the token', async () => {
    approleLogin();
    nock(VAULT)
      .post('/v1/auth/token/revoke-self')
      .reply(403, { errors: ['permission denied'] });
    const vault = new NodeVaultClient(settings());
    await vault.login();
    const error = await vault.revokeSelf().catch((e: Error) => e);
    expect(String(error)).toContain(
      'vault revoke token (POST /v1/auth/token/revoke-self) failed with HTTP 403',
    );
    expect(String(error)).not.toContain(TOKEN);
  });
});

describe('ca-file', () => {
  it('an unreadable file or one without a certificate stops the run before any request', () => {
    expect(() => new NodeVaultClient(settings({ caFile: '/nonexistent/ca.pem' }))).toThrow(StartupError);
    expect(() => new NodeVaultClient(settings({ caFile: '/nonexistent/ca.pem' }))).toThrow(
      'ca-file: cannot read /nonexistent/ca.pem',
    );
    expect(() => new NodeVaultClient(settings({ caFile: __filename }))).toThrow('holds no PEM certificate');
  });
});
