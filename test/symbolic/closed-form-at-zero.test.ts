/**
 * A one-step closed form is derived with every equation computing at the times it spans; at time 0 the values are
 * initial, not computed. The prover refused it wherever the step's earlier time may be 0, so the true
 * `norm2(jac(h[t], h[t-1])) <= norm2(W)` over t in 1..T stayed `consistent` (a review's B01). Where no equation reads
 * the variable at its own time, no route from it passes through a value computed at that time, and the form holds at
 * time 0 too: the tanh RNN's h, the lab LSTM's h (its gates read h[t-1]). The LSTM's cell s is read at its own time
 * (h[t] = o[t] .* tanh(s[t])): ∂s_t/∂s_{t−1} routes through h_{t−1} for t ≥ 2 and not at t = 1, where h_0 is initial —
 * the form is still refused there.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile, withClaims } from '../support/model-file.js';

/** A shipped file's model with these claims instead of its own (no search: the proof is what is asserted). */
function boundProofs(file: string, claims: string, text = withClaims(file, claims)) {
  const derivation = parseDerivation(text, file);
  return new Map(
    checkDerivation(derivation, { search: 0 }).map((r) => [
      r.id,
      { verdict: r.verdict, proof: evidenceOf(r.evidence, 'bound-proof')! },
    ]),
  );
}

describe('closed forms at time 0', () => {
  it("prove the tanh RNN's step bound for every t from 1 (B01), and at T − 1 for every T", () => {
    const r = boundProofs(
      'derivations/lab-10-5-vanilla-rnn.yaml',
      [
        '  - { id: every-t, claim: "norm2(jac(h[t], h[t-1])) <= norm2(W)", forall: "t in 1..T" }',
        '  - { id: last, claim: "norm2(jac(h[T], h[T-1])) <= norm2(W)" }',
      ].join('\n'),
    );
    for (const id of ['every-t', 'last']) {
      expect(r.get(id)!.verdict).toBe('proved');
      expect(r.get(id)!.proof.steps.map((s) => s.rule)).toEqual([
        'closed-form',
        'submultiplicative',
        'norm-diag',
        'activation-range',
        'scalar-algebra',
      ]);
    }
  });

  it("use the LSTM's ∂s_t/∂h_{t−1} from t = 1, but not its ∂s_t/∂s_{t−1}, which has another form there", () => {
    const r = boundProofs(
      'derivations/lab-10-5-lstm.yaml',
      [
        '  - { id: cell-from-h, claim: "norm2(jac(s[t], h[t-1])) <= 0.25 * normMax(s[t-1]) * norm2(U_e) + 0.25 * norm2(U_i) + norm2(U_g)", forall: "t in 1..T" }',
        '  - { id: cell-from-cell, claim: "norm2(jac(s[t], s[t-1])) <= 100", forall: "t in 1..T" }',
        '  - { id: cell-from-cell-after-1, claim: "norm2(jac(s[t], s[t-1])) <= 100", forall: "t in 2..T" }',
      ].join('\n'),
    );
    expect(r.get('cell-from-h')!.verdict).toBe('proved');
    expect(r.get('cell-from-cell')!.proof.ok).toBe(false);
    expect(r.get('cell-from-cell')!.proof.failure!.why).toContain(
      'the closed form of jac(s[t], s[t-1]) is derived where t-1 ≥ 1, and t-1 may be 0 here',
    );
    // from t = 2 the closed form is taken (the bound itself is not proved: 100 is no rule's conclusion)
    expect(r.get('cell-from-cell-after-1')!.proof.failure?.why ?? '').not.toContain('may be 0 here');
  });

  it("count only the equations on a route into the derivative's value, and not a held value's (a review's f2/f3 claims)", () => {
    // a read-out y[t] = V*h[t] reads h at its own time, but no route into h[T] passes through y
    const head = boundProofs(
      'head.yaml',
      '',
      modelFile({
        sizes: 'd: 2..3, m: 1..2, q: 1..2, T: 2..4',
        symbols: [
          'W',
          'U',
          'b',
          'x',
          'h',
          'V: { role: parameter, shape: [q, d] }',
          'y: { role: intermediate, shape: [q] }',
        ],
        equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)', 'y[t] = V*h[t]'],
        loss: 'L = sum(s, 1, T, sum(y[s].^2))',
        claims: [
          '  - { id: step, claim: "norm2(jac(h[T], h[T-1])) <= norm2(W)" }',
          '  - { id: head-from-h, claim: "norm2(jac(y[t], h[t-1])) <= norm2(V) * norm2(W)", forall: "t in 1..T" }',
        ].join('\n'),
      }),
    );
    expect(head.get('step')!.verdict).toBe('proved');
    // and into a later y: y[t-1] is on no route into y[t] (h[1] is computed from h[0], y[0] is read by nothing)
    expect(head.get('head-from-h')!.verdict).toBe('proved');
    // the LSTM's cell with h held: the route through h[t-1] = o[t-1] .* tanh(s[t-1]) is cut, ∂s_t/∂s_{t−1} = diag(e_t)
    const cell = boundProofs(
      'derivations/lab-10-5-lstm.yaml',
      [
        '  - { id: held, claim: "norm2(partial(s[t], s[t-1], h)) <= normMax(e[t])", forall: "t in 1..T" }',
        '  - { id: held-then, claim: "norm2(partial(s[t], s[t-1], h[t-1])) <= normMax(e[t])", forall: "t in 1..T" }',
        '  - { id: held-elsewhere, claim: "norm2(partial(s[t], s[t-1], h[t])) <= 100", forall: "t in 1..T" }',
      ].join('\n'),
    );
    expect(cell.get('held')!.verdict).toBe('proved');
    expect(cell.get('held-then')!.verdict).toBe('proved');
    // h held at another time than s[t-1]'s leaves the route through h[t-1]: still refused at t = 1
    expect(cell.get('held-elsewhere')!.proof.failure!.why).toContain('t-1 may be 0 here');
  });
});

describe('a gradient taken at time 0 outright', () => {
  it('says so in words, not "derived where 0 ≥ 1, and 0 may be 0 here" (review152)', () => {
    const r = boundProofs(
      'derivations/lab-10-5-vanilla-rnn.yaml',
      '  - { id: initial, claim: "norm2(grad(L, h[0])) <= norm2(W)^T * norm2(grad(L, h[T]))" }',
    );
    const why = r.get('initial')!.proof.failure!.why;
    expect(why).toContain(
      'the closed form of grad(L, h[0]) is derived at times ≥ 1, and it is taken at time 0, an initial value no equation computes',
    );
    expect(why).not.toContain('0 ≥ 1');
  });
});
