/**
 * The configuration folder comes from pull requests: its file names and file types are untrusted. A link
 * out of the folder is not read (so nothing outside can be quoted in an error), special files are refused
 * without blocking, and a control character in a file name is shown escaped, never printed raw.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { BASELINE, removeConfig, shown, writeConfig } from '../config/baseline.js';
import { countingServer, runDtp, type Listener } from './config-helpers.js';

/** Text outside the folder, shaped to be quoted by a YAML error if it were ever read. */
const OUTSIDE_SECRET = 'hvs.OUTSIDE-SECRET-abc123: [unclosed';

let remote: Listener;
const dirs: string[] = [];
beforeAll(async () => {
  remote = await countingServer();
});
afterAll(async () => {
  await remote.close();
  for (const dir of dirs) removeConfig(dir);
});

function folder(): string {
  const dir = writeConfig();
  dirs.push(dir);
  return dir;
}

function outsideFile(): string {
  const outside = mkdtempSync(join(tmpdir(), 'dtp-outside-'));
  dirs.push(outside);
  const file = join(outside, 'secret.yaml');
  writeFileSync(file, `${OUTSIDE_SECRET}\n`);
  return file;
}

describe('files of the configuration folder', () => {
  it('does not read a symbolic link to a file outside the folder, and never echoes its text', async () => {
    const dir = folder();
    symlinkSync(outsideFile(), join(dir, 'stolen.yaml'));
    const before = remote.requests();
    for (const mode of ['validate', 'plan'] as const) {
      const result = await runDtp(dir, mode, remote);
      expect(result.exitCode, mode).toBe(2);
      expect(result.output).toContain(
        `${shown(dir, 'stolen.yaml')}: error: not read: a symbolic link to a path outside the configuration folder`,
      );
      expect(result.output).not.toContain('OUTSIDE-SECRET');
    }
    expect(remote.requests()).toBe(before);
  });

  it('does not follow a link to a folder outside', async () => {
    const dir = folder();
    const outside = mkdtempSync(join(tmpdir(), 'dtp-outside-'));
    dirs.push(outside);
    writeFileSync(join(outside, 'x.yaml'), `${OUTSIDE_SECRET}\n`);
    symlinkSync(outside, join(dir, 'more'));
    const result = await runDtp(dir, 'validate', remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(
      `${shown(dir, 'more')}: error: not read: a symbolic link to a path outside`,
    );
    expect(result.output).not.toContain('OUTSIDE-SECRET');
  });

  it('refuses a link to a device (outside the folder) without reading it', async () => {
    const dir = folder();
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    const result = await runDtp(dir, 'validate', remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(`${shown(dir, 'zero.yaml')}: error: not read: a symbolic link`);
  });

  it('reads a link that stays inside the folder like its target', async () => {
    const dir = writeConfig({ 'tenant-eu.yaml': null, 'real/tenant.txt': BASELINE['tenant-eu.yaml']! });
    dirs.push(dir);
    symlinkSync(join('real', 'tenant.txt'), join(dir, 'tenant-eu.yaml'));
    const result = await loadConfig(dir);
    expect(result.config?.tenants.has('abc12345')).toBe(true);
  });

  it('refuses a FIFO without blocking on it', async () => {
    const dir = folder();
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    const result = await runDtp(dir, 'validate', remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(
      `${shown(dir, 'pipe.yaml')}: error: not read: not a regular file (a FIFO, socket or device)`,
    );
  });

  it('refuses a socket', async () => {
    const dir = folder();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock.yaml'), resolve));
    try {
      const result = await runDtp(dir, 'validate', remote);
      expect(result.exitCode).toBe(2);
      expect(result.output).toContain(`${shown(dir, 'sock.yaml')}: error: not read: not a regular file`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.skipIf(process.getuid?.() === 0)('names an unreadable file', async () => {
    const dir = folder();
    chmodSync(join(dir, 'tenant-us.yaml'), 0o000);
    const result = await runDtp(dir, 'validate', remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(`${shown(dir, 'tenant-us.yaml')}: error: cannot read file (EACCES)`);
  });
});

describe('control characters in file names', () => {
  it.each([
    ['an escape sequence', 'x\u001b[2K\u001b[31m.yaml', 'x\\x1b[2K\\x1b[31m.yaml'],
    ['a newline forging an error line', 'x\nerror: forged.yaml', 'x\\nerror: forged.yaml'],
    ['a bidi override', 'x\u202eliam.yaml', 'x\\u202eliam.yaml'],
  ])('shows %s escaped in every message', async (_, name, escaped) => {
    const dir = folder();
    writeFileSync(join(dir, name), 'apiVersion: dtp/v1\nkind: Nonsense\n');
    const result = await runDtp(dir, 'validate', remote);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(`${shown(dir)}/${escaped}:2:7: error: kind: unknown kind`);
    for (const raw of ['\u001b', '\u202e']) expect(result.output).not.toContain(raw);
    expect(result.output.split('\n').filter((l) => l.startsWith('error: forged'))).toEqual([]);
  });

  it('escapes control characters in quoted values too', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'kind.yaml'), 'apiVersion: dtp/v1\nkind: "Bad\\e[31mKind"\n');
    const result = await runDtp(dir, 'validate', remote);
    expect(result.output).toContain('unknown kind `Bad\\x1b[31mKind`');
    expect(result.output).not.toContain('\u001b');
  });
});
