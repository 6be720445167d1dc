/**
 * Three recurrent shapes the search tries from every start, after the others (src/numeric/adversarial.ts `shift`,
 * `rotation`), each at the drives' peak: a nilpotent shift of full index, a Jordan block with a small eigenvalue, and a
 * quarter-turn rotation. The shapes before them were I + N (eigenvalue 1), u wᵀ (W² = 0), u uᵀ and I: a linear RNN's
 * ‖∂h_T/∂h_{T−2}‖ ≤ 10⁴ ρ(∂h_T/∂h_{T−2}) was consistent on every seed and budget (tightest 0.063), and a tanh RNN's
 * cᵀ∇_{h_{T−2}}L ≥ −0.9‖c‖²‖W‖² and tr ∂h_T/∂h_{T−2} ≥ −1.5‖W‖² under several seeds (a review's: W² = −‖W‖²I at a rotation).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { exportCounterexample } from '../../src/check/export-instance.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const SHIFT = 'test/fixtures/models/linear-shift.yaml';
const ROTATION = 'test/fixtures/models/rotation-rnn.yaml';

describe('a shift, a Jordan block with a small eigenvalue and a rotation among the constructions', () => {
  it('refute a linear RNN bound ‖W²‖ ≤ 10⁴ ρ(W²) at the shift, at numbers numpy recomputes; true ones hold', () => {
    const derivation = loadDerivationFile(SHIFT);
    const [byRadius, radius, square] = checkDerivation(derivation);
    expect(byRadius!.verdict).toBe('refuted');
    expect(evidenceOf(byRadius!.evidence, 'search')).toMatchObject({ found: true });
    const cx = byRadius!.counterexample!;
    expect(cx.sizes).toEqual({ T: 3, d: 4, m: 1 });
    // W the nilpotent shift itself (ones above the diagonal): ρ(W²) = 0, which the decimals' ρ, bounded since
    // 2026-12-06 (src/numeric/decimal-eigen.ts), decides; float64's violation alone was undecided there before, and the
    // Jordan block with λ = 1/512 refuted it (0.99920 against 10⁴ ρ = 0.03804, linear_shift.py)
    const W = exportCounterexample(derivation, byRadius!, cx).parameters.W!.values;
    expect(W).toEqual([
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [0, 0, 0, 0],
    ]);
    // test/fixtures/numpy/linear_shift.py on the export: W² by finite differences exact, ρ(W²) = 0 exactly (sympy):
    // ‖W²‖₂ = 1 against 10⁴ ρ = 0
    expect([cx.lhs[0], cx.rhs[0]]).toEqual([1, 0]);
    // ρ(A) ≤ ‖A‖₂ and ‖W²‖₂ ≤ ‖W‖₂² hold (the second proved by the rules: ∂h_T/∂h_{T−2} = W² from T = 2)
    expect([radius!.verdict, square!.verdict]).toEqual(['consistent', 'proved']);
  });

  it('refute a tanh RNN bound two steps back that a rotation breaks, at numbers numpy recomputes; true ones hold', () => {
    const derivation = loadDerivationFile(ROTATION);
    const [quadratic, trace, quadraticTrue, traceTrue] = checkDerivation(derivation);
    expect([quadratic!.verdict, trace!.verdict]).toEqual(['refuted', 'refuted']);
    for (const r of [quadratic!, trace!]) {
      const cx = r.counterexample!;
      expect(cx.sizes).toEqual({ T: 4, d: 3, m: 2 });
      // the rotation at the contracting regime's norm, ½: W² = −¼ on the first two units, 0 on the third
      expect(exportCounterexample(derivation, r, cx).parameters.W!.values).toEqual([
        [0, 0.5, 0],
        [-0.5, 0, 0],
        [0, 0, 0],
      ]);
    }
    // test/fixtures/numpy/rotation_rnn.py on the export: the drives at 0, so ∂h_4/∂h_2 = W² (finite differences to
    // 1e-13); cᵀW²c = −0.18254 against −0.9‖c‖²‖W‖² = −0.17591 (c the solved read-out), tr W² = −½ against −0.375
    expect(quadratic!.counterexample!.lhs[0]! / -0.18253512815651973).toBeCloseTo(1, 12);
    expect(quadratic!.counterexample!.rhs[0]! / -0.17590599014623698).toBeCloseTo(1, 12);
    expect(trace!.counterexample!.lhs[0]).toBe(-0.5);
    expect(trace!.counterexample!.rhs[0]).toBe(-0.375);
    // |cᵀ J c| ≤ ‖J‖₂‖c‖² and |tr J| ≤ d‖J‖₂, with ‖J‖₂ ≤ ‖W‖₂², hold (tight at the rotation)
    expect([quadraticTrue!.verdict, traceTrue!.verdict]).toEqual(['consistent', 'consistent']);
  });

  it.each([1, 2, 3, 5])('refute both rotation bounds under master seed %i', (masterSeed) => {
    const results = checkDerivation(loadDerivationFile(ROTATION), {
      masterSeed,
      claims: ['quadratic-09', 'trace-15'],
    });
    expect(results.map((r) => r.verdict)).toEqual(['refuted', 'refuted']);
  });
});
