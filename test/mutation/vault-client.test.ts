/**
 * The Vault client (src/clients/vault.ts): which token goes with which request, the login method chosen
 * and the body it sends, how a login fails (never with a secret), KV v2 paths and answers, and how a
 * failed call is retried, counted and reported.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallStats } from '../../src/clients/http.js';
import { NodeVaultClient, chooseMethod } from '../../src/clients/vault.js';
import type { VaultSettings } from '../../src/clients/vault.js';
import { RemoteError, StartupError } from '../../src/errors.js';
import { Secret, redact, resetSecretRegistry } from '../../src/secret.js';

const VAULT = 'http://vault.test:8200';
const ISSUED = 'hvs.issued-by-vault-login';
const GIVEN = 'hvs.given-by-the-caller';

let dir: string;
let stats: CallStats;
let log: string[];

const settings = (extra: Partial<VaultSettings> = {}): VaultSettings => ({
  addr: VAULT,
  method: 'approle',
  roleId: 'role-1',
  secretId: new Secret('secret-id-value'),
  jwtAudience: 'vault-audience',
  kubernetesTokenFile: join(dir, 'no-such-sa-token'),
  timeoutMs: 2000,
  maxRetries: 2,
  stats,
  onGitHub: false,
  backoffBaseMs: 1,
  log: (line) => log.push(line),
  ...extra,
});

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error & Record<string, unknown>,
  );

beforeEach(() => {
  nock.disableNetConnect();
  resetSecretRegistry();
  dir = mkdtempSync(join(tmpdir(), 'dtp-vault-mut-'));
  stats = new CallStats();
  log = [];
});
/** performance.now() under the test's control: it moves only when a fake answer says so. */
function stubClock(): { advance(ms: number): void } {
  let now = 10_000;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  return { advance: (ms) => (now += ms) };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(pending).toEqual([]);
});

describe('the login method', () => {
  it('an explicit method wins over credentials that would point elsewhere', () => {
    expect(chooseMethod(settings({ method: 'approle', token: new Secret(GIVEN) }))).toBe('approle');
    expect(chooseMethod(settings({ method: 'kubernetes', token: new Secret(GIVEN) }))).toBe('kubernetes');
    expect(new NodeVaultClient(settings({ method: 'jwt', token: new Secret(GIVEN) })).method).toBe('jwt');
  });
});

describe('which token is sent', () => {
  it('an AppRole login carries no token, even when a vault-token is also configured', async () => {
    nock(VAULT, { badheaders: ['x-vault-token'] })
      .post('/v1/auth/approle/login', { role_id: 'role-1', secret_id: 'secret-id-value' })
      .reply(200, { auth: { client_token: ISSUED } });
    nock(VAULT, { reqheaders: { 'x-vault-token': ISSUED } })
      .get('/v1/secret/data/dtp/a')
      .reply(200, { data: { data: { k: 'v' } } });
    const vault = new NodeVaultClient(settings({ token: new Secret(GIVEN) }));
    await vault.login();
    expect(Object.keys(await vault.readKv({ mount: 'secret', path: 'dtp/a' }))).toEqual(['k']);
  });

  it('the namespace header goes with every request when set, and is absent when not', async () => {
    nock(VAULT, { reqheaders: { 'x-vault-namespace': 'team-a', 'x-vault-token': GIVEN } })
      .get('/v1/secret/data/dtp/a')
      .reply(200, { data: { data: {} } });
    await new NodeVaultClient(
      settings({ method: 'token', token: new Secret(GIVEN), namespace: 'team-a' }),
    ).readKv({ mount: 'secret', path: 'dtp/a' });

    nock(VAULT, { badheaders: ['x-vault-namespace'] })
      .get('/v1/secret/data/dtp/b')
      .reply(200, { data: { data: {} } });
    await new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) })).readKv({
      mount: 'secret',
      path: 'dtp/b',
    });
  });

  it('trailing slashes of vault-addr are dropped, not doubled into the path', async () => {
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .twice()
      .reply(200, { data: { data: {} } });
    for (const addr of [`${VAULT}/`, `${VAULT}//`]) {
      await new NodeVaultClient(settings({ addr, method: 'token', token: new Secret(GIVEN) })).readKv({
        mount: 'secret',
        path: 'dtp/a',
      });
    }
  });
});

