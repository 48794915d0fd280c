/**
 * Contract checks against the REAL published specs (trimmed copies in specs/, see specs/README.md): every
 * request a simulator accepts and every response it produces can be validated here, so the simulators
 * cannot drift into a friendlier API than the one dtp meets in production.
 *
 * OpenAPI 3.0 schemas are converted to JSON Schema (draft-07) for ajv: `nullable`, boolean
 * `exclusiveMinimum`/`exclusiveMaximum`, `$ref` siblings ignored, annotations (`description`, `example`,
 * `x-*`, `discriminator`, `readOnly` …) dropped, formats outside the OpenAPI/JSON Schema set (Vault's
 * `lowercase`, `map`) dropped. Each spec is registered once under its own `$id`; operation schemas refer
 * into it. Validators are compiled on first use and cached per operation and response key.
 *
 * Known spec defects live ONLY in RULES below (exported as SPEC_EXCEPTIONS), each with its reason.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import ocmAccounts from '../../specs/ocm/accounts_mgmt.json' with { type: 'json' };
import ocmClusters from '../../specs/ocm/clusters_mgmt.json' with { type: 'json' };
import ocmLogs from '../../specs/ocm/service_logs.json' with { type: 'json' };
import dynatraceEnvV2 from '../../specs/dynatrace/env-v2.json' with { type: 'json' };
import vaultSpec from '../../specs/vault/openapi.json' with { type: 'json' };

export type System = 'ocm' | 'dynatrace' | 'vault';

export interface Exchange {
  system: System;
  method: string;
  /**
   * Without query. OCM: the full `/api/...` path; Dynatrace: relative to `/api/v2` (`/apiTokens/dt0c01.ABC`);
   * Vault: relative to `/v1` (`/secret/data/dtp/tenants/abc`). A leading `/api/v2` or `/v1` is tolerated.
   */
  path: string;
  query?: Record<string, string>;
  status: number;
  requestBody?: unknown;
  responseBody?: unknown;
}

export interface ContractProblem {
  /** `METHOD template` as in the spec, e.g. `GET /api/clusters_mgmt/v1/clusters/{cluster_id}`. */
  operation: string;
  where: 'request' | 'response';
  /** JSON pointer into the body (`/items/0/id`), `?name` for a query parameter, '' for the whole message. */
  field: string;
  message: string;
}

