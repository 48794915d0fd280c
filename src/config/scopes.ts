/**
 * Dynatrace API token scopes a token spec may ask for. The configuration loader rejects anything else, and
 * the engine can use the same lists to refuse a token it would otherwise mint.
 *
 * Provenance: `ApiTokenCreate.scopes` of the Dynatrace Environment API v2 spec (1.254, 2022; shared/specs),
 * the qontract token spec enum (a subset of it), and a few newer ingest scopes that the 2022 spec predates.
 */

/** `ApiTokenCreate.scopes` in spec3-env-v2-1.254.47-sprint.json, in the spec's order. */
const DYNATRACE_API_V2_SCOPES = [
  'InstallerDownload',
  'DataExport',
  'PluginUpload',
  'SupportAlert',
  'AdvancedSyntheticIntegration',
  'ExternalSyntheticIntegration',
  'AppMonIntegration',
  'RumBrowserExtension',
  'LogExport',
  'ReadConfig',
  'WriteConfig',
  'DTAQLAccess',
  'UserSessionAnonymization',
  'DataPrivacy',
  'CaptureRequestData',
  'Davis',
  'DssFileManagement',
  'RumJavaScriptTagManagement',
  'TenantTokenManagement',
  'ActiveGateCertManagement',
  'RestRequestForwarding',
  'ReadSyntheticData',
  'DataImport',
  'syntheticExecutions.write',
  'syntheticExecutions.read',
  'auditLogs.read',
  'metrics.read',
  'metrics.write',
  'entities.read',
  'entities.write',
  'problems.read',
  'problems.write',
  'events.read',
  'events.ingest',
  'networkZones.read',
  'networkZones.write',
  'activeGates.read',
  'activeGates.write',
  'activeGateTokenManagement.read',
  'activeGateTokenManagement.create',
  'activeGateTokenManagement.write',
  'credentialVault.read',
  'credentialVault.write',
  'extensions.read',
  'extensions.write',
  'extensionConfigurations.read',
  'extensionConfigurations.write',
  'extensionEnvironment.read',
  'extensionEnvironment.write',
  'metrics.ingest',
  'securityProblems.read',
  'securityProblems.write',
  'syntheticLocations.read',
  'syntheticLocations.write',
  'settings.read',
  'settings.write',
  'tenantTokenRotation.write',
  'slo.read',
  'slo.write',
  'releases.read',
  'apiTokens.read',
  'apiTokens.write',
  'openTelemetryTrace.ingest',
  'logs.read',
  'logs.ingest',
  'geographicRegions.read',
  'hub.read',
  'oneAgents.read',
  'oneAgents.write',
  'traces.lookup',
  'hub.write',
] as const;

/**
 * The qontract-schemas token spec enum (dynatrace-token-provider-token-spec-1.yml). Every entry is also in
 * the API spec; it is listed so that a spec ported from qontract is known to load.
 */
const QONTRACT_TOKEN_SPEC_SCOPES = [
  'metrics.ingest',
  'logs.ingest',
  'events.ingest',
  'activeGateTokenManagement.create',
  'entities.read',
  'settings.write',
  'settings.read',
  'DataExport',
  'InstallerDownload',
  'SupportAlert',
  'ExternalSyntheticIntegration',
] as const;

/**
 * Ingest scopes introduced after the 2022 spec, each named as a required scope by the Dynatrace
 * documentation of the endpoint it opens (docs.dynatrace.com, OpenPipeline Ingest API and Business events).
 * Only ingest scopes: a cluster sending telemetry is the use case, nothing here reads or configures.
 */
const NEWER_INGEST_SCOPES = [
  /** POST /platform/ingest/v1/events (OpenPipeline built-in generic events, 2024). */
  'openpipeline.events',
  /** POST /platform/ingest/custom/events/{endpoint} (OpenPipeline custom event endpoints, 2024). */
  'openpipeline.events.custom',
  /** POST /platform/ingest/v1/security.events (OpenPipeline security events, 2025). */
  'openpipeline.events_security',
  /** POST /api/v2/bizevents/ingest (business events). */
  'bizevents.ingest',
] as const;

/**
 * Scopes that let a token mint, read or change other credentials. A cluster holds its tokens in a Secret that
 * many people and workloads can read; with one of these it could escalate to the bootstrap token's power,
 * which is exactly what dtp exists to prevent. `activeGateTokenManagement.create` is not here: the Dynatrace
 * Operator needs it to create the ActiveGate's own token, and it cannot read or change existing tokens.
 */
export const FORBIDDEN_SCOPES: ReadonlyMap<string, string> = new Map([
  ['apiTokens.read', 'it reads every API token of the tenant (names, scopes, owners)'],
  ['apiTokens.write', 'it creates, changes and deletes API tokens: the power of the bootstrap token itself'],
  [
    'TenantTokenManagement',
    'it manages tokens through the v1 Tokens API: the power of the bootstrap token itself',
  ],
  [
    'tenantTokenRotation.write',
    'it rotates the tenant token every OneAgent and ActiveGate authenticates with',
  ],
  ['activeGateTokenManagement.read', 'it reads the ActiveGate tokens of the whole tenant'],
  ['activeGateTokenManagement.write', 'it changes and revokes the ActiveGate tokens of the whole tenant'],
  [
    'credentialVault.read',
    'it reads the credential vault, where tokens, passwords and certificates are stored',
  ],
  [
    'credentialVault.write',
    'it changes the credential vault, where tokens, passwords and certificates are stored',
  ],
]);

/** Every scope name dtp recognises, forbidden ones included (so a forbidden scope is never called "unknown"). */
export const KNOWN_SCOPES: ReadonlySet<string> = new Set<string>([
  ...DYNATRACE_API_V2_SCOPES,
  ...QONTRACT_TOKEN_SPEC_SCOPES,
  ...NEWER_INGEST_SCOPES,
]);

/** The scopes a token spec may use: known and not forbidden, sorted (the token spec schema's enum). */
export const ALLOWED_SCOPES: readonly string[] = [...KNOWN_SCOPES]
  .filter((scope) => !FORBIDDEN_SCOPES.has(scope))
  .sort();

export const FORBIDDEN_SCOPE_CONSEQUENCE =
  'a cluster holding this token could mint or read other tokens: the exact thing dtp exists to prevent';

/** Why a scope may not be in a token spec, or undefined when it may. */
export function forbiddenScopeReason(scope: string): string | undefined {
  const reason = FORBIDDEN_SCOPES.get(scope);
  return reason === undefined ? undefined : `${reason}; ${FORBIDDEN_SCOPE_CONSEQUENCE}`;
}