describe('a login that cannot be made is a startup error', () => {
  it('token method without a token', async () => {
    const vault = new NodeVaultClient(settings({ method: 'token', token: undefined }));
    const error = await failure(vault.login());
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe('Vault token login: no token given');
    expect(error.hint).toBe('Set vault-token (or VAULT_TOKEN).');
  });

  for (const [what, extra] of [
    ['no secret id', { secretId: undefined }],
    ['no role id', { roleId: undefined }],
  ] as const) {
    it(`AppRole with ${what}`, async () => {
      const error = await failure(new NodeVaultClient(settings(extra)).login());
      expect(error).toBeInstanceOf(StartupError);
      expect(error.message).toBe('Vault AppRole login needs vault-role-id and vault-secret-id');
      expect(error.hint).toBe('Set both, or choose another vault-auth-method.');
    });
  }

  it('jwt or kubernetes without a role', async () => {
    const error = await failure(new NodeVaultClient(settings({ method: 'kubernetes' })).login());
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe('Vault kubernetes login needs vault-role');
    expect(error.hint).toBe('Set vault-role to the Vault role bound to this workflow or service account.');
  });

  it('kubernetes without a readable service-account token', async () => {
    const error = await failure(new NodeVaultClient(settings({ method: 'kubernetes', role: 'dtp' })).login());
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toContain('Vault kubernetes login: cannot read the service-account token');
    expect(error.hint).toBe(
      'Run in a pod with a mounted service-account token, or set kubernetes-token-file.',
    );
  });

  it('jwt with an unreadable jwt file', async () => {
    const jwtFile = join(dir, 'missing.jwt');
    const error = await failure(
      new NodeVaultClient(settings({ method: 'jwt', role: 'dtp', jwtFile })).login(),
    );
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe(`Vault jwt login: cannot read ${jwtFile}`);
    expect(error.hint).toBe('Check vault-jwt-file.');
  });

  it('jwt when GitHub refuses the OIDC ID token', async () => {
    const idToken = () => Promise.reject(new Error('no id-token permission'));
    const error = await failure(
      new NodeVaultClient(settings({ method: 'jwt', role: 'dtp', idToken })).login(),
    );
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe('Vault jwt login: GitHub refused the OIDC ID token (no id-token permission)');
    expect(error.hint).toBe('Give the job `permissions: id-token: write`.');
  });

  it('jwt with neither a jwt file nor GitHub', async () => {
    const error = await failure(new NodeVaultClient(settings({ method: 'jwt', role: 'dtp' })).login());
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe('Vault jwt login needs a JWT');
    expect(error.hint).toBe(
      'Run on GitHub Actions with `permissions: id-token: write`, or set vault-jwt-file.',
    );
  });

  for (const [what, reply] of [
    ['an answer without auth', { lease_id: '' }],
    ['an empty answer', undefined],
  ] as const) {
    it(`a login with ${what} is refused, and no token is kept to revoke`, async () => {
      nock(VAULT).post('/v1/auth/approle/login').reply(200, reply);
      const vault = new NodeVaultClient(settings());
      const error = await failure(vault.login());
      expect(error).toBeInstanceOf(StartupError);
      expect(error.message).toBe('Vault approle login answered without a client token');
      await vault.revokeSelf(); // nock would refuse a revoke request
    });
  }
});

