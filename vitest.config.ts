import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Tests that change the process around them — module mocks, stubbed environment or globals, nock's
 * interceptors, spies, fake timers, signal handlers, child processes, the working directory — run each file
 * in a fresh process (`isolate`). Every other test file shares worker processes: a fresh process per file
 * costs ~150 ms of start and module loading, and for the ~70 files of pure planning and parsing tests that
 * was most of their time (36 s isolated against 10 s shared, same tests). The split follows the files'
 * contents, so a test that starts touching the process moves to the isolated project by itself.
 */
const TOUCHES_PROCESS =
  /vi\.mock|vi\.doMock|vi\.stubEnv|vi\.stubGlobal|vi\.spyOn|useFakeTimers|process\.env|process\.on\(|process\.chdir|nock|spawn|execFile|fork\(/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const all = testFiles('test');
const shared = all.filter((file) => !TOUCHES_PROCESS.test(readFileSync(file, 'utf8')));

const common = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
  // Forgets registered secret values before each test (test/setup.ts).
  setupFiles: ['test/setup.ts'],
};

export default defineConfig({
  test: {
    ...common,
    include: ['test/**/*.test.ts'],
    // Each project states its files whole: inherited, `include` would be merged with the root's.
    projects: [
      { extends: false, test: { ...common, name: 'shared', include: shared, isolate: false } },
      {
        extends: false,
        test: { ...common, name: 'isolated', include: all.filter((f) => !shared.includes(f)) },
      },
    ],
  },
});
