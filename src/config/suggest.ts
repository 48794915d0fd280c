/** "Did you mean …?" for misspelt fields, kinds, scopes and references. */

/** Lower case without `_` and `-`: `ocm_org_ids`, `ocmOrgIds` and `OCM-org-IDs` are the same word. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Work allowed for suggestions, in compared character pairs. A hostile or badly broken configuration can
 * have thousands of unknown references against thousands of ids; suggestions stop when this runs out
 * instead of stalling the run (a reviewer reads the first few anyway).
 */
export class SuggestionBudget {
  constructor(public cells = 20_000_000) {}
}

/**
 * Optimal string alignment distance (Levenshtein plus swapped neighbours), or Infinity as soon as it must
 * exceed `limit`.
 */
function distance(a: string, b: string, limit: number, budget: SuggestionBudget): number {
  budget.cells -= (a.length + 1) * (b.length + 1);
  let before = Array.from({ length: b.length + 1 }, (_, j) => j);
  let previous = before.slice();
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
      rowBest = Math.min(rowBest, best);
    }
    if (rowBest > limit) return Infinity;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

const unlimited = () => new SuggestionBudget(Infinity);

/** The candidate closest to `word`, if it is close enough to be a typo of it. */
export function closest(
  word: string,
  candidates: Iterable<string>,
  budget = unlimited(),
): string | undefined {
  const target = normalise(word);
  // One edit in four characters: `entites.read` finds `entities.read`, `abc` does not find `xyz`.
  const limit = Math.max(1, Math.floor(target.length / 4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (budget.cells <= 0) break;
    const other = normalise(candidate);
    if (candidate === word || Math.abs(other.length - target.length) > limit) continue;
    const d = distance(target, other, limit, budget);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/** `; did you mean \`x\`?` to end a message with, or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>, budget?: SuggestionBudget): string {
  const match = closest(word, candidates, budget);
  return match === undefined ? '' : `; did you mean \`${match}\`?`;
}
