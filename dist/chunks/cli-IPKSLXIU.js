import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import {
  plainPlatform
} from "./chunk-OWRJK4YD.js";
import {
  DELIVERY_ID,
  KNOWN_SCOPES,
  TOKEN_PREFIX,
  loadConfig,
  resolveOptions,
  runWithReport
} from "./chunk-KCUFBD3S.js";
import "./chunk-TFPICUWI.js";
import {
  closeHttpAgents
} from "./chunk-JWKOKMUR.js";
import "./chunk-XATONND5.js";
import "./chunk-SDU4TOED.js";
import {
  ExitCode,
  UserError
} from "./chunk-HILPLOP6.js";
import "./chunk-YRHPVDZS.js";

// src/sandbox/cli.ts
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

// src/sandbox/random.ts
var Random = class {
  #state;
  constructor(seed) {
    this.#state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next() {
    this.#state = this.#state + 1831565813 >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  }
  int(maxExclusive) {
    return Math.floor(this.next() * maxExclusive);
  }
  pick(items) {
    const item = items[this.int(items.length)];
    if (item === void 0) throw new Error("pick from an empty list");
    return item;
  }
  chance(p) {
    return this.next() < p;
  }
  /** `length` characters from `alphabet`. */
  string(length, alphabet) {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet.charAt(this.int(alphabet.length));
    return out;
  }
  uuid() {
    const hex = this.string(32, "0123456789abcdef").split("");
    hex[12] = "4";
    hex[16] = "89ab".charAt(this.int(4));
    const h = hex.join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
};
var UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
var OCM_ID = "abcdefghijklmnopqrstuvwxyz0123456789";

// src/sandbox/server.ts
import { createServer } from "node:http";
function compile(route) {
  const names = [];
  const source = route.pattern.split("/").map((part) => {
    if (part.startsWith(":")) {
      names.push(part.slice(1));
      return "([^/]+)";
    }
    if (part.startsWith("*")) {
      names.push(part.slice(1));
      return "(.+)";
    }
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("/");
  return { ...route, regex: new RegExp(`^${source}$`), names };
}
var SimServer = class {
  constructor(options) {
    this.options = options;
    this.system = options.system;
    this.#routes = options.routes.map(compile);
    this.#random = new Random(options.seed);
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5e3;
  }
  options;
  system;
  #server;
  #routes;
  #faults = {};
  #failNext = /* @__PURE__ */ new Map();
  #windows = /* @__PURE__ */ new Map();
  #random;
  url = "";
  async listen(port = 0) {
    await new Promise((resolve2, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => resolve2());
    });
    this.url = `http://127.0.0.1:${this.#server.address().port}`;
    return this.url;
  }
  async close() {
    this.#server.closeAllConnections();
    await new Promise((resolve2) => this.#server.close(() => resolve2()));
  }
  /** Replaces the fault plan; `failNext` entries start counting now. */
  setFaults(plan) {
    this.#faults = plan;
    this.#failNext.clear();
    this.#windows.clear();
    for (const [operation, spec] of Object.entries(plan)) {
      if (spec.failNext) this.#failNext.set(operation, { ...spec.failNext });
    }
  }
  operations() {
    return this.#routes.map((r) => r.operation);
  }
  #faultFor(operation) {
    return { ...this.#faults["*"], ...this.#faults[operation] };
  }
  async #handle(req, res) {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://sandbox");
    const method = req.method ?? "GET";
    let route;
    let params = {};
    let pathMatched = false;
    for (const r of this.#routes) {
      const m = r.regex.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      route = r;
      params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
      break;
    }
    const operation = route?.operation ?? "unknown";
    const record = (status, fault2) => this.options.record({
      system: this.system,
      operation,
      method,
      path: `${url.pathname}${url.search}`,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ...fault2 ? { fault: fault2 } : {}
    });
    const raw = await readBody(req);
    const fault = this.#faultFor(operation);
    const delay = (fault.latencyMs ?? 0) + (fault.jitterMs ? this.#random.next() * fault.jitterMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const injected = route ? this.#inject(operation, fault) : void 0;
    if (injected === "reset") {
      record(0, "reset");
      req.socket.destroy();
      return;
    }
    if (injected === "hang") {
      record(0, "hang");
      return;
    }
    if (injected) {
      record(injected.response.status, injected.kind);
      send(res, injected.response);
      return;
    }
    let response;
    if (!route) {
      response = {
        status: pathMatched ? 405 : 404,
        body: this.options.errorBody(
          pathMatched ? 405 : 404,
          pathMatched ? `Method ${method} is not allowed` : `No resource at ${url.pathname}`
        )
      };
    } else {
      const simReq = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: parseBody(raw, req.headers["content-type"]),
        params
      };
      try {
        response = await route.handler(simReq);
        this.options.onExchange?.(operation, simReq, response);
      } catch (error) {
        response = {
          status: 500,
          body: this.options.errorBody(500, `simulator error: ${error.message}`)
        };
      }
    }
    record(response.status);
    send(res, response);
  }
  #inject(operation, fault) {
    const next = this.#failNext.get(operation) ?? this.#failNext.get("*");
    if (next && next.count > 0) {
      next.count--;
      if (next.status === 0) return "reset";
      return {
        kind: "fail-next",
        response: { status: next.status, body: this.options.errorBody(next.status, "injected failure") }
      };
    }
    if (fault.rateLimit !== void 0) {
      const key = this.#faults[operation]?.rateLimit !== void 0 ? operation : "*";
      const now2 = Date.now();
      let w = this.#windows.get(key);
      if (!w || now2 - w.start >= 1e3) {
        w = { start: now2, count: 0 };
        this.#windows.set(key, w);
      }
      w.count++;
      if (w.count > fault.rateLimit) {
        const retryAfterS = Math.max(1, Math.ceil((w.start + 1e3 - now2) / 1e3));
        const answer = this.options.rateLimitAnswer?.(retryAfterS, fault.rateLimit) ?? {
          status: 429,
          body: this.options.errorBody(429, "Too Many Requests"),
          headers: { "retry-after": String(retryAfterS) }
        };
        return { kind: "rate-limit", response: answer };
      }
    }
    const roll = this.#random.next();
    let edge = fault.resetRate ?? 0;
    if (roll < edge) return "reset";
    edge += fault.hangRate ?? 0;
    if (roll < edge) return "hang";
    edge += fault.errorRate ?? 0;
    if (roll < edge) {
      const status = [500, 502, 503][Math.floor(this.#random.next() * 3)] ?? 500;
      return {
        kind: "error",
        response: { status, body: this.options.errorBody(status, "injected server error") }
      };
    }
    return void 0;
  }
};
async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}
function parseBody(raw, contentType) {
  if (!raw) return void 0;
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
function send(res, response) {
  const headers = { ...response.headers };
  let payload = "";
  if (response.body !== void 0 && response.status !== 204) {
    payload = JSON.stringify(response.body);
    headers["content-type"] ??= "application/json";
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}
function paginate(items, query, maxSize = 500) {
  const page = Number(query.get("page") ?? "1");
  const size = Number(query.get("size") ?? "100");
  if (!Number.isInteger(page) || page < 1)
    return { error: `Value '${query.get("page")}' of 'page' is not valid` };
  if (!Number.isInteger(size) || size < 0 || size > maxSize) {
    return { error: `Value '${query.get("size")}' of 'size' must be between 0 and ${maxSize}` };
  }
  const slice = items.slice((page - 1) * size, page * size);
  return { page, size: slice.length, total: items.length, items: slice };
}

// src/sandbox/ocm.ts
import { randomBytes } from "node:crypto";

// src/sandbox/search.ts
var SearchError = class extends Error {
};
function parseSearch(text) {
  const clauses = [];
  let i = 0;
  const ws = () => {
    while (text[i] === " ") i++;
  };
  const literal = () => {
    ws();
    if (text[i] !== "'") throw new SearchError(`expected a quoted string at position ${i}`);
    i++;
    let out = "";
    for (; ; ) {
      if (i >= text.length) throw new SearchError("unterminated string");
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        i++;
        return out;
      }
      out += text[i++];
    }
  };
  for (; ; ) {
    ws();
    const field = /^[a-z_][a-z0-9_.]*/i.exec(text.slice(i))?.[0];
    if (!field) throw new SearchError(`expected a field name at position ${i}`);
    i += field.length;
    ws();
    const op = /^(like|in|>=|<=|!=|=|>|<)/i.exec(text.slice(i))?.[0]?.toLowerCase();
    if (!op) throw new SearchError(`expected an operator after '${field}'`);
    i += op.length;
    if (op === "like") {
      const pattern = literal();
      const regex = pattern.split("%").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*");
      clauses.push({ field, op, pattern: new RegExp(`^${regex}$`, "s") });
    } else if (op === "in") {
      ws();
      if (text[i] !== "(") throw new SearchError(`expected '(' after 'in'`);
      i++;
      const values = [];
      for (; ; ) {
        values.push(literal());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === ")") {
          i++;
          break;
        }
        throw new SearchError(`expected ',' or ')' at position ${i}`);
      }
      clauses.push({ field, op, values });
    } else {
      clauses.push({ field, op, value: literal() });
    }
    ws();
    if (i >= text.length) return clauses;
    const and = /^and\b/i.exec(text.slice(i));
    if (!and) throw new SearchError(`expected 'and' at position ${i}`);
    i += 3;
  }
}
function matches(clauses, get) {
  return clauses.every((c) => {
    const v = get(c.field);
    if (v === void 0) return false;
    switch (c.op) {
      case "like":
        return c.pattern.test(v);
      case "in":
        return c.values.includes(v);
      case "=":
        return v === c.value;
      case "!=":
        return v !== c.value;
      case ">=":
        return v >= c.value;
      case "<=":
        return v <= c.value;
      case ">":
        return v > c.value;
      case "<":
        return v < c.value;
    }
  });
}
function checkFields(clauses, known) {
  for (const c of clauses) {
    if (!known.includes(c.field)) throw new SearchError(`unknown field '${c.field}'`);
  }
}
function parseOrder(text, known) {
  if (!text) return void 0;
  const m = /^\s*([a-z_.]+)(?:\s+(asc|desc))?\s*$/i.exec(text);
  const field = m?.[1];
  if (!m || !field || !known.includes(field)) throw new SearchError(`cannot order by '${text}'`);
  return { field, desc: m[2]?.toLowerCase() === "desc" };
}

// src/sandbox/ocm.ts
var OcmEnvironmentState = class {
  constructor(name) {
    this.name = name;
  }
  name;
  clients = /* @__PURE__ */ new Map();
  offlineTokens = /* @__PURE__ */ new Set();
  accessTokens = /* @__PURE__ */ new Map();
  organizations = /* @__PURE__ */ new Map();
  subscriptions = /* @__PURE__ */ new Map();
  clusters = /* @__PURE__ */ new Map();
  labels = [];
  syncsets = /* @__PURE__ */ new Map();
  manifests = /* @__PURE__ */ new Map();
  serviceLogs = [];
  /** Access token lifetime, seconds. */
  tokenLifetimeS = 900;
};
var ERROR_PREFIX = {
  accounts_mgmt: "ACCT-MGMT",
  clusters_mgmt: "CLUSTERS-MGMT",
  service_logs: "OCM-SERVICE-LOGS"
};
function ocmError(status, reason, service = "clusters_mgmt") {
  return {
    kind: "Error",
    id: String(status),
    href: `/api/${service}/v1/errors/${status}`,
    code: `${ERROR_PREFIX[service] ?? "OCM"}-${status}`,
    reason,
    operation_id: randomBytes(8).toString("hex")
  };
}
var err = (status, reason, service) => ({
  status,
  body: ocmError(status, reason, service)
});
var now = () => (/* @__PURE__ */ new Date()).toISOString();
var OcmSim = class {
  environments = /* @__PURE__ */ new Map();
  env(name) {
    let env = this.environments.get(name);
    if (!env) {
      env = new OcmEnvironmentState(name);
      this.environments.set(name, env);
    }
    return env;
  }
  // -------------------------------------------------------------------------------------------- SSO
  ssoRoutes() {
    return [{ method: "POST", pattern: "/:env/token", operation: "token", handler: (r) => this.#token(r) }];
  }
  #token(req) {
    const env = this.environments.get(req.params.env);
    const form = req.body ?? {};
    const refuse = (error, description) => ({
      status: error === "unsupported_grant_type" ? 400 : 401,
      body: { error, error_description: description }
    });
    if (!env) return { status: 404, body: { error: "Realm does not exist" } };
    if (form.grant_type === "client_credentials") {
      if (!form.client_id || env.clients.get(form.client_id) !== form.client_secret) {
        return refuse("unauthorized_client", "Invalid client or Invalid client credentials");
      }
    } else if (form.grant_type === "refresh_token") {
      if (form.client_id !== "cloud-services") return refuse("invalid_client", "Invalid client");
      if (!env.offlineTokens.has(form.refresh_token ?? ""))
        return refuse("invalid_grant", "Invalid refresh token");
    } else {
      return refuse("unsupported_grant_type", "Unsupported grant_type");
    }
    const token = `ocm-access-${randomBytes(24).toString("hex")}`;
    env.accessTokens.set(token, Date.now() + env.tokenLifetimeS * 1e3);
    return {
      status: 200,
      body: {
        access_token: token,
        expires_in: env.tokenLifetimeS,
        refresh_expires_in: 0,
        token_type: "Bearer",
        "not-before-policy": 0,
        scope: "openid"
      }
    };
  }
  // -------------------------------------------------------------------------------------------- API
  routes() {
    const a = "/:env/api/accounts_mgmt/v1";
    const c = "/:env/api/clusters_mgmt/v1/clusters";
    const s = "/:env/api/service_logs/v1";
    const r = (method, pattern, operation, h) => ({
      method,
      pattern,
      operation,
      handler: (req) => this.#authorized(req, pattern, h)
    });
    return [
      r("GET", `${a}/labels`, "listLabels", (e, q) => this.#listLabels(e, q)),
      r("GET", `${a}/subscriptions`, "listSubscriptions", (e, q) => this.#listSubscriptions(e, q)),
      r("GET", `${a}/organizations`, "listOrganizations", (e, q) => this.#listOrganizations(e, q)),
      r("GET", `${a}/organizations/:id`, "getOrganization", (e, q) => {
        const o = e.organizations.get(q.params.id);
        return o ? { status: 200, body: orgBody(o) } : err(404, `Organization '${q.params.id}' not found`, "accounts_mgmt");
      }),
      r("GET", c, "listClusters", (e, q) => this.#listClusters(e, q)),
      r("GET", `${c}/:id`, "getCluster", (e, q) => {
        const cl = e.clusters.get(q.params.id);
        return cl ? { status: 200, body: clusterBody(cl) } : err(404, `Cluster '${q.params.id}' not found`);
      }),
      ...["SyncSet", "Manifest"].flatMap((kind) => {
        const plural = kind === "SyncSet" ? "syncsets" : "manifests";
        const base = `${c}/:cluster/external_configuration/${plural}`;
        return [
          r("GET", base, `list${kind}s`, (e, q) => this.#listDeliveries(e, q, kind)),
          r("POST", base, `create${kind}`, (e, q) => this.#createDelivery(e, q, kind)),
          r("GET", `${base}/:id`, `get${kind}`, (e, q) => this.#getDelivery(e, q, kind)),
          r("PATCH", `${base}/:id`, `patch${kind}`, (e, q) => this.#patchDelivery(e, q, kind)),
          r("DELETE", `${base}/:id`, `delete${kind}`, (e, q) => this.#deleteDelivery(e, q, kind))
        ];
      }),
      r("POST", `${s}/cluster_logs`, "createServiceLog", (e, q) => this.#createLog(e, q)),
      r("GET", `${s}/clusters/cluster_logs`, "listServiceLogs", (e, q) => this.#listLogs(e, q))
    ];
  }
  #authorized(req, pattern, handler) {
    const service = /\/api\/(\w+)\//.exec(pattern)?.[1];
    const env = this.environments.get(req.params.env);
    if (!env) return err(404, `No OCM environment '${req.params.env}'`, service);
    const auth = String(req.headers.authorization ?? "");
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const expires = env.accessTokens.get(token);
    if (expires === void 0) return err(401, "Request is not authenticated", service);
    if (expires < Date.now()) return err(401, "Bearer token is expired", service);
    try {
      return handler(env, req);
    } catch (error) {
      if (error instanceof SearchError)
        return err(400, `Failed to parse search query: ${error.message}`, service);
      throw error;
    }
  }
  #list(kind, all, req, body, service) {
    const page = paginate(all, req.query);
    if ("error" in page) return err(400, page.error, service);
    return {
      status: 200,
      body: {
        kind: `${kind}List`,
        page: page.page,
        size: page.size,
        total: page.total,
        items: page.items.map(body)
      }
    };
  }
  #listLabels(env, req) {
    const clauses = parseSearch(req.query.get("search") ?? "key like '%'");
    checkFields(clauses, ["key", "value", "type", "subscription_id", "organization_id"]);
    const found = env.labels.filter(
      (l) => matches(clauses, (f) => l[f])
    );
    return this.#list("Label", found, req, labelBody, "accounts_mgmt");
  }
  #listSubscriptions(env, req) {
    const fields = ["id", "organization_id", "status", "cluster_id", "external_cluster_id"];
    const clauses = parseSearch(req.query.get("search") ?? "id like '%'");
    checkFields(clauses, fields);
    const order = parseOrder(req.query.get("order"), fields);
    const found = sortBy(
      [...env.subscriptions.values()].filter(
        (s) => matches(clauses, (f) => s[f])
      ),
      order
    );
    return this.#list("Subscription", found, req, subscriptionBody, "accounts_mgmt");
  }
  #listOrganizations(env, req) {
    const clauses = parseSearch(req.query.get("search") ?? "id like '%'");
    checkFields(clauses, ["id", "name", "external_id"]);
    const found = [...env.organizations.values()].filter(
      (o) => matches(clauses, (f) => o[f])
    );
    return this.#list("Organization", found, req, orgBody, "accounts_mgmt");
  }
  #listClusters(env, req) {
    const fields = [
      "id",
      "external_id",
      "name",
      "state",
      "managed",
      "subscription.id",
      "hypershift.enabled",
      "product.id"
    ];
    const clauses = parseSearch(req.query.get("search") ?? "id like '%'");
    checkFields(clauses, fields);
    const order = parseOrder(req.query.get("order"), fields);
    const get = (c) => (f) => ({
      id: c.id,
      external_id: c.external_id,
      name: c.name,
      state: c.state,
      managed: String(c.managed),
      "subscription.id": c.subscriptionId,
      "hypershift.enabled": String(c.hcp),
      "product.id": c.product
    })[f];
    const found = [...env.clusters.values()].filter((c) => matches(clauses, get(c)));
    if (order) found.sort((x, y) => compare(get(x)(order.field), get(y)(order.field), order.desc));
    return this.#list("Cluster", found, req, clusterBody, "clusters_mgmt");
  }
  #store(env, kind, clusterId) {
    const all = kind === "SyncSet" ? env.syncsets : env.manifests;
    let map = all.get(clusterId);
    if (!map) {
      map = /* @__PURE__ */ new Map();
      all.set(clusterId, map);
    }
    return map;
  }
  /** SyncSets exist only on classic clusters, Manifests only on hosted control planes, as in OCM. */
  #deliveryCluster(env, req, kind) {
    const cluster = env.clusters.get(req.params.cluster);
    if (!cluster) return err(404, `Cluster '${req.params.cluster}' not found`);
    if (kind === "SyncSet" && cluster.hcp)
      return err(400, `Cluster '${cluster.id}' is a hosted control plane cluster: use manifests`);
    if (kind === "Manifest" && !cluster.hcp)
      return err(400, `Manifests are only supported for hosted control plane clusters`);
    return cluster;
  }
  #listDeliveries(env, req, kind) {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ("status" in cluster) return cluster;
    const items = [...this.#store(env, kind, cluster.id).values()];
    return this.#list(
      kind === "SyncSet" ? "Syncset" : "Manifest",
      items,
      req,
      (d) => deliveryBody(kind, cluster.id, d),
      "clusters_mgmt"
    );
  }
  #getDelivery(env, req, kind) {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ("status" in cluster) return cluster;
    const d = this.#store(env, kind, cluster.id).get(req.params.id);
    return d ? { status: 200, body: deliveryBody(kind, cluster.id, d) } : err(404, `${kind} '${req.params.id}' not found`);
  }
  #createDelivery(env, req, kind) {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ("status" in cluster) return cluster;
    const body = req.body ?? {};
    const items = kind === "SyncSet" ? body.resources : body.workloads;
    if (typeof body.id !== "string" || !body.id) return err(400, `${kind} id is required`);
    if (!Array.isArray(items))
      return err(400, `${kind === "SyncSet" ? "resources" : "workloads"} must be a list`);
    const store = this.#store(env, kind, cluster.id);
    if (store.has(body.id)) return err(409, `${kind} '${body.id}' already exists`);
    const d = { id: body.id, items, created: now(), updated: now() };
    store.set(body.id, d);
    return { status: 201, body: deliveryBody(kind, cluster.id, d) };
  }
  #patchDelivery(env, req, kind) {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ("status" in cluster) return cluster;
    const d = this.#store(env, kind, cluster.id).get(req.params.id);
    if (!d) return err(404, `${kind} '${req.params.id}' not found`);
    const body = req.body ?? {};
    const items = kind === "SyncSet" ? body.resources : body.workloads;
    if (items !== void 0) {
      if (!Array.isArray(items))
        return err(400, `${kind === "SyncSet" ? "resources" : "workloads"} must be a list`);
      d.items = items;
      d.updated = now();
    }
    return { status: 200, body: deliveryBody(kind, cluster.id, d) };
  }
  #deleteDelivery(env, req, kind) {
    const cluster = this.#deliveryCluster(env, req, kind);
    if ("status" in cluster) return cluster;
    const store = this.#store(env, kind, cluster.id);
    if (!store.delete(req.params.id)) return err(404, `${kind} '${req.params.id}' not found`);
    return { status: 204 };
  }
  #createLog(env, req) {
    const b = req.body ?? {};
    for (const field of ["cluster_uuid", "service_name", "summary"]) {
      if (typeof b[field] !== "string" || !b[field])
        return err(400, `'${field}' is required`, "service_logs");
    }
    const entry = {
      id: randomBytes(13).toString("hex"),
      cluster_uuid: String(b.cluster_uuid),
      service_name: String(b.service_name),
      summary: String(b.summary),
      description: String(b.description ?? ""),
      severity: String(b.severity ?? "Info"),
      timestamp: now()
    };
    env.serviceLogs.push(entry);
    return { status: 201, body: logBody(entry) };
  }
  #listLogs(env, req) {
    const uuid = req.query.get("cluster_uuid");
    const fields = ["timestamp", "severity", "service_name", "summary", "cluster_uuid"];
    const clauses = parseSearch(req.query.get("search") ?? "summary like '%'");
    checkFields(clauses, fields);
    const order = parseOrder(req.query.get("order"), fields);
    const found = sortBy(
      env.serviceLogs.filter(
        (l) => (!uuid || l.cluster_uuid === uuid) && matches(clauses, (f) => l[f])
      ),
      order
    );
    return this.#list("ClusterLog", found, req, logBody, "service_logs");
  }
};
function compare(a, b, desc) {
  const r = (a ?? "").localeCompare(b ?? "");
  return desc ? -r : r;
}
function sortBy(items, order) {
  if (!order) return items;
  return items.sort(
    (x, y) => compare(
      x[order.field],
      y[order.field],
      order.desc
    )
  );
}
var labelBody = (l) => ({
  kind: "Label",
  id: l.id,
  href: `/api/accounts_mgmt/v1/labels/${l.id}`,
  key: l.key,
  value: l.value,
  type: l.type,
  internal: false,
  ...l.subscription_id ? { subscription_id: l.subscription_id } : {},
  ...l.organization_id ? { organization_id: l.organization_id } : {},
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z"
});
var subscriptionBody = (s) => ({
  kind: "Subscription",
  id: s.id,
  href: `/api/accounts_mgmt/v1/subscriptions/${s.id}`,
  organization_id: s.organization_id,
  status: s.status,
  managed: true,
  ...s.cluster_id ? { cluster_id: s.cluster_id } : {},
  ...s.external_cluster_id ? { external_cluster_id: s.external_cluster_id } : {}
});
var orgBody = (o) => ({
  kind: "Organization",
  id: o.id,
  href: `/api/accounts_mgmt/v1/organizations/${o.id}`,
  name: o.name,
  external_id: o.external_id
});
var clusterBody = (c) => ({
  kind: "Cluster",
  id: c.id,
  href: `/api/clusters_mgmt/v1/clusters/${c.id}`,
  name: c.name,
  external_id: c.external_id,
  state: c.state,
  managed: c.managed,
  subscription: {
    kind: "SubscriptionLink",
    id: c.subscriptionId,
    href: `/api/accounts_mgmt/v1/subscriptions/${c.subscriptionId}`
  },
  hypershift: { enabled: c.hcp },
  product: { kind: "ProductLink", id: c.product, href: `/api/clusters_mgmt/v1/products/${c.product}` }
});
var deliveryBody = (kind, clusterId, d) => kind === "SyncSet" ? {
  kind: "Syncset",
  id: d.id,
  href: `/api/clusters_mgmt/v1/clusters/${clusterId}/external_configuration/syncsets/${d.id}`,
  resources: d.items
} : {
  kind: "Manifest",
  id: d.id,
  href: `/api/clusters_mgmt/v1/clusters/${clusterId}/external_configuration/manifests/${d.id}`,
  workloads: d.items,
  creation_timestamp: d.created,
  updated_timestamp: d.updated
};
var logBody = (l) => ({
  kind: "LogEntry",
  id: l.id,
  href: `/api/service_logs/v1/cluster_logs/${l.id}`,
  cluster_uuid: l.cluster_uuid,
  service_name: l.service_name,
  summary: l.summary,
  description: l.description,
  severity: l.severity,
  timestamp: l.timestamp,
  created_at: l.timestamp,
  internal_only: false
});

