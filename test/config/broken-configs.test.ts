/**
 * Broken configurations as people write them. Each case changes the valid baseline in one way and expects
 * `dtp validate` to exit 2 with exactly one error, at the exact file, line and column, saying exactly this.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import {
  BASELINE,
  baseline,
  edit,
  ORG_A,
  ORG_B,
  removeConfig,
  shown,
  writeConfig,
  type FileSet,
} from './baseline.js';
import { STACK_FRAME, validate } from './validate.js';

const TENANT = 'tenant-eu.yaml';
const TENANT_US = 'tenant-us.yaml';
const SPECS = 'token-specs.yaml';
const ORGS = 'organizations.yaml';
const ENVS = 'environments.yaml';

interface Case {
  name: string;
  files: FileSet;
  /** File relative to the folder ('' for the folder itself), line and column (0, 0 for the whole file). */
  at: [file: string, line: number, column: number];
  /** The message; a function when it names a path inside the temporary folder. */
  message: string | ((dir: string) => string);
  /** How many errors in total; one unless the case says otherwise. */
  errors?: number;
  /** Validate this folder instead of the baseline one (a folder that does not exist). */
  folder?: (dir: string) => string;
}

/** Six levels of ten aliases each: a few hundred bytes that would expand to a million values. */
const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
  .concat(
    ['b', 'c', 'd', 'e', 'f'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcde'[i]}`).join(', ')}]`),
  )
  .join('\n');

const cases: Case[] = [
  {
    name: 'typo in a field name',
    files: { [SPECS]: baseline(SPECS, 'keyNameInSecret: apiToken', 'keyNameInSecrets: apiToken') },
    at: [SPECS, 13, 11],
    message: 'spec.secrets[0].tokens[0]: unknown field `keyNameInSecrets`; did you mean `keyNameInSecret`?',
  },
  {
    name: 'field name in camelCase where the spec keeps snake_case',
    files: { [SPECS]: baseline(SPECS, 'ocm_org_ids:', 'ocmOrgIds:') },
    at: [SPECS, 7, 3],
    message: 'spec: unknown field `ocmOrgIds`; did you mean `ocm_org_ids`?',
  },
  {
    name: 'field name spelled as in qontract (environmentID)',
    files: { [TENANT]: baseline(TENANT, 'environmentId:', 'environmentID:') },
    at: [TENANT, 7, 3],
    message: 'spec: unknown field `environmentID`; did you mean `environmentId`?',
  },
  {
    name: 'typo in a flow mapping',
    files: { [TENANT_US]: baseline(TENANT_US, 'field: token}', 'feild: token}') },
    at: [TENANT_US, 8, 78],
    message: 'spec.bootstrapToken: unknown field `feild`; did you mean `field`?',
  },
  {
    name: 'spec written as specs',
    files: { [TENANT]: baseline(TENANT, 'spec:', 'specs:') },
    at: [TENANT, 6, 1],
    message: 'unknown field `specs`; did you mean `spec`?',
  },
  {
    name: 'a field indented too little (lands in the parent)',
    files: { [TENANT]: baseline(TENANT, '    field: token', '  field: token') },
    at: [TENANT, 12, 3],
    message: 'spec: unknown field `field`',
  },
  {
    name: 'a tab used for indentation',
    files: { [TENANT]: baseline(TENANT, '    field: token', '\tfield: token') },
    at: [TENANT, 12, 1],
    message: 'YAML syntax error: tab characters must not be used in indentation',
  },
  {
    name: 'nested fields under a key that already has a value',
    files: { [ENVS]: baseline(ENVS, '  credentials:\n', '  credentials: x\n') },
    at: [ENVS, 9, 10],
    message: 'YAML syntax error: bad indentation of a mapping entry',
  },
  {
    name: 'a quote that is never closed',
    files: { [TENANT]: baseline(TENANT, "slack: '#platform-sre'", "slack: '#platform-sre") },
    at: [TENANT, 20, 1],
    message: 'YAML syntax error: deficient indentation',
  },
  {
    name: 'a key written twice',
    files: {
      [TENANT]: baseline(TENANT, '  environmentUrl:', '  environmentId: abc12345\n  environmentUrl:'),
    },
    at: [TENANT, 8, 3],
    message: 'spec.environmentId: duplicate key (first written at line 7, column 3)',
  },
  {
    name: 'an http:// environment URL',
    files: { [TENANT]: baseline(TENANT, 'https://abc12345', 'http://abc12345') },
    at: [TENANT, 8, 19],
    message: 'spec.environmentUrl: must start with https://',
  },
  {
    name: 'an environment URL with /api',
    files: { [TENANT]: baseline(TENANT, 'dynatrace.com\n', 'dynatrace.com/api\n') },
    at: [TENANT, 8, 19],
    message:
      "spec.environmentUrl: must be the environment's base URL, https://<environmentId>.live.dynatrace.com (or https://<host>/e/<environmentId> for Managed), in lower case and without /api (dtp adds it)",
  },
  {
    name: 'an environment URL of another environment',
    files: { [TENANT]: baseline(TENANT, 'https://abc12345', 'https://abd12345') },
    at: [TENANT, 8, 19],
    message:
      'spec.environmentUrl: host `abd12345.live.dynatrace.com` does not start with the environment id `abc12345`',
  },
  {
    name: 'the web UI address instead of the API',
    files: { [TENANT]: baseline(TENANT, 'abc12345.live.dynatrace.com', 'abc12345.apps.dynatrace.com') },
    at: [TENANT, 8, 19],
    message: 'spec.environmentUrl: `abc12345.apps.dynatrace.com` is the Dynatrace web UI, not the API',
  },
  {
    name: 'an unquoted all-digit environment id (read as a number)',
    files: {
      [TENANT]: edit(
        baseline(TENANT, 'environmentId: abc12345', 'environmentId: 12345678'),
        'https://abc12345',
        'https://12345678',
      ),
    },
    at: [TENANT, 7, 18],
    message: 'spec.environmentId: must be a string, got the number 12345678',
  },
  {
    name: 'a token-minting scope (apiTokens.write)',
    files: { [SPECS]: baseline(SPECS, 'entities.read,', 'apiTokens.write,') },
    at: [SPECS, 14, 54],
    message:
      'spec.secrets[0].tokens[0].scopes[1]: scope `apiTokens.write` is not allowed: it creates, changes and deletes API tokens: the power of the bootstrap token itself; a cluster holding this token could escalate beyond its own telemetry (other tokens, code on hosts, the tenant configuration): the exact thing dtp exists to prevent',
  },
  {
    name: 'a token-reading scope (activeGateTokenManagement.read)',
    files: { [SPECS]: baseline(SPECS, 'logs.ingest,', 'activeGateTokenManagement.read,') },
    at: [SPECS, 17, 36],
    message:
      'spec.secrets[0].tokens[1].scopes[1]: scope `activeGateTokenManagement.read` is not allowed: it reads the ActiveGate tokens of the whole tenant; a cluster holding this token could escalate beyond its own telemetry (other tokens, code on hosts, the tenant configuration): the exact thing dtp exists to prevent',
  },
  {
    name: 'a misspelt scope',
    files: { [SPECS]: baseline(SPECS, 'entities.read,', 'entites.read,') },
    at: [SPECS, 14, 54],
    message:
      'spec.secrets[0].tokens[0].scopes[1]: unknown scope `entites.read`; did you mean `entities.read`?',
  },
  {
    name: 'a scope listed twice',
    files: {
      [SPECS]: baseline(SPECS, 'logs.ingest, openTelemetryTrace.ingest', 'logs.ingest, metrics.ingest'),
    },
    at: [SPECS, 17, 49],
    message: 'spec.secrets[0].tokens[1].scopes[2]: `metrics.ingest` is listed twice',
  },
  {
    name: 'a token name of 47 characters',
    files: { [SPECS]: baseline(SPECS, 'name: operator', `name: ${'o'.repeat(47)}`) },
    at: [SPECS, 12, 17],
    message: 'spec.secrets[0].tokens[0].name: must be at most 46 characters, got 47',
  },
  {
    name: 'two tokens with one key in a Secret',
    files: { [SPECS]: baseline(SPECS, 'keyNameInSecret: dataIngestToken', 'keyNameInSecret: apiToken') },
    at: [SPECS, 16, 28],
    message:
      'spec.secrets[0].tokens[1].keyNameInSecret: Secret key `apiToken` is already used for the value of token `operator`',
  },
  {
    name: 'a token key that is dtp’s own apiUrl',
    files: { [SPECS]: baseline(SPECS, 'keyNameInSecret: dataIngestToken', 'keyNameInSecret: apiUrl') },
    at: [SPECS, 16, 28],
    message:
      "spec.secrets[0].tokens[1].keyNameInSecret: Secret key `apiUrl` is already used for the tenant's API URL, which dtp writes into every Secret",
  },
  {
    name: 'a token key that collides with another token’s id key',
    files: { [SPECS]: baseline(SPECS, 'keyNameInSecret: dataIngestToken', 'keyNameInSecret: apiTokenId') },
    at: [SPECS, 16, 28],
    message:
      'spec.secrets[0].tokens[1].keyNameInSecret: Secret key `apiTokenId` is already used for the id of token `operator` (dtp writes it under `<key>Id`)',
  },
  {
    name: 'two tokens with one name in a Secret',
    files: { [SPECS]: baseline(SPECS, 'name: ingest', 'name: operator') },
    at: [SPECS, 15, 17],
    message:
      'spec.secrets[0].tokens[1].name: token name `operator` is already used by tokens[0] of this Secret',
  },
  {
    name: 'one Secret twice in a spec',
    files: {
      [SPECS]: baseline(
        SPECS,
        '  acknowledgedScopes:',
        '    - name: dynatrace-token-dtp\n      namespace: dynatrace\n      tokens: [{name: x, scopes: [metrics.ingest]}]\n  acknowledgedScopes:',
      ),
    },
    at: [SPECS, 18, 13],
    message:
      'spec.secrets[1].name: Secret dynatrace/dynatrace-token-dtp is already delivered by spec.secrets[0]',
  },
  {
    name: 'a namespace in upper case',
    files: { [SPECS]: baseline(SPECS, 'namespace: dynatrace', 'namespace: Dynatrace') },
    at: [SPECS, 10, 18],
    message:
      "spec.secrets[0].namespace: must be a Kubernetes namespace: lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. dynatrace)",
  },
  {
    name: 'a required field left out',
    files: { [TENANT]: baseline(TENANT, '    field: token\n', '') },
    at: [TENANT, 10, 5],
    message: 'spec.bootstrapToken: missing required field `field`',
  },
  {
    name: 'no owners',
    files: {
      [TENANT]: baseline(
        TENANT,
        "  owners:\n    - name: Platform SRE\n      email: platform-sre@example.com\n      slack: '#platform-sre'\n",
        '  owners: []\n',
      ),
    },
    at: [TENANT, 16, 11],
    message: 'spec.owners: must list at least one entry',
  },
  {
    name: 'version: "latest"',
    files: { [TENANT]: baseline(TENANT, '    field: token', '    field: token\n    version: latest') },
    at: [TENANT, 13, 14],
    message: 'spec.bootstrapToken.version: must be a whole number, got the string `latest`',
  },
  {
    name: 'version: 0',
    files: { [TENANT]: baseline(TENANT, '    field: token', '    field: token\n    version: 0') },
    at: [TENANT, 13, 14],
    message: 'spec.bootstrapToken.version: must be at least 1, got 0',
  },
  {
    name: 'a Vault path with a leading slash',
    files: { [TENANT]: baseline(TENANT, 'path: creds/', 'path: /creds/') },
    at: [TENANT, 11, 11],
    message:
      "spec.bootstrapToken.path: must be a path inside the mount without spaces, a leading or trailing '/', '//' or '.'/'..' segments, e.g. creds/dynatrace/abc12345",
  },
  {
    name: 'an email without @',
    files: { [TENANT]: baseline(TENANT, 'platform-sre@example.com', 'platform-sre.example.com') },
    at: [TENANT, 18, 14],
    message: 'spec.owners[0].email: must be an email address, got `platform-sre.example.com`',
  },
  {
    name: 'a Slack channel without quotes (# starts a comment)',
    files: { [TENANT]: baseline(TENANT, "slack: '#platform-sre'", 'slack: #platform-sre') },
    at: [TENANT, 19, 7],
    message: 'spec.owners[0].slack: must be a string, but the value is empty',
  },
  {
    name: 'a list written as one string',
    files: {
      [TENANT]: baseline(
        TENANT,
        `  allowedOrganizations:\n    - ${ORG_A}\n    - ${ORG_B}`,
        `  allowedOrganizations: ${ORG_A}`,
      ),
    },
    at: [TENANT, 13, 25],
    message: `spec.allowedOrganizations: must be a list, got the string \`${ORG_A}\``,
  },
  {
    name: 'an empty list item',
    files: { [TENANT]: baseline(TENANT, `    - ${ORG_B}`, `    -\n    - ${ORG_B}`) },
    at: [TENANT, 15, 5],
    message: 'spec.allowedOrganizations[1]: must be a string, but the value is empty',
  },
  {
    name: 'a mapping written without the space after the colon',
    files: {
      [TENANT]: baseline(
        TENANT,
        '  bootstrapToken:\n    mount: app-sre\n    path: creds/dynatrace/bootstrap/abc12345\n    field: token',
        '  bootstrapToken: mount:app-sre',
      ),
    },
    at: [TENANT, 9, 19],
    message: 'spec.bootstrapToken: must be a mapping (`key: value` lines), got the string `mount:app-sre`',
  },
  {
    name: 'both kinds of OCM credentials',
    files: {
      [ENVS]: baseline(
        ENVS,
        '    clientSecretField: client_secret\n',
        '    clientSecretField: client_secret\n    offlineTokenField: offline_token\n',
      ),
    },
    at: [ENVS, 9, 5],
    message:
      'spec.credentials: set either clientIdField and clientSecretField (a service account) or offlineTokenField (an offline token), not both',
  },
  {
    name: 'an upper-case name',
    files: { [ENVS]: baseline(ENVS, 'name: production', 'name: Production') },
    at: [ENVS, 4, 9],
    message:
      "metadata.name: must be lower-case letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label, e.g. redhat-aws-prod-eu)",
  },
  {
    name: 'an organization id with a typo',
    files: { [TENANT]: baseline(TENANT, `    - ${ORG_B}`, `    - ${ORG_B.slice(0, -1)}R`) },
    at: [TENANT, 15, 7],
    message: `spec.allowedOrganizations[1]: organization \`2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0QR\` is not declared as an AllowedOrganization; did you mean \`${ORG_B}\`?`,
  },
  {
    name: 'an unknown OCM environment',
    files: { [ORGS]: baseline(ORGS, 'ocmEnvironment: production', 'ocmEnvironment: prodution') },
    at: [ORGS, 8, 19],
    message: 'spec.ocmEnvironment: OCM environment `prodution` is not configured; did you mean `production`?',
  },
  {
    name: 'an organization narrowed to a tenant that does not allow it',
    files: {
      [TENANT_US]: baseline(
        TENANT_US,
        `allowedOrganizations: [${ORG_A}]`,
        `allowedOrganizations: [${ORG_B}]`,
      ),
    },
    at: [ORGS, 10, 23],
    message: `spec.tenants[1]: tenant \`def67890\` does not list organization \`${ORG_A}\` in its allowedOrganizations`,
  },
  {
    name: 'an organization narrowed to a spec that does not list it',
    files: { [SPECS]: baseline(SPECS, `ocm_org_ids: [${ORG_A}, ${ORG_B}]`, `ocm_org_ids: [${ORG_B}]`) },
    at: [ORGS, 11, 16],
    message: `spec.tokenSpecs[0]: token spec \`default\` does not list organization \`${ORG_A}\` in its ocm_org_ids`,
  },
  {
    name: 'a tenant copied to a new file without changing its environment id',
    files: { 'tenant-eu-copy.yaml': baseline(TENANT, 'name: prod-eu', 'name: prod-eu-copy') },
    at: [TENANT, 7, 18],
    message: (dir) =>
      `spec.environmentId: tenant \`abc12345\` is already defined at ${shown(dir, 'tenant-eu-copy.yaml')}:7:18`,
  },
  {
    name: 'a token spec name used twice across files',
    files: { 'more-specs.yaml': BASELINE[SPECS]! },
    at: [SPECS, 4, 9],
    message: (dir) =>
      `metadata.name: TokenSpec \`default\` is already defined at ${shown(dir, 'more-specs.yaml')}:4:9`,
  },
  {
    name: 'a Kubernetes apiVersion',
    files: { [TENANT]: baseline(TENANT, 'apiVersion: dtp/v1', 'apiVersion: v1') },
    at: [TENANT, 2, 13],
    message: 'apiVersion: must be `dtp/v1`, got `v1`',
  },
  {
    name: 'a misspelt kind',
    files: { [TENANT]: baseline(TENANT, 'kind: DynatraceTenant', 'kind: DynatraceTennant') },
    at: [TENANT, 3, 7],
    message: 'kind: unknown kind `DynatraceTennant`; did you mean `DynatraceTenant`?',
  },
  {
    name: 'no kind',
    files: { [TENANT]: baseline(TENANT, 'kind: DynatraceTenant\n', '') },
    at: [TENANT, 2, 1],
    message: 'missing required field `kind`',
  },
  {
    name: 'a document that is a list',
    files: { 'extra.yaml': '- apiVersion: dtp/v1\n  kind: OcmEnvironment\n' },
    at: ['extra.yaml', 1, 1],
    message: 'a document must be a mapping (apiVersion, kind, metadata, spec), this one is a list',
  },
  {
    name: 'a document that is plain text',
    files: { 'extra.yaml': 'just some notes\n' },
    at: ['extra.yaml', 1, 1],
    message:
      'a document must be a mapping (apiVersion, kind, metadata, spec), this one is the string `just some notes`',
  },
  {
    name: 'an empty file',
    files: { 'extra.yaml': '' },
    at: ['extra.yaml', 0, 0],
    message: 'file has no documents',
  },
  {
    name: 'a file with only comments',
    files: { 'extra.yaml': '# to do\n# later\n' },
    at: ['extra.yaml', 0, 0],
    message: 'file has no documents',
  },
  {
    name: 'a merge key',
    files: {
      'extra.yaml':
        'apiVersion: dtp/v1\nkind: OcmEnvironment\nmetadata: {name: x}\nspec:\n  <<: {apiUrl: https://x}\n',
    },
    at: ['extra.yaml', 5, 3],
    message: 'merge keys (`<<: *anchor`) are not supported',
  },
  {
    name: 'a list as a mapping key',
    files: { 'extra.yaml': '? [a, b]\n: c\n' },
    at: ['extra.yaml', 1, 3],
    message: 'a mapping key must be plain text',
  },
  {
    name: 'an alias bomb',
    files: { 'extra.yaml': `${ALIAS_BOMB}\n` },
    at: ['extra.yaml', 5, 36],
    message: 'the document expands to more than 100,000 values through its aliases',
  },
  {
    name: 'an alias inside its own anchor',
    files: { 'extra.yaml': 'a: &x [1, *x]\n' },
    at: ['extra.yaml', 1, 11],
    message: 'alias *x refers to a node that contains it',
  },
  {
    name: 'an alias without an anchor',
    files: { 'extra.yaml': 'a: *nope\n' },
    at: ['extra.yaml', 1, 4],
    message: 'alias *nope has no anchor &nope before it',
  },
  {
    name: 'nesting deeper than the limit',
    files: { 'extra.yaml': `a: ${'['.repeat(40)}${']'.repeat(40)}\n` },
    at: ['extra.yaml', 1, 35],
    message: 'YAML syntax error: nested more than 32 levels deep',
  },
  {
    name: 'a file over 1 MiB',
    files: { 'extra.yaml': `# ${'x'.repeat(1024 * 1024)}\n` },
    at: ['extra.yaml', 0, 0],
    message: 'file is 1,048,579 bytes; a configuration file may be at most 1 MiB',
  },
  {
    name: 'a binary file with a YAML name',
    files: { 'logo.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]) },
    at: ['logo.yaml', 0, 0],
    message: 'binary file: it contains NUL bytes, so it is not YAML text',
  },
  {
    name: 'a file saved as Latin-1',
    files: { [ORGS]: Buffer.from(baseline(ORGS, 'Team B', 'Équipe B'), 'latin1') },
    at: [ORGS, 19, 16],
    message: 'not UTF-8: byte 0xC9 is not valid UTF-8 text',
  },
  {
    name: 'a file saved as UTF-16',
    files: { 'extra.yaml': Buffer.from('\uFEFFa: 1\n', 'utf16le') },
    at: ['extra.yaml', 0, 0],
    message: 'file is UTF-16 encoded',
  },
  {
    name: 'no OcmEnvironment at all',
    files: { [ENVS]: null },
    at: ['', 0, 0],
    message: 'no OcmEnvironment: dtp needs at least one OCM environment to find clusters in',
  },
  {
    name: 'a configuration folder that does not exist',
    files: {},
    folder: (dir) => join(dir, 'tenant'),
    at: ['tenant', 0, 0],
    message: (dir) => `configuration folder ${shown(dir, 'tenant')} does not exist`,
  },
  {
    name: 'a configuration folder without YAML',
    files: Object.fromEntries([...Object.keys(BASELINE).map((f) => [f, null]), ['README.md', '# tenants\n']]),
    at: ['', 0, 0],
    message: (dir) => `no YAML files in ${shown(dir)}`,
  },
];

describe('dtp validate on broken configurations', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeConfig));

  it('has at least 30 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', async (c) => {
    const dir = writeConfig(c.files);
    dirs.push(dir);
    const result = await validate(c.folder ? c.folder(dir) : dir);
    const [file, line, column] = c.at;
    const message = typeof c.message === 'function' ? c.message(dir) : c.message;
    const expected = formatDiagnostic({ file: shown(dir, file), line, column, severity: 'error', message });

    expect(result.exitCode).toBe(2);
    expect(result.stderr.map((l) => l.split('\n')[0])).toContain(expected);
    const errors = c.errors ?? 1;
    expect(result.stderr).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^error: configuration invalid: ${errors} errors?,`)),
      ]),
    );
    expect(result.summary).toContain('configuration invalid');
    expect(result.everything).not.toMatch(STACK_FRAME);
  });
});
