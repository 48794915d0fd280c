/**
 * The plan of a pull request as one sticky comment: found by a hidden marker and edited in place, so a PR
 * pushed ten times has one comment that shows the latest plan, not ten.
 */
import { redact } from '../secret.js';
import type { Secret } from '../secret.js';

export const MARKER = '<!-- dtp:plan-comment -->';
/** GitHub refuses comment bodies over 65,536 characters. */
const MAX_BODY = 65_000;

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

export interface CommentTarget {
  token: Secret;
  pr: PullRequestRef;
  /** GITHUB_API_URL; github.com by default, the GHES address otherwise. */
  apiUrl?: string;
}

/** The pull request this workflow run is for, from the event payload; undefined for other events. */
export async function currentPullRequest(): Promise<PullRequestRef | undefined> {
  const { context } = await import('@actions/github');
  const number = context.payload.pull_request?.number;
  if (typeof number !== 'number') return undefined;
  return { owner: context.repo.owner, repo: context.repo.repo, number };
}

export function commentBody(markdown: string): string {
  const text = redact(markdown);
  const body = `${MARKER}\n${text}`;
  if (body.length <= MAX_BODY) return body;
  const note = '\n\n… cut to fit a comment; the full plan is in the job summary and the report artifact.';
  // Cut at a line end: a cut inside an escape (`&amp;`, `\|`) or a table row would change what renders.
  const cut = body.slice(0, MAX_BODY - note.length - '\n\n</details>'.length);
  const kept = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0));
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  return kept + (open > 0 ? '\n\n</details>' : '') + note;
}

/** Creates the comment, or updates the one dtp wrote before. Returns what it did. */
export async function upsertPullRequestComment(
  target: CommentTarget,
  markdown: string,
): Promise<'created' | 'updated'> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(target.token.reveal(), target.apiUrl ? { baseUrl: target.apiUrl } : {});
  const { owner, repo, number } = target.pr;
  const body = commentBody(markdown);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: number,
    per_page: 100,
  });
  const mine = comments.find((c) => c.body?.startsWith(MARKER));
  if (mine) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
    return 'updated';
  }
  await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
  return 'created';
}
