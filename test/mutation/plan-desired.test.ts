/**
 * Desired state and the live-token index: `apiUrl` is exactly `<environmentUrl>/api` whatever trailing slashes
 * the configuration carries, and a tenant's token names are parsed once per listing, not once per cluster.
 */
import { describe, expect, it } from 'vitest';
import type { DynatraceToken } from '../../src/clients/api.js';
import { desiredSecrets, TenantTokens } from '../../src/reconcile/plan.js';
import { tokenName } from '../../src/reconcile/naming.js';
import { cluster, defaultSpec, tenant, v2 } from '../reconcile/fixtures.js';
import { eligible, TENANT } from './plan-builders.js';

describe('desired Secrets', () => {
  it.each([
    ['no trailing slash', 'https://abc12345.live.dynatrace.com'],
    ['one trailing slash', 'https://abc12345.live.dynatrace.com/'],
    ['several trailing slashes', 'https://abc12345.live.dynatrace.com///'],
  ])('apiUrl is the configured environment URL plus /api (%s)', (_, url) => {
    const c = cluster(v2(TENANT));
    const t = tenant(TENANT);
    t.environmentUrl = url;

    const [secret] = desiredSecrets(c, [eligible(defaultSpec(), t)]);

    expect(secret!.apiUrl).toBe('https://abc12345.live.dynatrace.com/api');
  });
});

describe('TenantTokens index', () => {
  /** A token whose name reads are counted: each read stands for one parse of the name. */
  function counted(id: string, name: string, reads: { n: number }): DynatraceToken {
    return {
      id,
      scopes: [],
      enabled: true,
      get name() {
        reads.n++;
        return name;
      },
    };
  }

  it('parses each token name once per listing, however many clusters ask', () => {
    const reads = { n: 0 };
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    const live = TenantTokens.of([
      counted('dt0c01.A1', tokenName('operator', a, ['x']), reads),
      counted('dt0c01.A2', tokenName('ingest', a, ['y']), reads),
      counted('dt0c01.B1', tokenName('operator', b, ['x']), reads),
      counted('dt0c01.H', 'dtp_renamed-by-hand', reads),
    ]);

    expect(live.ofCluster(a).map((t) => t.id)).toEqual(['dt0c01.A1', 'dt0c01.A2']);
    expect(live.ofCluster(b).map((t) => t.id)).toEqual(['dt0c01.B1']);
    expect(live.ofCluster('00000000-0000-4000-8000-00000000000c')).toEqual([]);
    expect(reads.n).toBe(4);
  });
});
