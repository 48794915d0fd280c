/**
 * Which Vault fields a run reads, by mode. Plan only reads (tokens, subscriptions, deliveries), so when the
 * configuration names plan credentials — a Dynatrace token with `apiTokens.read` only, read-only OCM
 * credentials — plan reads those and never the bootstrap token or the credentials that write SyncSets. The
 * Vault role of the plan job then needs no policy on the powerful secrets at all (docs/security.md).
 * Without plan credentials plan falls back to the write credentials, as before.
 */
import type { DynatraceTenant, OcmCredentials, OcmEnvironment, VaultSecretRef } from './config/types.js';
import type { Mode } from './options.js';

/** The Vault field of the Dynatrace token a run of `mode` uses for `tenant`, and what to call it. */
export function dynatraceTokenRef(
  tenant: DynatraceTenant,
  mode: Mode,
): { ref: VaultSecretRef; what: string } {
  if (mode === 'plan' && tenant.planToken) {
    return { ref: tenant.planToken, what: `plan token of ${tenant.environmentId}` };
  }
  return { ref: tenant.bootstrapToken, what: `bootstrap token of ${tenant.environmentId}` };
}

/** The OCM credentials a run of `mode` uses in `environment`. */
export function ocmCredentialsRef(
  environment: OcmEnvironment,
  mode: Mode,
): { credentials: OcmCredentials; what: string } {
  if (mode === 'plan' && environment.planCredentials) {
    return { credentials: environment.planCredentials, what: `OCM ${environment.name} plan credentials` };
  }
  return { credentials: environment.credentials, what: `OCM ${environment.name}` };
}
