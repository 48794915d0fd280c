/**
 * The dtp Task's two step scripts, run the way Tekton runs them: each script written to a file and executed
 * with the step's environment, after substituting $(params.*), $(workspaces.*), $(results.*.path) and
 * $(steps.step-dtp.exitCode.path); `onError: continue` emulated by recording the exit code. `dtp` on PATH
 * is the committed bundle (dist/cli.js, what the image's `dtp` links to) or a stub that records what it got.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDoc, repoPath, type Doc } from './helpers.js';

const task = loadDoc('tekton/task/dtp/0.1/dtp.yaml');
const work = mkdtempSync(join(tmpdir(), 'dtp-task-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const REAL_DTP = `#!/bin/sh\nexec "${repoPath('node_modules', '.bin', 'node')}" "${repoPath('dist', 'cli.js')}" "$@"\n`;
/** Records its arguments and the DTP_*_FILE variables, then exits with $STUB_EXIT. */
const STUB_DTP = `#!/bin/sh\n{ echo "args=$*"; env | grep '^DTP_.*_FILE=' | sort; } > "$STUB_LOG"\nexit "\${STUB_EXIT:-0}"\n`;

interface TaskRun {
  exitCode: number;
  steps: { name: string; exitCode: number; stdout: string; stderr: string }[];
  results: Record<string, string | undefined>;
  source: string;
  log: string;
}

let runs = 0;

/**
 * Runs the task. `prepare` fills the source workspace (a copy of tenants/ by default); `secrets` binds the
 * secrets workspace with these files. Steps after a failing step without onError: continue are skipped.
 */
