/**
 * A norm that a transpose does not change reads its argument without the transpose, in the canonical forms and in ℤ_p
 * (src/ops/reductions.ts transposeBlind): `norm2(W') = norm2(W)` was only consistent (in ℤ_p the two norms were
 * different atoms), while its LaTeX twin `\|W^T\|_2 = \|W\|_2`, whose reader drops the ᵀ, was verified (review160).
 * The induced ∞-norm is a row sum, which a transpose makes a column sum: that claim stays refuted.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';

const FILE = `gradproof: 1
model:
  sizes: { d: 2..4, m: 1..2, T: 2..5 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    x: { role: input, shape: [m] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1] + U*x[t])
claims:
  - id: spectral
    claim: norm2(W') = norm2(W)
  - id: frobenius-of-jacobian
    claim: normF(jac(h[T], h[T-1])') = normF(jac(h[T], h[T-1]))
  - id: entry-max
    claim: normMax(U'') = normMax(U)
  - id: row-vector
    claim: norm2(h[T]') = norm2(h[T])
  - id: induced-inf
    claim: normInf(U') = normInf(U)
  - id: jacobian-transposed-as-product
    claim: norm2(jac(h[T], h[T-1])') = norm2(W' * diag(1 - h[T].^2))
  - id: jacobian-as-transposed-product
    claim: norm2(jac(h[T], h[T-1])) = norm2(W' * diag(1 - h[T].^2))
`;

describe('norms blind to a transpose', () => {
  const results = checkDerivation(parseDerivation(FILE, 'transpose-norms.yaml'));

  it('are shown identical with and without it; the induced ∞-norm is not', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['spectral', 'verified'],
      ['frobenius-of-jacobian', 'verified'],
      ['entry-max', 'verified'],
      ['row-vector', 'verified'],
      ['induced-inf', 'refuted'],
      // Jᵀ is the product written out, J its transpose: one form for the norm of either (the first was verified before
      // the transposes were dropped, and must stay so: the lab solution's part (2))
      ['jacobian-transposed-as-product', 'verified'],
      ['jacobian-as-transposed-product', 'verified'],
    ]);
  });
});
