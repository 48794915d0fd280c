/** A small world of fakes (one OCM environment, two tenants) and the engine run over it, for engine tests. */
import { runEngine, type EngineInput, type EngineOptions } from '../../src/reconcile/engine.js';
import { parseDelivery } from '../../src/reconcile/delivery.js';
import type { Config } from '../../src/config/types.js';
import { FakeDynatrace, FakeOcm, isWrite, type Call } from './fakes.js';
import { config } from './fixtures.js';

export const T1 = 'abc12345';
export const T2 = 'def67890';
export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export interface World {
  calls: Call[];
  ocm: FakeOcm;
  dt: Map<string, FakeDynatrace>;
  cfg: Config;
  logs: string[];
}

/** The engine's clock in these tests, and the OCM fake's: service logs are stamped with it. */
const WORLD_NOW = '2026-11-22T12:00:00Z';

export function world(): World {
  const calls: Call[] = [];
  const ocm = new FakeOcm('production', calls);
  ocm.now = () => new Date(WORLD_NOW);
  return {
    calls,
    ocm,
    dt: new Map([T1, T2].map((t) => [t, new FakeDynatrace(t, calls)])),
    cfg: config(),
    logs: [],
  };
}

export function engine(w: World, overrides: Partial<EngineInput> = {}, options?: EngineOptions) {
  return runEngine(
    {
      config: w.cfg,
      mode: 'reconcile',
      concurrency: 4,
      prune: 'true',
      serviceLogs: true,
      shard: { index: 1, count: 1 },
      ocm: [{ environment: 'production', client: w.ocm }],
      dynatrace: async (tenantId) => {
        const dt = w.dt.get(tenantId);
        if (!dt) throw new Error(`no tenant ${tenantId}`);
        return dt;
      },
      log: { info: (m) => w.logs.push(m), warn: (m) => w.logs.push(`warn: ${m}`), debug: () => {} },
      now: () => new Date(WORLD_NOW),
      ...overrides,
    },
    options,
  );
}

/** The invariant of the product: every delivered id is a live token holding that value, and no live dtp_ token is unreferenced. */
export function audit(w: World) {
  const referenced = new Set<string>();
  const dead: string[] = [];
  for (const [clusterId, wire] of w.ocm.deliveries) {
    for (const secret of parseDelivery(wire).secrets) {
      for (const [key, id] of secret.data) {
        if (!key.endsWith('Id')) continue;
        const tenant = [...w.dt.values()].find((d) => d.tokens.has(id.reveal()));
        const token = tenant?.tokens.get(id.reveal());
        if (!token || token.value !== secret.data.get(key.slice(0, -2))?.reveal())
          dead.push(`${clusterId}:${key}`);
        referenced.add(id.reveal());
      }
    }
  }
  const orphans = [...w.dt.values()].flatMap((d) => [...d.tokens.keys()].filter((id) => !referenced.has(id)));
  return { dead, orphans };
}

export const writes = (w: World) => w.calls.filter(isWrite);
