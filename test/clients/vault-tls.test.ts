/**
 * ca-file over real TLS on 127.0.0.1: a Vault whose certificate is signed by a private CA is refused
 * without the bundle and trusted with it. Fixtures: test/clients/fixtures/tls (test-only CA, key discarded).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallStats } from '../../src/clients/http.js';
import { NodeVaultClient } from '../../src/clients/vault.js';
import type { VaultSettings } from '../../src/clients/vault.js';
import { Secret } from '../../src/secret.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'tls');
let server: Server;
let addr: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer(
    { key: readFileSync(join(FIXTURES, 'server.key')), cert: readFileSync(join(FIXTURES, 'server.pem')) },
    (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { data: { token: 'dt0c01.TLS.value' }, metadata: { version: 1 } } }));
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  addr = `https://localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const settings = (extra: Partial<VaultSettings>): VaultSettings => ({
  addr,
  method: 'token',
  token: new Secret('hvs.tls-test-token'),
  jwtAudience: 'vault',
  kubernetesTokenFile: '/nonexistent/token',
  timeoutMs: 5000,
  maxRetries: 0,
  stats: new CallStats(),
  onGitHub: false,
  backoffBaseMs: 1,
  ...extra,
});

describe('Vault over TLS with a private CA', () => {
  it('is refused without ca-file (no request reaches the server)', async () => {
    const before = seen.length;
    const vault = new NodeVaultClient(settings({}));
    const error = await vault.readKv({ mount: 'secret', path: 'a' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(
      /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER/,
    );
    expect(seen.length).toBe(before);
  });

  it('is trusted with ca-file pointing at the CA bundle', async () => {
    const vault = new NodeVaultClient(settings({ caFile: join(FIXTURES, 'ca.pem') }));
    const data = await vault.readKv({ mount: 'secret', path: 'a' });
    expect(data.token?.reveal()).toBe('dt0c01.TLS.value');
    expect(seen.at(-1)).toBe('GET /v1/secret/data/a');
  });
});
