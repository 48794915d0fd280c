/**
 * The shapes of the answers dtp relies on, checked before a client reads them. The fields and types come
 * from the published specs (specs/: OCM accounts_mgmt, clusters_mgmt and service_logs, Dynatrace env v2);
 * the specs mark almost nothing required, so "required" here means "dtp decides something from it": a
 * listing without `total`, a token without `id`, a ready cluster without `external_id` would otherwise turn
 * into an empty list, a wrong name or a missed token. Members dtp does not read are not checked, so a new
 * field or enum value on the remote side changes nothing.
 *
 * Each check returns the typed value or throws an AnswerProblem naming the member (`items[3].id`); the HTTP
 * layer turns that into a MalformedAnswerError (or OutcomeUnknownError for a write) with system and operation.
 */

/** What is wrong with an answer, in words that name the member; never the member's value. */
export class AnswerProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerProblem';
  }
}

/** Turns an unknown JSON body into T, or throws an AnswerProblem. */
export type AnswerCheck<T> = (body: unknown) => T;

type Json = Record<string, unknown>;

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

function object(value: unknown, at: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AnswerProblem(`${at || 'the answer'} is ${typeOf(value)}, not an object`);
  }
  return value as Json;
}

function member(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name;
}

function string(o: Json, name: string, at: string, { nonEmpty = true } = {}): string {
  const v = o[name];
  if (typeof v !== 'string') throw new AnswerProblem(`${member(at, name)} is ${typeOf(v)}, not a string`);
  if (nonEmpty && v === '') throw new AnswerProblem(`${member(at, name)} is empty`);
  return v;
}

function optionalString(o: Json, name: string, at: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AnswerProblem(`${member(at, name)} is ${typeOf(v)}, not a string`);
  return v;
}

function optionalBoolean(o: Json, name: string, at: string): boolean | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new AnswerProblem(`${member(at, name)} is ${typeOf(v)}, not a boolean`);
  return v;
}

function count(o: Json, name: string, at: string): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new AnswerProblem(`${member(at, name)} is ${typeOf(v)}, not a count`);
  }
  return v;
}

function array<T>(o: Json, name: string, at: string, item: (v: unknown, at: string) => T): T[] {
  const v = o[name];
  if (!Array.isArray(v)) throw new AnswerProblem(`${member(at, name)} is ${typeOf(v)}, not a list`);
  return v.map((x, i) => item(x, `${member(at, name)}[${i}]`));
}

// ---------------------------------------------------------------------------------------------- OCM

export interface OcmPage<T> {
  total: number;
  items: T[];
}

/** A list envelope (page, size, total, items): `items` and `total` are what completeness is judged by. */
export function ocmPage<T>(item: (v: unknown, at: string) => T): AnswerCheck<OcmPage<T>> {
  return (body) => {
    const o = object(body, '');
    return { total: count(o, 'total', ''), items: array(o, 'items', '', item) };
  };
}

export interface OcmLabelWire {
  id?: string;
  key: string;
  value: string;
  type: string;
  subscription_id?: string;
  organization_id?: string;
}

export function ocmLabel(v: unknown, at: string): OcmLabelWire {
  const o = object(v, at);
  const label: OcmLabelWire = {
    id: optionalString(o, 'id', at) || undefined,
    key: string(o, 'key', at),
    value: string(o, 'value', at, { nonEmpty: false }),
    type: string(o, 'type', at),
    subscription_id: optionalString(o, 'subscription_id', at) || undefined,
    organization_id: optionalString(o, 'organization_id', at) || undefined,
  };
  // A label is dtp's only link from a binding to its subscription or organization.
  if (label.type === 'Subscription' && !label.subscription_id)
    throw new AnswerProblem(`${at} is a Subscription label without subscription_id`);
  if (label.type === 'Organization' && !label.organization_id)
    throw new AnswerProblem(`${at} is an Organization label without organization_id`);
  return label;
}

export interface OcmSubscriptionWire {
  id: string;
  organization_id: string;
  status: string;
  cluster_id?: string;
  external_cluster_id?: string;
}

export function ocmSubscription(v: unknown, at: string): OcmSubscriptionWire {
  const o = object(v, at);
  return {
    id: string(o, 'id', at),
    organization_id: string(o, 'organization_id', at),
    status: string(o, 'status', at),
    cluster_id: optionalString(o, 'cluster_id', at) || undefined,
    external_cluster_id: optionalString(o, 'external_cluster_id', at) || undefined,
  };
}

export interface OcmClusterWire {
  id: string;
  external_id?: string;
  name?: string;
  state: string;
  managed?: boolean;
  subscriptionId: string;
  hypershift: boolean;
  productId?: string;
}

