/**
 * The one list of settings. The Action reads them as inputs (action.yml), the CLI as `--flags`, and both
 * from `DTP_*` environment variables (what a Tekton task sets). A test keeps action.yml and the README's
 * table equal to this list.
 */
import { readFileSync } from 'node:fs';
import { DAY_MS, HOUR_MS, MINUTE_MS, parseDuration } from './config/duration.js';
import { parseAllowedHosts, type HostRule } from './egress.js';
import { UserError } from './errors.js';
import { notifySettingProblems } from './notify/settings.js';
import {
  DEFAULT_ROTATION_BUDGET,
  parseRotationBudget,
  type RotationBudgetSetting,
} from './reconcile/rotation.js';
import { Secret } from './secret.js';

export type Mode = 'validate' | 'plan' | 'reconcile';
export type VaultAuthMethod = 'auto' | 'token' | 'approle' | 'jwt' | 'kubernetes';

export interface OptionDef {
  name: string;
  description: string;
  /** Default as written in action.yml; absent = empty. */
  default?: string;
  choices?: readonly string[];
  /** Secret inputs are masked and never echoed; each also has a `<name>-file` variant. */
  secret?: boolean;
  /** A flag that may be given more than once (`--cluster a --cluster b`); the values are joined by commas. */
  multiple?: boolean;
  /** Extra environment variable names read after `DTP_<NAME>` (e.g. the standard `VAULT_ADDR`). */
  env?: readonly string[];
}

