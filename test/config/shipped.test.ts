/**
 * The shipped examples validate cleanly, and the published JSON Schemas are the ones the code compiles and
 * behave in an editor (plain ajv over the files on disk, as yaml-language-server would use them) as the
 * loader does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import {
  ALLOWED_SCOPES,
  ELEVATED_SCOPES,
  FORBIDDEN_SCOPES,
  KNOWN_SCOPES,
  scopeClass,
} from '../../src/config/scopes.js';
import { SCHEMA_FILES } from '../../src/config/schemas.js';
import { removeConfig, writeConfig } from './baseline.js';
import { STACK_FRAME, validate } from './validate.js';

const SCHEMA_DIR = 'schemas';
// The shipped examples, or a copy of them that a test edited (test/tenants-edit.test.ts): nothing here may
// depend on what the folder holds beyond it being valid, because users edit it.
const TENANTS = process.env.DTP_TEST_TENANTS ?? 'tenants';

function shippedDocuments(): { file: string; doc: Record<string, unknown> }[] {
  return readdirSync(TENANTS)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      loadAll(readFileSync(join(TENANTS, file), 'utf8')).map((doc) => ({
        file,
        doc: doc as Record<string, unknown>,
      })),
    );
}

/** What an editor does: the files from disk, no help from dtp's code (unknown annotations tolerated). */
function editorValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  formats.default(ajv);
  for (const file of readdirSync(SCHEMA_DIR))
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
  return ajv.getSchema('https://dtp.invalid/schemas/dtp.schema.json')!;
}

describe('shipped tenants/', () => {
  it('validates with no errors and no warnings', async () => {
    const result = await loadConfig(TENANTS);
    expect(result.diagnostics).toEqual([]);
    expect(result.config).toBeDefined();
    expect(result.files.length).toBeGreaterThanOrEqual(4);
    const config = result.config!;
    expect(config.ocmEnvironments.size).toBeGreaterThanOrEqual(1);
    expect(config.tenants.size).toBeGreaterThanOrEqual(2);
    expect(config.tokenSpecs.size).toBeGreaterThanOrEqual(2);
    expect(config.organizations.size).toBeGreaterThanOrEqual(2);
  });

  it('passes `dtp validate` with exit code 0', async () => {
    const result = await validate(TENANTS);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toEqual([]);
    expect(result.summary).toContain('✅ configuration valid');
    expect(result.everything).not.toMatch(STACK_FRAME);
  });

  it('documents the default spec the Dynatrace Operator checks', async () => {
    // The documented example people copy, not the shipped folder they edit.
    const docs = readFileSync('docs/configuration.md', 'utf8');
    const example = /```yaml\n(apiVersion: dtp\/v1\nkind: TokenSpec\n[\s\S]*?)```/.exec(docs)![1]!;
    const dir = writeConfig({ 'token-specs.yaml': example });
    const spec = (await loadConfig(dir)).config!.tokenSpecs.get('default')!;
    removeConfig(dir);
    const secret = spec.secrets.find((s) => s.name === 'dynatrace-token-dtp' && s.namespace === 'dynatrace')!;
    const scopesOf = (key: string) =>
      secret.tokens
        .find((t) => (t.keyNameInSecret ?? t.name) === key)
        ?.scopes.slice()
        .sort();
    expect(scopesOf('apiToken')).toEqual(
      [
        'DataExport',
        'InstallerDownload',
        'activeGateTokenManagement.create',
        'entities.read',
        'settings.read',
        'settings.write',
      ].sort(),
    );
    expect(scopesOf('dataIngestToken')).toEqual([
      'logs.ingest',
      'metrics.ingest',
      'openTelemetryTrace.ingest',
    ]);
  });

  it.each([
    ['OcmEnvironment', 'environments.yaml'],
    ['DynatraceTenant', 'tenant-eu.yaml'],
    ['TokenSpec', 'token-specs.yaml'],
  ])('accepts the %s example of docs/configuration.md in place of its baseline file', async (kind, file) => {
    const docs = readFileSync('docs/configuration.md', 'utf8');
    const examples = [...docs.matchAll(/```yaml\n(apiVersion: dtp\/v1\nkind: (\w+)\n[\s\S]*?)```/g)];
    const example = examples.find((m) => m[2] === kind)?.[1];
    expect(example, kind).toBeDefined();
    const dir = writeConfig({ [file]: example! });
    try {
      const result = await loadConfig(dir);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    } finally {
      removeConfig(dir);
    }
  });

  it('accepts the tenant of the pull request example in docs/configuration.md', async () => {
    const docs = readFileSync('docs/configuration.md', 'utf8');
    const diff = /```diff\n([\s\S]*?)```/.exec(docs)![1]!;
    const added = diff
      .split('\n')
      .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
      .map((l) => l.slice(1))
      .join('\n');
    const shipped = Object.fromEntries(
      readdirSync(TENANTS).map((f) => [f, readFileSync(join(TENANTS, f), 'utf8')]),
    );
    const dir = writeConfig({ 'tenant-redhat-gcp-prod-ap.yaml': `${added}\n` }, shipped);
    try {
      const result = await loadConfig(dir);
      expect(result.diagnostics).toEqual([]);
      expect(result.config!.tenants.get('jkl13579')?.name).toBe('redhat-gcp-prod-ap');
    } finally {
      removeConfig(dir);
    }
  });

  it('starts every file with the editor schema line', () => {
    for (const file of readdirSync(TENANTS).filter((f) => f.endsWith('.yaml'))) {
      expect(readFileSync(join(TENANTS, file), 'utf8').split('\n')[0], file).toBe(
        '# yaml-language-server: $schema=../schemas/dtp.schema.json',
      );
    }
  });
});

