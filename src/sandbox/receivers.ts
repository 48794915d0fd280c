/**
 * The other end of dtp's notifications and metrics push, in-process on 127.0.0.1: an HTTP receiver for the
 * Slack and generic webhooks, a Pushgateway receiver, and a minimal SMTP server. Each records what it got,
 * so tests can read the messages dtp sent. The SMTP server speaks just enough of RFC 5321 (EHLO, AUTH PLAIN
 * and LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for a mail library to deliver; no TLS, no relaying.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';

export interface HttpReceipt {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface MailReceipt {
  /** The AUTH user, when the client logged in. */
  user?: string;
  password?: string;
  from: string;
  to: string[];
  /** The message as sent (headers and body, dot-unstuffed). */
  data: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An HTTP receiver: records every request, answers 200 unless told to fail the next ones. */
export class HttpReceiver {
  readonly received: HttpReceipt[] = [];
  #failNext: { count: number; status: number } = { count: 0, status: 500 };
  #server: Server;
  url = '';

  constructor(private readonly answer: (r: HttpReceipt) => { status: number; body: string }) {
    this.#server = createHttpServer(async (req, res) => {
      const receipt: HttpReceipt = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
        ),
        body: await readBody(req),
      };
      this.received.push(receipt);
      if (this.holding) return; // never answered: the client's own deadline has to end it
      const fail = this.#failNext.count > 0;
      if (fail) this.#failNext.count--;
      const out = fail ? { status: this.#failNext.status, body: 'failing on purpose' } : this.answer(receipt);
      res.writeHead(out.status, { 'content-type': 'text/plain' }).end(out.body);
    });
  }

  /** While true, requests are recorded and never answered (a hung receiver). */
  holding = false;

  /** The next `count` requests get `status`. */
  failNext(count: number, status = 500): void {
    this.#failNext = { count, status };
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Slack answers a good post with the text "ok"; the generic webhook just needs a 2xx. */
const webhookReceiver = () => new HttpReceiver(() => ({ status: 200, body: 'ok' }));

/** PUT or POST on /metrics/job/<job>[/<label>/<value>…], like the Pushgateway; anything else is 404. */
const pushgatewayReceiver = () =>
  new HttpReceiver((r) =>
    (r.method === 'PUT' || r.method === 'POST') && /^\/metrics\/job\/[^/]+(\/[^/]+\/[^/]+)*$/.test(r.path)
      ? { status: 200, body: '' }
      : { status: 404, body: 'not found' },
  );

export class SmtpReceiver {
  readonly messages: MailReceipt[] = [];
  #server: TcpServer;
  #sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.#server = createTcpServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      new SmtpSession(socket, (m) => this.messages.push(m));
    });
  }

  /** `smtp://user:password@127.0.0.1:<port>` for dtp's notify-smtp-url. */
  url(user = 'dtp', password = 'smtp-sandbox-password'): string {
    return `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** One SMTP conversation: a command at a time, or the lines of a message after DATA, or an AUTH LOGIN step. */
class SmtpSession {
  #buffer = '';
  #mail: { from?: string; to: string[] } = { to: [] };
  #auth: { user?: string; password?: string } = {};
  #mode: 'command' | 'data' | 'login-user' | 'login-password' = 'command';
  #data: string[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly deliver: (m: MailReceipt) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#receive(chunk));
    this.#reply('220 dtp-sandbox ESMTP');
  }

  #reply(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\r\n')) >= 0) {
      const text = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      this.#line(text);
    }
  }

  #line(text: string): void {
    const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
    if (this.#mode === 'data') {
      if (text !== '.') return void this.#data.push(text.startsWith('..') ? text.slice(1) : text);
      this.#mode = 'command';
      const { from = '', to } = this.#mail;
      this.deliver({ ...this.#auth, from, to, data: this.#data.join('\r\n') });
      return this.#reply('250 2.0.0 Queued');
    }
    if (this.#mode === 'login-user') {
      this.#auth.user = b64(text);
      this.#mode = 'login-password';
      return this.#reply('334 UGFzc3dvcmQ6');
    }
    if (this.#mode === 'login-password') {
      this.#auth.password = b64(text);
      this.#mode = 'command';
      return this.#reply('235 2.7.0 Authentication successful');
    }
    this.#command(text);
  }

  #command(line: string): void {
    const [verb = '', ...rest] = line.split(' ');
    const arg = rest.join(' ');
    const address = (a: string) => /<([^>]*)>/.exec(a)?.[1] ?? a.trim();
    switch (verb.toUpperCase()) {
      case 'EHLO':
      case 'HELO':
        return this.#reply('250-dtp-sandbox\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME');
      case 'AUTH':
        return this.#authenticate(arg);
      case 'MAIL':
        this.#mail = { from: address(arg.replace(/^FROM:/i, '')), to: [] };
        return this.#reply('250 2.1.0 OK');
      case 'RCPT':
        this.#mail.to.push(address(arg.replace(/^TO:/i, '')));
        return this.#reply('250 2.1.5 OK');
      case 'DATA':
        this.#mode = 'data';
        this.#data = [];
        return this.#reply('354 End data with <CR><LF>.<CR><LF>');
      case 'RSET':
        this.#mail = { to: [] };
        return this.#reply('250 2.0.0 OK');
      case 'NOOP':
        return this.#reply('250 2.0.0 OK');
      case 'QUIT':
        this.#reply('221 2.0.0 Bye');
        return void this.socket.end();
      default:
        return this.#reply('502 5.5.2 Command not implemented');
    }
  }

  #authenticate(arg: string): void {
    const [method = '', initial] = arg.split(' ');
    if (method.toUpperCase() === 'PLAIN' && initial) {
      const [, user, password] = Buffer.from(initial, 'base64').toString('utf8').split('\u0000');
      this.#auth = { user, password };
      return this.#reply('235 2.7.0 Authentication successful');
    }
    if (method.toUpperCase() === 'LOGIN') {
      this.#mode = 'login-user';
      return this.#reply('334 VXNlcm5hbWU6');
    }
    this.#reply('504 5.5.4 Unrecognized authentication type');
  }
}

/** All three receivers, started together. */
export interface Receivers {
  webhook: HttpReceiver;
  slack: HttpReceiver;
  pushgateway: HttpReceiver;
  smtp: SmtpReceiver;
  close(): Promise<void>;
}

export async function startReceivers(): Promise<Receivers> {
  const [webhook, slack, pushgateway, smtp] = await Promise.all([
    webhookReceiver().listen(),
    webhookReceiver().listen(),
    pushgatewayReceiver().listen(),
    new SmtpReceiver().listen(),
  ]);
  return {
    webhook,
    slack,
    pushgateway,
    smtp,
    close: async () => {
      await Promise.all([webhook.close(), slack.close(), pushgateway.close(), smtp.close()]);
    },
  };
}
