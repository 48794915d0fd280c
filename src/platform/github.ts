import { isAbsolute, relative, resolve, sep } from 'node:path';
import * as core from '@actions/core';
import type { Diagnostic } from '../config/diagnostics.js';
import { escapeControl } from '../escape.js';
import { onSecretValue, redact } from '../secret.js';
import { ANNOTATION_LIMIT, escapeDiagnostic, type Platform } from './platform.js';
import { withLogFormat, type LogFormat } from './log-format.js';

/**
 * `core.info` prints its text raw, so a line break inside a value could start a workflow command such as
 * `::set-output` or `::add-mask`: everything it prints is one line, control characters made visible.
 */
const line = (message: string) => escapeControl(redact(message));
/**
 * `core.warning`/`core.error` encode the message as workflow-command data (`%0A` for a line break), so the
 * message may keep its own line breaks; control characters are made visible line by line.
 */
const commandText = (message: string) => redact(message).split(/\r?\n/).map(escapeControl).join('\n');

/** The job summary is rejected above 1 MiB; keep a margin for the truncation note. */
const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 4096;

export function githubPlatform(
  options: {
    verbose?: boolean;
    artifactName?: string;
    shard?: { index: number; count: number };
    logFormat?: LogFormat;
  } = {},
): Platform {
  // Mask every secret value the moment it exists, including ones read later (minted tokens).
  onSecretValue((value) => core.setSecret(value));
  const annotated = { errors: 0, warnings: 0 };
  const platform: Platform = {
    kind: 'github',
    info: (message) => core.info(line(message)),
    warn: (message) => core.warning(commandText(message)),
    error: (message) => core.error(commandText(message)),
    debug: (message) => (options.verbose ? core.info(line(message)) : core.debug(commandText(message))),
    annotate(diagnostics: readonly Diagnostic[], title = 'dtp validate') {
      for (const raw of diagnostics) {
        // File names and quoted values come from the pull request; @actions/core then encodes the
        // command's data and properties (`%`, CR, LF, and `:`/`,` in file=) as the runner requires.
        const d = escapeDiagnostic(raw);
        const text = redact(d.hint ? `${d.message}\nhint: ${d.hint}` : d.message);
        const properties = {
          title,
          file: workspacePath(d.file),
          ...(d.line > 0 ? { startLine: d.line, startColumn: d.column } : {}),
        };
        // GitHub's cap is per step, not per call: validation problems and plan findings share it.
        if (d.severity === 'error' && annotated.errors++ < ANNOTATION_LIMIT) core.error(text, properties);
        else if (d.severity === 'warning' && annotated.warnings++ < ANNOTATION_LIMIT)
          core.warning(text, properties);
        else core.info(line(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`));
      }
    },
    async writeSummary(markdown) {
      const path = process.env.GITHUB_STEP_SUMMARY;
      if (!path) {
        core.warning('GITHUB_STEP_SUMMARY is not set; the job summary is only in the report folder.');
        return undefined;
      }
      let text = redact(markdown);
      if (Buffer.byteLength(text) > SUMMARY_LIMIT_BYTES) {
        text = `${Buffer.from(text).subarray(0, SUMMARY_LIMIT_BYTES).toString('utf8')}\n\n…truncated: the full summary is in the report artifact.\n`;
      }
      await core.summary.addRaw(text, true).write();
      return path;
    },
    async setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(value));
    },
    async publishReport(dir, files) {
      if (!process.env.ACTIONS_RUNTIME_TOKEN) {
        core.info(`Not uploading the report artifact (no Actions runtime); the files are in ${dir}.`);
        return;
      }
      // Matrix shards run as one job id: the shard in the name keeps their reports apart.
      const shard = options.shard ? `${options.shard.index}/${options.shard.count}` : undefined;
      const name = options.artifactName ?? artifactName(process.env, shard);
      try {
        // Loaded on use: the artifact client is large and only needed at the very end of a GitHub run.
        const { DefaultArtifactClient } = await import('@actions/artifact');
        await new DefaultArtifactClient().uploadArtifact(name, files, dir, { retentionDays: 30 });
        core.info(`Report uploaded as artifact ${name}.`);
      } catch (error) {
        core.warning(
          `Could not upload the report artifact ${name}: ${redact(String((error as Error).message ?? error))}`,
        );
      }
    },
    idToken: (audience) => core.getIDToken(audience),
  };
  // JSON lines are one line each already; warnings and errors stay workflow commands (annotations).
  return withLogFormat(platform, options, { info: core.info, warn: core.warning, error: core.error });
}

/**
 * Annotations name files relative to the repository root (GITHUB_WORKSPACE), while dtp names them relative
 * to the working directory: a step with `working-directory` would otherwise annotate lines that do not exist.
 * A file outside the workspace keeps its own path (GitHub then shows the annotation without a line).
 */
export function workspacePath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) return file;
  const rel = relative(resolve(workspace), resolve(file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}

/** Artifact names are unique per run and immutable: include run, attempt and job (and the shard, if any). */
function artifactName(env: NodeJS.ProcessEnv, shard?: string): string {
  const parts = [
    'dtp-report',
    env.GITHUB_RUN_ID ?? 'local',
    env.GITHUB_RUN_ATTEMPT ?? '1',
    env.GITHUB_JOB ?? 'job',
  ];
  if (shard && shard !== '1/1') parts.push(`shard-${shard.replace('/', '-of-')}`);
  return parts.join('-').replace(/[^A-Za-z0-9._-]/g, '_');
}
