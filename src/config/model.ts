/**
 * Schema-valid documents → the typed model of types.ts. The YAML shapes are declared here once; the schema
 * has already guaranteed them, so building is plain copying plus normalisation (URLs lose a trailing `/`).
 */
import { DEFAULT_ROTATION_GRACE_MS, defaultRotateAfter } from './lifetime.js';
import { parseDuration } from './duration.js';
import type { ConfigDocument } from './problems.js';
import { scopeClass } from './scopes.js';
import type {
  AcknowledgedScope,
  AllowedOrganization,
  Contact,
  DynatraceTenant,
  Kind,
  OcmCredentials,
  OcmEnvironment,
  TokenLifetime,
  TokenSpec,
  VaultSecretRef,
} from './types.js';

interface Document<Spec> {
  metadata: { name: string };
  spec: Spec;
}

interface TenantSpec {
  environmentId: string;
  environmentUrl: string;
  bootstrapToken: VaultSecretRef;
  planToken?: VaultSecretRef;
  allowedOrganizations: string[];
  owners: Contact[];
}

interface TokenEntrySpec {
  name: string;
  keyNameInSecret?: string;
  scopes: string[];
  maxAge?: string;
  rotateAfter?: string;
  rotationGrace?: string;
}

interface TokenSpecSpec {
  description: string;
  ocm_org_ids: string[];
  secrets: { name: string; namespace: string; tokens: TokenEntrySpec[] }[];
  acknowledgedScopes?: AcknowledgedScope[];
}

interface OrganizationSpec {
  organizationId: string;
  displayName: string;
  ocmEnvironment?: string;
  contacts: Contact[];
  tenants?: string[];
  tokenSpecs?: string[];
}

interface CredentialsSpec {
  mount: string;
  path: string;
  version?: number;
  clientIdField?: string;
  clientSecretField?: string;
  offlineTokenField?: string;
}

interface OcmEnvironmentSpec {
  apiUrl: string;
  ssoTokenUrl: string;
  credentials: CredentialsSpec;
  planCredentials?: CredentialsSpec;
}

export type Definition =
  | { kind: 'DynatraceTenant'; object: DynatraceTenant }
  | { kind: 'TokenSpec'; object: TokenSpec }
  | { kind: 'AllowedOrganization'; object: AllowedOrganization }
  | { kind: 'OcmEnvironment'; object: OcmEnvironment };

/** The typed object of a schema-valid document. */
export function define(kind: Kind, doc: ConfigDocument): Definition {
  const source = doc.start;
  switch (kind) {
    case 'DynatraceTenant': {
      const { metadata, spec } = doc.value as Document<TenantSpec>;
      return {
        kind,
        object: {
          name: metadata.name,
          environmentId: spec.environmentId,
          environmentUrl: withoutTrailingSlash(spec.environmentUrl),
          bootstrapToken: vaultRef(spec.bootstrapToken),
          ...(spec.planToken ? { planToken: vaultRef(spec.planToken) } : {}),
          allowedOrganizations: [...spec.allowedOrganizations],
          owners: spec.owners.map(contact),
          source,
        },
      };
    }
    case 'TokenSpec': {
      const { metadata, spec } = doc.value as Document<TokenSpecSpec>;
      return {
        kind,
        object: {
          name: metadata.name,
          description: spec.description,
          ocmOrgIds: [...spec.ocm_org_ids],
          secrets: spec.secrets.map((s) => ({
            name: s.name,
            namespace: s.namespace,
            tokens: s.tokens.map((t) => ({
              name: t.name,
              ...(t.keyNameInSecret !== undefined ? { keyNameInSecret: t.keyNameInSecret } : {}),
              scopes: [...t.scopes],
              ...lifetimeOf(t),
            })),
          })),
          ...(spec.acknowledgedScopes
            ? {
                acknowledgedScopes: spec.acknowledgedScopes.map((a) => ({
                  scope: a.scope,
                  reason: a.reason,
                })),
              }
            : {}),
          elevatedScopes: elevatedScopesOf(spec.secrets),
          source,
        },
      };
    }
    case 'AllowedOrganization': {
      const { metadata, spec } = doc.value as Document<OrganizationSpec>;
      return {
        kind,
        object: {
          name: metadata.name,
          organizationId: spec.organizationId,
          displayName: spec.displayName,
          contacts: spec.contacts.map(contact),
          ...(spec.tenants ? { tenants: [...spec.tenants] } : {}),
          ...(spec.tokenSpecs ? { tokenSpecs: [...spec.tokenSpecs] } : {}),
          ...(spec.ocmEnvironment !== undefined ? { ocmEnvironment: spec.ocmEnvironment } : {}),
          source,
        },
      };
    }
    case 'OcmEnvironment': {
      const { metadata, spec } = doc.value as Document<OcmEnvironmentSpec>;
      return {
        kind,
        object: {
          name: metadata.name,
          apiUrl: withoutTrailingSlash(spec.apiUrl),
          ssoTokenUrl: withoutTrailingSlash(spec.ssoTokenUrl),
          credentials: credentials(spec.credentials),
          ...(spec.planCredentials ? { planCredentials: credentials(spec.planCredentials) } : {}),
          source,
        },
      };
    }
  }
}

function credentials(c: CredentialsSpec): OcmCredentials {
  const secret = { mount: c.mount, path: c.path, ...(c.version !== undefined ? { version: c.version } : {}) };
  // The schema allows exactly one of the two shapes.
  if (c.offlineTokenField !== undefined) {
    return { grant: 'refresh_token', secret, offlineTokenField: c.offlineTokenField };
  }
  return {
    grant: 'client_credentials',
    secret,
    clientIdField: c.clientIdField!,
    clientSecretField: c.clientSecretField!,
  };
}

/**
 * The entry's lifetime with its defaults. Ranges are the rules' business (rules/token-lifetime.ts): a
 * configuration with a value out of range never reaches the engine.
 */
function lifetimeOf(t: TokenEntrySpec): { lifetime?: TokenLifetime } {
  const maxAgeMs = t.maxAge === undefined ? undefined : parseDuration(t.maxAge);
  if (maxAgeMs === undefined) return {};
  const rotateAfterMs = t.rotateAfter === undefined ? undefined : parseDuration(t.rotateAfter);
  const rotationGraceMs = t.rotationGrace === undefined ? undefined : parseDuration(t.rotationGrace);
  return {
    lifetime: {
      maxAgeMs,
      rotateAfterMs: rotateAfterMs ?? defaultRotateAfter(maxAgeMs),
      rotationGraceMs: rotationGraceMs ?? DEFAULT_ROTATION_GRACE_MS,
    },
  };
}

function elevatedScopesOf(secrets: TokenSpec['secrets']): string[] {
  const scopes = secrets.flatMap((s) => s.tokens.flatMap((t) => t.scopes));
  return [...new Set(scopes)].filter((scope) => scopeClass(scope)?.grade === 'elevated').sort();
}

function vaultRef(ref: VaultSecretRef): VaultSecretRef {
  return {
    mount: ref.mount,
    path: ref.path,
    field: ref.field,
    ...(ref.version !== undefined ? { version: ref.version } : {}),
  };
}

function contact(c: Contact): Contact {
  return {
    name: c.name,
    ...(c.email !== undefined ? { email: c.email } : {}),
    ...(c.slack !== undefined ? { slack: c.slack } : {}),
  };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
