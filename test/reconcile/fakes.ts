/** In-memory OCM and Dynatrace behind the client interfaces, counting every call, for engine tests. */
import type {
  CreatedToken,
  DeliveryKind,
  DeliveryObjectWire,
  DynatraceClient,
  DynatraceToken,
  OcmClient,
  OcmCluster,
  OcmLabel,
  OcmSubscription,
  ServiceLogEntry,
} from '../../src/clients/api.js';
import { OutcomeUnknownError, RemoteError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';

export type Call = { system: 'ocm' | 'dynatrace'; op: string; target: string };
const WRITES = new Set([
  'createDelivery',
  'patchDelivery',
  'deleteDelivery',
  'createServiceLog',
  'createToken',
  'updateToken',
  'deleteToken',
]);
export const isWrite = (c: Call) => WRITES.has(c.op);

export class FakeOcm implements OcmClient {
  labels: OcmLabel[] = [];
  subscriptions: OcmSubscription[] = [];
  clusters: OcmCluster[] = [];
  deliveries = new Map<string, DeliveryObjectWire>();
  /** Service logs as OCM keeps them: stamped (`timestamp`) when posted, so `since` can be honoured. */
  serviceLogs: ServiceLogEntry[] = [];
  /** The fake's clock: the timestamp of a posted service log. */
  now: () => Date = () => new Date();
  /** Operations that fail with this status (e.g. { createDelivery: 500 }). */
  failing: Record<string, number> = {};

  constructor(
    readonly environment: string,
    readonly calls: Call[],
  ) {}

  private call(op: string, target = '') {
    this.calls.push({ system: 'ocm', op, target });
    const status = this.failing[op];
    if (status) throw new RemoteError({ system: 'ocm', operation: op, method: 'X', path: `/${op}`, status });
  }

  addCluster(c: {
    id: string;
    externalId: string;
    org: string;
    labels: Record<string, string>;
    hcp?: boolean;
    state?: string;
  }): void {
    const sub = `sub-${c.id}`;
    this.subscriptions.push({ id: sub, organizationId: c.org, clusterId: c.id, status: 'Active' });
    this.clusters.push({
      id: c.id,
      externalId: c.externalId,
      name: `name-${c.id}`,
      subscriptionId: sub,
      state: c.state ?? 'ready',
      managed: true,
      hostedControlPlane: c.hcp ?? false,
    });
    for (const [key, value] of Object.entries(c.labels)) {
      this.labels.push({ key, value, type: 'Subscription', subscriptionId: sub });
    }
  }

  async listLabels(): Promise<OcmLabel[]> {
    this.call('listLabels');
    return [...this.labels];
  }
  async listSubscriptions(q: { ids: string[]; organizationIds: string[] }): Promise<OcmSubscription[]> {
    this.call('listSubscriptions');
    return this.subscriptions.filter(
      (s) => q.ids.includes(s.id) || q.organizationIds.includes(s.organizationId),
    );
  }
  async listClusters(ids: string[]): Promise<OcmCluster[]> {
    this.call('listClusters');
    return this.clusters.filter((c) => ids.includes(c.subscriptionId));
  }
  async findClusters(externalIds: string[]): Promise<OcmCluster[]> {
    this.call('findClusters');
    return this.clusters.filter((c) => externalIds.includes(c.externalId));
  }
  async getDelivery(
    clusterId: string,
    kind: DeliveryKind,
    id: string,
  ): Promise<DeliveryObjectWire | undefined> {
    this.call('getDelivery', clusterId);
    // As OCM: the object is addressed by cluster, kind and its own id; another id is another (absent) object.
    const found = this.deliveries.get(clusterId);
    return found && found.kind === kind && found.id === id ? structuredClone(found) : undefined;
  }
  async createDelivery(clusterId: string, object: DeliveryObjectWire): Promise<void> {
    this.call('createDelivery', clusterId);
    if (this.deliveries.has(clusterId)) {
      throw new RemoteError({ system: 'ocm', operation: 'create', method: 'POST', path: '/x', status: 409 });
    }
    this.deliveries.set(clusterId, structuredClone(object));
  }
  async patchDelivery(clusterId: string, object: DeliveryObjectWire): Promise<void> {
    this.call('patchDelivery', clusterId);
    if (!this.deliveries.has(clusterId)) {
      throw new RemoteError({ system: 'ocm', operation: 'patch', method: 'PATCH', path: '/x', status: 404 });
    }
    this.deliveries.set(clusterId, structuredClone(object));
  }
  async deleteDelivery(clusterId: string, kind: DeliveryKind, id: string): Promise<void> {
    this.call('deleteDelivery', clusterId);
    const found = this.deliveries.get(clusterId);
    if (found && found.kind === kind && found.id === id) this.deliveries.delete(clusterId);
  }
  /** As OCM: only logs posted at or after `since` (every log of the cluster when no window is given). */
  async listServiceLogs(clusterUuid: string, since?: Date): Promise<ServiceLogEntry[]> {
    this.call('listServiceLogs', clusterUuid);
    return this.serviceLogs.filter(
      (l) =>
        l.clusterUuid === clusterUuid &&
        (since === undefined || (l.timestamp !== undefined && Date.parse(l.timestamp) >= since.getTime())),
    );
  }
  async createServiceLog(entry: ServiceLogEntry): Promise<void> {
    this.call('createServiceLog', entry.clusterUuid);
    this.serviceLogs.push({ ...entry, timestamp: entry.timestamp ?? this.now().toISOString() });
  }
}

let counter = 0;
export class FakeDynatrace implements DynatraceClient {
  tokens = new Map<string, DynatraceToken & { value: string }>();
  failing: Record<string, number> = {};
  /** The next this many mints create the token, then lose the answer (OutcomeUnknownError). */
  loseCreates = 0;
  /** Ids the listing leaves out (a listing that lies); GET still finds them. */
  hiddenFromListing = new Set<string>();
  /** The next this many mints create the token and never answer. */
  hangCreates = 0;
  /** Called when a mint starts (a test may send a signal from here). */
  onCreate?: (name: string) => void;

  constructor(
    readonly tenantId: string,
    readonly calls: Call[],
  ) {}

  private call(op: string, target = '') {
    this.calls.push({ system: 'dynatrace', op, target: `${this.tenantId}/${target}` });
    const status = this.failing[op];
    if (status)
      throw new RemoteError({ system: 'dynatrace', operation: op, method: 'X', path: `/${op}`, status });
  }

  async listTokens(prefix: string): Promise<DynatraceToken[]> {
    this.call('listTokens');
    return [...this.tokens.values()]
      .filter((t) => t.name.startsWith(prefix) && !this.hiddenFromListing.has(t.id))
      .map(({ value: _value, ...t }) => structuredClone(t));
  }
  async createToken(request: { name: string; scopes: string[] }): Promise<CreatedToken> {
    this.call('createToken', request.name);
    counter++;
    const pub = `FAKE${String(counter).padStart(20, '0')}`;
    const id = `dt0c01.${pub}`;
    const value = `${id}.${'V'.repeat(60)}${String(counter).padStart(4, '0')}`;
    this.tokens.set(id, { id, name: request.name, scopes: [...request.scopes], enabled: true, value });
    this.onCreate?.(request.name);
    if (this.hangCreates > 0) {
      this.hangCreates--;
      return new Promise<CreatedToken>(() => {});
    }
    if (this.loseCreates > 0) {
      this.loseCreates--;
      throw new OutcomeUnknownError({
        system: 'dynatrace',
        operation: 'create api token',
        method: 'POST',
        path: '/apiTokens',
        code: 'ECONNRESET',
      });
    }
    return { id, token: new Secret(value) };
  }
  async updateToken(id: string, update: { name: string; scopes: string[] }): Promise<void> {
    this.call('updateToken', id);
    const token = this.tokens.get(id);
    if (!token)
      throw new RemoteError({
        system: 'dynatrace',
        operation: 'update',
        method: 'PUT',
        path: '/x',
        status: 404,
      });
    token.name = update.name;
    token.scopes = [...update.scopes];
  }
  async getToken(id: string): Promise<DynatraceToken | undefined> {
    this.call('getToken', id);
    const token = this.tokens.get(id);
    if (!token) return undefined;
    const { value: _value, ...t } = token;
    return structuredClone(t);
  }
  async deleteToken(id: string): Promise<'deleted' | 'absent'> {
    this.call('deleteToken', id);
    return this.tokens.delete(id) ? 'deleted' : 'absent';
  }
}

/** Dynatrace as far as rotation needs it: creation and expiry dates from the simulated clock, and use. */
export class DatedDynatrace extends FakeDynatrace {
  constructor(
    tenantId: string,
    calls: Call[],
    private readonly clock: () => Date,
  ) {
    super(tenantId, calls);
  }
  override async createToken(request: {
    name: string;
    scopes: string[];
    expirationDate?: string;
  }): Promise<CreatedToken> {
    const created = await super.createToken(request);
    const token = this.tokens.get(created.id)!;
    token.creationDate = this.clock().toISOString();
    if (request.expirationDate) token.expirationDate = request.expirationDate;
    return created;
  }
  /** The Dynatrace Operator in a cluster using the token it was given. */
  use(id: string): void {
    this.tokens.get(id)!.lastUsedDate = this.clock().toISOString();
  }
}
