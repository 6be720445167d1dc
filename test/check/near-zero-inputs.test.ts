/**
 * A bound whose right side vanishes with an input is tightest as the input goes to 0: a GRU step's
 * ‖h_T − z ⊙ h_{T−1} − (1 − z) ⊙ tanh(U_n(r ⊙ h_{T−1}) + b_n)‖ ≤ 0.999999‖W_n x_T‖ is (1 − z) tanh(δ)/δ of its right side
 * at δ = W_n x_T: false only with the update gate shut and δ small. Beyond the regimes, at each gate setting the last
 * step's inputs go to 0.01× and 0.0001× the start's (src/numeric/adversarial.ts nearZeroInputConstructions). review157
 * found the bound consistent at --seed 1. The counterexample's sides are recomputed from its export by
 * test/fixtures/numpy/near_zero_gru.py.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import NUMPY from '../fixtures/numpy/near-zero-gru.json' with { type: 'json' };

const GRU = loadDerivationFile('test/fixtures/models/near-zero-gru.yaml');

describe('a GRU’s last input near 0 with its update gate shut', () => {
  const [falseClaim, trueClaim] = checkDerivation(GRU, { masterSeed: 1 });

  it('refutes the bound 0.999999 at numpy’s values, and leaves the bound 1 consistent', () => {
    expect([falseClaim!.verdict, trueClaim!.verdict]).toEqual(['refuted', 'consistent']);
    const cx = falseClaim!.counterexample!;
    expect([cx.instance, cx.sizes]).toEqual([NUMPY.instance, NUMPY.sizes]);
    // the input 1e-4 of the start's, the update gate at σ(−16), the state before at 0
    expect(Math.abs(NUMPY.lastInput[0]!)).toBeLessThan(1e-3);
    for (const z of NUMPY.updateGate) expect(z).toBeCloseTo(1.1253e-7, 10);
    expect(cx.lhs[0]! / NUMPY.lhs).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / NUMPY.rhs).toBeCloseTo(1, 12);
    // (1 − z) tanh(δ)/δ = 1 − 1.1e-7 against 0.999999: a relative excess of 8.9e-7
    expect(NUMPY.ratioClosedForm).toBeGreaterThan(0.999999);
    expect(cx.relError).toBeCloseTo((NUMPY.lhs - NUMPY.rhs) / NUMPY.lhs, 12);
  });

  it('says where it looked', () => {
    const search = evidenceOf(trueClaim!.evidence, 'search')!;
    expect(search.beyond!.nearZero).toEqual({ inputs: ['x'], times: [0.01, 0.0001] });
    expect(evidenceSummary(search)).toContain("at each gate setting the last x also 0.01× and 0.0001× the start's");
  });
});
