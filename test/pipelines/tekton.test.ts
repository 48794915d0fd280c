/**
 * The Tekton objects we ship validate against the v1 CRD schemas of tektoncd/pipeline v1.15.0 (specs/tekton),
 * tightened so unknown fields are rejected; broken copies fail with an error naming the field; and the
 * task follows the catalog's conventions and the settings of src/options.ts.
 */
import { describe, expect, it } from 'vitest';
import { envName, OPTIONS } from '../../src/options.js';
import { clone, loadDoc, loadDocs, readText, tektonSchema, validateTekton, type Doc } from './helpers.js';

const TASK = 'tekton/task/dtp/0.1/dtp.yaml';
const PIPELINE = 'tekton/pipeline/dtp-reconcile.yaml';
const TRIGGER_TEMPLATE = 'tekton/triggers/triggertemplate.yaml';

const task = () => loadDoc(TASK);
const pipeline = () => loadDoc(PIPELINE);
/** The PipelineRun(s) the TriggerTemplate creates. */
const pipelineRuns = () => loadDoc(TRIGGER_TEMPLATE).spec.resourcetemplates as Doc[];

describe('Tekton objects validate against the v1 CRD schemas', () => {
  it('the schemas were tightened: a typo that the raw CRD schema accepts is rejected', () => {
    // Guards the guard: if tightening stopped working, every "unknown field" test below would be vacuous.
    const raw = tektonSchema('Task', false);
    expect(raw.properties.spec.properties.steps.items.additionalProperties).toBeUndefined();
    const tight = tektonSchema('Task');
    expect(tight.properties.spec.properties.steps.items.additionalProperties).toBe(false);
    // Fields Tekton leaves open stay open.
    expect(tight.properties.spec.properties.volumes.additionalProperties).toBeUndefined();
  });

  it(`${TASK} is a valid Task`, () => {
    expect(validateTekton(task())).toEqual([]);
  });

  it(`${PIPELINE} is a valid Pipeline`, () => {
    expect(validateTekton(pipeline())).toEqual([]);
  });

  it('the sharded Pipeline is valid, runs every shard once with its own report folder, and merges in finally', () => {
    const sharded = loadDoc('tekton/pipeline/dtp-reconcile-sharded.yaml');
    expect(validateTekton(sharded)).toEqual([]);
    const include = sharded.spec.tasks.find((t: { name: string }) => t.name === 'dtp').matrix.include as {
      params: { name: string; value: string }[];
    }[];
    const value = (i: (typeof include)[number], name: string) => i.params.find((p) => p.name === name)?.value;
    expect(include.map((i) => value(i, 'shard'))).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(new Set(include.map((i) => value(i, 'report-dir'))).size).toBe(4);
    const merge = (sharded.spec.finally as Doc[]).find((t) => t.name === 'merge-reports')!;
    expect(merge.taskSpec.steps[0].script).toContain('dtp report merge dtp-report/shard-*/report.json');
  });

  it(`the PipelineRun in ${TRIGGER_TEMPLATE} is a valid PipelineRun`, () => {
    const runs = pipelineRuns();
    expect(runs.map((r) => r.kind)).toEqual(['PipelineRun']);
    for (const run of runs) expect(validateTekton(run)).toEqual([]);
  });
});

