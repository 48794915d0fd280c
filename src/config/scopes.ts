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

export type ScopeGrade = 'forbidden' | 'elevated' | 'standard';

export interface ScopeClass {
  grade: ScopeGrade;
  /** What the scope lets a holder do, from the Dynatrace token scope documentation. */
  reason: string;
}

/**
 * The risk of every known scope in the hands of a cluster, whose Secret many people and workloads can read.
 * *Forbidden*: it manages tokens or credentials, uploads or configures code that Dynatrace runs (plugins,
 * extensions), or changes tenant-wide configuration: a cluster could escalate to the bootstrap token's power
 * or take over monitoring of every other cluster. *Elevated*: configuration writes, data export and broad
 * reads that a spec may grant only when it says why (`acknowledgedScopes`). *Standard*: ingest and narrow
 * reads. `activeGateTokenManagement.create` is elevated, not forbidden: the Dynatrace Operator needs it to
 * create the ActiveGate's own token, and it cannot read or change existing tokens.
 */
const SCOPE_CLASSES: ReadonlyMap<string, ScopeClass> = new Map<string, ScopeClass>([
  // Token and credential management: the power of the bootstrap token itself.
  f('apiTokens.read', 'it reads every API token of the tenant (names, scopes, owners)'),
  f('apiTokens.write', 'it creates, changes and deletes API tokens: the power of the bootstrap token itself'),
  f(
    'TenantTokenManagement',
    'it manages tokens through the v1 Tokens API: the power of the bootstrap token itself',
  ),
  f(
    'tenantTokenRotation.write',
    'it rotates the tenant token every OneAgent and ActiveGate authenticates with',
  ),
  f('activeGateTokenManagement.read', 'it reads the ActiveGate tokens of the whole tenant'),
  f('activeGateTokenManagement.write', 'it changes and revokes the ActiveGate tokens of the whole tenant'),
  f(
    'credentialVault.read',
    'it reads the credential vault, where tokens, passwords and certificates are stored',
  ),
  f(
    'credentialVault.write',
    'it changes the credential vault, where tokens, passwords and certificates are stored',
  ),
  f(
    'ActiveGateCertManagement',
    'it manages the certificates ActiveGates present: a credential of the whole tenant',
  ),
  // Code that Dynatrace runs, and its configuration.
  f('PluginUpload', 'it uploads OneAgent and ActiveGate plugins: code that runs on monitored hosts'),
  f(
    'extensions.write',
    'it uploads and deletes Extensions 2.0 packages: code that runs on ActiveGates and hosts',
  ),
  f(
    'extensionConfigurations.write',
    'it configures where extensions run and with which endpoints and credentials',
  ),
  f('extensionEnvironment.write', 'it changes the environment-wide configuration of extensions'),
  f('hub.write', 'it installs and removes Hub items (extensions) for the whole tenant'),
  // Tenant-wide configuration writes.
  f(
    'WriteConfig',
    'it writes the tenant-wide configuration (Configuration API v1): alerting, integrations, monitoring of every host',
  ),
  f('DataPrivacy', 'it changes the data privacy settings (masking, opt-in) of the whole tenant'),
  f('UserSessionAnonymization', 'it irreversibly anonymizes user session data of the whole tenant'),
  // Configuration writes.
  e('settings.write', 'it writes settings objects (Settings 2.0) of any schema the token can address'),
  e(
    'activeGateTokenManagement.create',
    'it creates ActiveGate tokens (it cannot read or change existing ones)',
  ),
  e('activeGates.write', 'it changes and deletes ActiveGates and their auto-update settings'),
  e('oneAgents.write', 'it changes OneAgent monitoring settings of hosts'),
  e('entities.write', 'it creates and changes monitored entities (custom devices, tags)'),
  e('metrics.write', 'it changes and deletes metric metadata'),
  e('problems.write', 'it closes and comments on problems'),
  e('securityProblems.write', 'it mutes and changes security problems (vulnerabilities)'),
  e('networkZones.write', 'it changes network zones, which route every OneAgent to an ActiveGate'),
  e('slo.write', 'it creates, changes and deletes service-level objectives'),
  e('syntheticLocations.write', 'it creates and changes synthetic locations'),
  e('syntheticExecutions.write', 'it triggers synthetic monitor executions'),
  e('AdvancedSyntheticIntegration', 'it integrates Synthetic Classic, writing synthetic configuration'),
  e('CaptureRequestData', 'it changes which request data is captured'),
  e('DssFileManagement', 'it uploads and deletes mobile symbolication files'),
  e('AppMonIntegration', 'it integrates AppMon with the tenant (a legacy, broad integration)'),
  e('Davis', 'it integrates Davis with the tenant (a legacy, broad integration)'),
  e('RestRequestForwarding', 'it fetches data from remote environments linked to this one'),
  // Data export and broad reads.
  e('DataExport', 'it reads the problem and event feed, metrics and topology of the whole tenant'),
  e(
    'InstallerDownload',
    'it downloads OneAgent installers, which carry the tenant token every OneAgent connects with',
  ),
  e('ReadConfig', 'it reads the tenant-wide configuration (Configuration API v1)'),
  e('settings.read', 'it reads settings objects (Settings 2.0) of any schema the token can address'),
  e('DTAQLAccess', 'it queries user sessions of the whole tenant (personal data)'),
  e('LogExport', 'it reads the logs of the whole tenant'),
  e('logs.read', 'it reads the logs of the whole tenant'),
  e('auditLogs.read', 'it reads the audit log: who changed what in the tenant'),
  e('traces.lookup', 'it reads distributed traces, with the request data they captured'),
  e('securityProblems.read', 'it reads the vulnerabilities of every monitored process'),
  e('extensionConfigurations.read', 'it reads where extensions run and with which endpoints'),
  e('extensionEnvironment.read', 'it reads the environment-wide configuration of extensions'),
  // Ingest and narrow reads.
  ...standard(
    'metrics.ingest',
    'logs.ingest',
    'events.ingest',
    'openTelemetryTrace.ingest',
    'bizevents.ingest',
    'openpipeline.events',
    'openpipeline.events.custom',
    'openpipeline.events_security',
    'DataImport',
    'SupportAlert',
    'ExternalSyntheticIntegration',
    'RumBrowserExtension',
    'RumJavaScriptTagManagement',
    'ReadSyntheticData',
    'syntheticExecutions.read',
    'syntheticLocations.read',
    'metrics.read',
    'entities.read',
    'problems.read',
    'events.read',
    'networkZones.read',
    'activeGates.read',
    'oneAgents.read',
    'slo.read',
    'releases.read',
    'geographicRegions.read',
    'hub.read',
    'extensions.read',
  ),
]);

