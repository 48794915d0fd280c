/**
 * The order decisions are taken in (which of two bindings gets a contested Secret, which slots rotate first
 * under the budget) must be the same on every runner. `localeCompare` follows the process locale
 * (LANG/LC_ALL): under da_DK "aa" sorts after "z", under et_EE "z" before "t", so a pull request's plan on
 * one runner and the reconcile on another could decide differently over the same fleet. Pinned to English
 * collation, the order runs under C and en_US have always had.
 */
const collator = new Intl.Collator('en');

export function decisionOrder(a: string, b: string): number {
  return collator.compare(a, b);
}
