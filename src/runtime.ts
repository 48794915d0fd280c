/**
 * V8 settings for a dtp process (the CLI's plan/reconcile and the Action), set from inside because the Action
 * runs `node dist/index.js` with no NODE_OPTIONS. Called by the entries only (through run()'s
 * `whileVaultAnswers`): a test worker that runs dtp in-process keeps Node's defaults, so the settings never
 * leak into other test files.
 */
import { setFlagsFromString } from 'node:v8';

/** After this long a run is a large fleet: the compilers and the usual heap growth pay for themselves. */
const LEAN_MS = 20_000;

/**
 * Call once the run's clients (undici) are loaded, as run() does: changing a V8 flag makes V8 reject the code
 * cache of every Node module compiled afterwards (its flag hash changes), which cost ~20 ms when the flags
 * were set before the clients loaded.
 */
export function leanRuntime(): void {
  // V8 doubles the young generation each time a scavenge finds it busy, up to 2 × 64 MiB, and a run keeps
  // most of what it allocates, so it grew to the top: most of the peak memory (a 10,000-cluster run ~330 MB,
  // ~225 MB without the growth, at about the same CPU time). Unlike --max-semi-space-size, this flag takes
  // effect after start.
  setFlagsFromString('--semi-space-growth-factor=1');
  // Memory over JIT speed: a run mostly waits on the network. Without the optimising compilers (Maglev,
  // Turbofan), with WebAssembly at its baseline tier (the top tier of undici's HTTP parser held ~10 MB of
  // compiler memory on a worker thread) and with the old generation collected in 2 MB steps
  // (optimize-for-size) instead of 8 MB ones, 1,000 clusters peaked at ~84 MB instead of ~116 MB (steady: the
  // same CPU time; cold: ~20 % more). Wall time is rate-bound and did not change (BENCHMARKS.md).
  // liftoff-only's implied flags apply at start only, hence listed.
  setFlagsFromString('--liftoff-only --no-wasm-tier-up --no-wasm-dynamic-tiering');
  setFlagsFromString('--no-opt --no-maglev --optimize-for-size');
  // 10,000 clusters without the compilers took ~50 % more CPU time; with them back after LEAN_MS, ~30 %.
  setTimeout(() => setFlagsFromString('--opt --maglev --no-optimize-for-size'), LEAN_MS).unref();
}