export interface SpecException {
  system: System;
  /** `METHOD template`, or `*` for every operation of the system. */
  operation: string;
  /** Where the spec is overridden: a pointer into the spec document, or the body member validated. */
  field: string;
  reason: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Rule extends SpecException {
  /** Replace the converted schema at `field` (a pointer into the spec document) by this JSON Schema. */
  replaceWith?: JsonObject;
  /** The response schema describes this member of the body (not the body itself). */
  responseMember?: string;
}

/** Spec files, by the name used in their `$id`. */
const SPECS = {
  'ocm/accounts_mgmt': { system: 'ocm', doc: ocmAccounts },
  'ocm/clusters_mgmt': { system: 'ocm', doc: ocmClusters },
  'ocm/service_logs': { system: 'ocm', doc: ocmLogs },
  'dynatrace/env-v2': { system: 'dynatrace', doc: dynatraceEnvV2 },
  'vault/openapi': { system: 'vault', doc: vaultSpec },
} as const satisfies Record<string, { system: System; doc: object }>;
type SpecName = keyof typeof SPECS;

const OCM_ERROR_ID = '/components/schemas/Error/properties/id';

/** The one place where the published specs are corrected. */
const RULES: readonly Rule[] = [
  {
    system: 'ocm',
    operation: '*',
    field: OCM_ERROR_ID,
    reason:
      'All three OCM specs (accounts_mgmt, clusters_mgmt, service_logs) type Error.id as integer (int32), but the ' +
      'real servers send the HTTP status as a string (`"id": "404"`); the ocm-sdk-go errors package decodes it ' +
      'as *string. Accept integer or string.',
    replaceWith: { type: ['integer', 'string'] },
  },
  {
    system: 'dynatrace',
    operation: '*',
    field: '/components/schemas/ApiTokenList/properties/nextPageKey',
    reason:
      'ApiTokenList.nextPageKey is documented as "Has the value of `null` on the last page" but typed as a ' +
      'plain (non-nullable) string. Accept null.',
    replaceWith: { type: ['string', 'null'] },
  },
  {
    system: 'dynatrace',
    operation: '*',
    field: '/components/schemas/ApiToken/properties/scopes/items',
    reason:
      'The spec is a 2022 snapshot (1.254): tokens listed or looked up on a current tenant carry scopes added ' +
      'since (openpipeline.*, hub.install, …) that are missing from the ApiToken.scopes enum. Responses accept ' +
      'any scope string; requests (ApiTokenCreate, ApiTokenUpdate) keep the enum.',
    replaceWith: { type: 'string' },
  },
  {
    system: 'vault',
    operation: '*',
    field: '/data',
    reason:
      "vault-client-go's spec describes only the `data` member of Vault's response envelope {request_id, " +
      'lease_id, renewable, lease_duration, data, wrap_info, warnings, auth} (e.g. KvV2ReadResponse = ' +
      '{data, metadata}); response schemas are applied to the body at /data.',
    responseMember: 'data',
  },
];

export const SPEC_EXCEPTIONS: ReadonlyArray<SpecException> = RULES.map(
  ({ system, operation, field, reason }) => ({
    system,
    operation,
    field,
    reason,
  }),
);

// ---------------------------------------------------------------------------------------------------------
// OpenAPI 3.0 -> JSON Schema

/** Formats ajv-formats knows with the OpenAPI meaning; any other `format` is an annotation and dropped. */
const FORMATS = new Set([
  'date-time',
  'date',
  'int32',
  'int64',
  'float',
  'double',
  'byte',
  'uuid',
  'email',
  'uri',
]);
const COPIED = [
  'type',
  'enum',
  'required',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON Schema for one OpenAPI 3.0 schema; `#/...` refs become `<base>#/...`. */
function convert(schema: unknown, base: string): Json {
  if (!isObject(schema)) return typeof schema === 'boolean' ? schema : {};
  if (typeof schema.$ref === 'string') {
    // OpenAPI 3.0: siblings of $ref are ignored.
    return { $ref: schema.$ref.startsWith('#') ? base + schema.$ref : schema.$ref };
  }
  const out: JsonObject = {};
  for (const key of COPIED) {
    const value = schema[key];
    if (value === undefined) continue;
    if (key === 'required' && (!Array.isArray(value) || value.length === 0)) continue;
    out[key] = value;
  }
  if (typeof schema.format === 'string' && FORMATS.has(schema.format)) out.format = schema.format;
  for (const [bound, limit] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const value = schema[bound];
    if (value === true && typeof schema[limit] === 'number') {
      out[bound] = schema[limit];
      delete out[limit];
    } else if (typeof value === 'number') out[bound] = value;
  }
  if (isObject(schema.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, s]) => [name, convert(s, base)]),
    );
  }
  if (schema.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof schema.additionalProperties === 'boolean'
        ? schema.additionalProperties
        : convert(schema.additionalProperties, base);
  }
  if (schema.items !== undefined) out.items = convert(schema.items, base);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) out[key] = list.map((s) => convert(s, base));
  }
  if (schema.not !== undefined) out.not = convert(schema.not, base);
  if (schema.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.type === undefined) {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Operations and path matching

interface Operation {
  /** `METHOD template`. */
  name: string;
  spec: SpecName;
  base: string;
  method: string;
  template: string;
  /** Template segments; `{x}` are parameters. */
  segments: string[];
  literals: number;
  /** The last segment may span several path segments (Vault's `{path}`). */
  greedyTail: boolean;
  /** Defaults of path parameters, by segment index (Vault mount paths: approle, jwt, kubernetes). */
  defaults: Map<number, string>;
  raw: JsonObject;
  parameters: JsonObject[];
  rules: Rule[];
  cache: Map<string, ValidateFunction | null>;
}

const SPEC_ID = (name: string): string => `https://dtp.invalid/specs/${name}.json`;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let state: { ajv: Ajv; operations: Map<System, Operation[]> } | undefined;

function pointerGet(doc: Json, pointer: string): { parent: JsonObject; key: string } | undefined {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Json = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node)) return undefined;
    node = node[part] as Json;
  }
  const key = parts[parts.length - 1];
  if (!isObject(node) || key === undefined || !(key in node)) return undefined;
  return { parent: node, key };
}

