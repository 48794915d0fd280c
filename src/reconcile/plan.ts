/**
 * The planner: a pure function of desired state (bindings → Secrets) and observed state (the delivery
 * object, the tenants' dtp_ tokens) that returns typed actions. No I/O, no clock but the one passed in,
 * so every scenario — adoption, revocation, drift, renames, leaks — is tested without HTTP.
 */
import { secretKeyOf, type DynatraceTenant, type TokenSpec } from '../config/types.js';
import type { DynatraceToken } from '../clients/api.js';
import { Secret } from '../secret.js';
import { parseTokenName, SPEC_TOKEN_NAME_MAX, tokenIdOf, tokenName } from './naming.js';
import { slotKey, type ClusterRotation } from './rotation-plan.js';
import type { RetireProof } from './rotation.js';
import {
  clusterRef,
  deliveryKindOf,
  type Binding,
  type Cluster,
  type ClusterPlan,
  type DeliveredSecret,
  type DesiredSecret,
  type MintReason,
  type ObservedDelivery,
  type PlannedRevoke,
  type PlannedSecret,
  type PlannedToken,
  type RevokeReason,
  type TokenSource,
} from './model.js';

/**
 * Live dtp_ tokens of one tenant, by id, and by the cluster their name belongs to. Names are parsed once per
 * listing: parsing every token of a tenant for every cluster would grow with clusters × tokens. Built once
 * from a listing and not changed after.
 */
export class TenantTokens extends Map<string, DynatraceToken> {
  #byCluster: Map<string, DynatraceToken[]> | undefined;

  static of(tokens: Iterable<DynatraceToken>): TenantTokens {
    return new TenantTokens([...tokens].map((t) => [t.id, t]));
  }

  /** The tokens whose name carries this cluster external id. */
  ofCluster(externalId: string): readonly DynatraceToken[] {
    if (!this.#byCluster) {
      this.#byCluster = new Map();
      for (const token of this.values()) {
        const owner = parseTokenName(token.name)?.clusterExternalId;
        if (owner === undefined) continue;
        const list = this.#byCluster.get(owner);
        if (list) list.push(token);
        else this.#byCluster.set(owner, [token]);
      }
    }
    return this.#byCluster.get(externalId) ?? [];
  }
}

export interface EligibleBinding {
  binding: Binding;
  tenant: DynatraceTenant;
  spec: TokenSpec;
}

/** `<environmentUrl>/api`: always the configured public URL, never the address dtp happened to call. */
function apiUrlOf(tenant: DynatraceTenant): string {
  return `${tenant.environmentUrl.replace(/\/+$/, '')}/api`;
}

export function desiredSecrets(cluster: Cluster, bindings: readonly EligibleBinding[]): DesiredSecret[] {
  return bindings.flatMap(({ binding, tenant, spec }) =>
    spec.secrets.map((secret) => ({
      binding: binding.key,
      tenantId: tenant.environmentId,
      specName: spec.name,
      namespace: secret.namespace,
      name: secret.name,
      apiUrl: apiUrlOf(tenant),
      tokens: secret.tokens.map((token) => ({
        key: secretKeyOf(token),
        specTokenName: token.name,
        scopes: [...token.scopes],
        expectedName: tokenName(token.name, cluster.externalId, token.scopes),
        ...(token.lifetime ? { lifetime: token.lifetime } : {}),
      })),
    })),
  );
}

export interface ClusterPlanInput {
  cluster: Cluster;
  desired: readonly DesiredSecret[];
  /** The delivery object as read from OCM; undefined when it does not exist. */
  observed: ObservedDelivery | undefined;
  /** Live dtp_ tokens per tenant. A tenant missing here could not be read: its Secrets are carried over. */
  tokens: ReadonlyMap<string, TenantTokens>;
  now: Date;
  /** What rotation decided for this cluster (rotation-plan.ts); absent: nothing to rotate or keep. */
  rotation?: ClusterRotation;
}

/** A token reference found in a delivered Secret: `<key>Id` and, next to it, `<key>`. */
interface Candidate {
  secret: DeliveredSecret;
  key: string;
  id: string;
  /** The value with surrounding whitespace removed (the Operator rejects it; the patch writes it clean). */
  value: Secret | undefined;
}

type Assessment =
  { ok: true; token: DynatraceToken } | { ok: false; reason: MintReason; revoke?: RevokeReason };

function candidatesOf(observed: ObservedDelivery | undefined): Candidate[] {
  const out: Candidate[] = [];
  for (const secret of observed?.secrets ?? []) {
    for (const [dataKey, id] of secret.data) {
      if (!dataKey.endsWith('Id') || dataKey.length <= 2) continue;
      const key = dataKey.slice(0, -2);
      const raw = secret.data.get(key)?.reveal();
      out.push({
        secret,
        key,
        id: id.reveal().trim(),
        value: raw === undefined ? undefined : new Secret(raw.trim()),
      });
    }
  }
  return out;
}

