/**
 * The full checks of one claim's repair search share two claims' work (src/repair/search.ts FULL_CHECKS_WORK): each
 * had a claim's limit of its own, so the 6 full checks and their second draws could do 14 claims' work — 485 s CPU for
 * one refuted claim (lab eq. (2) × 0.5 at d ≤ 32, T ≤ 300, a review's). The full check is wrapped here so that every
 * candidate's check runs to the limit it is given, as that review's did.
 */
import { describe, expect, it, vi } from 'vitest';
import type * as CheckClaim from '../../src/check/check-claim.js';

const limits: number[] = [];

vi.mock('../../src/check/check-claim.js', async (importOriginal) => {
  const original = await importOriginal<typeof CheckClaim>();
  return {
    ...original,
    checkIfItHolds: (...args: Parameters<typeof original.checkIfItHolds>) => {
      const [, , , , limit, spent] = args;
      limits.push(limit!);
      spent?.(limit! + 1);
      return 'over-limit' as const;
    },
  };
});

const { checkDerivation } = await import('../../src/check/check.js');
const { loadDerivationFile } = await import('../../src/derivation/load.js');
const { repairSearchSummary } = await import('../../src/emit/repair-text.js');

describe("a repair search's full checks", () => {
  it('share two claims’ work: past it they stop, and the summary says so', () => {
    const L = 1e8;
    // 108 candidates pass its screen, and none holds: every full check is tried
    const [r] = checkDerivation(loadDerivationFile('derivations/lab-10-5-lstm.yaml'), {
      claims: ['lab-eq4-total-without-c'],
      instances: 1,
      workLimit: L,
      repair: true,
    });
    const search = r!.repairs!;
    expect(search.work.passedScreen).toBeGreaterThan(2);
    // the first at a claim's limit spends it (one unit past, as a check stopped there does), the second has what is
    // left of the two, and none runs after
    expect(limits).toEqual([L, L - 1]);
    expect(search.work).toMatchObject({ fullChecks: 2, overLimit: 2 });
    expect(search).toMatchObject({ status: 'none', exhausted: true, fullCheckWorkLimit: 2 * L });
    expect(repairSearchSummary(search)).toContain(
      "full checks stopped at their shared work limit (2.00e+8 operations, as 2 claims' checks)",
    );
  });
});