describe('broken copies are rejected, and the error names the field', () => {
  const cases: { name: string; doc: () => Doc; mutate: (d: Doc) => void; expected: RegExp }[] = [
    {
      name: 'Task: unknown step field',
      doc: task,
      mutate: (d) => (d.spec.steps[0].stepz = 'x'),
      expected: /\/spec\/steps\/0: must NOT have additional properties \(stepz\)/,
    },
    {
      name: 'Task: unknown spec field',
      doc: task,
      mutate: (d) => (d.spec.paramz = []),
      expected: /\/spec: must NOT have additional properties \(paramz\)/,
    },
    {
      name: 'Task: param name of the wrong type',
      doc: task,
      mutate: (d) => (d.spec.params[0].name = 42),
      expected: /\/spec\/params\/0\/name: must be string/,
    },
    {
      name: 'Task: workspace readOnly of the wrong type',
      doc: task,
      mutate: (d) => (d.spec.workspaces[1].readOnly = 'yes'),
      expected: /\/spec\/workspaces\/1\/readOnly: must be boolean/,
    },
    {
      name: 'Task: securityContext field misspelt',
      doc: task,
      mutate: (d) => (d.spec.steps[0].securityContext.runAsNonroot = true),
      expected: /\/spec\/steps\/0\/securityContext: must NOT have additional properties \(runAsNonroot\)/,
    },
    {
      name: 'Pipeline: unknown pipeline task field',
      doc: pipeline,
      mutate: (d) => (d.spec.tasks[1].runAfterr = ['fetch-source']),
      expected: /\/spec\/tasks\/1: must NOT have additional properties \(runAfterr\)/,
    },
    {
      name: 'Pipeline: retries of the wrong type',
      doc: pipeline,
      mutate: (d) => (d.spec.tasks[1].retries = 'twice'),
      expected: /\/spec\/tasks\/1\/retries: must be integer/,
    },
    {
      name: 'Pipeline: taskRef field misspelt',
      doc: pipeline,
      mutate: (d) => (d.spec.tasks[0].taskRef.resolvr = 'hub'),
      expected: /\/spec\/tasks\/0\/taskRef: must NOT have additional properties \(resolvr\)/,
    },
    {
      name: 'PipelineRun: unknown spec field',
      doc: () => pipelineRuns()[0]!,
      mutate: (d) => (d.spec.serviceAccountName = 'dtp'), // a v1beta1 field, gone in v1
      expected: /\/spec: must NOT have additional properties \(serviceAccountName\)/,
    },
    {
      name: 'PipelineRun: timeout of the wrong type',
      doc: () => pipelineRuns()[0]!,
      mutate: (d) => (d.spec.timeouts.pipeline = 3600),
      expected: /\/spec\/timeouts\/pipeline: must be string/,
    },
    {
      name: 'PipelineRun: taskRunSpecs field misspelt',
      doc: () => pipelineRuns()[0]!,
      mutate: (d) => (d.spec.taskRunSpecs[0].serviceAccount = 'dtp'),
      expected: /\/spec\/taskRunSpecs\/0: must NOT have additional properties \(serviceAccount\)/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const doc = clone(c.doc());
      expect(validateTekton(doc)).toEqual([]);
      c.mutate(doc);
      const errors = validateTekton(doc);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.join('\n')).toMatch(c.expected);
    });
  }
});

