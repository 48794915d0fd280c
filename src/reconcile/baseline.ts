/**
 * What the base branch's configuration would plan, against the state this run observed: the other half of
 * "what does this pull request change". It reuses the head plan's discovery, token listings and delivery
 * reads, so the comparison costs no remote call — resolve, plan and the orphan rule are pure.
 */
import type { Config } from '../config/types.js';
import { markPlanned, planClusters } from './clusters.js';
import type { Discovery } from './discover.js';
import type { Observation } from './observe.js';
import { planOrphans } from './orphans.js';
import { resolveFleet } from './resolve.js';
import type { EngineInput, EngineResult } from './result.js';

export interface BaselineInput {
  discoveries: readonly Discovery[];
  observation: Observation;
  /** The base branch's configuration. */
  config: Config;
  inShard: (externalId: string) => boolean;
  discoveryComplete: boolean;
  prune: EngineInput['prune'];
  remint?: EngineInput['remint'];
  /** The head run's rotation settings: without them the base plan rotates by the defaults and differs. */
  rotationBudget?: EngineInput['rotationBudget'];
  runIntervalMs?: EngineInput['runIntervalMs'];
  now?: () => Date;
}

export type Baseline = Pick<EngineResult, 'clusters' | 'orphans' | 'remintHeld' | 'skipped'>;

const SILENT = { info: () => {}, warn: () => {}, debug: () => {} };

export function planBaseline(input: BaselineInput): Baseline {
  const resolution = resolveFleet(input.discoveries, input.config, input.inShard);
  const { work, remintHeld } = planClusters(resolution, input.observation, {
    remint: input.remint,
    rotationBudget: input.rotationBudget,
    runIntervalMs: input.runIntervalMs,
    now: input.now,
    // The head plan already said everything worth a log line; the base plan only feeds the comparison.
    log: SILENT,
  });
  markPlanned(work);

  const protectedClusters = new Set(resolution.protectedClusters);
  const bound = new Map<string, Set<string>>();
  for (const { cluster, eligible } of resolution.eligible.values()) {
    // A delivery the head run could not read (or never needed) leaves its tokens alone, as in the head run.
    if (!input.observation.deliveries.has(cluster.id)) protectedClusters.add(cluster.externalId);
    for (const e of eligible) {
      const set = bound.get(e.tenant.environmentId) ?? new Set<string>();
      set.add(cluster.externalId);
      bound.set(e.tenant.environmentId, set);
    }
  }
  const held = new Set(remintHeld.map((h) => h.tenantId));
  const orphans = planOrphans({
    tokens: new Map([...input.observation.tokens].filter(([tenantId]) => !held.has(tenantId))),
    bound,
    protectedClusters,
    discovered: resolution.discovered,
    discoveryComplete: input.discoveryComplete,
    inShard: input.inShard,
    prune: input.prune,
  });
  return {
    clusters: resolution.clusters,
    skipped: resolution.skipped,
    orphans: { planned: orphans.revokes, revoked: 0, errors: [], held: orphans.held, unbound: [] },
    remintHeld,
  };
}
