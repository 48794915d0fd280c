/**
 * A configuration change must not be able to send a credential to a host of its choosing: every URL a
 * credential goes to is refused by `dtp validate` (and by plan, before anything is contacted) unless it is
 * the public default or a host the trusted `allowed-hosts` setting lists.
 */
import { describe, expect, it } from 'vitest';
import { baseline, shown, writeConfig } from '../config/baseline.js';
import { refusalWorld, runDtp } from './config-helpers.js';

const TENANT = 'tenant-eu.yaml';
const ENVS = 'environments.yaml';
const SAAS = 'https://abc12345.live.dynatrace.com';
const SSO = 'https://sso.redhat.com/auth/realms/redhat-external/protocol/openid-connect/token';

const world = refusalWorld();

function tenantUrl(url: string): string {
  const dir = writeConfig({ [TENANT]: baseline(TENANT, SAAS, url) });
  world.track(dir);
  return dir;
}

function ocmUrl(from: string, to: string): string {
  const dir = writeConfig({ [ENVS]: baseline(ENVS, from, to) });
  world.track(dir);
  return dir;
}

describe('Dynatrace environment URLs', () => {
  const hostile: [string, string, RegExp][] = [
    ['a foreign host', 'https://abc12345.attacker.example', /host `abc12345\.attacker\.example` is not one/],
    [
      'a suffix trick',
      'https://abc12345.live.dynatrace.com.evil.io',
      /host `abc12345\.live\.dynatrace\.com\.evil\.io` is not one/,
    ],
    ['a Managed URL on an unlisted host', 'https://dt.evil.io/e/abc12345', /host `dt\.evil\.io` is not one/],
    ['another live domain', 'https://abc12345.live.dynatrace.cn', /host `abc12345\.live\.dynatrace\.cn`/],
    [
      'a port',
      'https://abc12345.live.dynatrace.com:8443',
      /`abc12345\.live\.dynatrace\.com:8443` is not one/,
    ],
    ['a trailing dot', 'https://abc12345.live.dynatrace.com.', /must be the environment's base URL/],
    ['user info', 'https://abc12345.live.dynatrace.com@evil.io', /must be the environment's base URL/],
    ['http', 'http://abc12345.live.dynatrace.com', /must start with https:\/\//],
  ];
  it.each(hostile)(
    'refuses %s at the line of the URL, with exit 2, contacting nothing',
    async (_, url, why) => {
      const dir = tenantUrl(url);
      const before = world.remote.requests();
      for (const mode of ['validate', 'plan'] as const) {
        const result = await runDtp(dir, mode, world.remote);
        expect(result.exitCode, mode).toBe(2);
        expect(result.output).toContain(`${shown(dir, TENANT)}:8:19: error: spec.environmentUrl: `);
        expect(result.output).toMatch(why);
      }
      expect(world.remote.requests()).toBe(before);
    },
  );

  it('names the setting that would allow the host', async () => {
    const result = await runDtp(
      tenantUrl('https://abc12345.live.dynatrace.com.evil.io'),
      'validate',
      world.remote,
    );
    expect(result.output).toContain('`allowed-hosts` setting');
    expect(result.output).toContain('by default only https://abc12345.live.dynatrace.com (Dynatrace SaaS)');
  });

  it('accepts SaaS by default, and Managed or another domain only when allowed-hosts lists the host', async () => {
    expect((await runDtp(tenantUrl(SAAS), 'validate', world.remote)).exitCode).toBe(0);
    const managed = tenantUrl('https://dynatrace.example.com/e/abc12345');
    expect((await runDtp(managed, 'validate', world.remote)).exitCode).toBe(2);
    const allowed = { 'allowed-hosts': 'other.example.org,\n dynatrace.example.com' };
    expect((await runDtp(managed, 'validate', world.remote, allowed)).exitCode).toBe(0);
    const wildcard = { 'allowed-hosts': '*.example.com' };
    expect((await runDtp(managed, 'validate', world.remote, wildcard)).exitCode).toBe(0);
    const port = tenantUrl('https://dynatrace.example.com:9999/e/abc12345');
    expect((await runDtp(port, 'validate', world.remote, allowed)).exitCode).toBe(2);
    const withPort = { 'allowed-hosts': 'dynatrace.example.com:9999' };
    expect((await runDtp(port, 'validate', world.remote, withPort)).exitCode).toBe(0);
  });

  it('does not let a wildcard match the domain itself or a look-alike', async () => {
    const settings = { 'allowed-hosts': '*.example.com' };
    for (const url of ['https://example.com/e/abc12345', 'https://evilexample.com/e/abc12345']) {
      expect((await runDtp(tenantUrl(url), 'validate', world.remote, settings)).exitCode, url).toBe(2);
    }
  });

  it('refuses a Managed URL whose path names another environment', async () => {
    const result = await runDtp(tenantUrl('https://dt.example.com/e/zzz99999'), 'validate', world.remote, {
      'allowed-hosts': 'dt.example.com',
    });
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('path `/e/zzz99999` names environment `zzz99999`, not `abc12345`');
  });
});

describe('OCM URLs', () => {
  const hostile: [string, string, string, string, RegExp][] = [
    [
      'an API on a foreign host',
      'https://api.openshift.com',
      'https://api.attacker.example',
      '6:11',
      /spec\.apiUrl: host `api\.attacker\.example` is not one/,
    ],
    [
      'an API suffix trick',
      'https://api.openshift.com',
      'https://api.openshift.com.evil.io',
      '6:11',
      /spec\.apiUrl: host `api\.openshift\.com\.evil\.io` is not one/,
    ],
    [
      'an API on an IP address',
      'https://api.openshift.com',
      'https://10.0.0.1',
      '6:11',
      /spec\.apiUrl: host `10\.0\.0\.1` is an IP address/,
    ],
    [
      'SSO on a foreign host',
      SSO,
      'https://sso.attacker.example/auth/realms/redhat-external/protocol/openid-connect/token',
      '7:16',
      /spec\.ssoTokenUrl: host `sso\.attacker\.example` is not one/,
    ],
    [
      'SSO with a trailing dot',
      SSO,
      'https://sso.redhat.com./auth/realms/redhat-external/protocol/openid-connect/token',
      '7:16',
      /spec\.ssoTokenUrl: host `sso\.redhat\.com\.` ends with a dot/,
    ],
    [
      'SSO on the API host',
      SSO,
      'https://api.openshift.com/token',
      '7:16',
      /spec\.ssoTokenUrl: host `api\.openshift\.com` is not one/,
    ],
  ];
  it.each(hostile)('refuses %s with exit 2 at its line, contacting nothing', async (_, from, to, at, why) => {
    const dir = ocmUrl(from, to);
    const before = world.remote.requests();
    for (const mode of ['validate', 'plan'] as const) {
      const result = await runDtp(dir, mode, world.remote);
      expect(result.exitCode, mode).toBe(2);
      expect(result.output).toContain(`${shown(dir, ENVS)}:${at}: error: `);
      expect(result.output).toMatch(why);
    }
    expect(world.remote.requests()).toBe(before);
  });

  it('accepts the public stage and integration hosts, and others only through allowed-hosts', async () => {
    for (const host of ['api.stage.openshift.com', 'api.integration.openshift.com']) {
      const dir = ocmUrl('https://api.openshift.com', `https://${host}`);
      expect((await runDtp(dir, 'validate', world.remote)).exitCode, host).toBe(0);
    }
    const proxy = ocmUrl('https://api.openshift.com', 'https://ocm-proxy.corp.example');
    expect((await runDtp(proxy, 'validate', world.remote)).exitCode).toBe(2);
    const settings = { 'allowed-hosts': 'ocm-proxy.corp.example' };
    expect((await runDtp(proxy, 'validate', world.remote, settings)).exitCode).toBe(0);
  });
});

describe('the allowed-hosts setting', () => {
  it.each(['10.0.0.1', 'https://x.example.com', 'x.example.com/path', 'localhost', '*.com:99999'])(
    'refuses the entry %s before anything runs',
    async (entry) => {
      const dir = tenantUrl(SAAS);
      await expect(runDtp(dir, 'validate', world.remote, { 'allowed-hosts': entry })).rejects.toThrow(
        /allowed-hosts: .* is not a host name/,
      );
    },
  );
});
