/**
 * Derivatives with respect to parameters (jac and partial of a sequence value
 * with respect to a scalar, vector or matrix parameter, the matrix in
 * column-major vec layout), and the models of two published BPTT texts as
 * they write them (test/fixtures/models/).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense } from '../../src/numeric/values.js';
import { parseExpression } from '../../src/ir/parse-math.js';

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const scope = {
  sequences: new Set(['h', 'x']),
  parameters: new Set(['W', 'U', 'b', 'c']),
  loss: 'L',
  indexVars: new Set(['d', 'm', 'T']),
  realVars: new Set<string>(),
};

describe('Jacobians with respect to parameters', () => {
  const inst = buildInstance(lab.model, instanceSpec(lab.model, 3, 1, undefined, { d: 3, m: 2, T: 4 }));
  const ev = new Evaluator(inst.graph, inst.sizes);
  const value = (text: string) => asDense(ev.evaluate(parseExpression(text, scope).expr, {}));
  const h1 = inst.graph.value({ name: 'h', time: 1 });
  const h0 = inst.graph.value({ name: 'h', time: 0 });

  it('∂h_1/∂W in column-major vec layout: column i + j·d is (1 − h_1²)_i h_0,j on row i', () => {
    const J = value('jac(h[1], W)');
    expect([J.rows, J.cols]).toEqual([3, 9]);
    for (let a = 0; a < 3; a++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          const want = a === i ? (1 - h1[a]! ** 2) * h0[j]! : 0;
          expect(J.data[a * 9 + (i + j * 3)]).toBeCloseTo(want, 14);
        }
  });

  it('∂h_1/∂b = diag(1 − h_1²) for a vector parameter', () => {
    const J = value('jac(h[1], b)');
    const D = value('diag(1 - h[1].^2)');
    expect(Array.from(J.data)).toEqual(Array.from(D.data).map((x, k) => (k % 4 === 0 ? x : 0)));
  });

  it('the parameter Jacobian is cross-checked like every derivative (dual numbers, adjoints, finite differences)', () => {
    const d = {
      ...lab,
      claims: [
        {
          ...lab.claims[0]!,
          id: 'p',
          statement: 'p',
          lhs: parseExpression('jac(h[T], U)', scope).expr,
          rhs: parseExpression('jac(h[T], U)', scope).expr,
          forall: [],
        },
      ],
    };
    const [r] = checkDerivation(d, { instances: 1 });
    const dual = r!.evidence.find((e) => e.kind === 'dual-vs-adjoint');
    const fd = r!.evidence.find((e) => e.kind === 'finite-differences');
    expect(dual && dual.kind === 'dual-vs-adjoint' && dual.failures.length === 0 && dual.checks > 0).toBe(true);
    expect(fd && fd.kind === 'finite-differences' && fd.failures.length === 0 && fd.resolved > 0).toBe(true);
  });
});

describe('published texts as they write them', () => {
  it('d2l §9.7: the output layer, the loss averaged over time, (9.7.12)–(9.7.16) and the vec-layout recurrence hold', () => {
    const results = checkDerivation(loadDerivationFile('test/fixtures/models/d2l-bptt.yaml'), { instances: 1 });
    expect(results.map((r) => [r.id, r.verdict])).toEqual(results.map((r) => [r.id, r.expected]));
    // The loss averaged over time is differentiated through its sum, and ∂h_t/∂vec(W_hh) has a closed form
    // (Σ_s ∏ W_hh · (h_{s−1}ᵀ ⊗ I)): every claim is verified symbolically.
    expect(results.filter((r) => r.verdict === 'verified').map((r) => r.id)).toEqual([
      'd2l-9-7-12',
      'd2l-9-7-13',
      'd2l-9-7-15',
      'd2l-9-7-16',
      'd2l-scalar-jac',
    ]);
  });

  it('the 2015 tutorial: softmax outputs and cross-entropy per step; ∂E_t/∂V = (ŷ_t − y_t) s_tᵀ needs Σ y_t = 1', () => {
    const results = checkDerivation(loadDerivationFile('test/fixtures/models/wildml-bptt.yaml'), { instances: 1 });
    expect(Object.fromEntries(results.map((r) => [r.id, r.verdict]))).toEqual({
      'dE3-dV-as-written': 'refuted',
      // The softmax Jacobian written through ŷ, ŷ ⊙ ŷ⁻¹ = 1 and 𝟙ᵀ diag(y) 𝟙 = Σ y: decided exactly.
      'dE3-dV': 'verified',
      'total-over-steps': 'verified',
    });
  });
});
