/**
 * The reference implementation's token spec rules (qontract-reconcile `validate.py`), which the JSON
 * Schema cannot express, plus the Secret layout dtp writes: `apiUrl`, and `<key>` / `<key>Id` per token.
 */
import type { Located } from '../catalog.js';
import type { Problems } from '../problems.js';
import { secretKeyOf, type TokenSpec } from '../types.js';

/** dtp writes the tenant's API URL under this key of every delivered Secret. */
const API_URL_KEY = 'apiUrl';
const ID_SUFFIX = 'Id';

export function checkTokenSpec({ doc, object: spec }: Located<TokenSpec>, problems: Problems): void {
  const secrets = new Map<string, number>();
  spec.secrets.forEach((secret, s) => {
    const secretPointer = `/spec/secrets/${s}`;
    const id = `${secret.namespace}/${secret.name}`;
    const first = secrets.get(id);
    if (first !== undefined) {
      problems.at(
        doc,
        `${secretPointer}/name`,
        `Secret ${id} is already delivered by spec.secrets[${first}]`,
        {
          hint: 'Each Secret may appear once in a spec: merge the two entries, or change the name or namespace.',
        },
      );
    } else secrets.set(id, s);

    // Keys in use in this Secret: each token's `<key>` and `<key>Id`, and dtp's own `apiUrl`.
    const names = new Map<string, number>();
    const keys = new Map<string, string>([
      [API_URL_KEY, "the tenant's API URL, which dtp writes into every Secret"],
    ]);
    secret.tokens.forEach((token, t) => {
      const tokenPointer = `${secretPointer}/tokens/${t}`;
      const key = secretKeyOf(token);
      const keyPointer =
        token.keyNameInSecret !== undefined ? `${tokenPointer}/keyNameInSecret` : `${tokenPointer}/name`;
      const sameName = names.get(token.name);
      if (sameName !== undefined) {
        problems.at(
          doc,
          `${tokenPointer}/name`,
          `token name \`${token.name}\` is already used by tokens[${sameName}] of this Secret`,
          {
            hint: 'Token names must be unique within a Secret: dtp tells the tokens of a cluster apart by them.',
          },
        );
        return;
      }
      names.set(token.name, t);
      const clash = keyClash(key, keys);
      if (clash) {
        problems.at(doc, keyPointer, clash, {
          hint:
            token.keyNameInSecret === undefined
              ? 'Set `keyNameInSecret` to a key of its own (the key defaults to the token name).'
              : 'Choose another `keyNameInSecret`.',
        });
        return;
      }
      keys.set(key, `the value of token \`${token.name}\``);
      keys.set(`${key}${ID_SUFFIX}`, `the id of token \`${token.name}\` (dtp writes it under \`<key>Id\`)`);
    });
  });
}

function keyClash(key: string, keys: Map<string, string>): string | undefined {
  const taken = keys.get(key);
  if (taken !== undefined) return `Secret key \`${key}\` is already used for ${taken}`;
  const idTaken = keys.get(`${key}${ID_SUFFIX}`);
  if (idTaken !== undefined) {
    return `this token's id would be written under \`${key}${ID_SUFFIX}\`, which is already used for ${idTaken}`;
  }
  return undefined;
}
