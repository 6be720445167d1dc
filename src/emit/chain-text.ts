/** The words of a chain's outcome: every step holds (and what that concludes), or the first step that does not. */
import type { ClaimResult } from '../check/result.js';

/** The first step whose verdict does not hold (refuted or unverifiable), or null when all hold. */
export function firstFailingStep(steps: readonly ClaimResult[]): ClaimResult | null {
  return steps.find((s) => s.verdict === 'refuted' || s.verdict === 'unverifiable') ?? null;
}

/**
 * What a chain whose steps all hold says of its first side against its last: = when every step is an equality, ≤ (<
 * when a step is strict) when its other steps are ≤, ≥ likewise, and nothing when it mixes ≤ and ≥ (a ≤ b ≥ c relates
 * no a to c; "all steps hold" alone read as if it did, a review noted).
 */
export function chainConclusion(steps: readonly ClaimResult[]): '=' | '≤' | '<' | '≥' | '>' | null {
  const bounds = steps.filter((s) => s.chain!.relation !== '=');
  if (!bounds.length) return '=';
  const relations = new Set(bounds.map((s) => s.chain!.relation));
  if (relations.size > 1) return null;
  const strict = bounds.some((s) => s.chain!.strict);
  return relations.has('<=') ? (strict ? '<' : '≤') : strict ? '>' : '≥';
}

export function chainOutcome(steps: readonly ClaimResult[]): string {
  const failing = firstFailingStep(steps);
  if (failing)
    return `step ${failing.chain!.step} (${failing.chain!.by}) is the first that does not hold (${failing.verdict}); ${steps.length} steps`;
  const conclusion = chainConclusion(steps);
  return conclusion
    ? `all ${steps.length} steps hold: the first side ${conclusion} the last`
    : `all ${steps.length} steps hold, but they mix ≤ and ≥: nothing follows for the first side against the last`;
}