export const OPTIONS: readonly OptionDef[] = [
  {
    name: 'mode',
    description:
      'validate (offline check of the configuration), plan (read everything, change nothing, show what reconcile would do) or reconcile.',
    default: 'reconcile',
    choices: ['validate', 'plan', 'reconcile'],
  },
  {
    name: 'config',
    description: 'Folder with the tenants, token specs, organizations and OCM environments (YAML).',
    default: 'tenants',
  },
  {
    name: 'base-config',
    description:
      "Plan mode on a pull request: the base branch's configuration folder. The plan is made for both against the same observed state and leads with what the change does (the YAML line causing each change); the rest is folded as drift. Without it, plan shows all pending work.",
  },
  { name: 'vault-addr', description: 'Vault address, e.g. https://vault.example.com.', env: ['VAULT_ADDR'] },
  { name: 'vault-namespace', description: 'Vault Enterprise namespace, if any.', env: ['VAULT_NAMESPACE'] },
  {
    name: 'vault-auth-method',
    description:
      "How to log in to Vault: token, approle, jwt (on GitHub: the job's OIDC ID token), kubernetes (the pod's service-account token), or auto (token if one is given, else approle if a role id is given, else jwt on GitHub Actions, else kubernetes).",
    default: 'auto',
    choices: ['auto', 'token', 'approle', 'jwt', 'kubernetes'],
  },
  {
    name: 'vault-auth-mount',
    description:
      'Mount path of the Vault auth method; defaults to the method name (approle, jwt, kubernetes).',
  },
  { name: 'vault-role', description: 'Vault role for jwt and kubernetes login.' },
  {
    name: 'vault-token',
    description: 'Vault token for the token method.',
    secret: true,
    env: ['VAULT_TOKEN'],
  },
  { name: 'vault-role-id', description: 'AppRole role id.' },
  { name: 'vault-secret-id', description: 'AppRole secret id.', secret: true },
  {
    name: 'vault-jwt-audience',
    description: 'Audience of the GitHub Actions ID token used for jwt login; must match the Vault role.',
    default: 'vault',
  },
  { name: 'vault-jwt-file', description: 'File with a JWT for jwt login outside GitHub Actions.' },
  {
    name: 'kubernetes-token-file',
    description: 'Service-account token file for kubernetes login.',
    default: '/var/run/secrets/kubernetes.io/serviceaccount/token',
  },
  {
    name: 'ocm-url',
    description:
      "Override of every OCM environment's API URL; `{environment}` is replaced by the environment's name (for a proxy, another region or the sandbox).",
  },
  {
    name: 'ocm-sso-url',
    description:
      "Override of every OCM environment's SSO token URL; `{environment}` is replaced by its name.",
  },
  {
    name: 'dynatrace-url',
    description:
      'Override of the address dtp calls for each tenant, `{tenant}` replaced by the environment id. The Secrets keep the configured environmentUrl.',
  },
  {
    name: 'allowed-hosts',
    description:
      'Hosts besides the public defaults (<id>.live.dynatrace.com; api[.stage|.integration].openshift.com, sso[.stage].redhat.com) that credentials may be sent to, as the YAML names them: comma or newline separated, exact hosts or `*.domain`, with `:port` when not 443 (e.g. dynatrace.example.com, *.apps.example.com:8443). A trusted setting: the YAML alone can never name a new host.',
  },
  { name: 'concurrency', description: 'Clusters processed at the same time.', default: '64' },
  {
    name: 'ocm-rate-limit',
    description:
      'Requests per second to each OCM environment, evenly paced; each 429 answer lowers it by 10 % for the rest of the run.',
    default: '300',
  },
  {
    name: 'dynatrace-rate-limit',
    description:
      'Requests per second to each Dynatrace tenant, evenly paced; each 429 answer lowers it by 10 % for the rest of the run.',
    default: '300',
  },
  {
    name: 'http-timeout',
    description: 'Seconds before one HTTP request is abandoned (and retried when safe).',
    default: '30',
  },
  {
    name: 'max-retries',
    description: 'Retries of one request after 429, 5xx or a connection error.',
    default: '5',
  },
  {
    name: 'ca-file',
    description:
      'PEM bundle of certificate authorities trusted in addition to the system roots, by every connection (Vault, OCM, SSO, Dynatrace): for private CAs and TLS-inspecting proxies. Proxies: every connection honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the environment, and none is used when they are unset.',
  },
  {
    name: 'prune',
    description:
      'Revoke dtp_ tokens of clusters that no longer exist or lost their labels (tokens replaced on a reconciled cluster are always revoked). Skipped for a tenant when it would revoke more than half of its dtp_ tokens, unless set to force.',
    default: 'true',
    choices: ['true', 'false', 'force'],
  },
  {
    name: 'service-logs',
    description: 'Post an OCM service log on a cluster whose delivery failed.',
    default: 'true',
    choices: ['true', 'false'],
  },
  {
    name: 'shard',
    description:
      'Process only shard i of n (`i/n`, 1-based), for splitting a large fleet over parallel jobs.',
    default: '1/1',
  },
  {
    name: 'cluster',
    description:
      'Only these clusters (OCM id, external id or name; comma or newline separated, or the flag repeated): plan or reconcile just them. Such a run never prunes.',
    multiple: true,
  },
  {
    name: 'remint',
    description:
      'Re-mint delivered tokens that are gone. Held for a tenant when more than half of its delivered tokens (and more than 10) would be re-minted in one run (a listing that lies, or a mass revocation), unless set to force.',
    default: 'true',
    choices: ['true', 'force'],
  },
  {
    name: 'rotation-budget',
    description:
      'Most tokens replaced per run because of their age or coming expiry (token specs with maxAge): a share of the delivered tokens the run looks at (`5%`, at least 1) or a number (`20`). The ones expiring soonest go first; the rest wait for the next run. Expired tokens are always replaced, and count first.',
    default: '5%',
  },
  {
    name: 'run-interval',
    description:
      'Time between scheduled runs (`2h`, `30m`, `1d`): a token that would expire before the run after next is rotated now, and the summary calls it expiring soon.',
    default: '2h',
  },
  {
    name: 'shutdown-grace',
    description:
      'Seconds that clusters in flight may finish after SIGINT/SIGTERM before their new tokens are revoked and the reports are written (fits GitHub cancellation: SIGTERM 7.5 s after SIGINT).',
    default: '6',
  },
  {
    name: 'report-dir',
    description: 'Folder for report.json, summary.md and metrics.prom.',
    default: 'dtp-report',
  },
  {
    name: 'pr-comment',
    description: 'In plan mode on a pull request, post the plan as one comment, updated in place.',
    default: 'false',
    choices: ['true', 'false'],
  },
  {
    name: 'github-token',
    description: 'Token for the pull request comment.',
    secret: true,
    env: ['GITHUB_TOKEN'],
  },
  { name: 'verbose', description: 'Log every remote call.', default: 'false', choices: ['true', 'false'] },
  {
    name: 'log-format',
    description:
      'text (lines for people) or json (one object per line: time, level, message and, when known, cluster, tenant, operation, durationMs).',
    default: 'text',
    choices: ['text', 'json'],
  },
  {
    name: 'metrics-push-url',
    description:
      'Prometheus Pushgateway base URL; when set, plan and reconcile push metrics.prom to `<url>/metrics/job/dtp/shard/<i>_of_<n>` (PUT). A failed push is a warning.',
  },
  {
    name: 'metrics-push-auth',
    description: 'Pushgateway credentials: `basic <user>:<password>` or `bearer <token>`.',
    secret: true,
  },
  {
    name: 'notify-slack-url',
    description: 'Slack incoming-webhook URL for the notifications after each reconcile.',
    secret: true,
  },
  {
    name: 'notify-webhook-url',
    description: 'URL that receives each notification as a JSON POST.',
    secret: true,
  },
  {
    name: 'notify-webhook-secret',
    description:
      'Key of the HMAC-SHA256 signature of each webhook body, sent as `X-DTP-Signature-256: sha256=<hex>`.',
    secret: true,
  },
  {
    name: 'notify-smtp-url',
    description:
      'Mail server for email notifications: `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465`.',
    secret: true,
  },
  { name: 'notify-from', description: 'Sender address of notification emails; default dtp@<smtp host>.' },
  {
    name: 'notify-admins',
    description:
      'Email addresses (comma separated) that get one message per reconcile about the whole fleet; tenant owners get their own.',
  },
  {
    name: 'notify-threshold',
    description: 'Runs in a row a cluster must fail before the "still failing" notice.',
    default: '3',
  },
  {
    name: 'notify-state-file',
    description:
      'Where notifications remember what was told (JSON; `-shard-i-of-n` is added when sharded). Keep it across runs (a Tekton workspace, an Actions cache); lost, everything current is told again.',
    default: 'dtp-state/notify-state.json',
  },
];

