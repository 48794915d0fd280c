/**
 * Configurations that each break one rule of src/config/rules/ (used by config-rules.test.ts). Each starts
 * from the baseline of test/config/baseline.ts and changes as little as it can.
 */
import type { LoadSettings } from '../../src/config/load.js';
import { BASELINE, baseline, edit, ORG_A, ORG_B, type FileSet } from '../config/baseline.js';

const SPECS = 'token-specs.yaml';
const TENANT = 'tenant-eu.yaml';
const ENVS = 'environments.yaml';
const ORGS = 'organizations.yaml';

/** A second document of `name`, renamed so only the field under test collides. */
const second = (name: string, ...edits: [string, string][]) =>
  edits.reduce((text, [from, to]) => edit(text, from, to), BASELINE[name]!);

export interface RuleCase {
  /** The rule, as a reviewer would state it. */
  rule: string;
  files: FileSet;
  /** Trusted settings the rules read (run-interval, allowed-hosts); the defaults when absent. */
  settings?: LoadSettings;
  /** Every diagnostic, `file:line:column severity: message | hint: …`; `<dir>` is the folder. */
  expected: string[];
}

export const CASES: RuleCase[] = [
  // cross-file.ts: uniqueness
  {
    rule: 'a token spec name is unique (the cluster label chooses a spec by it)',
    files: { 'more-specs.yaml': BASELINE[SPECS]! },
    expected: [
      'token-specs.yaml:4:9 error: metadata.name: TokenSpec `default` is already defined at <dir>/more-specs.yaml:4:9 | hint: A token spec is chosen by its name in the cluster label: rename one of them.',
    ],
  },
  {
    rule: 'a tenant name is unique per kind',
    files: {
      'tenant-eu2.yaml': second(
        TENANT,
        ['environmentId: abc12345', 'environmentId: ghi11111'],
        ['https://abc12345', 'https://ghi11111'],
      ),
    },
    expected: [
      'tenant-eu2.yaml:5:9 error: metadata.name: DynatraceTenant `prod-eu` is already defined at <dir>/tenant-eu.yaml:5:9 | hint: Names are unique per kind: rename one of them.',
    ],
  },
  {
    rule: 'an environment id is configured once',
    files: { 'tenant-eu2.yaml': second(TENANT, ['name: prod-eu', 'name: prod-eu2']) },
    expected: [
      'tenant-eu2.yaml:7:18 error: spec.environmentId: tenant `abc12345` is already defined at <dir>/tenant-eu.yaml:7:18 | hint: Each Dynatrace environment is configured once (cluster labels name it by this id): remove or merge the duplicate.',
    ],
  },
  {
    rule: 'an organization is declared once',
    files: {
      'more-orgs.yaml': `apiVersion: dtp/v1
kind: AllowedOrganization
metadata:
  name: team-a2
spec:
  organizationId: ${ORG_A}
  displayName: Team A again
  contacts: [{name: Team A SRE}]
`,
    },
    expected: [
      'organizations.yaml:6:19 error: spec.organizationId: organization `1nJk5bXkZr1UhKMGbRxLpLzqX0v` is already defined at <dir>/more-orgs.yaml:6:19 | hint: Each organization is declared once: merge the two documents.',
    ],
  },
  {
    rule: 'documents without an identifier are not duplicates of each other',
    files: {
      [ORGS]: baseline(ORGS, `  organizationId: ${ORG_B}\n`, ''),
      'more-orgs.yaml': `apiVersion: dtp/v1
kind: AllowedOrganization
metadata:
  name: team-c
spec:
  displayName: Team C
  contacts: [{name: Team C SRE}]
`,
    },
    expected: [
      'more-orgs.yaml:6:3 error: spec: missing required field `organizationId` | hint: The OCM organization id, e.g. 1nJk5bXkZr1UhKMGbRxLpLzqX0v. Unique across organizations.',
      'organizations.yaml:18:3 error: spec: missing required field `organizationId` | hint: The OCM organization id, e.g. 1nJk5bXkZr1UhKMGbRxLpLzqX0v. Unique across organizations.',
    ],
  },
  // cross-file.ts: references
  {
    rule: 'a configuration has an OCM environment',
    files: { [ENVS]: null, [ORGS]: baseline(ORGS, '  ocmEnvironment: production\n', '') },
    expected: [
      ':0:0 error: no OcmEnvironment: dtp needs at least one OCM environment to find clusters in | hint: Add an OcmEnvironment document (for example production, https://api.openshift.com); see docs/configuration.md.',
    ],
  },
  {
    rule: "an organization's tenants are configured tenants",
    files: { [ORGS]: baseline(ORGS, 'tenants: [abc12345, def67890]', 'tenants: [abc12345, xyz99999]') },
    expected: [
      'organizations.yaml:10:23 error: spec.tenants[1]: tenant `xyz99999` is not configured | hint: Tenants are named by their environment id (spec.environmentId of a DynatraceTenant).',
    ],
  },
  {
    rule: "an organization's token specs are configured specs",
    files: { [ORGS]: baseline(ORGS, 'tokenSpecs: [default]', 'tokenSpecs: [defaults]') },
    expected: [
      'organizations.yaml:11:16 error: spec.tokenSpecs[0]: token spec `defaults` is not configured; did you mean `default`? | hint: Token specs are named by metadata.name of a TokenSpec.',
    ],
  },
  {
    rule: "an organization's OCM environment is configured",
    files: {
      [ORGS]: baseline(ORGS, 'ocmEnvironment: production', 'ocmEnvironment: prod'),
      'stage.yaml': second(
        ENVS,
        ['name: production', 'name: stage'],
        ['https://api.openshift.com', 'https://api.stage.openshift.com'],
      ),
    },
    expected: [
      'organizations.yaml:8:19 error: spec.ocmEnvironment: OCM environment `prod` is not configured | hint: OCM environments are named by metadata.name of an OcmEnvironment (production, stage).',
    ],
  },
  {
    rule: 'a tenant allows only declared organizations',
    files: {
      [TENANT]: baseline(TENANT, `    - ${ORG_B}\n`, `    - ${ORG_B}\n    - 3Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr\n`),
    },
    expected: [
      'tenant-eu.yaml:16:7 error: spec.allowedOrganizations[2]: organization `3Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr` is not declared as an AllowedOrganization | hint: Declare it with an AllowedOrganization document, or remove it from this list.',
    ],
  },
  // cross-file.ts: agreement
  {
    rule: "an organization's tenants list it back",
    files: {
      'tenant-us.yaml': edit(
        BASELINE['tenant-us.yaml']!,
        `allowedOrganizations: [${ORG_A}]`,
        `allowedOrganizations: [${ORG_B}]`,
      ),
    },
    expected: [
      "organizations.yaml:10:23 error: spec.tenants[1]: tenant `def67890` does not list organization `1nJk5bXkZr1UhKMGbRxLpLzqX0v` in its allowedOrganizations | hint: Add 1nJk5bXkZr1UhKMGbRxLpLzqX0v to allowedOrganizations of tenant def67890 (<dir>/tenant-us.yaml:1:1), or remove def67890 from this organization's tenants.",
    ],
  },
  {
    rule: "an organization's token specs list it back",
    files: {
      'more-specs.yaml': second(
        SPECS,
        ['name: default', 'name: other'],
        [`ocm_org_ids: [${ORG_A}, ${ORG_B}]`, `ocm_org_ids: [${ORG_B}]`],
        ['name: dynatrace-token-dtp', 'name: other-tokens'],
      ),
      [ORGS]: baseline(ORGS, 'tokenSpecs: [default]', 'tokenSpecs: [default, other]'),
    },
    expected: [
      "organizations.yaml:11:25 error: spec.tokenSpecs[1]: token spec `other` does not list organization `1nJk5bXkZr1UhKMGbRxLpLzqX0v` in its ocm_org_ids | hint: Add 1nJk5bXkZr1UhKMGbRxLpLzqX0v to ocm_org_ids of token spec other (<dir>/more-specs.yaml:1:1), or remove other from this organization's tokenSpecs.",
    ],
  },
  // tenant.ts
  {
    rule: 'a Managed URL names its own environment in the path',
    files: {
      [TENANT]: baseline(TENANT, 'https://abc12345.live.dynatrace.com', 'https://dt.example.com/e/xyz99999'),
    },
    expected: [
      'tenant-eu.yaml:8:19 error: spec.environmentUrl: path `/e/xyz99999` names environment `xyz99999`, not `abc12345` | hint: A Managed environment URL is https://<host>/e/<environmentId>; fix whichever is wrong.',
    ],
  },
  {
    rule: 'a SaaS host starts with the environment id',
    files: {
      [TENANT]: baseline(
        TENANT,
        'https://abc12345.live.dynatrace.com',
        'https://abd12345.live.dynatrace.com',
      ),
    },
    expected: [
      'tenant-eu.yaml:8:19 error: spec.environmentUrl: host `abd12345.live.dynatrace.com` does not start with the environment id `abc12345` | hint: The URL of environment abc12345 is https://abc12345.live.dynatrace.com; fix whichever of the two is wrong.',
    ],
  },
  {
    rule: 'the web UI address is not the API',
    files: {
      [TENANT]: baseline(
        TENANT,
        'https://abc12345.live.dynatrace.com',
        'https://abc12345.apps.dynatrace.com',
      ),
    },
    expected: [
      'tenant-eu.yaml:8:19 error: spec.environmentUrl: `abc12345.apps.dynatrace.com` is the Dynatrace web UI, not the API | hint: Use https://abc12345.live.dynatrace.com: the Dynatrace Operator calls the Environment API there.',
    ],
  },
  // egress.ts
  {
    rule: 'a tenant URL goes only to an allowed host',
    files: {
      [TENANT]: baseline(
        TENANT,
        'https://abc12345.live.dynatrace.com',
        'https://abc12345.live.dynatrace.com.evil.example',
      ),
    },
    expected: [
      'tenant-eu.yaml:8:19 error: spec.environmentUrl: host `abc12345.live.dynatrace.com.evil.example` is not one that credentials may be sent to: by default only https://abc12345.live.dynatrace.com (Dynatrace SaaS); any other host (and port) needs an entry in the `allowed-hosts` setting (Action input allowed-hosts, --allowed-hosts, DTP_ALLOWED_HOSTS) | hint: Point the URL at the public address, or have whoever owns the pipeline add the host to `allowed-hosts` (a setting, not YAML: a pull request cannot widen it).',
    ],
  },
  {
    rule: 'OCM URLs go only to allowed hosts',
    files: {
      [ENVS]: baseline(
        ENVS,
        'apiUrl: https://api.openshift.com',
        'apiUrl: https://api.openshift.evil.example',
      ),
    },
    expected: [
      'environments.yaml:6:11 error: spec.apiUrl: host `api.openshift.evil.example` is not one that credentials may be sent to: by default only api.openshift.com, api.stage.openshift.com, api.integration.openshift.com; any other host (and port) needs an entry in the `allowed-hosts` setting (Action input allowed-hosts, --allowed-hosts, DTP_ALLOWED_HOSTS) | hint: Point the URL at the public address, or have whoever owns the pipeline add the host to `allowed-hosts` (a setting, not YAML: a pull request cannot widen it).',
    ],
  },
  // vault-paths.ts
  {
    rule: 'plan credentials are read from a plain Vault path',
    files: {
      [ENVS]: `${BASELINE[ENVS]!}  planCredentials: {mount: app-sre, path: 'creds/%2e%2e/plan', clientIdField: id, clientSecretField: secret}\n`,
    },
    expected: [
      'environments.yaml:13:43 error: spec.planCredentials.path: segment 2 `%2e%2e` (decoded `..`) is `..`: it would address another path | hint: Write the path as Vault lists it: segments of letters, digits, `-`, `_`, `.` and the like, separated by single `/`, without `%` escapes, `?`, `#`, spaces, `.` or `..`.',
    ],
  },
  {
    rule: 'a plan token path is a plain Vault path',
    files: {
      [TENANT]: baseline(
        TENANT,
        '    field: token\n',
        '    field: token\n  planToken: {mount: app-sre, path: creds/%2e%2e/plan, field: token}\n',
      ),
    },
    expected: [
      'tenant-eu.yaml:13:37 error: spec.planToken.path: segment 2 `%2e%2e` (decoded `..`) is `..`: it would address another path | hint: Write the path as Vault lists it: segments of letters, digits, `-`, `_`, `.` and the like, separated by single `/`, without `%` escapes, `?`, `#`, spaces, `.` or `..`.',
    ],
  },
  // token-spec.ts
  {
    rule: 'a Secret appears once in a spec',
    files: {
      [SPECS]: baseline(
        SPECS,
        '  acknowledgedScopes:\n',
        '    - name: dynatrace-token-dtp\n      namespace: dynatrace\n      tokens: [{name: other, scopes: [metrics.ingest]}]\n  acknowledgedScopes:\n',
      ),
    },
    expected: [
      'token-specs.yaml:18:13 error: spec.secrets[1].name: Secret dynatrace/dynatrace-token-dtp is already delivered by spec.secrets[0] | hint: Each Secret may appear once in a spec: merge the two entries, or change the name or namespace.',
    ],
  },
  {
    rule: 'token names are unique within a Secret',
    files: { [SPECS]: baseline(SPECS, '        - name: ingest\n', '        - name: operator\n') },
    expected: [
      'token-specs.yaml:15:17 error: spec.secrets[0].tokens[1].name: token name `operator` is already used by tokens[0] of this Secret | hint: Token names must be unique within a Secret: dtp tells the tokens of a cluster apart by them.',
    ],
  },
  {
    rule: "a token's key (its name by default) is not another token's key",
    files: {
      [SPECS]: baseline(
        SPECS,
        '          keyNameInSecret: dataIngestToken\n',
        '          keyNameInSecret: apiToken\n',
      ),
    },
    expected: [
      'token-specs.yaml:16:28 error: spec.secrets[0].tokens[1].keyNameInSecret: Secret key `apiToken` is already used for the value of token `operator` | hint: Choose another `keyNameInSecret`.',
    ],
  },
  {
    rule: "a token's key defaults to its name and must not be taken",
    files: {
      [SPECS]: baseline(
        SPECS,
        '        - name: ingest\n          keyNameInSecret: dataIngestToken\n',
        '        - name: apiToken\n',
      ),
    },
    expected: [
      'token-specs.yaml:15:17 error: spec.secrets[0].tokens[1].name: Secret key `apiToken` is already used for the value of token `operator` | hint: Set `keyNameInSecret` to a key of its own (the key defaults to the token name).',
    ],
  },
  {
    rule: "a token's key is not dtp's apiUrl",
    files: { [SPECS]: baseline(SPECS, 'keyNameInSecret: dataIngestToken', 'keyNameInSecret: apiUrl') },
    expected: [
      "token-specs.yaml:16:28 error: spec.secrets[0].tokens[1].keyNameInSecret: Secret key `apiUrl` is already used for the tenant's API URL, which dtp writes into every Secret | hint: Choose another `keyNameInSecret`.",
    ],
  },
  {
    rule: "a token's id key (<key>Id) is not another token's key",
    files: {
      [SPECS]: edit(
        baseline(SPECS, 'keyNameInSecret: apiToken', 'keyNameInSecret: tokenId'),
        'keyNameInSecret: dataIngestToken',
        'keyNameInSecret: token',
      ),
    },
    expected: [
      "token-specs.yaml:16:28 error: spec.secrets[0].tokens[1].keyNameInSecret: this token's id would be written under `tokenId`, which is already used for the value of token `operator` | hint: Choose another `keyNameInSecret`.",
    ],
  },
  {
    rule: "a token's key is not another token's id key",
    files: { [SPECS]: baseline(SPECS, 'keyNameInSecret: dataIngestToken', 'keyNameInSecret: apiTokenId') },
    expected: [
      'token-specs.yaml:16:28 error: spec.secrets[0].tokens[1].keyNameInSecret: Secret key `apiTokenId` is already used for the id of token `operator` (dtp writes it under `<key>Id`) | hint: Choose another `keyNameInSecret`.',
    ],
  },
  // scope-policy.ts
  {
    rule: 'a scope is acknowledged once',
    files: { [SPECS]: `${BASELINE[SPECS]!}    - {scope: DataExport, reason: Again.}\n` },
    expected: [
      'token-specs.yaml:24:15 error: spec.acknowledgedScopes[5].scope: scope `DataExport` is already acknowledged by acknowledgedScopes[3] | hint: Acknowledge each scope once; merge the two reasons.',
    ],
  },
  {
    rule: 'only elevated scopes need an acknowledgement',
    files: { [SPECS]: `${BASELINE[SPECS]!}    - {scope: metrics.ingest, reason: Not needed.}\n` },
    expected: [
      'token-specs.yaml:24:15 warning: spec.acknowledgedScopes[5].scope: scope `metrics.ingest` is not elevated and needs no acknowledgement | hint: Remove this entry; docs/configuration.md grades every scope.',
    ],
  },
  {
    rule: 'an acknowledgement of an unused scope that is not elevated is reported once, as not needed',
    files: { [SPECS]: `${BASELINE[SPECS]!}    - {scope: events.ingest, reason: Not needed.}\n` },
    expected: [
      'token-specs.yaml:24:15 warning: spec.acknowledgedScopes[5].scope: scope `events.ingest` is not elevated and needs no acknowledgement | hint: Remove this entry; docs/configuration.md grades every scope.',
    ],
  },
  {
    rule: 'an elevated scope needs an acknowledgement',
    files: {
      [SPECS]: baseline(
        SPECS,
        "    - {scope: DataExport, reason: The Operator looks up its cluster's entity.}\n",
        '',
      ),
    },
    expected: [
      'token-specs.yaml:14:100 error: spec.secrets[0].tokens[0].scopes[4]: scope `DataExport` is elevated (it reads the problem and event feed, metrics and topology of the whole tenant) and is not acknowledged | hint: If the clusters need it, add `acknowledgedScopes: [{scope: DataExport, reason: <why the clusters need it>}]` to the spec; otherwise remove it.',
    ],
  },
  {
    rule: 'an acknowledgement names a scope the spec uses',
    files: { [SPECS]: baseline(SPECS, ', DataExport, InstallerDownload]', ', InstallerDownload]') },
    expected: [
      'token-specs.yaml:22:15 warning: spec.acknowledgedScopes[3].scope: scope `DataExport` is acknowledged but no token of this spec has it | hint: Remove the entry, so the acknowledgement stays a true list.',
    ],
  },
  // usage.ts
  {
    rule: 'an organization no tenant lets in gets a warning',
    files: { [TENANT]: baseline(TENANT, `    - ${ORG_B}\n`, '') },
    expected: [
      'organizations.yaml:18:19 warning: spec.organizationId: no tenant lets this organization use it, so its clusters get no tokens | hint: Add the organization to allowedOrganizations of the tenants it should use (and to its own `tenants`, if set), or remove this document.',
    ],
  },
  {
    rule: 'an organization no token spec lets in gets a warning',
    files: { [SPECS]: baseline(SPECS, `ocm_org_ids: [${ORG_A}, ${ORG_B}]`, `ocm_org_ids: [${ORG_A}]`) },
    expected: [
      'organizations.yaml:18:19 warning: spec.organizationId: no token spec lets this organization use it, so its clusters get no tokens | hint: Add the organization to ocm_org_ids of the token specs it should use (and to its own `tokenSpecs`, if set), or remove this document.',
    ],
  },
  {
    rule: "a tenant that an organization's own narrowing leaves out gets a warning",
    files: { [ORGS]: baseline(ORGS, 'tenants: [abc12345, def67890]', 'tenants: [abc12345]') },
    expected: [
      'tenant-us.yaml:9:25 warning: spec.allowedOrganizations: no organization can bind clusters to this tenant | hint: A cluster gets tokens only when its organization is an AllowedOrganization listed by both the tenant and the token spec (and allowed by its own `tenants` / `tokenSpecs`, if set).',
    ],
  },
  {
    rule: 'a tenant that lists no organization gets a warning',
    files: {
      'tenant-us.yaml': edit(
        BASELINE['tenant-us.yaml']!,
        `allowedOrganizations: [${ORG_A}]`,
        'allowedOrganizations: []',
      ),
      [ORGS]: baseline(ORGS, 'tenants: [abc12345, def67890]', 'tenants: [abc12345]'),
    },
    expected: [
      'tenant-us.yaml:9:25 warning: spec.allowedOrganizations: lists no organization, so no cluster can use this tenant | hint: A cluster gets tokens only when its organization is an AllowedOrganization listed by both the tenant and the token spec (and allowed by its own `tenants` / `tokenSpecs`, if set).',
    ],
  },
  {
    rule: 'a token spec that lists no organization gets a warning',
    files: {
      'more-specs.yaml': second(
        SPECS,
        ['name: default', 'name: other'],
        [`ocm_org_ids: [${ORG_A}, ${ORG_B}]`, 'ocm_org_ids: []'],
        ['name: dynatrace-token-dtp', 'name: other-tokens'],
      ),
    },
    expected: [
      'more-specs.yaml:7:16 warning: spec.ocm_org_ids: lists no organization, so no cluster can use this token spec | hint: A cluster gets tokens only when its organization is an AllowedOrganization listed by both the tenant and the token spec (and allowed by its own `tenants` / `tokenSpecs`, if set).',
    ],
  },
  {
    rule: 'a token spec that no organization can bind gets a warning',
    files: {
      'more-specs.yaml': second(
        SPECS,
        ['name: default', 'name: other'],
        [`ocm_org_ids: [${ORG_A}, ${ORG_B}]`, `ocm_org_ids: [${ORG_A}]`],
        ['name: dynatrace-token-dtp', 'name: other-tokens'],
      ),
    },
    expected: [
      'more-specs.yaml:7:16 warning: spec.ocm_org_ids: no organization can bind clusters with this token spec | hint: A cluster gets tokens only when its organization is an AllowedOrganization listed by both the tenant and the token spec (and allowed by its own `tenants` / `tokenSpecs`, if set).',
    ],
  },
  {
    rule: 'two specs delivering one Secret get a warning',
    files: { 'more-specs.yaml': second(SPECS, ['name: default', 'name: other']) },
    expected: [
      "token-specs.yaml:9:13 warning: spec.secrets[0].name: Secret dynatrace/dynatrace-token-dtp is also delivered by token spec `other` (<dir>/more-specs.yaml:9:13) | hint: A cluster bound to both specs gets only the first binding's Secret; use another Secret name unless the two are never bound together.",
    ],
  },
  // token-lifetime.ts
  {
    rule: 'lifetimes exactly at their bounds are accepted (maxAge 1h–365d, rotateAfter from 10m, rotationGrace 10m–30d)',
    settings: { runIntervalMs: 10 * 60_000 },
    files: {
      [SPECS]: edit(
        baseline(
          SPECS,
          '          keyNameInSecret: apiToken\n',
          '          keyNameInSecret: apiToken\n          maxAge: 1h\n          rotateAfter: 10m\n          rotationGrace: 10m\n',
        ),
        '          keyNameInSecret: dataIngestToken\n',
        '          keyNameInSecret: dataIngestToken\n          maxAge: 365d\n          rotationGrace: 30d\n',
      ),
    },
    expected: [],
  },
  {
    rule: 'a maxAge not longer than two run intervals gets a warning that says what to do',
    files: {
      [SPECS]: baseline(
        SPECS,
        '          keyNameInSecret: apiToken\n',
        '          keyNameInSecret: apiToken\n          maxAge: 3h\n',
      ),
    },
    expected: [
      'token-specs.yaml:14:19 warning: spec.secrets[0].tokens[0].maxAge: `3h` is not longer than two run intervals (run-interval 2h): its tokens would be rotated on every run | hint: Make maxAge several run intervals long (90d is usual), or shorten run-interval to match the schedule.',
    ],
  },
  {
    rule: 'a maxAge out of bounds is reported once, not again through a rotateAfter compared with it',
    files: {
      [SPECS]: baseline(
        SPECS,
        '          keyNameInSecret: apiToken\n',
        '          keyNameInSecret: apiToken\n          maxAge: 30m\n          rotateAfter: 45m\n',
      ),
    },
    expected: [
      'token-specs.yaml:14:19 error: spec.secrets[0].tokens[0].maxAge: `30m` is shorter than 1h | hint: maxAge is from 1h to 365d, e.g. `maxAge: 90d`.',
    ],
  },
];