describe('the dtp Task', () => {
  const t = task();
  const steps = t.spec.steps as Doc[];

  it('follows the Tekton catalog conventions', () => {
    expect(t.metadata.name).toBe('dtp');
    expect(t.metadata.labels['app.kubernetes.io/version']).toBe('0.1');
    for (const key of [
      'tekton.dev/pipelines.minVersion',
      'tekton.dev/categories',
      'tekton.dev/tags',
      'tekton.dev/displayName',
    ]) {
      expect(typeof t.metadata.annotations[key], key).toBe('string');
      expect(t.metadata.annotations[key].length, key).toBeGreaterThan(0);
    }
    expect(t.metadata.annotations['tekton.dev/pipelines.minVersion']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(t.spec.description.length).toBeGreaterThan(40);
    for (const p of t.spec.params) expect(p.description, p.name).toBeTruthy();
    for (const r of t.spec.results) expect(r.description, r.name).toBeTruthy();
  });

  it('has the source workspace and an optional, read-only secrets workspace', () => {
    expect(t.spec.workspaces).toEqual([
      expect.objectContaining({ name: 'source' }),
      expect.objectContaining({ name: 'secrets', optional: true, readOnly: true }),
    ]);
    expect(t.spec.workspaces[0].optional).toBeUndefined();
  });

  it('declares the results changed, failed, report-path and summary-path, and a step writes each of them', () => {
    const names = ['changed', 'failed', 'report-path', 'summary-path'];
    expect(t.spec.results.map((r: Doc) => r.name)).toEqual(names);
    const text = JSON.stringify(steps);
    for (const r of names) expect(text).toContain(`$(results.${r}.path)`);
  });

  it('mode defaults to what the Action defaults to, and the Vault login to kubernetes', () => {
    const param = (name: string) => t.spec.params.find((p: Doc) => p.name === name);
    expect(param('mode').default).toBe(OPTIONS.find((o) => o.name === 'mode')!.default);
    expect(param('mode').default).toBe('reconcile');
    expect(param('vault-auth-method').default).toBe('kubernetes');
  });

  it('every step image is referenced by tag and digest', () => {
    for (const s of steps)
      expect(s.image, s.name).toMatch(/^quay\.io\/example\/dtp:0\.1\.0@sha256:[0-9a-f]{64}$/);
  });

  it('every step runs non-root, without privilege escalation, capabilities or an unconfined seccomp profile', () => {
    for (const s of steps) {
      expect(s.securityContext, s.name).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(t.spec.stepTemplate?.securityContext?.privileged).not.toBe(true);
  });

  it('runs `dtp <mode>` in the source workspace, and lets the results step report its failure', () => {
    const dtp = steps[0]!;
    expect(dtp.name).toBe('dtp');
    expect(dtp.workingDir).toBe('$(workspaces.source.path)');
    expect(dtp.script).toMatch(/\nexec dtp "\$\{DTP_MODE\}"\n/);
    expect(dtp.onError).toBe('continue');
    expect(steps[1]!.script).toContain('DTP_EXIT_CODE_FILE');
    expect(steps[1]!.env).toContainEqual({
      name: 'DTP_EXIT_CODE_FILE',
      value: '$(steps.step-dtp.exitCode.path)',
    });
  });

  it('never pastes a param into a script (params reach scripts only through the environment)', () => {
    for (const s of steps) expect(s.script ?? '', s.name).not.toMatch(/\$\(params\./);
  });

  it('sets only DTP_* variables that dtp reads, each from the param of the same name', () => {
    const known = new Set(OPTIONS.map((o) => envName(o.name)));
    const env = steps[0]!.env as { name: string; value: string }[];
    const params = new Set(t.spec.params.map((p: Doc) => p.name));
    for (const e of env.filter((e) => e.name.startsWith('DTP_'))) {
      expect(known.has(e.name), `${e.name} is not a dtp setting (src/options.ts)`).toBe(true);
      const option = OPTIONS.find((o) => envName(o.name) === e.name)!;
      expect(e.value).toBe(`$(params.${option.name})`);
      expect(params.has(option.name)).toBe(true);
    }
    // The GitHub-only settings are deliberately absent; secrets and the JWT file come from the secrets
    // workspace (see the next test); everything else is a param. The task README says so, setting by setting.
    const githubOnly = ['pr-comment', 'github-token', 'vault-jwt-audience'];
    const viaFiles = ['vault-jwt-file', ...OPTIONS.filter((o) => o.secret).map((o) => o.name)];
    const readme = readText('tekton/task/dtp/0.1/README.md');
    const notParams = readme.slice(readme.indexOf('### Settings that are not parameters'));
    for (const o of OPTIONS) {
      if (githubOnly.includes(o.name) || viaFiles.includes(o.name)) {
        expect(notParams, `${o.name}: not a param, so the task README must say why`).toContain(
          `\`${o.name}\``,
        );
        continue;
      }
      expect(
        env.map((e) => e.name),
        o.name,
      ).toContain(envName(o.name));
    }
  });

  it('param defaults agree with dtp (action.yml) except where Tekton differs on purpose', () => {
    const differs: Record<string, string> = { 'vault-auth-method': 'kubernetes' };
    for (const p of t.spec.params as Doc[]) {
      const option = OPTIONS.find((o) => o.name === p.name);
      if (!option) continue;
      expect(p.default, p.name).toBe(differs[p.name] ?? option.default ?? '');
    }
  });

  it('maps the secrets workspace files to the DTP_<NAME>_FILE variables of secret settings', () => {
    const script = steps[0]!.script as string;
    for (const [option, key] of [
      ['vault-token', 'VAULT_TOKEN_KEY'],
      ['vault-secret-id', 'VAULT_SECRET_ID_KEY'],
    ] as const) {
      expect(OPTIONS.find((o) => o.name === option)?.secret, option).toBe(true);
      expect(script).toContain(`export ${envName(option)}_FILE="\${SECRETS_PATH}/\${${key}}"`);
    }
    expect(script).toContain(`export ${envName('vault-jwt-file')}="\${SECRETS_PATH}/\${VAULT_JWT_KEY}"`);
    // Every secret setting (but the GitHub token) is a file of its own name in the secrets workspace.
    const listed = (steps[0]!.env as Doc[]).find((e) => e.name === 'SECRET_SETTINGS')!.value.split(' ');
    expect(listed.sort()).toEqual(
      OPTIONS.filter((o) => o.secret && o.name !== 'github-token')
        .map((o) => o.name)
        .sort(),
    );
  });
});

describe('the dtp-reconcile Pipeline', () => {
  const p = pipeline();

  it('takes its turn first, clones through a resolver, then runs the dtp task on the same workspace', () => {
    const [guard, clone, dtp] = p.spec.tasks as Doc[];
    expect(guard!.taskRef).toEqual({ kind: 'Task', name: 'dtp-one-at-a-time' });
    expect(clone!.runAfter).toEqual([guard!.name]);
    expect(clone!.taskRef.resolver).toMatch(/^(hub|git)$/);
    const ref = Object.fromEntries(clone!.taskRef.params.map((x: Doc) => [x.name, x.value]));
    expect(ref.name ?? ref.pathInRepo).toMatch(/git-clone/);
    expect(clone!.workspaces).toEqual([{ name: 'output', workspace: 'source' }]);
    expect(dtp!.taskRef).toEqual({ kind: 'Task', name: 'dtp' });
    expect(dtp!.runAfter).toEqual([clone!.name]);
    expect(dtp!.workspaces).toContainEqual({ name: 'source', workspace: 'source' });
  });

  it('passes only params the dtp task declares, and every referenced pipeline param exists', () => {
    const taskParams = new Set(task().spec.params.map((x: Doc) => x.name));
    const pipelineParams = new Set(p.spec.params.map((x: Doc) => x.name));
    const dtp = (p.spec.tasks as Doc[]).find((x) => x.name === 'dtp')!;
    for (const param of dtp.params as Doc[]) expect(taskParams.has(param.name), param.name).toBe(true);
    for (const [, name] of JSON.stringify(p.spec.tasks).matchAll(/\$\(params\.([a-z0-9-]+)\)/g)) {
      expect(pipelineParams.has(name), name).toBe(true);
    }
  });

  it('exposes the task results', () => {
    expect(p.spec.results.map((r: Doc) => r.value)).toEqual([
      '$(tasks.dtp.results.changed)',
      '$(tasks.dtp.results.failed)',
      '$(tasks.dtp.results.report-path)',
      '$(tasks.dtp.results.summary-path)',
    ]);
  });

  it('the TriggerTemplate runs this pipeline with only the params it declares', () => {
    const run = pipelineRuns()[0]!;
    expect(run.spec.pipelineRef).toEqual({ name: p.metadata.name });
    const declared = new Set(p.spec.params.map((x: Doc) => x.name));
    for (const param of run.spec.params as Doc[]) expect(declared.has(param.name), param.name).toBe(true);
    for (const required of (p.spec.params as Doc[]).filter((x) => x.default === undefined)) {
      expect(
        run.spec.params.map((x: Doc) => x.name),
        required.name,
      ).toContain(required.name);
    }
    // Only the dtp task runs as the service account Vault trusts; the guard as the one that may list runs.
    expect(run.spec.taskRunSpecs).toEqual([
      { pipelineTaskName: 'one-at-a-time', serviceAccountName: 'dtp-guard' },
      { pipelineTaskName: 'end-of-turn', serviceAccountName: 'dtp-guard' },
      { pipelineTaskName: 'dtp', serviceAccountName: 'dtp' },
    ]);
    expect(loadDocs('tekton/triggers/rbac.yaml').map((d) => `${d.kind}/${d.metadata.name}`)).toContain(
      'ServiceAccount/dtp',
    );
  });
});