/** Whether a delivered token can stay: live, this cluster's, enabled, unexpired, and the value matches the id. */
function assess(candidate: Candidate, live: TenantTokens, cluster: Cluster, now: Date): Assessment {
  const token = live.get(candidate.id);
  if (!token) return { ok: false, reason: 'revoked' };
  const owner = parseTokenName(token.name)?.clusterExternalId;
  // A token named for another cluster (a copied Secret) is that cluster's: never reused nor revoked from
  // here. Any other name was changed by hand: the token is still this cluster's and is renamed back.
  if (owner !== undefined && owner !== cluster.externalId) return { ok: false, reason: 'copied' };
  if (!token.enabled) return { ok: false, reason: 'disabled', revoke: 'disabled' };
  if (token.expirationDate && Date.parse(token.expirationDate) <= now.getTime()) {
    return { ok: false, reason: 'expired', revoke: 'expired' };
  }
  const value = candidate.value?.reveal();
  if (value === undefined || tokenIdOf(value) !== candidate.id) {
    return { ok: false, reason: 'unreadable', revoke: 'superseded' };
  }
  return { ok: true, token };
}

export function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedA = [...a].sort();
  const sortedB = [...b].sort();
  return sortedA.every((scope, i) => scope === sortedB[i]);
}

const secretId = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

export function planCluster(input: ClusterPlanInput): ClusterPlan {
  const { cluster, desired, observed, tokens, now, rotation } = input;
  const candidates = candidatesOf(observed);
  const claimed = new Set<string>();
  const revokes = new Map<string, PlannedRevoke>();
  const reasons = new Set<string>();
  const secrets: PlannedSecret[] = [];

  const revoke = (tenantId: string, token: DynatraceToken, reason: RevokeReason, proof?: RetireProof) => {
    if (!revokes.has(`${tenantId}/${token.id}`)) {
      const entry = { tenantId, id: token.id, name: token.name, reason, ...(proof ? { proof } : {}) };
      revokes.set(`${tenantId}/${token.id}`, entry);
    }
  };

  for (const want of desired) {
    const live = tokens.get(want.tenantId);
    if (!live) {
      // The tenant could not be read this run: keep its Secret exactly as delivered (or nothing, if none was).
      const delivered = observed?.secrets.find((s) => secretId(s) === secretId(want));
      if (delivered) {
        secrets.push({ ...want, tokens: [], carriedOver: delivered });
      }
      continue;
    }
    const planned: PlannedToken[] = [];
    for (const token of want.tokens) {
      let source: TokenSource | undefined;
      let mintReason: MintReason = 'new';
      let replaces: string | undefined;
      let reused: DynatraceToken | undefined;

      const direct = candidates.find((c) => secretId(c.secret) === secretId(want) && c.key === token.key);
      if (direct && !claimed.has(direct.id)) {
        const verdict = assess(direct, live, cluster, now);
        if (verdict.ok && rotation?.rotate.has(slotKey(cluster.id, want, token.key))) {
          // A successor; the delivered token stays (claimed, so not swept) until its pickup is proven.
          claimed.add(direct.id);
          mintReason = 'rotation';
          replaces = direct.id;
        } else if (verdict.ok) {
          reused = verdict.token;
          source = { kind: 'existing', id: direct.id, value: valueOf(direct) };
        } else {
          mintReason = verdict.reason;
          replaces = direct.id;
          const old = live.get(direct.id);
          if (old && verdict.revoke) revoke(want.tenantId, old, verdict.revoke);
        }
      }
      if (!source && mintReason === 'new') {
        // A renamed Secret or key: the token still lives elsewhere in the delivery object. Move it, do not mint.
        const wanted = token.specTokenName.slice(0, SPEC_TOKEN_NAME_MAX);
        for (const c of candidates) {
          // The direct candidate was assessed above: kept, or no longer `new`, so this search never sees it.
          if (claimed.has(c.id)) continue;
          const verdict = assess(c, live, cluster, now);
          if (verdict.ok && parseTokenName(verdict.token.name)?.specTokenName === wanted) {
            reused = verdict.token;
            source = {
              kind: 'existing',
              id: c.id,
              value: valueOf(c),
              movedFrom: `${secretId(c.secret)}:${c.key}`,
            };
            reasons.add('a Secret or key was renamed');
            break;
          }
        }
      }
      if (source?.kind === 'existing') {
        claimed.add(source.id);
      } else {
        source = {
          kind: 'mint',
          reason: mintReason,
          ...(replaces ? { replaces } : {}),
          ...(token.lifetime ? { expiresAt: expirationDate(now, token.lifetime.maxAgeMs) } : {}),
        };
        reasons.add(mintReason === 'new' ? 'new tokens' : `token ${mintReason}`);
      }
      const update =
        reused && (reused.name !== token.expectedName || !sameScopes(reused.scopes, token.scopes))
          ? { id: reused.id, fromName: reused.name, fromScopes: [...reused.scopes] }
          : undefined;
      planned.push({ ...token, tenantId: want.tenantId, source, ...(update ? { update } : {}) });
    }
    secrets.push({ ...want, tokens: planned });
  }

  // Every other dtp_ token of this cluster in a tenant it is bound to is replaced or leaked (an earlier
  // failed delivery, the reference implementation's re-mint on every run): revoked once delivery is confirmed.
  for (const tenantId of new Set(desired.map((d) => d.tenantId))) {
    const live = tokens.get(tenantId);
    if (!live) continue;
    for (const token of tokensOfCluster(live, cluster, candidates)) {
      // A predecessor waits for its successor's pickup; once proven (or grace passed) it goes as `rotated`.
      if (claimed.has(token.id) || rotation?.keep.has(token.id)) continue;
      const proof = rotation?.retire.get(token.id);
      revoke(tenantId, token, proof ? 'rotated' : 'superseded', proof);
    }
  }

  const delivery = deliveryChange(observed, secrets, reasons);
  return {
    cluster: clusterRef(cluster),
    kind: deliveryKindOf(cluster),
    delivery,
    deliveryReasons: delivery === 'none' ? [] : [...reasons].sort(),
    secrets,
    revokes: [...revokes.values()],
  };
}

