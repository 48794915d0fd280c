/**
 * Runs before every test file (vitest.config.ts `setupFiles`). The redaction registry in src/secret.ts is
 * process-wide: without a reset, a value registered by one test would still be masked in the next, and a
 * test that forgot to register its secret would pass only after one that did.
 */
import { beforeEach } from 'vitest';
import { resetSecretRegistry } from '../src/secret.js';

beforeEach(() => resetSecretRegistry());
