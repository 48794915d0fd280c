/**
 * What the notifier remembers between runs: which clusters are failing and for how many runs in a row,
 * which denials and prune holds were already told. A small JSON document in a file the operator keeps
 * across runs (a Tekton workspace, a GitHub Actions cache); see docs/operations.md for why a file.
 *
 * Forgetting is always safe: a missing, unreadable or corrupt document reads as "nothing was told yet", so
 * the next run notifies again. Nothing here may turn a lost state into silence.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const STATE_VERSION = 1;

export interface FailingCluster {
  /** Consecutive reconcile runs in which the cluster failed, this one included. */
  runs: number;
  name: string;
  tenants: string[];
}

export interface NotifyState {
  version: number;
  updatedAt: string;
  /** `<ocm environment>/<cluster id>` → failure streak. */
  failing: Record<string, FailingCluster>;
  /** Denials already told: `<environment>/<cluster id>|<label>|<code>`. */
  denied: string[];
  /** Holds already told: `prune:<tenant>`, `remint:<tenant>`. */
  held: string[];
  /** `ocm:<environment>` / `tenant:<id>` that could not be read and were told. */
  unreachable: string[];
  /** Overdue rotations already told: `expired:<slot key>` (a token past expiry), `deferred:<tenant>`. */
  overdue: string[];
}

export const emptyState = (): NotifyState => ({
  version: STATE_VERSION,
  updatedAt: new Date(0).toISOString(),
  failing: {},
  denied: [],
  held: [],
  unreachable: [],
  overdue: [],
});

export type LoadResult =
  { state: NotifyState } | { state: undefined; why: 'missing' | 'unreadable' | 'corrupt'; detail?: string };

export interface StateStore {
  /** Where the state lives, for log lines. */
  readonly where: string;
  load(): LoadResult;
  save(state: NotifyState): void;
}

const stringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Strict: anything but a document this version wrote is corrupt (and so forgotten, never trusted). */
export function parseState(text: string): NotifyState | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Record<string, unknown>;
  if (d.version !== STATE_VERSION || typeof d.updatedAt !== 'string') return undefined;
  if (!stringList(d.denied) || !stringList(d.held) || !stringList(d.unreachable)) return undefined;
  // Written before rotation existed: nothing overdue was told yet, which is the safe reading.
  const overdue = d.overdue === undefined ? [] : d.overdue;
  if (!stringList(overdue)) return undefined;
  if (typeof d.failing !== 'object' || d.failing === null || Array.isArray(d.failing)) return undefined;
  const failing: Record<string, FailingCluster> = {};
  for (const [key, value] of Object.entries(d.failing as Record<string, unknown>)) {
    const f = value as Partial<FailingCluster> | null;
    if (
      !f ||
      !Number.isInteger(f.runs) ||
      (f.runs as number) < 1 ||
      typeof f.name !== 'string' ||
      !stringList(f.tenants)
    ) {
      return undefined;
    }
    failing[key] = { runs: f.runs as number, name: f.name, tenants: f.tenants };
  }
  return {
    version: STATE_VERSION,
    updatedAt: d.updatedAt,
    failing,
    denied: d.denied,
    held: d.held,
    unreachable: d.unreachable,
    overdue,
  };
}

export function fileStateStore(path: string): StateStore {
  return {
    where: path,
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return code === 'ENOENT'
          ? { state: undefined, why: 'missing' }
          : { state: undefined, why: 'unreadable', detail: code };
      }
      const state = parseState(text);
      return state ? { state } : { state: undefined, why: 'corrupt' };
    },
    save(state) {
      mkdirSync(dirname(path), { recursive: true });
      // Write then rename: a run killed mid-write leaves the old document, not half a new one.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(tmp, path);
    },
  };
}