/**
 * The live tokens of a tenant that belong to this cluster: those named for it, and those delivered to it
 * whose name was changed by hand to one dtp cannot read. The delivery object is all that ties the latter to
 * the cluster; when their Secret or key is no longer wanted nothing claims them, and without them here they
 * would outlive every Secret that held them. Tokens named for another cluster (copied Secrets) are that
 * cluster's and are not listed.
 */
function* tokensOfCluster(
  live: TenantTokens,
  cluster: Cluster,
  candidates: readonly Candidate[],
): Iterable<DynatraceToken> {
  yield* live.ofCluster(cluster.externalId);
  for (const candidate of candidates) {
    const token = live.get(candidate.id);
    if (token && parseTokenName(token.name) === undefined) yield token;
  }
}

/**
 * `expirationDate` for a mint, in the form the API documents (`2021-01-25T05:57:01.123+01:00`); an explicit
 * offset, because a time without one is read as UTC by Dynatrace but as local time by many parsers.
 */
function expirationDate(now: Date, maxAgeMs: number): string {
  return new Date(now.getTime() + maxAgeMs).toISOString().replace(/Z$/, '+00:00');
}

function valueOf(candidate: Candidate): Secret {
  // assess() accepted the candidate, so the value exists.
  return candidate.value!;
}

/** Whether the delivery object must be written, comparing decoded data (annotations and labels are ignored). */
function deliveryChange(
  observed: ObservedDelivery | undefined,
  secrets: readonly PlannedSecret[],
  reasons: Set<string>,
): ClusterPlan['delivery'] {
  if (!observed) {
    if (secrets.length === 0) return 'none';
    reasons.add('no delivery object yet');
    return 'create';
  }
  if (observed.otherItems > 0) reasons.add('objects dtp does not write were found in it');
  const wanted = new Map(secrets.map((s) => [secretId(s), s]));
  const found = new Map(observed.secrets.map((s) => [secretId(s), s]));
  for (const id of found.keys()) if (!wanted.has(id)) reasons.add(`Secret ${id} is no longer wanted`);
  for (const id of wanted.keys()) if (!found.has(id)) reasons.add(`Secret ${id} is missing`);
  for (const [id, plan] of wanted) {
    const have = found.get(id);
    if (!have || plan.carriedOver) continue;
    const expected = expectedData(plan);
    if (expected === undefined) continue; // minting: the data changes anyway
    if (expected.size !== have.data.size) reasons.add(`Secret ${id} has other keys`);
    for (const [key, value] of expected) {
      const current = have.data.get(key)?.reveal();
      if (current === value) continue;
      reasons.add(key === 'apiUrl' ? `apiUrl of ${id} changed` : `Secret ${id} key ${key} differs`);
    }
  }
  // A planned mint has already added its reason (planCluster), so reasons alone decide.
  return reasons.size > 0 ? 'patch' : 'none';
}

/** The data a planned Secret will carry, when no token has to be minted. */
function expectedData(secret: PlannedSecret): Map<string, string> | undefined {
  const data = new Map<string, string>([['apiUrl', secret.apiUrl]]);
  for (const token of secret.tokens) {
    if (token.source.kind !== 'existing') return undefined;
    data.set(token.key, token.source.value.reveal());
    data.set(`${token.key}Id`, token.source.id);
  }
  return data;
}
