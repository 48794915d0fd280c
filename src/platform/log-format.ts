/**
 * `log-format`: text (lines for people; verbose remote-call lines carry a timestamp) or json (one object per line for a
 * log pipeline: time, level, message and, when the line names them, cluster, tenant, operation and
 * durationMs). The platform adapters wrap themselves with `withLogFormat`; the rest of dtp logs plain
 * messages and never knows the format.
 */
import { redact } from '../secret.js';
import type { Platform } from './platform.js';

export type LogFormat = 'text' | 'json';
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  cluster?: string;
  tenant?: string;
  operation?: string;
  durationMs?: number;
}

/** `ocm GET /api/clusters_mgmt/v1/clusters/<id>/… → 200 12ms (attempt 2)`, as the HTTP layer logs calls. */
const CALL = /^(ocm|sso|dynatrace|vault) (GET|POST|PUT|PATCH|DELETE|HEAD) (\S*) → \S+(?: (\d+)ms)?/;
/** `production/my-cluster (<id>): …` or `production/my-cluster: …`, as the engine names a cluster. */
const CLUSTER = /^([a-z0-9][-a-z0-9_.]*)\/([-a-zA-Z0-9_.]+)(?: \(([a-zA-Z0-9-]+)\))?: /;
const OCM_CLUSTER_PATH = /\/clusters\/([a-zA-Z0-9-]{8,})(?:\/|$|\?)/;
const TENANT = /\btenant ([a-z][a-z0-9]{2,})\b/;

/** The structured fields a log line names. Heuristic by design: a field is left out rather than guessed. */
export function fieldsOf(message: string): LogFields {
  const fields: LogFields = {};
  const call = CALL.exec(message);
  if (call) {
    fields.operation = `${call[1]} ${call[2]}${call[3] ? ` ${call[3].split('?')[0]}` : ''}`;
    if (call[4] !== undefined) fields.durationMs = Number(call[4]);
    const cluster = OCM_CLUSTER_PATH.exec(call[3]!);
    if (cluster) fields.cluster = cluster[1];
    return fields;
  }
  const cluster = CLUSTER.exec(message);
  if (cluster) fields.cluster = cluster[3] ?? `${cluster[1]}/${cluster[2]}`;
  const tenant = TENANT.exec(message);
  if (tenant) fields.tenant = tenant[1];
  return fields;
}

/**
 * Characters JSON.stringify leaves raw that can still mislead a reader of the log (bidi controls, DEL and C1
 * controls, the Unicode line separators): written as `\uXXXX`, which parses back to the same value.
 */
const INVISIBLE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** One JSON object on one line: JSON.stringify escapes line breaks, so a value can never start a line. */
export function jsonLine(level: Level, message: string, now: Date = new Date()): string {
  const text = redact(message);
  return stringify({ time: now.toISOString(), level, message: text, ...fieldsOf(text) });
}

function stringify(record: Record<string, unknown>): string {
  return JSON.stringify(record).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface LogWriters {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export interface LogFormatSettings {
  logFormat?: LogFormat;
  verbose?: boolean;
  now?: () => Date;
}

export function withLogFormat(platform: Platform, settings: LogFormatSettings, write: LogWriters): Platform {
  const now = settings.now ?? (() => new Date());
  if (settings.logFormat !== 'json') {
    // Remote-call lines (what `verbose` adds) get a timestamp: retries and pacing are read from them.
    return {
      ...platform,
      debug: (message) => platform.debug(CALL.test(message) ? `${now().toISOString()} ${message}` : message),
    };
  }
  return {
    ...platform,
    info: (message) => write.info(jsonLine('info', message, now())),
    warn: (message) => write.warn(jsonLine('warn', message, now())),
    error: (message) => write.error(jsonLine('error', message, now())),
    debug: (message) => {
      if (settings.verbose) write.info(jsonLine('debug', message, now()));
    },
    annotate(diagnostics, title) {
      // On GitHub the annotations on the lines are what people read; the JSON lines are for log pipelines.
      if (platform.kind === 'github') return platform.annotate(diagnostics, title);
      for (const d of diagnostics) {
        const level = d.severity === 'error' ? 'error' : 'warn';
        const record = {
          time: now().toISOString(),
          level,
          message: redact(d.message),
          ...(d.hint !== undefined ? { hint: redact(d.hint) } : {}),
          file: d.file,
          line: d.line,
          column: d.column,
        };
        write[level](stringify(record));
      }
    },
  };
}
