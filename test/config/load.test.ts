/**
 * What loadConfig makes of a valid folder (the typed model the engine reads), the warnings that do not
 * fail a run, and the guarantee that every problem in every file is reported in one go.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import {
  BASELINE,
  baseline,
  ORG_A,
  ORG_B,
  removeConfig,
  shown,
  writeConfig,
  type FileSet,
} from './baseline.js';
import { validate } from './validate.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeConfig));

async function load(changes: FileSet = {}) {
  const dir = writeConfig(changes);
  dirs.push(dir);
  const result = await loadConfig(dir);
  const relative = (file: string) => file.slice(shown(dir).length + 1);
  return { dir, result, relative };
}

describe('the typed configuration', () => {
  it('maps each kind by its key, with sources, and without trailing slashes on URLs', async () => {
    const { dir, result } = await load({
      'tenant-us.yaml': baseline(
        'tenant-us.yaml',
        'def67890.live.dynatrace.com',
        'def67890.live.dynatrace.com/',
      ),
      'environments.yaml': baseline(
        'environments.yaml',
        'https://api.openshift.com',
        'https://api.openshift.com/',
      ),
    });
    const config = result.config!;
    expect([...config.tenants.keys()]).toEqual(['abc12345', 'def67890']);
    expect(config.tenants.get('def67890')).toEqual({
      name: 'prod-us',
      environmentId: 'def67890',
      environmentUrl: 'https://def67890.live.dynatrace.com',
      bootstrapToken: { mount: 'app-sre', path: 'creds/dynatrace/bootstrap/def67890', field: 'token' },
      allowedOrganizations: [ORG_A],
      owners: [{ name: 'Platform SRE' }],
      source: { file: shown(dir, 'tenant-us.yaml'), line: 1, column: 1 },
    });
    // The first line of tenant-eu.yaml is the editor's schema comment: the document starts on line 2.
    expect(config.tenants.get('abc12345')!.source.line).toBe(2);
    expect([...config.organizations.keys()]).toEqual([ORG_A, ORG_B]);
    expect(config.organizations.get(ORG_A)).toMatchObject({
      name: 'team-a',
      tenants: ['abc12345', 'def67890'],
      tokenSpecs: ['default'],
      ocmEnvironment: 'production',
    });
    expect(config.organizations.get(ORG_B)).not.toHaveProperty('tenants');
    expect(config.tokenSpecs.get('default')!.ocmOrgIds).toEqual([ORG_A, ORG_B]);
    expect(config.ocmEnvironments.get('production')).toMatchObject({
      apiUrl: 'https://api.openshift.com',
      credentials: {
        grant: 'client_credentials',
        secret: { mount: 'app-sre', path: 'creds/ocm/production/dtp' },
        clientIdField: 'client_id',
        clientSecretField: 'client_secret',
      },
    });
    expect(config.files).toEqual(result.files);
  });

  it('reads an offline-token OCM environment as the refresh_token grant', async () => {
    const { result } = await load({
      'environments.yaml': baseline(
        'environments.yaml',
        '    clientIdField: client_id\n    clientSecretField: client_secret\n',
        '    version: 4\n    offlineTokenField: offline_token\n',
      ),
    });
    expect(result.config!.ocmEnvironments.get('production')!.credentials).toEqual({
      grant: 'refresh_token',
      secret: { mount: 'app-sre', path: 'creds/ocm/production/dtp', version: 4 },
      offlineTokenField: 'offline_token',
    });
  });

  it('accepts anchors and aliases that stay within bounds (a shared scope list)', async () => {
    const { result } = await load({
      'token-specs.yaml': baseline(
        'token-specs.yaml',
        'scopes: [metrics.ingest, logs.ingest, openTelemetryTrace.ingest]',
        'scopes: *operator',
      ).replace('scopes: [activeGate', 'scopes: &operator [activeGate'),
    });
    expect(result.diagnostics).toEqual([]);
    const [operator, ingest] = result.config!.tokenSpecs.get('default')!.secrets[0]!.tokens;
    expect(ingest!.scopes).toEqual(operator!.scopes);
  });
});

describe('problems across files', () => {
  it('reports every problem of every file at once, sorted by file, line and column', async () => {
    const { result, relative } = await load({
      'tenant-eu.yaml': baseline('tenant-eu.yaml', 'https://abc12345', 'http://abc12345').replace(
        'field: token',
        'feild: token',
      ),
      'token-specs.yaml': baseline('token-specs.yaml', 'entities.read,', 'apiTokens.read,'),
      'broken.yaml': 'a: [1\n',
    });
    expect(result.config).toBeUndefined();
    expect(result.diagnostics.map((d) => `${relative(d.file)}:${d.line}:${d.column}`)).toEqual([
      'broken.yaml:2:1',
      'tenant-eu.yaml:8:19',
      'tenant-eu.yaml:12:5',
      'token-specs.yaml:14:54',
    ]);
  });

  it('names the field and the hint in each diagnostic', async () => {
    const { result } = await load({
      'token-specs.yaml': baseline(
        'token-specs.yaml',
        'keyNameInSecret: apiToken',
        'keyNameInSecrets: apiToken',
      ),
    });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        field: 'spec.secrets[0].tokens[0].keyNameInSecrets',
        message:
          'spec.secrets[0].tokens[0]: unknown field `keyNameInSecrets`; did you mean `keyNameInSecret`?',
        hint: 'Fields here: name, keyNameInSecret, scopes, maxAge, rotateAfter, rotationGrace.',
      }),
    ]);
  });
});

describe('warnings (valid, but probably not what was meant)', () => {
  it('a tenant, a spec and an organization nobody can use', async () => {
    // team-a is the only organization the new spec lists, and team-a narrows itself to the default spec.
    const { result, relative } = await load({
      'organizations.yaml': `${BASELINE['organizations.yaml']}---
apiVersion: dtp/v1
kind: AllowedOrganization
metadata: {name: team-c}
spec: {organizationId: 3Cc3Cc3Cc3Cc3Cc3Cc3Cc3Cc3Cc, displayName: Team C, contacts: [{name: C}]}
`,
      'tenant-unused.yaml': baseline('tenant-us.yaml', 'name: prod-us', 'name: unused')
        .replace(/def67890/g, 'xyz00000')
        .replace(`[${ORG_A}]`, '[]'),
      'spec-unused.yaml': baseline('token-specs.yaml', 'name: default', 'name: unused')
        .replace(`[${ORG_A}, ${ORG_B}]`, `[${ORG_A}]`)
        .replace('dynatrace-token-dtp', 'other-secret'),
    });
    expect(result.config).toBeDefined();
    expect(
      result.diagnostics.map((d) => `${relative(d.file)}:${d.line}:${d.column} ${d.severity}: ${d.message}`),
    ).toEqual([
      'organizations.yaml:26:24 warning: spec.organizationId: no tenant lets this organization use it, so its clusters get no tokens',
      'spec-unused.yaml:7:16 warning: spec.ocm_org_ids: no organization can bind clusters with this token spec',
      'tenant-unused.yaml:9:25 warning: spec.allowedOrganizations: lists no organization, so no cluster can use this tenant',
    ]);
  });

  it('two specs that deliver the same Secret', async () => {
    const { dir, result, relative } = await load({
      'spec-copy.yaml': baseline('token-specs.yaml', 'name: default', 'name: copy'),
    });
    expect(result.diagnostics.map((d) => `${relative(d.file)}:${d.line}:${d.column} ${d.message}`)).toEqual([
      `token-specs.yaml:9:13 spec.secrets[0].name: Secret dynatrace/dynatrace-token-dtp is also delivered by token spec \`copy\` (${shown(dir, 'spec-copy.yaml')}:9:13)`,
    ]);
  });

  it('an empty document and a file that is not YAML do not fail the run', async () => {
    const { dir } = await load({
      'environments.yaml': `${BASELINE['environments.yaml']}---\n`,
      'README.md': '# tenants\n',
    });
    const result = await validate(dir);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.map((l) => l.split('\n')[0])).toEqual([
      `${shown(dir, 'environments.yaml')}:13:1: warning: empty document (\`---\` with nothing after it)`,
      `${shown(dir, 'README.md')}: warning: ignored: ${shown(dir, 'README.md')} (only *.yaml and *.yml files are configuration)`,
    ]);
  });
});
