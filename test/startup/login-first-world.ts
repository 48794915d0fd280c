/**
 * What the login-first tests share: a Vault on loopback that answers an AppRole login and the revocation,
 * an invalid configuration (the run stops there, exit 2, after its login, and revokes the token), and a
 * record of each request made through node:http, in order with the module loads the test files record.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { writeFleetConfig } from '../../src/sandbox/fleet.js';

export const LOGIN = 'request /v1/auth/approle/login';
export const REVOKE = 'request /v1/auth/token/revoke-self';

export interface LoginFirstWorld {
  readonly vaultAddr: string;
  readonly configDir: string;
  readonly work: string;
}

export function loginFirstWorld(events: string[]): LoginFirstWorld {
  let vault: Server | undefined;
  const world = { vaultAddr: '', configDir: '', work: '' };
  beforeAll(async () => {
    vault = createServer((req, res) => {
      if (req.url === '/v1/auth/approle/login')
        res.end(JSON.stringify({ auth: { client_token: 'hvs.login-first-test-token' } }));
      else res.writeHead(204).end();
    });
    await new Promise<void>((done) => vault?.listen(0, '127.0.0.1', done));
    world.vaultAddr = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
    world.work = mkdtempSync(join(tmpdir(), 'dtp-login-first-'));
    world.configDir = join(world.work, 'config');
    writeFleetConfig(world.configDir, { environments: 1, tenants: 1, organizations: 1 });
    writeFileSync(join(world.configDir, 'broken.yaml'), 'kind: NoSuchKind\n');
  });
  afterAll(async () => {
    vault?.closeAllConnections();
    await new Promise<void>((done) => vault?.close(() => done()));
  });
  beforeEach(() => {
    const http = process.getBuiltinModule('node:http');
    const request = http.request;
    vi.spyOn(http, 'request').mockImplementation(((url: URL, ...rest: never[]) => {
      events.push(`request ${url.pathname}`);
      return (request as (...args: unknown[]) => unknown)(url, ...rest);
    }) as typeof http.request);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = 0;
  });
  return world;
}

/** The Vault settings of the world, as setting names. */
export const approle = (world: LoginFirstWorld): Record<string, string> => ({
  'vault-addr': world.vaultAddr,
  'vault-auth-method': 'approle',
  'vault-role-id': 'role',
  'vault-secret-id': 'secret-id-value',
});
