/**
 * Whether one binding of one cluster may get tokens. Checked per binding, not per cluster: a cluster can
 * be allowed one tenant and denied another. Every gate says which YAML decides it, so the report tells the
 * cluster owner (or the reviewer of the allow-list) exactly what to change.
 */
import type { Config, DynatraceTenant, TokenSpec } from '../config/types.js';
import { parseBindings, quoteValue } from './bindings.js';
import type { EligibleBinding } from './plan.js';
import type { Binding, Cluster, Denial } from './model.js';
import { decisionOrder } from './order.js';

export type Eligibility =
  { allowed: true; tenant: DynatraceTenant; spec: TokenSpec } | { allowed: false; denial: Denial };

function deny(binding: Binding, label: string, code: Denial['code'], reason: string): Eligibility {
  const { tenantId, specName } = binding;
  return { allowed: false, denial: { binding: binding.key, label, code, reason, tenantId, specName } };
}

function checkEligibility(cluster: Cluster, binding: Binding, config: Config): Eligibility {
  const org = cluster.organizationId;
  const tenant = config.tenants.get(binding.tenantId);
  if (!tenant) {
    return deny(
      binding,
      binding.tenantLabel,
      'unknown-tenant',
      `tenant ${quoteValue(binding.tenantId)} is not configured`,
    );
  }
  const spec = config.tokenSpecs.get(binding.specName);
  if (!spec) {
    return deny(
      binding,
      binding.specLabel,
      'unknown-spec',
      `token spec ${quoteValue(binding.specName)} is not configured`,
    );
  }
  const allowed = config.organizations.get(org);
  if (!allowed) {
    return deny(
      binding,
      binding.tenantLabel,
      'org-not-allowed',
      `organization ${org} is not an AllowedOrganization`,
    );
  }
  if (allowed.ocmEnvironment && allowed.ocmEnvironment !== cluster.ocmEnvironment) {
    return deny(
      binding,
      binding.tenantLabel,
      'org-wrong-environment',
      `organization ${allowed.name} is allowed in OCM environment ${allowed.ocmEnvironment}, not ${cluster.ocmEnvironment}`,
    );
  }
  if (!tenant.allowedOrganizations.includes(org)) {
    return deny(
      binding,
      binding.tenantLabel,
      'tenant-denies-org',
      `tenant ${tenant.environmentId} (${tenant.name}) does not list organization ${allowed.name} in allowedOrganizations`,
    );
  }
  if (!spec.ocmOrgIds.includes(org)) {
    return deny(
      binding,
      binding.specLabel,
      'spec-denies-org',
      `token spec ${spec.name} does not list organization ${allowed.name} in ocm_org_ids`,
    );
  }
  if (allowed.tenants && !allowed.tenants.includes(tenant.environmentId)) {
    return deny(
      binding,
      binding.tenantLabel,
      'org-excludes-tenant',
      `organization ${allowed.name} limits itself to tenants ${allowed.tenants.join(', ')}`,
    );
  }
  if (allowed.tokenSpecs && !allowed.tokenSpecs.includes(spec.name)) {
    return deny(
      binding,
      binding.specLabel,
      'org-excludes-spec',
      `organization ${allowed.name} limits itself to token specs ${allowed.tokenSpecs.join(', ')}`,
    );
  }
  return { allowed: true, tenant, spec };
}

export interface ResolvedBindings {
  eligible: EligibleBinding[];
  denials: Denial[];
}

/**
 * All of a cluster's bindings, each allowed or denied with a reason. Two allowed bindings that would deliver
 * the same Secret (namespace/name) conflict: the first (by binding key) wins, the other is denied, instead of
 * writing two Secrets of one name into the delivery object.
 */
export function resolveBindings(cluster: Cluster, config: Config): ResolvedBindings {
  const parsed = parseBindings(cluster.labels, (name) => config.tokenSpecs.has(name));
  const denials: Denial[] = [...parsed.problems];
  const eligible: EligibleBinding[] = [];
  const secretOwners = new Map<string, string>();
  for (const binding of [...parsed.bindings].sort((a, b) => decisionOrder(a.key, b.key))) {
    const verdict = checkEligibility(cluster, binding, config);
    if (!verdict.allowed) {
      denials.push(verdict.denial);
      continue;
    }
    const clash = verdict.spec.secrets
      .map((s) => `${s.namespace}/${s.name}`)
      .find((id) => secretOwners.has(id));
    if (clash) {
      denials.push({
        binding: binding.key,
        label: binding.specLabel,
        code: 'secret-conflict',
        reason: `Secret ${clash} is already delivered by binding ${secretOwners.get(clash)}`,
        tenantId: binding.tenantId,
        specName: binding.specName,
      });
      continue;
    }
    for (const s of verdict.spec.secrets) secretOwners.set(`${s.namespace}/${s.name}`, binding.key);
    eligible.push({ binding, tenant: verdict.tenant, spec: verdict.spec });
  }
  return { eligible, denials };
}
