/**
 * A fleet for the simulators, grown from a configuration (the shipped `tenants/` or one written by
 * `writeFleetConfig`) and a short description, with a fixed seed: the same inputs give the same clusters,
 * labels and ids. Vault gets the credentials and bootstrap tokens where the configuration says they are.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config, DynatraceTenant, TokenSpec } from '../config/types.js';
import { OCM_API_HOSTS, OCM_SSO_HOSTS } from '../egress.js';
import { OCM_ID, Random } from './random.js';
import type { OcmSim, OcmLabelState } from './ocm.js';
import type { DynatraceSim } from './dynatrace.js';
import type { VaultSim } from './vault.js';

export interface FleetDescription {
  /** Clusters across all OCM environments. */
  clusters: number;
  seed?: number;
  /** Share of clusters with a hosted control plane (they get a Manifest, not a SyncSet). */
  hcpShare?: number;
  /** Share of labelled clusters in organizations that are not allowed. */
  disallowedShare?: number;
  /** Share of clusters with a label dtp must refuse (unknown tenant or spec, malformed value). */
  mislabelledShare?: number;
  /** Share of clusters bound with the v2 label pair instead of v3. */
  v2Share?: number;
  /** Share of clusters with two bindings (two token specs). */
  multiBindingShare?: number;
  /** Share of clusters not ready (installing, hibernating): skipped. */
  notReadyShare?: number;
  /** Share of allowed organizations that bind all their clusters with one organization label. */
  organizationLabelShare?: number;
}

export interface SandboxCredentials {
  vaultRoleId: string;
  vaultSecretId: string;
  vaultRole: string;
  /** The JWT the sandbox accepts for jwt and kubernetes login of `vaultRole`. */
  vaultJwt: string;
}

export interface SeededFleet {
  clusters: number;
  readonly labelled: number;
  credentials: SandboxCredentials;
  /** Adds clusters to the running fleet (churn: new clusters appear between runs). */
  grow(count: number): void;
}

const kvKey = (ref: { mount: string; path: string }) => `${ref.mount}/${ref.path}`;

/** Writes the secrets a run reads into Vault, with the version each reference asks for. */
function seedVault(vault: VaultSim, config: Config, ocm: OcmSim, dt: DynatraceSim, random: Random): string[] {
  const policy = new Set<string>();
  const putVersion = (
    ref: { mount: string; path: string; version?: number },
    data: Record<string, string>,
  ) => {
    const existing = vault.kv.get(kvKey(ref))?.versions.length ?? 0;
    const target = ref.version ?? existing + 1;
    // Earlier versions hold stale values, so reading the wrong version is visible.
    for (let v = existing + 1; v < target; v++) {
      vault.put(
        ref.mount,
        ref.path,
        Object.fromEntries(Object.keys(data).map((k) => [k, `stale-${k}-v${v}`])),
      );
    }
    if (target > existing) vault.put(ref.mount, ref.path, data);
    else {
      const version = vault.kv.get(kvKey(ref))?.versions[target - 1];
      if (version) version.data = { ...version.data, ...data };
    }
    policy.add(kvKey(ref));
  };
  for (const env of config.ocmEnvironments.values()) {
    const state = ocm.env(env.name);
    const c = env.credentials;
    if (c.grant === 'client_credentials') {
      const clientId = `dtp-${env.name}-${random.string(6, OCM_ID)}`;
      const secret = `ocm-client-secret-${randomBytes(12).toString('hex')}`;
      state.clients.set(clientId, secret);
      putVersion(c.secret, { [c.clientIdField]: clientId, [c.clientSecretField]: secret });
    } else {
      const offline = `ocm-offline-${randomBytes(16).toString('hex')}`;
      state.offlineTokens.add(offline);
      putVersion(c.secret, { [c.offlineTokenField]: offline });
    }
  }
  for (const tenant of config.tenants.values()) {
    const bootstrap = dt.mint(
      tenant.environmentId,
      'dtp-bootstrap',
      ['apiTokens.read', 'apiTokens.write'],
      'platform-sre',
    );
    const { field, ...ref } = tenant.bootstrapToken;
    putVersion(ref, { [field]: bootstrap.value });
  }
  return [...policy];
}

interface BindingChoice {
  tenant: DynatraceTenant;
  spec: TokenSpec;
}

