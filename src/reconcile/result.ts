/**
 * What the engine takes and what it returns, shared by its stages (discover → resolve → observe →
 * plan/apply → prune) and read by the report.
 */
import type { DeliveryKind, DynatraceClient, OcmClient } from '../clients/api.js';
import type { Config } from '../config/types.js';
import type { Shard } from '../options.js';
import type { Shutdown } from '../shutdown.js';
import type { ClusterResult } from './apply.js';
import type { Baseline } from './baseline.js';
import type { ClusterPlan, ClusterRef, Denial, PlannedRevoke } from './model.js';
import type { OrphanHold } from './orphans.js';
import type { RotationSummary } from './rotation-plan.js';
import type { RotationBudgetSetting } from './rotation.js';

export interface EngineLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface EngineInput {
  config: Config;
  /** Plan mode: the base branch's configuration, planned against the same observed state (baseline.ts). */
  baseConfig?: Config;
  mode: 'plan' | 'reconcile';
  concurrency: number;
  prune: 'true' | 'false' | 'force';
  /** `force`: re-mint even when more than half of a tenant's delivered tokens would be re-minted. */
  remint?: 'true' | 'force';
  serviceLogs: boolean;
  shard: Shard;
  /** `--cluster`: only these clusters (OCM id, external id or name); such a run never prunes. */
  clusters?: readonly string[];
  /** One entry per configured OCM environment: a logged-in client, or why there is none. */
  ocm: { environment: string; client?: OcmClient; error?: string }[];
  /** The Dynatrace client of a tenant; loads its bootstrap token on first use (and may fail). */
  dynatrace: (tenantId: string) => Promise<DynatraceClient>;
  log: EngineLog;
  now?: () => Date;
  /** `rotation-budget`: rotations one run may start (default 5 % of the delivered tokens). */
  rotationBudget?: RotationBudgetSetting;
  /** `run-interval`: time between scheduled runs (default 2 h), for "expires within the next two runs". */
  runIntervalMs?: number;
  /** A progress line this often (default 5 s). */
  progressEveryMs?: number;
  /** A signal stops new work; its deadline stops in-flight work (absent: the run is never interrupted). */
  stop?: Shutdown;
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
  /** Why the tenant was not used this run (unreadable, or its listing contradicted by GET). */
  error?: string;
}

/** A tenant whose re-mints were held back by the blast-radius guard. */
export interface RemintHold {
  tenantId: string;
  count: number;
  delivered: number;
  reason: string;
}

/** A cluster that lost all its bindings: its delivery object goes first, then its tokens. */
export interface UnboundCleanup {
  cluster: ClusterRef;
  delivery: 'deleted' | 'patched' | 'absent' | 'kept' | 'planned';
  tokens: number;
  error?: string;
}

export interface Interruption {
  signal: string;
  /** Clusters never started (they are not in `clusters`). */
  notProcessed: number;
  /** Tokens minted for clusters cut off at the deadline and revoked again. */
  compensated: number;
}

export interface EngineResult {
  mode: 'plan' | 'reconcile';
  startedAt: Date;
  finishedAt: Date;
  environments: EnvironmentReport[];
  tenants: TenantReport[];
  clusters: ClusterReport[];
  skipped: { cluster: ClusterRef; reason: string }[];
  orphans: {
    planned: PlannedRevoke[];
    revoked: number;
    errors: string[];
    held: OrphanHold[];
    unbound: UnboundCleanup[];
  };
  remintHeld: RemintHold[];
  /** Token lifetimes this run (specs with maxAge); absent when no delivered token has one. */
  rotation?: RotationSummary;
  /** With `baseConfig`: what the base configuration would plan (the PR plan compares the two). */
  baseline?: Baseline;
  interrupted?: Interruption;
  stagesMs: Record<string, number>;
}
