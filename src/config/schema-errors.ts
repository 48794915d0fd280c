/**
 * ajv's errors → one human message per real mistake, at the right place: an unknown field at its key, a
 * missing field at the object that lacks it, a wrong value at the value. ajv reports cascades (every branch
 * of a `oneOf`, every pattern of an `allOf`, a type error next to the keywords that could not apply); those
 * are folded here so a reviewer sees each problem once.
 */
import type { ErrorObject } from 'ajv';
import { childPointer, fieldName, parentPointer, type Anchor } from './positions.js';
import { quote } from './problems.js';
import { ALLOWED_SCOPES, forbiddenScopeReason } from './scopes.js';
import { fieldsOf, SCOPE_SCHEMA, type FieldInfo } from './schemas.js';
import { closest, didYouMean, type SuggestionBudget } from './suggest.js';
import type { Kind } from './types.js';

export interface SchemaFinding {
  /** Where to point. */
  pointer: string;
  anchor: Anchor;
  /** The field the message is about, when it differs from `pointer` (an unknown key is named by its object). */
  subject?: string;
  message: string;
  hint?: string;
}

interface Schemaish {
  description?: string;
  patternErrorMessage?: string;
  errorMessage?: string;
  properties?: Record<string, { description?: string }>;
}

export function translateSchemaErrors(
  errors: readonly ErrorObject[],
  kind: Kind,
  budget: SuggestionBudget,
): SchemaFinding[] {
  const fields = fieldsOf(kind);
  const found = new Map<string, Translated>();
  for (const error of fold(errors)) {
    const translated = translate(error, fields, budget);
    if (!found.has(translated.key)) found.set(translated.key, translated);
  }
  const unknownKeys = [...found.values()].flatMap((t) => t.unknown ?? []);

  // A field written one level too shallow shows up twice: unknown where it is, missing where it belongs.
  // The unknown key is the line to fix, so the "missing" twin is dropped.
  const explained = ({ object, name }: MissingField) =>
    unknownKeys.some(
      (u) =>
        (u.key === name && u.belongs.includes(shape(object))) ||
        (u.suggestion === name && u.pointer === object),
    );
  return [...found.values()].filter((t) => !t.missing || !explained(t.missing)).map((t) => t.finding);
}