function runTask(options: {
  params?: Record<string, string>;
  dtp?: 'real' | 'stub';
  stubExit?: number;
  secrets?: Record<string, string>;
  prepare?: (source: string) => void;
}): TaskRun {
  const root = join(work, `run-${++runs}`);
  const source = join(root, 'workspace', 'source');
  const secrets = join(root, 'workspace', 'secrets');
  const results = join(root, 'tekton', 'results');
  const stepsDir = join(root, 'tekton', 'steps');
  const bin = join(root, 'bin');
  for (const d of [source, results, bin]) mkdirSync(d, { recursive: true });
  if (options.prepare) options.prepare(source);
  else cpSync(repoPath('tenants'), join(source, 'tenants'), { recursive: true });
  if (options.secrets) {
    mkdirSync(secrets, { recursive: true });
    for (const [name, value] of Object.entries(options.secrets)) writeFileSync(join(secrets, name), value);
  }
  writeFileSync(join(bin, 'dtp'), options.dtp === 'stub' ? STUB_DTP : REAL_DTP);
  chmodSync(join(bin, 'dtp'), 0o755);
  const log = join(root, 'stub.log');

  const params: Record<string, string> = Object.fromEntries(
    (task.spec.params as Doc[]).map((p) => [p.name, String(p.default ?? '')]),
  );
  Object.assign(params, options.params);
  const substitute = (text: string) =>
    text
      .replace(/\$\(params\.([a-z0-9-]+)\)/g, (_, name: string) => {
        if (!(name in params)) throw new Error(`unknown param ${name}`);
        return params[name]!;
      })
      .replace(/\$\(workspaces\.source\.path\)/g, source)
      .replace(/\$\(workspaces\.secrets\.path\)/g, options.secrets ? secrets : '')
      .replace(/\$\(workspaces\.secrets\.bound\)/g, options.secrets ? 'true' : 'false')
      .replace(/\$\(results\.([a-z0-9-]+)\.path\)/g, (_, name: string) => join(results, name))
      .replace(/\$\(steps\.step-([a-z0-9-]+)\.exitCode\.path\)/g, (_, name: string) =>
        join(stepsDir, `step-${name}`, 'exitCode'),
      );

  const steps: TaskRun['steps'] = [];
  let exitCode = 0;
  for (const step of task.spec.steps as Doc[]) {
    const script = join(root, `script-${step.name}`);
    writeFileSync(script, substitute(step.script));
    chmodSync(script, 0o755);
    const env: NodeJS.ProcessEnv = {
      PATH: [bin, repoPath('node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
      HOME: root,
      STUB_LOG: log,
      STUB_EXIT: String(options.stubExit ?? 0),
    };
    for (const e of (step.env ?? []) as { name: string; value: string }[]) env[e.name] = substitute(e.value);
    const r = spawnSync(script, [], {
      cwd: substitute(step.workingDir),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const code = r.status ?? 255;
    steps.push({ name: step.name, exitCode: code, stdout: r.stdout, stderr: r.stderr });
    mkdirSync(join(stepsDir, `step-${step.name}`), { recursive: true });
    writeFileSync(join(stepsDir, `step-${step.name}`, 'exitCode'), String(code));
    if (code !== 0 && step.onError !== 'continue') {
      exitCode = code;
      break;
    }
  }
  const resultValues = Object.fromEntries(
    (task.spec.results as Doc[]).map((r) => {
      const path = join(results, r.name);
      return [r.name, existsSync(path) ? readFileSync(path, 'utf8') : undefined];
    }),
  );
  return {
    exitCode,
    steps,
    results: resultValues,
    source,
    log: existsSync(log) ? readFileSync(log, 'utf8') : '',
  };
}

describe('dtp Task steps, emulated', () => {
  it('validate on a valid checkout: task succeeds, results 0/0/empty report (validate writes only a summary)', () => {
    const run = runTask({ params: { mode: 'validate' } });
    expect(run.steps.map((s) => [s.name, s.exitCode])).toEqual([
      ['dtp', 0],
      ['results', 0],
    ]);
    expect(run.steps[0]!.stdout).toContain('configuration valid');
    // validate writes summary.md (no report.json): its path is a result, its text ends the log.
    const summary = join(run.source, 'dtp-report', 'summary.md');
    expect(run.results).toEqual({ changed: '0', failed: '0', 'report-path': '', 'summary-path': summary });
    expect(run.steps.at(-1)!.stdout.trimEnd().endsWith(readFileSync(summary, 'utf8').trimEnd())).toBe(true);
    expect(run.exitCode).toBe(0);
  });

  it('validate on a broken checkout: the results are still written, then the task fails with exit code 2', () => {
    const run = runTask({
      params: { mode: 'validate' },
      prepare: (source) => {
        cpSync(repoPath('tenants'), join(source, 'tenants'), { recursive: true });
        appendFileSync(join(source, 'tenants', 'organizations.yaml'), '\nbogusField: 1\n');
      },
    });
    expect(run.steps.map((s) => [s.name, s.exitCode])).toEqual([
      ['dtp', 2],
      ['results', 2],
    ]);
    expect(run.steps[0]!.stderr).toContain('bogusField');
    // validate writes summary.md (no report.json): its path is a result, its text ends the log.
    const summary = join(run.source, 'dtp-report', 'summary.md');
    expect(run.results).toEqual({ changed: '0', failed: '0', 'report-path': '', 'summary-path': summary });
    expect(run.steps.at(-1)!.stdout.trimEnd().endsWith(readFileSync(summary, 'utf8').trimEnd())).toBe(true);
    expect(run.exitCode).toBe(2);
  });

  it('an unknown mode is refused before dtp runs (a param cannot become a flag such as --help)', () => {
    const run = runTask({ params: { mode: '--help' }, dtp: 'stub' });
    expect(run.steps[0]!.exitCode).toBe(2);
    expect(run.steps[0]!.stderr).toContain('param mode must be validate, plan or reconcile');
    expect(run.log).toBe('');
    expect(run.exitCode).toBe(2);
  });

  it('runs `dtp <mode>` and maps files of the secrets workspace to DTP_<NAME>_FILE', () => {
    const run = runTask({
      params: { mode: 'reconcile', 'vault-token-key': 'token', 'vault-secret-id-key': 'secret-id' },
      secrets: { token: 's.x', 'secret-id': 'y', 'metrics-push-auth': 'Bearer z', unrelated: 'n' },
      dtp: 'stub',
    });
    const secrets = join(run.source, '..', 'secrets');
    expect(run.log.trim().split('\n')).toEqual([
      'args=reconcile',
      'DTP_CA_FILE=',
      'DTP_KUBERNETES_TOKEN_FILE=/var/run/secrets/kubernetes.io/serviceaccount/token',
      // A file named after a secret setting is that setting; other files are ignored.
      `DTP_METRICS_PUSH_AUTH_FILE=${secrets}/metrics-push-auth`,
      'DTP_NOTIFY_STATE_FILE=dtp-state/notify-state.json',
      `DTP_VAULT_SECRET_ID_FILE=${secrets}/secret-id`,
      `DTP_VAULT_TOKEN_FILE=${secrets}/token`,
    ]);
    expect(run.exitCode).toBe(0);
  });

  it('a *-key param without the secrets workspace is an error', () => {
    const run = runTask({ params: { mode: 'plan', 'vault-jwt-key': 'jwt' }, dtp: 'stub' });
    expect(run.steps[0]!.exitCode).toBe(2);
    expect(run.steps[0]!.stderr).toContain('secrets workspace is not bound');
    expect(run.log).toBe('');
  });

  it('results from report.json: plan counts planned clusters; the task fails with dtp’s exit code 1', () => {
    const run = runTask({
      params: { mode: 'plan' },
      dtp: 'stub',
      stubExit: 1,
      prepare: (source) => {
        mkdirSync(join(source, 'dtp-report'), { recursive: true });
        writeFileSync(
          join(source, 'dtp-report', 'report.json'),
          JSON.stringify({ mode: 'plan', exitCode: 1, totals: { planned: 3, changed: 0, failed: 2 } }),
        );
      },
    });
    expect(run.steps.map((s) => [s.name, s.exitCode])).toEqual([
      ['dtp', 1],
      ['results', 1],
    ]);
    expect(run.results).toEqual({
      changed: '3',
      failed: '2',
      'report-path': join(run.source, 'dtp-report', 'report.json'),
      'summary-path': '',
    });
  });

  it('results from report.json: reconcile counts changed clusters, in the report-dir param; the summary ends the log', () => {
    const run = runTask({
      params: { mode: 'reconcile', 'report-dir': 'out/report' },
      dtp: 'stub',
      prepare: (source) => {
        mkdirSync(join(source, 'out', 'report'), { recursive: true });
        writeFileSync(
          join(source, 'out', 'report', 'report.json'),
          JSON.stringify({ mode: 'reconcile', exitCode: 0, totals: { planned: 0, changed: 5, failed: 0 } }),
        );
        writeFileSync(join(source, 'out', 'report', 'summary.md'), '# dtp reconcile\n\n5 changed\n');
      },
    });
    expect(run.exitCode).toBe(0);
    expect(run.results).toEqual({
      changed: '5',
      failed: '0',
      'report-path': join(run.source, 'out', 'report', 'report.json'),
      'summary-path': join(run.source, 'out', 'report', 'summary.md'),
    });
    expect(run.steps.at(-1)!.stdout.trimEnd()).toMatch(/\n# dtp reconcile\n\n5 changed$/);
  });
});