describe('the JWT sent to Vault', () => {
  it('jwt login reads the jwt file (trimmed) and sends it with the role to the jwt mount; it is masked', async () => {
    const jwtFile = file('token.jwt', 'eyJ.jwt-from-file.sig\n');
    nock(VAULT)
      .post('/v1/auth/jwt/login', { role: 'dtp', jwt: 'eyJ.jwt-from-file.sig' })
      .reply(200, { auth: { client_token: ISSUED } });
    const vault = new NodeVaultClient(settings({ method: 'jwt', role: 'dtp', jwtFile }));
    await vault.login();
    expect(redact('eyJ.jwt-from-file.sig')).toBe('***');
  });

  it('jwt login on GitHub asks for an ID token with the configured audience', async () => {
    const audiences: string[] = [];
    const idToken = async (audience: string) => {
      audiences.push(audience);
      return 'eyJ.github-oidc.sig';
    };
    nock(VAULT)
      .post('/v1/auth/github/login', { role: 'dtp', jwt: 'eyJ.github-oidc.sig' })
      .reply(200, { auth: { client_token: ISSUED } });
    await new NodeVaultClient(settings({ method: 'jwt', role: 'dtp', idToken, mount: 'github' })).login();
    expect(audiences).toEqual(['vault-audience']);
    expect(redact('eyJ.github-oidc.sig')).toBe('***');
  });

  it('kubernetes login sends the service-account token, trimmed', async () => {
    const kubernetesTokenFile = file('sa-token', 'eyJ.service-account.sig\n');
    nock(VAULT)
      .post('/v1/auth/kubernetes/login', { role: 'dtp', jwt: 'eyJ.service-account.sig' })
      .reply(200, { auth: { client_token: ISSUED } });
    await new NodeVaultClient(settings({ method: 'kubernetes', role: 'dtp', kubernetesTokenFile })).login();
  });
});

describe('KV v2 reads', () => {
  it('keeps string values only', async () => {
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .reply(200, { data: { data: { token: 'dt0c01.value', count: 3, nested: { a: 'b' }, none: null } } });
    const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) }));
    const read = await vault.readKv({ mount: 'secret', path: 'dtp/a' });
    expect(Object.keys(read)).toEqual(['token']);
    expect(read.token?.reveal()).toBe('dt0c01.value');
  });

  for (const [what, reply] of [
    ['without data', { warnings: null }],
    ['empty', undefined],
  ] as const) {
    it(`an answer ${what} is an empty secret`, async () => {
      nock(VAULT).get('/v1/secret/data/dtp/a').reply(200, reply);
      const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) }));
      expect(await vault.readKv({ mount: 'secret', path: 'dtp/a' })).toEqual({});
    });
  }
});

describe('a successful call is logged and counted', () => {
  it('one call, no retry, its own time', async () => {
    const clock = stubClock();
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .reply(() => {
        clock.advance(250);
        return [200, { data: { data: {} } }];
      });
    const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) }));
    await vault.readKv({ mount: 'secret', path: 'dtp/a' });
    expect(log).toEqual(['vault GET /v1/secret/data/dtp/a → ok']);
    const [stat] = stats.snapshot();
    expect(stat).toMatchObject({
      system: 'vault',
      operation: 'read secret',
      calls: 1,
      retries: 0,
      errors: 0,
    });
    expect(stat?.totalMs).toBe(250);
  });
});