export interface Shard {
  index: number;
  count: number;
}

export interface VaultOptions {
  addr?: string;
  namespace?: string;
  method: VaultAuthMethod;
  mount?: string;
  role?: string;
  token?: Secret;
  roleId?: string;
  secretId?: Secret;
  jwtAudience: string;
  jwtFile?: string;
  kubernetesTokenFile: string;
}

export interface Options {
  mode: Mode;
  configDir: string;
  /** `base-config`: the base branch's configuration, to plan what a pull request changes. */
  baseConfigDir?: string;
  vault: VaultOptions;
  ocmUrl?: string;
  ocmSsoUrl?: string;
  dynatraceUrl?: string;
  /** `allowed-hosts`: where the YAML's URLs may point besides the public defaults (src/egress.ts). */
  allowedHosts: HostRule[];
  concurrency: number;
  ocmRateLimit: number;
  dynatraceRateLimit: number;
  httpTimeoutMs: number;
  maxRetries: number;
  /** `ca-file`: PEM bundle trusted besides the system roots (checked readable when settings are read). */
  caFile?: string;
  prune: 'true' | 'false' | 'force';
  serviceLogs: boolean;
  shard: Shard;
  /** `cluster`: only these clusters (empty: all of the shard). */
  clusters: string[];
  reportDir: string;
  /** report-dir was set explicitly (validate writes report files only then, or on GitHub). */
  reportDirGiven: boolean;
  remint: 'true' | 'force';
  /** `rotation-budget`: how many rotations one run may start. */
  rotationBudget: RotationBudgetSetting;
  /** `run-interval`: the schedule, for "expires within the next two runs". */
  runIntervalMs: number;
  /** Not a setting: the clock of the run, set only by in-process runs against the sandbox's simulated time. */
  now?: () => Date;
  shutdownGraceMs: number;
  prComment: boolean;
  githubToken?: Secret;
  verbose: boolean;
  logFormat: 'text' | 'json';
  metricsPushUrl?: string;
  metricsPushAuth?: Secret;
  notifySlackUrl?: Secret;
  notifyWebhookUrl?: Secret;
  notifyWebhookSecret?: Secret;
  notifySmtpUrl?: Secret;
  notifyFrom?: string;
  notifyAdmins: string[];
  notifyThreshold: number;
  notifyStateFile: string;
}

/** Reads a raw setting by input name; returns undefined or '' when not set. */
export type SettingSource = (name: string) => string | undefined;

