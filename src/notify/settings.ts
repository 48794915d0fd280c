/**
 * Checks of the notification and metrics-push settings, reported with the other invalid settings at start
 * (not at the end of a long run). A problem names the setting, never its (secret) value.
 */
import type { Options } from '../options.js';
import type { Secret } from '../secret.js';
import { parsePushAuth } from './pushgateway.js';

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

function urlProblem(name: string, value: Secret | undefined, schemes: string[]): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value.reveal());
  } catch {
    return `${name}: not a URL (expected ${schemes.join(' or ')}://…)`;
  }
  if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
    return `${name}: scheme ${url.protocol} is not ${schemes.join(' or ')}`;
  }
  return undefined;
}

export function notifySettingProblems(options: Options): string[] {
  const problems = [
    urlProblem('notify-slack-url', options.notifySlackUrl, ['https', 'http']),
    urlProblem('notify-webhook-url', options.notifyWebhookUrl, ['https', 'http']),
    urlProblem('notify-smtp-url', options.notifySmtpUrl, ['smtp', 'smtps']),
  ];
  if (options.metricsPushAuth) {
    const auth = parsePushAuth(options.metricsPushAuth);
    if (typeof auth === 'string') problems.push(auth);
    if (!options.metricsPushUrl) problems.push('metrics-push-auth: set without metrics-push-url');
  }
  if (options.notifyWebhookSecret && !options.notifyWebhookUrl) {
    problems.push('notify-webhook-secret: set without notify-webhook-url');
  }
  for (const admin of options.notifyAdmins) {
    if (!EMAIL.test(admin)) problems.push(`notify-admins: "${admin}" is not an email address`);
  }
  if (!Number.isInteger(options.notifyThreshold)) problems.push('notify-threshold: must be a whole number');
  if (options.notifyFrom !== undefined && !EMAIL.test(options.notifyFrom.replace(/^.*<(.*)>\s*$/, '$1'))) {
    problems.push(`notify-from: "${options.notifyFrom}" is not an email address`);
  }
  return problems.filter((p): p is string => p !== undefined);
}
