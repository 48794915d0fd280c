import type { Platform } from './platform.js';

/** A platform whose implementation is loaded on first use, or when `ready()` is called. */
export interface DeferredPlatform extends Platform {
  /** Loads the implementation (once) and runs the calls that waited for it, in order. */
  ready(): Promise<Platform>;
}

/**
 * The Action's GitHub platform without @actions/core at start: the toolkit (with its own HTTP client, ~45 ms
 * to load) loads while the Vault login is in flight (run.ts `whileVaultAnswers`). What is printed before it is
 * there waits and is printed in the order it was asked for, after the implementation has masked every secret
 * value known so far (githubPlatform registers the masks when it is made), so nothing reaches the log
 * unmasked or out of order.
 */
export function deferredPlatform(kind: Platform['kind'], load: () => Promise<Platform>): DeferredPlatform {
  let loaded: Platform | undefined;
  let loading: Promise<Platform> | undefined;
  const waiting: ((platform: Platform) => void)[] = [];
  const ready = () =>
    (loading ??= load().then((platform) => {
      loaded = platform;
      for (const call of waiting.splice(0)) call(platform);
      return platform;
    }));
  const later = (call: (platform: Platform) => void): void => {
    if (loaded) return call(loaded);
    waiting.push(call);
    void ready();
  };
  return {
    kind,
    ready,
    info: (message) => later((p) => p.info(message)),
    warn: (message) => later((p) => p.warn(message)),
    error: (message) => later((p) => p.error(message)),
    debug: (message) => later((p) => p.debug(message)),
    annotate: (diagnostics, title) => later((p) => p.annotate(diagnostics, title)),
    writeSummary: async (markdown) => (await ready()).writeSummary(markdown),
    setOutputs: async (outputs) => (await ready()).setOutputs(outputs),
    publishReport: async (dir, files) => (await ready()).publishReport(dir, files),
    // Only where the implementation has one: the Vault client reads its presence as "on GitHub".
    ...(kind === 'github'
      ? {
          async idToken(audience: string) {
            const platform = await ready();
            if (!platform.idToken) throw new Error('no OIDC ID token outside GitHub Actions');
            return platform.idToken(audience);
          },
        }
      : {}),
  };
}
