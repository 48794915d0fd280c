import { describe, expect, it } from 'vitest';
import { resolveBindings } from '../../src/reconcile/eligibility.js';
import { isNoop, type ClusterPlan, type Cluster, type ObservedDelivery } from '../../src/reconcile/model.js';
import { desiredSecrets, planCluster, type TenantTokens } from '../../src/reconcile/plan.js';
import { tokenName } from '../../src/reconcile/naming.js';
import type { Config } from '../../src/config/types.js';
import {
  cluster,
  config,
  defaultSpec,
  deliveredSecret,
  INGEST_SCOPES,
  liveToken,
  observed,
  OPERATOR_SCOPES,
  tenant,
  tokenMap,
  v2,
} from './fixtures.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const TENANT = 'abc12345';
const API_URL = `https://${TENANT}.live.dynatrace.com/api`;

function planFor(
  c: Cluster,
  cfg: Config,
  obs: ObservedDelivery | undefined,
  tokens: Record<string, TenantTokens>,
): ClusterPlan {
  const { eligible } = resolveBindings(c, cfg);
  return planCluster({
    cluster: c,
    desired: desiredSecrets(c, eligible),
    observed: obs,
    tokens: new Map(Object.entries(tokens)),
    now: NOW,
  });
}

/** The state the reference implementation leaves for one cluster with the default spec. */
function referenceState(c: Cluster) {
  const operator = liveToken('operator', c.externalId, OPERATOR_SCOPES);
  const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES);
  const obs = observed(
    deliveredSecret('dynatrace-token-dtp', 'dynatrace', API_URL, {
      apiToken: operator,
      dataIngestToken: ingest,
    }),
  );
  return { operator, ingest, obs };
}

const sources = (plan: ClusterPlan) =>
  plan.secrets.flatMap((s) =>
    s.tokens.map((t) => (t.source.kind === 'mint' ? `mint:${t.source.reason}` : 'existing')),
  );

