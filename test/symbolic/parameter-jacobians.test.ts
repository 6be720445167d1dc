/**
 * Jacobians with respect to parameters as closed forms: ∂y_t/∂vec(P) is the
 * sum over steps of (∂y_t/∂x_s) · (∂⁺x_s/∂vec(P)), where a matrix parameter
 * enters as P·v with Jacobian vᵀ ⊗ I (column-major vec layout). Each closed
 * form is compared with the numeric reference (tangent and adjoint sweeps
 * through the unrolled graph) on seeded instances; claims built from them are
 * verified exactly, and their usual slips are not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import type { Derivation } from '../../src/derivation/derivation.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { printExpr } from '../../src/ir/print.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { relErr } from '../../src/numeric/linalg.js';
import { asDense } from '../../src/numeric/values.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';
import { modelFile } from '../support/model-file.js';

const d2l = loadDerivationFile('test/fixtures/models/d2l-bptt.yaml');
const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const lstm = loadDerivationFile('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml');

/** The closed form of `quantity` against the reference at every t, on two seeded instances of T = 5. */
function agreesWithReference(d: Derivation, quantity: string): string {
  const [q] = deriveQuantities(d, quantity, null);
  expect(q!.derived, q!.problem ?? '').not.toBeNull();
  for (const index of [0, 2]) {
    const spec = instanceSpec(d.model, 23, index, undefined, { T: 5 });
    const ev = new Evaluator(buildInstance(d.model, spec).graph, spec.sizes);
    for (const t of [1, 2, 5]) {
      const reference = asDense(ev.evaluate(q!.quantity, { t })).data;
      const symbolic = asDense(ev.evaluate(q!.derived!, { t })).data;
      // (C_1 does not depend on W_o: h_0 is an initial value.)
      if (t > 1) expect(reference.some((x) => x !== 0)).toBe(true);
      expect(relErr(reference, symbolic), `${quantity} at t = ${t}`).toBeLessThan(1e-12);
    }
  }
  return printExpr(q!.derived!);
}

