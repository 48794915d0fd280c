/**
 * A Vault mount or path from the YAML becomes a URL path: a segment that decodes to `..`, or that carries a
 * query, would read another secret or change the request. Each is refused at its line, before any request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CallStats } from '../../src/clients/http.js';
import { NodeVaultClient } from '../../src/clients/vault.js';
import { Secret } from '../../src/secret.js';
import { vaultPathProblem } from '../../src/config/rules/vault-paths.js';
import { baseline, shown, writeConfig } from '../config/baseline.js';
import { refusalWorld, runDtp } from './config-helpers.js';

const TENANT = 'tenant-eu.yaml';
const ENVS = 'environments.yaml';
const BOOTSTRAP_PATH = 'creds/dynatrace/bootstrap/abc12345';

const world = refusalWorld();

const hostile: [string, string, RegExp][] = [
  [
    'an encoded `..` segment',
    'creds/%2e%2e/%2e%2e/other/secret',
    /segment 2 `%2e%2e` \(decoded `\.\.`\) is `\.\.`/,
  ],
  ['an upper-case encoded `..`', 'creds/%2E%2E/x', /\(decoded `\.\.`\) is `\.\.`/],
  ['an encoded `.`', 'creds/%2e/x', /\(decoded `\.`\) is `\.`/],
  ['a query', 'creds/dynatrace?version=7&list=true', /contains `\?` or `#`/],
  ['a fragment', 'creds/dynatrace#x', /contains `\?` or `#`/],
  ['an encoded slash', 'creds%2f..%2fother', /contains `%`/],
  ['an encoded query', 'creds/x%3Fversion=7', /decoded `x\?version=7`\) contains `%`/],
  // YAML double quotes: `\\` is one backslash, `\x1b` the escape character.
  ['a backslash', 'creds\\\\..\\\\other', /contains `\\`: URL parsers/],
  ['an escape character', 'creds/\\x1b[31m', /contains a space or control character/],
];

describe('Vault paths', () => {
  it.each(hostile)(
    'refuses %s in a bootstrap token path at its line, contacting nothing',
    async (_, path, why) => {
      const text = baseline(TENANT, `path: ${BOOTSTRAP_PATH}`, `path: "${path}"`);
      const dir = writeConfig({ [TENANT]: text });
      world.track(dir);
      const before = world.remote.requests();
      for (const mode of ['validate', 'plan'] as const) {
        const result = await runDtp(dir, mode, world.remote);
        expect(result.exitCode, mode).toBe(2);
        expect(result.output).toContain(
          `${shown(dir, TENANT)}:11:11: error: spec.bootstrapToken.path: segment`,
        );
        expect(result.output).toMatch(why);
        // The escape character is shown, never printed raw.
        expect(result.output).not.toContain('\u001b');
      }
      expect(world.remote.requests()).toBe(before);
    },
  );

  it('refuses an encoded `..` in the mount of OCM credentials', async () => {
    const dir = writeConfig({ [ENVS]: baseline(ENVS, 'mount: app-sre', 'mount: "app-sre/%2e%2e"') });
    world.track(dir);
    const result = await runDtp(dir, 'validate', world.remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(`${shown(dir, ENVS)}:9:12: error: spec.credentials.mount: segment 2`);
  });

  it('accepts the paths people write', () => {
    for (const path of ['creds/dynatrace/bootstrap/abc12345', 'app-sre', 'a.b/c_d/e-f/v1.2', 'x/@team/y'])
      expect(vaultPathProblem(path), path).toBeUndefined();
    for (const path of ['', 'a//b', 'a/', '/a', 'a/ b', 'a/..', './a', '%41'])
      expect(vaultPathProblem(path), path).toBeDefined();
  });
});

describe('Vault paths on the wire', () => {
  it('are sent with every segment percent-encoded, so a name can never become a query', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"data":{"token":"v"}}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const vault = new NodeVaultClient({
        addr: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        method: 'token',
        token: new Secret('hvs.wire-encoding-test-token'),
        jwtAudience: 'vault',
        kubernetesTokenFile: '/nonexistent/token',
        timeoutMs: 2000,
        maxRetries: 0,
        stats: new CallStats(),
        onGitHub: false,
      });
      await vault.login();
      await vault.readKv({ mount: 'app sre', path: 'creds/a?list=true/b#c', version: 3 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen.at(-1)).toBe('/v1/app%20sre/data/creds/a%3Flist%3Dtrue/b%23c?version=3');
  });
});
