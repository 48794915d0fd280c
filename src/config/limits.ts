/**
 * Bounds on what the loader reads. The configuration comes from pull requests, so it is treated as hostile
 * input: each bound is far above any real configuration and far below what would stall a CI job.
 */
export interface LoadLimits {
  /** Bytes per file. The largest real file is a few KiB; 1 MiB keeps one file from eating the run. */
  maxFileBytes: number;
  /** Files per folder. 500 tenants in one file each is already a very large fleet. */
  maxFiles: number;
  /** Bytes over all files, so many files just under the per-file cap cannot add up. */
  maxTotalBytes: number;
  /** Nesting depth of collections. The deepest real path (spec.secrets[].tokens[].scopes[]) is 7. */
  maxDepth: number;
  /** Aliases (`*name`) per document. Real files need none or a few (a shared scope list). */
  maxAliases: number;
  /**
   * Nodes per document with every alias expanded. js-yaml returns aliases as shared references, so a
   * "billion laughs" file is small in memory, but the schema validator and every walk over it visit each
   * path: this is the number that would otherwise grow exponentially.
   */
  maxExpandedNodes: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxFileBytes: 1024 * 1024,
  maxFiles: 2000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxDepth: 32,
  maxAliases: 100,
  maxExpandedNodes: 100_000,
};
