/**
 * Confirm before re-minting (src/reconcile/confirm.ts): a delivered token id that its tenant's dtp_ listing
 * lacks is looked up with GET /apiTokens/{id} before the planner may re-mint it. 404: gone, re-minted. Found
 * under a dtp_ name: the listing lied, the tenant is unusable this run. Found under another name: renamed by
 * hand, it joins the tenant's tokens (and is renamed back with PUT). A failed lookup re-mints nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DynatraceClient, DynatraceToken } from '../../src/clients/api.js';
import type { Cluster, DeliveredSecret } from '../../src/reconcile/model.js';
import { confirmMissing } from '../../src/reconcile/confirm.js';
import type { Observation } from '../../src/reconcile/observe.js';
import { TenantTokens } from '../../src/reconcile/plan.js';
import { resolveFleet } from '../../src/reconcile/resolve.js';
import { Secret } from '../../src/secret.js';
import { FakeDynatrace, type Call } from '../reconcile/fakes.js';
import {
  cluster,
  config,
  deliveredSecret,
  INGEST_SCOPES,
  liveToken,
  observed,
  OPERATOR_SCOPES,
  v2,
} from '../reconcile/fixtures.js';
import { TENANT_A, TENANT_B } from '../fixtures/domain.js';

const NS = 'dynatrace';
const NAME = 'dynatrace-token-dtp';
const API_URL = `https://${TENANT_A}.live.dynatrace.com/api`;
const KEPT_NOTE = 'nothing is minted, re-minted or revoked in this tenant this run';

type Live = DynatraceToken & { value: string };

/** One run's worth of state: bound clusters, their delivered Secrets, the listings and Dynatrace itself. */
class Run {
  calls: Call[] = [];
  dt = new Map([TENANT_A, TENANT_B].map((t) => [t, new FakeDynatrace(t, this.calls)]));
  clusters: Cluster[] = [];
  delivered = new Map<string, DeliveredSecret[]>();
  listed = new Map<string, Live[]>([
    [TENANT_A, []],
    [TENANT_B, []],
  ]);
  info: string[] = [];
  warn: string[] = [];
  concurrency = 4;
  /** The tenants with a report entry (the observation has one per tenant it needed). */
  reports = [TENANT_A, TENANT_B];
  dynatrace: (tenantId: string) => Promise<DynatraceClient> = async (tenantId) => this.dt.get(tenantId)!;
  observation!: Observation;

  /** A cluster bound to `tenantId` whose delivery holds `secrets`. */
  bind(tenantId: string, secrets: (c: Cluster) => DeliveredSecret[]): Cluster {
    const c = cluster(v2(tenantId));
    this.clusters.push(c);
    this.delivered.set(c.id, secrets(c));
    return c;
  }

  /** The operator and ingest tokens of a cluster, as Dynatrace would name them. */
  tokensOf(c: Cluster): [Live, Live] {
    return [
      liveToken('operator', c.externalId, OPERATOR_SCOPES),
      liveToken('ingest', c.externalId, INGEST_SCOPES),
    ];
  }

  /** The token exists in Dynatrace (GET finds it) under this name. */
  exists(tenantId: string, token: Live, name = token.name): void {
    this.dt.get(tenantId)!.tokens.set(token.id, { ...token, name });
  }

  /** The token is in Dynatrace and in the tenant's listing. */
  list(tenantId: string, token: Live): void {
    this.exists(tenantId, token);
    this.listed.get(tenantId)!.push(token);
  }

  async confirm(): Promise<Observation> {
    const resolution = resolveFleet(
      [
        {
          ocmEnvironment: 'production',
          clusters: this.clusters,
          skipped: [],
          subscriptionsWithoutCluster: 0,
          labels: 0,
        },
      ],
      config(),
      () => true,
    );
    this.observation = {
      tokens: new Map([...this.listed].map(([t, list]) => [t, TenantTokens.of(list)])),
      tenants: this.reports.map((tenantId) => ({
        tenantId,
        name: `tenant-${tenantId}`,
        tokens: this.listed.get(tenantId)!.length,
      })),
      deliveries: new Map(this.clusters.map((c) => [c.id, observed(...this.delivered.get(c.id)!)])),
    };
    await confirmMissing(resolution, this.observation, {
      dynatrace: this.dynatrace,
      concurrency: this.concurrency,
      log: { info: (m) => this.info.push(m), warn: (m) => this.warn.push(m), debug: () => {} },
    });
    return this.observation;
  }

  gets(): string[] {
    return this.calls.filter((c) => c.op === 'getToken').map((c) => c.target);
  }

  report(tenantId: string) {
    return this.observation.tenants.find((t) => t.tenantId === tenantId)!;
  }
}

const secretOf = (api: Live, ingest: Live, where = { namespace: NS, name: NAME }) =>
  deliveredSecret(where.name, where.namespace, API_URL, { apiToken: api, dataIngestToken: ingest });

