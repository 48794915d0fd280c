/**
 * The Tekton attacks, checked on the YAML we ship: a request without the webhook signature must start no run
 * (before this change, `X-Dtp-Trigger: schedule` did: fixtures/eventlistener-before.yaml), the listener's
 * account must not read the namespace's Secrets (fixtures/rbac-before.yaml bound Tekton's clusterroles, which
 * grant every Secret), and two reconciles must not run at once — enforced by the dtp-one-at-a-time task (a
 * Lease as the lock), whose script runs here against a loopback Kubernetes API that keeps Leases.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDoc, loadDocs, type Doc } from '../pipelines/helpers.js';

const fixture = (name: string) =>
  loadAll(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as Doc[];

/** Interceptors that authenticate a request with a shared secret (Tekton Triggers' core interceptors). */
const SIGNING = new Set(['github', 'gitlab', 'bitbucket']);

/** Triggers of an EventListener that a request without the secret could fire. */
function unauthenticatedTriggers(el: Doc): string[] {
  return ((el.spec?.triggers ?? []) as Doc[])
    .filter(
      (t) =>
        !((t.interceptors ?? []) as Doc[]).some((ic) => {
          const ref = ((ic.params ?? []) as Doc[]).find((p) => p.name === 'secretRef')?.value;
          return SIGNING.has(ic.ref?.name) && Boolean(ref?.secretName) && Boolean(ref?.secretKey);
        }),
    )
    .map((t) => String(t.name));
}

/** Rules that let a subject read Secrets it is not named for: secrets without resourceNames, or a wildcard. */
function broadSecretReads(docs: Doc[]): string[] {
  const found: string[] = [];
  for (const d of docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')) {
    for (const r of (d.rules ?? []) as Doc[]) {
      const secrets = (r.resources ?? []).some((x: string) => x === 'secrets' || x === '*');
      const reads = (r.verbs ?? []).some((v: string) => ['get', 'list', 'watch', '*'].includes(v));
      if (secrets && reads && !(r.resourceNames?.length > 0)) found.push(`${d.kind}/${d.metadata.name}`);
    }
  }
  // Tekton Triggers' own clusterroles grant get/list/watch on every Secret; binding them is the same hole.
  for (const d of docs.filter((d) => d.kind?.endsWith('Binding')))
    if (d.roleRef?.name === 'tekton-triggers-eventlistener-clusterroles')
      found.push(`${d.kind}/${d.metadata.name}`);
  return found;
}

describe('no unauthenticated path to a run', () => {
  it('every trigger of the EventListener checks a signature with a secret', () => {
    expect(unauthenticatedTriggers(loadDoc('tekton/triggers/eventlistener.yaml'))).toEqual([]);
  });

  it('the listener before this change had one that did not (X-Dtp-Trigger: schedule)', () => {
    expect(unauthenticatedTriggers(fixture('eventlistener-before.yaml')[0]!)).toEqual(['schedule']);
  });

  it('the schedule does not go through the listener: the CronJob creates the PipelineRun as dtp-schedule', () => {
    const [configMap, cron] = loadDocs('tekton/triggers/cronjob.yaml');
    const pod = cron!.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('dtp-schedule');
    expect(JSON.stringify(pod)).not.toMatch(/el-dtp|X-Dtp-Trigger/);
    expect(cron!.spec.concurrencyPolicy).toBe('Forbid');
    expect(configMap!.data['pipelinerun.yaml']).toMatch(/kind: PipelineRun/);
  });
});

describe('least privilege', () => {
  const rbac = () => loadDocs('tekton/triggers/rbac.yaml');
  const rulesOf = (name: string) => rbac().find((d) => d.kind === 'Role' && d.metadata.name === name)!.rules;

  it('no Role grants Secret reads without resourceNames, and Tekton’s secret-reading clusterroles are not bound', () => {
    expect(broadSecretReads(rbac())).toEqual([]);
    expect(broadSecretReads(fixture('rbac-before.yaml'))).toEqual([
      'ClusterRoleBinding/dtp-triggers-eventlistener-clusterroles',
    ]);
  });

  it('the listener may read only its webhook Secret', () => {
    const secretRef = (loadDoc('tekton/triggers/eventlistener.yaml').spec.triggers as Doc[])[0]!
      .interceptors[0].params[0].value.secretName;
    const secretRules = (rulesOf('dtp-triggers-eventlistener') as Doc[]).filter((r) =>
      r.resources.includes('secrets'),
    );
    expect(secretRules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [secretRef], verbs: ['get'] },
    ]);
  });

  it('dtp-schedule may only create PipelineRuns; dtp-guard only the dtp Lease and reading runs; dtp nothing', () => {
    expect(rulesOf('dtp-schedule')).toEqual([
      { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['create'] },
    ]);
    expect(rulesOf('dtp-guard')).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['dtp-reconcile'],
        verbs: ['get', 'delete'],
      },
      { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['get'] },
    ]);
    const bound = rbac()
      .filter((d) => d.kind.endsWith('Binding'))
      .flatMap((d) => d.subjects.map((s: Doc) => s.name));
    expect(bound).not.toContain('dtp');
  });
});

