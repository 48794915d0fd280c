/**
 * One document at a time: is it a mapping, is it `apiVersion: dtp/v1`, is its kind known, and does it
 * match its kind's schema. What passes becomes a typed definition; what does not is still kept (by kind)
 * so cross-file rules can see the names and ids it declares.
 */
import type { ConfigDocument, Problems } from './problems.js';
import { quote } from './problems.js';
import { translateSchemaErrors } from './schema-errors.js';
import { validatorFor } from './schemas.js';
import { didYouMean } from './suggest.js';
import { API_VERSION, KINDS, type Kind } from './types.js';

export interface KindDocument {
  doc: ConfigDocument;
  kind: Kind;
  /** Envelope and schema are fine: the document can be turned into a typed definition. */
  valid: boolean;
}

const ENVELOPE_HINT = `Every document starts with \`apiVersion: ${API_VERSION}\`, \`kind\` (${KINDS.join(', ')}), \`metadata\` and \`spec\`.`;

export function checkDocument(doc: ConfigDocument, problems: Problems): KindDocument | undefined {
  const value = doc.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.at(
      doc,
      '',
      `a document must be a mapping (apiVersion, kind, metadata, spec), this one is ${shapeOf(value)}`,
      {
        hint: Array.isArray(value)
          ? 'Remove the leading `- `: each document is one mapping; separate documents with `---`.'
          : ENVELOPE_HINT,
      },
    );
    return undefined;
  }
  const fields = value as Record<string, unknown>;
  const before = problems.errorCount;
  checkApiVersion(doc, fields.apiVersion, problems);
  const kind = checkKind(doc, fields.kind, problems);
  if (kind === undefined) return undefined;

  // The envelope is reported above, with better words than the schema's `const`; the schema checks the rest.
  const validate = validatorFor(kind);
  if (!validate({ ...fields, apiVersion: API_VERSION, kind })) {
    for (const finding of translateSchemaErrors(validate.errors ?? [], kind, problems.suggestions)) {
      problems.at(doc, finding.pointer, finding.message, finding);
    }
  }
  return { doc, kind, valid: problems.errorCount === before };
}

function checkApiVersion(doc: ConfigDocument, apiVersion: unknown, problems: Problems): void {
  if (apiVersion === API_VERSION) return;
  if (apiVersion === undefined) {
    problems.at(doc, '', 'missing required field `apiVersion`', {
      hint: `Add \`apiVersion: ${API_VERSION}\` as the first line of the document.`,
    });
    return;
  }
  problems.at(doc, '/apiVersion', `must be \`${API_VERSION}\`, got ${quote(apiVersion)}`, {
    hint: `dtp reads only \`apiVersion: ${API_VERSION}\` documents; this is not a Kubernetes resource.`,
  });
}

function checkKind(doc: ConfigDocument, kind: unknown, problems: Problems): Kind | undefined {
  if ((KINDS as readonly unknown[]).includes(kind)) return kind as Kind;
  if (kind === undefined) {
    problems.at(doc, '', 'missing required field `kind`', {
      hint: `Add \`kind:\` with one of ${KINDS.join(', ')}.`,
    });
  } else {
    const suggestion = typeof kind === 'string' ? didYouMean(kind, KINDS, problems.suggestions) : '';
    problems.at(doc, '/kind', `unknown kind ${quote(kind)}${suggestion}`, {
      hint: `The kinds are ${KINDS.join(', ')}.`,
    });
  }
  return undefined;
}

function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'empty (null)';
  return `the ${typeof value} ${quote(value)}`;
}
