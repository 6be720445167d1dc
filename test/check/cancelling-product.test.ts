/**
 * Beyond the regimes, a claim that bounds a derivative from below also meets a product of Jacobians that cancels
 * (src/numeric/cancelling-constructions.ts): W = 12 u vᵀ with vᵀ D u = 0 for D = diag(tanh′(1.5), 1), every step held
 * at the same pre-activations, so ∂h_T/∂h_0 = D W D W = 0 at T = 2 while ρ(W) = 6.84. A review's (review149)
 * `‖∂h_T/∂h_0‖ ≥ ρ(W)^T ∏ min(1 − h_i²)` was consistent at the default seed. numpy:
 * test/fixtures/numpy/cancelling_product.py.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

/** cancelling_product.py: ρ(W)² · tanh′(1.5)² at the construction, and ‖D W D W‖ of the float64 matrix */
const NUMPY = { rhs: 1.5282850989061645, lhsBelow: 1e-14 };

describe('a product of Jacobians that cancels', () => {
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/cancelling-product.yaml'));
  const result = (id: string) => results.find((r) => r.id === id)!;

  it('refutes a lower bound through ρ(W) at the default seed', () => {
    const r = result('rho-lower-false');
    expect(r.verdict).toBe('refuted');
    const cx = r.counterexample!;
    expect(cx.sizes).toEqual({ T: 2, d: 2, m: 2 });
    expect(cx.rhs[0]! / NUMPY.rhs).toBeCloseTo(1, 12);
    expect(Math.abs(cx.lhs[0]!)).toBeLessThan(NUMPY.lhsBelow);
    expect(evidenceOf(r.evidence, 'search')!.beyond).toMatchObject({ found: true });
  });

  it('leaves the true lower bounds consistent (1-D, and through σ_min: a rank-one W has no inverse)', () => {
    expect(['rho-lower-1d-true', 'smin-lower-true'].map((id) => [id, result(id).verdict])).toEqual([
      ['rho-lower-1d-true', 'consistent'],
      ['smin-lower-true', 'consistent'],
    ]);
  });
});
