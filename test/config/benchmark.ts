/**
 * Times `loadConfig` on the shipped tenants/ and on a generated fleet-sized folder.
 * Run: npx tsx test/config/benchmark.ts
 */
import { rmSync } from 'node:fs';
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
