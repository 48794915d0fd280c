/**
 * Rules across documents and files: names and ids are unique, every reference resolves, and the two sides
 * of an allow-list agree. Each finding points at the document that has to change, and says where the other
 * side is.
 */
import { rawString, rawStrings, type Catalog } from '../catalog.js';
import { where, type ConfigDocument, type Problems } from '../problems.js';
import { didYouMean } from '../suggest.js';
import { KINDS, type Kind } from '../types.js';

export function checkCrossFile(catalog: Catalog, problems: Problems, folder: string): void {
  checkUnique(catalog, problems);
  checkReferences(catalog, problems);
  checkAgreement(catalog, problems);
  // With nothing read at all, that problem has been reported already (no files, or files without documents).
  if (!catalog.incomplete && !catalog.empty && catalog.documents('OcmEnvironment').length === 0) {
    problems.inFile(folder, 'no OcmEnvironment: dtp needs at least one OCM environment to find clusters in', {
      hint: 'Add an OcmEnvironment document (for example production, https://api.openshift.com); see docs/configuration.md.',
    });
  }
}

/** `kind` and field of every identifier that must be unique, and how a duplicate is described. */
const IDENTIFIERS: { kind: Kind; path: [string, string]; what: string; hint: string }[] = [
  ...KINDS.map((kind) => ({
    kind,
    path: ['metadata', 'name'] as [string, string],
    what: kind,
    hint:
      kind === 'TokenSpec'
        ? 'A token spec is chosen by its name in the cluster label: rename one of them.'
        : 'Names are unique per kind: rename one of them.',
  })),
  {
    kind: 'DynatraceTenant',
    path: ['spec', 'environmentId'],
    what: 'tenant',
    hint: 'Each Dynatrace environment is configured once (cluster labels name it by this id): remove or merge the duplicate.',
  },
  {
    kind: 'AllowedOrganization',
    path: ['spec', 'organizationId'],
    what: 'organization',
    hint: 'Each organization is declared once: merge the two documents.',
  },
];

function checkUnique(catalog: Catalog, problems: Problems): void {
  for (const { kind, path, what, hint } of IDENTIFIERS) {
    const pointer = `/${path.join('/')}`;
    const first = new Map<string, ConfigDocument>();
    for (const doc of catalog.documents(kind)) {
      const value = rawString(doc, ...path);
      if (value === undefined) continue;
      const earlier = first.get(value);
      if (!earlier) {
        first.set(value, doc);
        continue;
      }
      const at = earlier.positions.locate(pointer);
      problems.at(
        doc,
        pointer,
        `${what} \`${value}\` is already defined at ${where({ file: earlier.file, ...at })}`,
        { hint },
      );
    }
  }
}

/**
 * The names or ids declared by the documents of a kind; undefined when that is not known for sure (a
 * document could not be read, or one of these has a broken identifier): references are then not judged.
 * A kind with no documents at all is not judged either; its absence is reported once, on its own.
 */
function declared(
  catalog: Catalog,
  problems: Problems,
  kind: Kind,
  ...path: string[]
): Set<string> | undefined {
  const docs = catalog.documents(kind);
  if (catalog.incomplete || docs.length === 0) return undefined;
  const pointer = `/${path.join('/')}`;
  const values = new Set<string>();
  for (const doc of docs) {
    const value = rawString(doc, ...path);
    if (value === undefined || problems.reported(doc, pointer)) return undefined;
    values.add(value);
  }
  return values;
}

interface Reference {
  kind: Kind;
  path: string[];
  /** The set the value must be in; undefined when it is not known. */
  targets: Set<string> | undefined;
  message: (value: string) => string;
  hint: string;
}

