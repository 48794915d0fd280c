import { describe, expect, it } from 'vitest';
import { fieldsOf, jsonLine } from '../../src/platform/log-format.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { Secret } from '../../src/secret.js';

const now = new Date('2026-12-01T01:02:03.004Z');

function collect(logFormat: 'text' | 'json', verbose = true) {
  const out: string[] = [];
  const err: string[] = [];
  const platform = plainPlatform({
    summaryPath: '/dev/null',
    verbose,
    logFormat,
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
  });
  return { platform, out, err };
}

describe('log-format json', () => {
  it('prints one object per line with time, level and message', () => {
    const { platform, out, err } = collect('json');
    platform.info('dtp 1.0 reconcile: 2 tenants');
    platform.warn(
      'production/my-cluster (2abcdefghijklmnopqrstuvwxyz01234): ocm createSyncSet → 400\nerror: forged',
    );
    platform.error('tenant abc12345 (Prod) cannot be used this run: 401');
    platform.debug(
      'ocm GET /api/clusters_mgmt/v1/clusters/2abcdefghijklmnopqrstuvwxyz01234/syncsets → 200 12ms',
    );
    expect([...out, ...err].every((l) => !l.includes('\n'))).toBe(true);
    const records = [...out, ...err].map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.level).sort()).toEqual(['debug', 'error', 'info', 'warn']);
    for (const r of records) expect(Date.parse(r.time as string)).not.toBeNaN();
    const warn = records.find((r) => r.level === 'warn')!;
    expect(warn).toMatchObject({ cluster: '2abcdefghijklmnopqrstuvwxyz01234' });
    expect(warn.message).toContain('\nerror: forged'); // inside the string, not a line of its own
    expect(records.find((r) => r.level === 'error')).toMatchObject({ tenant: 'abc12345' });
    expect(records.find((r) => r.level === 'debug')).toMatchObject({
      operation: 'ocm GET /api/clusters_mgmt/v1/clusters/2abcdefghijklmnopqrstuvwxyz01234/syncsets',
      durationMs: 12,
      cluster: '2abcdefghijklmnopqrstuvwxyz01234',
    });
  });

  it('redacts secret values in the message and every field', () => {
    const token = new Secret('dt0c01.SECRETLOGTEST.0123456789abcdef');
    const line = jsonLine('info', `tenant abc12345: minted ${token.reveal()}`, now);
    expect(line).not.toContain(token.reveal());
    expect(JSON.parse(line)).toEqual({
      time: '2026-12-01T01:02:03.004Z',
      level: 'info',
      message: 'tenant abc12345: minted ***',
      tenant: 'abc12345',
    });
  });

  it('writes bidi controls and line separators as escapes that parse back to the same text', () => {
    const message = 'cluster \u202eevil\u2028next\u0085';
    const line = jsonLine('info', message, now);
    expect(line).not.toMatch(/[\u202e\u2028\u0085]/);
    expect(line).toContain('\\u202e');
    expect(JSON.parse(line).message).toBe(message);
  });

  it('leaves a field out rather than guessing it', () => {
    expect(fieldsOf('configuration valid: 4 files, 0 warnings')).toEqual({});
    expect(fieldsOf('production/cluster-a: delivery patched')).toEqual({ cluster: 'production/cluster-a' });
  });

  it('prints configuration problems as records with file and line', () => {
    const { platform, err } = collect('json');
    platform.annotate([
      { file: 'tenants/a.yaml', line: 3, column: 5, severity: 'error', message: 'bad "x"' } as never,
    ]);
    expect(JSON.parse(err[0]!)).toMatchObject({
      level: 'error',
      file: 'tenants/a.yaml',
      line: 3,
      message: 'bad "x"',
    });
  });

  it('prints debug records only with verbose', () => {
    const { platform, out } = collect('json', false);
    platform.debug('ocm GET /api/x → 200 1ms');
    expect(out).toEqual([]);
  });
});

describe('log-format text', () => {
  it('keeps today’s lines and puts a timestamp on verbose remote-call lines', () => {
    const { platform, out, err } = collect('text');
    platform.info('hello');
    platform.warn('careful');
    platform.debug('ocm GET /api/clusters_mgmt/v1/clusters/abc → 200 3ms');
    platform.debug('other detail');
    expect(out[0]).toBe('hello');
    expect(err).toEqual(['warning: careful']);
    expect(out[1]).toMatch(
      /^debug: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ocm GET \/api\/clusters_mgmt\/v1\/clusters\/abc → 200 3ms$/,
    );
    expect(out[2]).toBe('debug: other detail');
  });
});