export function envName(name: string): string {
  return `DTP_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Settings from the environment: `DTP_<NAME>` first, then the option's standard variables. */
export function envSource(env: NodeJS.ProcessEnv): SettingSource {
  return (name) => {
    const def = OPTIONS.find((o) => o.name === name);
    for (const key of [envName(name), ...(def?.env ?? [])]) {
      const value = env[key];
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
}

/**
 * On/off settings accept what people and pipelines write: `1/0`, `yes/no`, `on/off`, `true/false` in any
 * case (`DTP_VERBOSE=1`); other words are kept and checked against the choices as given.
 */
function booleanWord(def: OptionDef, value: string): string {
  if (!def.choices?.includes('true') && !def.choices?.includes('false')) return value;
  const word = value.toLowerCase();
  if (['1', 'yes', 'on', 'true'].includes(word)) return 'true';
  if (['0', 'no', 'off', 'false'].includes(word)) return 'false';
  return value;
}

/** The first source that has a value wins (flags before environment, for example). */
export function layered(...sources: SettingSource[]): SettingSource {
  return (name) => {
    for (const source of sources) {
      const value = source(name);
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
}

/**
 * Turns raw settings into typed options. Every invalid setting is reported at once, each with the setting's
 * name and what is accepted.
 */
export function resolveOptions(source: SettingSource): Options {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const def = OPTIONS.find((o) => o.name === name);
    if (!def) throw new Error(`unknown option ${name}`);
    const value = source(name)?.trim();
    if (value !== undefined && value !== '') return value;
    return def.default;
  };
  const choice = <T extends string>(name: string): T => {
    const def = OPTIONS.find((o) => o.name === name)!;
    const value = booleanWord(def, raw(name) ?? '');
    if (def.choices && !def.choices.includes(value)) {
      problems.push(`${name}: "${value}" is not one of ${def.choices.join(', ')}`);
      return def.default as T;
    }
    return value as T;
  };
  const int = (name: string, min: number, max: number): number => {
    const value = raw(name) ?? '';
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n < min || n > max) {
      problems.push(`${name}: "${value}" must be a number from ${min} to ${max}`);
      return Number(OPTIONS.find((o) => o.name === name)!.default);
    }
    return n;
  };
  const secret = (name: string): Secret | undefined => {
    const file = source(`${name}-file`)?.trim();
    if (file) {
      try {
        const value = readFileSync(file, 'utf8').trim();
        if (value === '') problems.push(`${name}-file: ${file} is empty`);
        return new Secret(value);
      } catch (error) {
        problems.push(
          `${name}-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
        return undefined;
      }
    }
    const value = raw(name);
    return value === undefined ? undefined : new Secret(value);
  };
  const url = (name: string): string | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    if (!/^https?:\/\/[^\s/]+/.test(value)) problems.push(`${name}: "${value}" is not an http(s) URL`);
    return value.replace(/\/+$/, '');
  };

  const shardText = raw('shard') ?? '1/1';
  const shardMatch = /^(\d+)\/(\d+)$/.exec(shardText);
  let shard: Shard = { index: 1, count: 1 };
  if (!shardMatch || Number(shardMatch[1]) < 1 || Number(shardMatch[1]) > Number(shardMatch[2])) {
    problems.push(`shard: "${shardText}" must be i/n with 1 ≤ i ≤ n, e.g. 2/4`);
  } else {
    shard = { index: Number(shardMatch[1]), count: Number(shardMatch[2]) };
  }

  const options: Options = {
    mode: choice<Mode>('mode'),
    configDir: raw('config') ?? 'tenants',
    baseConfigDir: raw('base-config'),
    vault: {
      addr: url('vault-addr'),
      namespace: raw('vault-namespace'),
      method: choice<VaultAuthMethod>('vault-auth-method'),
      mount: raw('vault-auth-mount'),
      role: raw('vault-role'),
      token: secret('vault-token'),
      roleId: raw('vault-role-id'),
      secretId: secret('vault-secret-id'),
      jwtAudience: raw('vault-jwt-audience') ?? 'vault',
      jwtFile: raw('vault-jwt-file'),
      kubernetesTokenFile: raw('kubernetes-token-file')!,
    },
    ocmUrl: url('ocm-url'),
    ocmSsoUrl: url('ocm-sso-url'),
    dynatraceUrl: url('dynatrace-url'),
    allowedHosts: allowedHosts(raw('allowed-hosts'), problems),
    concurrency: int('concurrency', 1, 256),
    ocmRateLimit: int('ocm-rate-limit', 0.1, 10_000),
    dynatraceRateLimit: int('dynatrace-rate-limit', 0.1, 10_000),
    httpTimeoutMs: int('http-timeout', 1, 600) * 1000,
    maxRetries: int('max-retries', 0, 20),
    caFile: pemFile(raw('ca-file'), problems),
    prune: choice<'true' | 'false' | 'force'>('prune'),
    serviceLogs: choice('service-logs') === 'true',
    shard,
    clusters: (raw('cluster') ?? '')
      .split(/[,\n]/)
      .map((c) => c.trim())
      .filter((c) => c !== ''),
    reportDir: raw('report-dir') ?? 'dtp-report',
    reportDirGiven: Boolean(source('report-dir')?.trim()),
    remint: choice<'true' | 'force'>('remint'),
    rotationBudget: rotationBudget(raw('rotation-budget'), problems),
    runIntervalMs: runInterval(raw('run-interval'), problems),
    shutdownGraceMs: int('shutdown-grace', 1, 600) * 1000,
    prComment: choice('pr-comment') === 'true',
    githubToken: secret('github-token'),
    verbose: choice('verbose') === 'true',
    logFormat: choice<'text' | 'json'>('log-format'),
    metricsPushUrl: url('metrics-push-url'),
    metricsPushAuth: secret('metrics-push-auth'),
    notifySlackUrl: secret('notify-slack-url'),
    notifyWebhookUrl: secret('notify-webhook-url'),
    notifyWebhookSecret: secret('notify-webhook-secret'),
    notifySmtpUrl: secret('notify-smtp-url'),
    notifyFrom: raw('notify-from'),
    notifyAdmins: (raw('notify-admins') ?? '').split(/[\s,;]+/).filter(Boolean),
    notifyThreshold: int('notify-threshold', 1, 1000),
    notifyStateFile: raw('notify-state-file') ?? 'dtp-state/notify-state.json',
  };
  problems.push(...notifySettingProblems(options));
  if (problems.length > 0) {
    throw new UserError(
      `invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'Fix the inputs (Action), flags (CLI) or DTP_* variables (Tekton); `dtp --help` lists them.',
    );
  }
  return options;
}

function rotationBudget(text: string | undefined, problems: string[]): RotationBudgetSetting {
  const parsed = parseRotationBudget(text ?? '5%');
  if (parsed) return parsed;
  problems.push(
    `rotation-budget: "${text}" must be a share such as 5% (up to 100%) or a number of tokens such as 20`,
  );
  return DEFAULT_ROTATION_BUDGET;
}

/** From 10 minutes to 7 days: shorter than any real schedule would rotate every run; longer is no schedule. */
function runInterval(text: string | undefined, problems: string[]): number {
  const ms = parseDuration(text ?? '2h');
  if (ms !== undefined && ms >= 10 * MINUTE_MS && ms <= 7 * DAY_MS) return ms;
  problems.push(`run-interval: "${text}" must be a duration from 10m to 7d, such as 2h`);
  return 2 * HOUR_MS;
}

/** A readable PEM certificate bundle, or a problem naming the file (never its content). */
function pemFile(file: string | undefined, problems: string[]): string | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`ca-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    problems.push(`ca-file: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE----- blocks)`);
  return file;
}

function allowedHosts(text: string | undefined, problems: string[]): HostRule[] {
  const parsed = parseAllowedHosts(text);
  problems.push(...parsed.problems);
  return parsed.rules;
}

/** Step outputs (GitHub) and task results (Tekton); all counts are decimal strings. */
export const OUTPUTS: readonly { name: string; description: string }[] = [
  {
    name: 'exit-code',
    description: '0 all good, 1 some clusters failed, 2 invalid configuration, 3 could not start.',
  },
  {
    name: 'clusters',
    description: 'Clusters with at least one dtp binding (eligible or not) in this shard.',
  },
  { name: 'clusters-failed', description: 'Clusters whose reconcile failed.' },
  {
    name: 'clusters-denied',
    description:
      'Clusters with at least one binding denied (organization not allowed, unknown tenant or spec, bad label).',
  },
  {
    name: 'tokens-created',
    description: 'Tokens minted for new clusters or new spec entries (planned, in plan mode).',
  },
  {
    name: 'tokens-reminted',
    description: 'Tokens minted again because the delivered one was revoked, disabled or unreadable.',
  },
  { name: 'tokens-updated', description: 'Tokens whose name or scopes were fixed in place.' },
  {
    name: 'tokens-revoked',
    description: 'Tokens revoked: replaced, leaked by an earlier failure, or of clusters that are gone.',
  },
  { name: 'deliveries-created', description: 'SyncSets and Manifests created.' },
  { name: 'deliveries-patched', description: 'SyncSets and Manifests patched.' },
  { name: 'report-path', description: 'Path of report.json.' },
  { name: 'summary-path', description: 'Path of summary.md.' },
];
