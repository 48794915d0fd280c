/**
 * The egress rule (src/egress.ts), edge by edge: where a credential may go is decided by `allowed-hosts`
 * parsing, the default hosts per system and port matching. Each case is a way a looser rule would let a
 * token reach a host nobody allowed.
 */
import { describe, expect, it } from 'vitest';
import { assertEgress, egressProblem, parseAllowedHosts, type EgressTarget } from '../../src/egress.js';
import { UserError } from '../../src/errors.js';

const DT: EgressTarget = { kind: 'dynatrace', environmentId: 'abc12345' };
const rules = (text: string) => parseAllowedHosts(text).rules;
const SETTING =
  'the `allowed-hosts` setting (Action input allowed-hosts, --allowed-hosts, DTP_ALLOWED_HOSTS)';

describe('allowed-hosts accepts only a whole host entry', () => {
  it.each([
    ['a scheme before the host', 'https:a.example.com'],
    ['a path after the port', 'a.example.com:8443/x'],
    ['a six-digit port', 'a.example.com:123456'],
    ['port 0', 'a.example.com:0'],
    ['port 65536', 'a.example.com:65536'],
  ])('refuses %s', (_, entry) => {
    expect(parseAllowedHosts(entry)).toStrictEqual({
      rules: [],
      problems: [
        `allowed-hosts: ${JSON.stringify(entry)} is not a host name (e.g. dynatrace.example.com, *.example.com or dynatrace.example.com:9999; no IP addresses, schemes or paths)`,
      ],
    });
  });

  it('accepts the first and the last port', () => {
    expect(parseAllowedHosts('a.example.com:1, a.example.com:65535')).toStrictEqual({
      rules: [
        { host: 'a.example.com', wildcard: false, port: 1 },
        { host: 'a.example.com', wildcard: false, port: 65535 },
      ],
      problems: [],
    });
  });

  it('an entry without a port carries no port at all (only the https default port is allowed)', () => {
    expect(rules('a.example.com')).toStrictEqual([{ host: 'a.example.com', wildcard: false }]);
  });
});

describe('ports', () => {
  it('a rule for port 443 is the https default port: it allows the URL without a port, and no other port', () => {
    const allowed = rules('dt.example.com:443');
    expect(egressProblem('https://dt.example.com/e/abc12345', DT, allowed)).toBeUndefined();
    expect(egressProblem('https://dt.example.com:443/e/abc12345', DT, allowed)).toBeUndefined();
    expect(egressProblem('https://dt.example.com:8443/e/abc12345', DT, allowed)).toMatch(
      /^`dt\.example\.com:8443` is not one/,
    );
  });

  it('a rule for another port allows only that port, not the default one', () => {
    const allowed = rules('dt.example.com:8443');
    expect(egressProblem('https://dt.example.com:8443/e/abc12345', DT, allowed)).toBeUndefined();
    expect(egressProblem('https://dt.example.com/e/abc12345', DT, allowed)).toMatch(
      /^host `dt\.example\.com` is not one/,
    );
  });
});

describe('credentials in the URL', () => {
  it('refuses a URL with a password and no user name', () => {
    expect(egressProblem('https://:pw@abc12345.live.dynatrace.com', DT, [])).toMatch(/user name or password/);
  });
});

describe('the refusal names what is allowed by default and the setting that allows more', () => {
  it.each([
    [{ kind: 'ocm-api' }, 'api.openshift.com, api.stage.openshift.com, api.integration.openshift.com'],
    [{ kind: 'ocm-sso' }, 'sso.redhat.com, sso.stage.redhat.com'],
    [DT, 'https://abc12345.live.dynatrace.com (Dynatrace SaaS)'],
  ] as [EgressTarget, string][])('%o', (target, defaults) => {
    expect(egressProblem('https://evil.example.com/x', target, [])).toBe(
      `host \`evil.example.com\` is not one that credentials may be sent to: by default only ${defaults}; any other host (and port) needs an entry in ${SETTING}`,
    );
  });

  it('the runtime check throws a user error with what to do', () => {
    let thrown: unknown;
    try {
      assertEgress('https://evil.example.com', { kind: 'ocm-api' }, [], 'OCM environment production apiUrl');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).message).toMatch(
      /^OCM environment production apiUrl: not sent: the URL host `evil\.example\.com` is not one/,
    );
    expect((thrown as UserError).hint).toBe(
      'Fix the URL in the configuration, or add its host to allowed-hosts.',
    );
  });
});
