/**
 * Nothing flows back in time: an equation reads its own step and the one before (the loader refuses t+1), so the
 * derivative of a value with respect to a later one is 0. The engine's closed form at a constant negative lag was
 * zeros(·) already, but no rule bounded ‖0‖, and a symbolic lag (s − t over t in 2..T, s in 1..t−1) had no closed form
 * ("may be negative"): `norm2(jac(h[s], h[t])) <= 0` for s < t was `consistent`, never proved (a review's). Now the
 * closed form is zeros(·) wherever the domain bounds the lag by −1, and `norm-zero` takes ‖0‖ to 0 in every norm.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { withClaims } from '../support/model-file.js';

function check(file: string, claims: string[]) {
  const derivation = parseDerivation(withClaims(file, claims.join('\n')), file);
  return new Map(
    checkDerivation(derivation, { search: 0 }).map((r) => [
      r.id,
      { verdict: r.verdict, proof: evidenceOf(r.evidence, 'bound-proof')! },
    ]),
  );
}

describe('causality in the bound prover', () => {
  it('proves ‖∂h_s/∂h_t‖ ≤ 0 and ‖∂h_s/∂x_t‖ ≤ 0 for s < t, at a constant lag and a symbolic one', () => {
    const r = check('derivations/lab-10-5-vanilla-rnn.yaml', [
      '  - { id: constant, claim: "norm2(jac(h[T-1], h[T])) <= 0" }',
      '  - { id: input, claim: "normF(jac(h[T-1], x[T])) <= 0" }',
      '  - { id: lag-k, claim: "norm2(jac(h[T-k], h[T])) <= 0", forall: "k in 1..T-1" }',
      '  - { id: two-indices, claim: "normMax(jac(h[s], h[t])) <= 0", forall: "t in 2..T, s in 1..t-1" }',
    ]);
    for (const id of ['constant', 'input', 'lag-k', 'two-indices']) {
      expect([id, r.get(id)!.verdict]).toEqual([id, 'proved']);
      expect(r.get(id)!.proof.steps.map((s) => s.rule)).toEqual(['closed-form', 'norm-zero']);
    }
  });

  it('proves nothing where the lag may be 0 or positive: those claims are false, and refuted', () => {
    const r = check('derivations/lab-10-5-vanilla-rnn.yaml', [
      // s = t is in the range: ∂h_t/∂h_t = I
      '  - { id: lag-0-included, claim: "norm2(jac(h[s], h[t])) <= 0", forall: "t in 1..T, s in 1..t" }',
      '  - { id: backwards, claim: "norm2(jac(h[T], h[T-1])) <= 0" }',
    ]);
    expect(r.get('lag-0-included')!.verdict).toBe('refuted');
    expect(r.get('lag-0-included')!.proof.failure!.why).toContain('the lag s-t of jac(h[s], h[t]) may be negative');
    expect(r.get('backwards')!.verdict).toBe('refuted');
    expect(r.get('backwards')!.proof.ok).toBe(false);
  });

  it("the LSTM's cell and state: ∂s_s/∂h_t and ∂h_s/∂s_t are 0 for s < t", () => {
    const r = check('derivations/lab-10-5-lstm.yaml', [
      '  - { id: cell-from-later-h, claim: "norm2(jac(s[t], h[t+1])) <= 0", forall: "t in 1..T-1" }',
      '  - { id: h-from-later-cell, claim: "norm2(jac(h[t-1], s[t])) <= 0", forall: "t in 1..T" }',
    ]);
    for (const id of ['cell-from-later-h', 'h-from-later-cell']) {
      expect([id, r.get(id)!.verdict]).toEqual([id, 'proved']);
      expect(r.get(id)!.proof.steps.map((s) => s.rule)).toEqual(['closed-form', 'norm-zero']);
    }
  });
});
