/**
 * Warnings about configuration that is valid but does nothing, or that will conflict at run time. They are
 * computed only for an error-free configuration: on a broken one they would mostly echo the errors.
 *
 * A binding of a cluster to (tenant, spec) is allowed when the cluster's organization O is an
 * AllowedOrganization, the tenant lists O, the spec lists O, and O's own `tenants` / `tokenSpecs` (if set)
 * include them. A tenant or spec is "usable" when at least one organization can get that far.
 */
import type { Catalog, Located } from '../catalog.js';
import { where, type Problems } from '../problems.js';
import type { AllowedOrganization, DynatraceTenant, TokenSpec } from '../types.js';

export function warnAboutUsage(catalog: Catalog, problems: Problems): void {
  const tenantsOf = usableBy(
    catalog.tenants,
    (t) => t.allowedOrganizations,
    (o, t) => !o.tenants || o.tenants.includes(t.environmentId),
  );
  const specsOf = usableBy(
    catalog.tokenSpecs,
    (s) => s.ocmOrgIds,
    (o, s) => !o.tokenSpecs || o.tokenSpecs.includes(s.name),
  );
  const usableTenants = new Set<DynatraceTenant>();
  const usableSpecs = new Set<TokenSpec>();

  for (const { doc, object: org } of catalog.organizations) {
    const tenants = tenantsOf(org);
    const specs = specsOf(org);
    if (tenants.length === 0) {
      problems.at(
        doc,
        '/spec/organizationId',
        'no tenant lets this organization use it, so its clusters get no tokens',
        {
          severity: 'warning',
          hint: 'Add the organization to allowedOrganizations of the tenants it should use (and to its own `tenants`, if set), or remove this document.',
        },
      );
    } else if (specs.length === 0) {
      problems.at(
        doc,
        '/spec/organizationId',
        'no token spec lets this organization use it, so its clusters get no tokens',
        {
          severity: 'warning',
          hint: 'Add the organization to ocm_org_ids of the token specs it should use (and to its own `tokenSpecs`, if set), or remove this document.',
        },
      );
    } else {
      for (const t of tenants) usableTenants.add(t);
      for (const s of specs) usableSpecs.add(s);
    }
  }

  const how =
    'A cluster gets tokens only when its organization is an AllowedOrganization listed by both the tenant and the token spec (and allowed by its own `tenants` / `tokenSpecs`, if set).';
  for (const { doc, object: tenant } of catalog.tenants) {
    if (usableTenants.has(tenant)) continue;
    const none = tenant.allowedOrganizations.length === 0;
    problems.at(
      doc,
      '/spec/allowedOrganizations',
      none
        ? 'lists no organization, so no cluster can use this tenant'
        : 'no organization can bind clusters to this tenant',
      {
        severity: 'warning',
        hint: how,
      },
    );
  }
  for (const { doc, object: spec } of catalog.tokenSpecs) {
    if (usableSpecs.has(spec)) continue;
    const none = spec.ocmOrgIds.length === 0;
    problems.at(
      doc,
      '/spec/ocm_org_ids',
      none
        ? 'lists no organization, so no cluster can use this token spec'
        : 'no organization can bind clusters with this token spec',
      {
        severity: 'warning',
        hint: how,
      },
    );
  }
  warnAboutSharedSecrets(catalog.tokenSpecs, problems);
}

/** For each organization, the tenants (or specs) that list it and that it does not exclude itself. */
function usableBy<T>(
  items: readonly Located<T>[],
  listed: (item: T) => readonly string[],
  permits: (org: AllowedOrganization, item: T) => boolean,
): (org: AllowedOrganization) => T[] {
  const byOrganization = new Map<string, T[]>();
  for (const { object } of items) {
    for (const id of listed(object)) {
      const list = byOrganization.get(id);
      if (list) list.push(object);
      else byOrganization.set(id, [object]);
    }
  }
  return (org) => (byOrganization.get(org.organizationId) ?? []).filter((item) => permits(org, item));
}

/** Two specs delivering one Secret: a cluster bound to both would get only the first binding's Secret. */
function warnAboutSharedSecrets(specs: readonly Located<TokenSpec>[], problems: Problems): void {
  const first = new Map<string, { spec: Located<TokenSpec>; index: number }>();
  for (const located of specs) {
    located.object.secrets.forEach((secret, index) => {
      const id = `${secret.namespace}/${secret.name}`;
      const earlier = first.get(id);
      if (!earlier) {
        first.set(id, { spec: located, index });
        return;
      }
      if (earlier.spec === located) return;
      const at = earlier.spec.doc.positions.locate(`/spec/secrets/${earlier.index}/name`);
      problems.at(
        located.doc,
        `/spec/secrets/${index}/name`,
        `Secret ${id} is also delivered by token spec \`${earlier.spec.object.name}\` (${where({ file: earlier.spec.doc.file, ...at })})`,
        {
          severity: 'warning',
          hint: "A cluster bound to both specs gets only the first binding's Secret; use another Secret name unless the two are never bound together.",
        },
      );
    });
  }
}
