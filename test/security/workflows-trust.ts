/**
 * A static check of the rule "a job that can get a Vault login (`id-token: write`) never runs code from the
 * pull request". Workflows a pull request can trigger (pull_request, pull_request_target) and reusable
 * workflows (workflow_call: assume a pull request calls them) are read like GitHub runs them:
 * - a checkout without a trusted `ref` holds pull-request content; it is allowed only as data — a sparse,
 *   non-cone checkout of tenants/ — and nothing may run from it;
 * - `uses: ./x` runs whatever the checkout at x holds, so x must be a checkout of the default branch;
 * - `run:` steps execute in their working directory, so they may not run where pull-request content is;
 * - calling a reusable workflow by `./` runs the pull request's copy of it; calling one by
 *   `owner/repo/…@ref` must name the default branch.
 */
import type { Doc } from '../pipelines/helpers.js';

/** The refs that mean "the default branch" in a checkout's `ref`. */
const TRUSTED_REFS = new Set(['${{ github.event.repository.default_branch }}', 'main', 'refs/heads/main']);
const PR_EVENTS = ['pull_request', 'pull_request_target', 'workflow_call'];
const DATA_ONLY = /^\/?tenants\/?$/;

export interface TrustContext {
  /** Reads a reusable workflow of this repository (`.github/workflows/x.yml`), for the calls it follows. */
  readWorkflow: (path: string) => Doc | undefined;
  /** owner/repo of this repository, as callers name it. */
  repository: string;
  defaultBranch: string;
}

const triggers = (wf: Doc): string[] =>
  typeof wf.on === 'string' ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on ?? {});

const holdsIdToken = (wf: Doc, job: Doc) =>
  (job.permissions ?? wf.permissions) === 'write-all' ||
  (job.permissions ?? wf.permissions)?.['id-token'] === 'write';

const norm = (path: string | undefined) =>
  (path ?? '.').replace(/^\.\//, '').replace(/\/+$/, '').replace(/^$/, '.') || '.';

/** Which checkout (by path) covers `path`: the deepest one that is a prefix of it. */
function coveringCheckout(checkouts: Map<string, boolean>, path: string): [string, boolean] | undefined {
  let best: [string, boolean] | undefined;
  for (const [root, trusted] of checkouts) {
    const covers = root === '.' || path === root || path.startsWith(`${root}/`);
    if (covers && (!best || root.length > best[0].length || best[0] === '.')) best = [root, trusted];
  }
  return best;
}

function checkSteps(where: string, job: Doc): string[] {
  const problems: string[] = [];
  const checkouts = new Map<string, boolean>(); // path → trusted (default branch)
  for (const [i, step] of ((job.steps ?? []) as Doc[]).entries()) {
    const at = `${where} step ${i + 1}`;
    const uses = String(step.uses ?? '');
    if (/^actions\/checkout@/.test(uses)) {
      const w = step.with ?? {};
      const trusted =
        TRUSTED_REFS.has(String(w.ref ?? '')) &&
        (!w.repository || w.repository === '${{ github.repository }}');
      const sparse = String(w['sparse-checkout'] ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const dataOnly =
        sparse.length > 0 &&
        sparse.every((l) => DATA_ONLY.test(l)) &&
        w['sparse-checkout-cone-mode'] === false;
      if (!trusted && !dataOnly)
        problems.push(
          `${at}: checks out pull-request code (not a sparse, non-cone checkout of tenants/ only)`,
        );
      checkouts.set(norm(w.path), trusted);
    } else if (uses.startsWith('./')) {
      const covering = coveringCheckout(checkouts, norm(uses));
      if (!covering?.[1]) problems.push(`${at}: runs ${uses}, which is not a checkout of the default branch`);
    } else if (step.run !== undefined) {
      const covering = coveringCheckout(
        checkouts,
        norm(step['working-directory'] ?? job.defaults?.run?.['working-directory']),
      );
      if (covering && !covering[1])
        problems.push(`${at}: runs a script where pull-request content is checked out`);
    }
  }
  return problems;
}

/** Problems of one workflow (and of the reusable workflows of this repository it calls). */
export function idTokenJobsRunningPullRequestCode(
  path: string,
  wf: Doc,
  ctx: TrustContext,
  seen = new Set<string>(),
): string[] {
  if (seen.has(path)) return [];
  seen.add(path);
  if (!triggers(wf).some((t) => PR_EVENTS.includes(t))) return [];
  const problems: string[] = [];
  for (const [name, job] of Object.entries((wf.jobs ?? {}) as Record<string, Doc>)) {
    const where = `${path}: job ${name}`;
    if (typeof job.uses === 'string') {
      const uses = job.uses;
      if (!holdsIdToken(wf, job) && !holdsIdToken(wf, {})) continue;
      if (uses.startsWith('./')) {
        problems.push(`${where}: calls ${uses}, the pull request's own copy, with id-token: write`);
        continue;
      }
      const m = /^([^/]+\/[^/]+)\/(.+)@(.+)$/.exec(uses);
      if (!m || m[1] !== ctx.repository) continue;
      if (m[3] !== ctx.defaultBranch && m[3] !== `refs/heads/${ctx.defaultBranch}`)
        problems.push(`${where}: calls ${uses}, not the default branch's copy`);
      const called = ctx.readWorkflow(m[2]!);
      if (!called) problems.push(`${where}: calls ${m[2]}, which does not exist`);
      else problems.push(...idTokenJobsRunningPullRequestCode(m[2]!, called, ctx, seen));
      continue;
    }
    if (holdsIdToken(wf, job)) problems.push(...checkSteps(where, job));
  }
  return problems;
}
