/**
 * The dot products inside matrix products note what they lose to cancellation (src/numeric/lost-digits.ts
 * productCancellationOf), as elementwise sums do. A review (140) found `norm2(jac(h[T], h[T-2])) >= norm2(W^2)` — an
 * equality for a linear RNN, J = W·W — refuted at the default seed and seeds 1 and 2: the adversarial search builds a
 * rank-one, nearly nilpotent W (‖W‖ = 0.5) whose W·W cancels to 3e-18 from terms of 0.1, float64's value of it is
 * noise, and the two sides, made by different walks (a sweep's rows, a power's columns), came out 2.66e-18 against
 * 4.14e-18; both are truly 3.176e-18. No figure said so: the point was never decided again in extended precision.
 * Also pinned: the export's sides are the report's (the export materialised the Jacobian by columns, the check by rows,
 * and exported 4.14e-18 as the lhs of a violation it could not replay). Independent figures:
 * test/fixtures/numpy/matmul_cancellation.py (exact rationals and mpmath at 60 digits).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { exportCounterexample } from '../../src/check/export-instance.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { matMul, mat, spectralNorm } from '../../src/numeric/linalg.js';
import { matMulCancellation } from '../../src/numeric/lost-digits.js';
import { JACOBIAN_ROWS_FILE, modelFile } from '../support/model-file.js';

const cases = JSON.parse(
  readFileSync(new URL('../fixtures/numpy/matmul-cancellation.json', import.meta.url), 'utf8'),
) as Record<string, { parameters: { W: { values: number[][] } }; replay: string[] }>;

/** matmul_cancellation.py: ‖W²‖₂ of the exported W, exactly (W² in rationals, singular values at 60 digits) */
const EXACT_W2 = 3.176161220937e-18;
/** matmul_cancellation.py: the counterexample lr-lower-Wk has now, both sides at 60 digits (k = 8) */
const LR_LHS = 3.01457695890405e-9;
const LR_RHS = 3.59077032107947e-9;

const LIN = parseDerivation(
  modelFile({
    title: '"review 140 g5: a linear RNN, J_2 = W·W"',
    name: 'tanh RNN',
    sizes: 'd: 1..4, m: 1..2, T: 3..8',
    symbols: ['W', 'U', 'b', 'c', 'x', 'h'],
    equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
    loss: 'L = sum(s, 1, T, 0.9^(T-s) * sum(c .* h[s]))',
    claims: `  - id: lin-W2-ge-true
    claim: norm2(jac(h[T], h[T-2])) >= norm2(W^2)
    assume: { equations: ["h[t] = W*h[t-1] + U*x[t] + b"] }
  - id: lin-W2-le-true
    claim: norm2(jac(h[T], h[T-2])) <= norm2(W^2)
    assume: { equations: ["h[t] = W*h[t-1] + U*x[t] + b"] }
  - id: lin-W2-101-false
    claim: norm2(jac(h[T], h[T-2])) >= 1.01 * norm2(W^2)
    assume: { equations: ["h[t] = W*h[t-1] + U*x[t] + b"] }
`,
  }),
  'g5-lin.yaml',
);

/** false claims on Jacobians materialised by rows in the check (their targets fixed), on matrices of 3 and 4 */
const ROWS = parseDerivation(JACOBIAN_ROWS_FILE, 'rows.yaml');

/** review 140's g2: a leaky-ReLU RNN (slope 0.1) as a user function; ‖J_k‖ ≥ 0.1^k ‖W^k‖ is false (D's mix) */
const LEAKY = parseDerivation(
  modelFile({
    title: '"review140 g2: leaky-ReLU RNN (slope 0.1), as a user function"',
    name: 'leaky ReLU RNN',
    sizes: 'd: 1..4, m: 1..2, T: 3..8',
    symbols: ['W', 'U', 'b', 'c', 'x', 'h'],
    modelExtra: `  functions:
    lrelu: { value: "0.55*x + 0.45*abs(x)", derivative: "0.55 + 0.45*x/abs(x)" }
`,
    equations: ['h[t] = lrelu(W*h[t-1] + U*x[t] + b)'],
    loss: 'L = sum(c .* h[T])',
    claims: `  - id: lr-lower-Wk
    claim: norm2(jac(h[T], h[T-k])) >= 0.1^k * norm2(W^k)
    forall: k in 2..T
`,
  }),
  'g2-leaky.yaml',
);

describe('matrix products note their dot products’ cancellation', () => {
  it('the exported W: W·W cancels to every digit, and the product says so', () => {
    const W = cases['lin-W2-ge-true']!.parameters.W.values;
    const A = mat(4, 4, W.flat());
    const C = matMul(A, A);
    // float64's ‖W·W‖ is noise: 2.6585e-18 here (numpy, adding in another order: 3.0301e-18) against the exact
    // 3.1762e-18 (matmul_cancellation.py, which also finds an entry of float64's W·W with no digit left)
    expect(spectralNorm(C)).toBeCloseTo(2.658535653767691e-18, 30);
    expect(Math.abs(spectralNorm(C) - EXACT_W2) / EXACT_W2).toBeCloseTo(0.163, 3);
    expect(matMulCancellation(4, 4, 4, A.data, A.data, C.data)).toBe(1);
    // and a product that cancels nothing notes nothing
    const B = mat(2, 2, [1, 2, 3, 4]);
    expect(matMulCancellation(2, 2, 2, B.data, B.data, matMul(B, B).data)).toBe(0);
  });

  it.each([20261120, 1, 2])('the equalities are not refuted, the false companion is (master seed %i)', (masterSeed) => {
    const results = checkDerivation(LIN, { masterSeed });
    const verdict = (id: string) => results.find((r) => r.id === id)!.verdict;
    expect(verdict('lin-W2-ge-true')).toBe('consistent');
    expect(verdict('lin-W2-le-true')).toBe('consistent');
    expect(verdict('lin-W2-101-false')).toBe('refuted');
  });

  it('the review’s counterexample, replayed, is decided again in extended precision: both sides 3.176e-18', () => {
    // --claim lin-W2-ge-true --seed 20261120 --instance 4 --size T=8 --size d=4 --size m=2 --search 7
    const [r] = checkDerivation(LIN, {
      masterSeed: 20261120,
      claims: ['lin-W2-ge-true'],
      instance: 4,
      sizeOverrides: { T: 8, d: 4, m: 2 },
      search: 7,
    });
    expect(r!.verdict).toBe('consistent');
  });

  it('a false claim is refuted at a real counterexample, not at a cancelled W·W (review 140, lr-lower-Wk)', () => {
    // before: k = 2 at a nearly nilpotent W, lhs 2.6307e-18 against rhs 2.8030e-18 — both float64 noise
    const [r] = checkDerivation(LEAKY, { masterSeed: 20261120 });
    expect(r!.verdict).toBe('refuted');
    const cx = r!.counterexample!;
    expect([cx.instance, cx.sizes, cx.bindings]).toEqual([7, { T: 8, d: 4, m: 2 }, { k: 8 }]);
    // matmul_cancellation.py, at 60 digits from the exported instance
    expect(cx.lhs[0]! / LR_LHS).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / LR_RHS).toBeCloseTo(1, 12);
  });

  it('the export’s sides are the ones the report shows, bit for bit', () => {
    for (const r of checkDerivation(ROWS, { masterSeed: 20261120 })) {
      const cx = r.counterexample!;
      const exported = exportCounterexample(ROWS, r, cx);
      expect([r.id, exported.lhs.values.flat(), exported.rhs.values.flat()]).toEqual([r.id, [...cx.lhs], [...cx.rhs]]);
    }
  });
});
