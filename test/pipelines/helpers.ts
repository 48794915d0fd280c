/**
 * Shared by the pipeline tests: YAML loading, the Tekton CRD schemas (tightened to reject unknown fields),
 * and readable error lists from Ajv and @action-validator/core.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { loadAll } from 'js-yaml';
import type { ValidationError, ValidationState } from '@action-validator/core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const repoPath = (...parts: string[]) => join(ROOT, ...parts);
export const readText = (path: string) => readFileSync(repoPath(path), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>;

/** Every document of a YAML file (multi-document files included). */
export function loadDocs(path: string): Doc[] {
  return loadAll(readText(path)).filter((d): d is Doc => d !== null && typeof d === 'object');
}

export function loadDoc(path: string): Doc {
  const docs = loadDocs(path);
  if (docs.length !== 1) throw new Error(`${path}: expected one document, found ${docs.length}`);
  return docs[0]!;
}

export const clone = <T>(value: T): T => structuredClone(value);

// ---------------------------------------------------------------------------------------------------------
// Tekton CRD schemas

export type TektonKind = 'Task' | 'Pipeline' | 'PipelineRun';
const SCHEMA_FILES: Record<TektonKind, string> = {
  Task: 'task_v1.json',
  Pipeline: 'pipeline_v1.json',
  PipelineRun: 'pipelinerun_v1.json',
};

/**
 * Adds `additionalProperties: false` to every object schema that declares `properties` and says nothing
 * about extra ones (neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`), as
 * kubeconform's openapi2jsonschema does. Without it a misspelt field validates (the API server would
 * silently drop it).
 */
export function tighten(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tighten);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Doc = {};
  for (const [key, value] of Object.entries(schema as Doc)) {
    // `properties` maps field names to schemas: tighten each value, never treat the map itself as a schema.
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as Doc).map(([k, v]) => [k, tighten(v)]));
    } else {
      out[key] = tighten(value);
    }
  }
  if (
    out.properties &&
    typeof out.properties === 'object' &&
    !('additionalProperties' in out) &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

let ajv: Ajv | undefined;
const validators = new Map<TektonKind, ValidateFunction>();

/** The v1 schema of a kind from specs/tekton (copied from tektoncd/pipeline v1.15.0), tightened. */
export function tektonSchema(kind: TektonKind, tightened = true): Doc {
  const raw = JSON.parse(readText(join('specs', 'tekton', SCHEMA_FILES[kind]))) as Doc;
  return (tightened ? tighten(raw) : raw) as Doc;
}

export function tektonValidator(kind: TektonKind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    if (!ajv) {
      // strict: false because the CRD schemas carry x-kubernetes-* keywords. OpenAPI's integer formats are
      // checked by `type: integer` already; date-time comes from ajv-formats.
      ajv = new Ajv({ allErrors: true, strict: false });
      formats.default(ajv, ['date-time']);
      for (const name of ['int32', 'int64']) ajv.addFormat(name, { type: 'number', validate: () => true });
    }
    validate = ajv.compile(tektonSchema(kind));
    validators.set(kind, validate);
  }
  return validate;
}

/** One line per error, naming the offending field: `/spec/steps/0: must NOT have additional properties (stepz)`. */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const field =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : e.keyword === 'required'
          ? ` (${(e.params as { missingProperty: string }).missingProperty})`
          : '';
    return `${e.instancePath || '/'}: ${e.message}${field}`;
  });
}

export function validateTekton(doc: Doc): string[] {
  const kind = doc.kind as TektonKind;
  if (!(kind in SCHEMA_FILES)) return [`unsupported kind ${String(kind)}`];
  const validate = tektonValidator(kind);
  const problems: string[] = [];
  if (doc.apiVersion !== 'tekton.dev/v1')
    problems.push(`/apiVersion: ${String(doc.apiVersion)} is not tekton.dev/v1`);
  if (!validate(doc)) problems.push(...formatAjvErrors(validate.errors));
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// @action-validator/core

/** Flattens the nested one-of states into `path: detail` lines (the detail names the field). */
export function flattenActionErrors(state: Pick<ValidationState, 'errors'>): string[] {
  const lines: string[] = [];
  const walk = (errors: ValidationError[]) => {
    for (const e of errors) {
      const path = 'path' in e ? e.path : '';
      lines.push(`${path || '/'}: [${e.code}] ${e.title}${e.detail ? `: ${e.detail}` : ''}`);
      if ('states' in e && e.states) for (const s of e.states) walk(s.errors);
    }
  };
  walk(state.errors);
  return lines;
}
