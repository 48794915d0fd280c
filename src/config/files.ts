/**
 * Finding and reading the configuration files: every `*.yaml` / `*.yml` below the folder, in a stable
 * order, each bounded in size and required to be UTF-8 text. Nothing here throws for a bad file: each problem
 * becomes a diagnostic on that file and the others are still read.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  type Dirent,
} from 'node:fs';
import { escapeControl } from '../escape.js';
import { join, relative, resolve, sep } from 'node:path';
import type { LoadLimits } from './limits.js';
import { LineMap } from './positions.js';
import type { Problems } from './problems.js';

/** Relative to the working directory with forward slashes: what GitHub needs to annotate a PR line. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  // A file name may hold any byte but `/` and NUL: ESC or a newline in it must not reach a log raw.
  return escapeControl((rel === '' ? '.' : rel).split(sep).join('/'));
}

const YAML_FILE = /\.ya?ml$/i;

/** The YAML files below `dir`, sorted by path; anything else there is reported as ignored. */
export function findConfigFiles(dir: string, problems: Problems, limits: LoadLimits): string[] {
  const shown = displayPath(dir);
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    problems.inFile(shown, `configuration folder ${shown} does not exist`, {
      hint: 'Set `config` (DTP_CONFIG, --config) to the folder with the tenants YAML, relative to the working directory.',
    });
    return [];
  }
  if (!stat.isDirectory()) {
    problems.inFile(shown, `${shown} is not a folder`, {
      hint: 'Set `config` to the folder that holds the YAML files, not to one file.',
    });
    return [];
  }

  const found: string[] = [];
  walk(dir, realpathSync(dir), found, problems);
  found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (found.length === 0) {
    problems.inFile(shown, `no YAML files in ${shown}`, {
      hint: 'Add the tenants, token specs, organizations and OCM environments as *.yaml files (see docs/configuration.md).',
    });
  }
  if (found.length > limits.maxFiles) {
    problems.inFile(shown, `${found.length} YAML files in ${shown}; at most ${limits.maxFiles} are read`, {
      hint: 'Merge small files, or split the fleet over several configuration folders.',
    });
    return found.slice(0, limits.maxFiles);
  }
  return found;
}

function walk(dir: string, root: string, found: string[], problems: Problems): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    problems.inFile(
      displayPath(dir),
      `cannot read folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // Hidden entries (.git, .gitkeep, editor swap files) are never configuration; a hidden YAML file is
    // worth a word, because someone may believe it is loaded.
    if (entry.name.startsWith('.')) {
      if (YAML_FILE.test(entry.name)) ignored(path, 'hidden files are not loaded', problems);
      continue;
    }
    if (entry.isDirectory()) walk(path, root, found, problems);
    else if (entry.isSymbolicLink()) symbolicLink(path, root, found, problems);
    else if (entry.isFile()) {
      if (YAML_FILE.test(entry.name)) found.push(path);
      else ignored(path, 'only *.yaml and *.yml files are configuration', problems);
    } else refuseSpecial(path, problems);
  }
}

/**
 * A link is read like its target only when the target's real path stays inside the configuration folder: a
 * pull request must not be able to make dtp read (and quote in an error) a file from elsewhere on the
 * runner. A link to a folder inside is not followed (it could loop).
 */
function symbolicLink(path: string, root: string, found: string[], problems: Problems): void {
  const shown = displayPath(path);
  let real: string;
  let target;
  try {
    real = realpathSync(path);
    target = statSync(real);
  } catch {
    problems.inFile(shown, 'broken symbolic link', { hint: 'Remove it or point it at a file.' });
    return;
  }
  if (!inside(real, root)) {
    problems.inFile(shown, 'not read: a symbolic link to a path outside the configuration folder', {
      hint: 'Configuration is read only from inside its folder: replace the link by the file itself.',
    });
    return;
  }
  if (target.isDirectory()) ignored(path, 'links to folders are not followed', problems);
  else if (!target.isFile()) refuseSpecial(path, problems);
  else if (YAML_FILE.test(path)) found.push(path);
  else ignored(path, 'only *.yaml and *.yml files are configuration', problems);
}

/** FIFOs, sockets and devices: reading one can block forever or return endless data. */
function refuseSpecial(path: string, problems: Problems): void {
  problems.inFile(displayPath(path), 'not read: not a regular file (a FIFO, socket or device)', {
    hint: 'Remove it from the configuration folder.',
  });
}

function inside(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

function ignored(path: string, why: string, problems: Problems): void {
  const shown = displayPath(path);
  problems.inFile(shown, `ignored: ${shown} (${why})`, { severity: 'warning' });
}

/**
 * The file's text, or undefined (with a diagnostic) when it is too large, binary or not UTF-8. `budget`
 * is what is left of the total byte allowance and is reduced by what is read.
 */
export function readConfigFile(
  path: string,
  problems: Problems,
  limits: LoadLimits,
  budget: { bytes: number },
  root?: string,
): string | undefined {
  const shown = displayPath(path);
  let fd: number;
  try {
    // Opened by its real path, not following a link swapped in since the walk, and without blocking on a
    // FIFO; what was opened is then checked to be a regular file inside the folder before a byte is read.
    const real = realpathSync(path);
    if (root !== undefined && !inside(real, realpathSync(root))) {
      problems.inFile(shown, 'not read: its real path is outside the configuration folder');
      return undefined;
    }
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    problems.inFile(shown, `cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  try {
    return readOpened(fd, shown, problems, limits, budget);
  } finally {
    closeSync(fd);
  }
}