describe('published JSON Schemas', () => {
  it('are exactly the files the code compiles', () => {
    const onDisk = readdirSync(SCHEMA_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(Object.keys(SCHEMA_FILES).sort()).toEqual(onDisk);
    for (const file of onDisk) {
      expect(SCHEMA_FILES[file], file).toEqual(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
    }
  });

  it('dtp.schema.json accepts every shipped document', () => {
    const validate = editorValidator();
    const documents = shippedDocuments();
    expect(documents.length).toBeGreaterThanOrEqual(8);
    for (const { file, doc } of documents) {
      expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('dtp.schema.json rejects an unknown field, in every kind and at every level', () => {
    const validate = editorValidator();
    for (const { doc } of shippedDocuments()) {
      expect(validate({ ...doc, extra: 1 })).toBe(false);
      expect(validate({ ...doc, spec: { ...(doc.spec as object), extra: 1 } })).toBe(false);
      expect(validate({ ...doc, metadata: { ...(doc.metadata as object), extra: 1 } })).toBe(false);
    }
    const tenant = shippedDocuments().find((d) => d.doc.kind === 'DynatraceTenant')!.doc;
    const spec = tenant.spec as Record<string, unknown>;
    expect(
      validate({
        ...tenant,
        spec: { ...spec, bootstrapToken: { ...(spec.bootstrapToken as object), feild: 'x' } },
      }),
    ).toBe(false);
    expect(
      validate.errors!.some(
        (e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'feild',
      ),
    ).toBe(true);
  });

  it('dtp.schema.json rejects an unknown kind and a forbidden scope', () => {
    const validate = editorValidator();
    const spec = shippedDocuments().find((d) => d.doc.kind === 'TokenSpec')!.doc;
    expect(validate({ ...spec, kind: 'TokenSpecs' })).toBe(false);
    const forbidden = structuredClone(spec) as { spec: { secrets: { tokens: { scopes: string[] }[] }[] } };
    forbidden.spec.secrets[0]!.tokens[0]!.scopes.push('apiTokens.write');
    expect(validate(forbidden)).toBe(false);
  });

  it('offers exactly the allowed scopes', () => {
    const enumeration = (SCHEMA_FILES['token-spec.schema.json'] as { $defs: { scope: { enum: string[] } } })
      .$defs.scope.enum;
    expect(enumeration).toEqual([...ALLOWED_SCOPES]);
  });

  it('have a description on every field (what editors show on hover)', () => {
    const missing: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const properties = (node as { properties?: Record<string, { description?: string }> }).properties ?? {};
      for (const [name, child] of Object.entries(properties)) {
        if (!child.description && !['apiVersion', 'metadata'].includes(name)) missing.push(`${path}.${name}`);
      }
      // `if` conditions (the kind dispatch) test fields, they do not define them.
      for (const [key, child] of Object.entries(node)) if (key !== 'if') visit(child, `${path}/${key}`);
    };
    for (const [file, schema] of Object.entries(SCHEMA_FILES)) visit(schema, file);
    expect(missing).toEqual([]);
  });
});

describe('scopes', () => {
  // The trimmed copy of Dynatrace's own spec (specs/README.md says where it comes from).
  const apiSpec = 'specs/dynatrace/env-v2.json';
  it('know every scope the Dynatrace API spec lists', () => {
    const spec = JSON.parse(readFileSync(apiSpec, 'utf8'));
    const enumeration: string[] = spec.components.schemas.ApiTokenCreate.properties.scopes.items.enum;
    for (const scope of enumeration) expect(KNOWN_SCOPES.has(scope), scope).toBe(true);
  });

  it('forbid what can mint, read or change other tokens, and allow what the Operator needs', () => {
    for (const scope of [
      'apiTokens.read',
      'apiTokens.write',
      'TenantTokenManagement',
      'tenantTokenRotation.write',
      'activeGateTokenManagement.read',
      'activeGateTokenManagement.write',
    ]) {
      expect(FORBIDDEN_SCOPES.has(scope), scope).toBe(true);
      expect(ALLOWED_SCOPES).not.toContain(scope);
    }
    for (const scope of [
      'activeGateTokenManagement.create',
      'DataExport',
      'InstallerDownload',
      'openTelemetryTrace.ingest',
    ]) {
      expect(ALLOWED_SCOPES).toContain(scope);
    }
    for (const scope of FORBIDDEN_SCOPES.keys()) expect(KNOWN_SCOPES.has(scope), scope).toBe(true);
  });

  it('are all listed in docs/configuration.md with their class and reason', () => {
    const docs = readFileSync('docs/configuration.md', 'utf8').replace(/ +/g, ' ');
    for (const scope of KNOWN_SCOPES) {
      const { grade, reason } = scopeClass(scope)!;
      expect(docs, scope).toContain(`| \`${scope}\` | ${grade} | ${reason} |`);
    }
  });

  it('grade every known scope, and only known scopes', () => {
    for (const scope of KNOWN_SCOPES) expect(scopeClass(scope), scope).toBeDefined();
    for (const scope of [...FORBIDDEN_SCOPES.keys(), ...ELEVATED_SCOPES.keys()])
      expect(KNOWN_SCOPES.has(scope), scope).toBe(true);
  });

  it('forbid code upload, extension configuration and tenant-wide configuration writes', () => {
    for (const scope of [
      'PluginUpload',
      'extensions.write',
      'extensionConfigurations.write',
      'WriteConfig',
      'hub.write',
      'credentialVault.write',
    ]) {
      expect(FORBIDDEN_SCOPES.has(scope), scope).toBe(true);
      expect(ALLOWED_SCOPES).not.toContain(scope);
    }
  });

  it('grade configuration writes, data export and broad reads as elevated, ingest as standard', () => {
    for (const scope of ['settings.write', 'DataExport', 'ReadConfig', 'logs.read', 'InstallerDownload'])
      expect(ELEVATED_SCOPES.has(scope), scope).toBe(true);
    for (const scope of ['metrics.ingest', 'logs.ingest', 'openTelemetryTrace.ingest', 'entities.read'])
      expect(scopeClass(scope)?.grade, scope).toBe('standard');
  });
});