/** The (tenant, spec) pairs an organization may bind, as the configuration allows them. */
function allowedPairs(config: Config, orgId: string): BindingChoice[] {
  const org = config.organizations.get(orgId);
  if (!org) return [];
  const pairs: BindingChoice[] = [];
  for (const tenant of config.tenants.values()) {
    if (!tenant.allowedOrganizations.includes(orgId)) continue;
    if (org.tenants && !org.tenants.includes(tenant.environmentId)) continue;
    for (const spec of config.tokenSpecs.values()) {
      if (!spec.ocmOrgIds.includes(orgId)) continue;
      if (org.tokenSpecs && !org.tokenSpecs.includes(spec.name)) continue;
      pairs.push({ tenant, spec });
    }
  }
  return pairs.sort((a, b) =>
    `${a.tenant.environmentId}/${a.spec.name}`.localeCompare(`${b.tenant.environmentId}/${b.spec.name}`),
  );
}

/** Two specs may share a cluster only when they write different Secrets. */
function secretsDisjoint(a: TokenSpec, b: TokenSpec): boolean {
  const names = new Set(a.secrets.map((s) => `${s.namespace}/${s.name}`));
  return b.secrets.every((s) => !names.has(`${s.namespace}/${s.name}`));
}

export function seedFleet(
  sims: { ocm: OcmSim; dynatrace: DynatraceSim; vault: VaultSim },
  config: Config,
  description: FleetDescription,
): SeededFleet {
  const d = {
    seed: 1,
    hcpShare: 0.3,
    disallowedShare: 0.05,
    mislabelledShare: 0.03,
    v2Share: 0.2,
    multiBindingShare: 0.1,
    notReadyShare: 0.04,
    organizationLabelShare: 0,
    ...description,
  };
  const random = new Random(d.seed);
  const { ocm, dynatrace: dt, vault } = sims;
  const policy = seedVault(vault, config, ocm, dt, random);
  const credentials: SandboxCredentials = {
    vaultRoleId: `dtp-${random.uuid()}`,
    vaultSecretId: randomBytes(18).toString('hex'),
    vaultRole: 'dtp',
    vaultJwt: `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.sandbox`,
  };
  vault.addRole('approle', credentials.vaultRoleId, { policy, secretId: credentials.vaultSecretId });
  vault.addRole('jwt', credentials.vaultRole, { policy, jwt: credentials.vaultJwt });
  vault.addRole('kubernetes', credentials.vaultRole, { policy, jwt: credentials.vaultJwt });

  const environments = [...config.ocmEnvironments.keys()].sort();
  const allowedOrgs = [...config.organizations.values()].sort((a, b) =>
    a.organizationId.localeCompare(b.organizationId),
  );
  const orgsByEnv = new Map(
    environments.map((env) => [
      env,
      allowedOrgs.filter(
        (o) =>
          (!o.ocmEnvironment || o.ocmEnvironment === env) &&
          allowedPairs(config, o.organizationId).length > 0,
      ),
    ]),
  );
  const tenantIds = [...config.tenants.keys()].sort();
  const specNames = [...config.tokenSpecs.keys()].sort();
  let labelId = 0;
  const label = (env: string, l: Omit<OcmLabelState, 'id'>) =>
    ocm.env(env).labels.push({ id: `label${String(++labelId).padStart(8, '0')}`, ...l });

  for (const env of environments) {
    const state = ocm.env(env);
    for (const org of orgsByEnv.get(env) ?? []) {
      state.organizations.set(org.organizationId, {
        id: org.organizationId,
        name: org.displayName,
        external_id: String(10_000_000 + random.int(9_000_000)),
      });
    }
    for (let i = 0; i < 3; i++) {
      const id = `disallowed${env.slice(0, 3)}${random.string(15, OCM_ID)}`;
      state.organizations.set(id, { id, name: `Not allowed ${i + 1}`, external_id: String(20_000_000 + i) });
    }
  }

  // Organization-wide bindings: every cluster of such an organization is bound by one label on the org.
  const orgLabelled = new Set<string>();
  for (const env of environments) {
    for (const org of orgsByEnv.get(env) ?? []) {
      if (!random.chance(d.organizationLabelShare)) continue;
      const pair = allowedPairs(config, org.organizationId)[0];
      if (!pair) continue;
      orgLabelled.add(org.organizationId);
      label(env, {
        key: 'sre-capabilities.dtp.v3.org.tenant',
        value: pair.tenant.environmentId,
        type: 'Organization',
        organization_id: org.organizationId,
      });
      label(env, {
        key: 'sre-capabilities.dtp.v3.org.token-spec',
        value: pair.spec.name,
        type: 'Organization',
        organization_id: org.organizationId,
      });
    }
  }

  let labelled = 0;
  let next = 0;
  /** Adds `count` clusters with the description's mix; later calls continue the same sequence. */
  const grow = (count: number) => {
    const end = next + count;
    for (let i = next; i < end; i++) {
      const env = environments[i % environments.length];
      if (env === undefined) break;
      const state = ocm.env(env);
      const allowedHere = orgsByEnv.get(env) ?? [];
      const disallowed = allowedHere.length === 0 || random.chance(d.disallowedShare);
      const orgId = disallowed
        ? random.pick([...state.organizations.keys()].filter((id) => id.startsWith('disallowed')))
        : random.pick(allowedHere).organizationId;
      const subscriptionId = random.string(27, OCM_ID);
      const clusterId = random.string(32, OCM_ID);
      const externalId = random.uuid();
      const hcp = random.chance(d.hcpShare);
      const notReady = random.chance(d.notReadyShare);
      state.subscriptions.set(subscriptionId, {
        id: subscriptionId,
        organization_id: orgId,
        cluster_id: clusterId,
        external_cluster_id: externalId,
        status: 'Active',
      });
      state.clusters.set(clusterId, {
        id: clusterId,
        external_id: externalId,
        name: `${env.slice(0, 4)}-${hcp ? 'hcp' : 'osd'}-${String(i).padStart(5, '0')}`,
        state: notReady ? random.pick(['installing', 'hibernating']) : 'ready',
        managed: true,
        hcp,
        subscriptionId,
        product: hcp ? 'rosa' : random.pick(['osd', 'rosa']),
      });
      if (orgLabelled.has(orgId)) {
        labelled++;
        continue;
      }
      const sub = (key: string, value: string) =>
        label(env, { key, value, type: 'Subscription', subscription_id: subscriptionId });
      const pairs = disallowed
        ? tenantIds.flatMap((t) =>
            specNames.map((s) => ({ tenant: config.tenants.get(t)!, spec: config.tokenSpecs.get(s)! })),
          )
        : allowedPairs(config, orgId);
      if (pairs.length === 0) continue;
      labelled++;
      const first = random.pick(pairs);
      if (random.chance(d.mislabelledShare)) {
        const kind = random.int(3);
        if (kind === 0) sub('sre-capabilities.dtp.v3.main.tenant', 'unknown00');
        else sub('sre-capabilities.dtp.v3.main.tenant', first.tenant.environmentId);
        sub(
          'sre-capabilities.dtp.v3.main.token-spec',
          kind === 1 ? 'no-such-spec' : kind === 2 ? 'bad value!' : first.spec.name,
        );
        continue;
      }
      if (random.chance(d.v2Share)) {
        sub('sre-capabilities.dtp.v2.tenant', first.tenant.environmentId);
        sub('sre-capabilities.dtp.v2.token-spec', first.spec.name);
        continue;
      }
      sub('sre-capabilities.dtp.v3.main.tenant', first.tenant.environmentId);
      sub('sre-capabilities.dtp.v3.main.token-spec', first.spec.name);
      if (random.chance(d.multiBindingShare)) {
        const second = pairs.find(
          (p) => p.spec.name !== first.spec.name && secretsDisjoint(p.spec, first.spec),
        );
        if (second) {
          sub('sre-capabilities.dtp.v3.extra.tenant', second.tenant.environmentId);
          sub('sre-capabilities.dtp.v3.extra.token-spec', second.spec.name);
        }
      }
    }
    next = end;
  };
  grow(d.clusters);
  // Clusters without any dtp label: discovery must not even list them.
  for (let i = 0; i < Math.ceil(d.clusters / 10) && environments.length > 0; i++) {
    const env = environments[i % environments.length]!;
    const subscriptionId = random.string(27, OCM_ID);
    const clusterId = random.string(32, OCM_ID);
    const state = ocm.env(env);
    const orgId = [...state.organizations.keys()][0] ?? 'unknown-org';
    state.subscriptions.set(subscriptionId, {
      id: subscriptionId,
      organization_id: orgId,
      cluster_id: clusterId,
      status: 'Active',
    });
    state.clusters.set(clusterId, {
      id: clusterId,
      external_id: random.uuid(),
      name: `${env.slice(0, 4)}-unlabelled-${i}`,
      state: 'ready',
      managed: true,
      hcp: false,
      subscriptionId,
      product: 'osd',
    });
  }
  return {
    clusters: d.clusters,
    get labelled() {
      return labelled;
    },
    credentials,
    grow,
  };
}

