/**
 * The three simulators together: started on ephemeral 127.0.0.1 ports, seeded with a fleet, with the
 * settings that point dtp at them, request records, fault control, and an audit of the end state
 * ("no orphan token, no Secret without a live token, no duplicate").
 */
import { Random } from './random.js';
import { SimServer } from './server.js';
import type { FaultPlan, RequestRecord, SimRequest, SimResponse, SystemName } from './server.js';
import { SimClock } from './clock.js';
import { OcmSim, ocmError } from './ocm.js';
import { DynatraceSim, dynatraceError } from './dynatrace.js';
import { VaultSim, vaultError } from './vault.js';
import { seedFleet } from './fleet.js';
import type { FleetDescription, SeededFleet } from './fleet.js';
import type { Config } from '../config/types.js';
import { DELIVERY_ID, TOKEN_PREFIX } from '../reconcile/naming.js';
import { predecessorsInRotation } from '../reconcile/rotation.js';

export interface SandboxOptions {
  config: Config;
  fleet: FleetDescription;
  /** Seed of the fault rolls and generated ids. */
  seed?: number;
  /** Every routed exchange, for contract checks. */
  onExchange?: (system: SystemName, operation: string, req: SimRequest, res: SimResponse) => void;
  /** Keep at most this many request records (oldest dropped). */
  maxRecords?: number;
}

export interface AuditResult {
  /** dtp tokens per tenant (bootstrap tokens excluded). */
  tokens: number;
  deliveries: number;
  /** dtp tokens that no delivered Secret holds. */
  orphanTokens: { tenant: string; id: string; name: string }[];
  /** Delivered token values with no live token behind them. */
  deadSecrets: { environment: string; cluster: string; secret: string; key: string }[];
  /** Token names that exist more than once in a tenant, rotations in progress excepted. */
  duplicateNames: { tenant: string; name: string; count: number }[];
  /** Predecessors kept until their delivered successor is picked up: neither orphans nor duplicates. */
  waitingForPickup: { tenant: string; id: string; name: string }[];
}

/** One token value found in a delivered Secret. */
export interface DeliveredToken {
  environment: string;
  cluster: string;
  secret: string;
  key: string;
  tenant: string;
  value: string;
}

export class Sandbox {
  /** The time of the Dynatrace and OCM simulators; in-process dtp runs read it too (see `runAgainst`). */
  readonly clock = new SimClock();
  readonly ocm = new OcmSim(this.clock);
  readonly dynatrace: DynatraceSim;
  readonly vault = new VaultSim();
  readonly records: RequestRecord[] = [];
  readonly servers: Record<'ocm' | 'sso' | 'dynatrace' | 'vault', SimServer>;
  fleet!: SeededFleet;
  readonly #maxRecords: number;

