/**
 * Every URL in the YAML that a credential is sent to must name a host that the defaults or a trusted
 * setting allow (src/egress.ts): merged YAML is reviewed, but a typo-squat or a hostile pull request must
 * not be able to send a bootstrap token or an OCM client secret to a host of its choosing.
 */
import { egressProblem, type EgressTarget, type HostRule } from '../../egress.js';
import type { Located } from '../catalog.js';
import type { ConfigDocument, Problems } from '../problems.js';
import type { DynatraceTenant, OcmEnvironment } from '../types.js';

const HINT =
  'Point the URL at the public address, or have whoever owns the pipeline add the host to `allowed-hosts` (a setting, not YAML: a pull request cannot widen it).';

export function checkTenantEgress(
  { doc, object: tenant }: Located<DynatraceTenant>,
  allowed: readonly HostRule[],
  problems: Problems,
): void {
  const target: EgressTarget = { kind: 'dynatrace', environmentId: tenant.environmentId };
  report(doc, '/spec/environmentUrl', egressProblem(tenant.environmentUrl, target, allowed), problems);
}

export function checkOcmEgress(
  { doc, object: env }: Located<OcmEnvironment>,
  allowed: readonly HostRule[],
  problems: Problems,
): void {
  for (const [pointer, url, target] of [
    ['/spec/apiUrl', env.apiUrl, { kind: 'ocm-api' }],
    ['/spec/ssoTokenUrl', env.ssoTokenUrl, { kind: 'ocm-sso' }],
  ] as const) {
    report(doc, pointer, egressProblem(url, target, allowed), problems);
  }
}

/** A URL that already has a problem (wrong environment id, web UI host) is not reported twice. */
function report(doc: ConfigDocument, pointer: string, problem: string | undefined, problems: Problems): void {
  if (problem && !problems.reported(doc, pointer)) problems.at(doc, pointer, problem, { hint: HINT });
}
