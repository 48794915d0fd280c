/**
 * The simulators' clock. Token lifetimes are hours or days, so tests move time instead of waiting: once
 * `set`, the clock stands still and moves only by `advance`, which makes creation, expiry and last-use
 * dates exact. Until then it follows the real time, so scenarios that ignore time see real dates.
 * Logins (OCM access tokens, Vault tokens) keep real time: every run logs in afresh anyway.
 */
export class SimClock {
  #fixed: number | undefined;

  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number {
    return this.#fixed ?? Date.now();
  }

  date(): Date {
    return new Date(this.now());
  }

  iso(): string {
    return this.date().toISOString();
  }

  set(at: Date | string | number): void {
    const ms = new Date(at).getTime();
    if (Number.isNaN(ms)) throw new Error(`SimClock.set: not a time: ${String(at)}`);
    this.#fixed = ms;
  }

  advance(ms: number): void {
    this.#fixed = this.now() + ms;
  }
}
