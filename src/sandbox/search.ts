/**
 * The part of OCM's search language dtp uses: clauses joined by `and`, each `field like 'pat%'`,
 * `field in ('a', 'b')`, `field = 'x'`, `field >= 'x'` (and the other comparisons). Strings are single-quoted
 * with `''` for a quote. Anything else is a parse error, answered 400 like the real service.
 */

export type Clause =
  | { field: string; op: 'like'; pattern: RegExp }
  | { field: string; op: 'in'; values: Set<string> }
  | { field: string; op: '=' | '!=' | '>=' | '<=' | '>' | '<'; value: string };

export class SearchError extends Error {}

export function parseSearch(text: string): Clause[] {
  const clauses: Clause[] = [];
  let i = 0;
  const ws = () => {
    while (text[i] === ' ') i++;
  };
  const literal = (): string => {
    ws();
    if (text[i] !== "'") throw new SearchError(`expected a quoted string at position ${i}`);
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) throw new SearchError('unterminated string');
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        i++;
        return out;
      }
      out += text[i++];
    }
  };
  for (;;) {
    ws();
    const field = /^[a-z_][a-z0-9_.]*/i.exec(text.slice(i))?.[0];
    if (!field) throw new SearchError(`expected a field name at position ${i}`);
    i += field.length;
    ws();
    const op = /^(like|in|>=|<=|!=|=|>|<)/i.exec(text.slice(i))?.[0]?.toLowerCase();
    if (!op) throw new SearchError(`expected an operator after '${field}'`);
    i += op.length;
    if (op === 'like') {
      const pattern = literal();
      const regex = pattern
        .split('%')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
      clauses.push({ field, op, pattern: new RegExp(`^${regex}$`, 's') });
    } else if (op === 'in') {
      ws();
      if (text[i] !== '(') throw new SearchError(`expected '(' after 'in'`);
      i++;
      const values: string[] = [];
      for (;;) {
        values.push(literal());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ')') {
          i++;
          break;
        }
        throw new SearchError(`expected ',' or ')' at position ${i}`);
      }
      clauses.push({ field, op, values: new Set(values) });
    } else {
      clauses.push({ field, op: op as '=', value: literal() });
    }
    ws();
    if (i >= text.length) return clauses;
    const and = /^and\b/i.exec(text.slice(i));
    if (!and) throw new SearchError(`expected 'and' at position ${i}`);
    i += 3;
  }
}

/** Whether a resource matches; `get` reads a (dotted) field, undefined when the resource has no such field. */
export function matches(clauses: Clause[], get: (field: string) => string | undefined): boolean {
  return clauses.every((c) => {
    const v = get(c.field);
    if (v === undefined) return false;
    switch (c.op) {
      case 'like':
        return c.pattern.test(v);
      case 'in':
        return c.values.has(v);
      case '=':
        return v === c.value;
      case '!=':
        return v !== c.value;
      case '>=':
        return v >= c.value;
      case '<=':
        return v <= c.value;
      case '>':
        return v > c.value;
      case '<':
        return v < c.value;
    }
  });
}

/** Checks every field of the search is one the resource supports, so a typo is a 400, not an empty list. */
export function checkFields(clauses: Clause[], known: readonly string[]): void {
  for (const c of clauses) {
    if (!known.includes(c.field)) throw new SearchError(`unknown field '${c.field}'`);
  }
}

/** `id asc`, `timestamp desc`: the order parameter for the fields a resource supports. */
export function parseOrder(
  text: string | null,
  known: readonly string[],
): { field: string; desc: boolean } | undefined {
  if (!text) return undefined;
  const m = /^\s*([a-z_.]+)(?:\s+(asc|desc))?\s*$/i.exec(text);
  const field = m?.[1];
  if (!m || !field || !known.includes(field)) throw new SearchError(`cannot order by '${text}'`);
  return { field, desc: m[2]?.toLowerCase() === 'desc' };
}
