/**
 * The run's Vault login, the first request of every plan and reconcile. It needs only the settings and goes
 * over Node's own HTTP (src/clients/vault-transport.ts), so nothing else has to load before it is sent: the
 * other clients (undici, src/connectors.ts) load while Vault answers.
 */
import type { VaultClient } from './clients/api.js';
import type { CallStats } from './clients/calls.js';
import { NodeVaultClient } from './clients/vault.js';
import { StartupError } from './errors.js';
import type { Options } from './options.js';
import type { Platform } from './platform/platform.js';

/** A logged-in Vault client; `stats` is the run's collector, shared with the other clients. */
export async function vaultLogin(
  options: Options,
  platform: Platform,
  stats: CallStats,
): Promise<VaultClient> {
  const addr = options.vault.addr;
  if (!addr) {
    throw new StartupError(
      'no Vault address: bootstrap tokens and OCM credentials are read from Vault',
      'Set vault-addr (or VAULT_ADDR).',
    );
  }
  const client = new NodeVaultClient({
    ...options.vault,
    addr,
    timeoutMs: options.httpTimeoutMs,
    maxRetries: options.maxRetries,
    caFile: options.caFile,
    stats,
    idToken: platform.idToken?.bind(platform),
    onGitHub: platform.kind === 'github',
    log: options.verbose ? (line: string) => platform.debug(line) : undefined,
  });
  await client.login();
  return client;
}
