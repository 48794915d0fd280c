/**
 * Where each key and value of a YAML document was written, addressed by JSON pointer (the same paths ajv
 * reports in `instancePath`), so any problem found on the constructed value can be put on its line.
 */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what editors and GitHub annotations count). */
  column: number;
}

/** Turns source offsets into lines and columns; built once per file, on first use. */
export class LineMap {
  #starts: number[] | undefined;

  constructor(private readonly text: string) {}

  position(offset: number): Position {
    const starts = (this.#starts ??= lineStarts(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** `key` is where a mapping key was written; `value` where the node itself starts. */
export type Anchor = 'key' | 'value';

export class PositionIndex {
  readonly #keys = new Map<string, number>();
  readonly #values = new Map<string, number>();

  constructor(private readonly lines: LineMap) {}

  setKey(pointer: string, offset: number): void {
    this.#keys.set(pointer, offset);
  }

  setValue(pointer: string, offset: number): void {
    this.#values.set(pointer, offset);
  }

  /**
   * The position of the key or the value at `pointer`. A node that was not indexed (inside an alias, or a
   * path that does not exist) falls back to its nearest indexed ancestor, so every problem gets a line.
   */
  locate(pointer: string, anchor: Anchor = 'value'): Position {
    for (let p: string | undefined = pointer; p !== undefined; p = parentPointer(p)) {
      const key = this.#keys.get(p);
      const value = this.#values.get(p);
      const offset = anchor === 'key' && p === pointer ? (key ?? value) : (value ?? key);
      if (offset !== undefined) return this.lines.position(offset);
    }
    return { line: 1, column: 1 };
  }
}

/** The pointer of the enclosing node; undefined for the document root (""). */
export function parentPointer(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

/** Appends one key or index to a JSON pointer, escaping `~` and `/` as RFC 6901 (and ajv) do. */
export function childPointer(pointer: string, segment: string | number): string {
  if (typeof segment === 'number') return `${pointer}/${segment}`;
  return `${pointer}/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** `/spec/secrets/0/tokens/1` → `spec.secrets[0].tokens[1]`: how the field is named in messages. */
export function fieldName(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
