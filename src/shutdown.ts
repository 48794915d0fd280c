/**
 * SIGINT/SIGTERM as a normal event. The first signal stops new work and starts the grace period: clusters
 * in flight may finish until the deadline (70 % of the grace), then what they minted and did not deliver is
 * revoked, the reports are written marked *interrupted*, and the process exits 1 before the grace ends.
 * A second signal writes what it can and exits at once.
 *
 * The default grace fits both platforms: a cancelled GitHub job gets SIGINT, SIGTERM 7.5 s later and is
 * killed 2.5 s after that; a Tekton step gets SIGTERM and (by default) 30 s.
 */
export const DEFAULT_GRACE_MS = 6000;
/** Share of the grace in which in-flight clusters may finish; the rest is for compensation and reports. */
const FINISH_SHARE = 0.7;

export class Shutdown {
  signal: string | undefined;
  #graceMs = DEFAULT_GRACE_MS;
  #deadlinePassed = false;
  #onDeadline: (() => void)[] = [];
  #onForce: (() => void)[] = [];
  #timers: NodeJS.Timeout[] = [];
  /** Set by the CLI and the Action: only then may this module end the process. */
  ownsProcess = false;

  get requested(): boolean {
    return this.signal !== undefined;
  }

  /** True once in-flight work must stop and compensate. */
  get deadlinePassed(): boolean {
    return this.#deadlinePassed;
  }

  get graceMs(): number {
    return this.#graceMs;
  }

  setGrace(ms: number): void {
    this.#graceMs = ms;
  }

  /** Resolves when the deadline passes (never, if no signal comes). */
  whenDeadline(): Promise<void> {
    if (this.#deadlinePassed) return Promise.resolve();
    return new Promise((resolve) => this.#onDeadline.push(resolve));
  }

  /** Registers what a second signal writes before the process exits; returns the unregistration. */
  onForce(write: () => void): () => void {
    this.#onForce.push(write);
    return () => {
      this.#onForce = this.#onForce.filter((w) => w !== write);
    };
  }

  request(signal: string): void {
    if (this.signal !== undefined) {
      this.#force();
      return;
    }
    this.signal = signal;
    const deadline = setTimeout(() => this.passDeadline(), Math.round(this.#graceMs * FINISH_SHARE));
    deadline.unref();
    this.#timers.push(deadline);
  }

  /** Ends in-flight work now (the deadline timer, or a test). */
  passDeadline(): void {
    if (this.#deadlinePassed) return;
    this.#deadlinePassed = true;
    for (const resolve of this.#onDeadline.splice(0)) resolve();
  }

  #force(): void {
    for (const write of this.#onForce) {
      try {
        write();
      } catch {
        // A second signal means "now": whatever cannot be written is left.
      }
    }
    if (this.ownsProcess) process.exit(1);
    this.passDeadline();
  }

  /** Ends the process after an interrupted run, without waiting for requests still in flight. */
  exitIfInterrupted(code: number): void {
    for (const timer of this.#timers) clearTimeout(timer);
    if (this.requested && this.ownsProcess) process.exit(code);
  }
}

/** The one per process. */
export const processShutdown = new Shutdown();

/** Called once by each entry (CLI, Action) before the run starts. */
export function installSignalHandlers(shutdown: Shutdown = processShutdown): void {
  shutdown.ownsProcess = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(
        shutdown.requested
          ? `${signal}: second signal, writing what can be written and exiting now\n`
          : `${signal}: stopping — no new clusters; in-flight ones finish or are undone within ${shutdown.graceMs / 1000} s\n`,
      );
      shutdown.request(signal);
    });
  }
}
