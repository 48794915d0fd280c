/** A fleet-sized configuration loads correctly and far within a CI step's patience. */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { writeLargeConfig } from './large-config.js';

describe('a configuration of 500 files and 5,000 documents', () => {
  const large = writeLargeConfig();
  afterAll(() => rmSync(large.dir, { recursive: true, force: true }));

  it('loads without a problem, every document in the model', async () => {
    expect(large.files).toBe(500);
    expect(large.documents).toBeGreaterThanOrEqual(4990);
    const started = performance.now();
    const result = await loadConfig(large.dir);
    const elapsed = performance.now() - started;
    expect(result.diagnostics).toEqual([]);
    const config = result.config!;
    expect(
      config.tenants.size + config.tokenSpecs.size + config.organizations.size + config.ocmEnvironments.size,
    ).toBe(large.documents);
    // Measured at well under a second; the bound only catches accidental quadratic work, not machine noise.
    expect(elapsed).toBeLessThan(10_000);
  });
});
