/** Builders for engine tests: a small configuration, clusters, live tokens and delivered Secrets. */
import { TenantTokens } from '../../src/reconcile/plan.js';
import type { DynatraceToken } from '../../src/clients/api.js';
import type { AllowedOrganization, Config, DynatraceTenant, TokenSpec } from '../../src/config/types.js';
import type { Cluster, DeliveredSecret, ObservedDelivery } from '../../src/reconcile/model.js';
import { tokenName } from '../../src/reconcile/naming.js';
import { Secret } from '../../src/secret.js';
import { INGEST_SCOPES, OPERATOR_SCOPES, ORG_A, ORG_B, TENANT_A, TENANT_B } from '../fixtures/domain.js';

const at = { file: 'tenants/test.yaml', line: 1, column: 1 };

export { INGEST_SCOPES, OPERATOR_SCOPES, ORG_A, ORG_B, ORG_FOREIGN } from '../fixtures/domain.js';

export function tenant(id: string, orgs: string[] = [ORG_A, ORG_B]): DynatraceTenant {
  return {
    name: `tenant-${id}`,
    environmentId: id,
    environmentUrl: `https://${id}.live.dynatrace.com`,
    bootstrapToken: { mount: 'secret', path: `dynatrace/${id}`, field: 'token' },
    allowedOrganizations: orgs,
    owners: [{ name: 'SRE' }],
    source: at,
  };
}

export function defaultSpec(orgs: string[] = [ORG_A, ORG_B]): TokenSpec {
  return {
    name: 'default',
    description: 'operator tokens',
    ocmOrgIds: orgs,
    secrets: [
      {
        name: 'dynatrace-token-dtp',
        namespace: 'dynatrace',
        tokens: [
          { name: 'operator', keyNameInSecret: 'apiToken', scopes: [...OPERATOR_SCOPES] },
          { name: 'ingest', keyNameInSecret: 'dataIngestToken', scopes: [...INGEST_SCOPES] },
        ],
      },
    ],
    source: at,
  };
}

export function org(id: string, extra: Partial<AllowedOrganization> = {}): AllowedOrganization {
  return {
    name: `org-${id.slice(0, 6)}`,
    organizationId: id,
    displayName: id,
    contacts: [{ name: 'x' }],
    source: at,
    ...extra,
  };
}

export function config(
  parts: { tenants?: DynatraceTenant[]; specs?: TokenSpec[]; orgs?: AllowedOrganization[] } = {},
): Config {
  const tenants = parts.tenants ?? [tenant(TENANT_A), tenant(TENANT_B)];
  const specs = parts.specs ?? [defaultSpec()];
  const orgs = parts.orgs ?? [org(ORG_A), org(ORG_B)];
  return {
    tenants: new Map(tenants.map((t) => [t.environmentId, t])),
    tokenSpecs: new Map(specs.map((s) => [s.name, s])),
    organizations: new Map(orgs.map((o) => [o.organizationId, o])),
    ocmEnvironments: new Map(),
    files: ['tenants/test.yaml'],
  };
}

let clusterCounter = 0;
export function cluster(labels: Record<string, string>, extra: Partial<Cluster> = {}): Cluster {
  clusterCounter++;
  const n = String(clusterCounter).padStart(12, '0');
  return {
    ocmEnvironment: 'production',
    id: `cluster${n}`,
    externalId: `00000000-0000-4000-8000-${n}`,
    name: `c${clusterCounter}`,
    organizationId: ORG_A,
    subscriptionId: `sub${n}`,
    hostedControlPlane: false,
    state: 'ready',
    managed: true,
    labels,
    ...extra,
  };
}

export const v2 = (tenantId: string, spec = 'default') => ({
  'sre-capabilities.dtp.v2.tenant': tenantId,
  'sre-capabilities.dtp.v2.token-spec': spec,
});

let tokenCounter = 0;
/** A live token as Dynatrace lists it, with a value that matches its id. */
export function liveToken(
  specTokenName: string,
  externalId: string,
  scopes: string[],
  extra: Partial<DynatraceToken> = {},
): DynatraceToken & { value: string } {
  tokenCounter++;
  const pub = `PUB${String(tokenCounter).padStart(21, '0')}`;
  return {
    id: `dt0c01.${pub}`,
    name: tokenName(specTokenName, externalId, scopes),
    scopes: [...scopes],
    enabled: true,
    value: `dt0c01.${pub}.${'S'.repeat(60)}${String(tokenCounter).padStart(4, '0')}`,
    ...extra,
  };
}

export function tokenMap(...tokens: DynatraceToken[]): TenantTokens {
  return TenantTokens.of(tokens);
}

/** A Secret as the reference implementation delivers it. */
export function deliveredSecret(
  name: string,
  namespace: string,
  apiUrl: string,
  tokens: Record<string, { id: string; value: string }>,
): DeliveredSecret {
  const data = new Map<string, Secret>([['apiUrl', Secret.plain(apiUrl)]]);
  for (const [key, t] of Object.entries(tokens)) {
    data.set(key, new Secret(t.value));
    data.set(`${key}Id`, Secret.plain(t.id));
  }
  return { name, namespace, data };
}

export function observed(...secrets: DeliveredSecret[]): ObservedDelivery {
  return { kind: 'SyncSet', secrets, otherItems: 0 };
}
