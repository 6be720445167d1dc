/**
 * A 1×1 operator in a product is a number (src/numeric/values.ts mulValues): `diag(1 - h' * h) * W` ended in an internal
 * error (exit 3, every verdict of its file lost: "relErr: expected length 16, got 4"), a review's; the shape checker
 * reads diag of a 1×1 times W as the number times W, and the evaluator applied a 1×1 operator to W's first column.
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
  - id: diag-of-scalar
    claim: diag(1 - h[t]' * h[t]) * W = (1 - h[t]' * h[t]) * W
    forall: t in 1..T
  - id: eye-of-one
    claim: W * eye(1) * h[t] = W * h[t]
    forall: t in 1..T
  - id: jac-with-scalar
    claim: jac(h[t], h[t-1]) = diag(1 - h[t]' * h[t]) * W
    forall: t in 1..T
`;

describe('a 1×1 operator times a matrix', () => {
  const [diagOfScalar, eyeOfOne, jacWithScalar] = checkDerivation(parseDerivation(FILE, 'one.yaml'));

  it('is the number times the matrix', () => {
    expect(diagOfScalar!.verdict).toBe('verified');
    expect(eyeOfOne!.verdict).toBe('verified');
  });

  it('refutes the Jacobian written with the squared norm in place of the squares, with d² entries compared', () => {
    expect(jacWithScalar!.verdict).toBe('refuted');
    const cx = jacWithScalar!.counterexample!;
    const d = cx.sizes.d!;
    expect(cx.lhs).toHaveLength(d * d);
    expect(cx.rhs).toHaveLength(d * d);
  });
});
