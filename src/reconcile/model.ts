/**
 * The engine's words: a cluster found in OCM, its bindings (tenant + token spec, from labels), why a binding
 * was denied, and the typed actions the planner returns. The same words appear in the report and summary.
 */
import type { DeliveryKind, DynatraceToken } from '../clients/api.js';
import type { TokenLifetime } from '../config/types.js';
import type { RetireProof } from './rotation.js';
import type { Secret } from '../secret.js';

export interface Cluster {
  ocmEnvironment: string;
  /** OCM cluster id (clusters_mgmt). */
  id: string;
  /** The cluster UUID, part of every token name. */
  externalId: string;
  name: string;
  organizationId: string;
  subscriptionId: string;
  hostedControlPlane: boolean;
  state: string;
  managed: boolean;
  /** The cluster's `sre-capabilities.dtp.*` labels: organization labels overlaid by subscription labels. */
  labels: Record<string, string>;
}

export function deliveryKindOf(cluster: Pick<Cluster, 'hostedControlPlane'>): DeliveryKind {
  return cluster.hostedControlPlane ? 'Manifest' : 'SyncSet';
}

/** A cluster in reports: enough to find it in OCM without repeating everything. */
export interface ClusterRef {
  ocmEnvironment: string;
  id: string;
  externalId: string;
  name: string;
  organizationId: string;
}

export function clusterRef(cluster: Cluster): ClusterRef {
  return {
    ocmEnvironment: cluster.ocmEnvironment,
    id: cluster.id,
    externalId: cluster.externalId,
    name: cluster.name,
    organizationId: cluster.organizationId,
  };
}

/** A (tenant, token spec) pair a cluster asks for through its labels. Values are untrusted input. */
export interface Binding {
  /** `v3.<binding name>` or `v2`. */
  key: string;
  tenantId: string;
  specName: string;
  /** The label keys the values came from, for messages. */
  tenantLabel: string;
  specLabel: string;
}

export type DenialCode =
  | 'malformed-label'
  | 'unknown-tenant'
  | 'unknown-spec'
  | 'org-not-allowed'
  | 'org-wrong-environment'
  | 'tenant-denies-org'
  | 'spec-denies-org'
  | 'org-excludes-tenant'
  | 'org-excludes-spec'
  | 'secret-conflict';

/** Why a binding (or a label that was meant to be one) gets nothing. Reported, never paged. */
export interface Denial {
  /** The binding key, when the label could be read as one. */
  binding?: string;
  /** The label key concerned. */
  label: string;
  code: DenialCode;
  reason: string;
  /** The tenant and token spec the binding names (label values), when it could be read: which YAML decides. */
  tenantId?: string;
  specName?: string;
}

// -------------------------------------------------------------------------- desired and observed state

/** One token a cluster should hold: a `tokens[]` entry of a token spec secret. */
export interface DesiredToken {
  /** Key of the value in the Secret (`keyNameInSecret ?? name`); the id goes under `<key>Id`. */
  key: string;
  specTokenName: string;
  scopes: string[];
  /** `dtp_<name>_<externalId>_<scopesHash>`. */
  expectedName: string;
  /** The spec entry's `maxAge` and rotation; absent: minted without expiry, never rotated. */
  lifetime?: TokenLifetime;
}

/** One Kubernetes Secret a cluster should hold, from one binding's token spec. */
export interface DesiredSecret {
  binding: string;
  tenantId: string;
  specName: string;
  namespace: string;
  name: string;
  /** `<environmentUrl>/api` from the configuration. */
  apiUrl: string;
  tokens: DesiredToken[];
}

/** A Secret found in the cluster's delivery object, values decoded and wrapped. */
export interface DeliveredSecret {
  namespace: string;
  name: string;
  data: Map<string, Secret>;
}

export interface ObservedDelivery {
  kind: DeliveryKind;
  secrets: DeliveredSecret[];
  /** Objects in the delivery object that are not Secrets (dtp owns the object; they are dropped on patch). */
  otherItems: number;
}

// ------------------------------------------------------------------------------------------ the plan

/** `copied`: the delivered token is named for another cluster (a copied Secret); it stays that cluster's. */
export type MintReason = 'new' | 'revoked' | 'disabled' | 'expired' | 'unreadable' | 'copied' | 'rotation';

/** Where a token value in the planned Secret comes from. */
export type TokenSource =
  | { kind: 'existing'; id: string; value: Secret; movedFrom?: string }
  | {
      kind: 'mint';
      reason: MintReason;
      /** The delivered token it replaces; after a `rotation` that one is kept until pickup is proven. */
      replaces?: string;
      /** `expirationDate` sent with the mint (plan time + maxAge), for entries with a lifetime. */
      expiresAt?: string;
    };

export interface PlannedToken extends DesiredToken {
  tenantId: string;
  source: TokenSource;
  /** Name or scope drift of an existing token: fixed in place with PUT, the value stays. */
  update?: { id: string; fromName: string; fromScopes: string[] };
}

export interface PlannedSecret {
  namespace: string;
  name: string;
  tenantId: string;
  binding: string;
  specName: string;
  apiUrl: string;
  tokens: PlannedToken[];
  /** A Secret of a tenant that could not be read this run: kept exactly as delivered. */
  carriedOver?: DeliveredSecret;
}

export type RevokeReason = 'superseded' | 'disabled' | 'expired' | 'orphan' | 'binding-removed' | 'rotated';

export interface PlannedRevoke {
  tenantId: string;
  id: string;
  name: string;
  reason: RevokeReason;
  /** For `rotated`: the successor was used (`pickup`), `rotationGrace` passed (`grace`), or it had `expired`. */
  proof?: RetireProof;
}

export interface ClusterPlan {
  cluster: ClusterRef;
  kind: DeliveryKind;
  /** What happens to the delivery object. */
  delivery: 'create' | 'patch' | 'none';
  /** Why the delivery object changes, in words, for the summary. */
  deliveryReasons: string[];
  secrets: PlannedSecret[];
  /** Revoked only after the delivery is confirmed, so a cluster never loses a working token to a failed write. */
  revokes: PlannedRevoke[];
}

export function isNoop(plan: ClusterPlan): boolean {
  return (
    plan.delivery === 'none' &&
    plan.revokes.length === 0 &&
    plan.secrets.every((s) => s.tokens.every((t) => t.source.kind === 'existing' && !t.update))
  );
}

export type { DynatraceToken };