describe('at most one reconcile at a time', () => {
  const PIPELINES = ['tekton/pipeline/dtp-reconcile.yaml', 'tekton/pipeline/dtp-reconcile-sharded.yaml'];

  it('every dtp pipeline starts with the guard, and every other task runs after it', () => {
    for (const path of PIPELINES) {
      const tasks = loadDoc(path).spec.tasks as Doc[];
      const guard = tasks[0]!;
      expect(guard.taskRef, path).toEqual({ kind: 'Task', name: 'dtp-one-at-a-time' });
      expect(guard.params).toEqual([
        { name: 'action', value: 'acquire' },
        { name: 'pipeline-run', value: '$(context.pipelineRun.name)' },
      ]);
      // And the Lease is given back whatever happened.
      const release = (loadDoc(path).spec.finally as Doc[]).find((t) => t.name === 'end-of-turn')!;
      expect(release.taskRef).toEqual(guard.taskRef);
      expect(release.params).toContainEqual({ name: 'action', value: 'release' });
      expect(release.when).toBeUndefined();
      // Transitively after the guard: nothing is cloned or read before this run's turn.
      const after = new Set([guard.name]);
      for (let changed = true; changed;) {
        changed = false;
        for (const t of tasks)
          if (!after.has(t.name) && (t.runAfter ?? []).some((r: string) => after.has(r))) {
            after.add(t.name);
            changed = true;
          }
      }
      expect(
        tasks.map((t) => t.name).filter((n) => !after.has(n)),
        path,
      ).toEqual([]);
    }
  });

  it('the trigger’s and the schedule’s PipelineRuns run the guard as dtp-guard', () => {
    const fromTrigger = loadDoc('tekton/triggers/triggertemplate.yaml').spec.resourcetemplates[0];
    const fromSchedule = loadAll(
      loadDocs('tekton/triggers/cronjob.yaml')[0]!.data['pipelinerun.yaml'],
    )[0] as Doc;
    for (const run of [fromTrigger, fromSchedule])
      expect(run.spec.taskRunSpecs).toContainEqual({
        pipelineTaskName: 'one-at-a-time',
        serviceAccountName: 'dtp-guard',
      });
  });
});

// ---------------------------------------------------------------------------------------------------------
// The scripts, run with node against a loopback Kubernetes API.

interface FakeApi {
  url: string;
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  close: () => Promise<void>;
}