// src/sandbox/dynatrace.ts
var TenantState = class {
  constructor(id) {
    this.id = id;
  }
  id;
  /** Insertion order is creation order. */
  tokens = /* @__PURE__ */ new Map();
  byValue = /* @__PURE__ */ new Map();
  add(token) {
    this.tokens.set(token.id, token);
    this.byValue.set(token.value, token);
    return token;
  }
  remove(id) {
    const t = this.tokens.get(id);
    if (!t) return false;
    this.tokens.delete(id);
    this.byValue.delete(t.value);
    return true;
  }
};
var dynatraceError = (status, message, violations) => ({
  error: {
    code: status,
    message,
    ...violations ? { constraintViolations: violations.map((v) => ({ ...v, parameterLocation: "PAYLOAD_BODY" })) } : {}
  }
});
var fail = (status, message, violations) => ({
  status,
  body: dynatraceError(status, message, violations)
});
var DEFAULT_FIELDS = ["id", "name", "enabled", "owner", "creationDate"];
var OPTIONAL_FIELDS = [
  "scopes",
  "expirationDate",
  "modifiedDate",
  "lastUsedDate",
  "lastUsedIpAddress",
  "personalAccessToken"
];
var API_SCOPES = /* @__PURE__ */ new Set([...KNOWN_SCOPES, "apiTokens.read", "apiTokens.write"]);
var DynatraceSim = class {
  constructor(random) {
    this.random = random;
  }
  random;
  tenants = /* @__PURE__ */ new Map();
  tenant(id) {
    let t = this.tenants.get(id);
    if (!t) {
      t = new TenantState(id);
      this.tenants.set(id, t);
    }
    return t;
  }
  /** A token as Dynatrace would mint it, added to the tenant. */
  mint(tenantId, name, scopes, owner = "dtp-bootstrap") {
    const pub = this.random.string(24, UPPER_ALNUM);
    const secret = this.random.string(64, UPPER_ALNUM);
    return this.tenant(tenantId).add({
      id: `dt0c01.${pub}`,
      value: `dt0c01.${pub}.${secret}`,
      name,
      scopes: [...scopes],
      enabled: true,
      owner,
      creationDate: (/* @__PURE__ */ new Date()).toISOString()
    });
  }
  routes() {
    const base = "/e/:tenant/api/v2/apiTokens";
    const r = (method, pattern, operation, need, h) => ({
      method,
      pattern,
      operation,
      handler: (req) => this.#authorized(req, need, h)
    });
    return [
      r("GET", base, "listTokens", "apiTokens.read", (t, q) => this.#list(t, q)),
      r("POST", base, "createToken", "apiTokens.write", (t, q) => this.#create(t, q)),
      r("POST", `${base}/lookup`, "lookupToken", "apiTokens.read", (t, q) => {
        const value = q.body?.token;
        if (typeof value !== "string")
          return fail(400, "Constraints violated.", [{ path: "token", message: "must not be null" }]);
        const token = t.byValue.get(value);
        return token ? { status: 200, body: tokenBody(token, [...DEFAULT_FIELDS, ...OPTIONAL_FIELDS]) } : fail(404, "The token does not exist");
      }),
      r("GET", `${base}/:id`, "getToken", "apiTokens.read", (t, q) => {
        const token = t.tokens.get(q.params.id);
        return token ? { status: 200, body: tokenBody(token, [...DEFAULT_FIELDS, ...OPTIONAL_FIELDS]) } : fail(404, `Token with ID ${q.params.id} not found`);
      }),
      r("PUT", `${base}/:id`, "updateToken", "apiTokens.write", (t, q) => this.#update(t, q)),
      r(
        "DELETE",
        `${base}/:id`,
        "deleteToken",
        "apiTokens.write",
        (t, q) => t.remove(q.params.id) ? { status: 204 } : fail(404, `Token with ID ${q.params.id} not found`)
      )
    ];
  }
  #authorized(req, scope, handler) {
    const tenant = this.tenants.get(req.params.tenant);
    if (!tenant) return fail(404, `Environment ${req.params.tenant} not found`);
    const auth = String(req.headers.authorization ?? "");
    if (!auth.startsWith("Api-Token ")) return fail(401, "Missing authorization parameter.");
    const caller = tenant.byValue.get(auth.slice("Api-Token ".length));
    if (!caller || !caller.enabled) return fail(401, "Token Authentication failed");
    if (caller.expirationDate && Date.parse(caller.expirationDate) < Date.now())
      return fail(401, "Token expired");
    if (!caller.scopes.includes(scope))
      return fail(403, `Token is missing required scope. Use one of: ${scope}`);
    return handler(tenant, req);
  }
  #list(tenant, req) {
    const q = req.query;
    let state;
    const key = q.get("nextPageKey");
    if (key !== null) {
      if ([...q.keys()].some((k) => k !== "nextPageKey")) {
        return fail(400, "Constraints violated.", [
          { path: "nextPageKey", message: "must be the only query parameter when set" }
        ]);
      }
      try {
        state = JSON.parse(Buffer.from(key, "base64url").toString("utf8"));
      } catch {
        return fail(400, "Invalid nextPageKey");
      }
    } else {
      const pageSize = Number(q.get("pageSize") ?? "200");
      if (!Number.isInteger(pageSize) || pageSize < 100 || pageSize > 1e4) {
        return fail(400, "Constraints violated.", [
          { path: "pageSize", message: "must be between 100 and 10000" }
        ]);
      }
      const fields = [...DEFAULT_FIELDS];
      for (const f of (q.get("fields") ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
        const name = f.replace(/^[+-]/, "");
        if (![...DEFAULT_FIELDS, ...OPTIONAL_FIELDS].includes(name))
          return fail(400, `Unknown field ${name}`);
        if (f.startsWith("-")) fields.splice(fields.indexOf(name), 1);
        else if (!fields.includes(name)) fields.push(name);
      }
      const selectorText = q.get("apiTokenSelector");
      let selector;
      if (selectorText) {
        const m = /^name\("((?:[^"\\]|\\.)*)"\)$/.exec(selectorText.trim());
        if (!m) return fail(400, `Invalid apiTokenSelector: ${selectorText}`);
        selector = (m[1] ?? "").replace(/\\(.)/g, "$1");
      }
      state = { selector, fields, pageSize, offset: 0 };
    }
    const all = [...tenant.tokens.values()].filter(
      (t) => state.selector === void 0 || t.name.toLowerCase().includes(state.selector.toLowerCase())
    );
    const page = all.slice(state.offset, state.offset + state.pageSize);
    const nextOffset = state.offset + page.length;
    const body = {
      totalCount: all.length,
      pageSize: state.pageSize,
      apiTokens: page.map((t) => tokenBody(t, state.fields))
    };
    if (nextOffset < all.length) {
      body.nextPageKey = Buffer.from(JSON.stringify({ ...state, offset: nextOffset })).toString("base64url");
    }
    return { status: 200, body };
  }
  #create(tenant, req) {
    const b = req.body ?? {};
    const violations = [
      ...typeof b.name !== "string" || !b.name.trim() ? [{ path: "name", message: "must not be blank" }] : [],
      ...scopeViolations(b.scopes, true)
    ];
    if (violations.length > 0) return fail(400, "Constraints violated.", violations);
    const token = this.mint(tenant.id, String(b.name), b.scopes);
    if (typeof b.expirationDate === "string") token.expirationDate = b.expirationDate;
    return {
      status: 201,
      body: {
        id: token.id,
        token: token.value,
        ...token.expirationDate ? { expirationDate: token.expirationDate } : {}
      }
    };
  }
  #update(tenant, req) {
    const token = tenant.tokens.get(req.params.id);
    if (!token) return fail(404, `Token with ID ${req.params.id} not found`);
    const b = req.body ?? {};
    const violations = [
      ...b.name !== void 0 && (typeof b.name !== "string" || !b.name.trim()) ? [{ path: "name", message: "must not be blank" }] : [],
      ...b.scopes !== void 0 ? scopeViolations(b.scopes, false) : [],
      ...b.enabled !== void 0 && typeof b.enabled !== "boolean" ? [{ path: "enabled", message: "must be a boolean" }] : []
    ];
    if (violations.length > 0) return fail(400, "Constraints violated.", violations);
    if (typeof b.name === "string") token.name = b.name;
    if (Array.isArray(b.scopes)) token.scopes = [...b.scopes];
    if (typeof b.enabled === "boolean") token.enabled = b.enabled;
    token.modifiedDate = (/* @__PURE__ */ new Date()).toISOString();
    return { status: 204 };
  }
};
function scopeViolations(scopes, required) {
  if (!Array.isArray(scopes) || required && scopes.length === 0) {
    return [{ path: "scopes", message: "must not be empty" }];
  }
  return scopes.map(
    (s, i) => typeof s === "string" && API_SCOPES.has(s) ? void 0 : { path: `scopes[${i}]`, message: `unknown scope ${String(s)}` }
  ).filter((v) => v !== void 0);
}
function tokenBody(t, fields) {
  const all = {
    id: t.id,
    name: t.name,
    enabled: t.enabled,
    owner: t.owner,
    creationDate: t.creationDate,
    scopes: t.scopes,
    expirationDate: t.expirationDate,
    modifiedDate: t.modifiedDate,
    personalAccessToken: false
  };
  return Object.fromEntries(fields.filter((f) => all[f] !== void 0).map((f) => [f, all[f]]));
}

