/**
 * Every document of the folder, sorted by kind, with the typed definitions of the valid ones. Cross-file
 * rules read declared names and ids from all documents of a kind (valid or not), so one broken document
 * does not turn every reference to it into a second, misleading error.
 */
import type { KindDocument } from './documents.js';
import { define } from './model.js';
import type { ConfigDocument } from './problems.js';
import type { AllowedOrganization, DynatraceTenant, Kind, OcmEnvironment, TokenSpec } from './types.js';

export interface Located<T> {
  doc: ConfigDocument;
  object: T;
}

export class Catalog {
  /**
   * Set when some file or document could not be read or classified: it may have declared any name or id,
   * so "not declared" cannot be concluded (that would report one mistake a second time, misleadingly).
   */
  incomplete = false;
  readonly #byKind = new Map<Kind, ConfigDocument[]>();
  readonly tenants: Located<DynatraceTenant>[] = [];
  readonly tokenSpecs: Located<TokenSpec>[] = [];
  readonly organizations: Located<AllowedOrganization>[] = [];
  readonly ocmEnvironments: Located<OcmEnvironment>[] = [];

  add({ doc, kind, valid }: KindDocument): void {
    const list = this.#byKind.get(kind) ?? [];
    list.push(doc);
    this.#byKind.set(kind, list);
    if (!valid) return;
    const definition = define(kind, doc);
    switch (definition.kind) {
      case 'DynatraceTenant':
        this.tenants.push({ doc, object: definition.object });
        break;
      case 'TokenSpec':
        this.tokenSpecs.push({ doc, object: definition.object });
        break;
      case 'AllowedOrganization':
        this.organizations.push({ doc, object: definition.object });
        break;
      case 'OcmEnvironment':
        this.ocmEnvironments.push({ doc, object: definition.object });
        break;
    }
  }

  /** Whether no document of any kind was found. */
  get empty(): boolean {
    return this.#byKind.size === 0;
  }

  /** All documents of a kind, valid or not, in file order. */
  documents(kind: Kind): readonly ConfigDocument[] {
    return this.#byKind.get(kind) ?? [];
  }
}

/** The string at a path of a document's raw value, if it is one. */
export function rawString(doc: ConfigDocument, ...path: string[]): string | undefined {
  const value = rawAt(doc.value, path);
  return typeof value === 'string' ? value : undefined;
}

/** The string items of a list at a path, with their indexes (other items are the schema's business). */
export function rawStrings(doc: ConfigDocument, ...path: string[]): [index: number, value: string][] {
  const value = rawAt(doc.value, path);
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index): [number, string][] =>
    typeof item === 'string' ? [[index, item]] : [],
  );
}

function rawAt(value: unknown, path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key))
      return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
