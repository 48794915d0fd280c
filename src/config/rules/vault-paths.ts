/**
 * Vault mounts and paths become URL paths (`/v1/<mount>/data/<path>`). A segment that decodes to `..`, or
 * that carries `?` or `#`, reaches the wire as another secret or another query (`?version=7&list=true`), so
 * each segment is checked as Vault would see it: after percent-decoding, and before anything is sent.
 */
import type { Located } from '../catalog.js';
import type { ConfigDocument, Problems } from '../problems.js';
import { quote } from '../problems.js';
import type { DynatraceTenant, OcmCredentials, OcmEnvironment, VaultSecretRef } from '../types.js';

type Ref = Omit<VaultSecretRef, 'field'>;

export function checkTenantVaultPaths({ doc, object }: Located<DynatraceTenant>, problems: Problems): void {
  checkRef(doc, '/spec/bootstrapToken', object.bootstrapToken, problems);
  if (object.planToken) checkRef(doc, '/spec/planToken', object.planToken, problems);
}

export function checkOcmVaultPaths({ doc, object }: Located<OcmEnvironment>, problems: Problems): void {
  checkRef(doc, '/spec/credentials', secretOf(object.credentials), problems);
  if (object.planCredentials)
    checkRef(doc, '/spec/planCredentials', secretOf(object.planCredentials), problems);
}

function secretOf(credentials: OcmCredentials): Ref {
  return credentials.secret;
}

function checkRef(doc: ConfigDocument, pointer: string, ref: Ref, problems: Problems): void {
  for (const field of ['mount', 'path'] as const) {
    const problem = vaultPathProblem(ref[field]);
    if (problem && !problems.reported(doc, `${pointer}/${field}`)) {
      problems.at(doc, `${pointer}/${field}`, problem, {
        hint: 'Write the path as Vault lists it: segments of letters, digits, `-`, `_`, `.` and the like, separated by single `/`, without `%` escapes, `?`, `#`, spaces, `.` or `..`.',
      });
    }
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/** Why a Vault mount or path is refused, or undefined when every segment is plain. */
export function vaultPathProblem(value: string): string | undefined {
  const segments = value.split('/');
  for (const [index, raw] of segments.entries()) {
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // A lone `%` does not decode; it is refused below as a `%` all the same.
    }
    const shown = `segment ${index + 1} ${quote(raw)}${decoded !== raw ? ` (decoded ${quote(decoded)})` : ''}`;
    if (decoded === '') return `${shown} is empty (a leading, trailing or doubled \`/\`)`;
    if (decoded === '.' || decoded === '..')
      return `${shown} is \`${decoded}\`: it would address another path`;
    if (raw.includes('%')) return `${shown} contains \`%\`: percent escapes are decoded on the way to Vault`;
    if (/[?#]/.test(decoded)) return `${shown} contains \`?\` or \`#\`: it would start a query or fragment`;
    if (decoded.includes('\\')) return `${shown} contains \`\\\`: URL parsers read it as \`/\``;
    if (/\s/.test(decoded) || CONTROL.test(decoded)) return `${shown} contains a space or control character`;
  }
  return undefined;
}
