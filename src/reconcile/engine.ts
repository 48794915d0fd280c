/**
 * One reconcile (or plan) over the fleet: discover → decide bindings → observe → plan → apply → prune.
 * Clusters are processed concurrently under a bound; one cluster's failure never stops the others.
 */
import type { DeliveryKind, DynatraceClient, OcmClient } from '../clients/api.js';
import { mapConcurrent } from '../concurrency.js';
import type { Config } from '../config/types.js';
import { describeError, StartupError } from '../errors.js';
import type { Shard } from '../options.js';
import { applyClusterPlan, type ClusterResult } from './apply.js';
import { parseDelivery } from './delivery.js';
import { discover, type Discovery } from './discover.js';
import { resolveBindings } from './eligibility.js';
import {
  clusterRef,
  deliveryKindOf,
  isNoop,
  type Cluster,
  type ClusterPlan,
  type ClusterRef,
  type Denial,
  type PlannedRevoke,
} from './model.js';
import { DELIVERY_ID, TOKEN_PREFIX } from './naming.js';
import { planOrphans, type OrphanHold } from './orphans.js';
import { desiredSecrets, planCluster, TenantTokens, type EligibleBinding } from './plan.js';
import { inShard } from './shard.js';

export interface EngineLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface EngineInput {
  config: Config;
  mode: 'plan' | 'reconcile';
  concurrency: number;
  prune: 'true' | 'false' | 'force';
  serviceLogs: boolean;
  shard: Shard;
  /** One entry per configured OCM environment: a logged-in client, or why there is none. */
  ocm: { environment: string; client?: OcmClient; error?: string }[];
  /** The Dynatrace client of a tenant; loads its bootstrap token on first use (and may fail). */
  dynatrace: (tenantId: string) => Promise<DynatraceClient>;
  log: EngineLog;
  now?: () => Date;
  /** A progress line this often (default 5 s). */
  progressEveryMs?: number;
}

export type ClusterStatus = 'unchanged' | 'changed' | 'planned' | 'failed' | 'denied';

export interface ClusterReport {
  cluster: ClusterRef;
  kind: DeliveryKind;
  status: ClusterStatus;
  bindings: { key: string; tenantId: string; specName: string }[];
  denials: Denial[];
  plan?: ClusterPlan;
  result?: ClusterResult;
  errors: string[];
}

export interface EnvironmentReport {
  name: string;
  error?: string;
  labels: number;
  clusters: number;
  skipped: number;
  durationMs: number;
}

export interface TenantReport {
  tenantId: string;
  name: string;
  /** dtp_ tokens listed. */
  tokens: number;
  error?: string;
}

export interface EngineResult {
  mode: 'plan' | 'reconcile';
  startedAt: Date;
  finishedAt: Date;
  environments: EnvironmentReport[];
  tenants: TenantReport[];
  clusters: ClusterReport[];
  skipped: { cluster: ClusterRef; reason: string }[];
  orphans: { planned: PlannedRevoke[]; revoked: number; errors: string[]; held: OrphanHold[] };
  stagesMs: Record<string, number>;
}

