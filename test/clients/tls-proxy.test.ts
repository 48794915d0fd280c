/**
 * ca-file and the proxy variables in the shared HTTP layer (OCM, SSO, Dynatrace) and in Vault's transport,
 * over real TLS on loopback: a server whose certificate a private CA signed (generated here with the openssl
 * CLI, keys thrown away with the temporary folder) is refused without the bundle and trusted with it;
 * HTTPS_PROXY sends the connection through a CONNECT proxy unless NO_PROXY names the host — for Vault exactly
 * as for the other clients, which is why Vault goes through their dispatcher when a proxy is configured.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallStats, HttpClient, closeHttpAgents } from '../../src/clients/http.js';
import { DynatraceRestClient } from '../../src/clients/dynatrace.js';
import { NodeVaultClient } from '../../src/clients/vault.js';
import { caBundle } from '../../src/clients/vault-transport.js';
import { RemoteError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';

let dir: string;
let server: Server;
let proxy: HttpServer;
let origin: string;
let proxyUrl: string;
const served: string[] = [];
const tunnels: string[] = [];

function makeCertificates(into: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: into, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=dtp test CA');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(into, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dtp-tls-'));
  makeCertificates(dir);
  server = createServer(
    { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
    (req, res) => {
      served.push(`${req.method} ${req.url}`);
      if (req.url === '/v1/secret/data/moved') {
        res.writeHead(307, { location: 'https://elsewhere.test/v1/secret/data/moved' }).end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          req.url?.startsWith('/v1/')
            ? { data: { data: { token: 'dt0c01.VAULT' } } }
            : { totalCount: 1, apiTokens: [{ id: 'dt0c01.T', name: 'dtp_t', enabled: true, scopes: [] }] },
        ),
      );
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  // A CONNECT proxy: it sees the target host and port, never the TLS inside.
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    tunnels.push(String(req.url));
    const [host, port] = String(req.url).split(':');
    const upstream = connect(Number(port), host === 'localhost' ? '127.0.0.1' : String(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

const saved = { ...process.env };
afterEach(async () => {
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await closeHttpAgents();
});

afterAll(async () => {
  server.closeAllConnections();
  proxy.closeAllConnections();
  await Promise.all([
    new Promise<void>((done) => server.close(() => done())),
    new Promise<void>((done) => proxy.close(() => done())),
  ]);
  rmSync(dir, { recursive: true, force: true });
});

function dynatrace(ca?: readonly string[]) {
  return new DynatraceRestClient(
    'abc12345',
    new HttpClient({
      system: 'dynatrace',
      baseUrl: `${origin}/api/v2`,
      timeoutMs: 5000,
      maxRetries: 0,
      rateLimit: 1000,
      stats: new CallStats(),
      ca,
    }),
  );
}

describe('ca-file', () => {
  it('without the bundle, a privately signed server is refused before any request, naming the fix', async () => {
    const before = served.length;
    const error = await dynatrace()
      .listTokens('dtp_')
      .catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER/,
    );
    expect(error.message).toContain('set ca-file to a PEM bundle with the issuing CA');
    expect(served.length).toBe(before);
  });

  it('with the bundle, the server is trusted (and the public roots stay in the list)', async () => {
    const ca = caBundle(join(dir, 'ca.pem'))!;
    expect(ca.length).toBeGreaterThan(100);
    const tokens = await dynatrace(ca).listTokens('dtp_');
    expect(tokens.map((t) => t.id)).toEqual(['dt0c01.T']);
    expect(served.at(-1)).toMatch(/^GET \/api\/v2\/apiTokens\?/);
  });
});

describe('proxy variables', () => {
  it('HTTPS_PROXY carries the connection through the proxy (TLS still checked end to end)', async () => {
    process.env.HTTPS_PROXY = proxyUrl;
    const before = tunnels.length;
    const tokens = await dynatrace(caBundle(join(dir, 'ca.pem'))).listTokens('dtp_');
    expect(tokens).toHaveLength(1);
    expect(tunnels.slice(before)).toEqual([`localhost:${new URL(origin).port}`]);
    // Through the proxy, an untrusted certificate is still refused.
    const refused = await dynatrace()
      .listTokens('dtp_')
      .catch((e) => e);
    expect(refused).toBeInstanceOf(RemoteError);
  });

  it('NO_PROXY naming the host connects directly', async () => {
    process.env.HTTPS_PROXY = proxyUrl;
    process.env.NO_PROXY = 'localhost';
    const before = tunnels.length;
    expect(await dynatrace(caBundle(join(dir, 'ca.pem'))).listTokens('dtp_')).toHaveLength(1);
    expect(tunnels.length).toBe(before);
  });

  it('no proxy variable, no proxy', async () => {
    const before = tunnels.length;
    expect(await dynatrace(caBundle(join(dir, 'ca.pem'))).listTokens('dtp_')).toHaveLength(1);
    expect(tunnels.length).toBe(before);
  });
});

function vault(caFile?: string) {
  return new NodeVaultClient({
    addr: origin,
    method: 'token',
    token: new Secret('hvs.proxy-test-token'),
    jwtAudience: 'vault',
    kubernetesTokenFile: '/nonexistent/token',
    timeoutMs: 5000,
    maxRetries: 0,
    stats: new CallStats(),
    onGitHub: false,
    caFile,
  });
}

describe('Vault and the proxy variables: the same connection as every other client', () => {
  const read = (caFile = join(dir, 'ca.pem')) => vault(caFile).readKv({ mount: 'secret', path: 'a' });
  const endpoint = () => `localhost:${new URL(origin).port}`;

  it.each(['HTTPS_PROXY', 'https_proxy'])(
    '%s carries Vault through the proxy, TLS checked end to end',
    async (name) => {
      process.env[name] = proxyUrl;
      const before = tunnels.length;
      expect((await read()).token?.reveal()).toBe('dt0c01.VAULT');
      expect(tunnels.slice(before)).toEqual([endpoint()]);
      const refused = await vault()
        .readKv({ mount: 'secret', path: 'a' })
        .catch((e: unknown) => e);
      expect(String(refused)).toMatch(
        /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER/,
      );
    },
  );

  it('HTTP_PROXY alone also carries an https Vault address, as it does the other clients', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    const before = tunnels.length;
    await read();
    expect(tunnels.slice(before)).toEqual([endpoint()]);
  });

  it('NO_PROXY naming the host (among others) connects directly', async () => {
    process.env.HTTPS_PROXY = proxyUrl;
    process.env.NO_PROXY = 'example.test, localhost';
    const before = tunnels.length;
    await read();
    expect(tunnels.length).toBe(before);
  });

  it('no proxy variable: direct, over Node’s own https with the ca-file', async () => {
    const before = tunnels.length;
    expect((await read()).token?.reveal()).toBe('dt0c01.VAULT');
    expect(tunnels.length).toBe(before);
  });

  it('through the proxy, a redirect is still refused, naming only its origin', async () => {
    process.env.HTTPS_PROXY = proxyUrl;
    const error = await vault(join(dir, 'ca.pem'))
      .readKv({ mount: 'secret', path: 'moved' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 307 });
    expect(String(error)).toContain('Vault redirected to https://elsewhere.test');
  });
});
