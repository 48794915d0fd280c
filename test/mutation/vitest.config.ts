/**
 * The suite as Stryker runs it (stryker.config.mjs): vitest.config.ts without the tests that start dtp or a
 * pipeline as a child process. A child never loads the mutated copy, so those tests cannot kill a mutant;
 * they would only lengthen every run. (Stryker's own `testFiles` option is not used: with it, Stryker 10
 * activates module-level mutants after the module has loaded and reports them as survived,
 * stryker-mutator/stryker-js#6144.)
 */
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({
    root: fileURLToPath(new URL('../..', import.meta.url)),
    test: {
      exclude: [...configDefaults.exclude, 'test/pipelines/**', 'test/e2e/signals.test.ts'],
    },
  }),
);
