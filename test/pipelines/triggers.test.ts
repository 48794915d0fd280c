/**
 * Tekton Triggers and the CronJob publish no usable JSON Schema, so their essential structure is checked by
 * hand; the CEL filters are evaluated (with a CEL implementation) against sample GitHub push payloads.
 */
import { Environment } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { clone, loadDoc, loadDocs, type Doc } from './helpers.js';

const LISTENER = 'tekton/triggers/eventlistener.yaml';
const listener = () => loadDoc(LISTENER);
const bindings = () => loadDocs('tekton/triggers/triggerbinding.yaml');
const template = () => loadDoc('tekton/triggers/triggertemplate.yaml');
const cronjob = () => loadDocs('tekton/triggers/cronjob.yaml').find((d) => d.kind === 'CronJob')!;
const rbac = () => loadDocs('tekton/triggers/rbac.yaml');

const TRIGGERS_API = 'triggers.tekton.dev/v1beta1';

/** Hand-written structural check of an EventListener (what Triggers' webhook would reject, and our policy). */
function checkEventListener(el: Doc): string[] {
  const problems: string[] = [];
  if (el.apiVersion !== TRIGGERS_API) problems.push(`apiVersion: ${el.apiVersion}`);
  if (el.kind !== 'EventListener') problems.push(`kind: ${el.kind}`);
  if (typeof el.spec?.serviceAccountName !== 'string') problems.push('spec.serviceAccountName: missing');
  const allowedTrigger = new Set(['name', 'interceptors', 'bindings', 'template']);
  for (const [i, t] of ((el.spec?.triggers ?? []) as Doc[]).entries()) {
    for (const key of Object.keys(t))
      if (!allowedTrigger.has(key)) problems.push(`triggers[${i}].${key}: unknown field`);
    if (typeof t.name !== 'string') problems.push(`triggers[${i}].name: must be a string`);
    if (!Array.isArray(t.interceptors) || t.interceptors.length === 0)
      problems.push(`triggers[${i}].interceptors: every trigger must filter`);
    for (const [j, ic] of ((t.interceptors ?? []) as Doc[]).entries()) {
      if (typeof ic.ref?.name !== 'string')
        problems.push(`triggers[${i}].interceptors[${j}].ref.name: missing`);
      if (!Array.isArray(ic.params))
        problems.push(`triggers[${i}].interceptors[${j}].params: must be a list`);
    }
    if (!Array.isArray(t.bindings)) problems.push(`triggers[${i}].bindings: must be a list`);
    if (typeof t.template?.ref !== 'string') problems.push(`triggers[${i}].template.ref: must be a string`);
  }
  return problems;
}

const param = (ic: Doc, name: string) => (ic.params as Doc[]).find((p) => p.name === name)?.value;
const trigger = (el: Doc, name: string) => (el.spec.triggers as Doc[]).find((t) => t.name === name)!;

/** CEL as Tekton's cel interceptor sees it: `body`, `header` (canonical names, lists of values), header.match. */
function cel(expression: string, body: unknown, headers: Record<string, string> = {}): unknown {
  const env = new Environment({ unlistedVariablesAreDyn: true });
  env.registerFunction({
    name: 'match',
    receiverType: 'map',
    returnType: 'bool',
    params: [
      { name: 'name', type: 'string' },
      { name: 'value', type: 'string' },
    ],
    handler: (h: Map<string, string[]> | Record<string, string[]>, name: string, value: string) => {
      const entries = h instanceof Map ? [...h.entries()] : Object.entries(h);
      const found = entries.find(([k]) => k.toLowerCase() === name.toLowerCase());
      return found !== undefined && found[1][0] === value;
    },
  });
  const header = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  return env.evaluate(expression, { body, header });
}

const push = (ref: string, commits: { added?: string[]; modified?: string[]; removed?: string[] }[]) => ({
  ref,
  deleted: false,
  after: 'f'.repeat(40),
  commits: commits.map((c) => ({
    added: c.added ?? [],
    modified: c.modified ?? [],
    removed: c.removed ?? [],
  })),
});