export async function runEngine(input: EngineInput): Promise<EngineResult> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const stagesMs: Record<string, number> = {};
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      stagesMs[name] = Math.round(performance.now() - t0);
    }
  };
  const shardFilter = inShard(input.shard);

  // Discovery: every OCM environment at once; one that fails does not stop the others.
  const environments: EnvironmentReport[] = [];
  const discoveries: Discovery[] = [];
  await stage('discover', () =>
    Promise.all(
      input.ocm.map(async ({ environment, client, error }) => {
        const t0 = performance.now();
        if (!client) {
          environments.push({
            name: environment,
            error: error ?? 'no client',
            labels: 0,
            clusters: 0,
            skipped: 0,
            durationMs: 0,
          });
          return;
        }
        try {
          const found = await discover(client);
          discoveries.push(found);
          environments.push({
            name: environment,
            labels: found.labels,
            clusters: found.clusters.length,
            skipped: found.skipped.length,
            durationMs: Math.round(performance.now() - t0),
          });
          input.log.info(
            `${environment}: ${found.clusters.length} ready clusters with dtp labels (${found.skipped.length} not ready or not managed)`,
          );
        } catch (e) {
          const message = describeError(e);
          environments.push({
            name: environment,
            error: message,
            labels: 0,
            clusters: 0,
            skipped: 0,
            durationMs: 0,
          });
          input.log.warn(`${environment}: discovery failed: ${message}`);
        }
      }),
    ),
  );
  environments.sort((a, b) => a.name.localeCompare(b.name));
  if (input.ocm.length > 0 && discoveries.length === 0) {
    throw new StartupError(
      `no OCM environment could be read: ${environments.map((e) => `${e.name}: ${e.error}`).join('; ')}`,
      'Check the OCM credentials in Vault, the SSO and API URLs (ocm-url / ocm-sso-url overrides) and the network.',
    );
  }
  const ocmByEnv = new Map(input.ocm.filter((o) => o.client).map((o) => [o.environment, o.client!]));

  // Bindings: allowed or denied, per binding.
  const clusters: ClusterReport[] = [];
  const eligibleByCluster = new Map<string, { cluster: Cluster; eligible: EligibleBinding[] }>();
  const skipped: EngineResult['skipped'] = [];
  const discovered = new Set<string>();
  const protectedClusters = new Set<string>();
  for (const found of discoveries) {
    for (const { cluster, reason } of found.skipped) {
      discovered.add(cluster.externalId);
      protectedClusters.add(cluster.externalId);
      if (shardFilter(cluster.externalId)) skipped.push({ cluster: clusterRef(cluster), reason });
    }
    for (const cluster of found.clusters) {
      discovered.add(cluster.externalId);
      if (!shardFilter(cluster.externalId)) continue;
      const { eligible, denials } = resolveBindings(cluster, input.config);
      const report: ClusterReport = {
        cluster: clusterRef(cluster),
        kind: deliveryKindOf(cluster),
        status: eligible.length === 0 ? 'denied' : 'unchanged',
        bindings: eligible.map((e) => ({
          key: e.binding.key,
          tenantId: e.tenant.environmentId,
          specName: e.spec.name,
        })),
        denials,
        errors: [],
      };
      clusters.push(report);
      if (eligible.length > 0) eligibleByCluster.set(cluster.id, { cluster, eligible });
    }
  }

  // Observed tokens: one dtp_-filtered listing per tenant a cluster of this shard is bound to.
  const needed = [
    ...new Set([...eligibleByCluster.values()].flatMap((e) => e.eligible.map((b) => b.tenant.environmentId))),
  ].sort();
  const tokens = new Map<string, TenantTokens>();
  const tenants: TenantReport[] = [];
  await stage('list-tokens', () =>
    mapConcurrent(needed, input.concurrency, async (tenantId) => {
      const name = input.config.tenants.get(tenantId)?.name ?? tenantId;
      try {
        const dt = await input.dynatrace(tenantId);
        const listed = await dt.listTokens(TOKEN_PREFIX);
        tokens.set(tenantId, TenantTokens.of(listed));
        tenants.push({ tenantId, name, tokens: listed.length });
      } catch (e) {
        const message = describeError(e);
        tenants.push({ tenantId, name, tokens: 0, error: message });
        input.log.warn(`tenant ${tenantId} (${name}) cannot be used this run: ${message}`);
      }
    }),
  );
  tenants.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  if (needed.length > 0 && tokens.size === 0) {
    throw new StartupError(
      `no Dynatrace tenant could be read: ${tenants.map((t) => `${t.tenantId}: ${t.error}`).join('; ')}`,
      'Check the bootstrap tokens in Vault (they need apiTokens.read and apiTokens.write) and the dynatrace-url override.',
    );
  }
  const tenantErrors = new Map(tenants.filter((t) => t.error).map((t) => [t.tenantId, t.error!]));

  // Per cluster: read the delivery object, plan, and (reconcile) apply.
  // Round-robin over OCM environments: each has its own rate limit, so a queue sorted by environment would
  // leave one environment's budget idle while the workers wait on the other's.
  const work = interleave(
    clusters.filter((c) => eligibleByCluster.has(c.cluster.id)),
    (c) => c.cluster.ocmEnvironment,
  );
  let done = 0;
  const progress = setInterval(() => {
    const failed = work.filter((c) => c.status === 'failed').length;
    input.log.info(`progress: ${done}/${work.length} clusters${failed ? ` (${failed} failed)` : ''}`);
  }, input.progressEveryMs ?? 5000);
  progress.unref();
  try {
    await stage('clusters', () =>
      mapConcurrent(work, input.concurrency, async (report) => {
        const { cluster, eligible } = eligibleByCluster.get(report.cluster.id)!;
        try {
          await processCluster(
            report,
            cluster,
            eligible,
            input,
            ocmByEnv.get(cluster.ocmEnvironment)!,
            tokens,
            tenantErrors,
            now,
          );
        } catch (e) {
          report.status = 'failed';
          report.errors.push(describeError(e));
        }
        done++;
      }),
    );
  } finally {
    clearInterval(progress);
  }

  // Tokens no cluster asks for any more.
  const bound = new Map<string, Set<string>>();
  for (const { cluster, eligible } of eligibleByCluster.values()) {
    for (const e of eligible) {
      const set = bound.get(e.tenant.environmentId) ?? new Set<string>();
      set.add(cluster.externalId);
      bound.set(e.tenant.environmentId, set);
    }
  }
  const orphanPlan = planOrphans({
    tokens,
    bound,
    protectedClusters,
    discovered,
    discoveryComplete: environments.every((e) => !e.error),
    inShard: shardFilter,
    prune: input.prune,
  });
  const orphans: EngineResult['orphans'] = {
    planned: orphanPlan.revokes,
    revoked: 0,
    errors: [],
    held: orphanPlan.held,
  };
  for (const hold of orphanPlan.held) {
    input.log.warn(
      `tenant ${hold.tenantId}: ${hold.count} of ${hold.total} dtp_ tokens have no cluster; not revoked: ${hold.reason}`,
    );
  }
  if (input.mode === 'reconcile' && orphanPlan.revokes.length > 0) {
    await stage('prune', () =>
      mapConcurrent(orphanPlan.revokes, input.concurrency, async (revoke) => {
        try {
          const dt = await input.dynatrace(revoke.tenantId);
          if ((await dt.deleteToken(revoke.id)) === 'deleted') orphans.revoked++;
        } catch (e) {
          orphans.errors.push(`token ${revoke.id} of tenant ${revoke.tenantId}: ${describeError(e)}`);
        }
      }),
    );
  }

  return {
    mode: input.mode,
    startedAt,
    finishedAt: now(),
    environments,
    tenants,
    clusters: clusters.sort(
      (a, b) =>
        a.cluster.ocmEnvironment.localeCompare(b.cluster.ocmEnvironment) ||
        a.cluster.name.localeCompare(b.cluster.name),
    ),
    skipped,
    orphans,
    stagesMs,
  };
}