function f(scope: string, reason: string): [string, ScopeClass] {
  return [scope, { grade: 'forbidden', reason }];
}
function e(scope: string, reason: string): [string, ScopeClass] {
  return [scope, { grade: 'elevated', reason }];
}
function standard(...scopes: string[]): [string, ScopeClass][] {
  return scopes.map((scope) => [
    scope,
    { grade: 'standard', reason: 'it ingests data or reads a narrow part of it' },
  ]);
}

/** The class of a scope, or undefined for an unknown one. */
export function scopeClass(scope: string): ScopeClass | undefined {
  return SCOPE_CLASSES.get(scope);
}

const ofGrade = (grade: ScopeGrade): ReadonlyMap<string, string> =>
  new Map([...SCOPE_CLASSES].filter(([, c]) => c.grade === grade).map(([scope, c]) => [scope, c.reason]));

/** Scopes no token spec may ask for, with their reason. */
export const FORBIDDEN_SCOPES: ReadonlyMap<string, string> = ofGrade('forbidden');

/** Scopes a token spec may ask for only under `acknowledgedScopes`, with their reason. */
export const ELEVATED_SCOPES: ReadonlyMap<string, string> = ofGrade('elevated');

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

const FORBIDDEN_SCOPE_CONSEQUENCE =
  'a cluster holding this token could escalate beyond its own telemetry (other tokens, code on hosts, the tenant configuration): the exact thing dtp exists to prevent';

/** Why a scope may not be in a token spec, or undefined when it may. */
export function forbiddenScopeReason(scope: string): string | undefined {
  const reason = FORBIDDEN_SCOPES.get(scope);
  return reason === undefined ? undefined : `${reason}; ${FORBIDDEN_SCOPE_CONSEQUENCE}`;
}