describe('closed forms of parameter Jacobians equal the reference', () => {
  it.each([
    ['jac(h[t], W_hh)', "sum(s__, 1, t, prod(i, 1, t-s__, W_hh)*kron(h[s__-1]', eye(d)))"],
    ['jac(h[t], W_hx)', "sum(s__, 1, t, prod(i, 1, t-s__, W_hh)*kron(x[s__]', eye(d)))"],
    ['jac(o[t], W_hh)', "sum(s__, 1, t, W_qh*prod(i, 1, t-s__, W_hh)*kron(h[s__-1]', eye(d)))"],
    ['partial(h[t], W_hh, h[t-1])', "kron(h[t-1]', eye(d))"],
  ])('d2l linear RNN: %s', (quantity, form) => {
    expect(agreesWithReference(d2l, quantity)).toBe(form);
  });

  it.each(['jac(h[t], W)', 'jac(h[t], U)', 'jac(h[t], b)', 'partial(h[t], W, h[t-1])'])(
    'the lab tanh RNN: %s (diag(1 − h²) at every step)',
    (quantity) => {
      const form = agreesWithReference(lab, quantity);
      // A bias enters with the identity: no Kronecker factor, only the path product and diag(1 − h_s²).
      expect(form.includes('kron(')).toBe(!quantity.includes(', b)'));
    },
  );

  it.each(['jac(h[t], W_f)', 'jac(C[t], W_o)', 'partial(C[t], W_i, C[t-1], h[t-1])'])(
    'the 2024 LSTM (gates on [h; x], W_• of shape d × (d+m), vec layout d·(d+m) columns): %s',
    (quantity) => {
      expect(agreesWithReference(lstm, quantity)).toContain('kron([h[');
    },
  );

  it('a scalar parameter (d2l’s w_h): ∂h_t/∂w is a column', () => {
    const scalar = parseDerivation(
      `gradproof: 1
model:
  sizes: { d: 2..3, T: 2..5 }
  symbols:
    w: { role: parameter, shape: [1] }
    W: { role: parameter, shape: [d, d], init: recurrent }
    x: { role: input, shape: [d] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(w * (W*h[t-1]) + x[t])
claims: []
`,
      'scalar.yaml',
    );
    expect(agreesWithReference(scalar, 'jac(h[t], w)')).toContain('W*h[s__-1]');
  });

  it('a scalar parameter inside a scalar factor (a leak (1 − a)·h[t−1]): ∇_a L = Σ_t ∇_{h_t}L ⊙ (u_t − h_{t−1}), summed', () => {
    // no closed form until 2026-12-05 ("al inside a matrix factor"): points float64 could not decide stayed undecided
    const leaky = loadDerivationFile('test/fixtures/zoo/leaky-scalar.yaml');
    const [q] = deriveQuantities(leaky, 'grad(L, al)', null);
    expect(q!.derived, q!.problem ?? '').not.toBeNull();
    const form = printExpr(q!.derived!);
    expect(form).toMatch(/^sum\(s__, 1, T, -sum\(sum\(prod\(.*\.\* h\[s__-1\]\)\) \+ sum\(prod\(.*\.\* u\[s__\]\)\)$/);
    for (const index of [0, 1, 2, 3]) {
      const spec = instanceSpec(leaky.model, 29, index, undefined, { T: 6 });
      const ev = new Evaluator(buildInstance(leaky.model, spec).graph, spec.sizes);
      const reference = asDense(ev.evaluate(q!.quantity, {})).data;
      expect(relErr(reference, asDense(ev.evaluate(q!.derived!, {})).data)).toBeLessThan(1e-12);
    }
  });
});

describe('claims about parameter Jacobians', () => {
  const claims = parseDerivation(
    modelFile({
      sizes: 'd: 2..3, m: 1..2, T: 2..5',
      symbols: ['W', 'U', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t])'],
    }) +
      `  - id: recurrence
    claim: jac(h[t], W) = partial(h[t], W, h[t-1]) + jac(h[t], h[t-1]) * jac(h[t-1], W)
    forall: t in 2..T
    expect: verified
  - id: direct-part
    claim: partial(h[t], W, h[t-1]) = diag(1 - h[t].^2) * kron(h[t-1]', eye(d))
    forall: t in 1..T
    expect: verified
  - id: written-out
    claim: jac(h[T], U) = sum(s, 1, T, prod(j, 1, T-s, diag(1 - h[T-j+1].^2) * W) * diag(1 - h[s].^2) * kron(x[s]', eye(d)))
    expect: verified
  - id: product-reversed
    claim: jac(h[T], U) = sum(s, 1, T, prod(j, s+1, T, diag(1 - h[j].^2) * W) * diag(1 - h[s].^2) * kron(x[s]', eye(d)))
    expect: refuted
  - id: direct-only
    claim: jac(h[t], W) = partial(h[t], W, h[t-1])
    forall: t in 2..T
    expect: refuted
  - id: kron-reversed
    claim: partial(h[t], W, h[t-1]) = diag(1 - h[t].^2) * kron(eye(d), h[t-1]')
    forall: t in 1..T
    expect: refuted
  - id: one-step-late
    claim: partial(h[t], W, h[t-1]) = diag(1 - h[t].^2) * kron(h[t]', eye(d))
    forall: t in 1..T
    expect: refuted
  - id: transposed-jacobian
    claim: jac(h[t], W) = partial(h[t], W, h[t-1]) + jac(h[t], h[t-1])' * jac(h[t-1], W)
    forall: t in 2..T
    expect: refuted
`,
    'param-jac.yaml',
  );

  it('across states: the recurrence of the LSTM cell state’s parameter Jacobian is verified', () => {
    const d = parseDerivation(
      readFileSync('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml', 'utf8').replace(
        /\nclaims:[\s\S]*$/,
        `
claims:
  - id: cell-recurrence
    claim: jac(C[t], W_f) = partial(C[t], W_f, C[t-1], h[t-1]) + partial(C[t], C[t-1], h[t-1]) * jac(C[t-1], W_f) + jac(C[t], h[t-1]) * jac(h[t-1], W_f)
    forall: t in 2..T
    expect: verified
  - id: cell-recurrence-double-counted
    claim: jac(C[t], W_f) = partial(C[t], W_f, C[t-1], h[t-1]) + jac(C[t], C[t-1]) * jac(C[t-1], W_f) + jac(C[t], h[t-1]) * jac(h[t-1], W_f)
    forall: t in 2..T
    expect: refuted
  - id: cell-recurrence-without-h
    claim: jac(C[t], W_f) = partial(C[t], W_f, C[t-1], h[t-1]) + partial(C[t], C[t-1], h[t-1]) * jac(C[t-1], W_f)
    forall: t in 2..T
    expect: refuted
`,
      ),
      'lstm-param.yaml',
    );
    expect(checkDerivation(d, { instances: 1 }).map((r) => [r.id, r.verdict])).toEqual([
      ['cell-recurrence', 'verified'],
      // jac(C[t], C[t-1]) already runs through h[t-1]: with the h route added again, that route counts twice.
      ['cell-recurrence-double-counted', 'refuted'],
      ['cell-recurrence-without-h', 'refuted'],
    ]);
  });

  it('the recurrence, the direct part and the written-out sum are verified; the usual slips are refuted', () => {
    const results = checkDerivation(claims, { instances: 2 });
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['recurrence', 'verified'],
      ['direct-part', 'verified'],
      ['written-out', 'verified'],
      ['product-reversed', 'refuted'],
      ['direct-only', 'refuted'],
      ['kron-reversed', 'refuted'],
      ['one-step-late', 'refuted'],
      ['transposed-jacobian', 'refuted'],
    ]);
  });
});
