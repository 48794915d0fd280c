/** A fleet-sized configuration loads correctly; how long it takes is measured by test/config/benchmark.ts. */
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
    const result = await loadConfig(large.dir);
    expect(result.diagnostics).toEqual([]);
    const config = result.config!;
    expect(
      config.tenants.size + config.tokenSpecs.size + config.organizations.size + config.ocmEnvironments.size,
    ).toBe(large.documents);
  });
});