function resolveLocal(doc: JsonObject, value: unknown): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.$ref !== 'string' || !value.$ref.startsWith('#/')) return value;
  const at = pointerGet(doc, value.$ref.slice(1));
  return at ? resolveLocal(doc, at.parent[at.key]) : undefined;
}

function init(): NonNullable<typeof state> {
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false });
  formats.default(ajv);
  const operations = new Map<System, Operation[]>();
  for (const [name, { system, doc }] of Object.entries(SPECS) as [SpecName, (typeof SPECS)[SpecName]][]) {
    const raw = doc as unknown as JsonObject;
    const base = SPEC_ID(name);
    const rawSchemas =
      isObject(raw.components) && isObject(raw.components.schemas) ? raw.components.schemas : {};
    const converted: JsonObject = {
      $id: base,
      components: {
        schemas: Object.fromEntries(Object.entries(rawSchemas).map(([k, s]) => [k, convert(s, base)])),
      },
    };
    const rules = RULES.filter((r) => r.system === system);
    for (const rule of rules) {
      if (!rule.replaceWith) continue;
      const at = pointerGet(converted, rule.field);
      // Every OCM file has the Error schema; a rule that no longer finds its target means the spec changed.
      if (!at) throw new Error(`contract: exception target ${rule.field} not found in specs/${name}.json`);
      at.parent[at.key] = rule.replaceWith;
    }
    ajv.addSchema(converted as object);

    const list = operations.get(system) ?? [];
    for (const [template, item] of Object.entries(isObject(raw.paths) ? raw.paths : {})) {
      if (!isObject(item)) continue;
      const segments = template.split('/').slice(1);
      const defaults = new Map<number, string>();
      const pathParams = Array.isArray(item.parameters) ? item.parameters : [];
      for (const method of METHODS) {
        const op = item[method];
        if (!isObject(op)) continue;
        const params = new Map<string, JsonObject>();
        for (const p of [...pathParams, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
          const resolved = resolveLocal(raw, p);
          if (resolved) params.set(`${String(resolved.in)}:${String(resolved.name)}`, resolved);
        }
        segments.forEach((seg, i) => {
          const param = /^\{(.+)\}$/.exec(seg)?.[1];
          const schema = param ? params.get(`path:${param}`)?.schema : undefined;
          if (isObject(schema) && typeof schema.default === 'string') defaults.set(i, schema.default);
        });
        const opName = `${method.toUpperCase()} ${template}`;
        list.push({
          name: opName,
          spec: name,
          base,
          method: method.toUpperCase(),
          template,
          segments,
          literals: segments.filter((s) => !s.startsWith('{')).length,
          greedyTail: system === 'vault' && segments[segments.length - 1] === '{path}',
          defaults,
          raw: op,
          parameters: [...params.values()],
          rules: rules.filter((r) => r.operation === '*' || r.operation === opName),
          cache: new Map(),
        });
      }
    }
    operations.set(system, list);
  }
  return { ajv, operations };
}

function matches(op: Operation, parts: string[]): boolean {
  const n = op.segments.length;
  if (op.greedyTail ? parts.length < n : parts.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const seg = op.segments[i]!;
    const part = parts[i]!;
    if (seg.startsWith('{') ? part === '' : seg !== part) return false;
  }
  return true;
}

function defaultHits(op: Operation, parts: string[]): number {
  let hits = 0;
  for (const [i, value] of op.defaults) if (parts[i] === value) hits++;
  return hits;
}

function normalisePath(system: System, path: string): string[] {
  let p = path.split('?')[0] ?? '';
  if (system === 'dynatrace' && p.startsWith('/api/v2/')) p = p.slice('/api/v2'.length);
  if (system === 'vault' && p.startsWith('/v1/')) p = p.slice('/v1'.length);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p.split('/').slice(1);
}

// ---------------------------------------------------------------------------------------------------------
// Validation

function jsonContentSchema(content: unknown): unknown {
  if (!isObject(content)) return undefined;
  const key = Object.keys(content).find((k) => /^application\/(.+\+)?json\b/i.test(k));
  const media = key ? content[key] : undefined;
  return isObject(media) ? media.schema : undefined;
}

