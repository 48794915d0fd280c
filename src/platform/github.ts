import * as core from '@actions/core';
import type { Diagnostic } from '../config/diagnostics.js';
import { onSecretValue, redact } from '../secret.js';
import { ANNOTATION_LIMIT, type Platform } from './platform.js';

/** The job summary is rejected above 1 MiB; keep a margin for the truncation note. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 4096;

export function githubPlatform(
  options: { verbose?: boolean; artifactName?: string; shard?: { index: number; count: number } } = {},
): Platform {
  // Mask every secret value the moment it exists, including ones read later (minted tokens).
  onSecretValue((value) => core.setSecret(value));
  return {
    kind: 'github',
    info: (message) => core.info(redact(message)),
    warn: (message) => core.warning(redact(message)),
    error: (message) => core.error(redact(message)),
    debug: (message) => (options.verbose ? core.info(redact(message)) : core.debug(redact(message))),
    annotate(diagnostics: readonly Diagnostic[]) {
      let errors = 0;
      let warnings = 0;
      for (const d of diagnostics) {
        const text = redact(d.hint ? `${d.message}\nhint: ${d.hint}` : d.message);
        const properties = {
          title: 'dtp validate',
          file: d.file,
          ...(d.line > 0 ? { startLine: d.line, startColumn: d.column } : {}),
        };
        if (d.severity === 'error' && errors++ < ANNOTATION_LIMIT) core.error(text, properties);
        else if (d.severity === 'warning' && warnings++ < ANNOTATION_LIMIT) core.warning(text, properties);
        else core.info(redact(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`));
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
}

/** Artifact names are unique per run and immutable: include run, attempt and job (and the shard, if any). */
export function artifactName(env: NodeJS.ProcessEnv, shard?: string): string {
  const parts = [
    'dtp-report',
    env.GITHUB_RUN_ID ?? 'local',
    env.GITHUB_RUN_ATTEMPT ?? '1',
    env.GITHUB_JOB ?? 'job',
  ];
  if (shard && shard !== '1/1') parts.push(`shard-${shard.replace('/', '-of-')}`);
  return parts.join('-').replace(/[^A-Za-z0-9._-]/g, '_');
}