async function fakeApi(
  answer: (n: number, req: IncomingMessage, body: string) => { status: number; body: unknown },
): Promise<FakeApi> {
  const requests: FakeApi['requests'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const a = answer(requests.length, req, body);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function serviceAccountDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtp-sa-'));
  writeFileSync(join(dir, 'namespace'), 'dtp\n');
  writeFileSync(join(dir, 'token'), 'sa-token-value\n');
  return dir;
}

function runNode(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'dtp-script-')), 'script.js');
  writeFileSync(file, script.replace(/^#!.*\n/, ''));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/**
 * A Kubernetes API that keeps Leases the way the API server does: create fails with 409 when the name exists,
 * delete honours uid/resourceVersion preconditions; PipelineRuns are read from `runs`.
 */
function leaseApi(runs: Record<string, 'running' | 'finished'>, status?: number) {
  const leases = new Map<string, Doc>();
  let version = 0;
  const handle = (req: IncomingMessage, body: string): { status: number; body: unknown } => {
    if (status) return { status, body: { kind: 'Status', reason: 'Forbidden' } };
    const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/dtp\/leases(?:\/([^/]+))?$/.exec(req.url!);
    const run = /^\/apis\/tekton\.dev\/v1\/namespaces\/dtp\/pipelineruns\/([^/]+)$/.exec(req.url!);
    if (lease && req.method === 'POST') {
      const doc = JSON.parse(body) as Doc;
      if (leases.has(doc.metadata.name)) return { status: 409, body: { reason: 'AlreadyExists' } };
      doc.metadata = { ...doc.metadata, uid: `uid-${++version}`, resourceVersion: String(version) };
      leases.set(doc.metadata.name, doc);
      return { status: 201, body: doc };
    }
    if (lease?.[1] && req.method === 'GET')
      return leases.has(lease[1]) ? { status: 200, body: leases.get(lease[1]) } : { status: 404, body: {} };
    if (lease?.[1] && req.method === 'DELETE') {
      const current = leases.get(lease[1]);
      if (!current) return { status: 404, body: {} };
      const pre = (JSON.parse(body || '{}') as Doc).preconditions ?? {};
      if (
        (pre.uid && pre.uid !== current.metadata.uid) ||
        (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
      )
        return { status: 409, body: { reason: 'Conflict' } };
      leases.delete(lease[1]);
      return { status: 200, body: {} };
    }
    if (run && req.method === 'GET') {
      const state = runs[run[1]!];
      if (!state) return { status: 404, body: {} };
      const condition = state === 'finished' ? 'True' : 'Unknown';
      return {
        status: 200,
        body: {
          metadata: { name: run[1] },
          status: { conditions: [{ type: 'Succeeded', status: condition }] },
        },
      };
    }
    return { status: 400, body: { reason: `unexpected ${req.method} ${req.url}` } };
  };
  return { leases, handle };
}

describe('the dtp-one-at-a-time script (a Lease as the lock)', () => {
  const task = loadDoc('tekton/task/dtp-one-at-a-time/0.1/dtp-one-at-a-time.yaml');
  const script = task.spec.steps[0].script as string;
  const lease = (action: 'acquire' | 'release', self: string, extra: Record<string, string> = {}) =>
    runNode(script, {
      KUBE_API: api!.url,
      SA_DIR: serviceAccountDir(),
      ACTION: action,
      SELF: self,
      LEASE: 'dtp-reconcile',
      MAX_WAIT: '0',
      POLL_INTERVAL: '0',
      ...extra,
    });
  const start = async (runs: Record<string, 'running' | 'finished'>, status?: number) => {
    const k8s = leaseApi(runs, status);
    api = await fakeApi((_n, req, body) => k8s.handle(req, body));
    return k8s;
  };

  it('takes the free Lease with its own name as holder, asking with its token', async () => {
    const k8s = await start({ 'run-a': 'running' });
    const r = await lease('acquire', 'run-a');
    expect(r.code, r.stderr).toBe(0);
    expect(k8s.leases.get('dtp-reconcile')!.spec.holderIdentity).toBe('run-a');
    expect(api!.requests[0]).toMatchObject({
      method: 'POST',
      path: '/apis/coordination.k8s.io/v1/namespaces/dtp/leases',
    });
    expect(api!.requests[0]!.headers.authorization).toBe('Bearer sa-token-value');
  });

  it('two runs at once: exactly one gets the Lease, the other stops', async () => {
    await start({ 'run-a': 'running', 'run-b': 'running' });
    const results = await Promise.all([lease('acquire', 'run-a'), lease('acquire', 'run-b')]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    expect(results.find((r) => r.code === 1)!.stderr).toMatch(
      /run-[ab] holds the Lease dtp-reconcile and has not finished/,
    );
  });

  it('waits while the holder runs, and goes ahead once it gave the Lease back', async () => {
    const k8s = await start({ 'run-a': 'running', 'run-b': 'running' });
    expect((await lease('acquire', 'run-a')).code).toBe(0);
    const waiting = lease('acquire', 'run-b', { MAX_WAIT: '600' });
    // The holder gives the Lease back once run-b has looked at it at least once: the request log decides.
    let settled = false;
    void waiting.then(() => (settled = true));
    const looked = () =>
      api!.requests.some((q) => q.method === 'GET' && q.path.endsWith('/pipelineruns/run-a'));
    while (!settled && !looked()) await new Promise((resolve) => setImmediate(resolve));
    expect((await lease('release', 'run-a')).code).toBe(0);
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('waiting for run-a to finish');
    expect(k8s.leases.get('dtp-reconcile')!.spec.holderIdentity).toBe('run-b');
  });

  it('takes over a Lease whose holder finished (or was deleted) without giving it back', async () => {
    const k8s = await start({ 'run-a': 'finished', 'run-b': 'running' });
    expect((await lease('acquire', 'run-a')).code).toBe(0);
    const r = await lease('acquire', 'run-b');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('run-a finished without giving the Lease back; taking it over');
    expect(k8s.leases.get('dtp-reconcile')!.spec.holderIdentity).toBe('run-b');
    const del = api!.requests.find((q) => q.method === 'DELETE')!;
    expect(JSON.parse(del.body)).toEqual({ preconditions: { uid: 'uid-1', resourceVersion: '1' } });
  });

  it('release gives back only its own Lease', async () => {
    const k8s = await start({ 'run-a': 'running' });
    expect((await lease('acquire', 'run-a')).code).toBe(0);
    const other = await lease('release', 'run-b');
    expect(other.code).toBe(0);
    expect(k8s.leases.get('dtp-reconcile')!.spec.holderIdentity).toBe('run-a');
    expect((await lease('release', 'run-a')).code).toBe(0);
    expect(k8s.leases.size).toBe(0);
  });

  it('fails closed when the account may not handle Leases (not running as dtp-guard)', async () => {
    await start({}, 403);
    const r = await lease('acquire', 'run-a');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('creating the Lease answered HTTP 403 (the task must run as dtp-guard)');
  });
});

describe('the CronJob script', () => {
  const [configMap, cron] = loadDocs('tekton/triggers/cronjob.yaml');
  const container = cron!.spec.jobTemplate.spec.template.spec.containers[0];

  it('POSTs the ConfigMap’s PipelineRun to the Tekton API with the pod’s token', async () => {
    api = await fakeApi(() => ({ status: 201, body: { metadata: { name: 'dtp-reconcile-schedule-x1' } } }));
    const dir = mkdtempSync(join(tmpdir(), 'dtp-cm-'));
    writeFileSync(join(dir, 'pipelinerun.yaml'), configMap!.data['pipelinerun.yaml']);
    expect(container.command.slice(0, 2)).toEqual(['node', '-e']);
    const r = await runNode(container.command[2], {
      KUBE_API: api.url,
      SA_DIR: serviceAccountDir(),
      PIPELINERUN_FILE: join(dir, 'pipelinerun.yaml'),
    });
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('created PipelineRun dtp-reconcile-schedule-x1');
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/apis/tekton.dev/v1/namespaces/dtp/pipelineruns' });
    expect(req!.headers).toMatchObject({
      authorization: 'Bearer sa-token-value',
      'content-type': 'application/yaml',
    });
    expect(req!.body).toBe(configMap!.data['pipelinerun.yaml']);
    expect(container.volumeMounts).toContainEqual({
      name: 'pipelinerun',
      mountPath: '/etc/dtp',
      readOnly: true,
    });
  });

  it('a refused create fails the Job (so the CronJob shows it)', async () => {
    api = await fakeApi(() => ({ status: 403, body: { reason: 'Forbidden' } }));
    const dir = mkdtempSync(join(tmpdir(), 'dtp-cm-'));
    writeFileSync(join(dir, 'pipelinerun.yaml'), configMap!.data['pipelinerun.yaml']);
    const r = await runNode(container.command[2], {
      KUBE_API: api.url,
      SA_DIR: serviceAccountDir(),
      PIPELINERUN_FILE: join(dir, 'pipelinerun.yaml'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('creating the PipelineRun answered HTTP 403');
  });

  it('creates the same PipelineRun as the push trigger (defaults filled in), for main', () => {
    const tt = loadDoc('tekton/triggers/triggertemplate.yaml');
    const defaults = Object.fromEntries((tt.spec.params as Doc[]).map((p) => [p.name, p.default]));
    const expected = JSON.parse(
      JSON.stringify(tt.spec.resourcetemplates[0]).replace(
        /\$\(tt\.params\.([a-z-]+)\)/g,
        (_, n: string) => defaults[n],
      ),
    );
    const scheduled = loadAll(configMap!.data['pipelinerun.yaml'])[0] as Doc;
    expect(scheduled.spec).toEqual(expected.spec);
    expect(scheduled.spec.params).toContainEqual({ name: 'revision', value: 'main' });
  });
});