// src/sandbox/vault.ts
import { randomBytes as randomBytes2 } from "node:crypto";
var vaultError = (...errors) => ({ errors });
var fail2 = (status, ...errors) => ({ status, body: vaultError(...errors) });
var VaultSim = class {
  kv = /* @__PURE__ */ new Map();
  /** Auth method mount → role name (or AppRole role id) → role. */
  roles = /* @__PURE__ */ new Map();
  tokens = /* @__PURE__ */ new Map();
  rootToken = `hvs.${randomBytes2(18).toString("base64url")}`;
  constructor() {
    this.tokens.set(this.rootToken, { policy: ["*"], expiresAt: Number.MAX_SAFE_INTEGER });
  }
  /** Writes a new version of `<mount>/<path>`. */
  put(mount, path, data) {
    const key = `${mount}/${path}`;
    let secret = this.kv.get(key);
    if (!secret) {
      secret = { versions: [] };
      this.kv.set(key, secret);
    }
    secret.versions.push({ data: { ...data }, created: (/* @__PURE__ */ new Date()).toISOString() });
    return secret.versions.length;
  }
  addRole(mount, name, role) {
    let roles = this.roles.get(mount);
    if (!roles) {
      roles = /* @__PURE__ */ new Map();
      this.roles.set(mount, roles);
    }
    roles.set(name, role);
  }
  routes() {
    return [
      {
        method: "POST",
        pattern: "/v1/auth/:mount/login",
        operation: "login",
        handler: (r) => this.#login(r)
      },
      {
        method: "GET",
        pattern: "/v1/auth/token/lookup-self",
        operation: "lookupSelf",
        handler: (r) => this.#lookupSelf(r)
      },
      {
        method: "GET",
        pattern: "/v1/:mount/data/*path",
        operation: "readSecret",
        handler: (r) => this.#read(r)
      }
    ];
  }
  #issue(policy, meta) {
    const token = `hvs.${randomBytes2(18).toString("base64url")}`;
    this.tokens.set(token, { policy, expiresAt: Date.now() + 36e5 });
    return {
      status: 200,
      body: {
        request_id: randomBytes2(16).toString("hex"),
        lease_id: "",
        renewable: false,
        lease_duration: 0,
        data: null,
        wrap_info: null,
        warnings: null,
        auth: {
          client_token: token,
          accessor: randomBytes2(12).toString("base64url"),
          policies: ["default", "dtp"],
          token_policies: ["default", "dtp"],
          metadata: meta,
          lease_duration: 3600,
          renewable: true,
          entity_id: "",
          token_type: "service",
          orphan: true
        }
      }
    };
  }
  #login(req) {
    const roles = this.roles.get(req.params.mount);
    if (!roles)
      return fail2(400, `no handler for route "auth/${req.params.mount}/login". route entry not found.`);
    const b = req.body ?? {};
    if ("role_id" in b) {
      const role2 = roles.get(String(b.role_id));
      if (!role2 || role2.secretId === void 0 || role2.secretId !== b.secret_id)
        return fail2(400, "invalid role or secret ID");
      return this.#issue(role2.policy, { role_name: String(b.role_id) });
    }
    if (typeof b.jwt !== "string" || !b.jwt) return fail2(400, "missing jwt");
    if (typeof b.role !== "string" || !b.role) return fail2(400, "missing role");
    const role = roles.get(b.role);
    if (!role) return fail2(400, `role "${b.role}" could not be found`);
    if (role.jwt !== b.jwt) return fail2(403, "permission denied");
    return this.#issue(role.policy, { role: b.role });
  }
  #caller(req) {
    const token = String(req.headers["x-vault-token"] ?? "");
    const entry = this.tokens.get(token);
    if (!entry || entry.expiresAt < Date.now()) return fail2(403, "permission denied");
    return entry;
  }
  #lookupSelf(req) {
    const caller = this.#caller(req);
    if ("status" in caller) return caller;
    return { status: 200, body: { data: { policies: ["default"], ttl: 3600 } } };
  }
  #read(req) {
    const caller = this.#caller(req);
    if ("status" in caller) return caller;
    const key = `${req.params.mount}/${req.params.path}`;
    const allowed = caller.policy.some((p) => p.endsWith("*") ? key.startsWith(p.slice(0, -1)) : key === p);
    if (!allowed) return fail2(403, "1 error occurred:\n	* permission denied\n\n");
    const secret = this.kv.get(key);
    const versionText = req.query.get("version");
    const version = versionText ? Number(versionText) : secret?.versions.length;
    const entry = secret && version ? secret.versions[version - 1] : void 0;
    if (!entry) return fail2(404);
    return {
      status: 200,
      body: {
        request_id: randomBytes2(16).toString("hex"),
        lease_id: "",
        renewable: false,
        lease_duration: 0,
        data: {
          data: entry.data,
          metadata: {
            created_time: entry.created,
            custom_metadata: null,
            deletion_time: "",
            destroyed: false,
            version
          }
        },
        wrap_info: null,
        warnings: null,
        auth: null
      }
    };
  }
};