async function processCluster(
  report: ClusterReport,
  cluster: Cluster,
  eligible: EligibleBinding[],
  input: EngineInput,
  ocm: OcmClient,
  tokens: ReadonlyMap<string, TenantTokens>,
  tenantErrors: ReadonlyMap<string, string>,
  now: () => Date,
): Promise<void> {
  for (const e of eligible) {
    const error = tenantErrors.get(e.tenant.environmentId);
    if (error)
      report.errors.push(`binding ${e.binding.key}: tenant ${e.tenant.environmentId} unavailable: ${error}`);
  }
  let wire;
  try {
    wire = await ocm.getDelivery(cluster.id, report.kind, DELIVERY_ID);
  } catch (e) {
    throw new Error(`reading ${report.kind} ${DELIVERY_ID} failed: ${describeError(e)}`, { cause: e });
  }
  const plan = planCluster({
    cluster,
    desired: desiredSecrets(cluster, eligible),
    observed: wire ? parseDelivery(wire) : undefined,
    tokens,
    now: now(),
  });
  report.plan = plan;
  if (input.mode === 'plan') {
    report.status = report.errors.length > 0 ? 'failed' : isNoop(plan) ? 'unchanged' : 'planned';
    return;
  }
  if (isNoop(plan)) {
    report.status = report.errors.length > 0 ? 'failed' : 'unchanged';
    return;
  }
  const result = await applyClusterPlan(plan, {
    ocm,
    dynatrace: input.dynatrace,
    serviceLogs: input.serviceLogs,
    now,
  });
  report.result = result;
  report.errors.push(...result.errors);
  for (const warning of result.warnings)
    input.log.warn(`${cluster.ocmEnvironment}/${cluster.name}: ${warning}`);
  report.status = report.errors.length > 0 ? 'failed' : 'changed';
  if (result.errors.length > 0) {
    input.log.warn(`${cluster.ocmEnvironment}/${cluster.name} (${cluster.id}): ${result.errors.join('; ')}`);
  }
}

/** Items of different groups alternate (a1 b1 a2 b2 ...); order within a group is kept. */
export function interleave<T>(items: readonly T[], groupOf: (item: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const lists = [...groups.values()];
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++) {
    for (const list of lists) {
      const item = list[i];
      if (item !== undefined) out.push(item);
    }
  }
  return out;
}