describe('planCluster', () => {
  it('creates a SyncSet with every token of the spec for a new classic cluster', () => {
    const c = cluster(v2(TENANT));
    const plan = planFor(c, config(), undefined, { [TENANT]: tokenMap() });
    expect(plan.delivery).toBe('create');
    expect(plan.kind).toBe('SyncSet');
    expect(sources(plan)).toEqual(['mint:new', 'mint:new']);
    expect(plan.secrets[0]).toMatchObject({
      namespace: 'dynatrace',
      name: 'dynatrace-token-dtp',
      apiUrl: API_URL,
    });
    expect(plan.secrets[0]!.tokens.map((t) => t.expectedName)).toEqual([
      tokenName('operator', c.externalId, OPERATOR_SCOPES),
      tokenName('ingest', c.externalId, INGEST_SCOPES),
    ]);
  });

  it('creates a Manifest for a hosted-control-plane cluster', () => {
    const c = cluster(v2(TENANT), { hostedControlPlane: true });
    const plan = planFor(c, config(), undefined, { [TENANT]: tokenMap() });
    expect(plan.kind).toBe('Manifest');
    expect(plan.delivery).toBe('create');
  });

  it('changes nothing on a cluster left as the reference implementation leaves it', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(isNoop(plan)).toBe(true);
    expect(plan.delivery).toBe('none');
    expect(plan.revokes).toEqual([]);
  });

  it('re-mints only the revoked token and patches the delivery', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(ingest) });
    expect(plan.delivery).toBe('patch');
    expect(sources(plan)).toEqual(['mint:revoked', 'existing']);
    expect(plan.secrets[0]!.tokens[0]!.source).toMatchObject({ kind: 'mint', replaces: operator.id });
    expect(plan.revokes).toEqual([]);
  });

  it('fixes scope drift in place with an update and no redelivery', () => {
    const c = cluster(v2(TENANT));
    const oldScopes = OPERATOR_SCOPES.filter((s) => s !== 'entities.read');
    const operator = liveToken('operator', c.externalId, oldScopes);
    const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES);
    const obs = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', API_URL, {
        apiToken: operator,
        dataIngestToken: ingest,
      }),
    );
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(plan.delivery).toBe('none');
    expect(sources(plan)).toEqual(['existing', 'existing']);
    expect(plan.secrets[0]!.tokens[0]!.update).toEqual({
      id: operator.id,
      fromName: operator.name,
      fromScopes: oldScopes,
    });
    expect(plan.secrets[0]!.tokens[1]!.update).toBeUndefined();
    expect(isNoop(plan)).toBe(false);
  });

  it('also updates a token whose scopes were changed by hand while its name stayed', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const tampered = { ...operator, scopes: [...OPERATOR_SCOPES, 'ReadConfig'] };
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(tampered, ingest) });
    expect(plan.secrets[0]!.tokens[0]!.update?.fromScopes).toContain('ReadConfig');
    expect(plan.delivery).toBe('none');
  });

  it('renames a token whose spec entry was renamed, without minting', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const spec = defaultSpec();
    spec.secrets[0]!.tokens[0]!.name = 'operator-v2';
    const plan = planFor(c, config({ specs: [spec] }), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(sources(plan)).toEqual(['existing', 'existing']);
    expect(plan.secrets[0]!.tokens[0]!.update?.fromName).toBe(operator.name);
    expect(plan.secrets[0]!.tokens[0]!.expectedName).toBe(
      tokenName('operator-v2', c.externalId, OPERATOR_SCOPES),
    );
    expect(plan.delivery).toBe('none');
  });

  it('moves tokens into a renamed Secret instead of wedging or minting', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const spec = defaultSpec();
    spec.secrets[0]!.name = 'dynatrace-tokens';
    const plan = planFor(c, config({ specs: [spec] }), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(plan.delivery).toBe('patch');
    expect(sources(plan)).toEqual(['existing', 'existing']);
    expect(plan.secrets[0]!.tokens[0]!.source).toMatchObject({
      id: operator.id,
      movedFrom: 'dynatrace/dynatrace-token-dtp:apiToken',
    });
    expect(plan.deliveryReasons).toContain('Secret dynatrace/dynatrace-token-dtp is no longer wanted');
    expect(plan.revokes).toEqual([]);
  });

  it('moves a token to a renamed key', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const spec = defaultSpec();
    spec.secrets[0]!.tokens[0]!.keyNameInSecret = 'operatorToken';
    const plan = planFor(c, config({ specs: [spec] }), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(sources(plan)).toEqual(['existing', 'existing']);
    expect(plan.secrets[0]!.tokens[0]).toMatchObject({ key: 'operatorToken', source: { id: operator.id } });
    expect(plan.delivery).toBe('patch');
  });

  it('reads tokens back under `name` when keyNameInSecret is omitted', () => {
    const c = cluster(v2(TENANT));
    const spec = defaultSpec();
    for (const t of spec.secrets[0]!.tokens) delete t.keyNameInSecret;
    const operator = liveToken('operator', c.externalId, OPERATOR_SCOPES);
    const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES);
    const obs = observed(deliveredSecret('dynatrace-token-dtp', 'dynatrace', API_URL, { operator, ingest }));
    const plan = planFor(c, config({ specs: [spec] }), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(isNoop(plan)).toBe(true);
  });

  it('revokes tokens leaked by earlier failed runs once the delivery is confirmed', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const leak1 = liveToken('operator', c.externalId, OPERATOR_SCOPES);
    const leak2 = liveToken('ingest', c.externalId, INGEST_SCOPES);
    const otherCluster = liveToken('operator', '11111111-2222-4333-8444-555555555555', OPERATOR_SCOPES);
    const plan = planFor(c, config(), obs, {
      [TENANT]: tokenMap(operator, ingest, leak1, leak2, otherCluster),
    });
    expect(plan.delivery).toBe('none');
    expect(plan.revokes.map((r) => [r.id, r.reason]).sort()).toEqual(
      [
        [leak1.id, 'superseded'],
        [leak2.id, 'superseded'],
      ].sort(),
    );
  });

  it('replaces a disabled or expired token and revokes the old one', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const disabled = { ...operator, enabled: false };
    const expired = { ...ingest, expirationDate: '2026-11-01T00:00:00Z' };
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(disabled, expired) });
    expect(sources(plan)).toEqual(['mint:disabled', 'mint:expired']);
    expect(plan.revokes.map((r) => r.reason).sort()).toEqual(['disabled', 'expired']);
  });

  it('never reuses nor revokes a token that belongs to another cluster', () => {
    const c = cluster(v2(TENANT));
    const stranger = liveToken('operator', '99999999-2222-4333-8444-555555555555', OPERATOR_SCOPES);
    const ingest = liveToken('ingest', c.externalId, INGEST_SCOPES);
    const obs = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', API_URL, {
        apiToken: stranger,
        dataIngestToken: ingest,
      }),
    );
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(stranger, ingest) });
    expect(sources(plan)).toEqual(['mint:copied', 'existing']);
    expect(plan.revokes).toEqual([]);
  });

  it('writes values without surrounding whitespace, without minting', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest } = referenceState(c);
    const obs = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', API_URL, {
        apiToken: { id: operator.id, value: `${operator.value}\n` },
        dataIngestToken: ingest,
      }),
    );
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(sources(plan)).toEqual(['existing', 'existing']);
    expect(plan.delivery).toBe('patch');
    expect(
      plan.secrets[0]!.tokens[0]!.source.kind === 'existing' &&
        plan.secrets[0]!.tokens[0]!.source.value.reveal(),
    ).toBe(operator.value);
  });

  it('re-mints a token whose delivered value does not match its id', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest } = referenceState(c);
    const obs = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', API_URL, {
        apiToken: { id: operator.id, value: ingest.value },
        dataIngestToken: ingest,
      }),
    );
    const plan = planFor(c, config(), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(sources(plan)).toEqual(['mint:unreadable', 'existing']);
    expect(plan.revokes).toEqual([
      { tenantId: TENANT, id: operator.id, name: operator.name, reason: 'superseded' },
    ]);
  });

  it('patches when the configured environment URL changed', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const moved = tenant(TENANT);
    moved.environmentUrl = `https://${TENANT}.apps.dynatrace.com`;
    const plan = planFor(c, config({ tenants: [moved] }), obs, { [TENANT]: tokenMap(operator, ingest) });
    expect(plan.delivery).toBe('patch');
    expect(plan.deliveryReasons).toContain('apiUrl of dynatrace/dynatrace-token-dtp changed');
    expect(plan.secrets[0]!.apiUrl).toBe(`https://${TENANT}.apps.dynatrace.com/api`);
  });

  it('drops objects dtp does not write from its delivery object', () => {
    const c = cluster(v2(TENANT));
    const { operator, ingest, obs } = referenceState(c);
    const plan = planFor(c, config(), { ...obs, otherItems: 1 }, { [TENANT]: tokenMap(operator, ingest) });
    expect(plan.delivery).toBe('patch');
  });

  it('carries the Secret of a tenant that could not be read over unchanged', () => {
    const c = cluster(v2(TENANT));
    const { obs } = referenceState(c);
    const plan = planFor(c, config(), obs, {});
    expect(plan.delivery).toBe('none');
    expect(plan.secrets[0]!.carriedOver).toBe(obs.secrets[0]);
    expect(plan.revokes).toEqual([]);
  });

  it('plans one Secret per binding for a multi-binding cluster, each with its tenant', () => {
    const spec2 = defaultSpec();
    spec2.name = 'logs-only';
    spec2.secrets = [
      { name: 'dynatrace-logs', namespace: 'dynatrace', tokens: [{ name: 'logs', scopes: ['logs.ingest'] }] },
    ];
    const c = cluster({
      'sre-capabilities.dtp.v3.main.tenant': TENANT,
      'sre-capabilities.dtp.v3.main.token-spec': 'default',
      'sre-capabilities.dtp.v3.logs.tenant': 'def67890',
      'sre-capabilities.dtp.v3.logs.token-spec': 'logs-only',
    });
    const plan = planFor(c, config({ specs: [defaultSpec(), spec2] }), undefined, {
      [TENANT]: tokenMap(),
      def67890: tokenMap(),
    });
    expect(plan.secrets.map((s) => [s.binding, s.tenantId, s.name])).toEqual([
      ['v3.logs', 'def67890', 'dynatrace-logs'],
      ['v3.main', TENANT, 'dynatrace-token-dtp'],
    ]);
    expect(plan.secrets[0]!.apiUrl).toBe('https://def67890.live.dynatrace.com/api');
    expect(sources(plan)).toEqual(['mint:new', 'mint:new', 'mint:new']);
  });

  it('removes the Secret of a binding that was dropped and revokes its tokens in the same tenant', () => {
    const spec2 = defaultSpec();
    spec2.name = 'logs-only';
    spec2.secrets = [
      { name: 'dynatrace-logs', namespace: 'dynatrace', tokens: [{ name: 'logs', scopes: ['logs.ingest'] }] },
    ];
    const c = cluster(v2(TENANT));
    const { operator, ingest } = referenceState(c);
    const logs = liveToken('logs', c.externalId, ['logs.ingest']);
    const obs = observed(
      deliveredSecret('dynatrace-token-dtp', 'dynatrace', API_URL, {
        apiToken: operator,
        dataIngestToken: ingest,
      }),
      deliveredSecret('dynatrace-logs', 'dynatrace', API_URL, { logs }),
    );
    const plan = planFor(c, config({ specs: [defaultSpec(), spec2] }), obs, {
      [TENANT]: tokenMap(operator, ingest, logs),
    });
    expect(plan.delivery).toBe('patch');
    expect(plan.secrets.map((s) => s.name)).toEqual(['dynatrace-token-dtp']);
    expect(plan.revokes).toEqual([{ tenantId: TENANT, id: logs.id, name: logs.name, reason: 'superseded' }]);
  });
});
