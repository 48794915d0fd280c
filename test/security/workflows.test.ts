/**
 * The attack: a pull request changes dist/, the workflow or the Action and reads Vault with the plan job's
 * OIDC login before anyone reviews it. These tests parse every workflow and refuse any job holding
 * `id-token: write` that runs code from the pull request; the workflow as it was before (fixtures/
 * validate-before.yml: checkout of the head, then `uses: ./` with the Vault login) must be refused.
 * Also: third-party actions are pinned by commit, and the reusable plan takes nothing security-relevant
 * from its caller.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { readText, repoPath, type Doc } from '../pipelines/helpers.js';
import { idTokenJobsRunningPullRequestCode, type TrustContext } from './workflows-trust.js';

const DIR = '.github/workflows';
const WORKFLOWS = readdirSync(repoPath(DIR)).filter((f) => /\.ya?ml$/.test(f));
const workflow = (path: string) => load(readText(path)) as Doc;
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

const ctx: TrustContext = {
  repository: 'example-org/dtp',
  defaultBranch: 'main',
  readWorkflow: (path) => (existsSync(repoPath(path)) ? workflow(path) : undefined),
};

describe('no job with id-token: write runs pull-request code', () => {
  for (const file of WORKFLOWS) {
    it(`${DIR}/${file}`, () => {
      expect(idTokenJobsRunningPullRequestCode(`${DIR}/${file}`, workflow(`${DIR}/${file}`), ctx)).toEqual(
        [],
      );
    });
  }

  it('the workflow before the change is refused: it checked out the head and ran ./ with a Vault login', () => {
    const problems = idTokenJobsRunningPullRequestCode(
      'validate-before.yml',
      load(fixture('validate-before.yml')) as Doc,
      ctx,
    );
    expect(problems).toEqual([
      'validate-before.yml: job plan step 1: checks out pull-request code (not a sparse, non-cone checkout of tenants/ only)',
      'validate-before.yml: job plan step 2: runs ./, which is not a checkout of the default branch',
    ]);
  });

  const plan = () => workflow(`${DIR}/plan.yml`);
  const mutated = (change: (wf: Doc) => void) => {
    const wf = plan();
    change(wf);
    return idTokenJobsRunningPullRequestCode('plan.yml', wf, ctx);
  };
  const steps = (wf: Doc) => wf.jobs.plan.steps as Doc[];

  it('refuses a plan that checks out all of the pull request, or in cone mode (top-level files come too)', () => {
    expect(mutated((wf) => delete steps(wf)[0]!.with['sparse-checkout'])).toEqual([
      'plan.yml: job plan step 1: checks out pull-request code (not a sparse, non-cone checkout of tenants/ only)',
    ]);
    expect(mutated((wf) => (steps(wf)[0]!.with['sparse-checkout-cone-mode'] = true))).toHaveLength(1);
    expect(mutated((wf) => (steps(wf)[0]!.with['sparse-checkout'] = '/tenants/\n/dist/\n'))).toHaveLength(1);
  });

  it('refuses a plan that runs the action from the pull request, or a script in its checkout', () => {
    expect(mutated((wf) => (steps(wf)[3]!.uses = './'))).toEqual([
      'plan.yml: job plan step 4: runs ./, which is not a checkout of the default branch',
    ]);
    expect(mutated((wf) => (steps(wf)[2]!.with.ref = '${{ github.head_ref }}'))).toContain(
      'plan.yml: job plan step 4: runs ./.dtp/action, which is not a checkout of the default branch',
    );
    expect(mutated((wf) => steps(wf).push({ run: 'npm ci' }))).toEqual([
      'plan.yml: job plan step 5: runs a script where pull-request content is checked out',
    ]);
  });

  it('refuses calling the plan by ./ (the pull request’s copy) or at another ref', () => {
    const caller = (uses: string) => ({
      on: { pull_request: {} },
      jobs: { plan: { permissions: { 'id-token': 'write' }, uses } },
    });
    expect(idTokenJobsRunningPullRequestCode('c', caller('./.github/workflows/plan.yml'), ctx)).toEqual([
      "c: job plan: calls ./.github/workflows/plan.yml, the pull request's own copy, with id-token: write",
    ]);
    expect(
      idTokenJobsRunningPullRequestCode(
        'c',
        caller('example-org/dtp/.github/workflows/plan.yml@feature'),
        ctx,
      ),
    ).toEqual([
      "c: job plan: calls example-org/dtp/.github/workflows/plan.yml@feature, not the default branch's copy",
    ]);
  });
});

describe('the reusable plan and its caller', () => {
  it('validate.yml calls plan.yml by full name on main, for same-repository branches, passing nothing', () => {
    const job = workflow(`${DIR}/validate.yml`).jobs.plan as Doc;
    expect(job.uses).toBe(`${ctx.repository}/.github/workflows/plan.yml@main`);
    expect(job.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(job.with).toBeUndefined();
    expect(job.secrets).toBeUndefined();
  });

  it('plan.yml takes no inputs or secrets; Vault, URLs and allowed hosts come from repository variables', () => {
    const wf = workflow(`${DIR}/plan.yml`);
    expect(Object.keys(wf.on)).toEqual(['workflow_call']);
    expect(wf.on.workflow_call?.inputs).toBeUndefined();
    expect(wf.on.workflow_call?.secrets).toBeUndefined();
    const text = readText(`${DIR}/plan.yml`);
    expect(text).not.toMatch(/\$\{\{\s*(inputs|secrets)\./);
    const dtp = (wf.jobs.plan.steps as Doc[]).find((s) => s.uses === './.dtp/action')!;
    for (const key of ['vault-addr', 'vault-role', 'allowed-hosts'])
      expect(String(dtp.with[key]), key).toMatch(/^\$\{\{ vars\.DTP_/);
    for (const value of Object.values(dtp.with as Record<string, unknown>))
      expect(String(value)).not.toMatch(/github\.(event|head_ref)/);
    expect(wf.jobs.plan.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });
});

describe('third-party actions are pinned by commit', () => {
  /** `uses:` lines, with their trailing comment, straight from the text (YAML parsing drops comments). */
  const usesLines = (text: string) =>
    [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => ({ uses: m[1]!, rest: m[2]! }));
  const thirdParty = (uses: string) => !uses.startsWith('./') && !uses.startsWith(`${ctx.repository}/`);

  for (const file of WORKFLOWS) {
    it(`${DIR}/${file}: every third-party action @<40 hex> # vX.Y.Z`, () => {
      for (const { uses, rest } of usesLines(readText(`${DIR}/${file}`)).filter((u) => thirdParty(u.uses))) {
        expect(uses, file).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
        expect(rest, `${file}: ${uses} needs a version comment`).toMatch(/^\s+#\s+v\d+\.\d+\.\d+\s*$/);
      }
    });
  }

  it('the check refuses a tag (the workflows before the change used @v4)', () => {
    const before = usesLines(fixture('validate-before.yml')).filter((u) => thirdParty(u.uses));
    expect(before.map((u) => u.uses)).toContain('actions/checkout@v4');
    expect(before.every((u) => /@[0-9a-f]{40}$/.test(u.uses))).toBe(false);
  });
});