  constructor(private readonly options: SandboxOptions) {
    const seed = options.seed ?? options.fleet.seed ?? 1;
    this.#maxRecords = options.maxRecords ?? 1_000_000;
    this.dynatrace = new DynatraceSim(new Random(seed + 7), this.clock);
    const record = (r: RequestRecord) => {
      this.records.push(r);
      if (this.records.length > this.#maxRecords)
        this.records.splice(0, this.records.length - this.#maxRecords);
    };
    const observe = (system: SystemName) =>
      options.onExchange
        ? (op: string, req: SimRequest, res: SimResponse) => options.onExchange!(system, op, req, res)
        : undefined;
    this.servers = {
      ocm: new SimServer({
        system: 'ocm',
        routes: this.ocm.routes(),
        errorBody: (s, m) => ocmError(s, m),
        seed: seed + 1,
        record,
        onExchange: observe('ocm'),
        partitionOf: (path) => path.split('/')[1] ?? '',
      }),
      sso: new SimServer({
        system: 'sso',
        routes: this.ocm.ssoRoutes(),
        errorBody: (_s, m) => ({ error: 'server_error', error_description: m }),
        seed: seed + 2,
        record,
        onExchange: observe('sso'),
      }),
      dynatrace: new SimServer({
        system: 'dynatrace',
        routes: this.dynatrace.routes(),
        errorBody: (s, m) => dynatraceError(s, m),
        // Dynatrace answers a full queue with its rate-limit headers; the reset is in microseconds.
        rateLimitAnswer: (retryAfterS, limit) => ({
          status: 429,
          body: dynatraceError(429, 'Too Many Requests'),
          headers: {
            'retry-after': String(retryAfterS),
            'x-ratelimit-limit': String(limit),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String((Date.now() + retryAfterS * 1000) * 1000),
          },
        }),
        seed: seed + 3,
        record,
        onExchange: observe('dynatrace'),
        partitionOf: (path) => path.split('/')[2] ?? '',
      }),
      vault: new SimServer({
        system: 'vault',
        routes: this.vault.routes(),
        errorBody: (_s, m) => vaultError(m),
        seed: seed + 4,
        record,
        onExchange: observe('vault'),
      }),
    };
  }

  async start(): Promise<this> {
    await Promise.all(Object.values(this.servers).map((s) => s.listen()));
    this.fleet = seedFleet(
      { ocm: this.ocm, dynatrace: this.dynatrace, vault: this.vault },
      this.options.config,
      this.options.fleet,
    );
    return this;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.servers).map((s) => s.close()));
  }

  /** Settings (as DTP_* variables) that point dtp at this sandbox with AppRole login. */
  settings(): Record<string, string> {
    return {
      DTP_VAULT_ADDR: this.servers.vault.url,
      DTP_VAULT_AUTH_METHOD: 'approle',
      DTP_VAULT_ROLE_ID: this.fleet.credentials.vaultRoleId,
      DTP_VAULT_SECRET_ID: this.fleet.credentials.vaultSecretId,
      DTP_OCM_URL: `${this.servers.ocm.url}/{environment}`,
      DTP_OCM_SSO_URL: `${this.servers.sso.url}/{environment}/token`,
      DTP_DYNATRACE_URL: `${this.servers.dynatrace.url}/e/{tenant}`,
    };
  }

  /** Faults for one system; replaces that system's plan. */
  setFaults(system: SystemName, plan: FaultPlan): void {
    this.servers[system].setFaults(plan);
  }

  clearFaults(): void {
    for (const s of Object.values(this.servers)) s.setFaults({});
  }

  /** Requests that changed something (POST, PUT, PATCH, DELETE), SSO and Vault logins excluded. */
  writes(records: readonly RequestRecord[] = this.records): RequestRecord[] {
    return records.filter(
      (r) =>
        r.method !== 'GET' &&
        (r.system === 'ocm' || (r.system === 'dynatrace' && r.operation !== 'lookupToken')),
    );
  }

  /** Every dtp token per tenant, with its value (tests compare it with the delivered Secrets). */
  tokens(tenant: string) {
    return [...(this.dynatrace.tenants.get(tenant)?.tokens.values() ?? [])].filter((t) =>
      t.name.startsWith(TOKEN_PREFIX),
    );
  }

  /** Every delivery object dtp owns, per environment and cluster. */
  deliveries(): { environment: string; clusterId: string; kind: 'SyncSet' | 'Manifest'; items: unknown[] }[] {
    const out: { environment: string; clusterId: string; kind: 'SyncSet' | 'Manifest'; items: unknown[] }[] =
      [];
    for (const env of this.ocm.environments.values()) {
      for (const [kind, store] of [
        ['SyncSet', env.syncsets],
        ['Manifest', env.manifests],
      ] as const) {
        for (const [clusterId, objects] of store) {
          const d = objects.get(DELIVERY_ID);
          if (d) out.push({ environment: env.name, clusterId, kind, items: d.items });
        }
      }
    }
    return out;
  }

