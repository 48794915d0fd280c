// Mutation testing of dtp's core (issue 14): `npm run mutate`, or one module with
// `npm run mutate -- --mutate src/config/rules/egress.ts`. Scores and surviving mutants: docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: {
    // vitest.config.ts without the tests that run dtp as a child process (they cannot kill a mutant).
    configFile: 'test/mutation/vitest.config.ts',
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
  // The results of the last run, so the next one tests only mutants in changed code or covered by changed
  // tests. Not committed (reports/ is ignored): it holds every source and test name, runs to megabytes and
  // changes with every run; CI does not run Stryker (docs/testing.md says why).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
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
