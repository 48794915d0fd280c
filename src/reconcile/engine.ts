/**
 * One reconcile (or plan) over the fleet as named stages: discover → resolve → observe → plan/apply →
 * prune. The stages overlap where nothing is decided early: the token listings of every tenant the
 * configuration could bind start with discovery, and each eligible cluster's delivery object is read as
 * soon as its cluster query answers. Decisions wait for complete inputs: planning needs the fleet resolved,
 * every listing it uses complete and missing tokens confirmed (a confirmation can make a whole tenant
 * unusable, and the re-mint guard counts over all plans of a tenant), and prune needs everything.
 * Clusters are processed concurrently under a bound; one cluster's failure never stops the others.
 * A signal (input.stop) starts no new stage and no new cluster; the result then says it was interrupted.
 */
import { groupLimiter } from '../concurrency.js';
import { planBaseline } from './baseline.js';
import { ClusterApplier, markPlanned, planClusters, type EarlyPlans } from './clusters.js';
import { discoverFleet, type ClusterSink } from './discover-fleet.js';
import { resolveBindings } from './eligibility.js';
import { MintLedger } from './ledger.js';
import { startInPlaceFixes } from './in-place.js';
import {
  candidateTenants,
  neededTenants,
  observe,
  readDelivery,
  TenantListings,
  type DeliveryRead,
} from './observe.js';
import type { TenantTokens } from './plan.js';
import { prune } from './prune.js';
import { resolveFleet } from './resolve.js';
import { rotationSettings, rotationSummary } from './rotation-plan.js';
import type { Cluster } from './model.js';
import type { ClusterReport, EngineInput, EngineResult } from './result.js';
import { clusterSelection } from './selection.js';
import { inShard } from './shard.js';

export type * from './result.js';
export { interleave } from './interleave.js';

export interface EngineOptions {
  /**
   * false: each stage starts when the one before has finished (the reference the tests compare with).
   * Default: overlap, except at concurrency 1, which asks for one thing at a time.
   */
  overlap?: boolean;
}