  /** Every token value in the Secrets dtp delivered, with where it is and the tenant its apiUrl names. */
  deliveredTokens(): DeliveredToken[] {
    const out: DeliveredToken[] = [];
    for (const d of this.deliveries()) {
      for (const item of d.items as {
        kind?: string;
        metadata?: { name?: string; namespace?: string };
        data?: Record<string, string>;
      }[]) {
        if (item?.kind !== 'Secret' || !item.data) continue;
        const data = Object.fromEntries(
          Object.entries(item.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        );
        const tenant = /^https?:\/\/([^./]+)\./.exec(data.apiUrl ?? '')?.[1] ?? '';
        for (const [key, value] of Object.entries(data)) {
          if (key === 'apiUrl' || key.endsWith('Id') || !value.startsWith('dt0c01.')) continue;
          const secret = `${item.metadata?.namespace}/${item.metadata?.name}`;
          out.push({ environment: d.environment, cluster: d.clusterId, secret, key, tenant, value });
        }
      }
    }
    return out;
  }

  /**
   * What the Dynatrace Operator does with a Secret it has read: it calls Dynatrace with the token, so the
   * token's `lastUsedDate` becomes the clock's now. Only the clusters `which` selects (all by default).
   * Returns how many tokens were used.
   */
  useDeliveredTokens(which: (cluster: string) => boolean = () => true): number {
    let used = 0;
    for (const d of this.deliveredTokens()) {
      const live = which(d.cluster) ? this.dynatrace.tenants.get(d.tenant)?.byValue.get(d.value) : undefined;
      if (!live || (live.expirationDate && Date.parse(live.expirationDate) <= this.clock.now())) continue;
      live.lastUsedDate = this.clock.iso();
      used++;
    }
    return used;
  }

  /**
   * "No orphan token, no Secret without a live token, no duplicate", where a rotation in progress is
   * neither: the predecessors of a delivered token (same name, created before it) wait for its pickup.
   */
  audit(): AuditResult {
    const referenced = new Set<string>();
    const deadSecrets: AuditResult['deadSecrets'] = [];
    const delivered = this.deliveredTokens();
    for (const d of delivered) {
      const live = this.dynatrace.tenants.get(d.tenant)?.byValue.get(d.value);
      // An expired token is as dead as a revoked one: the cluster holds nothing that works.
      if (live && !(live.expirationDate && Date.parse(live.expirationDate) <= this.clock.now()))
        referenced.add(`${d.tenant}/${live.id}`);
      else deadSecrets.push({ environment: d.environment, cluster: d.cluster, secret: d.secret, key: d.key });
    }
    const orphanTokens: AuditResult['orphanTokens'] = [];
    const duplicateNames: AuditResult['duplicateNames'] = [];
    const waitingForPickup: AuditResult['waitingForPickup'] = [];
    let tokens = 0;
    for (const tenant of this.dynatrace.tenants.keys()) {
      const byName = new Map<string, ReturnType<Sandbox['tokens']>>();
      for (const t of this.tokens(tenant)) {
        tokens++;
        byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
      }
      for (const [name, same] of byName) {
        const alive = same.filter(
          (t) => !t.expirationDate || Date.parse(t.expirationDate) > this.clock.now(),
        );
        const waiting = predecessorsInRotation(alive, (id) => referenced.has(`${tenant}/${id}`));
        for (const t of same) {
          if (waiting.has(t.id)) waitingForPickup.push({ tenant, id: t.id, name });
          else if (!referenced.has(`${tenant}/${t.id}`)) orphanTokens.push({ tenant, id: t.id, name });
        }
        const count = same.length - waiting.size;
        if (count > 1) duplicateNames.push({ tenant, name, count });
      }
    }
    return {
      tokens,
      deliveries: this.deliveries().length,
      orphanTokens,
      deadSecrets,
      duplicateNames,
      waitingForPickup,
    };
  }
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  return new Sandbox(options).start();
}