// src/sandbox/fleet.ts
import { randomBytes as randomBytes3 } from "node:crypto";
var kvKey = (ref) => `${ref.mount}/${ref.path}`;
function seedVault(vault, config, ocm, dt, random) {
  const policy = /* @__PURE__ */ new Set();
  const putVersion = (ref, data) => {
    const existing = vault.kv.get(kvKey(ref))?.versions.length ?? 0;
    const target = ref.version ?? existing + 1;
    for (let v = existing + 1; v < target; v++) {
      vault.put(
        ref.mount,
        ref.path,
        Object.fromEntries(Object.keys(data).map((k) => [k, `stale-${k}-v${v}`]))
      );
    }
    if (target > existing) vault.put(ref.mount, ref.path, data);
    else {
      const version = vault.kv.get(kvKey(ref))?.versions[target - 1];
      if (version) version.data = { ...version.data, ...data };
    }
    policy.add(kvKey(ref));
  };
  for (const env of config.ocmEnvironments.values()) {
    const state = ocm.env(env.name);
    const c = env.credentials;
    if (c.grant === "client_credentials") {
      const clientId = `dtp-${env.name}-${random.string(6, OCM_ID)}`;
      const secret = `ocm-client-secret-${randomBytes3(12).toString("hex")}`;
      state.clients.set(clientId, secret);
      putVersion(c.secret, { [c.clientIdField]: clientId, [c.clientSecretField]: secret });
    } else {
      const offline = `ocm-offline-${randomBytes3(16).toString("hex")}`;
      state.offlineTokens.add(offline);
      putVersion(c.secret, { [c.offlineTokenField]: offline });
    }
  }
  for (const tenant of config.tenants.values()) {
    const bootstrap = dt.mint(
      tenant.environmentId,
      "dtp-bootstrap",
      ["apiTokens.read", "apiTokens.write"],
      "platform-sre"
    );
    const { field, ...ref } = tenant.bootstrapToken;
    putVersion(ref, { [field]: bootstrap.value });
  }
  return [...policy];
}
function allowedPairs(config, orgId) {
  const org = config.organizations.get(orgId);
  if (!org) return [];
  const pairs = [];
  for (const tenant of config.tenants.values()) {
    if (!tenant.allowedOrganizations.includes(orgId)) continue;
    if (org.tenants && !org.tenants.includes(tenant.environmentId)) continue;
    for (const spec of config.tokenSpecs.values()) {
      if (!spec.ocmOrgIds.includes(orgId)) continue;
      if (org.tokenSpecs && !org.tokenSpecs.includes(spec.name)) continue;
      pairs.push({ tenant, spec });
    }
  }
  return pairs.sort(
    (a, b) => `${a.tenant.environmentId}/${a.spec.name}`.localeCompare(`${b.tenant.environmentId}/${b.spec.name}`)
  );
}
function secretsDisjoint(a, b) {
  const names = new Set(a.secrets.map((s) => `${s.namespace}/${s.name}`));
  return b.secrets.every((s) => !names.has(`${s.namespace}/${s.name}`));
}
function seedFleet(sims, config, description) {
  const d = {
    seed: 1,
    hcpShare: 0.3,
    disallowedShare: 0.05,
    mislabelledShare: 0.03,
    v2Share: 0.2,
    multiBindingShare: 0.1,
    notReadyShare: 0.04,
    organizationLabelShare: 0,
    ...description
  };
  const random = new Random(d.seed);
  const { ocm, dynatrace: dt, vault } = sims;
  const policy = seedVault(vault, config, ocm, dt, random);
  const credentials = {
    vaultRoleId: `dtp-${random.uuid()}`,
    vaultSecretId: randomBytes3(18).toString("hex"),
    vaultRole: "dtp",
    vaultJwt: `eyJhbGciOiJSUzI1NiJ9.${randomBytes3(24).toString("base64url")}.sandbox`
  };
  vault.addRole("approle", credentials.vaultRoleId, { policy, secretId: credentials.vaultSecretId });
  vault.addRole("jwt", credentials.vaultRole, { policy, jwt: credentials.vaultJwt });
  vault.addRole("kubernetes", credentials.vaultRole, { policy, jwt: credentials.vaultJwt });
  const environments = [...config.ocmEnvironments.keys()].sort();
  const allowedOrgs = [...config.organizations.values()].sort(
    (a, b) => a.organizationId.localeCompare(b.organizationId)
  );
  const orgsByEnv = new Map(
    environments.map((env) => [
      env,
      allowedOrgs.filter(
        (o) => (!o.ocmEnvironment || o.ocmEnvironment === env) && allowedPairs(config, o.organizationId).length > 0
      )
    ])
  );
  const tenantIds = [...config.tenants.keys()].sort();
  const specNames = [...config.tokenSpecs.keys()].sort();
  let labelId = 0;
  const label = (env, l) => ocm.env(env).labels.push({ id: `label${String(++labelId).padStart(8, "0")}`, ...l });
  for (const env of environments) {
    const state = ocm.env(env);
    for (const org of orgsByEnv.get(env) ?? []) {
      state.organizations.set(org.organizationId, {
        id: org.organizationId,
        name: org.displayName,
        external_id: String(1e7 + random.int(9e6))
      });
    }
    for (let i = 0; i < 3; i++) {
      const id = `disallowed${env.slice(0, 3)}${random.string(15, OCM_ID)}`;
      state.organizations.set(id, { id, name: `Not allowed ${i + 1}`, external_id: String(2e7 + i) });
    }
  }
  const orgLabelled = /* @__PURE__ */ new Set();
  for (const env of environments) {
    for (const org of orgsByEnv.get(env) ?? []) {
      if (!random.chance(d.organizationLabelShare)) continue;
      const pair = allowedPairs(config, org.organizationId)[0];
      if (!pair) continue;
      orgLabelled.add(org.organizationId);
      label(env, {
        key: "sre-capabilities.dtp.v3.org.tenant",
        value: pair.tenant.environmentId,
        type: "Organization",
        organization_id: org.organizationId
      });
      label(env, {
        key: "sre-capabilities.dtp.v3.org.token-spec",
        value: pair.spec.name,
        type: "Organization",
        organization_id: org.organizationId
      });
    }
  }
  let labelled = 0;
  for (let i = 0; i < d.clusters; i++) {
    const env = environments[i % environments.length];
    if (env === void 0) break;
    const state = ocm.env(env);
    const allowedHere = orgsByEnv.get(env) ?? [];
    const disallowed = allowedHere.length === 0 || random.chance(d.disallowedShare);
    const orgId = disallowed ? random.pick([...state.organizations.keys()].filter((id) => id.startsWith("disallowed"))) : random.pick(allowedHere).organizationId;
    const subscriptionId = random.string(27, OCM_ID);
    const clusterId = random.string(32, OCM_ID);
    const externalId = random.uuid();
    const hcp = random.chance(d.hcpShare);
    const notReady = random.chance(d.notReadyShare);
    state.subscriptions.set(subscriptionId, {
      id: subscriptionId,
      organization_id: orgId,
      cluster_id: clusterId,
      external_cluster_id: externalId,
      status: "Active"
    });
    state.clusters.set(clusterId, {
      id: clusterId,
      external_id: externalId,
      name: `${env.slice(0, 4)}-${hcp ? "hcp" : "osd"}-${String(i).padStart(5, "0")}`,
      state: notReady ? random.pick(["installing", "hibernating"]) : "ready",
      managed: true,
      hcp,
      subscriptionId,
      product: hcp ? "rosa" : random.pick(["osd", "rosa"])
    });
    if (orgLabelled.has(orgId)) {
      labelled++;
      continue;
    }
    const sub = (key, value) => label(env, { key, value, type: "Subscription", subscription_id: subscriptionId });
    const pairs = disallowed ? tenantIds.flatMap(
      (t) => specNames.map((s) => ({ tenant: config.tenants.get(t), spec: config.tokenSpecs.get(s) }))
    ) : allowedPairs(config, orgId);
    if (pairs.length === 0) continue;
    labelled++;
    const first = random.pick(pairs);
    if (random.chance(d.mislabelledShare)) {
      const kind = random.int(3);
      if (kind === 0) sub("sre-capabilities.dtp.v3.main.tenant", "unknown00");
      else sub("sre-capabilities.dtp.v3.main.tenant", first.tenant.environmentId);
      sub(
        "sre-capabilities.dtp.v3.main.token-spec",
        kind === 1 ? "no-such-spec" : kind === 2 ? "bad value!" : first.spec.name
      );
      continue;
    }
    if (random.chance(d.v2Share)) {
      sub("sre-capabilities.dtp.v2.tenant", first.tenant.environmentId);
      sub("sre-capabilities.dtp.v2.token-spec", first.spec.name);
      continue;
    }
    sub("sre-capabilities.dtp.v3.main.tenant", first.tenant.environmentId);
    sub("sre-capabilities.dtp.v3.main.token-spec", first.spec.name);
    if (random.chance(d.multiBindingShare)) {
      const second = pairs.find(
        (p) => p.spec.name !== first.spec.name && secretsDisjoint(p.spec, first.spec)
      );
      if (second) {
        sub("sre-capabilities.dtp.v3.extra.tenant", second.tenant.environmentId);
        sub("sre-capabilities.dtp.v3.extra.token-spec", second.spec.name);
      }
    }
  }
  for (let i = 0; i < Math.ceil(d.clusters / 10) && environments.length > 0; i++) {
    const env = environments[i % environments.length];
    const subscriptionId = random.string(27, OCM_ID);
    const clusterId = random.string(32, OCM_ID);
    const state = ocm.env(env);
    const orgId = [...state.organizations.keys()][0] ?? "unknown-org";
    state.subscriptions.set(subscriptionId, {
      id: subscriptionId,
      organization_id: orgId,
      cluster_id: clusterId,
      status: "Active"
    });
    state.clusters.set(clusterId, {
      id: clusterId,
      external_id: random.uuid(),
      name: `${env.slice(0, 4)}-unlabelled-${i}`,
      state: "ready",
      managed: true,
      hcp: false,
      subscriptionId,
      product: "osd"
    });
  }
  return { clusters: d.clusters, labelled, credentials };
}

