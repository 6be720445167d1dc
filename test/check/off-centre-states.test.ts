/**
 * A state some activation is not 0 at its peak (σ(0) = ½) feeds back: `peak`, with every state at 0, leaves the
 * pre-activations off 0 from step 2. Beyond the regimes the search now also starts each such state at f(0) and centres
 * every equation's bias (src/numeric/steepest-constructions.ts offCentreEquations). A review's (review149) sigmoid RNN
 * bound (0.2499999‖A‖)^T and a Jordan network's 0.2499999‖V‖‖W_y‖, false by 4e-7 per step at the peak, were
 * consistent at seeds 20261120, 1, 2 and 3; numpy: test/fixtures/numpy/sigma_state_peak.py.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

/** sigma_state_peak.py: A = 12·I, r_0 = ½, e = −6·𝟙 at T = 2, d = 2 */
const NUMPY = { lhs: 9.0, rhs: 8.999992800001442 };

describe('states off 0 at the peak', () => {
  it("refute a sigmoid RNN's (0.2499999‖A‖)^T with every step at σ's peak, and prove (‖A‖/4)^T", () => {
    const results = checkDerivation(loadDerivationFile('test/fixtures/models/sigma-state-peak.yaml'));
    const [tight, under] = ['e-sig-T-true', 'e-sig-T-false'].map((id) => results.find((r) => r.id === id)!);
    expect(tight!.verdict).toBe('proved');
    expect(under!.verdict).toBe('refuted');
    const cx = under!.counterexample!;
    expect(cx.sizes).toEqual({ T: 2, d: 2, m: 2 });
    expect(cx.beyondRegimes!.find((x) => x.name === 'A')!.value).toBeCloseTo(12, 12);
    expect(cx.lhs[0]).toBeCloseTo(NUMPY.lhs, 12);
    expect(cx.rhs[0]).toBeCloseTo(NUMPY.rhs, 12);
    expect(evidenceOf(under!.evidence, 'search')!.beyond).toMatchObject({ found: true });
  });

  it("refute a Jordan network's 0.2499999‖V‖‖W_y‖ with y at ½ and h at 0 throughout, and prove ‖V‖‖W_y‖/4", () => {
    const results = checkDerivation(loadDerivationFile('test/fixtures/models/jordan-peak.yaml'));
    const verdicts = results.map((r) => [r.id, r.verdict]);
    expect(verdicts).toEqual([
      ['f-bound-true', 'proved'],
      ['f-bound-false', 'refuted'],
      ['f-bound-one-false', 'refuted'],
    ]);
    // at the peak the Jacobian is ¼ V W_y (1 × 1 here: d = 1): its ratio to the bound is 1/0.9999996 whatever V and W_y
    for (const r of results.slice(1)) {
      const cx = r.counterexample!;
      expect(cx.lhs[0]! / cx.rhs[0]!).toBeCloseTo(1 / 0.9999996, 12);
    }
  });
});
