/**
 * Stage 4, plan/apply: every eligible cluster whose delivery object was read is planned (pure), the
 * re-mint guard holds back tenants that would re-mint too much, and in reconcile mode each plan is carried
 * out under the concurrency bound. After a signal no cluster starts; at its deadline the clusters still in
 * flight are abandoned and what they minted is revoked (the ledger).
 */
import type { OcmClient } from '../clients/api.js';
import { groupLimiter } from '../concurrency.js';
import { describeError } from '../errors.js';
import { ProgressMeter } from '../report/progress.js';
import { applyClusterPlan } from './apply.js';
import { interleave } from './interleave.js';
import type { MintLedger } from './ledger.js';
import { isNoop, type Cluster, type ClusterPlan } from './model.js';
import type { Observation } from './observe.js';
import { desiredSecrets, planCluster, type EligibleBinding, type TenantTokens } from './plan.js';
import { remintHolds, remintsIn } from './remint-guard.js';
import { planRotations, rotationSettings, type RotationRun } from './rotation-plan.js';
import type { Resolution } from './resolve.js';
import type { ClusterReport, EngineInput, RemintHold } from './result.js';

export interface ClusterWork {
  cluster: Cluster;
  eligible: EligibleBinding[];
  report: ClusterReport;
  plan: ClusterPlan;
}

/** Plans already made and carried out while the fleet was read (in-place.ts), and the clock they used. */
export interface EarlyPlans {
  plans: ReadonlyMap<string, ClusterPlan>;
  /** The rotation clock of the whole run: the in-place decisions used it, so rotation decides alike. */
  now: Date;
}

export function planClusters(
  resolution: Resolution,
  observation: Observation,
  input: Pick<EngineInput, 'remint' | 'now' | 'log' | 'rotationBudget' | 'runIntervalMs'>,
  early?: EarlyPlans,
): { work: ClusterWork[]; remintHeld: RemintHold[]; rotation: RotationRun } {
  const now = input.now ?? (() => new Date());
  // Round-robin over OCM environments: each has its own rate limit, so a queue sorted by environment would
  // leave one environment's budget idle while the workers wait on the other's.
  const read = interleave(
    [...resolution.eligible.values()].filter((e) => observation.deliveries.has(e.cluster.id)),
    (e) => e.cluster.ocmEnvironment,
  );
  const rotation = planRotations(
    read.map((e) => ({
      cluster: e.cluster,
      desired: desiredSecrets(e.cluster, e.eligible),
      observed: observation.deliveries.get(e.cluster.id),
    })),
    observation.tokens,
    rotationSettings(input, early?.now ?? now()),
  );
  const planOf = (e: (typeof read)[number], tokens: ReadonlyMap<string, TenantTokens>) =>
    planCluster({
      cluster: e.cluster,
      desired: desiredSecrets(e.cluster, e.eligible),
      observed: observation.deliveries.get(e.cluster.id),
      tokens,
      now: now(),
      rotation: rotation.byCluster.get(e.cluster.id),
    });
  // A plan carried out early stays as it was: it holds no mint or revocation the guards below could hold back.
  const plans = read.map((e) => early?.plans.get(e.cluster.id) ?? planOf(e, observation.tokens));
  const remintHeld = remintHolds(plans, { remint: input.remint ?? 'true' });
  if (remintHeld.length > 0) {
    const held = new Set(remintHeld.map((h) => h.tenantId));
    const without = new Map([...observation.tokens].filter(([tenantId]) => !held.has(tenantId)));
    read.forEach((e, i) => {
      if (remintsIn(plans[i]!, held)) plans[i] = planOf(e, without);
    });
    for (const h of remintHeld) input.log.warn(`tenant ${h.tenantId}: re-mints held: ${h.reason}`);
  }
  const unusable = new Map(observation.tenants.filter((t) => t.error).map((t) => [t.tenantId, t.error!]));
  for (const e of read) {
    for (const b of e.eligible) {
      const error = unusable.get(b.tenant.environmentId);
      if (!error) continue;
      e.report.errors.push(
        `binding ${b.binding.key}: tenant ${b.tenant.environmentId} unavailable: ${error}`,
      );
      // Also when an in-place fix of the cluster already finished: the tenant's error fails it.
      e.report.status = 'failed';
    }
  }
  read.forEach((e, i) => (e.report.plan = plans[i]));
  return { work: read.map((e, i) => ({ ...e, plan: plans[i]! })), remintHeld, rotation };
}

export interface ApplyOutcome {
  /** Clusters never started because a signal came first. */
  notProcessed: Set<ClusterReport>;
  /** Tokens of abandoned clusters revoked at the deadline. */
  compensated: number;
}