/** Drops the errors that only restate another one. */
function fold(errors: readonly ErrorObject[]): ErrorObject[] {
  const compounds = errors.filter(
    (e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && (e.parentSchema as Schemaish)?.errorMessage,
  );
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter((e) => {
    if (e.keyword === 'if') return false;
    if (compounds.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`))) return false;
    // A value of the wrong type makes every other keyword at that place moot.
    if (e.keyword !== 'type' && typed.has(e.instancePath)) return false;
    return true;
  });
}

interface UnknownKey {
  /** The object that has the unknown key. */
  pointer: string;
  key: string;
  suggestion?: string;
  /** Where the schemas define a field of that name (display paths). */
  belongs: string[];
}

interface MissingField {
  object: string;
  name: string;
}

interface Translated {
  /** Findings with the same key say the same thing; the first one is kept. */
  key: string;
  finding: SchemaFinding;
  unknown?: UnknownKey;
  missing?: MissingField;
}

function translate(
  error: ErrorObject,
  fields: Map<string, FieldInfo[]>,
  budget: SuggestionBudget,
): Translated {
  const at = error.instancePath;
  const schema = (error.parentSchema ?? {}) as Schemaish;
  const data: unknown = error.data;
  const params = error.params as Record<string, unknown>;
  const described = describeField(at, fields);

  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys(schema.properties ?? {});
      const suggestion = closest(name, known, budget);
      const here = shape(at);
      const belongs = (fields.get(name) ?? []).map((f) => f.parent).filter((p) => p !== here);
      const hints = [
        !suggestion && belongs.length > 0
          ? `\`${name}\` is a field of \`${belongs[0]}\`: check the indentation of this line.`
          : '',
        `Fields here: ${known.join(', ')}.`,
      ];
      return {
        key: childPointer(at, name),
        finding: {
          pointer: childPointer(at, name),
          anchor: 'key',
          subject: at,
          message: `unknown field \`${name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
          hint: hints.filter(Boolean).join(' '),
        },
        unknown: { pointer: at, key: name, suggestion, belongs },
      };
    }
    case 'required': {
      const name = String(params.missingProperty);
      return {
        key: `${childPointer(at, name)} (missing)`,
        finding: {
          pointer: at,
          anchor: 'value',
          message: `missing required field \`${name}\``,
          hint: schema.properties?.[name]?.description,
        },
        missing: { object: at, name },
      };
    }
    case 'type':
      // A bare number that quoting would not make valid (`maxAge: 90` wants a unit): say what is wanted.
      if (
        typeof data === 'number' &&
        schema.patternErrorMessage &&
        typeof (schema as { pattern?: unknown }).pattern === 'string' &&
        !new RegExp((schema as { pattern: string }).pattern, 'u').test(String(data))
      ) {
        return valueFinding(at, schema.patternErrorMessage, `Got the number ${data}.`);
      }
      return valueFinding(
        at,
        mistypedMessage(String(params.type), data),
        typeHint(String(params.type), data, at, described),
      );
    case 'pattern':
      return valueFinding(
        at,
        schema.patternErrorMessage ?? `must match ${String(params.pattern)}`,
        described ?? `Got ${quote(data)}.`,
      );
    case 'format':
      return valueFinding(
        at,
        `must be ${params.format === 'email' ? 'an email address' : `a valid ${String(params.format)}`}, got ${quote(data)}`,
        described,
      );
    case 'maxLength':
      return valueFinding(
        at,
        `must be at most ${String(params.limit)} characters, got ${String(data).length}`,
        described,
      );
    case 'minLength':
      return valueFinding(at, 'must not be empty', described);
    case 'minItems':
      return valueFinding(
        at,
        `must list at least ${params.limit === 1 ? 'one entry' : `${String(params.limit)} entries`}`,
        described,
      );
    case 'minimum':
      return valueFinding(at, `must be at least ${String(params.limit)}, got ${String(data)}`, described);
    case 'const':
      return valueFinding(at, `must be \`${String(params.allowedValue)}\`, got ${quote(data)}`, described);
    case 'uniqueItems': {
      const later = childPointer(
        at,
        Number(params.i) > Number(params.j) ? Number(params.i) : Number(params.j),
      );
      const earlier = childPointer(at, Math.min(Number(params.i), Number(params.j)));
      const items = Array.isArray(data) ? data : [];
      return valueFinding(
        later,
        `${quote(items[Number(params.j)])} is listed twice`,
        `Remove this entry; it is already at ${fieldName(earlier)}.`,
      );
    }
    case 'enum':
      if (isScopeSchema(error.parentSchema)) return scopeFinding(at, String(data), budget);
      return valueFinding(
        at,
        `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}, got ${quote(data)}${didYouMean(String(data), (params.allowedValues as unknown[]).map(String), budget)}`,
        described,
      );
    case 'oneOf':
    case 'anyOf':
      return valueFinding(
        at,
        schema.errorMessage ?? error.message ?? 'is not valid',
        schema.description ?? described,
      );
    default:
      return valueFinding(at, error.message ?? 'is not valid', described);
  }
}

function valueFinding(pointer: string, message: string, hint: string | undefined): Translated {
  return { key: pointer, finding: { pointer, anchor: 'value', message, hint } };
}

function scopeFinding(pointer: string, scope: string, budget: SuggestionBudget): Translated {
  const reason = forbiddenScopeReason(scope);
  if (reason) {
    return valueFinding(
      pointer,
      `scope \`${scope}\` is not allowed: ${reason}`,
      'Remove it. Only dtp itself holds token-management scopes, in the bootstrap token that never leaves it.',
    );
  }
  return valueFinding(
    pointer,
    `unknown scope \`${scope}\`${didYouMean(scope, ALLOWED_SCOPES, budget)}`,
    'Scopes are case-sensitive; docs/configuration.md lists the known ones. A scope newer than that list is added to src/config/scopes.ts first.',
  );
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (`key: value` lines)',
  null: 'empty',
};

function mistypedMessage(expected: string, data: unknown): string {
  const want = expected
    .split(',')
    .map((t) => TYPE_NAMES[t] ?? t)
    .join(' or ');
  return data === null
    ? `must be ${want}, but the value is empty`
    : `must be ${want}, got ${describeValue(data)}`;
}

function describeValue(data: unknown): string {
  if (typeof data === 'string') return `the string ${quote(data)}`;
  if (typeof data === 'number') return `the number ${data}`;
  if (typeof data === 'boolean') return `${data}`;
  if (Array.isArray(data)) return 'a list';
  return 'a mapping';
}

function typeHint(
  expected: string,
  data: unknown,
  at: string,
  described: string | undefined,
): string | undefined {
  const key = at.slice(at.lastIndexOf('/') + 1);
  if (expected === 'string' && (typeof data === 'number' || typeof data === 'boolean')) {
    return `Quote it: \`${key}: "${String(data)}"\`. Unquoted, YAML reads ${String(data)} as a ${typeof data}.`;
  }
  if (expected === 'object' && typeof data === 'string' && data.includes(':')) {
    return 'Put a space after each colon (`key: value`), or write the fields on their own indented lines.';
  }
  return described;
}

/** The schema description of the field at `pointer`, for hints. */
function describeField(pointer: string, fields: Map<string, FieldInfo[]>): string | undefined {
  const name = pointer.slice(pointer.lastIndexOf('/') + 1);
  // A list item is described by its list.
  if (/^\d+$/.test(name)) return describeField(parentPointer(pointer) ?? '', fields);
  const parent = shape(parentPointer(pointer) ?? '');
  return fields.get(name)?.find((f) => f.parent === parent)?.description;
}

/** `/spec/secrets/0/tokens` → `spec.secrets[].tokens`: a pointer as the field index names places. */
function shape(pointer: string): string {
  return fieldName(pointer).replace(/\[\d+\]/g, '[]');
}

const SCOPE_SCHEMA_JSON = JSON.stringify(SCOPE_SCHEMA);

/** The validators are compiled at build time with their own copy of the schemas: compare by content. */
function isScopeSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && JSON.stringify(schema) === SCOPE_SCHEMA_JSON;
}
