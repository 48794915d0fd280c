/**
 * The real remote systems for run(): one HTTP client per OCM environment (API and SSO) and per Dynatrace
 * tenant, each with its own rate limit, and the Vault client — all sharing one statistics collector.
 */
import type { VaultClient } from './clients/api.js';
import type { Options } from './options.js';
import type { Platform } from './platform/platform.js';
import type { Connectors } from './connectors-api.js';
import { CallStats, HttpClient } from './clients/http.js';
import type { HttpSettings } from './clients/http.js';
import { OcmRestClient, ocmErrorMessage } from './clients/ocm.js';
import { SsoSession, oauthErrorMessage } from './clients/sso.js';
import { DynatraceRestClient, dynatraceErrorMessage } from './clients/dynatrace.js';
import { caBundle } from './clients/vault-transport.js';
import { assertEgress } from './egress.js';
import { vaultLogin } from './vault-login.js';

/** A Vault login the run started before loading this module, and the statistics it records into. */
export interface StartedLogin {
  stats: CallStats;
  vault: Promise<VaultClient>;
}

export function realConnectors(options: Options, platform: Platform, started?: StartedLogin): Connectors {
  const stats = started?.stats ?? new CallStats();
  const log = options.verbose ? (line: string) => platform.debug(line) : undefined;
  // Read once: one trust list per run, so every client shares its connection pools.
  const ca = caBundle(options.caFile);
  const common = (system: HttpSettings['system'], baseUrl: string, rateLimit: number): HttpSettings => ({
    system,
    baseUrl,
    rateLimit,
    ca,
    timeoutMs: options.httpTimeoutMs,
    maxRetries: options.maxRetries,
    // Enough sockets that the cluster workers never queue behind the pool.
    maxInFlight: Math.max(8, options.concurrency * 2),
    stats,
    log,
  });

  return {
    vault: () => started?.vault ?? vaultLogin(options, platform, stats),

    ocm(environment, endpoints, credentials) {
      // An override is a trusted setting; a URL from the YAML is checked again before a credential goes out.
      const allowed = options.allowedHosts;
      const where = `OCM environment ${environment.name}`;
      if (!options.ocmSsoUrl)
        assertEgress(endpoints.ssoUrl, { kind: 'ocm-sso' }, allowed, `${where} ssoTokenUrl`);
      if (!options.ocmUrl) assertEgress(endpoints.apiUrl, { kind: 'ocm-api' }, allowed, `${where} apiUrl`);
      const sso = new SsoSession(
        new HttpClient({ ...common('sso', endpoints.ssoUrl, 5), errorMessage: oauthErrorMessage }),
        credentials,
        environment.name,
      );
      const http = new HttpClient({
        ...common('ocm', endpoints.apiUrl, options.ocmRateLimit),
        authorization: async () => `Bearer ${await sso.accessToken()}`,
        onUnauthorized: () => sso.invalidate(),
        errorMessage: ocmErrorMessage,
      });
      return new OcmRestClient(environment.name, http);
    },

    dynatrace(tenant, baseUrl, bootstrapToken) {
      if (!options.dynatraceUrl) {
        const target = { kind: 'dynatrace', environmentId: tenant.environmentId } as const;
        assertEgress(baseUrl, target, options.allowedHosts, `tenant ${tenant.environmentId} environmentUrl`);
      }
      const http = new HttpClient({
        ...common('dynatrace', `${baseUrl.replace(/\/+$/, '')}/api/v2`, options.dynatraceRateLimit),
        authorization: async () => `Api-Token ${bootstrapToken.reveal()}`,
        errorMessage: dynatraceErrorMessage,
      });
      return new DynatraceRestClient(tenant.environmentId, http);
    },

    callStats: () => stats.snapshot(),
  };
}