export function ocmCluster(v: unknown, at: string): OcmClusterWire {
  const o = object(v, at);
  const state = string(o, 'state', at);
  // The installer generates external_id, so a cluster still installing may lack it; a ready one may not:
  // it is part of every token name.
  const externalId = optionalString(o, 'external_id', at) || undefined;
  if (state === 'ready' && !externalId) throw new AnswerProblem(`${at} is ready but has no external_id`);
  const subscription = object(o.subscription, member(at, 'subscription'));
  const hypershift = o.hypershift === undefined ? {} : object(o.hypershift, member(at, 'hypershift'));
  const product = o.product === undefined ? {} : object(o.product, member(at, 'product'));
  return {
    id: string(o, 'id', at),
    external_id: externalId,
    name: optionalString(o, 'name', at),
    state,
    managed: optionalBoolean(o, 'managed', at),
    subscriptionId: string(subscription, 'id', member(at, 'subscription')),
    hypershift: optionalBoolean(hypershift, 'enabled', member(at, 'hypershift')) === true,
    productId: optionalString(product, 'id', member(at, 'product')),
  };
}

/** A SyncSet (`resources`) or Manifest (`workloads`): dtp compares and rewrites the Secrets in it. */
export function ocmDelivery(
  itemsField: 'resources' | 'workloads',
): AnswerCheck<{ id: string; items: unknown[] }> {
  return (body) => {
    const o = object(body, '');
    const id = string(o, 'id', '');
    // OCM leaves an empty list out of the answer.
    if (o[itemsField] === undefined) return { id, items: [] };
    return { id, items: array(o, itemsField, '', (x) => x) };
  };
}

export interface OcmServiceLogWire {
  cluster_uuid?: string;
  service_name?: string;
  summary?: string;
  description?: string;
  severity?: string;
  timestamp?: string;
}

export function ocmServiceLog(v: unknown, at: string): OcmServiceLogWire {
  const o = object(v, at);
  return {
    cluster_uuid: optionalString(o, 'cluster_uuid', at),
    service_name: optionalString(o, 'service_name', at),
    summary: optionalString(o, 'summary', at),
    description: optionalString(o, 'description', at),
    severity: optionalString(o, 'severity', at),
    timestamp: optionalString(o, 'timestamp', at),
  };
}

// ----------------------------------------------------------------------------------------------- SSO

export function ssoToken(body: unknown): {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
} {
  const o = object(body, '');
  const expires = o.expires_in;
  if (expires !== undefined && (typeof expires !== 'number' || !(expires > 0)))
    throw new AnswerProblem(`expires_in is ${typeOf(expires)}, not a positive number`);
  return {
    access_token: string(o, 'access_token', ''),
    expires_in: expires,
    refresh_token: optionalString(o, 'refresh_token', ''),
  };
}

// ----------------------------------------------------------------------------------------- Dynatrace

export interface DynatraceTokenWire {
  id: string;
  name: string;
  enabled: boolean;
  scopes: string[];
  expirationDate?: string;
  creationDate?: string;
  lastUsedDate?: string;
}

/** A token as listed with `+scopes` or read by id: dtp compares its name, scopes and state. */
function dynatraceToken(v: unknown, at: string): DynatraceTokenWire {
  const o = object(v, at);
  const enabled = optionalBoolean(o, 'enabled', at);
  if (enabled === undefined) throw new AnswerProblem(`${member(at, 'enabled')} is missing`);
  return {
    id: string(o, 'id', at),
    name: string(o, 'name', at),
    enabled,
    scopes: array(o, 'scopes', at, (s, where) => {
      if (typeof s !== 'string' || s === '') throw new AnswerProblem(`${where} is not a scope name`);
      return s;
    }),
    expirationDate: optionalString(o, 'expirationDate', at),
    creationDate: optionalString(o, 'creationDate', at),
    lastUsedDate: optionalString(o, 'lastUsedDate', at),
  };
}

export interface DynatraceTokenPage {
  totalCount: number;
  nextPageKey?: string;
  apiTokens: DynatraceTokenWire[];
}

export function dynatraceTokenPage(body: unknown): DynatraceTokenPage {
  const o = object(body, '');
  const key = optionalString(o, 'nextPageKey', '');
  return {
    totalCount: count(o, 'totalCount', ''),
    ...(key ? { nextPageKey: key } : {}),
    // An empty page may leave the list out.
    apiTokens: o.apiTokens === undefined ? [] : array(o, 'apiTokens', '', dynatraceToken),
  };
}

export function dynatraceTokenOnly(body: unknown): DynatraceTokenWire {
  return dynatraceToken(body, '');
}

/** `ApiTokenCreated`: the spec requires none of its fields, but a mint without id and value is lost. */
export function dynatraceTokenCreated(body: unknown): { id: string; token: string; expirationDate?: string } {
  const o = object(body, '');
  return {
    id: string(o, 'id', ''),
    token: string(o, 'token', ''),
    expirationDate: optionalString(o, 'expirationDate', ''),
  };
}