// src/sandbox/sandbox.ts
var Sandbox = class {
  constructor(options) {
    this.options = options;
    const seed = options.seed ?? options.fleet.seed ?? 1;
    this.#maxRecords = options.maxRecords ?? 1e6;
    this.dynatrace = new DynatraceSim(new Random(seed + 7));
    const record = (r) => {
      this.records.push(r);
      if (this.records.length > this.#maxRecords)
        this.records.splice(0, this.records.length - this.#maxRecords);
    };
    const observe = (system) => options.onExchange ? (op, req, res) => options.onExchange(system, op, req, res) : void 0;
    this.servers = {
      ocm: new SimServer({
        system: "ocm",
        routes: this.ocm.routes(),
        errorBody: (s, m) => ocmError(s, m),
        seed: seed + 1,
        record,
        onExchange: observe("ocm")
      }),
      sso: new SimServer({
        system: "sso",
        routes: this.ocm.ssoRoutes(),
        errorBody: (_s, m) => ({ error: "server_error", error_description: m }),
        seed: seed + 2,
        record,
        onExchange: observe("sso")
      }),
      dynatrace: new SimServer({
        system: "dynatrace",
        routes: this.dynatrace.routes(),
        errorBody: (s, m) => dynatraceError(s, m),
        // Dynatrace answers a full queue with its rate-limit headers; the reset is in microseconds.
        rateLimitAnswer: (retryAfterS, limit) => ({
          status: 429,
          body: dynatraceError(429, "Too Many Requests"),
          headers: {
            "retry-after": String(retryAfterS),
            "x-ratelimit-limit": String(limit),
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": String((Date.now() + retryAfterS * 1e3) * 1e3)
          }
        }),
        seed: seed + 3,
        record,
        onExchange: observe("dynatrace")
      }),
      vault: new SimServer({
        system: "vault",
        routes: this.vault.routes(),
        errorBody: (_s, m) => vaultError(m),
        seed: seed + 4,
        record,
        onExchange: observe("vault")
      })
    };
  }
  options;
  ocm = new OcmSim();
  dynatrace;
  vault = new VaultSim();
  records = [];
  servers;
  fleet;
  #maxRecords;
  async start() {
    await Promise.all(Object.values(this.servers).map((s) => s.listen()));
    this.fleet = seedFleet(
      { ocm: this.ocm, dynatrace: this.dynatrace, vault: this.vault },
      this.options.config,
      this.options.fleet
    );
    return this;
  }
  async close() {
    await Promise.all(Object.values(this.servers).map((s) => s.close()));
  }
  /** Settings (as DTP_* variables) that point dtp at this sandbox with AppRole login. */
  settings() {
    return {
      DTP_VAULT_ADDR: this.servers.vault.url,
      DTP_VAULT_AUTH_METHOD: "approle",
      DTP_VAULT_ROLE_ID: this.fleet.credentials.vaultRoleId,
      DTP_VAULT_SECRET_ID: this.fleet.credentials.vaultSecretId,
      DTP_OCM_URL: `${this.servers.ocm.url}/{environment}`,
      DTP_OCM_SSO_URL: `${this.servers.sso.url}/{environment}/token`,
      DTP_DYNATRACE_URL: `${this.servers.dynatrace.url}/e/{tenant}`
    };
  }
  /** Faults for one system; replaces that system's plan. */
  setFaults(system, plan) {
    this.servers[system].setFaults(plan);
  }
  clearFaults() {
    for (const s of Object.values(this.servers)) s.setFaults({});
  }
  /** Requests that changed something (POST, PUT, PATCH, DELETE), SSO and Vault logins excluded. */
  writes(records = this.records) {
    return records.filter(
      (r) => r.method !== "GET" && (r.system === "ocm" || r.system === "dynatrace" && r.operation !== "lookupToken")
    );
  }
  /** Every dtp token per tenant, with its value (tests compare it with the delivered Secrets). */
  tokens(tenant) {
    return [...this.dynatrace.tenants.get(tenant)?.tokens.values() ?? []].filter(
      (t) => t.name.startsWith(TOKEN_PREFIX)
    );
  }
  /** Every delivery object dtp owns, per environment and cluster. */
  deliveries() {
    const out = [];
    for (const env of this.ocm.environments.values()) {
      for (const [kind, store] of [
        ["SyncSet", env.syncsets],
        ["Manifest", env.manifests]
      ]) {
        for (const [clusterId, objects] of store) {
          const d = objects.get(DELIVERY_ID);
          if (d) out.push({ environment: env.name, clusterId, kind, items: d.items });
        }
      }
    }
    return out;
  }
  audit() {
    const referenced = /* @__PURE__ */ new Set();
    const deadSecrets = [];
    const deliveries = this.deliveries();
    for (const d of deliveries) {
      for (const item of d.items) {
        if (item?.kind !== "Secret" || !item.data) continue;
        const data = Object.fromEntries(
          Object.entries(item.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")])
        );
        const tenant = /^https?:\/\/([^./]+)\./.exec(data.apiUrl ?? "")?.[1] ?? "";
        const state = this.dynatrace.tenants.get(tenant);
        for (const [key, value] of Object.entries(data)) {
          if (key === "apiUrl" || key.endsWith("Id") || !value.startsWith("dt0c01.")) continue;
          const live = state?.byValue.get(value);
          if (live) referenced.add(`${tenant}/${live.id}`);
          else
            deadSecrets.push({
              environment: d.environment,
              cluster: d.clusterId,
              secret: `${item.metadata?.namespace}/${item.metadata?.name}`,
              key
            });
        }
      }
    }
    const orphanTokens = [];
    const duplicateNames = [];
    let tokens = 0;
    for (const tenant of this.dynatrace.tenants.keys()) {
      const counts = /* @__PURE__ */ new Map();
      for (const t of this.tokens(tenant)) {
        tokens++;
        counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
        if (!referenced.has(`${tenant}/${t.id}`)) orphanTokens.push({ tenant, id: t.id, name: t.name });
      }
      for (const [name, count] of counts) if (count > 1) duplicateNames.push({ tenant, name, count });
    }
    return { tokens, deliveries: deliveries.length, orphanTokens, deadSecrets, duplicateNames };
  }
};
async function startSandbox(options) {
  return new Sandbox(options).start();
}

// src/sandbox/cli.ts
var SANDBOX_USAGE = `dtp sandbox \u2014 OCM, Dynatrace and Vault simulators on 127.0.0.1 with a seeded fleet

Usage: dtp sandbox [--config tenants] [--clusters 1000] [--seed 1] [--hcp-share 0.3] [--env-file path] [--json]

Prints the settings (DTP_* variables) that point dtp at the simulators, then serves until Ctrl-C.
The credentials it prints are the sandbox's own, valid only against it.`;
async function loadOrFail(dir) {
  const loaded = await loadConfig(dir);
  if (!loaded.config) {
    const first = loaded.diagnostics.find((d) => d.severity === "error");
    throw new UserError(
      `configuration in ${dir} is invalid${first ? `: ${first.file}:${first.line}: ${first.message}` : ""}`,
      "Run `dtp validate --config <dir>` to see every problem."
    );
  }
  return loaded.config;
}
function number(value, name, fallback, min, max) {
  if (value === void 0) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UserError(`--${name} must be a number between ${min} and ${max}, got "${value}"`);
  }
  return n;
}
async function sandboxMain(args) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: "string" },
        clusters: { type: "string" },
        seed: { type: "string" },
        "hcp-share": { type: "string" },
        "env-file": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" }
      },
      strict: true
    }).values;
  } catch (error) {
    throw new UserError(error.message, "Run `dtp sandbox --help`.");
  }
  if (parsed.help) {
    console.log(SANDBOX_USAGE);
    return ExitCode.ok;
  }
  const started = performance.now();
  const configDir = parsed.config ?? "tenants";
  const config = await loadOrFail(configDir);
  const fleet = {
    clusters: number(parsed.clusters, "clusters", 1e3, 0, 2e5),
    seed: number(parsed.seed, "seed", 1, 0, 2 ** 31),
    hcpShare: number(parsed["hcp-share"], "hcp-share", 0.3, 0, 1)
  };
  const sandbox = await startSandbox({ config, fleet, maxRecords: 1e5 });
  const settings = { ...sandbox.settings(), DTP_CONFIG: configDir };
  const readyMs = Math.round(performance.now() - started);
  if (parsed["env-file"]) {
    writeFileSync(
      parsed["env-file"],
      Object.entries(settings).map(([k, v]) => `${k}=${v}`).join("\n") + "\n",
      { mode: 384 }
    );
  }
  if (parsed.json) {
    console.log(
      JSON.stringify({
        readyMs,
        clusters: fleet.clusters,
        labelled: sandbox.fleet.labelled,
        urls: Object.fromEntries(Object.entries(sandbox.servers).map(([k, s]) => [k, s.url])),
        settings
      })
    );
  } else {
    console.log(
      `sandbox ready in ${readyMs} ms: ${fleet.clusters} clusters (${sandbox.fleet.labelled} labelled for dtp), config ${configDir}`
    );
    for (const [name, server] of Object.entries(sandbox.servers))
      console.log(`  ${name.padEnd(10)} ${server.url}`);
    console.log("\nPoint dtp at it (sandbox-only credentials):\n");
    for (const [k, v] of Object.entries(settings)) console.log(`export ${k}='${v}'`);
    console.log("\nthen: npx dtp plan   or   npx dtp reconcile        (Ctrl-C stops the sandbox)");
  }
  await new Promise((resolveStop) => {
    process.once("SIGINT", resolveStop);
    process.once("SIGTERM", resolveStop);
  });
  await sandbox.close();
  return ExitCode.ok;
}
async function runAgainst(sandbox, mode, extra = {}, output = {}) {
  const settings = {
    ...sandbox.settings(),
    DTP_MODE: mode,
    DTP_HTTP_TIMEOUT: "10",
    DTP_SERVICE_LOGS: "true",
    ...extra
  };
  const options = resolveOptions((name) => settings[`DTP_${name.toUpperCase().replace(/-/g, "_")}`]);
  const platform = plainPlatform({
    summaryPath: join(options.reportDir, "summary.md"),
    verbose: options.verbose,
    ...output
  });
  return runWithReport(options, platform);
}
async function demoMain(args) {
  const configDir = args.find((a) => !a.startsWith("-")) ?? "tenants";
  const config = await loadOrFail(configDir);
  const outDir = resolve("dtp-report");
  const sandbox = await startSandbox({ config, fleet: { clusters: 60, seed: 7 } });
  try {
    console.log(
      `== sandbox: ${sandbox.fleet.clusters} clusters in ${config.ocmEnvironments.size} OCM environments, ${config.tenants.size} Dynatrace tenants (config ${configDir})`
    );
    const before = sandbox.records.length;
    console.log("\n== run 1: reconcile a fleet that has no tokens yet");
    const cold = await runAgainst(sandbox, "reconcile", {
      DTP_CONFIG: configDir,
      DTP_REPORT_DIR: join(outDir, "cold")
    });
    const coldWrites = sandbox.writes(sandbox.records.slice(before)).length;
    const mid = sandbox.records.length;
    console.log("\n== run 2: reconcile again: the steady state must change nothing");
    const steady = await runAgainst(sandbox, "reconcile", {
      DTP_CONFIG: configDir,
      DTP_REPORT_DIR: join(outDir, "steady")
    });
    const steadyWrites = sandbox.writes(sandbox.records.slice(mid)).length;
    const audit = sandbox.audit();
    console.log("\n== result");
    console.log(`  run 1: exit ${cold.exitCode}, ${coldWrites} writes to OCM and Dynatrace`);
    console.log(`  run 2: exit ${steady.exitCode}, ${steadyWrites} writes`);
    console.log(
      `  audit: ${audit.tokens} dtp tokens, ${audit.deliveries} delivery objects, ${audit.orphanTokens.length} orphan tokens, ${audit.deadSecrets.length} Secrets without a live token, ${audit.duplicateNames.length} duplicate names`
    );
    console.log(
      `  reports: ${join(outDir, "cold")}/ and ${join(outDir, "steady")}/ (report.json, summary.md, metrics.prom)`
    );
    const clean = audit.orphanTokens.length === 0 && audit.deadSecrets.length === 0 && audit.duplicateNames.length === 0;
    return steadyWrites === 0 && clean && cold.exitCode === 0 ? ExitCode.ok : ExitCode.clustersFailed;
  } finally {
    await sandbox.close();
    await closeHttpAgents();
  }
}
export {
  demoMain,
  runAgainst,
  sandboxMain
};
//# sourceMappingURL=cli-IPKSLXIU.js.map
