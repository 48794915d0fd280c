/**
 * Builders for the planner's mutation tests: one cluster, one tenant, a token spec given directly (no label
 * resolution), so each test states only the delivered Secrets and live tokens its rule is about.
 */
import type { DynatraceToken } from '../../src/clients/api.js';
import type { DynatraceTenant, TokenSpec } from '../../src/config/types.js';
import type { ClusterPlan, Cluster, ObservedDelivery } from '../../src/reconcile/model.js';
import { V2_SPEC_LABEL, V2_TENANT_LABEL } from '../../src/reconcile/naming.js';
import { desiredSecrets, planCluster, TenantTokens, type EligibleBinding } from '../../src/reconcile/plan.js';
import type { ClusterRotation } from '../../src/reconcile/rotation-plan.js';
import {
  cluster,
  defaultSpec,
  INGEST_SCOPES,
  liveToken,
  OPERATOR_SCOPES,
  tenant,
  v2,
} from '../reconcile/fixtures.js';
import { TENANT_A } from '../fixtures/domain.js';

export const NOW = new Date('2026-11-22T12:00:00Z');
export const TENANT = TENANT_A;
export const API_URL = `https://${TENANT}.live.dynatrace.com/api`;
export const NS = 'dynatrace';
export const SECRET = 'dynatrace-token-dtp';
/** `namespace/name` of the default spec's Secret, as it appears in delivery reasons. */
export const SECRET_ID = `${NS}/${SECRET}`;

export function eligible(spec: TokenSpec, t: DynatraceTenant = tenant(TENANT)): EligibleBinding {
  return {
    binding: {
      key: 'v2',
      tenantId: t.environmentId,
      specName: spec.name,
      tenantLabel: V2_TENANT_LABEL,
      specLabel: V2_SPEC_LABEL,
    },
    tenant: t,
    spec,
  };
}

export interface PlanCase {
  spec?: TokenSpec;
  observed?: ObservedDelivery;
  /** The tenant's live dtp_ tokens; `null`: the tenant could not be read this run. */
  live: DynatraceToken[] | null;
  rotation?: ClusterRotation;
}

export function plan(c: Cluster, k: PlanCase): ClusterPlan {
  const tokens = new Map<string, TenantTokens>();
  if (k.live !== null) tokens.set(TENANT, TenantTokens.of(k.live));
  return planCluster({
    cluster: c,
    desired: desiredSecrets(c, [eligible(k.spec ?? defaultSpec())]),
    observed: k.observed,
    tokens,
    now: NOW,
    ...(k.rotation ? { rotation: k.rotation } : {}),
  });
}

/** Per planned token, in order: `existing:<id>` or `mint:<reason>`. */
export function sources(p: ClusterPlan): string[] {
  return p.secrets.flatMap((s) =>
    s.tokens.map((t) => (t.source.kind === 'mint' ? `mint:${t.source.reason}` : `existing:${t.source.id}`)),
  );
}

/** The reference state every planner rule starts from: a v2-labelled cluster and its two live tokens. */
export type LiveToken = ReturnType<typeof liveToken>;

export function referenceCluster(): { c: Cluster; operator: LiveToken; ingest: LiveToken } {
  const c = cluster(v2(TENANT));
  return {
    c,
    operator: liveToken('operator', c.externalId, OPERATOR_SCOPES),
    ingest: liveToken('ingest', c.externalId, INGEST_SCOPES),
  };
}
