/**
 * After the report is written: push the metrics (plan and reconcile) and notify owners and admins
 * (reconcile only). Both are best effort: a failure is a warning, never a failed run, and the whole step
 * gives up after NOTIFY_DEADLINE_MS so an unreachable Pushgateway or mail server cannot hold the job.
 */
import type { Config } from '../config/types.js';
import type { Options } from '../options.js';
import type { Platform } from '../platform/platform.js';
import { renderMetrics } from '../report/metrics.js';
import type { Report } from '../report/report.js';
import { emailChannel, slackChannel, webhookChannel, type Channel } from './channels.js';
import { computeNotices } from './events.js';
import type { MessageContext } from './message.js';
import { parsePushAuth, pushMetrics } from './pushgateway.js';
import { fileStateStore, type StateStore } from './state.js';

const NOTIFY_DEADLINE_MS = 10_000;

export interface NotifyDeps {
  config?: Config;
  options: Options;
  platform: Platform;
  /** Tests pass their own store; production keeps the state in `notify-state-file`. */
  store?: StateStore;
  /** How long notifications and the push may take together; tests shorten it. */
  deadlineMs?: number;
}

function channelsOf(options: Options, deadlineMs = NOTIFY_DEADLINE_MS): Channel[] {
  const channels: Channel[] = [];
  if (options.notifySlackUrl) channels.push(slackChannel(options.notifySlackUrl));
  if (options.notifyWebhookUrl)
    channels.push(webhookChannel(options.notifyWebhookUrl, options.notifyWebhookSecret));
  if (options.notifySmtpUrl)
    channels.push(emailChannel(options.notifySmtpUrl, options.notifyFrom, deadlineMs));
  return channels;
}

export async function notifyAndPush(report: Report, deps: NotifyDeps): Promise<void> {
  const { options, platform } = deps;
  // A stopped run is inside its shutdown grace: no time to wait on receivers, and half a fleet is no news.
  if (report.interrupted) return;
  const deadlineMs = deps.deadlineMs ?? NOTIFY_DEADLINE_MS;
  const signal = AbortSignal.timeout(deadlineMs);
  const work: Promise<void>[] = [];
  if (options.metricsPushUrl && report.mode !== 'validate')
    work.push(push(report, options, platform, signal));
  const channels = channelsOf(options, deadlineMs);
  if (report.mode === 'reconcile' && channels.length > 0 && deps.config && !report.startupError) {
    work.push(notify(report, deps.config, deps, channels, signal));
  }
  if (work.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    // A little after the abort signal, so that aborted sends can still report themselves.
    timer = setTimeout(() => resolve('late'), deadlineMs + 500);
    timer.unref();
  });
  const outcome = await Promise.race([Promise.allSettled(work), deadline]);
  clearTimeout(timer);
  if (outcome === 'late') {
    platform.warn(
      `notifications/metrics push: gave up after ${deadlineMs / 1000} s; the run's result is unchanged`,
    );
  }
}

async function push(
  report: Report,
  options: Options,
  platform: Platform,
  signal: AbortSignal,
): Promise<void> {
  try {
    const auth = options.metricsPushAuth ? parsePushAuth(options.metricsPushAuth) : undefined;
    if (typeof auth === 'string') throw new Error(auth);
    await pushMetrics(
      await renderMetrics(report),
      { url: options.metricsPushUrl!, auth, shard: options.shard },
      signal,
    );
    platform.info(
      `metrics pushed to the Pushgateway (job dtp, shard ${options.shard.index}_of_${options.shard.count})`,
    );
  } catch (error) {
    platform.warn(`metrics push failed: ${(error as Error).message}; metrics.prom is in the report folder`);
  }
}

export function stateFileFor(options: Options): string {
  const { index, count } = options.shard;
  const path = options.notifyStateFile;
  return count === 1 ? path : path.replace(/(\.json)?$/, `-shard-${index}-of-${count}$1`);
}

function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

async function notify(
  report: Report,
  config: Config,
  deps: NotifyDeps,
  channels: Channel[],
  signal: AbortSignal,
): Promise<void> {
  const { options, platform } = deps;
  const store = deps.store ?? fileStateStore(stateFileFor(options));
  const loaded = store.load();
  if (!loaded.state && loaded.why !== 'missing') {
    platform.warn(
      `notify state ${store.where} is ${loaded.why}${loaded.detail ? ` (${loaded.detail})` : ''}: starting over, current problems are told again`,
    );
  }
  const { notices, next } = computeNotices({
    report,
    config,
    previous: loaded.state,
    threshold: options.notifyThreshold,
    admins: options.notifyAdmins,
  });
  const context: MessageContext = { shard: report.shard, version: report.tool.version, runUrl: runUrl() };
  const sends = notices.flatMap((notice) =>
    channels.map(async (channel) => {
      const who = notice.audience.kind === 'tenant' ? `owners of ${notice.audience.tenantId}` : 'admins';
      try {
        return (await channel.send(notice, context, signal)) ? 'sent' : 'nobody';
      } catch (error) {
        platform.warn(`notification to ${who} over ${channel.name} failed: ${(error as Error).message}`);
        return 'failed';
      }
    }),
  );
  const results = await Promise.all(sends);
  const failed = results.filter((r) => r === 'failed').length;
  const sent = results.filter((r) => r === 'sent').length;
  // A message that did not go out must be told again: keep the previous state, so it is still "new".
  if (failed === 0) {
    try {
      store.save(next);
    } catch (error) {
      platform.warn(
        `notify state ${store.where} could not be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); the next run tells these again`,
      );
    }
  }
  platform.info(
    notices.length === 0
      ? 'notifications: nothing new since the last run'
      : `notifications: ${notices.length} notices, ${sent} messages sent${failed ? `, ${failed} failed (told again next run)` : ''}`,
  );
}