function checkReferences(catalog: Catalog, problems: Problems): void {
  const organizations = declared(catalog, problems, 'AllowedOrganization', 'spec', 'organizationId');
  const environments = declared(catalog, problems, 'OcmEnvironment', 'metadata', 'name');
  const notAllowed = (id: string) => `organization \`${id}\` is not declared as an AllowedOrganization`;
  const declareIt = 'Declare it with an AllowedOrganization document, or remove it from this list.';
  const references: Reference[] = [
    {
      kind: 'DynatraceTenant',
      path: ['spec', 'allowedOrganizations'],
      targets: organizations,
      message: notAllowed,
      hint: declareIt,
    },
    {
      kind: 'TokenSpec',
      path: ['spec', 'ocm_org_ids'],
      targets: organizations,
      message: notAllowed,
      hint: declareIt,
    },
    {
      kind: 'AllowedOrganization',
      path: ['spec', 'tenants'],
      targets: declared(catalog, problems, 'DynatraceTenant', 'spec', 'environmentId'),
      message: (id) => `tenant \`${id}\` is not configured`,
      hint: 'Tenants are named by their environment id (spec.environmentId of a DynatraceTenant).',
    },
    {
      kind: 'AllowedOrganization',
      path: ['spec', 'tokenSpecs'],
      targets: declared(catalog, problems, 'TokenSpec', 'metadata', 'name'),
      message: (name) => `token spec \`${name}\` is not configured`,
      hint: 'Token specs are named by metadata.name of a TokenSpec.',
    },
    {
      kind: 'AllowedOrganization',
      path: ['spec', 'ocmEnvironment'],
      targets: environments,
      message: (name) => `OCM environment \`${name}\` is not configured`,
      hint: `OCM environments are named by metadata.name of an OcmEnvironment (${[...(environments ?? [])].join(', ')}).`,
    },
  ];
  for (const reference of references) {
    const targets = reference.targets;
    if (!targets) continue;
    const base = `/${reference.path.join('/')}`;
    for (const doc of catalog.documents(reference.kind)) {
      const single = rawString(doc, ...reference.path);
      const values: [string, string][] =
        single !== undefined
          ? [[base, single]]
          : rawStrings(doc, ...reference.path).map(([i, v]) => [`${base}/${i}`, v]);
      for (const [pointer, value] of values) {
        if (targets.has(value) || problems.reported(doc, pointer)) continue;
        problems.at(
          doc,
          pointer,
          `${reference.message(value)}${didYouMean(value, targets, problems.suggestions)}`,
          {
            hint: reference.hint,
          },
        );
      }
    }
  }
}

/**
 * An organization's optional narrowing must agree with the tenant or spec it names: listing a tenant that
 * does not allow the organization would look like access on review, yet every binding would be denied.
 */
function checkAgreement(catalog: Catalog, problems: Problems): void {
  const tenants = new Map(catalog.tenants.map((t) => [t.object.environmentId, t]));
  const specs = new Map(catalog.tokenSpecs.map((s) => [s.object.name, s]));
  for (const { doc, object: org } of catalog.organizations) {
    const id = org.organizationId;
    org.tenants?.forEach((tenantId, i) => {
      const tenant = tenants.get(tenantId);
      if (!tenant || tenant.object.allowedOrganizations.includes(id)) return;
      problems.at(
        doc,
        `/spec/tenants/${i}`,
        `tenant \`${tenantId}\` does not list organization \`${id}\` in its allowedOrganizations`,
        {
          hint: `Add ${id} to allowedOrganizations of tenant ${tenantId} (${where(tenant.doc.start)}), or remove ${tenantId} from this organization's tenants.`,
        },
      );
    });
    org.tokenSpecs?.forEach((specName, i) => {
      const spec = specs.get(specName);
      if (!spec || spec.object.ocmOrgIds.includes(id)) return;
      problems.at(
        doc,
        `/spec/tokenSpecs/${i}`,
        `token spec \`${specName}\` does not list organization \`${id}\` in its ocm_org_ids`,
        {
          hint: `Add ${id} to ocm_org_ids of token spec ${specName} (${where(spec.doc.start)}), or remove ${specName} from this organization's tokenSpecs.`,
        },
      );
    });
  }
}
