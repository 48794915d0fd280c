/**
 * The validated configuration: what `tenants/` says, after schema and cross-file checks. Every object
 * remembers where it was written so later errors (a label naming an unknown spec, a denied binding) can
 * point at the YAML that decides it.
 *
 * The YAML documents are Kubernetes-style: `apiVersion: dtp/v1`, `kind`, `metadata.name`, `spec`.
 * Several documents per file are allowed. The kinds and their YAML shape:
 *
 *   kind: DynatraceTenant        spec: environmentId, environmentUrl, bootstrapToken{mount,path,field,version?}, planToken?,
 *                                      allowedOrganizations[] (OCM org ids), owners[{name,email?,slack?}]
 *   kind: TokenSpec              spec: description, ocm_org_ids[], secrets[{name, namespace,
 *                                      tokens[{name (≤46), keyNameInSecret?, scopes[], maxAge?,
 *                                      rotateAfter?, rotationGrace?}]}],
 *                                      acknowledgedScopes[{scope, reason}]?
 *                                (the reference implementation's token spec; metadata.name is its name)
 *   kind: AllowedOrganization    spec: organizationId, displayName, contacts[], tenants[]?, tokenSpecs[]?,
 *                                      ocmEnvironment?
 *   kind: OcmEnvironment         spec: apiUrl, ssoTokenUrl, credentials{mount, path, version?,
 *                                      clientIdField + clientSecretField | offlineTokenField}, planCredentials?
 */

export const API_VERSION = 'dtp/v1';

export const KINDS = ['DynatraceTenant', 'TokenSpec', 'AllowedOrganization', 'OcmEnvironment'] as const;
export type Kind = (typeof KINDS)[number];

/** Where a document (or one of its fields) was written. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A KV v2 secret in Vault: `GET /v1/<mount>/data/<path>[?version=N]`, value at `data.data[field]`. */
export interface VaultSecretRef {
  mount: string;
  path: string;
  field: string;
  /** Pin a KV v2 version; the latest when absent. */
  version?: number;
}

export interface Contact {
  name: string;
  email?: string;
  slack?: string;
}

export interface DynatraceTenant {
  /** metadata.name: a human name, unique. */
  name: string;
  /** The Dynatrace environment id, the value of the `...tenant` cluster label; first DNS label of the URL. */
  environmentId: string;
  /** Public environment URL, `https://<id>.live.dynatrace.com` (no trailing slash, no `/api`). */
  environmentUrl: string;
  bootstrapToken: VaultSecretRef;
  /**
   * A token with `apiTokens.read` only, read instead of the bootstrap token in plan mode (src/credentials.ts),
   * so the plan job's Vault role need not reach the bootstrap token.
   */
  planToken?: VaultSecretRef;
  /** OCM organization ids that may bind clusters to this tenant. */
  allowedOrganizations: string[];
  owners: Contact[];
  source: SourceLocation;
}

export interface TokenSpecToken {
  /** Token name in the spec (≤ 46 characters); part of the Dynatrace token name. */
  name: string;
  /** Key of the token value in the Kubernetes Secret; defaults to `name`. */
  keyNameInSecret?: string;
  scopes: string[];
  /** Set when the entry has `maxAge`: its tokens expire and dtp rotates them. Absent: they never expire. */
  lifetime?: TokenLifetime;
}

/** When a token of one spec entry expires and is rotated; all in milliseconds, defaults filled in. */
export interface TokenLifetime {
  /** `maxAge`: minted tokens get `expirationDate` = mint time + this. */
  maxAgeMs: number;
  /** `rotateAfter`, default two thirds of maxAge: from this age on a successor is delivered. */
  rotateAfterMs: number;
  /** `rotationGrace`, default 24h: how long an unproven successor's predecessor is kept after delivery. */
  rotationGraceMs: number;
}

export interface TokenSpecSecret {
  name: string;
  namespace: string;
  tokens: TokenSpecToken[];
}

export interface TokenSpec {
  /** metadata.name: the value of the `...token-spec` cluster label. */
  name: string;
  description: string;
  /** OCM organization ids allowed to use this spec (the reference implementation's `ocm_org_ids`). */
  ocmOrgIds: string[];
  secrets: TokenSpecSecret[];
  /** Elevated scopes the spec's authors acknowledged, each with why the clusters need it. */
  acknowledgedScopes?: AcknowledgedScope[];
  /** The elevated scopes this spec's tokens carry, sorted: what the summary and the PR plan show. */
  elevatedScopes?: string[];
  source: SourceLocation;
}

export interface AcknowledgedScope {
  scope: string;
  reason: string;
}

export interface AllowedOrganization {
  /** metadata.name: a human name, unique. */
  name: string;
  /** The OCM organization id. */
  organizationId: string;
  displayName: string;
  contacts: Contact[];
  /** Environment ids of the tenants this organization may use; every tenant that allows it when absent. */
  tenants?: string[];
  /** Token spec names this organization may use; every spec that lists it when absent. */
  tokenSpecs?: string[];
  /** Name of the OCM environment the organization lives in; any when absent. */
  ocmEnvironment?: string;
  source: SourceLocation;
}

export type OcmCredentials =
  | {
      /** `grant_type=client_credentials` with a service account. */
      grant: 'client_credentials';
      secret: Omit<VaultSecretRef, 'field'>;
      clientIdField: string;
      clientSecretField: string;
    }
  | {
      /** `grant_type=refresh_token` with an offline token and `client_id=cloud-services`. */
      grant: 'refresh_token';
      secret: Omit<VaultSecretRef, 'field'>;
      offlineTokenField: string;
    };

export interface OcmEnvironment {
  /** metadata.name, e.g. `production`; used in reports and in endpoint override templates (`{environment}`). */
  name: string;
  /** `https://api.openshift.com` (no trailing slash). */
  apiUrl: string;
  ssoTokenUrl: string;
  credentials: OcmCredentials;
  /** Read-only credentials used instead of `credentials` in plan mode (src/credentials.ts). */
  planCredentials?: OcmCredentials;
  source: SourceLocation;
}

export interface Config {
  /** By environment id. */
  tenants: Map<string, DynatraceTenant>;
  /** By name. */
  tokenSpecs: Map<string, TokenSpec>;
  /** By OCM organization id. */
  organizations: Map<string, AllowedOrganization>;
  /** By name. */
  ocmEnvironments: Map<string, OcmEnvironment>;
  /** The files that were read, relative paths. */
  files: string[];
}

/** `keyNameInSecret ?? name`: the key of a token's value in the Secret (its id is under `<key>Id`). */
export function secretKeyOf(token: TokenSpecToken): string {
  return token.keyNameInSecret ?? token.name;
}
