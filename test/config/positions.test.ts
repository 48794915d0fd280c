/** The position index: where every key and value of a document was written, in every YAML style. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/config/limits.js';
import { childPointer, fieldName, LineMap, parentPointer } from '../../src/config/positions.js';
import { Problems, type ConfigDocument } from '../../src/config/problems.js';
import { parseConfigFile } from '../../src/config/yaml.js';

function parse(text: string): { docs: ConfigDocument[]; problems: Problems } {
  const problems = new Problems();
  const parsed = parseConfigFile(text, 'f.yaml', problems, DEFAULT_LIMITS);
  return { docs: parsed.documents, problems };
}

/** `[line, column]` of the key or value at `pointer`. */
function at(doc: ConfigDocument, pointer: string, anchor: 'key' | 'value' = 'value'): [number, number] {
  const { line, column } = doc.positions.locate(pointer, anchor);
  return [line, column];
}

describe('position index', () => {
  it('indexes keys and values in block style', () => {
    const { docs } = parse('kind: X\nspec:\n  name: a\n  list:\n    - one\n    - two: 2\n      three: 3\n');
    const [doc] = docs;
    expect(at(doc!, '/kind', 'key')).toEqual([1, 1]);
    expect(at(doc!, '/kind')).toEqual([1, 7]);
    expect(at(doc!, '/spec', 'key')).toEqual([2, 1]);
    // A block mapping starts at its first key.
    expect(at(doc!, '/spec')).toEqual([3, 3]);
    expect(at(doc!, '/spec/name')).toEqual([3, 9]);
    expect(at(doc!, '/spec/list')).toEqual([5, 5]);
    expect(at(doc!, '/spec/list/0')).toEqual([5, 7]);
    expect(at(doc!, '/spec/list/1')).toEqual([6, 7]);
    expect(at(doc!, '/spec/list/1/three', 'key')).toEqual([7, 7]);
    expect(at(doc!, '/spec/list/1/three')).toEqual([7, 14]);
  });

  it('indexes keys and values in flow style, the collections at their brackets', () => {
    const { docs } = parse('a: {b: [x, {c: y}], d: "q"}\n');
    const [doc] = docs;
    expect(at(doc!, '/a')).toEqual([1, 4]);
    expect(at(doc!, '/a/b', 'key')).toEqual([1, 5]);
    expect(at(doc!, '/a/b')).toEqual([1, 8]);
    expect(at(doc!, '/a/b/1/c', 'key')).toEqual([1, 13]);
    expect(at(doc!, '/a/b/1/c')).toEqual([1, 16]);
    // A quoted scalar starts at its quote.
    expect(at(doc!, '/a/d')).toEqual([1, 24]);
  });

  it('places block scalars at their indicator, and anchored or tagged nodes at the anchor or tag', () => {
    const { docs } = parse('a: |\n  text\nb: >-\n  more\nc: &x !!str v\nd: *x\ne: &m\n  k: v\n');
    const [doc] = docs;
    expect(at(doc!, '/a')).toEqual([1, 4]);
    expect(at(doc!, '/b')).toEqual([3, 4]);
    expect(at(doc!, '/c')).toEqual([5, 4]);
    expect(at(doc!, '/d')).toEqual([6, 4]);
    expect(at(doc!, '/e')).toEqual([7, 4]);
  });

  it('places an empty value on its key, and an empty list item on its dash', () => {
    const { docs } = parse('a:\nb: 1\nlist:\n  -\n  - x\n  -\n');
    const [doc] = docs;
    expect(at(doc!, '/a')).toEqual([1, 1]);
    expect(at(doc!, '/list/0')).toEqual([4, 3]);
    expect(at(doc!, '/list/2')).toEqual([6, 3]);
  });

  it('falls back to the nearest indexed ancestor (inside an alias, or a path that does not exist)', () => {
    const { docs } = parse('base: &s [a, b]\nuse:\n  list: *s\n');
    const [doc] = docs;
    expect(at(doc!, '/use/list/1')).toEqual([3, 9]);
    expect(at(doc!, '/use/missing/deeper')).toEqual([3, 3]);
  });

  it('keeps absolute positions across documents of one file', () => {
    const { docs } = parse('# header\na: 1\n---\n# second\nb:\n  c: 2\n---\nd: [3]\n');
    expect(docs.map((d) => [d.index, d.start.line, d.start.column])).toEqual([
      [0, 2, 1],
      [1, 5, 1],
      [2, 8, 1],
    ]);
    expect(at(docs[1]!, '/b/c')).toEqual([6, 6]);
    expect(at(docs[2]!, '/d/0')).toEqual([8, 5]);
  });

  it('counts columns in UTF-16 code units and ignores CR before LF', () => {
    const { docs } = parse('{a: "é😀", b: x}\n');
    // The emoji is two code units: b sits at column 12, as an editor shows it.
    expect(at(docs[0]!, '/b', 'key')).toEqual([1, 12]);
    const crlf = parse('a: 1\r\nnext: x\r\n').docs[0]!;
    expect(at(crlf, '/next')).toEqual([2, 7]);
    const lines = new LineMap('ab\r\ncd');
    expect(lines.position(4)).toEqual({ line: 2, column: 1 });
  });

  it('reports every duplicate key, not only the first', () => {
    const { problems } = parse('a: 1\nb: 2\na: 3\n---\nx: {y: 1, y: 2}\n');
    expect(problems.diagnostics.map((d) => [d.line, d.column, d.message])).toEqual([
      [3, 1, 'a: duplicate key (first written at line 1, column 1)'],
      [5, 11, 'x.y: duplicate key (first written at line 5, column 5)'],
    ]);
  });

  it('still returns the good documents of a file with one broken document', () => {
    const { docs, problems } = parse('a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n');
    expect(docs.map((d) => d.value)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(problems.diagnostics).toHaveLength(1);
  });
});

describe('pointers and field names', () => {
  it('escapes keys as JSON pointers do (what ajv reports)', () => {
    expect(childPointer('/a', 'b/c~d')).toBe('/a/b~1c~0d');
    expect(childPointer('/a', 3)).toBe('/a/3');
    expect(parentPointer('/a/b~1c')).toBe('/a');
    expect(parentPointer('')).toBeUndefined();
  });

  it('names fields as the messages do', () => {
    expect(fieldName('/spec/secrets/0/tokens/12/scopes/3')).toBe('spec.secrets[0].tokens[12].scopes[3]');
    expect(fieldName('/metadata/labels/app.kubernetes.io~1name')).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    expect(fieldName('')).toBe('');
  });
});
