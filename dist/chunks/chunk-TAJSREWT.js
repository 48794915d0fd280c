import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import {
  debug,
  error,
  getIDToken,
  info,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunk-TFPICUWI.js";

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
var Secret = class {
  #value;
  constructor(value) {
    this.#value = value;
    registerSecretValue(value);
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

// src/platform/github.ts
var ANNOTATION_LIMIT = 10;
var SUMMARY_LIMIT_BYTES = 1024 * 1024 - 4096;
function isGitHubActions(env = process.env) {
  return env.GITHUB_ACTIONS === "true";
}
function githubPlatform(options = {}) {
  onSecretValue((value) => setSecret(value));
  return {
    kind: "github",
    info: (message) => info(redact(message)),
    warn: (message) => warning(redact(message)),
    error: (message) => error(redact(message)),
    debug: (message) => options.verbose ? info(redact(message)) : debug(redact(message)),
    annotate(diagnostics) {
      let errors = 0;
      let warnings = 0;
      for (const d of diagnostics) {
        const text = redact(d.hint ? `${d.message}
hint: ${d.hint}` : d.message);
        const properties = {
          title: "dtp validate",
          file: d.file,
          ...d.line > 0 ? { startLine: d.line, startColumn: d.column } : {}
        };
        if (d.severity === "error" && errors++ < ANNOTATION_LIMIT) error(text, properties);
        else if (d.severity === "warning" && warnings++ < ANNOTATION_LIMIT) warning(text, properties);
        else info(redact(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`));
      }
    },
    async writeSummary(markdown) {
      const path = process.env.GITHUB_STEP_SUMMARY;
      if (!path) {
        warning("GITHUB_STEP_SUMMARY is not set; the job summary is only in the report folder.");
        return void 0;
      }
      let text = redact(markdown);
      if (Buffer.byteLength(text) > SUMMARY_LIMIT_BYTES) {
        text = `${Buffer.from(text).subarray(0, SUMMARY_LIMIT_BYTES).toString("utf8")}

\u2026truncated: the full summary is in the report artifact.
`;
      }
      await summary.addRaw(text, true).write();
      return path;
    },
    async setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs)) setOutput(name, redact(value));
    },
    async publishReport(dir, files) {
      if (!process.env.ACTIONS_RUNTIME_TOKEN) {
        info(`Not uploading the report artifact (no Actions runtime); the files are in ${dir}.`);
        return;
      }
      const name = options.artifactName ?? artifactName(process.env);
      try {
        const { DefaultArtifactClient } = await import("./artifact-YZSS7A3Z.js");
        await new DefaultArtifactClient().uploadArtifact(name, files, dir, { retentionDays: 30 });
        info(`Report uploaded as artifact ${name}.`);
      } catch (error2) {
        warning(
          `Could not upload the report artifact ${name}: ${redact(String(error2.message ?? error2))}`
        );
      }
    },
    idToken: (audience) => getIDToken(audience)
  };
}
function artifactName(env, shard) {
  const parts = [
    "dtp-report",
    env.GITHUB_RUN_ID ?? "local",
    env.GITHUB_RUN_ATTEMPT ?? "1",
    env.GITHUB_JOB ?? "job"
  ];
  if (shard && shard !== "1/1") parts.push(`shard-${shard.replace("/", "-of-")}`);
  return parts.join("-").replace(/[^A-Za-z0-9._-]/g, "_");
}

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

// src/options.ts
import { readFileSync } from "node:fs";
var OPTIONS = [
  {
    name: "mode",
    description: "validate (offline check of the configuration), plan (read everything, change nothing, show what reconcile would do) or reconcile.",
    default: "reconcile",
    choices: ["validate", "plan", "reconcile"]
  },
  {
    name: "config",
    description: "Folder with the tenants, token specs, organizations and OCM environments (YAML).",
    default: "tenants"
  },
  { name: "vault-addr", description: "Vault address, e.g. https://vault.example.com.", env: ["VAULT_ADDR"] },
  { name: "vault-namespace", description: "Vault Enterprise namespace, if any.", env: ["VAULT_NAMESPACE"] },
  {
    name: "vault-auth-method",
    description: "How to log in to Vault: token, approle, jwt (on GitHub: the job's OIDC ID token), kubernetes (the pod's service-account token), or auto (token if one is given, else approle if a role id is given, else jwt on GitHub Actions, else kubernetes).",
    default: "auto",
    choices: ["auto", "token", "approle", "jwt", "kubernetes"]
  },
  {
    name: "vault-auth-mount",
    description: "Mount path of the Vault auth method; defaults to the method name (approle, jwt, kubernetes)."
  },
  { name: "vault-role", description: "Vault role for jwt and kubernetes login." },
  {
    name: "vault-token",
    description: "Vault token for the token method.",
    secret: true,
    env: ["VAULT_TOKEN"]
  },
  { name: "vault-role-id", description: "AppRole role id." },
  { name: "vault-secret-id", description: "AppRole secret id.", secret: true },
  {
    name: "vault-jwt-audience",
    description: "Audience of the GitHub Actions ID token used for jwt login; must match the Vault role.",
    default: "vault"
  },
  { name: "vault-jwt-file", description: "File with a JWT for jwt login outside GitHub Actions." },
  {
    name: "kubernetes-token-file",
    description: "Service-account token file for kubernetes login.",
    default: "/var/run/secrets/kubernetes.io/serviceaccount/token"
  },
  {
    name: "ocm-url",
    description: "Override of every OCM environment's API URL; `{environment}` is replaced by the environment's name (for a proxy, another region or the sandbox)."
  },
  {
    name: "ocm-sso-url",
    description: "Override of every OCM environment's SSO token URL; `{environment}` is replaced by its name."
  },
  {
    name: "dynatrace-url",
    description: "Override of the address dtp calls for each tenant, `{tenant}` replaced by the environment id. The Secrets keep the configured environmentUrl."
  },
  { name: "concurrency", description: "Clusters processed at the same time.", default: "16" },
  { name: "ocm-rate-limit", description: "Requests per second to each OCM environment.", default: "20" },
  {
    name: "dynatrace-rate-limit",
    description: "Requests per second to each Dynatrace tenant.",
    default: "20"
  },
  {
    name: "http-timeout",
    description: "Seconds before one HTTP request is abandoned (and retried when safe).",
    default: "30"
  },
  {
    name: "max-retries",
    description: "Retries of one request after 429, 5xx or a connection error.",
    default: "5"
  },
  {
    name: "prune",
    description: "Revoke dtp_ tokens of clusters that no longer exist or lost their labels (tokens replaced on a reconciled cluster are always revoked). Skipped for a tenant when it would revoke more than half of its dtp_ tokens, unless set to force.",
    default: "true",
    choices: ["true", "false", "force"]
  },
  {
    name: "service-logs",
    description: "Post an OCM service log on a cluster whose delivery failed.",
    default: "true",
    choices: ["true", "false"]
  },
  {
    name: "shard",
    description: "Process only shard i of n (`i/n`, 1-based), for splitting a large fleet over parallel jobs.",
    default: "1/1"
  },
  {
    name: "report-dir",
    description: "Folder for report.json, summary.md and metrics.prom.",
    default: "dtp-report"
  },
  {
    name: "pr-comment",
    description: "In plan mode on a pull request, post the plan as one comment, updated in place.",
    default: "false",
    choices: ["true", "false"]
  },
  {
    name: "github-token",
    description: "Token for the pull request comment.",
    secret: true,
    env: ["GITHUB_TOKEN"]
  },
  { name: "verbose", description: "Log every remote call.", default: "false", choices: ["true", "false"] }
];
function envName(name) {
  return `DTP_${name.toUpperCase().replace(/-/g, "_")}`;
}
function envSource(env) {
  return (name) => {
    const def = OPTIONS.find((o) => o.name === name);
    for (const key of [envName(name), ...def?.env ?? []]) {
      const value = env[key];
      if (value !== void 0 && value !== "") return value;
    }
    return void 0;
  };
}
function layered(...sources) {
  return (name) => {
    for (const source of sources) {
      const value = source(name);
      if (value !== void 0 && value !== "") return value;
    }
    return void 0;
  };
}
function resolveOptions(source) {
  const problems = [];
  const raw = (name) => {
    const def = OPTIONS.find((o) => o.name === name);
    if (!def) throw new Error(`unknown option ${name}`);
    const value = source(name)?.trim();
    if (value !== void 0 && value !== "") return value;
    return def.default;
  };
  const choice = (name) => {
    const def = OPTIONS.find((o) => o.name === name);
    const value = raw(name) ?? "";
    if (def.choices && !def.choices.includes(value)) {
      problems.push(`${name}: "${value}" is not one of ${def.choices.join(", ")}`);
      return def.default;
    }
    return value;
  };
  const int = (name, min, max) => {
    const value = raw(name) ?? "";
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n < min || n > max) {
      problems.push(`${name}: "${value}" must be a number from ${min} to ${max}`);
      return Number(OPTIONS.find((o) => o.name === name).default);
    }
    return n;
  };
  const secret = (name) => {
    const file = source(`${name}-file`)?.trim();
    if (file) {
      try {
        const value2 = readFileSync(file, "utf8").trim();
        if (value2 === "") problems.push(`${name}-file: ${file} is empty`);
        return new Secret(value2);
      } catch (error2) {
        problems.push(
          `${name}-file: cannot read ${file} (${error2.code ?? "error"})`
        );
        return void 0;
      }
    }
    const value = raw(name);
    return value === void 0 ? void 0 : new Secret(value);
  };
  const url = (name) => {
    const value = raw(name);
    if (value === void 0) return void 0;
    if (!/^https?:\/\/[^\s/]+/.test(value)) problems.push(`${name}: "${value}" is not an http(s) URL`);
    return value.replace(/\/+$/, "");
  };
  const shardText = raw("shard") ?? "1/1";
  const shardMatch = /^(\d+)\/(\d+)$/.exec(shardText);
  let shard = { index: 1, count: 1 };
  if (!shardMatch || Number(shardMatch[1]) < 1 || Number(shardMatch[1]) > Number(shardMatch[2])) {
    problems.push(`shard: "${shardText}" must be i/n with 1 \u2264 i \u2264 n, e.g. 2/4`);
  } else {
    shard = { index: Number(shardMatch[1]), count: Number(shardMatch[2]) };
  }
  const options = {
    mode: choice("mode"),
    configDir: raw("config") ?? "tenants",
    vault: {
      addr: url("vault-addr"),
      namespace: raw("vault-namespace"),
      method: choice("vault-auth-method"),
      mount: raw("vault-auth-mount"),
      role: raw("vault-role"),
      token: secret("vault-token"),
      roleId: raw("vault-role-id"),
      secretId: secret("vault-secret-id"),
      jwtAudience: raw("vault-jwt-audience") ?? "vault",
      jwtFile: raw("vault-jwt-file"),
      kubernetesTokenFile: raw("kubernetes-token-file")
    },
    ocmUrl: url("ocm-url"),
    ocmSsoUrl: url("ocm-sso-url"),
    dynatraceUrl: url("dynatrace-url"),
    concurrency: int("concurrency", 1, 256),
    ocmRateLimit: int("ocm-rate-limit", 0.1, 1e4),
    dynatraceRateLimit: int("dynatrace-rate-limit", 0.1, 1e4),
    httpTimeoutMs: int("http-timeout", 1, 600) * 1e3,
    maxRetries: int("max-retries", 0, 20),
    prune: choice("prune"),
    serviceLogs: choice("service-logs") === "true",
    shard,
    reportDir: raw("report-dir") ?? "dtp-report",
    prComment: choice("pr-comment") === "true",
    githubToken: secret("github-token"),
    verbose: choice("verbose") === "true"
  };
  if (problems.length > 0) {
    throw new UserError(
      `invalid settings:
${problems.map((p) => `  - ${p}`).join("\n")}`,
      "Fix the inputs (Action), flags (CLI) or DTP_* variables (Tekton); `dtp --help` lists them."
    );
  }
  return options;
}

// src/config/load.ts
async function loadConfig(_dir) {
  return { config: void 0, diagnostics: [], files: [] };
}

// src/run.ts
async function run(options, platform) {
  const loaded = await loadConfig(options.configDir);
  platform.annotate(loaded.diagnostics);
  if (!loaded.config) return ExitCode.invalidConfig;
  if (options.mode === "validate") {
    platform.info(`${loaded.files.length} files valid`);
    return ExitCode.ok;
  }
  throw new UserError(`mode ${options.mode} is not available yet`);
}

export {
  redact,
  isGitHubActions,
  githubPlatform,
  ExitCode,
  UserError,
  OPTIONS,
  envSource,
  layered,
  resolveOptions,
  run
};
//# sourceMappingURL=chunk-TAJSREWT.js.map
