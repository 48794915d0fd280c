/**
 * YAML text → documents with positions. js-yaml's event stream carries source offsets; one walk over it
 * indexes where every key and value was written, finds duplicate keys, and counts what aliases would expand
 * to, before any value is constructed. Each document is then constructed on its own, so a broken document
 * does not hide the problems of its neighbours.
 */
import {
  constructFromEvents,
  CORE_SCHEMA,
  EVENT_ID,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  YAMLException,
  type AliasEvent,
  type Event,
  type MappingEvent,
  type ScalarEvent,
  type SequenceEvent,
} from 'js-yaml';
import type { LoadLimits } from './limits.js';
import { childPointer, fieldName, LineMap, PositionIndex, type Position } from './positions.js';
import type { ConfigDocument, Problems } from './problems.js';

export interface ParsedFile {
  /** Documents that were read without problems, in file order. */
  documents: ConfigDocument[];
  /** Where documents with no content (`---` with nothing after it) start. */
  empty: Position[];
  /** Whether a problem was reported for this file. */
  broken: boolean;
}

interface Frame {
  collection: 'mapping' | 'sequence';
  pointer: string;
  /** Whether this collection is itself a mapping key (a complex key). */
  isKey: boolean;
  /** Offset of the collection's first character (a block sequence's first `-`). */
  start: number;
  anchor: string | undefined;
  /** Nodes in this collection with aliases expanded, itself included. */
  size: number;
  awaitingKey: boolean;
  /** The pointer of the value that the last key opened. */
  valuePointer: string;
  keyOffsets: Map<string, number>;
  nextIndex: number;
}

interface DocumentState {
  index: number;
  firstEvent: number;
  /** Offset of the `---` marker, if written. */
  marker: number | undefined;
  /** Offset of the root node's first character. */
  start: number | undefined;
  empty: boolean;
  positions: PositionIndex;
  anchors: Map<string, number>;
  openAnchors: Set<string>;
  aliases: number;
  expanded: number;
  broken: boolean;
}

const DOCUMENT_MARKER = /^---(?=\s|$)/gm;
const DUPLICATE_KEY_HINT = 'YAML keeps only one of the two values, silently: remove one of them.';

export function parseConfigFile(
  text: string,
  file: string,
  problems: Problems,
  limits: LoadLimits,
): ParsedFile {
  const lines = new LineMap(text);
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file, maxDepth: limits.maxDepth });
  } catch (error) {
    reportYamlError(error, file, lines, problems, limits);
    return { documents: [], empty: [], broken: true };
  }

  const walk = new EventWalk(text, file, lines, problems, limits);
  const states = walk.run(events);
  const result: ParsedFile = { documents: [], empty: [], broken: walk.broken };
  for (const state of states) {
    if (state.empty) {
      result.empty.push(lines.position(state.marker ?? 0));
      continue;
    }
    if (state.broken) continue;
    const value = construct(
      events.slice(state.firstEvent, walk.endOf(state) + 1),
      text,
      file,
      lines,
      problems,
      limits,
    );
    if (value === failed) {
      result.broken = true;
      continue;
    }
    const start = lines.position(state.start ?? state.marker ?? 0);
    result.documents.push({
      file,
      index: state.index,
      value,
      positions: state.positions,
      start: { file, ...start },
    });
  }
  return result;
}

const failed = Symbol('failed');

function construct(
  events: Event[],
  text: string,
  file: string,
  lines: LineMap,
  problems: Problems,
  limits: LoadLimits,
): unknown {
  try {
    // The walk has already rejected duplicate keys, unknown and recursive aliases and alias bombs; this
    // catch is the second line of defence for whatever js-yaml rejects that the walk does not know about.
    const [value] = constructFromEvents(events, {
      source: text,
      filename: file,
      schema: CORE_SCHEMA,
      maxAliases: limits.maxAliases,
    });
    return value;
  } catch (error) {
    reportYamlError(error, file, lines, problems, limits);
    return failed;
  }
}

