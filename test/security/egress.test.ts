/**
 * The egress rule itself (src/egress.ts), and its second line of defence: right before the first
 * credential is sent, the clients refuse a URL that the YAML named and the settings do not allow — even
 * if the configuration was never validated with the same settings.
 */
import { describe, expect, it } from 'vitest';
import type { DynatraceTenant, OcmEnvironment } from '../../src/config/types.js';
import { realConnectors } from '../../src/connectors.js';
import { egressProblem, parseAllowedHosts, type EgressTarget } from '../../src/egress.js';
import { resolveOptions } from '../../src/options.js';
import { plainPlatform } from '../../src/platform/plain.js';
import { Secret } from '../../src/secret.js';

const DT: EgressTarget = { kind: 'dynatrace', environmentId: 'abc12345' };
const rules = (text: string) => parseAllowedHosts(text).rules;

describe('egressProblem', () => {
  it.each([
    ['https://abc12345.live.dynatrace.com', DT],
    ['https://abc12345.live.dynatrace.com/', DT],
    ['https://ABC12345.LIVE.DYNATRACE.COM', DT],
    ['https://abc12345.live.dynatrace.com:443', DT],
    ['https://api.openshift.com', { kind: 'ocm-api' }],
    ['https://api.integration.openshift.com/api', { kind: 'ocm-api' }],
    ['https://sso.stage.redhat.com/auth/realms/x/token', { kind: 'ocm-sso' }],
  ] as [string, EgressTarget][])('allows %s by default', (url, target) => {
    expect(egressProblem(url, target, [])).toBeUndefined();
  });

  it.each([
    ['https://abc12345.live.dynatrace.com.evil.io', DT, /is not one/],
    ['https://abc12345.live.dynatrace.com.', DT, /ends with a dot/],
    ['https://abc12345.live.dynatrace.com@evil.io', DT, /user name or password/],
    ['https://x:y@abc12345.live.dynatrace.com', DT, /user name or password/],
    ['http://abc12345.live.dynatrace.com', DT, /must use https/],
    ['https://127.0.0.1', DT, /IP address/],
    ['https://0x7f.1', DT, /IP address/],
    ['https://[::1]', DT, /IP address/],
    ['https://abc12345.live.dynatrace.com:8443', DT, /is not one/],
    ['https://abc12345.live.dynatrace.com/e/abc12345', DT, /is not one/],
    ['https://xyz99999.live.dynatrace.com', DT, /is not one/],
    ['https://abc12345.apps.dynatrace.com', DT, /is not one/],
    ['https://evil%2eio', { kind: 'ocm-api' }, /host `evil\.io` is not one/],
    ['https://sso.redhat.com', { kind: 'ocm-api' }, /is not one/],
    ['https://api.openshift.com', { kind: 'ocm-sso' }, /is not one/],
    ['not a url', DT, /is not a URL/],
  ] as [string, EgressTarget, RegExp][])('refuses %s by default', (url, target, why) => {
    expect(egressProblem(url, target, [])).toMatch(why);
  });

  it('allows what allowed-hosts lists, exactly', () => {
    const allowed = rules('dt.example.com, *.corp.example:8443\nocm.example.org');
    const dt = (url: string) => egressProblem(url, DT, allowed);
    expect(dt('https://dt.example.com/e/abc12345')).toBeUndefined();
    expect(dt('https://DT.example.com/e/abc12345')).toBeUndefined();
    expect(dt('https://a.b.corp.example:8443/e/abc12345')).toBeUndefined();
    expect(dt('https://corp.example:8443')).toMatch(/is not one/);
    expect(dt('https://a.corp.example')).toMatch(/is not one/);
    expect(dt('https://a.corp.example:9443')).toMatch(/is not one/);
    expect(dt('https://dt.example.com:8443')).toMatch(/is not one/);
    expect(dt('https://xdt.example.com')).toMatch(/is not one/);
    expect(dt('https://dt.example.com.evil.io')).toMatch(/is not one/);
    expect(dt('https://dt.example.com@evil.io')).toMatch(/user name/);
    expect(egressProblem('https://ocm.example.org', { kind: 'ocm-sso' }, allowed)).toBeUndefined();
  });

  it('parses allowed-hosts strictly', () => {
    expect(parseAllowedHosts(' a.example.com ,\n*.b.example.com:8443,, ')).toEqual({
      rules: [
        { host: 'a.example.com', wildcard: false },
        { host: 'b.example.com', wildcard: true, port: 8443 },
      ],
      problems: [],
    });
    for (const bad of [
      '1.2.3.4',
      '[::1]',
      'https://a.example.com',
      'a.example.com/x',
      'a..b',
      '*.com',
      'a.b:0',
    ])
      expect(parseAllowedHosts(bad).problems, bad).toHaveLength(1);
  });
});

describe('the runtime check before the first credential is sent', () => {
  const tenant = { environmentId: 'abc12345' } as DynatraceTenant;
  const environment = { name: 'production' } as OcmEnvironment;
  const connectors = (settings: Record<string, string> = {}) =>
    realConnectors(
      resolveOptions((name) => settings[name]),
      plainPlatform({ summaryPath: '/dev/null', stdout: () => {}, stderr: () => {} }),
    );
  const token = new Secret('dt0c01.runtime-check-token', false);

  it('refuses a Dynatrace URL that the YAML named and the settings do not allow', () => {
    expect(() =>
      connectors().dynatrace(tenant, 'https://abc12345.live.dynatrace.com.evil.io', token),
    ).toThrow(/tenant abc12345 environmentUrl: not sent: .*is not one/);
    expect(() => connectors().dynatrace(tenant, 'https://abc12345.live.dynatrace.com', token)).not.toThrow();
    const allowed = connectors({ 'allowed-hosts': 'dt.example.com' });
    expect(() => allowed.dynatrace(tenant, 'https://dt.example.com/e/abc12345', token)).not.toThrow();
  });

  it('refuses OCM API and SSO URLs the settings do not allow', () => {
    const credentials = { offlineToken: new Secret('offline-runtime-check', false) };
    const ocm = (apiUrl: string, ssoUrl: string) => () =>
      connectors().ocm(environment, { apiUrl, ssoUrl }, credentials);
    expect(ocm('https://api.openshift.com', 'https://sso.evil.io/token')).toThrow(
      /OCM environment production ssoTokenUrl: not sent/,
    );
    expect(ocm('https://api.openshift.com.evil.io', 'https://sso.redhat.com/token')).toThrow(
      /OCM environment production apiUrl: not sent/,
    );
    expect(ocm('https://api.openshift.com', 'https://sso.redhat.com/token')).not.toThrow();
  });

  it('trusts the address overrides, which are settings, not YAML', () => {
    const sandbox = connectors({
      'dynatrace-url': 'http://127.0.0.1:1/e/{tenant}',
      'ocm-url': 'http://127.0.0.1:1/{environment}',
      'ocm-sso-url': 'http://127.0.0.1:1/{environment}/token',
    });
    expect(() => sandbox.dynatrace(tenant, 'http://127.0.0.1:1/e/abc12345', token)).not.toThrow();
    const credentials = { offlineToken: new Secret('offline-runtime-check', false) };
    const endpoints = {
      apiUrl: 'http://127.0.0.1:1/production',
      ssoUrl: 'http://127.0.0.1:1/production/token',
    };
    expect(() => sandbox.ocm(environment, endpoints, credentials)).not.toThrow();
  });
});
