/**
 * The published JSON Schemas (schemas/*.json), imported so the bundle carries the very files editors use,
 * and compiled once. Also an index of every field the schemas define, for "did you mean" and "this field
 * belongs elsewhere" hints.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import * as generated from './validators.generated.js';
import allowedOrganization from '../../schemas/allowed-organization.schema.json' with { type: 'json' };
import common from '../../schemas/common.schema.json' with { type: 'json' };
import dtp from '../../schemas/dtp.schema.json' with { type: 'json' };
import dynatraceTenant from '../../schemas/dynatrace-tenant.schema.json' with { type: 'json' };
import ocmEnvironment from '../../schemas/ocm-environment.schema.json' with { type: 'json' };
import tokenSpec from '../../schemas/token-spec.schema.json' with { type: 'json' };
import type { Kind } from './types.js';

/** Every file in schemas/, by file name, exactly as published. */
export const SCHEMA_FILES: Readonly<Record<string, object>> = {
  'common.schema.json': common,
  'dtp.schema.json': dtp,
  'dynatrace-tenant.schema.json': dynatraceTenant,
  'token-spec.schema.json': tokenSpec,
  'allowed-organization.schema.json': allowedOrganization,
  'ocm-environment.schema.json': ocmEnvironment,
};

const KIND_SCHEMA_FILES: Readonly<Record<Kind, string>> = {
  DynatraceTenant: 'dynatrace-tenant.schema.json',
  TokenSpec: 'token-spec.schema.json',
  AllowedOrganization: 'allowed-organization.schema.json',
  OcmEnvironment: 'ocm-environment.schema.json',
};

/** The scope schema, to recognise its enum errors (they get the forbidden/unknown scope message). */
export const SCOPE_SCHEMA: object = tokenSpec.$defs.scope;

/**
 * The validator of one kind's documents. Compiled from schemas/ at build time (scripts/compile-schemas.mjs,
 * checked in CI like dist/): compiling them at start would cost a run ~50 ms before its first request.
 */
export function validatorFor(kind: Kind): ValidateFunction {
  return generated[kind] as unknown as ValidateFunction;
}

/** A field the schemas define: where it is (`spec.secrets[].tokens[]`) and what it means. */
export interface FieldInfo {
  /** Display path of the object that has the field, with `[]` for any index. */
  parent: string;
  description: string | undefined;
}

interface SchemaNode {
  $ref?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  allOf?: SchemaNode[];
}

let fieldIndexes: Map<Kind, Map<string, FieldInfo[]>> | undefined;

/** Every field of a kind by its name, e.g. `path` → `spec.bootstrapToken`. */
export function fieldsOf(kind: Kind): Map<string, FieldInfo[]> {
  fieldIndexes ??= new Map(
    (Object.entries(KIND_SCHEMA_FILES) as [Kind, string][]).map(([k, file]) => [k, indexFields(file)]),
  );
  return fieldIndexes.get(kind)!;
}

function indexFields(file: string): Map<string, FieldInfo[]> {
  const index = new Map<string, FieldInfo[]>();
  const visit = (node: SchemaNode, base: string, path: string, depth: number): void => {
    // The schemas are not recursive; the bound only protects against a future one that is.
    if (depth > 20) return;
    if (node.$ref) {
      const [target, targetBase] = resolveRef(node.$ref, base);
      visit(target, targetBase, path, depth + 1);
    }
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const list = index.get(name) ?? [];
      list.push({ parent: path, description: child.description ?? resolvedDescription(child, base) });
      index.set(name, list);
      visit(child, base, path ? `${path}.${name}` : name, depth + 1);
    }
    if (node.items) visit(node.items, base, `${path}[]`, depth + 1);
    for (const part of node.allOf ?? []) visit(part, base, path, depth + 1);
  };
  visit(SCHEMA_FILES[file] as SchemaNode, file, '', 0);
  return index;
}

function resolvedDescription(node: SchemaNode, base: string): string | undefined {
  return node.$ref ? resolveRef(node.$ref, base)[0].description : undefined;
}

/** `common.schema.json#/$defs/name` or `#/$defs/secret`, relative to the file the reference is in. */
function resolveRef(ref: string, base: string): [SchemaNode, string] {
  const [file, pointer = ''] = ref.split('#');
  const targetFile = file || base;
  let node: unknown = SCHEMA_FILES[targetFile];
  for (const segment of pointer.split('/').slice(1)) node = (node as Record<string, unknown>)[segment];
  return [node as SchemaNode, targetFile];
}