class EventWalk {
  broken = false;
  readonly #ends = new Map<DocumentState, number>();
  #stack: Frame[] = [];
  #doc: DocumentState | undefined;
  /** End of the last token seen: where searches for markers and block indicators start. */
  #lastEnd = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly lines: LineMap,
    private readonly problems: Problems,
    private readonly limits: LoadLimits,
  ) {}

  endOf(state: DocumentState): number {
    return this.#ends.get(state)!;
  }

  run(events: Event[]): DocumentState[] {
    const states: DocumentState[] = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      switch (event.type) {
        case EVENT_ID.DOCUMENT:
          this.#doc = this.#openDocument(states.length, i, event.explicitStart);
          states.push(this.#doc);
          break;
        case EVENT_ID.MAPPING:
        case EVENT_ID.SEQUENCE:
          this.#openCollection(event);
          break;
        case EVENT_ID.SCALAR:
          this.#scalar(event);
          break;
        case EVENT_ID.ALIAS:
          this.#alias(event);
          break;
        case EVENT_ID.POP:
          if (this.#stack.length > 0) this.#closeCollection();
          else this.#ends.set(this.#doc!, i);
          break;
      }
    }
    return states;
  }

  #openDocument(index: number, firstEvent: number, explicitStart: boolean): DocumentState {
    let marker: number | undefined;
    if (explicitStart) {
      DOCUMENT_MARKER.lastIndex = this.#lastEnd;
      marker = DOCUMENT_MARKER.exec(this.text)?.index;
      if (marker !== undefined) this.#lastEnd = marker + 3;
    }
    return {
      index,
      firstEvent,
      marker,
      start: undefined,
      empty: false,
      positions: new PositionIndex(this.lines),
      anchors: new Map(),
      openAnchors: new Set(),
      aliases: 0,
      expanded: 0,
      broken: false,
    };
  }

  #openCollection(event: MappingEvent | SequenceEvent): void {
    const doc = this.#doc!;
    const slot = this.#slot();
    const offset = Math.min(event.start, ...properties(event));
    this.#lastEnd = Math.max(this.#lastEnd, event.start + 1, event.anchorEnd, event.tagEnd);
    if (slot.isKey) this.#complexKey(offset);
    else this.#placeValue(slot.pointer, offset);
    const anchor = event.anchorStart >= 0 ? this.text.slice(event.anchorStart, event.anchorEnd) : undefined;
    if (anchor !== undefined) doc.openAnchors.add(anchor);
    this.#count(1, offset);
    this.#stack.push({
      collection: event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence',
      pointer: slot.isKey ? `${slot.pointer}/?` : slot.pointer,
      isKey: slot.isKey,
      start: event.start,
      anchor,
      size: 1,
      awaitingKey: true,
      valuePointer: '',
      keyOffsets: new Map(),
      nextIndex: 0,
    });
  }

  #closeCollection(): void {
    const frame = this.#stack.pop()!;
    if (frame.anchor !== undefined) {
      this.#doc!.openAnchors.delete(frame.anchor);
      this.#doc!.anchors.set(frame.anchor, frame.size);
    }
    this.#finish(frame.size, frame.isKey, frame.pointer);
  }

  #scalar(event: ScalarEvent): void {
    const doc = this.#doc!;
    const slot = this.#slot();
    const offset = this.#scalarStart(event);
    this.#lastEnd = Math.max(
      this.#lastEnd,
      event.valueEnd + (isQuoted(event) ? 1 : 0),
      event.anchorEnd,
      event.tagEnd,
    );
    if (event.anchorStart >= 0) doc.anchors.set(this.text.slice(event.anchorStart, event.anchorEnd), 1);
    this.#count(1, offset ?? this.#lastEnd);
    if (!slot.isKey) {
      this.#placeValue(slot.pointer, offset);
      this.#finish(1, false, slot.pointer);
      return;
    }
    const frame = this.#stack.at(-1)!;
    const key = getScalarValue(this.text, event);
    const pointer = childPointer(frame.pointer, key);
    const keyOffset = offset ?? this.#lastEnd;
    const first = frame.keyOffsets.get(key);
    if (key === '<<' && event.style === SCALAR_STYLE.PLAIN) {
      this.#report(
        keyOffset,
        'merge keys (`<<: *anchor`) are not supported',
        'Write the fields out: YAML 1.2 has no merge keys, and a reviewer must see every field of a document.',
      );
    } else if (first !== undefined) {
      const seen = this.lines.position(first);
      this.#report(
        keyOffset,
        `${fieldName(pointer) || key}: duplicate key (first written at line ${seen.line}, column ${seen.column})`,
        DUPLICATE_KEY_HINT,
      );
    } else {
      frame.keyOffsets.set(key, keyOffset);
      doc.positions.setKey(pointer, keyOffset);
    }
    this.#finish(1, true, pointer);
  }

  #alias(event: AliasEvent): void {
    const doc = this.#doc!;
    const slot = this.#slot();
    const offset = event.anchorStart - 1;
    this.#lastEnd = Math.max(this.#lastEnd, event.anchorEnd);
    const name = this.text.slice(event.anchorStart, event.anchorEnd);
    if (slot.isKey) this.#complexKey(offset);
    else this.#placeValue(slot.pointer, offset);
    doc.aliases++;
    const size = doc.anchors.get(name);
    if (doc.aliases === this.limits.maxAliases + 1) {
      this.#report(
        offset,
        `more than ${this.limits.maxAliases} aliases in one document`,
        'Write the values out; a configuration this repetitive is hard to review anyway.',
      );
    } else if (doc.openAnchors.has(name)) {
      this.#report(
        offset,
        `alias *${name} refers to a node that contains it`,
        'An alias cannot point at its own parent.',
      );
    } else if (size === undefined) {
      this.#report(
        offset,
        `alias *${name} has no anchor &${name} before it`,
        `Define \`&${name}\` earlier in the same document.`,
      );
    } else {
      this.#count(size, offset);
    }
    this.#finish(size ?? 1, slot.isKey, slot.pointer);
  }

  /** Where the next node goes: the document root, a sequence item, a mapping key, or a mapping value. */
  #slot(): { pointer: string; isKey: boolean } {
    const top = this.#stack.at(-1);
    if (!top) return { pointer: '', isKey: false };
    if (top.collection === 'sequence')
      return { pointer: childPointer(top.pointer, top.nextIndex), isKey: false };
    if (top.awaitingKey) return { pointer: top.pointer, isKey: true };
    return { pointer: top.valuePointer, isKey: false };
  }

  #finish(size: number, isKey: boolean, pointer: string): void {
    const top = this.#stack.at(-1);
    if (!top) return;
    top.size += size;
    if (top.collection === 'sequence') top.nextIndex++;
    else if (isKey) {
      top.awaitingKey = false;
      top.valuePointer = pointer;
    } else top.awaitingKey = true;
  }

  /** Records a value's position; an empty value (`key:` with nothing after it) is placed on its key. */
  #placeValue(pointer: string, offset: number | undefined): void {
    const doc = this.#doc!;
    if (pointer === '') {
      if (offset === undefined) doc.empty = true;
      else doc.start = offset;
    }
    if (offset !== undefined) doc.positions.setValue(pointer, offset);
    else {
      const dash = this.#emptyItemDash();
      if (dash !== undefined) doc.positions.setValue(pointer, dash);
    }
  }

  #complexKey(offset: number): void {
    this.#report(
      offset,
      'a mapping key must be plain text',
      'Write `name: value`; lists, mappings and aliases cannot be keys here.',
    );
  }

  /** Counts expanded nodes, stopping the document once it would expand beyond the limit. */
  #count(nodes: number, offset: number): void {
    const doc = this.#doc!;
    const before = doc.expanded;
    doc.expanded += nodes;
    if (before <= this.limits.maxExpandedNodes && doc.expanded > this.limits.maxExpandedNodes) {
      this.#report(
        offset,
        `the document expands to more than ${this.limits.maxExpandedNodes.toLocaleString('en-US')} values through its aliases`,
        'Aliases that refer to aliases multiply ("billion laughs"); write the values out instead.',
      );
    }
  }

  #report(offset: number, message: string, hint: string): void {
    this.problems.inFile(this.file, message, { hint, position: this.lines.position(offset) });
    if (this.#doc) this.#doc.broken = true;
    this.broken = true;
  }

  #scalarStart(event: ScalarEvent): number | undefined {
    let start: number | undefined;
    if (event.valueStart >= 0) {
      if (isQuoted(event)) start = event.valueStart - 1;
      else if (event.style === SCALAR_STYLE.LITERAL_BLOCK || event.style === SCALAR_STYLE.FOLDED_BLOCK) {
        start = this.#blockIndicator(event.valueStart);
      } else start = event.valueStart;
    }
    const props = properties(event);
    return start === undefined && props.length === 0 ? undefined : Math.min(start ?? Infinity, ...props);
  }

  /** `|` or `>` of a block scalar: its content starts on the next line, the reader looks at the indicator. */
  #blockIndicator(contentStart: number): number {
    const between = this.text.slice(this.#lastEnd, contentStart);
    const at = between.search(/[|>]/);
    return at === -1 ? contentStart : this.#lastEnd + at;
  }

  /** The `-` of an empty sequence item (a mapping's empty value is placed on its key instead). */
  #emptyItemDash(): number | undefined {
    const top = this.#stack.at(-1);
    if (top?.collection !== 'sequence') return undefined;
    if (top.nextIndex === 0) return top.start;
    const at = this.text.indexOf('-', this.#lastEnd);
    return at === -1 ? undefined : at;
  }
}

