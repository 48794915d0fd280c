import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);

// src/secret.ts
import { inspect } from "node:util";
var REDACTED = "***";
var known = /* @__PURE__ */ new Set();
var listeners = /* @__PURE__ */ new Set();
var MIN_LENGTH = 6;
function registerSecretValue(value) {
  if (value.length < MIN_LENGTH || known.has(value)) return;
  known.add(value);
  for (const listener of listeners) listener(value);
}
function onSecretValue(listener) {
  for (const value of known) listener(value);
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function redact(text) {
  if (known.size === 0 || text.length < MIN_LENGTH) return text;
  let out = text;
  for (const value of known) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  return out;
}
var Secret = class _Secret {
  #value;
  constructor(value, register = true) {
    this.#value = value;
    if (register) registerSecretValue(value);
  }
  /**
   * A value that is not secret but travels in the same map as secrets (a token id, `apiUrl` in a delivered
   * Secret): not added to the redaction list, so reports can still show it.
   */
  static plain(value) {
    return new _Secret(value, false);
  }
  reveal() {
    return this.#value;
  }
  get length() {
    return this.#value.length;
  }
  equals(other) {
    return this.#value === other.#value;
  }
  toString() {
    return "[secret]";
  }
  toJSON() {
    return "[secret]";
  }
  [inspect.custom]() {
    return "[secret]";
  }
};

// src/errors.ts
var ExitCode = {
  ok: 0,
  /** Some clusters failed; the others were reconciled. */
  clustersFailed: 1,
  /** The configuration (tenants/ YAML or inputs) is invalid; nothing was contacted or changed. */
  invalidConfig: 2,
  /** Could not start: Vault, OCM or Dynatrace authentication failed or a system was unreachable. */
  cannotStart: 3
};
var UserError = class extends Error {
  constructor(message, hint, exitCode = ExitCode.invalidConfig) {
    super(redact(message));
    this.hint = hint;
    this.exitCode = exitCode;
    this.name = "UserError";
  }
  hint;
  exitCode;
};
var StartupError = class extends UserError {
  constructor(message, hint) {
    super(message, hint, ExitCode.cannotStart);
    this.name = "StartupError";
  }
};
var RemoteError = class extends Error {
  system;
  operation;
  method;
  path;
  status;
  code;
  remoteMessage;
  attempts;
  constructor(details) {
    const outcome = details.status !== void 0 ? `HTTP ${details.status}` : details.code ?? "no response";
    const remote = details.remoteMessage ? `: ${details.remoteMessage}` : "";
    const tries = details.attempts && details.attempts > 1 ? ` (after ${details.attempts} attempts)` : "";
    super(
      redact(
        `${details.system} ${details.operation} (${details.method} ${details.path}) failed with ${outcome}${remote}${tries}`
      )
    );
    this.name = "RemoteError";
    this.system = details.system;
    this.operation = details.operation;
    this.method = details.method;
    this.path = redact(details.path);
    this.status = details.status;
    this.code = details.code;
    this.remoteMessage = details.remoteMessage === void 0 ? void 0 : redact(details.remoteMessage);
    this.attempts = details.attempts ?? 1;
  }
  /** 401/403: the credential is wrong or lacks a permission; retrying will not help. */
  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
  get isNotFound() {
    return this.status === 404;
  }
  get isConflict() {
    return this.status === 409;
  }
};
function describeError(error) {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}

export {
  registerSecretValue,
  onSecretValue,
  redact,
  Secret,
  ExitCode,
  UserError,
  StartupError,
  RemoteError,
  describeError
};
//# sourceMappingURL=chunk-HILPLOP6.js.map