describe('a failed call', () => {
  it('a refused login names the method, the call and Vault’s own message, never the secret id', async () => {
    nock(VAULT)
      .post('/v1/auth/approle/login')
      .reply(400, { errors: ['invalid role or secret ID', 'try again'] });
    const error = await failure(new NodeVaultClient(settings()).login());
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      system: 'vault',
      operation: 'approle login',
      method: 'POST',
      path: '/v1/auth/approle/login',
      status: 400,
      code: undefined,
      remoteMessage: 'invalid role or secret ID; try again',
      attempts: 1,
    });
    expect(error.message).not.toContain('secret-id-value');
    expect(log).toEqual(['vault POST /v1/auth/approle/login → 400']);
    expect(stats.snapshot()).toMatchObject([{ system: 'vault', operation: 'login', calls: 1, errors: 1 }]);
  });

  for (const [what, reply] of [
    ['an empty errors list', { errors: [] }],
    ['no errors field', { warnings: ['x'] }],
    ['no body', undefined],
  ] as const) {
    it(`with ${what} carries no remote message`, async () => {
      nock(VAULT).get('/v1/secret/data/dtp/a').reply(403, reply);
      const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) }));
      const error = await failure(vault.readKv({ mount: 'secret', path: 'dtp/a' }));
      expect(error).toMatchObject({ operation: 'read secret', status: 403, remoteMessage: undefined });
      expect(error.message).toBe('vault read secret (GET /v1/secret/data/dtp/a) failed with HTTP 403');
    });
  }

  it('a transient status is retried maxRetries times, then fails after that many attempts', async () => {
    const clock = stubClock();
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .times(3)
      .reply(() => {
        clock.advance(100);
        return [503, ''];
      });
    const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) }));
    const error = await failure(vault.readKv({ mount: 'secret', path: 'dtp/a' }));
    expect(error).toMatchObject({ status: 503, attempts: 3 });
    expect(log).toEqual(Array(3).fill('vault GET /v1/secret/data/dtp/a → 503'));
    const [stat] = stats.snapshot();
    expect(stat).toMatchObject({
      system: 'vault',
      operation: 'read secret',
      calls: 1,
      retries: 2,
      errors: 1,
    });
    // The whole call, all three attempts: the time between them is the fake clock's, which only the answers move.
    expect(stat?.totalMs).toBe(300);
  });

  it('a retried call that then succeeds counts its retries', async () => {
    nock(VAULT).get('/v1/secret/data/dtp/a').twice().reply(502);
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .reply(200, { data: { data: {} } });
    const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) }));
    await vault.readKv({ mount: 'secret', path: 'dtp/a' });
    expect(stats.snapshot()).toMatchObject([{ operation: 'read secret', calls: 1, retries: 2, errors: 0 }]);
  });

  it('a failure with neither a response nor an error code is reported as "no response"', async () => {
    nock(VAULT).get('/v1/secret/data/dtp/a').replyWithError('dropped');
    const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN), maxRetries: 0 }));
    const error = await failure(vault.readKv({ mount: 'secret', path: 'dtp/a' }));
    expect(error).toMatchObject({ status: undefined, code: 'no response', attempts: 1 });
    expect(log).toEqual(['vault GET /v1/secret/data/dtp/a → no response']);
  });

  it('a connection failure (no response) is retried and reported by its code', async () => {
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .times(3)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const vault = new NodeVaultClient(settings({ method: 'token', token: new Secret(GIVEN) }));
    const error = await failure(vault.readKv({ mount: 'secret', path: 'dtp/a' }));
    expect(error).toMatchObject({ status: undefined, code: 'ECONNRESET', attempts: 3 });
    expect(log).toEqual(Array(3).fill('vault GET /v1/secret/data/dtp/a → ECONNRESET'));
  });
});

describe('the wait between retries', () => {
  /**
   * Lets nock and undici run (they use no timers here) until the condition holds. The cap only turns a
   * condition that never holds into a failure: a loaded machine needs far more than a few hundred turns.
   */
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
    expect(done()).toBe(true);
  };

  it('without backoff-base-ms the first retry waits up to 200 ms (here half of it, 100 ms)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    let requests = 0;
    nock(VAULT)
      .get('/v1/secret/data/dtp/a')
      .twice()
      .reply(() => (++requests === 1 ? [503, ''] : [200, { data: { data: {} } }]));
    const vault = new NodeVaultClient(
      settings({ method: 'token', token: new Secret(GIVEN), backoffBaseMs: undefined }),
    );
    const read = vault.readKv({ mount: 'secret', path: 'dtp/a' });
    await until(() => log.length === 1);
    await vi.advanceTimersByTimeAsync(99);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(requests).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => requests === 2);
    expect(await read).toEqual({});
  });
});
