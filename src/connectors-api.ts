/**
 * How run() reaches the remote systems, as an interface of its own so that run.ts (which uses it) and
 * connectors.ts (which implements it for real) do not import each other.
 */
import type { DynatraceClient, OcmClient, VaultClient } from './clients/api.js';
import type { DynatraceTenant, OcmEnvironment } from './config/types.js';
import type { CallStat } from './report/report.js';
import type { Secret } from './secret.js';

/** OCM credentials as read from Vault, by grant. */
export type OcmCredentialValues = { clientId: string; clientSecret: Secret } | { offlineToken: Secret };

/** Tests pass fakes, production passes `realConnectors`. */
export interface Connectors {
  /** A logged-in Vault client. */
  vault(): Promise<VaultClient>;
  ocm(
    environment: OcmEnvironment,
    endpoints: { apiUrl: string; ssoUrl: string },
    credentials: OcmCredentialValues,
  ): OcmClient;
  dynatrace(tenant: DynatraceTenant, baseUrl: string, bootstrapToken: Secret): DynatraceClient;
  /** Remote call statistics so far, for the report. */
  callStats(): CallStat[];
}
