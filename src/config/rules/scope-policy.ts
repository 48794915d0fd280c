/**
 * Risk-graded scopes: forbidden ones never pass (the schema's enum leaves them out, schema-errors.ts says
 * why), elevated ones pass only when the spec acknowledges them under `acknowledgedScopes` with a reason,
 * so granting a cluster configuration writes, data export or a broad read is always a written decision.
 */
import type { Located } from '../catalog.js';
import type { Problems } from '../problems.js';
import { scopeClass } from '../scopes.js';
import type { TokenSpec } from '../types.js';

export function checkScopePolicy({ doc, object: spec }: Located<TokenSpec>, problems: Problems): void {
  const acknowledged = new Map<string, number>();
  (spec.acknowledgedScopes ?? []).forEach(({ scope }, index) => {
    const pointer = `/spec/acknowledgedScopes/${index}/scope`;
    const first = acknowledged.get(scope);
    if (first !== undefined) {
      problems.at(
        doc,
        pointer,
        `scope \`${scope}\` is already acknowledged by acknowledgedScopes[${first}]`,
        {
          hint: 'Acknowledge each scope once; merge the two reasons.',
        },
      );
      return;
    }
    acknowledged.set(scope, index);
    if (scopeClass(scope)?.grade !== 'elevated') {
      problems.at(doc, pointer, `scope \`${scope}\` is not elevated and needs no acknowledgement`, {
        severity: 'warning',
        hint: 'Remove this entry; docs/configuration.md grades every scope.',
      });
    }
  });

  const used = new Set<string>();
  spec.secrets.forEach((secret, s) =>
    secret.tokens.forEach((token, t) =>
      token.scopes.forEach((scope, i) => {
        used.add(scope);
        const grade = scopeClass(scope);
        if (grade?.grade !== 'elevated' || acknowledged.has(scope)) return;
        problems.at(
          doc,
          `/spec/secrets/${s}/tokens/${t}/scopes/${i}`,
          `scope \`${scope}\` is elevated (${grade.reason}) and is not acknowledged`,
          {
            hint: `If the clusters need it, add \`acknowledgedScopes: [{scope: ${scope}, reason: <why the clusters need it>}]\` to the spec; otherwise remove it.`,
          },
        );
      }),
    ),
  );

  for (const [scope, index] of acknowledged) {
    if (used.has(scope) || scopeClass(scope)?.grade !== 'elevated') continue;
    problems.at(
      doc,
      `/spec/acknowledgedScopes/${index}/scope`,
      `scope \`${scope}\` is acknowledged but no token of this spec has it`,
      { severity: 'warning', hint: 'Remove the entry, so the acknowledgement stays a true list.' },
    );
  }
}
