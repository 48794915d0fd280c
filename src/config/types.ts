/**
 * The validated configuration: what `tenants/` says, after schema and cross-file checks. Every object
 * remembers where it was written so later errors (a label naming an unknown spec, a denied binding) can
 * point at the YAML that decides it.
 *
 * The YAML documents are Kubernetes-style: `apiVersion: dtp/v1`, `kind`, `metadata.name`, `spec`.
 * Several documents per file are allowed. The kinds and their YAML shape:
 *
 *   kind: DynatraceTenant        spec: environmentId, environmentUrl, bootstrapToken{mount,path,field,version?},
 *                                      allowedOrganizations[] (OCM org ids), owners[{name,email?,slack?}]
 *   kind: TokenSpec              spec: description, ocm_org_ids[], secrets[{name, namespace,
 *                                      tokens[{name (≤46), keyNameInSecret?, scopes[]}]}]
 *                                (the reference implementation's token spec; metadata.name is its name)
 *   kind: AllowedOrganization    spec: organizationId, displayName, contacts[], tenants[]?, tokenSpecs[]?,
 *                                      ocmEnvironment?
 *   kind: OcmEnvironment         spec: apiUrl, ssoTokenUrl, credentials{mount, path, version?,
 *                                      clientIdField + clientSecretField | offlineTokenField}
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
  source: SourceLocation;
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
