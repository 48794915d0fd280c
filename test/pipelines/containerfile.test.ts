/**
 * The Containerfile (no container engine here, so: its instructions, checked statically) and what the image
 * holds: a copy of exactly the files it copies runs `dtp validate` through a `dtp` symlink, as the Tekton
 * task does, with no node_modules at all (the bundle embeds its dependencies, the JSON Schemas and the version).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDoc, readText, repoPath } from './helpers.js';

const text = readText('Containerfile');
/** Instructions with continuation lines joined and comments dropped. */
const instructions = text
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.filter((l) => l.startsWith('FROM '));
const finalStage = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

const work = mkdtempSync(join(tmpdir(), 'dtp-image-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Containerfile', () => {
  it('is one stage on Node 24 that installs nothing: the image is Node and the bundle', () => {
    const base = /^ARG NODE_IMAGE=(.+)$/m.exec(text)?.[1];
    expect(base).toMatch(
      /^(docker\.io\/library\/node:24-slim|registry\.access\.redhat\.com\/ubi9\/nodejs-24)/,
    );
    for (const s of stages) expect(s).toMatch(/^FROM \$\{NODE_IMAGE\}/);
    expect(instructions.filter((l) => /\b(npm|yarn|pnpm)\b/.test(l))).toEqual([]);
  });

  it('the final stage copies only dist/ — no node_modules, no package files', () => {
    const copies = finalStage.filter((l) => l.startsWith('COPY ') || l.startsWith('ADD '));
    expect(copies).toEqual(['COPY dist ./dist']);
    expect(finalStage.join('\n')).not.toMatch(/node_modules/);
  });

  it('runs as a numeric non-root user, with `node /app/dist/cli.js` as entrypoint and `dtp` on PATH', () => {
    const user = finalStage.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toMatch(/^USER [1-9]\d*(:\d+)?$/); // numeric: kubelet can check runAsNonRoot
    expect(finalStage.at(-2)).toBe('ENTRYPOINT ["node", "/app/dist/cli.js"]');
    expect(finalStage.some((l) => l.includes('ln -s /app/dist/cli.js /usr/local/bin/dtp'))).toBe(true);
    // The uid that the Tekton pipeline's fsGroup and git-clone use, so the report can be written.
    const fsGroup = loadDoc('tekton/triggers/triggertemplate.yaml').spec.resourcetemplates[0].spec
      .taskRunTemplate.podTemplate.securityContext.fsGroup;
    expect(user).toBe(`USER ${fsGroup}:0`);
  });

  it('.containerignore lets in every file the Containerfile copies, and nothing else', () => {
    const ignore = readText('.containerignore')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(ignore.slice(1)).toEqual(['!dist/']);
  });

  it('dist/cli.js runs from a copy of only the copied files, through a `dtp` symlink', () => {
    const app = join(work, 'app');
    mkdirSync(app);
    cpSync(repoPath('dist'), join(app, 'dist'), { recursive: true });
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(join(app, 'dist', 'cli.js'), join(bin, 'dtp'));
    const workspace = join(work, 'workspace');
    cpSync(repoPath('tenants'), join(workspace, 'tenants'), { recursive: true });
    const env = {
      PATH: [bin, repoPath('node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
      HOME: work,
    };
    const r = spawnSync('dtp', ['validate'], { cwd: workspace, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('configuration valid');
  });
});
