/**
 * A generated fleet-sized configuration (hundreds of files, thousands of documents), valid and without
 * warnings, for the scale test and the benchmark.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPERATOR_TOKENS } from './baseline.js';

const DOCS_PER_FILE = 10;

export interface LargeConfig {
  dir: string;
  files: number;
  documents: number;
}

const orgId = (i: number) => `org${String(i).padStart(24, '0')}`;
const tenantId = (i: number) => `t${String(i).padStart(7, '0')}`;

/** `tenantFiles`, `specFiles` and `orgFiles` files of ten documents each, plus one OCM environment file. */
export function writeLargeConfig(tenantFiles = 200, specFiles = 149, orgFiles = 150): LargeConfig {
  const dir = mkdtempSync(join(tmpdir(), 'dtp-large-'));
  const orgs = orgFiles * DOCS_PER_FILE;
  const some = (i: number) => Array.from({ length: 5 }, (_, k) => orgId((i * 7 + k * 13) % orgs));
  writeFileSync(
    join(dir, 'environments.yaml'),
    `apiVersion: dtp/v1
kind: OcmEnvironment
metadata: {name: production}
spec:
  apiUrl: https://api.openshift.com
  ssoTokenUrl: https://sso.redhat.com/auth/realms/redhat-external/protocol/openid-connect/token
  credentials: {mount: app-sre, path: creds/ocm/production/dtp, offlineTokenField: offline_token}
`,
  );
  const write = (prefix: string, fileCount: number, document: (i: number) => string) => {
    for (let f = 0; f < fileCount; f++) {
      const docs = Array.from({ length: DOCS_PER_FILE }, (_, d) => document(f * DOCS_PER_FILE + d));
      writeFileSync(join(dir, `${prefix}-${String(f).padStart(4, '0')}.yaml`), docs.join('---\n'));
    }
  };
  write(
    'organizations',
    orgFiles,
    (i) => `apiVersion: dtp/v1
kind: AllowedOrganization
metadata:
  name: org-${i}
spec:
  organizationId: ${orgId(i)}
  displayName: Organization ${i}
  ocmEnvironment: production
  contacts:
    - name: Team ${i}
      email: team-${i}@example.com
`,
  );
  // Every organization is listed by some tenant and some spec, so nothing is unused.
  const listing = (i: number, count: number) => [
    ...new Set([...some(i), orgId(i % orgs), orgId((i + count) % orgs)]),
  ];
  write(
    'tenants',
    tenantFiles,
    (i) => `apiVersion: dtp/v1
kind: DynatraceTenant
metadata:
  name: tenant-${i}
spec:
  environmentId: ${tenantId(i)}
  environmentUrl: https://${tenantId(i)}.live.dynatrace.com
  bootstrapToken:
    mount: app-sre
    path: creds/dynatrace/bootstrap/${tenantId(i)}
    field: token
  allowedOrganizations: [${listing(i, tenantFiles * DOCS_PER_FILE).join(', ')}]
  owners:
    - {name: Platform SRE, email: platform-sre@example.com, slack: '#platform-sre'}
`,
  );
  write(
    'token-specs',
    specFiles,
    (i) => `apiVersion: dtp/v1
kind: TokenSpec
metadata:
  name: spec-${i}
spec:
  description: Tokens for spec ${i}
  ocm_org_ids: [${listing(i, specFiles * DOCS_PER_FILE).join(', ')}]
  secrets:
    - name: dynatrace-token-${i}
      namespace: dynatrace
      tokens:
${OPERATOR_TOKENS}`,
  );
  return {
    dir,
    files: 1 + tenantFiles + specFiles + orgFiles,
    documents: 1 + (tenantFiles + specFiles + orgFiles) * DOCS_PER_FILE,
  };
}