function validator(op: Operation, key: string, schema: () => unknown): ValidateFunction | null {
  if (op.cache.has(key)) return op.cache.get(key)!;
  const s = schema();
  const fn = s === undefined ? null : state!.ajv.compile(convert(s, op.base) as object);
  op.cache.set(key, fn);
  return fn;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function toProblems(
  op: Operation,
  where: ContractProblem['where'],
  errors: ErrorObject[] | null | undefined,
  prefix = '',
): ContractProblem[] {
  const out: ContractProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let field = prefix + e.instancePath;
    let message = e.message ?? e.keyword;
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      field += `/${String(params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field += `/${String(params.additionalProperty)}`;
      message = 'is not allowed';
    } else if (e.keyword === 'enum') {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [];
      message = `${describe(e.data)} is not one of the allowed values${
        allowed.length <= 12
          ? ` (${allowed.map((v) => describe(v)).join(', ')})`
          : ` (${allowed.length} values)`
      }`;
    } else if (e.keyword === 'type') {
      message = `must be ${String(params.type).split(',').join(' or ')} (got ${describe(e.data)})`;
    } else if (e.keyword === 'format') {
      message = `${message} (got ${describe(e.data)})`;
    }
    const id = `${field}\n${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ operation: op.name, where, field, message });
  }
  return out;
}

function coerceQuery(value: string, schema: unknown): unknown {
  const type = isObject(schema) ? schema.type : undefined;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value))
    return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  if (type === 'array') return value.split(',');
  return value;
}

function checkOperation(op: Operation, x: Exchange): ContractProblem[] {
  const problems: ContractProblem[] = [];

  // Query parameters: declared ones are typed; undeclared ones are not an error (servers ignore them).
  const queryParams = op.parameters.filter((p) => p.in === 'query' && typeof p.name === 'string');
  for (const p of queryParams) {
    const name = p.name as string;
    const value = x.query?.[name];
    if (value === undefined) {
      if (p.required === true)
        problems.push({ operation: op.name, where: 'request', field: `?${name}`, message: 'is required' });
      continue;
    }
    const fn = validator(op, `query:${name}`, () => p.schema ?? {});
    if (fn && !fn(coerceQuery(value, p.schema))) {
      for (const e of toProblems(op, 'request', fn.errors))
        problems.push({ ...e, field: `?${name}${e.field}` });
    }
  }

  // Request body.
  const requestBody = resolveLocal(SPECS[op.spec].doc as unknown as JsonObject, op.raw.requestBody);
  if (requestBody) {
    const fn = validator(op, 'request', () => jsonContentSchema(requestBody.content));
    if (x.requestBody === undefined) {
      if (requestBody.required === true)
        problems.push({
          operation: op.name,
          where: 'request',
          field: '',
          message: 'a JSON body is required',
        });
    } else if (fn && !fn(x.requestBody)) {
      problems.push(...toProblems(op, 'request', fn.errors));
    }
  }

  // Response: exact status, else its range (`2XX`), else `default` (OpenAPI precedence).
  const responses = isObject(op.raw.responses) ? op.raw.responses : {};
  const status = String(x.status);
  const range = `${status[0]}XX`;
  const key =
    status in responses
      ? status
      : range in responses
        ? range
        : range.toLowerCase() in responses
          ? range.toLowerCase()
          : 'default' in responses
            ? 'default'
            : undefined;
  const success = Object.keys(responses).filter((k) => /^2(\d\d|XX)$/i.test(k));
  if (x.status >= 200 && x.status < 300 && success.length > 0 && (key === undefined || key === 'default')) {
    problems.push({
      operation: op.name,
      where: 'response',
      field: '',
      message: `status ${status} is not a documented success status (documented: ${success.join(', ')})`,
    });
    return problems;
  }
  if (key === undefined) return problems; // undocumented error status: nothing to check the body against
  const response = resolveLocal(SPECS[op.spec].doc as unknown as JsonObject, responses[key]);
  const schema = response ? jsonContentSchema(response.content) : undefined;
  const empty = x.responseBody === undefined || x.responseBody === null || x.responseBody === '';
  if (schema === undefined) {
    if (x.status === 204 && !empty)
      problems.push({
        operation: op.name,
        where: 'response',
        field: '',
        message: 'status 204 must have no body',
      });
    return problems;
  }
  const fn = validator(op, `response:${key}`, () => schema);
  if (!fn) return problems;
  if (x.responseBody === undefined) {
    problems.push({ operation: op.name, where: 'response', field: '', message: 'a JSON body is expected' });
    return problems;
  }
  const member = op.rules.find((r) => r.responseMember !== undefined)?.responseMember;
  if (member !== undefined) {
    const body = x.responseBody;
    if (!isObject(body) || !(member in body)) {
      problems.push({ operation: op.name, where: 'response', field: `/${member}`, message: 'is required' });
    } else if (!fn(body[member])) {
      problems.push(...toProblems(op, 'response', fn.errors, `/${member}`));
    }
  } else if (!fn(x.responseBody)) {
    problems.push(...toProblems(op, 'response', fn.errors));
  }
  return problems;
}

