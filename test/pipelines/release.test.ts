/**
 * The release, offline: the workflow's steps in their order, the digest writer run on a copy of tekton/, the
 * committed placeholder it replaces, the Tekton catalog files (the guard task, samples/, tests/) against the
 * v1 schemas, and LICENSE / CHANGELOG.md.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDoc, loadDocs, readText, repoPath, validateTekton, type Doc } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'dtp-release-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PLACEHOLDER = /@sha256:0{64}$/;
/** The files whose dtp image the release pins (tekton/release/pin-image.sh). */
const PINNED = [
  'tekton/task/dtp/0.1/dtp.yaml',
  'tekton/task/dtp-one-at-a-time/0.1/dtp-one-at-a-time.yaml',
  'tekton/pipeline/dtp-reconcile-sharded.yaml',
  'tekton/triggers/cronjob.yaml',
];
const dtpImages = (text: string) => [...text.matchAll(/^\s*image:\s*(\S*\/dtp:\S+)\s*$/gm)].map((m) => m[1]!);

describe('release.yml', () => {
  const wf = load(readText('.github/workflows/release.yml')) as Doc;
  const job = wf.jobs.release as Doc;
  const steps = job.steps as Doc[];
  const index = (pattern: RegExp) => steps.findIndex((s) => pattern.test(`${s.name ?? ''}\n${s.run ?? ''}`));

  it('runs on vX.Y.Z tags only, one at a time, with contents: write and nothing else', () => {
    expect(wf.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(wf.concurrency).toEqual({ group: 'dtp-release', 'cancel-in-progress': false });
    expect(wf.permissions).toEqual({});
    expect(job.permissions).toEqual({ contents: 'write' });
  });

  it('checks, builds, pushes, pins the digest, moves the major tag, then releases — in that order', () => {
    const order = [
      index(/package\.json.*\n?[\s\S]*CHANGELOG\.md/),
      index(/npm run check:dist/),
      index(/podman build .*--platform linux\/amd64,linux\/arm64[\s\S]*-f Containerfile/),
      index(/podman manifest push --all --digestfile digest/),
      index(/tekton\/release\/pin-image\.sh "\$IMAGE:\$\{TAG#v\}@\$\(cat digest\)"/),
      index(/git\/refs\/tags\/\$major/),
      index(/gh release create "\$TAG" --verify-tag/),
    ];
    expect(
      order.every((i) => i >= 0),
      JSON.stringify(order),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('attaches every file whose image it pinned, and the registry password never reaches a command line', () => {
    const release = steps.at(-1)!.run as string;
    for (const f of PINNED) expect(release).toContain(f);
    const push = steps.find((s) => /podman login/.test(s.run ?? ''))!;
    expect(push.run).toContain('--password-stdin');
    expect(push.run).not.toMatch(/--password[ =]/);
  });
});

describe('tekton/release/pin-image.sh', () => {
  const DIGEST = `sha256:${'ab12'.repeat(16)}`;
  const copy = () => {
    const dir = join(work, `tekton-${Math.random().toString(36).slice(2)}`);
    cpSync(repoPath('tekton'), dir, { recursive: true });
    return dir;
  };
  const pin = (ref: string, dir: string) =>
    spawnSync('bash', [repoPath('tekton/release/pin-image.sh'), ref, dir], { encoding: 'utf8' });

  it('the committed files hold the placeholder digest, which only a release replaces', () => {
    for (const f of PINNED) {
      const images = dtpImages(readText(f));
      expect(images.length, f).toBeGreaterThan(0);
      for (const image of images) expect(image, f).toMatch(PLACEHOLDER);
    }
  });

  it('writes the pushed image into every dtp image of those files; they stay valid YAML', () => {
    const dir = copy();
    const ref = `quay.io/example/dtp:1.2.3@${DIGEST}`;
    const r = pin(ref, dir);
    expect(r.status, r.stderr).toBe(0);
    for (const f of PINNED) {
      const text = readFileSync(join(dir, f.replace(/^tekton\//, '')), 'utf8');
      expect(
        dtpImages(text).every((i) => i === ref),
        f,
      ).toBe(true);
      expect(text).not.toMatch(/sha256:0{64}/);
      expect(() => loadAll(text)).not.toThrow();
    }
  });

  it('refuses a reference without a digest, changing nothing', () => {
    const dir = copy();
    const r = pin('quay.io/example/dtp:1.2.3', dir);
    expect(r.status).toBe(2);
    expect(readFileSync(join(dir, 'task/dtp/0.1/dtp.yaml'), 'utf8')).toBe(readText(PINNED[0]!));
  });
});

describe('Tekton catalog layout', () => {
  it('the dtp-one-at-a-time Task is valid and follows the catalog conventions', () => {
    const t = loadDoc('tekton/task/dtp-one-at-a-time/0.1/dtp-one-at-a-time.yaml');
    expect(validateTekton(t)).toEqual([]);
    expect(t.metadata.labels['app.kubernetes.io/version']).toBe('0.1');
    for (const p of t.spec.params) expect(p.description, p.name).toBeTruthy();
    expect(t.spec.steps[0].script).not.toMatch(/\$\(params\./);
  });

  it('samples/ and tests/ of the dtp task are valid Tekton objects that use the task as declared', () => {
    const declared = new Set(loadDoc('tekton/task/dtp/0.1/dtp.yaml').spec.params.map((p: Doc) => p.name));
    const taskRun = loadDoc('tekton/task/dtp/0.1/samples/plan-taskrun.yaml');
    expect(taskRun).toMatchObject({
      apiVersion: 'tekton.dev/v1',
      kind: 'TaskRun',
      spec: { taskRef: { name: 'dtp' } },
    });
    for (const p of taskRun.spec.params as Doc[]) expect(declared.has(p.name), p.name).toBe(true);
    const run = loadDoc('tekton/task/dtp/0.1/samples/reconcile-pipelinerun.yaml');
    expect(validateTekton(run)).toEqual([]);
    const [pipeline, testRun] = loadDocs('tekton/task/dtp/0.1/tests/run.yaml');
    expect(validateTekton(pipeline!)).toEqual([]);
    expect(validateTekton(testRun!)).toEqual([]);
    expect(pipeline!.spec.tasks[1]).toMatchObject({
      taskRef: { name: 'dtp' },
      params: [{ name: 'mode', value: 'validate' }],
    });
  });

  it('the catalog test writes a configuration that dtp validates', () => {
    const [pipeline] = loadDocs('tekton/task/dtp/0.1/tests/run.yaml');
    const dir = join(work, 'catalog-test');
    const script = pipeline!.spec.tasks[0].taskSpec.steps[0].script as string;
    mkdirSync(dir, { recursive: true });
    const write = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
    expect(write.status, write.stderr).toBe(0);
    const validate = spawnSync(
      repoPath('node_modules', '.bin', 'node'),
      [repoPath('dist', 'cli.js'), 'validate'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir },
      },
    );
    expect(validate.status, `${validate.stdout}\n${validate.stderr}`).toBe(0);
  });
});

describe('LICENSE and CHANGELOG.md', () => {
  it('LICENSE is the Apache License 2.0', () => {
    const text = readText('LICENSE');
    expect(text).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004/);
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });

  it('CHANGELOG.md follows keep-a-changelog and has a section for the version in package.json', () => {
    const text = readText('CHANGELOG.md');
    const version = (JSON.parse(readText('package.json')) as { version: string }).version;
    expect(text).toMatch(/^# Changelog\n/);
    expect(text).toContain('## [Unreleased]');
    expect(text).toContain(`## [${version}]`);
    expect(text).toMatch(new RegExp(`^\\[${version.replace(/\./g, '\\.')}\\]: https://`, 'm'));
    for (const heading of text.matchAll(/^### (.*)$/gm))
      expect(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security']).toContain(heading[1]);
  });
});
