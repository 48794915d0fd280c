// Mutation testing of dtp's core (issue 14): `npm run mutate`, or one module with
// `npm run mutate -- --mutate src/config/rules/egress.ts`. Scores and surviving mutants: docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.config.ts',
    // The suite runs in forks (vitest.config.ts): tests that spawn processes or change the environment
    // expect a process of their own.
    pool: 'forks',
    // Only the test files that import a mutated file (directly or not) run in the initial test run.
    related: true,
  },
  // Each mutant runs only the tests that executed its code in the initial run.
  coverageAnalysis: 'perTest',
  mutate: [
    'src/reconcile/**/*.ts',
    'src/clients/**/*.ts',
    'src/config/rules/**/*.ts',
    'src/escape.ts',
    'src/egress.ts',
    'src/credentials.ts',
  ],
  // Every test but the slow layers that start dtp (or a pipeline) as a child process: a child never loads the
  // mutated copy, so those tests cannot kill a mutant and would only lengthen the initial test run.
  // (Stryker's testFiles takes no negated patterns, hence the list of folders.)
  testFiles: [
    'test/*.test.ts',
    'test/{clients,config,contract,notify,platform,reconcile,report,sandbox,security,mutation}/**/*.test.ts',
    'test/e2e/{distrust,reconcile}.test.ts',
  ],
  // The results of the last run, so a run only tests mutants in changed code or covered by changed tests.
  // Kept in the repository (docs/testing.md, "Mutation testing"): CI starts from a fresh clone.
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  // A 2-core development machine and CI runner: one test runner per core.
  // Pass `--concurrency 1` while other work runs on the machine.
  concurrency: 2,
  // A slow machine under load must not turn working mutants into timeouts.
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 15,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  // What the sandbox copy of the project does not need.
  ignorePatterns: ['dist', 'reports', 'coverage', 'out', '.dist-check', 'dtp-report', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
};
