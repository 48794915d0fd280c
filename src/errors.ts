import { redact } from './secret.js';

/** The process exit codes, the same for the Action and the CLI (documented in the README). */
export const ExitCode = {
  ok: 0,
  /** Some clusters failed; the others were reconciled. */
  clustersFailed: 1,
  /** The configuration (tenants/ YAML or inputs) is invalid; nothing was contacted or changed. */
  invalidConfig: 2,
  /** Could not start: Vault, OCM or Dynatrace authentication failed or a system was unreachable. */
  cannotStart: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A problem the user can fix. Printed as its message and hint, never with a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: ExitCode = ExitCode.invalidConfig,
  ) {
    super(redact(message));
    this.name = 'UserError';
  }
}

/** The run cannot start: credentials refused, a system unreachable, a bootstrap token without permission. */
export class StartupError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint, ExitCode.cannotStart);
    this.name = 'StartupError';
  }
}

export type RemoteSystem = 'ocm' | 'sso' | 'dynatrace' | 'vault';

export interface RemoteErrorDetails {
  system: RemoteSystem;
  /** What the client was doing, in domain words: "list api tokens", "create SyncSet". */
  operation: string;
  method: string;
  /** URL path (and query) on the remote system. Never carries a secret. */
  path: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Transport error code (ECONNRESET, UND_ERR_CONNECT_TIMEOUT, ...), when no response arrived. */
  code?: string;
  /** The remote system's own error message, when it sent one (redacted). */
  remoteMessage?: string;
  /** How many attempts were made, retries included. */
  attempts?: number;
}

/**
 * A failed call to a remote system. The message names the system, operation, path and status so a reader
 * knows where to look; it never carries a header, a request body or a secret.
 */
export class RemoteError extends Error {
  readonly system: RemoteSystem;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly remoteMessage: string | undefined;
  readonly attempts: number;

  constructor(details: RemoteErrorDetails) {
    const outcome = details.status !== undefined ? `HTTP ${details.status}` : (details.code ?? 'no response');
    const remote = details.remoteMessage ? `: ${details.remoteMessage}` : '';
    const tries = details.attempts && details.attempts > 1 ? ` (after ${details.attempts} attempts)` : '';
    super(
      redact(
        `${details.system} ${details.operation} (${details.method} ${details.path}) failed with ${outcome}${remote}${tries}`,
      ),
    );
    this.name = 'RemoteError';
    this.system = details.system;
    this.operation = details.operation;
    this.method = details.method;
    this.path = redact(details.path);
    this.status = details.status;
    this.code = details.code;
    this.remoteMessage = details.remoteMessage === undefined ? undefined : redact(details.remoteMessage);
    this.attempts = details.attempts ?? 1;
  }

  /** 401/403: the credential is wrong or lacks a permission; retrying will not help. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isConflict(): boolean {
    return this.status === 409;
  }
}

/**
 * A write whose outcome is unknown: the request may have been applied but its answer was lost or unusable
 * (connection dropped after sending, a `201` without the fields dtp needs). Never retried blindly: the
 * caller resolves it first (finds the object by its exact name) and compensates.
 */
export class OutcomeUnknownError extends RemoteError {
  constructor(details: RemoteErrorDetails) {
    super(details);
    this.name = 'OutcomeUnknownError';
    const answer =
      details.status !== undefined
        ? `answered HTTP ${details.status}`
        : `lost its answer (${details.code ?? 'no response'})`;
    const why = details.remoteMessage ? `: ${details.remoteMessage}` : '';
    this.message = redact(
      `${details.system} ${details.operation} (${details.method} ${details.path}) ${answer}${why}; it may have been applied`,
    );
  }
}

/**
 * An answer that is not the shape dtp relies on (unparseable JSON, HTML on a 2xx, a missing field, a listing
 * whose count contradicts its stated total, a repeated page key): a failed call, never an empty result.
 */
export class MalformedAnswerError extends RemoteError {
  constructor(details: RemoteErrorDetails) {
    super(details);
    this.name = 'MalformedAnswerError';
    // The problem (remoteMessage) is dtp's finding, not the remote's text: it leads the message.
    const tries = details.attempts && details.attempts > 1 ? ` (after ${details.attempts} attempts)` : '';
    this.message = redact(
      `${details.system} ${details.operation} (${details.method} ${details.path}): ${details.remoteMessage ?? 'malformed answer'}${tries}`,
    );
  }
}

/** The message of any thrown value, redacted, for reports and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}
