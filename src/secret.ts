import { inspect } from 'node:util';

const REDACTED = '***';

/**
 * Every secret value the process has seen. Outputs (logs, errors, summary, report, metrics) pass through
 * `redact()` as a second line of defence: even if a value escapes its `Secret` wrapper by mistake, it is
 * replaced before it reaches a human or a file.
 */
const known = new Set<string>();
const listeners = new Set<(value: string) => void>();

/** Values shorter than this are not registered: masking "ab" everywhere would mangle ordinary text. */
const MIN_LENGTH = 6;

export function registerSecretValue(value: string): void {
  if (value.length < MIN_LENGTH || known.has(value)) return;
  known.add(value);
  for (const listener of listeners) listener(value);
}

/** Called for every secret value, now and later (the GitHub adapter masks them with `core.setSecret`). */
export function onSecretValue(listener: (value: string) => void): () => void {
  for (const value of known) listener(value);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function redact(text: string): string {
  if (known.size === 0 || text.length < MIN_LENGTH) return text;
  let out = text;
  for (const value of known) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  return out;
}

/** For tests: forget the values registered by an earlier test. */
export function resetSecretRegistry(): void {
  known.clear();
}

/**
 * A secret value: bootstrap token, minted token, Vault token, OCM credential. It prints as `[secret]` in
 * template strings, JSON, `console.log` and `util.inspect`; `reveal()` is the one way to the value, used
 * where it is sent to the remote system that needs it or written into the delivered Kubernetes Secret.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string, register = true) {
    this.#value = value;
    if (register) registerSecretValue(value);
  }

  /**
   * A value that is not secret but travels in the same map as secrets (a token id, `apiUrl` in a delivered
   * Secret): not added to the redaction list, so reports can still show it.
   */
  static plain(value: string): Secret {
    return new Secret(value, false);
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}
