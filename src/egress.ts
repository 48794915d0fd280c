/**
 * Where credentials may go. A URL from the YAML is reviewed but fallible (a typo-squat merges as easily as a
 * fix), so it may name only the public hosts of its system, or a host a trusted setting (`allowed-hosts`)
 * lists. The same check runs in `validate` (pointing at the YAML line) and again right before the first
 * credential is sent, so a run that skipped validation still cannot send a token elsewhere.
 */
import { isIP } from 'node:net';
import { UserError } from './errors.js';

/** One entry of `allowed-hosts`: an exact host, or `*.domain` (any host below it, not the domain itself). */
export interface HostRule {
  host: string;
  wildcard: boolean;
  /** The only port allowed; absent = the https default port only. */
  port?: number;
}

/** What a URL is for: which host list applies, and how the message names the setting. */
export type EgressTarget =
  { kind: 'dynatrace'; environmentId: string } | { kind: 'ocm-api' } | { kind: 'ocm-sso' };

/** OCM's public environments (production, stage, integration), as the OCM CLI and SDKs name them. */
export const OCM_API_HOSTS: readonly string[] = [
  'api.openshift.com',
  'api.stage.openshift.com',
  'api.integration.openshift.com',
];
/** Red Hat SSO, where OCM service accounts and offline tokens are exchanged for access tokens. */
export const OCM_SSO_HOSTS: readonly string[] = ['sso.redhat.com', 'sso.stage.redhat.com'];

const ALLOWED_HOSTS_SETTING =
  'the `allowed-hosts` setting (Action input allowed-hosts, --allowed-hosts, DTP_ALLOWED_HOSTS)';

const HOST_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses `allowed-hosts` (comma or newline separated); returns the rules and one message per bad entry. */
export function parseAllowedHosts(text: string | undefined): { rules: HostRule[]; problems: string[] } {
  const rules: HostRule[] = [];
  const problems: string[] = [];
  for (const raw of (text ?? '').split(/[,\n]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = /^(\*\.)?([^:]+)(?::(\d{1,5}))?$/.exec(entry.toLowerCase());
    const host = match?.[2] ?? '';
    const port = match?.[3] === undefined ? undefined : Number(match[3]);
    const labels = host.split('.');
    if (
      !match ||
      isIP(host) !== 0 ||
      labels.length < 2 ||
      !labels.every((l) => HOST_LABEL.test(l)) ||
      (port !== undefined && (port < 1 || port > 65535))
    ) {
      problems.push(
        `allowed-hosts: ${JSON.stringify(entry)} is not a host name (e.g. dynatrace.example.com, *.example.com or dynatrace.example.com:9999; no IP addresses, schemes or paths)`,
      );
      continue;
    }
    rules.push({ host, wildcard: match[1] !== undefined, ...(port !== undefined ? { port } : {}) });
  }
  return { rules, problems };
}

/** Why a credential may not be sent to `url`, or undefined when it may. */
export function egressProblem(
  url: string,
  target: EgressTarget,
  allowed: readonly HostRule[],
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'https:') return 'must use https://: credentials are never sent in clear text';
  if (parsed.username !== '' || parsed.password !== '')
    return 'must not contain a user name or password (`user@host`): the host is what follows the `@`';
  const host = parsed.hostname;
  if (host.endsWith('.')) return `host \`${host}\` ends with a dot; write the host without it`;
  if (host.startsWith('[') || isIP(host) !== 0)
    return `host \`${host}\` is an IP address; credentials go only to host names`;
  if (parsed.port === '' && defaultHosts(target, parsed).includes(host)) return undefined;
  if (allowed.some((rule) => matches(rule, host, parsed.port))) return undefined;
  return `${parsed.port === '' ? `host \`${host}\`` : `\`${host}:${parsed.port}\``} is not one that credentials may be sent to: ${byDefault(target)}; any other host (and port) needs an entry in ${ALLOWED_HOSTS_SETTING}`;
}

/** The hosts allowed without a setting; Dynatrace SaaS only at the environment's root, not below a path. */
function defaultHosts(target: EgressTarget, url: URL): readonly string[] {
  switch (target.kind) {
    case 'dynatrace':
      return url.pathname === '/' ? [`${target.environmentId}.live.dynatrace.com`] : [];
    case 'ocm-api':
      return OCM_API_HOSTS;
    case 'ocm-sso':
      return OCM_SSO_HOSTS;
  }
}

function byDefault(target: EgressTarget): string {
  switch (target.kind) {
    case 'dynatrace':
      return `by default only https://${target.environmentId}.live.dynatrace.com (Dynatrace SaaS)`;
    case 'ocm-api':
      return `by default only ${OCM_API_HOSTS.join(', ')}`;
    case 'ocm-sso':
      return `by default only ${OCM_SSO_HOSTS.join(', ')}`;
  }
}

function matches(rule: HostRule, host: string, port: string): boolean {
  if (
    rule.port === undefined ? port !== '' : port !== String(rule.port) && !(port === '' && rule.port === 443)
  )
    return false;
  return rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
}

/**
 * The runtime check, right before a credential goes out: throws (naming the setting that would allow it)
 * unless `url` passes `egressProblem`. The `ocm-url`, `ocm-sso-url` and `dynatrace-url` overrides are
 * trusted settings and are not checked; callers pass only URLs that came from the YAML.
 */
export function assertEgress(
  url: string,
  target: EgressTarget,
  allowed: readonly HostRule[],
  what: string,
): void {
  const problem = egressProblem(url, target, allowed);
  if (problem) {
    throw new UserError(
      `${what}: not sent: the URL ${problem}`,
      'Fix the URL in the configuration, or add its host to allowed-hosts.',
    );
  }
}