function isQuoted(event: ScalarEvent): boolean {
  return event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
}

/** Offsets of a node's anchor (`&name`, at the `&`) and tag (`!tag`), the parts written before its content. */
function properties(event: ScalarEvent | MappingEvent | SequenceEvent): number[] {
  const out: number[] = [];
  if (event.anchorStart >= 0) out.push(event.anchorStart - 1);
  if (event.tagStart >= 0) out.push(event.tagStart);
  return out;
}

const SYNTAX_HINTS: [RegExp, string][] = [
  [/tab/i, 'YAML does not allow tabs for indentation: indent with spaces (two per level).'],
  [/maxDepth/, 'Nothing in the configuration nests this deep; look for runaway brackets or indentation.'],
  [
    /indentation|indented/i,
    'Indent this line like its siblings (a nested field needs more spaces than its parent key), and check that every quote and bracket opened above is closed.',
  ],
  [/end of the stream|unexpected end|closing/i, 'A quote or bracket opened above is not closed.'],
  [
    /non-printable|control/i,
    'Remove the control characters (copy-paste from a terminal or a PDF leaves them).',
  ],
  [/duplicat/i, DUPLICATE_KEY_HINT],
  [/tag/i, 'Custom tags (`!something`) are not used in dtp configuration; remove it.'],
];

function reportYamlError(
  error: unknown,
  file: string,
  lines: LineMap,
  problems: Problems,
  limits: LoadLimits,
): void {
  if (!(error instanceof YAMLException)) {
    problems.inFile(file, `could not read YAML: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'Check the YAML syntax of this file.',
    });
    return;
  }
  const reason = error.reason.replace(
    /nesting exceeded maxDepth \(\d+\)/,
    `nested more than ${limits.maxDepth} levels deep`,
  );
  const hint =
    SYNTAX_HINTS.find(([pattern]) => pattern.test(error.reason))?.[1] ?? 'Check the YAML syntax here.';
  problems.inFile(file, `YAML syntax error: ${reason}`, {
    hint,
    position: error.mark ? lines.position(error.mark.position) : { line: 0, column: 0 },
  });
}
