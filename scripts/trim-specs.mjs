// Trims the published OCM, Dynatrace and Vault OpenAPI specs down to the operations dtp uses, plus every
// component they reference (transitively), and writes them to specs/ (committed: CI has no /work/shared).
// Everything kept is copied unchanged except `example` values (sample data the checks never read; Dynatrace's
// include token-shaped strings that secret scanners rightly flag); object key order is normalised (sorted) so
// the output is deterministic. Each file records its origin and the sha256 of the source in `x-trimmed-from`.
//
//   node scripts/trim-specs.mjs [source-dir]      (default: $DTP_SPECS_SOURCE or ../shared/specs)
//   node scripts/trim-specs.mjs --check [source-dir]   (fails when specs/ differs from a fresh trim)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const sourceDir = resolve(
  args.find((a) => !a.startsWith('--')) ??
    process.env.DTP_SPECS_SOURCE ??
    join(root, '..', 'shared', 'specs'),
);
const outDir = join(root, 'specs');

/** Origins, as recorded in the source folder's README (repo : path @ commit that last changed the file). */
const ORIGINS = {
  ocm_accounts:
    'github.com/openshift-online/ocm-sdk-go : openapi/accounts_mgmt/v1/openapi.json @ c60fd4055e8c40bd88f40b5b001c1c68d1ede8ae (Apache-2.0)',
  ocm_clusters:
    'github.com/openshift-online/ocm-sdk-go : openapi/clusters_mgmt/v1/openapi.json @ 615684b6d5e4135d8ab2b46024d8097c1bc8b3d9 (Apache-2.0)',
  ocm_logs:
    'github.com/openshift-online/ocm-sdk-go : openapi/service_logs/v1/openapi.json @ f65f2332157658b348bbef594cab311d56905531 (Apache-2.0)',
  dynatrace:
    'github.com/Dynatrace-Jeroen-Hautekeete/dynatrace-openapi-codegen-java : specs/spec3-env-v2-1.254.47-sprint.json @ c637ffd9cacbacabc34f6e5123e2f8ffecf177e4 (Dynatrace 1.254 published spec; no licence declared)',
  vault:
    'github.com/hashicorp/vault-client-go : openapi.json @ 1bad0b35cf37780c0613f55f8dbe5b38a26ff332 (Vault 1.15.0, MPL-2.0)',
};

