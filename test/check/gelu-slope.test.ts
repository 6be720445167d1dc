/**
 * A GELU(tanh) RNN (review146 r5b): ‖∂g_T/∂g_{T−1}‖ ≤ ‖V‖ and ≤ 1.128‖V‖ are false (gelu′ peaks at 1.128993), yet both
 * were `unverifiable`: the exact reference "failed its own cross-check" at one saturated point (jac|g@8|g@7|), where
 * finite differences missed the reference by 7.3e-5 while dual numbers and adjoints agreed to 1.3e-16. The reference
 * was right; the differences were rounding: the body 0.5x(1 + tanh(…)) at x ≈ −6 leaves 1 + tanh ≈ 3e-11 out of terms of
 * size 1, so each value of F is off by ≈ 1e-16 absolute, a million times the ε·|F| the noise floor assumed. The floor
 * now also takes the noise the values show (their fourth difference, src/numeric/finite-diff.ts observedNoise).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const FILE = 'test/fixtures/models/gelu-slope.yaml';
const results = new Map(checkDerivation(loadDerivationFile(FILE)).map((r) => [r.id, r]));

describe('a GELU(tanh) RNN whose slope exceeds 1', () => {
  it('refutes both false bounds: the saturated point no longer fails the finite-difference cross-check', () => {
    for (const id of ['r5b-gelu-bdV-false', 'r5b-gelu-bd1128-false']) {
      const r = results.get(id)!;
      expect(r.verdict, id).toBe('refuted');
      const fd = evidenceOf(r.evidence, 'finite-differences')!;
      expect(fd.failures, id).toEqual([]);
      expect([fd.checks, fd.resolved], id).toEqual([20, 19]);
      expect(evidenceOf(r.evidence, 'dual-vs-adjoint')!.failures, id).toEqual([]);
    }
    // 4 of the 20 random points violate ≤ ‖V‖ (the review's count); ≤ 1.128‖V‖ (0.09 % off) only the search finds
    expect(evidenceOf(results.get('r5b-gelu-bdV-false')!.evidence, 'reference')).toMatchObject({
      points: 20,
      violated: 4,
    });
    expect(evidenceOf(results.get('r5b-gelu-bd1128-false')!.evidence, 'search')).toMatchObject({ found: true });
  });

  it('at numbers numpy recomputes: d = 1, ‖V‖ = 0.5, u_T = 0.8825, gelu′(u_T) = 1.0494', () => {
    const cx = results.get('r5b-gelu-bdV-false')!.counterexample!;
    expect([cx.instance, cx.regime, cx.sizes]).toEqual([8, 'contracting', { T: 3, d: 1, m: 2 }]);
    // test/fixtures/numpy/gelu_slope.py on this counterexample's export: u_T = 0.8825059077678902, gelu′(u_T) =
    // 1.0494147817196842 (closed form and complex step alike), lhs = 0.5247073908598421, rhs = ‖V‖₂ = 0.5
    expect(cx.lhs[0]! / 0.5247073908598421).toBeCloseTo(1, 14);
    expect(cx.rhs[0]).toBe(0.5);
    expect(cx.relError).toBeCloseTo((0.5247073908598421 - 0.5) / 0.5247073908598421, 14);
  });
});
