/**
 * A stand-in for undici under src/clients/http.ts (`vi.mock('undici', () => import('./http-fake-undici.js'))`):
 * the test scripts each answer or transport error, can hold a request open, and sees every request and every
 * pool the client made. nock cannot raise a transport error with an arbitrary `code`/`name`/`cause`, nor show
 * the pool options or whether a pool was closed.
 */
import { CallStats, HttpClient } from '../../src/clients/http.js';
import type { HttpSettings } from '../../src/clients/http.js';

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}
/** What a failed undici request throws: a code, an error name (timeouts, aborts) or a wrapped cause. */
export interface Failure {
  code?: string;
  name?: string;
  cause?: { code?: string };
}
type Step = { answer: Answer } | { fail: Failure } | { held: Promise<Answer> };

export interface Sent {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  headersTimeout: number;
  bodyTimeout: number;
}

class FakeDispatcher {
  closed = 0;
  constructor(readonly options: { connections: number; connect?: unknown }) {
    fake.pools.push(this);
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  async request(opts: Sent) {
    fake.sent.push(opts);
    const step = fake.steps.shift();
    if (!step) {
      fake.unscripted++;
      throw Object.assign(new Error('no answer scripted'), { code: 'UNSCRIPTED' });
    }
    if ('fail' in step) {
      const { cause, ...rest } = step.fail;
      throw Object.assign(new Error('transport failure'), rest, cause ? { cause } : {});
    }
    fake.inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
    try {
      const answer = 'held' in step ? await step.held : step.answer;
      const text = answer.body ?? '';
      return {
        statusCode: answer.status,
        headers: answer.headers ?? {},
        body: { text: () => Promise.resolve(text) },
      };
    } finally {
      fake.inFlight--;
    }
  }
}

export class Agent extends FakeDispatcher {
  readonly kind = 'agent';
}
export class EnvHttpProxyAgent extends FakeDispatcher {
  readonly kind = 'proxy';
  constructor(options: { connections: number; requestTls?: unknown; proxyTls?: unknown }) {
    super(options);
  }
}

export const fake = {
  steps: [] as Step[],
  sent: [] as Sent[],
  pools: [] as FakeDispatcher[],
  unscripted: 0,
  inFlight: 0,
  maxInFlight: 0,
  reset(): void {
    this.steps = [];
    this.sent = [];
    this.pools = [];
    this.unscripted = 0;
    this.inFlight = 0;
    this.maxInFlight = 0;
  },
  answer(status: number, body?: unknown, headers?: Record<string, string>): void {
    const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    const type: Record<string, string> =
      typeof body === 'object' ? { 'content-type': 'application/json' } : {};
    this.steps.push({ answer: { status, body: text, headers: { ...type, ...headers } } });
  },
  fail(failure: Failure): void {
    this.steps.push({ fail: failure });
  },
  /** A request that stays in flight until the returned function answers it. */
  hold(): (answer?: Answer) => void {
    let release!: (answer: Answer) => void;
    this.steps.push({ held: new Promise<Answer>((r) => (release = r)) });
    return (answer = { status: 200, body: '{}', headers: { 'content-type': 'application/json' } }) =>
      release(answer);
  },
};

export function fakeClient(extra: Partial<HttpSettings> = {}) {
  const stats = new CallStats();
  const http = new HttpClient({
    system: 'ocm',
    baseUrl: 'http://ocm.test',
    timeoutMs: 2000,
    maxRetries: 3,
    rateLimit: 1000,
    stats,
    backoffBaseMs: 1,
    backoffCapMs: 5,
    ...extra,
  });
  return { http, stats };
}
