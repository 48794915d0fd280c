/**
 * A small valid configuration, written into a temporary folder; each broken-config case changes one file
 * of it (or adds one) and expects exactly the diagnostic a reviewer should see.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { INGEST_SCOPES, OPERATOR_SCOPES, ORG_A, ORG_B, TENANT_A, TENANT_B } from '../fixtures/domain.js';

export { ORG_A, ORG_B } from '../fixtures/domain.js';

/**
 * The tokens the Dynatrace Operator reads, as a spec's `tokens:` list at the usual indentation, followed by
 * the spec's acknowledgement of the elevated scopes among them (so it must end the spec).
 */
export const OPERATOR_TOKENS = `        - name: operator
          keyNameInSecret: apiToken
          scopes: [${OPERATOR_SCOPES.join(', ')}]
        - name: ingest
          keyNameInSecret: dataIngestToken
          scopes: [${INGEST_SCOPES.join(', ')}]
  acknowledgedScopes:
    - {scope: activeGateTokenManagement.create, reason: The Operator creates its ActiveGate's token.}
    - {scope: settings.write, reason: The Operator writes its cluster's monitoring settings.}
    - {scope: settings.read, reason: The Operator reads those settings back.}
    - {scope: DataExport, reason: The Operator looks up its cluster's entity.}
    - {scope: InstallerDownload, reason: The Operator downloads the OneAgent.}
`;

export const BASELINE: Readonly<Record<string, string>> = {
  'environments.yaml': `apiVersion: dtp/v1
kind: OcmEnvironment
metadata:
  name: production
spec:
  apiUrl: https://api.openshift.com
  ssoTokenUrl: https://sso.redhat.com/auth/realms/redhat-external/protocol/openid-connect/token
  credentials:
    mount: app-sre
    path: creds/ocm/production/dtp
    clientIdField: client_id
    clientSecretField: client_secret
`,
  'tenant-eu.yaml': `# yaml-language-server: $schema=../schemas/dtp.schema.json
apiVersion: dtp/v1
kind: DynatraceTenant
metadata:
  name: prod-eu
spec:
  environmentId: ${TENANT_A}
  environmentUrl: https://${TENANT_A}.live.dynatrace.com
  bootstrapToken:
    mount: app-sre
    path: creds/dynatrace/bootstrap/${TENANT_A}
    field: token
  allowedOrganizations:
    - ${ORG_A}
    - ${ORG_B}
  owners:
    - name: Platform SRE
      email: platform-sre@example.com
      slack: '#platform-sre'
`,
  'tenant-us.yaml': `apiVersion: dtp/v1
kind: DynatraceTenant
metadata:
  name: prod-us
spec:
  environmentId: ${TENANT_B}
  environmentUrl: https://${TENANT_B}.live.dynatrace.com
  bootstrapToken: {mount: app-sre, path: creds/dynatrace/bootstrap/${TENANT_B}, field: token}
  allowedOrganizations: [${ORG_A}]
  owners: [{name: Platform SRE}]
`,
  'token-specs.yaml': `apiVersion: dtp/v1
kind: TokenSpec
metadata:
  name: default
spec:
  description: Tokens the Dynatrace Operator needs
  ocm_org_ids: [${ORG_A}, ${ORG_B}]
  secrets:
    - name: dynatrace-token-dtp
      namespace: dynatrace
      tokens:
${OPERATOR_TOKENS}`,
  'organizations.yaml': `apiVersion: dtp/v1
kind: AllowedOrganization
metadata:
  name: team-a
spec:
  organizationId: ${ORG_A}
  displayName: Team A
  ocmEnvironment: production
  contacts: [{name: Team A SRE, email: team-a@example.com}]
  tenants: [${TENANT_A}, ${TENANT_B}]
  tokenSpecs: [default]
---
apiVersion: dtp/v1
kind: AllowedOrganization
metadata:
  name: team-b
spec:
  organizationId: ${ORG_B}
  displayName: Team B
  contacts:
    - name: Team B SRE
`,
};

/** `text` with `from` replaced by `to`; throws when `from` is not there, so a stale case cannot pass. */
export function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`edit: ${JSON.stringify(from)} not found`);
  return text.replace(from, to);
}

/** Baseline file `name` with one edit. */
export function baseline(name: string, from: string, to: string): string {
  return edit(BASELINE[name]!, from, to);
}

/** Files to write: string content, a Buffer for bytes, null to leave a baseline file out. */
export type FileSet = Record<string, string | Buffer | null>;

/** Writes the baseline plus `changes` into a new temporary folder and returns it. */
export function writeConfig(
  changes: FileSet = {},
  base: Readonly<Record<string, string>> = BASELINE,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtp-config-'));
  for (const [name, content] of Object.entries({ ...base, ...changes })) {
    if (content === null) continue;
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

export function removeConfig(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** How a path in `dir` appears in diagnostics: relative to the working directory, with forward slashes. */
export function shown(dir: string, name = ''): string {
  return relative(process.cwd(), join(dir, name)).split('\\').join('/');
}
