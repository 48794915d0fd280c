// Placeholder until the clients land: wires Vault, OCM and Dynatrace clients for run().
import type { Options } from './options.js';
import type { Platform } from './platform/platform.js';
import type { Connectors } from './run.js';

export function realConnectors(_options: Options, _platform: Platform): Connectors {
  throw new Error('clients not built yet');
}