describe('EventListener', () => {
  it('has the structure Tekton Triggers expects', () => {
    expect(checkEventListener(listener())).toEqual([]);
  });

  it('a broken copy is rejected, naming the field', () => {
    const el = clone(listener());
    el.spec.triggers[0].templat = el.spec.triggers[0].template;
    delete el.spec.triggers[0].template;
    el.spec.triggers[0].interceptors[1].params = 'filter';
    const problems = checkEventListener(el).join('\n');
    expect(problems).toContain('triggers[0].templat: unknown field');
    expect(problems).toContain('triggers[0].template.ref: must be a string');
    expect(problems).toContain('triggers[0].interceptors[1].params: must be a list');
  });

  it('push trigger: GitHub interceptor with a secretRef for push events, then a CEL filter on tenants/', () => {
    const t = trigger(listener(), 'github-push');
    const [github, celInterceptor] = t.interceptors as Doc[];
    expect(github!.ref).toEqual({ name: 'github', kind: 'ClusterInterceptor' });
    expect(param(github!, 'secretRef')).toEqual({
      secretName: expect.any(String),
      secretKey: expect.any(String),
    });
    expect(param(github!, 'eventTypes')).toEqual(['push']);
    expect(celInterceptor!.ref.name).toBe('cel');
    const filter = param(celInterceptor!, 'filter') as string;
    expect(filter).toContain("'tenants/'");
    expect(filter).toContain("'refs/heads/main'");
    expect(t.bindings).toEqual([{ ref: 'dtp-github-push' }]);
    expect(t.template).toEqual({ ref: template().metadata.name });
  });

  it('push filter fires only for pushes to main that add, modify or remove something under tenants/', () => {
    const filter = param(trigger(listener(), 'github-push').interceptors[1], 'filter') as string;
    const main = 'refs/heads/main';
    expect(cel(filter, push(main, [{ modified: ['tenants/tenant-a.yaml'] }]))).toBe(true);
    expect(cel(filter, push(main, [{ added: ['tenants/new.yaml'] }]))).toBe(true);
    expect(cel(filter, push(main, [{ modified: ['README.md'] }, { removed: ['tenants/old.yaml'] }]))).toBe(
      true,
    );
    expect(cel(filter, push(main, [{ modified: ['src/run.ts', 'docs/tenants/x.md'] }]))).toBe(false);
    expect(cel(filter, push(main, [{ modified: ['tenants.yaml'] }]))).toBe(false);
    expect(cel(filter, push(main, []))).toBe(false);
    expect(cel(filter, push('refs/heads/feature', [{ modified: ['tenants/a.yaml'] }]))).toBe(false);
    expect(cel(filter, push('refs/tags/main', [{ modified: ['tenants/a.yaml'] }]))).toBe(false);
    expect(cel(filter, { ...push(main, [{ removed: ['tenants/a.yaml'] }]), deleted: true })).toBe(false);
  });

  it('has the push trigger only: the schedule creates its PipelineRun without the listener', () => {
    expect((listener().spec.triggers as Doc[]).map((t) => t.name)).toEqual(['github-push']);
  });

  it('runs as a service account bound to its own least-privilege roles (test/security/tekton.test.ts)', () => {
    const sa = listener().spec.serviceAccountName;
    const docs = rbac();
    expect(docs).toContainEqual(
      expect.objectContaining({ kind: 'ServiceAccount', metadata: expect.objectContaining({ name: sa }) }),
    );
    const roles = docs
      .filter((d) => d.kind.endsWith('Binding') && d.subjects.some((s: Doc) => s.name === sa))
      .map((d) => `${d.roleRef.kind}/${d.roleRef.name}`);
    expect(roles.sort()).toEqual([
      'ClusterRole/dtp-triggers-eventlistener-cluster',
      'Role/dtp-triggers-eventlistener',
    ]);
    // Every roleRef names a role defined here, of the kind it says.
    for (const b of docs.filter((d) => d.kind.endsWith('Binding')))
      expect(
        docs.some((d) => d.kind === b.roleRef.kind && d.metadata.name === b.roleRef.name),
        b.metadata.name,
      ).toBe(true);
  });
});