export interface FleetConfigShape {
  environments?: number;
  tenants?: number;
  organizations?: number;
  /** Lifetime of the tokens of the `default` spec (`maxAge`, `rotateAfter`, `rotationGrace`), e.g. `{ maxAge: '2h' }`. */
  tokenLifetime?: { maxAge: string; rotateAfter?: string; rotationGrace?: string };
}

/**
 * Writes a valid `tenants/`-style configuration of the given size (for tests and the benchmark): every
 * organization may use every tenant of its environment, and the two token specs of the shipped examples.
 */
export function writeFleetConfig(dir: string, shape: FleetConfigShape = {}): void {
  const envCount = shape.environments ?? 2;
  const tenantCount = shape.tenants ?? 3;
  const orgCount = shape.organizations ?? 4;
  mkdirSync(dir, { recursive: true });
  const envs = Array.from({ length: envCount }, (_, i) =>
    i === 0 ? 'production' : i === 1 ? 'stage' : `env${i}`,
  );
  const orgs = Array.from({ length: orgCount }, (_, i) => ({
    id: `allowed${String(i).padStart(3, '0')}${'x'.repeat(17)}`,
    env: envs[i % envs.length],
  }));
  const tenants = Array.from({ length: tenantCount }, (_, i) => `sbx${String(i).padStart(5, '0')}`);
  const doc = (kind: string, name: string, spec: string) =>
    `apiVersion: dtp/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
  writeFileSync(
    join(dir, 'ocm-environments.yaml'),
    envs
      .map((env, i) =>
        doc(
          'OcmEnvironment',
          env,
          `  apiUrl: https://${OCM_API_HOSTS[i % OCM_API_HOSTS.length]}\n  ssoTokenUrl: https://${OCM_SSO_HOSTS[i % OCM_SSO_HOSTS.length]}/auth/realms/redhat-external/protocol/openid-connect/token\n  credentials:\n    mount: app-sre\n    path: creds/ocm/${env}/dtp\n` +
            (i % 2 === 0
              ? '    clientIdField: client_id\n    clientSecretField: client_secret\n'
              : '    version: 2\n    offlineTokenField: offline_token\n'),
        ),
      )
      .join('---\n'),
  );
  writeFileSync(
    join(dir, 'organizations.yaml'),
    orgs
      .map((o, i) =>
        doc(
          'AllowedOrganization',
          `org-${i}`,
          `  organizationId: ${o.id}\n  displayName: Organization ${i}\n  ocmEnvironment: ${o.env}\n  contacts:\n    - name: Owner ${i}\n      email: owner${i}@example.com\n`,
        ),
      )
      .join('---\n'),
  );
  writeFileSync(
    join(dir, 'tenants.yaml'),
    tenants
      .map((t, i) =>
        doc(
          'DynatraceTenant',
          `tenant-${i}`,
          `  environmentId: ${t}\n  environmentUrl: https://${t}.live.dynatrace.com\n  bootstrapToken:\n    mount: app-sre\n    path: creds/dynatrace/bootstrap/${t}\n    field: token\n` +
            `  allowedOrganizations:\n${orgs.map((o) => `    - ${o.id}\n`).join('')}  owners:\n    - name: Tenant owner\n      email: sre@example.com\n`,
        ),
      )
      .join('---\n'),
  );
  const orgList = orgs.map((o) => `    - ${o.id}\n`).join('');
  const lifetime = Object.entries(shape.tokenLifetime ?? {})
    .map(([k, v]) => `          ${k}: ${v}\n`)
    .join('');
  writeFileSync(
    join(dir, 'token-specs.yaml'),
    doc(
      'TokenSpec',
      'default',
      `  description: Tokens the Dynatrace Operator needs\n  ocm_org_ids:\n${orgList}  secrets:\n    - name: dynatrace-token-dtp\n      namespace: dynatrace\n      tokens:\n` +
        `        - name: operator\n          keyNameInSecret: apiToken\n          scopes: [activeGateTokenManagement.create, DataExport, InstallerDownload, settings.read, settings.write]\n` +
        lifetime +
        `        - name: ingest\n          keyNameInSecret: dataIngestToken\n          scopes: [metrics.ingest, logs.ingest, openTelemetryTrace.ingest]\n` +
        lifetime +
        `  acknowledgedScopes:\n` +
        [
          'activeGateTokenManagement.create',
          'DataExport',
          'InstallerDownload',
          'settings.read',
          'settings.write',
        ]
          .map((scope) => `    - {scope: ${scope}, reason: The Dynatrace Operator needs it.}\n`)
          .join(''),
    ) +
      '---\n' +
      doc(
        'TokenSpec',
        'otel-collector',
        `  description: OTLP export from the cluster's collector\n  ocm_org_ids:\n${orgList}  secrets:\n    - name: dynatrace-otlp-token\n      namespace: openshift-opentelemetry\n      tokens:\n        - name: otlp\n          keyNameInSecret: token\n          scopes: [openTelemetryTrace.ingest, metrics.ingest, logs.ingest]\n`,
      ),
  );
}