/** A delivered Secret written key by key, for keys and values the reference builder would not write. */
const rawSecret = (data: Record<string, string>): DeliveredSecret => ({
  namespace: NS,
  name: NAME,
  data: new Map(Object.entries(data).map(([k, v]) => [k, new Secret(v)])),
});

let run: Run;
beforeEach(() => {
  run = new Run();
});

describe('confirmation before re-mint: only ids the listing lacks are looked up', () => {
  it('looks up only the delivered id missing from the listing, not the listed one', async () => {
    let missing!: Live;
    run.bind(TENANT_A, (c) => {
      const [api, ingest] = run.tokensOf(c);
      run.list(TENANT_A, ingest);
      missing = api;
      return [secretOf(api, ingest)];
    });
    await run.confirm();
    expect(run.gets()).toEqual([`${TENANT_A}/${missing.id}`]);
  });

  it('reads only the Secret the binding wants, not one with another name or namespace', async () => {
    run.bind(TENANT_A, (c) => {
      const [a1, i1] = run.tokensOf(c);
      const [a2, i2] = run.tokensOf(c);
      const [a3, i3] = run.tokensOf(c);
      run.list(TENANT_A, a3);
      run.list(TENANT_A, i3);
      // The decoys come first: a lookup that matched on either field alone would read them.
      return [
        secretOf(a1, i1, { namespace: NS, name: 'copied-secret' }),
        secretOf(a2, i2, { namespace: 'elsewhere', name: NAME }),
        secretOf(a3, i3),
      ];
    });
    await run.confirm();
    expect(run.gets()).toEqual([]);
  });

  it('reads only <key>Id entries, so a value pair under other keys is never looked up', async () => {
    const [t] = run.tokensOf(cluster(v2(TENANT_A)));
    run.bind(TENANT_A, () => [rawSecret({ tokenXY: t.id, token: t.value })]);
    await run.confirm();
    expect(run.gets()).toEqual([]);
  });

  it('does not take the bare key "Id" for a token reference', async () => {
    const [t] = run.tokensOf(cluster(v2(TENANT_A)));
    run.bind(TENANT_A, () => [rawSecret({ Id: t.id, '': t.value })]);
    await run.confirm();
    expect(run.gets()).toEqual([]);
  });

  it('skips an id without its value next to it, and an id whose value belongs to another token', async () => {
    const [t, other] = run.tokensOf(cluster(v2(TENANT_A)));
    run.bind(TENANT_A, () => [rawSecret({ apiTokenId: t.id, ingestId: t.id, ingest: other.value })]);
    await expect(run.confirm()).resolves.toBeDefined();
    expect(run.gets()).toEqual([]);
  });

  it('looks up the id with the whitespace around the delivered id and value removed', async () => {
    const [t, u] = run.tokensOf(cluster(v2(TENANT_A)));
    run.bind(TENANT_A, () => [
      rawSecret({ apiTokenId: ` ${t.id}\n`, apiToken: t.value, ingestId: u.id, ingest: `\n${u.value} ` }),
    ]);
    await run.confirm();
    expect(run.gets()).toEqual([`${TENANT_A}/${t.id}`, `${TENANT_A}/${u.id}`]);
  });
});

