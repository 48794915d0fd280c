/**
 * The suite as Stryker runs it (stryker.config.mjs): the unit-level test folders only.
 *
 * Every safety rule of the core is pinned by a fast test that names the rule (test/mutation/,
 * test/reconcile/, test/clients/, test/config/, test/security/). The end-to-end tests (test/e2e/,
 * test/sandbox/, test/notify/, test/report/, test/platform/, test/pipelines/) also run the core, but each
 * takes seconds against the loopback simulators: run for every mutant they cover they would turn a full
 * `npm run mutate` into hours, and a mutant that only they notice is a rule without a test of its own.
 * Tests that start dtp as a child process never load the mutated copy and could not kill a mutant anyway.
 *
 * (Stryker's own `testFiles` option is not used: with it, Stryker 10 activates module-level mutants after
 * the module has loaded and reports them as survived, stryker-mutator/stryker-js#6144.)
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';

export const unitFolders = [
  'test/mutation',
  'test/reconcile',
  'test/clients',
  'test/config',
  'test/security',
];

const config = mergeConfig(base, defineConfig({ root: fileURLToPath(new URL('../..', import.meta.url)) }));
// Set, not merged: mergeConfig would append to the base `include` instead of replacing it. Without the
// base's projects (shared and isolated workers): Stryker runs every file in a process of its own.
const { projects: _projects, ...test } = config.test ?? {};
config.test = { ...test, include: unitFolders.map((folder) => `${folder}/**/*.test.ts`) };

export default config;