function readOpened(
  fd: number,
  shown: string,
  problems: Problems,
  limits: LoadLimits,
  budget: { bytes: number },
): string | undefined {
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    problems.inFile(shown, 'not read: not a regular file (a FIFO, socket or device)', {
      hint: 'Remove it from the configuration folder.',
    });
    return undefined;
  }
  const size = stat.size;
  if (size > limits.maxFileBytes) {
    problems.inFile(
      shown,
      `file is ${size.toLocaleString('en-US')} bytes; a configuration file may be at most ${formatBytes(limits.maxFileBytes)}`,
      {
        hint: 'Split it into several files; real configuration files are a few KiB.',
      },
    );
    return undefined;
  }
  if (size > budget.bytes) {
    problems.inFile(
      shown,
      `not read: the configuration folder holds more than ${formatBytes(limits.maxTotalBytes)} of YAML`,
      {
        hint: 'Remove generated or unrelated YAML from the configuration folder.',
      },
    );
    return undefined;
  }
  budget.bytes -= size;
  let bytes: Buffer;
  try {
    bytes = readFileSync(fd);
  } catch (error) {
    problems.inFile(shown, `cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  return decode(bytes, shown, problems);
}

function decode(bytes: Buffer, shown: string, problems: Problems): string | undefined {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    problems.inFile(shown, 'file is UTF-16 encoded', { hint: 'Save it as UTF-8 (without BOM).' });
    return undefined;
  }
  if (bytes.includes(0)) {
    problems.inFile(shown, 'binary file: it contains NUL bytes, so it is not YAML text', {
      hint: 'Remove it from the configuration folder, or save it as UTF-8 text.',
    });
    return undefined;
  }
  try {
    // fatal: a stray Latin-1 byte must be reported, not turned into U+FFFD; a UTF-8 BOM is dropped.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes) ?? 0;
    const before = bytes.subarray(0, bad).toString('utf8');
    problems.inFile(
      shown,
      `not UTF-8: byte 0x${bytes[bad]!.toString(16).toUpperCase()} is not valid UTF-8 text`,
      {
        hint: 'Save the file as UTF-8; this usually is an accented letter saved as Latin-1 or Windows-1252.',
        position: new LineMap(before).position(before.length),
      },
    );
    return undefined;
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    // Overlong 3- and 4-byte forms, UTF-16 surrogates and code points above U+10FFFF.
    const second = bytes[i + 1]!;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f)) return i;
    if ((b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return undefined;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024)
    return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}
