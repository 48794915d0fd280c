/**
 * What the reconcile engine needs from each remote system. The clients in this folder implement these
 * against the real APIs over the shared HTTP layer; tests of the engine may use in-memory fakes.
 * Wire details (paths, paging, auth, error bodies) stay inside the clients.
 */
import type { Secret } from '../secret.js';

// ---------------------------------------------------------------------------------------------- OCM

export interface OcmLabel {
  key: string;
  value: string;
  /** `Subscription` labels carry `subscriptionId`, `Organization` labels carry `organizationId`. */
  type: 'Subscription' | 'Organization' | 'Account';
  subscriptionId?: string;
  organizationId?: string;
}

export interface OcmSubscription {
  id: string;
  organizationId: string;
  /** OCM cluster id (clusters_mgmt), when the subscription has a cluster. */
  clusterId?: string;
  /** The cluster's external id (UUID), as recorded on the subscription. */
  externalClusterId?: string;
  /** `Active`, `Reserved`, `Deprovisioned`, ... */
  status: string;
}

export interface OcmCluster {
  id: string;
  /** The cluster UUID; part of every token name. */
  externalId: string;
  name: string;
  subscriptionId: string;
  /** `ready`, `installing`, `hibernating`, `uninstalling`, ... */
  state: string;
  managed: boolean;
  /** `hypershift.enabled`: a hosted-control-plane cluster gets a Manifest instead of a SyncSet. */
  hostedControlPlane: boolean;
  productId?: string;
}

export type DeliveryKind = 'SyncSet' | 'Manifest';

/** The delivery object as OCM stores it: `resources` of a SyncSet or `workloads` of a Manifest. */
export interface DeliveryObjectWire {
  kind: DeliveryKind;
  id: string;
  /** Kubernetes objects, as JSON. Secrets in here carry base64 token values: never log them. */
  items: unknown[];
}

export interface ServiceLogEntry {
  clusterUuid: string;
  serviceName: string;
  summary: string;
  description: string;
  /** The service_logs `Severity` enum. */
  severity:
    | 'Critical'
    | 'Debug'
    | 'Error'
    | 'Fatal'
    | 'Important'
    | 'Info'
    | 'Low'
    | 'Major'
    | 'Moderate'
    | 'Warning';
  /** ISO timestamp, on entries read back. */
  timestamp?: string;
}

export interface OcmClient {
  /** The OCM environment's name from the configuration. */
  readonly environment: string;
  /** Every label whose key matches the SQL `like` pattern, all pages. */
  listLabels(keyLike: string): Promise<OcmLabel[]>;
  /** Active or Reserved subscriptions with one of these ids or in one of these organizations. */
  listSubscriptions(query: { ids: string[]; organizationIds: string[] }): Promise<OcmSubscription[]>;
  /** Clusters of these subscriptions, in any state (the caller filters); at most 100 ids per request. */
  listClusters(subscriptionIds: string[]): Promise<OcmCluster[]>;
  /**
   * Clusters by external id, in any state. Optional: the engine uses it to find the delivery object of a
   * cluster whose dtp labels were removed (known then only from its tokens' names) before revoking them.
   */
  findClusters?(externalIds: string[]): Promise<OcmCluster[]>;
  /** The delivery object `id` of the cluster, or undefined when it does not exist (404). */
  getDelivery(clusterId: string, kind: DeliveryKind, id: string): Promise<DeliveryObjectWire | undefined>;
  createDelivery(clusterId: string, object: DeliveryObjectWire): Promise<void>;
  /** Replaces the object's resources/workloads. */
  patchDelivery(clusterId: string, object: DeliveryObjectWire): Promise<void>;
  deleteDelivery(clusterId: string, kind: DeliveryKind, id: string): Promise<void>;
  /** Service logs of the cluster (by external id) newer than `since`, for de-duplication. */
  listServiceLogs(clusterUuid: string, since: Date): Promise<ServiceLogEntry[]>;
  createServiceLog(entry: ServiceLogEntry): Promise<void>;
}

// ---------------------------------------------------------------------------------------- Dynatrace

export interface DynatraceToken {
  /** `dt0c01.<public part>`. */
  id: string;
  name: string;
  scopes: string[];
  enabled: boolean;
  /** ISO timestamp, when the token expires. */
  expirationDate?: string;
  /** ISO timestamps (listed with `fields`), when Dynatrace reports them. */
  creationDate?: string;
  lastUsedDate?: string;
}

export interface CreatedToken {
  id: string;
  /** The token value: shown once by Dynatrace, lost if not delivered. */
  token: Secret;
  expirationDate?: string;
}

export interface DynatraceClient {
  /** The environment id. */
  readonly tenantId: string;
  /** Every token whose name starts with `prefix` (listed with the name selector, filtered again here). */
  listTokens(prefix: string): Promise<DynatraceToken[]>;
  /**
   * Mints a token. A `201` that lacks `id` or `token`, or a request whose answer never arrived after the
   * request may have been applied, throws an `OutcomeUnknownError` (errors.ts): the caller must find the
   * token by its exact name and revoke it before it retries or gives up.
   */
  createToken(request: { name: string; scopes: string[]; expirationDate?: string }): Promise<CreatedToken>;
  /** One token by id (`GET /apiTokens/{id}`), or undefined when Dynatrace answers 404. */
  getToken(id: string): Promise<DynatraceToken | undefined>;
  /** Replaces name and scopes; the value does not change. */
  updateToken(id: string, update: { name: string; scopes: string[] }): Promise<void>;
  /** Deletes the token; `absent` when it was already gone (404). */
  deleteToken(id: string): Promise<'deleted' | 'absent'>;
}

// -------------------------------------------------------------------------------------------- Vault

export interface VaultClient {
  /** Logs in with the configured method (no-op for a plain token). */
  login(): Promise<void>;
  /** A KV v2 secret: every field of `data.data`, each wrapped. */
  readKv(ref: { mount: string; path: string; version?: number }): Promise<Record<string, Secret>>;
  /** Revokes the token dtp logged in for (`auth/token/revoke-self`); absent or a no-op for a given token. */
  revokeSelf?(): Promise<void>;
}
