/**
 * Reads a cluster's bindings from its labels, as the reference implementation does: v3 (many bindings,
 * `sre-capabilities.dtp.v3.<binding>.tenant|token-spec`) and, when no v3 binding names a known token spec,
 * the v2 pair. Label keys and values come from cluster owners: they are validated, never trusted.
 */
import { LABEL_PREFIX, V2_SPEC_LABEL, V2_TENANT_LABEL, V3_PREFIX } from './naming.js';
import type { Binding, Denial } from './model.js';

const TENANT_SUFFIX = 'tenant';
const SPEC_SUFFIX = 'token-spec';

/** Printable, bounded label values: anything else is reported as malformed rather than echoed. */
const TENANT_VALUE = /^[a-z0-9]{3,32}$/;
const SPEC_VALUE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const BINDING_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;

export interface ParsedBindings {
  bindings: Binding[];
  /** Labels that could not be read as a binding (reported as `malformed-label`). */
  problems: Denial[];
}

/** A short, printable rendering of an untrusted value for messages. */
export function quoteValue(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 64 ? `${printable.slice(0, 61)}...` : printable);
}

function malformed(label: string, reason: string, binding?: string): Denial {
  return { label, code: 'malformed-label', reason, ...(binding ? { binding } : {}) };
}

function checkValues(binding: Binding): Denial | undefined {
  if (!TENANT_VALUE.test(binding.tenantId)) {
    return malformed(
      binding.tenantLabel,
      `tenant ${quoteValue(binding.tenantId)} is not a Dynatrace environment id`,
      binding.key,
    );
  }
  if (!SPEC_VALUE.test(binding.specName)) {
    return malformed(
      binding.specLabel,
      `token spec ${quoteValue(binding.specName)} is not a valid name`,
      binding.key,
    );
  }
  return undefined;
}

/**
 * @param knownSpec tells whether a token spec exists; v2 labels apply only when no v3 binding names a
 *   known spec (the reference implementation's fallback rule, kept for compatibility).
 */
export function parseBindings(
  labels: Record<string, string>,
  knownSpec: (name: string) => boolean,
): ParsedBindings {
  const problems: Denial[] = [];
  const halves = new Map<string, { tenant?: string; spec?: string }>();

  for (const key of Object.keys(labels).sort()) {
    if (!key.startsWith(V3_PREFIX)) {
      if (key.startsWith(LABEL_PREFIX) && key !== V2_TENANT_LABEL && key !== V2_SPEC_LABEL) {
        problems.push(
          malformed(key, 'not a dtp label key (expected v3.<binding>.tenant|token-spec or the v2 pair)'),
        );
      }
      continue;
    }
    const rest = key.slice(V3_PREFIX.length);
    const dot = rest.lastIndexOf('.');
    const name = dot > 0 ? rest.slice(0, dot) : '';
    const suffix = dot > 0 ? rest.slice(dot + 1) : rest;
    if (suffix !== TENANT_SUFFIX && suffix !== SPEC_SUFFIX) {
      problems.push(malformed(key, `label key ends in neither .${TENANT_SUFFIX} nor .${SPEC_SUFFIX}`));
      continue;
    }
    if (!BINDING_NAME.test(name)) {
      problems.push(malformed(key, `binding name ${quoteValue(name)} is not valid`));
      continue;
    }
    const half = halves.get(name) ?? {};
    if (suffix === TENANT_SUFFIX) half.tenant = labels[key];
    else half.spec = labels[key];
    halves.set(name, half);
  }

  const v3: Binding[] = [];
  for (const [name, half] of halves) {
    const key = `v3.${name}`;
    const tenantLabel = `${V3_PREFIX}${name}.${TENANT_SUFFIX}`;
    const specLabel = `${V3_PREFIX}${name}.${SPEC_SUFFIX}`;
    if (!half.tenant) {
      problems.push(malformed(specLabel, `binding ${name} has no ${tenantLabel} label`, key));
      continue;
    }
    if (!half.spec) {
      problems.push(malformed(tenantLabel, `binding ${name} has no ${specLabel} label`, key));
      continue;
    }
    const binding: Binding = { key, tenantId: half.tenant, specName: half.spec, tenantLabel, specLabel };
    const problem = checkValues(binding);
    if (problem) problems.push(problem);
    else v3.push(binding);
  }

  if (v3.some((b) => knownSpec(b.specName))) return { bindings: v3, problems };

  const tenant = labels[V2_TENANT_LABEL];
  const spec = labels[V2_SPEC_LABEL];
  if (tenant === undefined && spec === undefined) return { bindings: v3, problems };
  if (tenant === undefined || spec === undefined) {
    const present = tenant === undefined ? V2_SPEC_LABEL : V2_TENANT_LABEL;
    const missing = tenant === undefined ? V2_TENANT_LABEL : V2_SPEC_LABEL;
    problems.push(malformed(present, `${missing} is missing`, 'v2'));
    return { bindings: v3, problems };
  }
  const binding: Binding = {
    key: 'v2',
    tenantId: tenant,
    specName: spec,
    tenantLabel: V2_TENANT_LABEL,
    specLabel: V2_SPEC_LABEL,
  };
  const problem = checkValues(binding);
  if (problem) problems.push(problem);
  // The v3 bindings stay: each of them names an unknown spec, which eligibility reports.
  return { bindings: problem ? v3 : [...v3, binding], problems };
}
