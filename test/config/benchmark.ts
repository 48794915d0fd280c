/**
 * Times `loadConfig` on the shipped tenants/, on a generated fleet-sized folder and on the hostile inputs of
 * hostile-input.test.ts (a billion-laughs file, a flood of broken references). Timings live here, not in the
 * tests: a test asserts what the bound does, this shows what it costs on this machine.
 * Run: npx tsx test/config/benchmark.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { writeLargeConfig } from './large-config.js';

async function time(label: string, dir: string, runs = 5): Promise<void> {
  const first = performance.now();
  let result = await loadConfig(dir);
  const cold = performance.now() - first;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await loadConfig(dir);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  console.log(
    `${label}: ${result.files.length} files, first run ${cold.toFixed(0)} ms (schema compile included), median of ${runs} ${samples[runs >> 1]!.toFixed(0)} ms; ${errors} errors, ${result.diagnostics.length - errors} warnings`,
  );
}

await time('shipped tenants/', 'tenants');
const large = writeLargeConfig();
console.log(`generated: ${large.files} files, ${large.documents} documents in ${large.dir}`);
await time('generated', large.dir);
rmSync(large.dir, { recursive: true, force: true });

// 10^9 values if its aliases were expanded; the loader stops at maxExpandedNodes.
const bomb = mkdtempSync(join(tmpdir(), 'dtp-bomb-'));
const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
for (let i = 1; i < 9; i++)
  levels.push(
    `l${i}: &l${i} [${Array(10)
      .fill(i === 1 ? '*a' : `*l${i - 1}`)
      .join(', ')}]`,
  );
writeFileSync(join(bomb, 'bomb.yaml'), `${levels.join('\n')}\n`);
await time('billion laughs', bomb);
rmSync(bomb, { recursive: true, force: true });

// Every organization reference broken: thousands of "did you mean" searches until the suggestion budget ends.
const flood = writeLargeConfig(50, 50, 100);
for (const file of readdirSync(flood.dir)) {
  const path = join(flood.dir, file);
  writeFileSync(path, readFileSync(path, 'utf8').replace(/organizationId: org/g, 'organizationId: Org'));
}
await time('broken-reference flood', flood.dir);
rmSync(flood.dir, { recursive: true, force: true });