describe('confirmation before re-mint: the outcome of each GET', () => {
  it('404: the token stays missing (so it is re-minted), the listing is left as it was, nothing logged', async () => {
    let listed!: Live;
    run.bind(TENANT_A, (c) => {
      const [api, ingest] = run.tokensOf(c);
      run.list(TENANT_A, ingest);
      listed = ingest;
      return [secretOf(api, ingest)];
    });
    const observation = await run.confirm();
    expect(run.gets()).toHaveLength(1);
    expect([...observation.tokens.get(TENANT_A)!.keys()]).toEqual([listed.id]);
    expect(run.report(TENANT_A).error).toBeUndefined();
    expect(run.info).toEqual([]);
    expect(run.warn).toEqual([]);
  });

  it('found under a dtp_ name: that tenant (only) is unusable this run, reported and warned', async () => {
    let hidden!: Live;
    run.bind(TENANT_B, (c) => {
      const [api, ingest] = run.tokensOf(c);
      run.exists(TENANT_B, api);
      run.list(TENANT_B, ingest);
      hidden = api;
      return [secretOf(api, ingest)];
    });
    const observation = await run.confirm();
    const problem = `the Dynatrace listing of dtp_ tokens omitted delivered token ${hidden.id} (${hidden.name}), which GET /apiTokens/${hidden.id} returns: the listing is incomplete`;
    expect(observation.tokens.has(TENANT_B)).toBe(false);
    expect(run.report(TENANT_B).error).toBe(`${problem}; ${KEPT_NOTE}`);
    expect(run.warn).toEqual([`tenant ${TENANT_B} cannot be used this run: ${problem}`]);
    expect(observation.tokens.has(TENANT_A)).toBe(true);
    expect(run.report(TENANT_A).error).toBeUndefined();
  });

  it('found under another name: it joins the tenant’s tokens to be renamed back, and is logged', async () => {
    let renamed!: Live;
    let listed!: Live;
    run.bind(TENANT_A, (c) => {
      const [api, ingest] = run.tokensOf(c);
      run.exists(TENANT_A, api, 'operator token, renamed by hand');
      run.list(TENANT_A, ingest);
      [renamed, listed] = [api, ingest];
      return [secretOf(api, ingest)];
    });
    const observation = await run.confirm();
    const tokens = observation.tokens.get(TENANT_A)!;
    expect([...tokens.keys()].sort()).toEqual([listed.id, renamed.id].sort());
    expect(tokens.get(renamed.id)!.name).toBe('operator token, renamed by hand');
    expect(run.info).toEqual([
      `tenant ${TENANT_A}: 1 delivered tokens were renamed by hand; dtp names them back`,
    ]);
    expect(run.report(TENANT_A).error).toBeUndefined();
  });

  it('a GET that fails (error or malformed answer): the tenant is unusable, nothing re-minted', async () => {
    run.bind(TENANT_A, (c) => [secretOf(...run.tokensOf(c))]);
    run.dt.get(TENANT_A)!.getToken = async () => {
      throw new Error('GET /apiTokens/{id}: the answer is not an API token');
    };
    const observation = await run.confirm();
    const problem =
      'delivered tokens missing from the listing could not be confirmed: GET /apiTokens/{id}: the answer is not an API token';
    expect(observation.tokens.has(TENANT_A)).toBe(false);
    expect(run.report(TENANT_A).error).toBe(`${problem}; ${KEPT_NOTE}`);
    expect(run.warn).toEqual([`tenant ${TENANT_A} cannot be used this run: ${problem}`]);
  });

  it('a tenant client that cannot be had: the tenant is unusable, nothing re-minted', async () => {
    run.bind(TENANT_A, (c) => [secretOf(...run.tokensOf(c))]);
    run.dynatrace = async () => {
      throw new Error('bootstrap token unreadable');
    };
    const observation = await run.confirm();
    expect(observation.tokens.has(TENANT_A)).toBe(false);
    expect(run.report(TENANT_A).error).toBe(
      `delivered tokens missing from the listing could not be confirmed: bootstrap token unreadable; ${KEPT_NOTE}`,
    );
  });

  it('makes a tenant unusable even when it has no report entry', async () => {
    run.bind(TENANT_A, (c) => {
      const [api, ingest] = run.tokensOf(c);
      run.exists(TENANT_A, api);
      run.list(TENANT_A, ingest);
      return [secretOf(api, ingest)];
    });
    run.reports = [];
    const observation = await run.confirm();
    expect(observation.tokens.has(TENANT_A)).toBe(false);
    expect(run.warn).toEqual([expect.stringMatching(`^tenant ${TENANT_A} cannot be used this run: `)]);
  });
});

describe('confirmation before re-mint: order and concurrency of the lookups', () => {
  it('looks tenants up in tenant order and ids in id order', async () => {
    run.concurrency = 1;
    const ids: Record<string, string[]> = {};
    // TENANT_B's cluster first, and each Secret's ids in reverse order.
    for (const tenantId of [TENANT_B, TENANT_A])
      run.bind(tenantId, (c) => {
        const [api, ingest] = run.tokensOf(c);
        ids[tenantId] = [api.id, ingest.id];
        return [deliveredSecret(NAME, NS, API_URL, { dataIngestToken: ingest, apiToken: api })];
      });
    await run.confirm();
    expect(run.gets()).toEqual([TENANT_A, TENANT_B].flatMap((t) => ids[t]!.sort().map((id) => `${t}/${id}`)));
    expect(ids[TENANT_A]![0]! < ids[TENANT_A]![1]!).toBe(true);
  });

  it('stops looking up a tenant’s ids once one shows the listing is incomplete', async () => {
    run.concurrency = 1;
    run.bind(TENANT_A, (c) => {
      const [api, ingest] = run.tokensOf(c);
      run.exists(TENANT_A, api);
      run.exists(TENANT_A, ingest);
      return [secretOf(api, ingest)];
    });
    await run.confirm();
    expect(run.gets()).toHaveLength(1);
    expect(run.report(TENANT_A).error).toMatch(/^the Dynatrace listing of dtp_ tokens omitted/);
  });

  it('has at most 8 lookups of one tenant in flight', async () => {
    run.concurrency = 20;
    for (let i = 0; i < 6; i++) run.bind(TENANT_A, (c) => [secretOf(...run.tokensOf(c))]);
    let inFlight = 0;
    let peak = 0;
    const dt = run.dt.get(TENANT_A)!;
    dt.getToken = async () => {
      peak = Math.max(peak, ++inFlight);
      // Every started lookup yields once, so all that may run at once are in flight together.
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return undefined;
    };
    await run.confirm();
    expect(peak).toBe(8);
  });
});