/** What to keep: source file (relative to the source dir) -> output file -> path template -> methods. */
const TRIMS = [
  {
    source: 'ocm/accounts_mgmt/v1/openapi.json',
    out: 'ocm/accounts_mgmt.json',
    origin: ORIGINS.ocm_accounts,
    operations: {
      '/api/accounts_mgmt/v1/labels': ['get'],
      '/api/accounts_mgmt/v1/subscriptions': ['get'],
      '/api/accounts_mgmt/v1/organizations': ['get'],
      '/api/accounts_mgmt/v1/organizations/{organization_id}': ['get'],
    },
  },
  {
    source: 'ocm/clusters_mgmt/v1/openapi.json',
    out: 'ocm/clusters_mgmt.json',
    origin: ORIGINS.ocm_clusters,
    operations: {
      '/api/clusters_mgmt/v1/clusters': ['get'],
      '/api/clusters_mgmt/v1/clusters/{cluster_id}': ['get'],
      '/api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/syncsets': ['get', 'post'],
      '/api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/syncsets/{syncset_id}': [
        'get',
        'patch',
        'delete',
      ],
      '/api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/manifests': ['get', 'post'],
      '/api/clusters_mgmt/v1/clusters/{cluster_id}/external_configuration/manifests/{manifest_id}': [
        'get',
        'patch',
        'delete',
      ],
    },
  },
  {
    source: 'ocm/service_logs/v1/openapi.json',
    out: 'ocm/service_logs.json',
    origin: ORIGINS.ocm_logs,
    operations: {
      '/api/service_logs/v1/cluster_logs': ['post'],
      '/api/service_logs/v1/clusters/cluster_logs': ['get'],
    },
  },
  {
    source: 'dynatrace/spec3-env-v2-1.254.47-sprint.json',
    out: 'dynatrace/env-v2.json',
    origin: ORIGINS.dynatrace,
    operations: {
      '/apiTokens': ['get', 'post'],
      '/apiTokens/{id}': ['get', 'put', 'delete'],
      '/apiTokens/lookup': ['post'],
    },
  },
  {
    source: 'vault/openapi.json',
    out: 'vault/openapi.json',
    origin: ORIGINS.vault,
    operations: {
      '/auth/{approle_mount_path}/login': ['post'],
      '/auth/{jwt_mount_path}/login': ['post'],
      '/auth/{kubernetes_mount_path}/login': ['post'],
      '/{kv_v2_mount_path}/data/{path}': ['get'],
      '/auth/token/lookup-self': ['get'],
      '/auth/token/revoke-self': ['post'],
    },
  },
];

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every `$ref` string inside a value. */
function refsIn(value, out = new Set()) {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function unescapePointer(segment) {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Recursively sorted copy (object keys only; array order is meaningful and kept), without `example` and
 * `examples` annotations. Under `properties` those words are field names, and kept.
 */
function sorted(value, parentKey) {
  if (Array.isArray(value)) return value.map((v) => sorted(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => parentKey === 'properties' || (k !== 'example' && k !== 'examples'))
        .sort()
        .map((k) => [k, sorted(value[k], k)]),
    );
  }
  return value;
}

function trim(spec, trimDef, raw) {
  const paths = {};
  const operations = [];
  for (const [template, methods] of Object.entries(trimDef.operations)) {
    const item = spec.paths?.[template];
    if (!item) throw new Error(`${trimDef.source}: no path ${template}`);
    const kept = {};
    for (const [key, value] of Object.entries(item)) {
      if (METHODS.has(key)) continue;
      kept[key] = value; // path-level parameters, description, x-vault-* …
    }
    for (const method of methods) {
      if (!item[method]) throw new Error(`${trimDef.source}: no ${method.toUpperCase()} ${template}`);
      kept[method] = item[method];
      operations.push(`${method.toUpperCase()} ${template}`);
    }
    paths[template] = kept;
  }

  // Transitive closure of the components referenced by the kept operations.
  const components = {};
  const pending = [...refsIn(paths)];
  const seen = new Set();
  while (pending.length > 0) {
    const ref = pending.pop();
    if (seen.has(ref)) continue;
    seen.add(ref);
    if (!ref.startsWith('#/components/')) throw new Error(`${trimDef.source}: unsupported $ref ${ref}`);
    const [section, name, ...rest] = ref.slice('#/components/'.length).split('/').map(unescapePointer);
    if (rest.length > 0) throw new Error(`${trimDef.source}: $ref into a component is unsupported: ${ref}`);
    const target = spec.components?.[section]?.[name];
    if (target === undefined) throw new Error(`${trimDef.source}: dangling $ref ${ref}`);
    (components[section] ??= {})[name] = target;
    for (const next of refsIn(target)) pending.push(next);
  }
  // Security schemes are referenced by name (not $ref) from `security`; they are tiny: keep them all.
  if (spec.components?.securitySchemes) components.securitySchemes = spec.components.securitySchemes;

  const usedTags = new Set(
    Object.values(paths).flatMap((item) =>
      Object.entries(item)
        .filter(([k]) => METHODS.has(k))
        .flatMap(([, op]) => op.tags ?? []),
    ),
  );

  const out = {};
  for (const key of ['openapi', 'info', 'servers', 'security'])
    if (spec[key] !== undefined) out[key] = spec[key];
  if (Array.isArray(spec.tags)) out.tags = spec.tags.filter((t) => usedTags.has(t.name));
  out.paths = paths;
  out.components = components;
  out['x-trimmed-from'] = {
    file: trimDef.source,
    origin: trimDef.origin,
    bytes: raw.length,
    sha256: createHash('sha256').update(raw).digest('hex').slice(0, 16),
    operations: operations.sort(),
    components: Object.values(components).reduce((n, s) => n + Object.keys(s).length, 0),
    regenerate: 'node scripts/trim-specs.mjs',
  };
  return { doc: sorted(out), operations, seen };
}

const prettierConfig = (await prettier.resolveConfig(join(outDir, 'x.json'))) ?? {};
const stale = [];
const summary = [];
for (const trimDef of TRIMS) {
  const file = join(sourceDir, trimDef.source);
  if (!existsSync(file)) {
    console.error(`✗ ${file} not found (pass the specs folder as an argument or set DTP_SPECS_SOURCE)`);
    process.exit(2);
  }
  const raw = readFileSync(file);
  const spec = JSON.parse(raw.toString('utf8'));
  const { doc, operations } = trim(spec, trimDef, raw);
  const text = await prettier.format(JSON.stringify(doc, null, 2), { ...prettierConfig, parser: 'json' });
  const target = join(outDir, trimDef.out);
  if (check) {
    if (!existsSync(target) || readFileSync(target, 'utf8') !== text) stale.push(`specs/${trimDef.out}`);
  } else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  summary.push(
    `${trimDef.out}: ${raw.length} B -> ${Buffer.byteLength(text)} B, ${operations.length} operations, ` +
      `${doc['x-trimmed-from'].components} components`,
  );
}
if (check) {
  if (stale.length > 0) {
    console.error(`✗ stale: ${stale.join(', ')}. Run \`node scripts/trim-specs.mjs\`.`);
    process.exit(1);
  }
  console.log(`specs/ matches a fresh trim (${TRIMS.length} files)`);
} else {
  console.log(summary.join('\n'));
}