describe('TriggerBindings and TriggerTemplate', () => {
  it('bindings provide exactly the params the template declares; only the commit comes from the body', () => {
    const declared = new Set(template().spec.params.map((p: Doc) => p.name));
    const names = bindings().map((b) => b.metadata.name);
    expect(names.sort()).toEqual(['dtp-github-push']);
    for (const b of bindings()) {
      expect(b.apiVersion).toBe(TRIGGERS_API);
      expect(b.kind).toBe('TriggerBinding');
      for (const p of b.spec.params as Doc[]) {
        expect(declared.has(p.name), `${b.metadata.name}: ${p.name}`).toBe(true);
        // The repository is fixed in the template: a request can choose the commit, never the repository.
        expect(p.value).not.toMatch(/repository|clone_url/);
      }
    }
    const push = bindings().find((b) => b.metadata.name === 'dtp-github-push')!;
    expect(push.spec.params).toEqual([{ name: 'revision', value: '$(body.after)' }]);
  });

  it('the template only uses params it declares, and creates a PipelineRun', () => {
    const tt = template();
    expect(tt.apiVersion).toBe(TRIGGERS_API);
    expect(tt.kind).toBe('TriggerTemplate');
    const declared = new Set(tt.spec.params.map((p: Doc) => p.name));
    const used = [
      ...JSON.stringify(tt.spec.resourcetemplates).matchAll(/\$\(tt\.params\.([a-z0-9-]+)\)/g),
    ].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(declared.has(name!), name).toBe(true);
    for (const r of tt.spec.resourcetemplates as Doc[]) {
      expect(r.apiVersion).toBe('tekton.dev/v1');
      expect(r.kind).toBe('PipelineRun');
      expect(r.metadata.generateName).toMatch(/-$/);
      expect(r.metadata.name).toBeUndefined();
    }
  });
});

describe('CronJob', () => {
  /** A valid standard 5-field schedule: each field a *, number, range, list or step within its bounds. */
  function checkSchedule(schedule: string): string[] {
    const fields = schedule.trim().split(/\s+/);
    if (fields.length !== 5) return [`schedule: ${fields.length} fields, expected 5`];
    const bounds = [
      [0, 59],
      [0, 23],
      [1, 31],
      [1, 12],
      [0, 7],
    ] as const;
    const problems: string[] = [];
    fields.forEach((field, i) => {
      const [lo, hi] = bounds[i]!;
      for (const part of field.split(',')) {
        const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
        const nums = m ? [m[2], m[3]].filter((x) => x !== undefined).map(Number) : [];
        if (!m || nums.some((n) => n < lo || n > hi) || (m[4] !== undefined && Number(m[4]) < 1))
          problems.push(`schedule field ${i + 1} "${part}" is not valid`);
      }
    });
    return problems;
  }

  it('is a batch/v1 CronJob with a valid 5-field schedule, not at minute 0 or 30', () => {
    const cj = cronjob();
    expect(cj.apiVersion).toBe('batch/v1');
    expect(cj.kind).toBe('CronJob');
    expect(checkSchedule(cj.spec.schedule)).toEqual([]);
    expect(['0', '30', '*']).not.toContain(cj.spec.schedule.split(/\s+/)[0]);
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    expect(checkSchedule('17 */2 * *')).toEqual(['schedule: 4 fields, expected 5']);
    expect(checkSchedule('61 */2 * * *')).toEqual(['schedule field 1 "61" is not valid']);
  });

  it('creates the PipelineRun with the dtp image, as non-root, with nothing it does not need', () => {
    const pod = cronjob().spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('dtp-schedule');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.image).toMatch(/^quay\.io\/example\/dtp:[^@]+@sha256:[0-9a-f]{64}$/);
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.volumes).toEqual([{ name: 'pipelinerun', configMap: { name: 'dtp-schedule' } }]);
  });
});
