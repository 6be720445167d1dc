/** The words of a chain's outcome: every step holds, or the first step that does not. */
import type { ClaimResult } from '../check/result.js';

/** The first step whose verdict does not hold (refuted or unverifiable), or null when all hold. */
export function firstFailingStep(steps: readonly ClaimResult[]): ClaimResult | null {
  return steps.find((s) => s.verdict === 'refuted' || s.verdict === 'unverifiable') ?? null;
}

export function chainOutcome(steps: readonly ClaimResult[]): string {
  const failing = firstFailingStep(steps);
  return failing
    ? `step ${failing.chain!.step} (${failing.chain!.by}) is the first that does not hold (${failing.verdict}); ${steps.length} steps`
    : `all ${steps.length} steps hold`;
}