export async function runEngine(input: EngineInput, options: EngineOptions = {}): Promise<EngineResult> {
  const overlap = options.overlap ?? input.concurrency > 1;
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const stagesMs: Record<string, number> = {};
  const stage = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      stagesMs[name] = Math.round(performance.now() - t0);
    }
  };
  const selection = clusterSelection(input.clusters);
  const inThisShard = inShard(input.shard);
  // `--cluster` narrows the shard further once discovery has named the clusters (ids, external ids, names).
  let selected: ReadonlySet<string> | undefined;
  const shardFilter = (externalId: string) =>
    inThisShard(externalId) && (selected === undefined || selected.has(externalId));

  const listings = new TenantListings(input);
  if (overlap && !input.stop?.requested)
    for (const tenantId of candidateTenants(input.config)) void listings.start(tenantId);
  const reads = new Map<string, Promise<DeliveryRead | undefined>>();
  const readAll = deliveryReader(input, (c) => inThisShard(c.externalId) && selection.matches(c), reads);

  const fleet = await stage('discover', () => discoverFleet(input, overlap ? readAll : undefined));
  if (selection.active) selected = selection.resolve(fleet.discoveries, input.log);
  const resolution = await stage('resolve', () => resolveFleet(fleet.discoveries, input.config, shardFilter));
  readAll([...resolution.eligible.values()].map((e) => e.cluster));
  // One clock for rotation over the run: the in-place decisions and the plan stage must decide alike.
  const early: EarlyPlans = { plans: new Map(), now: now() };
  let known: ReadonlyMap<string, TenantTokens> = new Map();
  const applier = new ClusterApplier(
    fleet.ocmByEnv,
    input,
    new MintLedger(),
    (tenantId, id) => known.get(tenantId)?.has(id) ?? false,
  );
  const inPlace =
    overlap && input.mode === 'reconcile' && !input.stop?.requested
      ? startInPlaceFixes(
          resolution,
          reads,
          listings.collect(neededTenants(resolution)),
          rotationSettings(input, early.now).clock,
          applier,
        )
      : undefined;
  const observation = await stage('observe', () => observe(resolution, reads, listings, input));
  known = observation.tokens;
  // The observation waited for every read the in-place decisions wait for: this only lets them finish.
  if (inPlace) {
    await inPlace.decided;
    early.plans = inPlace.plans;
  }
  // The reads live on in the observation; their promises are not kept for the rest of the run.
  reads.clear();
  const { work, remintHeld, rotation } = await stage('plan', () =>
    planClusters(resolution, observation, input, early),
  );
  // The base branch's plan against the same observed state: pure, so the comparison costs no remote call.
  const baseline = input.baseConfig
    ? planBaseline({
        discoveries: fleet.discoveries,
        observation,
        config: input.baseConfig,
        inShard: shardFilter,
        discoveryComplete: fleet.environments.every((e) => !e.error),
        prune: input.prune,
        remint: input.remint,
        rotationBudget: input.rotationBudget,
        runIntervalMs: input.runIntervalMs,
        now,
      })
    : undefined;

  const notProcessed = new Set<ClusterReport>();
  let compensated = 0;
  if (input.mode === 'plan') markPlanned(work);
  else {
    const applied = await stage('clusters', () => {
      for (const w of work) if (!early.plans.has(w.cluster.id)) applier.add(w);
      return applier.settle();
    });
    applied.notProcessed.forEach((r) => notProcessed.add(r));
    compensated = applied.compensated;
  }
  // Clusters whose delivery was never read because a signal came first.
  for (const e of resolution.eligible.values()) {
    if (e.report.status !== 'failed' && !observation.deliveries.has(e.cluster.id)) notProcessed.add(e.report);
  }

  // A run narrowed to named clusters sees only part of the fleet: it never prunes.
  const orphans =
    input.stop?.requested || selection.active
      ? { planned: [], revoked: 0, errors: [], held: [], unbound: [] }
      : await stage('prune', () =>
          prune(
            {
              resolution,
              observation,
              ocmByEnv: fleet.ocmByEnv,
              discoveryComplete: fleet.environments.every((e) => !e.error),
              heldTenants: new Set(remintHeld.map((h) => h.tenantId)),
              inShard: shardFilter,
            },
            input,
          ),
        );

  return {
    mode: input.mode,
    startedAt,
    finishedAt: now(),
    environments: fleet.environments,
    tenants: observation.tenants,
    clusters: resolution.clusters
      .filter((c) => !notProcessed.has(c))
      .sort(
        (a, b) =>
          a.cluster.ocmEnvironment.localeCompare(b.cluster.ocmEnvironment) ||
          a.cluster.name.localeCompare(b.cluster.name),
      ),
    skipped: resolution.skipped,
    orphans,
    remintHeld,
    ...(rotation.decisions.length > 0 ? { rotation: rotationSummary(rotation) } : {}),
    ...(baseline ? { baseline } : {}),
    // A signal during prune counts too: its remaining revocations were skipped.
    ...(input.stop?.requested
      ? { interrupted: { signal: input.stop!.signal!, notProcessed: notProcessed.size, compensated } }
      : {}),
    stagesMs,
  };
}

/**
 * Starts the delivery read of each cluster of this shard with an allowed binding, under the concurrency
 * bound; a read not yet started when a signal comes is never made.
 */
function deliveryReader(
  input: EngineInput,
  wanted: (cluster: Cluster) => boolean,
  reads: Map<string, Promise<DeliveryRead | undefined>>,
): ClusterSink {
  const limit = groupLimiter(input.concurrency);
  const ocmByEnv = new Map(input.ocm.filter((o) => o.client).map((o) => [o.environment, o.client!]));
  return (clusters) => {
    for (const cluster of clusters) {
      if (reads.has(cluster.id) || !wanted(cluster)) continue;
      if (resolveBindings(cluster, input.config).eligible.length === 0) continue;
      const ocm = ocmByEnv.get(cluster.ocmEnvironment)!;
      reads.set(
        cluster.id,
        limit(cluster.ocmEnvironment, async () =>
          input.stop?.requested ? undefined : readDelivery(cluster, ocm),
        ),
      );
    }
  };
}
