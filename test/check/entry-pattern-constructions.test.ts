/**
 * Entry patterns in the adversarial search (src/numeric/adversarial.ts: one column, one row, every entry 1, at the
 * drives' peak): where the norms that sum entries meet the spectral norm at their constants, √d·‖A‖∞, √d·‖Aᵀ‖∞ and
 * d·‖A‖_max. A review found ‖J‖₂ ≤ 0.999·√d·‖J‖∞ and ‖W‖₂ ≤ 0.999·√d·‖W‖∞ of a tanh RNN consistent under several seeds
 * and --search 2000; all four 0.999 forms here were consistent before the patterns, and their true companions at the
 * exact constant stay consistent, as tight as it gets. Ratios from test/fixtures/numpy/entry_patterns.py: 1/0.999 at
 * every d for each pattern (at the peak every state is 0, so jac(h[T], h[T-1]) = W).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const FILE = 'test/fixtures/models/entry-patterns.yaml';
/** entry_patterns.py: ‖·‖₂ over 0.999 × the constant × the entry-sum norm, for every pattern and d */
const NUMPY_RATIO = 1.001001001001001;

describe('entry patterns where sums of entries meet the spectral norm', () => {
  const results = checkDerivation(loadDerivationFile(FILE));

  it('refutes the 0.999 forms and keeps the exact constants consistent', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['jac-inf-0999-false', 'refuted'],
      ['jac-inf-true', 'consistent'],
      ['W-inf-0999-false', 'refuted'],
      ['W-inf-true', 'consistent'],
      ['W-one-0999-false', 'refuted'],
      ['W-one-true', 'consistent'],
      ['W-max-0999-false', 'refuted'],
      ['W-max-true', 'consistent'],
    ]);
  });

  it("finds each counterexample at the pattern's ratio, 1/0.999, as numpy computes it", () => {
    for (const r of results.filter((x) => x.verdict === 'refuted')) {
      const cx = r.counterexample!;
      expect(cx.lhs[0]! / cx.rhs[0]!, r.id).toBeCloseTo(NUMPY_RATIO, 12);
    }
  });

  it('the true companions are tight: the search reaches lhs/rhs 1 to 12 digits', () => {
    for (const r of results.filter((x) => x.verdict === 'consistent')) {
      const search = evidenceOf(r.evidence, 'search')!;
      expect(search.bestRatio, r.id).toBeCloseTo(1, 12);
    }
  });
});
