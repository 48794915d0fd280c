/**
 * The workflows, action.yml and the example workflows of docs/github-actions.md validate with
 * @action-validator/core (GitHub's published schemas); broken copies fail naming the field; and the
 * workflows follow our policy (least privilege, OIDC only where Vault is used, no secrets on untrusted code,
 * schedules off the busy minutes, reconcile runs never overlap nor get cancelled).
 */
import { readdirSync } from 'node:fs';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clone, flattenActionErrors, readText, repoPath, type Doc } from './helpers.js';

// The Node API prints a warning for every `paths:` glob it cannot check; the tests check globs themselves.
beforeAll(() => {
  const warn = console.log;
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('WARNING: Glob validation')) warn(...args);
  });
});
afterAll(() => vi.restoreAllMocks());

const WORKFLOWS = readdirSync(repoPath('.github', 'workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => `.github/workflows/${f}`);

const workflow = (path: string) => load(readText(path)) as Doc;
const action = () => load(readText('action.yml')) as Doc;
const jobsOf = (wf: Doc) => Object.entries(wf.jobs as Record<string, Doc>);
/** Steps that run the Action: this repository's own (`./`), or the default branch's copy in plan.yml. */
const dtpSteps = (job: Doc) =>
  ((job.steps ?? []) as Doc[]).filter((s) => s.uses === './' || s.uses === './.dtp/action');
/** A job that calls a reusable workflow of this repository: the jobs of that workflow. */
const calledJobs = (job: Doc): Doc[] => {
  const m = /^example-org\/dtp\/(\.github\/workflows\/[\w.-]+)@main$/.exec(String(job.uses ?? ''));
  return m ? Object.values((load(readText(m[1]!)) as Doc).jobs as Record<string, Doc>) : [];
};

/** The example workflows in the user docs: every fenced yaml block with `on:` and `jobs:`. */
function docExamples(): { name: string; source: string }[] {
  const text = readText('docs/github-actions.md');
  return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((src) => /^on:/m.test(src) && /^jobs:/m.test(src))
    .map((source) => ({
      name: `docs/github-actions.md: ${/^name: (.*)$/m.exec(source)?.[1] ?? '?'}`,
      source,
    }));
}

/**
 * action.yml problems that the validator reports and that are known. Each entry must still be reported:
 * once action.yml (or the validator) is fixed, this test asks for the entry to be removed.
 */
const KNOWN_ACTION_YML_PROBLEMS = [
  {
    // @action-validator/core 0.6.0 (the latest) bundles a SchemaStore schema whose runs.using stops at node20;
    // GitHub runs node24 actions since runner 2.328. Not a problem of action.yml.
    match: (line: string) => line.startsWith('/runs') || line.startsWith('/runs/using'),
    when: (a: Doc) => a.runs.using === 'node24',
  },
];

describe('@action-validator/core', () => {
  it('finds the five workflows', () => {
    expect(WORKFLOWS).toEqual([
      '.github/workflows/ci.yml',
      '.github/workflows/plan.yml',
      '.github/workflows/reconcile.yml',
      '.github/workflows/release.yml',
      '.github/workflows/validate.yml',
    ]);
  });

  for (const path of WORKFLOWS) {
    it(`${path} is a valid workflow`, () => {
      const state = validateWorkflow(readText(path));
      expect(state.actionType).toBe('workflow');
      expect(flattenActionErrors(state)).toEqual([]);
    });
  }

  it('the example workflows of docs/github-actions.md are valid workflows', () => {
    const examples = docExamples();
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const e of examples) expect(flattenActionErrors(validateWorkflow(e.source)), e.name).toEqual([]);
  });

  it('action.yml is a valid action, apart from the known problems listed in this test', () => {
    const a = action();
    const state = validateAction(readText('action.yml'));
    expect(state.actionType).toBe('action');
    const lines = flattenActionErrors(state);
    const unexplained = lines.filter((l) => !KNOWN_ACTION_YML_PROBLEMS.some((k) => k.when(a) && k.match(l)));
    expect(unexplained).toEqual([]);
    for (const [i, k] of KNOWN_ACTION_YML_PROBLEMS.entries()) {
      expect(
        k.when(a) && lines.some(k.match),
        `KNOWN_ACTION_YML_PROBLEMS[${i}] no longer applies: remove it`,
      ).toBe(true);
    }
    // With node24 swapped for a version the bundled schema knows, runs passes: the rest of runs is right.
    const patched = clone(a);
    patched.runs.using = 'node20';
    expect(flattenActionErrors(validateAction(dump(patched))).filter((l) => l.startsWith('/runs'))).toEqual(
      [],
    );
  });
});

describe('broken copies are rejected, and the error names the field', () => {
  const mutations: { name: string; mutate: (wf: Doc, job: Doc) => void; expected: RegExp }[] = [
    {
      name: 'unknown job field',
      mutate: (_wf, job) => (job['timeout-minutez'] = 10),
      expected: /Additional property 'timeout-minutez' is not allowed/,
    },
    {
      name: 'job timeout of the wrong type',
      mutate: (_wf, job) => (job['timeout-minutes'] = [10]),
      expected: /\/jobs\/[a-z-]+\/timeout-minutes: \[wrong_type\]/,
    },
    {
      name: 'unknown top-level field',
      mutate: (wf) => (wf.permisions = { contents: 'read' }),
      expected: /Additional property 'permisions' is not allowed/,
    },
    {
      name: 'permissions of the wrong type',
      mutate: (wf) => (wf.permissions = ['contents']),
      expected: /\/permissions: \[wrong_type\] .*must be (object|string)/,
    },
  ];
  for (const path of WORKFLOWS) {
    for (const m of mutations) {
      it(`${path}: ${m.name}`, () => {
        const wf = workflow(path);
        m.mutate(wf, jobsOf(wf)[0]![1]);
        const lines = flattenActionErrors(validateWorkflow(dump(wf)));
        expect(lines.join('\n')).toMatch(m.expected);
      });
    }
  }

  it('action.yml: unknown field and wrong type', () => {
    const a = action();
    a.runs.mian = 'dist/index.js';
    a.inputs.mode.required = 'no';
    const lines = flattenActionErrors(validateAction(dump(a))).join('\n');
    expect(lines).toMatch(/\/runs: .*Additional property 'mian' is not allowed/);
    expect(lines).toMatch(/\/inputs\/mode\/required: \[wrong_type\] .*must be boolean/);
  });
});

describe('workflow policy', () => {
  const all = () => WORKFLOWS.map((path) => ({ path, wf: workflow(path) }));
  const inputs = () => new Set(Object.keys(action().inputs));

  it('every job has explicit permissions (its own or the workflow’s), never write-all', () => {
    for (const { path, wf } of all()) {
      for (const [name, job] of jobsOf(wf)) {
        const effective = job.permissions ?? wf.permissions;
        expect(effective, `${path}: job ${name} has no permissions`).toBeDefined();
        expect(effective, `${path}: ${name}`).not.toBe('write-all');
      }
      expect(wf.on.pull_request_target, `${path} must not run untrusted code with secrets`).toBeUndefined();
    }
  });

  it('id-token: write only in jobs that log in to Vault with the GitHub OIDC token (jwt)', () => {
    for (const { path, wf } of all()) {
      expect(
        wf.permissions?.['id-token'],
        `${path}: id-token belongs on the job, not the workflow`,
      ).toBeUndefined();
      for (const [name, job] of jobsOf(wf)) {
        const jwt = (j: Doc) => dtpSteps(j).some((s) => s.with?.['vault-auth-method'] === 'jwt');
        const usesJwt = jwt(job) || calledJobs(job).some(jwt);
        expect(job.permissions?.['id-token'] === 'write', `${path}: ${name}`).toBe(usesJwt);
      }
    }
  });

  it('steps that run the Action pass only inputs that action.yml declares', () => {
    const declared = inputs();
    for (const { path, wf } of all()) {
      for (const [name, job] of jobsOf(wf)) {
        for (const s of dtpSteps(job)) {
          for (const key of Object.keys(s.with ?? {}))
            expect(declared.has(key), `${path}: ${name}: ${key}`).toBe(true);
        }
      }
    }
    for (const e of docExamples()) {
      const wf = load(e.source) as Doc;
      for (const [, job] of jobsOf(wf)) {
        for (const s of ((job.steps ?? []) as Doc[]).filter((s) => /\/dtp@/.test(s.uses ?? ''))) {
          for (const key of Object.keys(s.with ?? {}))
            expect(declared.has(key), `${e.name}: ${key}`).toBe(true);
        }
      }
    }
  });

  it('scheduled runs avoid minute 0 and 30', () => {
    const schedules = all().flatMap(({ wf }) => (wf.on.schedule ?? []) as { cron: string }[]);
    expect(schedules.length).toBeGreaterThan(0);
    for (const { cron } of schedules) {
      const minute = cron.split(/\s+/)[0]!;
      expect(cron.split(/\s+/)).toHaveLength(5);
      expect(minute).toMatch(/^\d+$/);
      expect(['0', '00', '30']).not.toContain(minute);
    }
  });

  it('validate.yml: the validate job runs for everyone with no secret; plan only for same-repository branches', () => {
    const wf = workflow('.github/workflows/validate.yml');
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.on.pull_request.paths).toEqual(['tenants/**']);
    const validate = wf.jobs.validate as Doc;
    expect(validate.permissions).toEqual({ contents: 'read' });
    expect(validate.if).toBeUndefined();
    expect(JSON.stringify(validate)).not.toMatch(/secrets\./);
    expect(dtpSteps(validate).map((s) => s.with.mode)).toEqual(['validate']);

    const plan = wf.jobs.plan as Doc;
    expect(plan.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    // The plan itself is plan.yml on the default branch (test/security/workflows.test.ts checks the trust).
    expect(plan.uses).toBe('example-org/dtp/.github/workflows/plan.yml@main');
    const [called] = calledJobs(plan);
    expect(called!.permissions).toEqual(plan.permissions);
    const [step] = dtpSteps(called!);
    expect(step!.with).toMatchObject({ mode: 'plan', 'vault-auth-method': 'jwt', 'pr-comment': true });
    expect(step!.with['vault-addr']).toBeTruthy();
    expect(step!.with['vault-role']).toBeTruthy();
  });

  it('reconcile.yml: schedule, pushes to main on tenants/, and by hand with a dry run that plans', () => {
    const wf = workflow('.github/workflows/reconcile.yml');
    expect(wf.on.push).toEqual({ branches: ['main'], paths: ['tenants/**'] });
    expect(wf.on.workflow_dispatch.inputs['dry-run'].type).toMatch(/^(boolean|choice)$/);
    expect(wf.concurrency).toEqual({ group: 'dtp-reconcile', 'cancel-in-progress': false });
    const [[, job]] = jobsOf(wf) as [[string, Doc]];
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const [step] = dtpSteps(job);
    // The mode expression, evaluated like GitHub does (&& and || return operands, as in JavaScript).
    const expr = /^\$\{\{ (.*) \}\}$/
      .exec(step!.with.mode)![1]!
      .replace(/inputs\.dry-run/g, "inputs['dry-run']");
    const mode = (dryRun: unknown) =>
      new Function('inputs', `return ${expr};`)({ 'dry-run': dryRun }) as string;
    expect(mode(true)).toBe('plan');
    expect(mode(false)).toBe('reconcile');
    expect(mode(undefined)).toBe('reconcile'); // schedule and push have no inputs
    expect(step!.with['vault-auth-method']).toBe('jwt');
  });

  it('the report artifact is uploaded once, by the Action: no upload-artifact in workflows or docs', () => {
    for (const { path } of all()) expect(readText(path), path).not.toMatch(/actions\/upload-artifact@/);
    for (const e of docExamples()) expect(e.source, e.name).not.toMatch(/actions\/upload-artifact@/);
  });

  it('ci.yml: runs .ci/run on Node 24 with read-only contents', () => {
    const wf = workflow('.github/workflows/ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    expect(wf.permissions).toEqual({ contents: 'read' });
    const [[, job]] = jobsOf(wf) as [[string, Doc]];
    expect(job['runs-on']).toBe('ubuntu-latest');
    const steps = job.steps as Doc[];
    const setup = steps.find((s) => String(s.uses).startsWith('actions/setup-node@'))!;
    expect(String(setup.with['node-version'])).toBe('24');
    expect(steps.at(-1)!.run).toBe('bash .ci/run');
  });

  it('checkouts do not keep the token in .git/config', () => {
    for (const { path, wf } of all()) {
      for (const [name, job] of jobsOf(wf)) {
        for (const s of ((job.steps ?? []) as Doc[]).filter((s) =>
          String(s.uses).startsWith('actions/checkout@'),
        )) {
          expect(s.with?.['persist-credentials'], `${path}: ${name}`).toBe(false);
        }
      }
    }
  });
});