/**
 * Carries out cluster plans as they are handed in (in-place fixes while the fleet is read, then the rest),
 * at most `concurrency` at once, first come first served. After a signal no cluster starts; at its
 * deadline the clusters still in flight are abandoned and what they minted is revoked (the ledger).
 */
export class ClusterApplier {
  readonly #outcome: ApplyOutcome = { notProcessed: new Set(), compensated: 0 };
  readonly #work: ClusterWork[] = [];
  readonly #running: Promise<void>[] = [];
  readonly #started = new Set<ClusterReport>();
  readonly #finished = new Set<ClusterReport>();
  readonly #limit: ReturnType<typeof groupLimiter>;

  constructor(
    private readonly ocmByEnv: ReadonlyMap<string, OcmClient>,
    private readonly input: EngineInput,
    private readonly ledger: MintLedger,
    /** Token ids listed before this run minted anything (a lost mint never revokes one of them). */
    private readonly isKnown: (tenantId: string, id: string) => boolean,
  ) {
    this.#limit = groupLimiter(input.concurrency);
  }

  add(w: ClusterWork): void {
    this.#work.push(w);
    const task = async () => {
      if (this.input.stop?.requested) {
        this.#outcome.notProcessed.add(w.report);
        return;
      }
      this.#started.add(w.report);
      const ocm = this.ocmByEnv.get(w.cluster.ocmEnvironment)!;
      await applyCluster(w, ocm, this.input, { ledger: this.ledger, isKnown: this.isKnown });
      this.#finished.add(w.report);
    };
    this.#running.push(this.#limit('clusters', task));
  }

  /** Waits for every cluster handed in (or for a signal's deadline), reporting progress meanwhile. */
  async settle(): Promise<ApplyOutcome> {
    const { input } = this;
    const meter = new ProgressMeter(this.#work.length);
    const progress = setInterval(() => {
      const failed = this.#work.filter((w) => w.report.status === 'failed').length;
      input.log.info(meter.line(this.#finished.size, failed));
    }, input.progressEveryMs ?? 5000);
    progress.unref();
    try {
      if ((await Promise.race([Promise.all(this.#running), deadline(input)])) === 'deadline')
        await this.#abandon();
    } finally {
      clearInterval(progress);
    }
    return this.#outcome;
  }

  async #abandon(): Promise<void> {
    for (const w of this.#work) {
      if (this.#finished.has(w.report)) continue;
      if (!this.#started.has(w.report)) {
        this.#outcome.notProcessed.add(w.report);
        continue;
      }
      w.report.status = 'failed';
      w.report.errors.push(
        'abandoned at the end of the grace period after a signal; its new tokens were revoked',
      );
    }
    const undone = await this.ledger.compensate(this.input.dynatrace, this.isKnown);
    this.#outcome.compensated = undone.revoked;
    for (const e of undone.errors) this.input.log.warn(e);
  }
}

function deadline(input: EngineInput): Promise<'deadline'> {
  return input.stop ? input.stop.whenDeadline().then(() => 'deadline' as const) : new Promise(() => {});
}

async function applyCluster(
  w: ClusterWork,
  ocm: OcmClient,
  input: EngineInput,
  extra: { ledger: MintLedger; isKnown: (tenantId: string, id: string) => boolean },
): Promise<void> {
  const { report, plan, cluster } = w;
  if (isNoop(plan)) {
    report.status = report.errors.length > 0 ? 'failed' : 'unchanged';
    return;
  }
  try {
    const result = await applyClusterPlan(plan, {
      ocm,
      dynatrace: input.dynatrace,
      serviceLogs: input.serviceLogs,
      now: input.now ?? (() => new Date()),
      ...extra,
      stopping: () => input.stop?.deadlinePassed ?? false,
    });
    report.result = result;
    report.errors.push(...result.errors);
    for (const warning of result.warnings)
      input.log.warn(`${cluster.ocmEnvironment}/${cluster.name}: ${warning}`);
    if (result.errors.length > 0)
      input.log.warn(
        `${cluster.ocmEnvironment}/${cluster.name} (${cluster.id}): ${result.errors.join('; ')}`,
      );
  } catch (e) {
    report.errors.push(describeError(e));
  }
  report.status = report.errors.length > 0 ? 'failed' : 'changed';
}

/** Plan mode: the status says what reconcile would do. */
export function markPlanned(work: readonly ClusterWork[]): void {
  for (const { report, plan } of work) {
    report.plan = plan;
    report.status = report.errors.length > 0 ? 'failed' : isNoop(plan) ? 'unchanged' : 'planned';
  }
}