function candidatesOf(x: Exchange): { parts: string[]; byPath: Operation[]; candidates: Operation[] } {
  state ??= init();
  const method = x.method.toUpperCase();
  const parts = normalisePath(x.system, x.path);
  const byPath = (state.operations.get(x.system) ?? []).filter((op) => matches(op, parts));
  return { parts, byPath, candidates: byPath.filter((op) => op.method === method) };
}

/** Most literal segments first, then most path-parameter defaults hit (Vault mounts at their default path). */
function mostSpecific(candidates: Operation[], parts: string[]): Operation[] {
  const rank = (op: Operation): number => op.literals * 100 + defaultHits(op, parts);
  const best = Math.max(...candidates.map(rank));
  return candidates.filter((op) => rank(op) === best);
}

/** Top-level request body members the operation's schema does not declare. */
function undeclaredMembers(op: Operation, body: unknown): number {
  if (!isObject(body)) return 0;
  const doc = SPECS[op.spec].doc as unknown as JsonObject;
  const requestBody = resolveLocal(doc, op.raw.requestBody);
  const schema = resolveLocal(doc, requestBody ? jsonContentSchema(requestBody.content) : undefined);
  const declared = schema && isObject(schema.properties) ? schema.properties : {};
  return Object.keys(body).filter((k) => !(k in declared)).length;
}

/**
 * Among equally specific operations (e.g. Vault logins on custom mount paths, whose schemas require nothing)
 * the one whose schema declares most of the body's members, then the one with fewest problems, then the
 * first in spec order.
 */
function bestFit(top: Operation[], x: Exchange): { op: Operation; problems: ContractProblem[] } {
  let best: { op: Operation; problems: ContractProblem[]; undeclared: number } | undefined;
  for (const op of top) {
    const problems = checkOperation(op, x);
    const undeclared = undeclaredMembers(op, x.requestBody);
    if (
      !best ||
      undeclared < best.undeclared ||
      (undeclared === best.undeclared && problems.length < best.problems.length)
    ) {
      best = { op, problems, undeclared };
    }
  }
  return best!;
}

/** The spec operation (`METHOD template`) an exchange is checked against; undefined when none matches. */
export function matchOperation(x: Exchange): string | undefined {
  const { parts, candidates } = candidatesOf(x);
  if (candidates.length === 0) return undefined;
  const top = mostSpecific(candidates, parts);
  return top.length === 1 ? top[0]!.name : bestFit(top, x).op.name;
}

/** Problems of one exchange against the published spec; [] when it conforms. */
export function checkExchange(x: Exchange): ContractProblem[] {
  const { parts, byPath, candidates } = candidatesOf(x);
  const method = x.method.toUpperCase();
  if (candidates.length === 0) {
    const templates = [...new Set(byPath.map((op) => op.template))];
    return [
      {
        operation: `${method} ${x.path}`,
        where: 'request',
        field: '',
        message:
          templates.length === 0
            ? `unknown operation: no path of the ${x.system} specs matches ${x.path}`
            : `unknown operation: ${templates.join(', ')} has no ${method} (only ${byPath.map((op) => op.method).join(', ')})`,
      },
    ];
  }
  const top = mostSpecific(candidates, parts);
  return top.length === 1 ? checkOperation(top[0]!, x) : bestFit(top, x).problems;
}

/** Throws when the exchange does not conform; the message names operation, side, field and problem. */
export function assertExchange(x: Exchange): void {
  const problems = checkExchange(x);
  const first = problems[0];
  if (!first) return;
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : '';
  throw new Error(
    `contract violation [${x.system}] ${first.operation} ${first.where} ${first.field || '(body)'}: ${first.message}${more}`,
  );
}
