/**
 * The Vault transport (src/clients/vault-transport.ts) on real loopback sockets, for what nock cannot show:
 * the request head as it goes on the wire, an answer held back or cut off, a connection that never opens,
 * the kept-alive connection and its close. No nock here: its interceptors stand in for Node's sockets.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeVaultAgents, vaultTransport } from '../../src/clients/vault-transport.js';
import type { VaultRequest } from '../../src/clients/vault-transport.js';

// Without a proxy configured, nothing here may load undici: the login goes out before it is loaded.
vi.mock('undici', () => {
  throw new Error('the Vault transport loaded undici');
});

const send = (request: VaultRequest, timeoutMs = 2000) => vaultTransport({ timeoutMs }).defaults()(request);
const failure = (request: VaultRequest, timeoutMs?: number) =>
  send(request, timeoutMs).catch((e: unknown) => e);

beforeEach(() => {
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) vi.stubEnv(name, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  closeVaultAgents();
});

/** What the loopback server saw of one request. */
interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback server: hands each request, read whole, to `handler`; records what it saw. */
async function loopback(handler: (res: ServerResponse) => void): Promise<{
  origin: string;
  seen: Seen[];
  connections: Socket[];
  close(): Promise<void>;
}> {
  const seen: Seen[] = [];
  const connections: Socket[] = [];
  // No idle timeout of its own: a kept connection closes only when the client closes it.
  const server: Server = createServer({ keepAliveTimeout: 0 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handler(res);
    });
  });
  server.on('connection', (socket) => connections.push(socket));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    connections,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

describe('the Vault transport sends a body with its length', () => {
  it('a JSON body goes with a content-length in bytes, not chunked', async () => {
    const server = await loopback((res) => res.end('{}'));
    try {
      const json = { role_id: 'r', secret_id: 'sécret-€' };
      await send({ method: 'POST', uri: `${server.origin}/v1/auth/approle/login`, json });
      const text = JSON.stringify(json);
      expect(server.seen).toHaveLength(1);
      expect(server.seen[0]!.body).toBe(text);
      expect(server.seen[0]!.headers['content-length']).toBe(String(Buffer.byteLength(text)));
      expect(server.seen[0]!.headers['transfer-encoding']).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('the Vault transport bounds every wait by the timeout', () => {
  it('no answer: the request fails with undici’s headers-timeout code, as the Vault client reports it', async () => {
    const server = await loopback(() => {});
    try {
      const error = await failure({ method: 'GET', uri: `${server.origin}/v1/a`, json: true }, 50);
      expect(error).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT', message: 'no answer within 0.05s' });
    } finally {
      await server.close();
    }
  });

  it('an answer whose body stops: the body-timeout code', async () => {
    const server = await loopback((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"data":');
    });
    try {
      const error = await failure({ method: 'GET', uri: `${server.origin}/v1/a`, json: true }, 50);
      expect(error).toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    } finally {
      await server.close();
    }
  });

  it('a connection that does not open: the connect-timeout code', async () => {
    // A name lookup that never answers keeps the socket connecting, as an unreachable Vault does.
    const dns = process.getBuiltinModule('node:dns');
    vi.spyOn(dns, 'lookup').mockImplementation((() => undefined) as unknown as typeof dns.lookup);
    const error = await failure(
      { method: 'GET', uri: 'http://vault-unreachable.test:8200/v1/a', json: true },
      50,
    );
    expect(error).toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT', message: 'no answer within 0.05s' });
    expect(dns.lookup).toHaveBeenCalled();
  });

  it('a refused connection fails with its own code', async () => {
    const server = await loopback(() => {});
    const { origin } = server;
    await server.close();
    const error = await failure({ method: 'GET', uri: `${origin}/v1/a`, json: true });
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('the Vault transport reports an answer cut off', () => {
  it('a connection closed in the middle of the body fails as a reset, never as an answer', async () => {
    const server = await loopback((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      // Closed once the head and the first bytes are out: the client has started reading the answer.
      res.write('{"data":', () => res.socket!.end());
    });
    try {
      const error = await failure({ method: 'GET', uri: `${server.origin}/v1/a`, json: true });
      // Node reports it on the answer itself, as `aborted`.
      expect(error).toMatchObject({ code: 'ECONNRESET', message: 'aborted' });
    } finally {
      await server.close();
    }
  });
});

describe('the Vault transport keeps its connection', () => {
  it('calls one after the other share one connection, which closeVaultAgents closes at once', async () => {
    const server = await loopback((res) => res.end('{}'));
    // The client's own sockets, as net.connect creates them.
    const sockets: Socket[] = [];
    const opened = (message: unknown) => sockets.push((message as { socket: Socket }).socket);
    subscribe('net.client.socket', opened);
    try {
      const transport = vaultTransport({ timeoutMs: 2000 }).defaults();
      await transport({ method: 'POST', uri: `${server.origin}/v1/auth/approle/login`, json: {} });
      await transport({ method: 'GET', uri: `${server.origin}/v1/secret/data/a`, json: true });
      expect(sockets).toHaveLength(1);
      expect(server.connections).toHaveLength(1);
      expect(sockets[0]!.destroyed).toBe(false);
      closeVaultAgents();
      // Destroyed by the call itself, not later by the idle timeout of this or Node's global agent.
      expect(sockets[0]!.destroyed).toBe(true);
    } finally {
      unsubscribe('net.client.socket', opened);
      await server.close();
    }
  });

  it('closes the connection of a transport used again after an earlier closeVaultAgents', async () => {
    const server = await loopback((res) => res.end('{}'));
    const sockets: Socket[] = [];
    const opened = (message: unknown) => sockets.push((message as { socket: Socket }).socket);
    subscribe('net.client.socket', opened);
    try {
      const transport = vaultTransport({ timeoutMs: 2000 }).defaults();
      await transport({ method: 'GET', uri: `${server.origin}/v1/a`, json: true });
      closeVaultAgents();
      await transport({ method: 'GET', uri: `${server.origin}/v1/b`, json: true });
      expect(sockets).toHaveLength(2);
      expect(sockets[1]!.destroyed).toBe(false);
      closeVaultAgents();
      expect(sockets[1]!.destroyed).toBe(true);
    } finally {
      unsubscribe('net.client.socket', opened);
      await server.close();
    }
  });
});
