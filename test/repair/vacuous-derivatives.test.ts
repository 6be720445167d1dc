/**
 * Repairs a review found vacuous: a time index shifted onto the derivative's other end (`norm2(jac(C[t-1], C[t-1])) <= 1`:
 * the identity) or off its dependence (`jac(f[T-1], h[T-1])`: zero, f at T−1 reads h at T−2) held whatever the model and
 * were offered (9 of 105 in the review). The claims are bounds on the shipped LSTM's derivatives
 * (how-does-lstm-avoid-gradient-explosion-2024), as the review's reproducers had.
 */
import { describe, expect, it } from 'vitest';
import { repairSearchSummary } from '../../src/emit/repair-text.js';
import type { ClaimResult } from '../../src/check/result.js';
import { searchedRepairs } from '../support/top-repairs.js';
import { vacuousDerivativeTest } from '../../src/repair/vacuous.js';
import { printExpr } from '../../src/ir/print.js';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';

const offered = (r: ClaimResult) => r.repairs!.repairs.map((x) => x.statement);

describe('a derivative an edit makes identically I or 0 is no repair', () => {
  const [cell, gate] = searchedRepairs(
    'derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml',
    `  - id: cell-step-bounded
    claim: norm2(jac(C[t], C[t-1])) <= 1
    forall: t in 2..T
  - id: gate-step-small
    claim: norm2(jac(f[T], h[T-1])) <= 0.01
`,
  );

  it('jac(C[t-1], C[t-1]) and jac(C[t], C[t]) (the identity) are not offered; the repairs that hold are', () => {
    // before: ['norm2(jac(C[t-1], C[t-1])) <= 1', 'norm2(jac(C[t], C[t])) <= 1'], both "consistent"
    expect(cell!.verdict).toBe('refuted');
    expect(offered(cell!)).toEqual([
      'norm2(partial(C[t], C[t-1], h[t-1])) <= 1',
      'norm2(partial(C[t], C[t-1], h)) <= 1',
      'norm2(partial(C[t], C[t-1], f[t], i[t], Ct[t])) <= 1',
    ]);
    expect(cell!.repairs!.repairs.map((r) => r.edits.map((e) => e.edit).join())).toEqual([
      'hold-node',
      'hold-node',
      'direct-path',
    ]);
    expect(cell!.repairs!.work.identityOrZero).toBe(2);
    expect(repairSearchSummary(cell!.repairs!)).toContain(
      "; 2 passed only through a derivative the edit made identically the identity or zero (or a term minus itself, two sides alike, or sides that differ as the claim's do), not offered",
    );
  });

  it('jac(f[T-1], h[T-1]) (zero: f at T-1 reads h at T-2) is not offered, nor jac(f[T], h[T])', () => {
    // before: ['norm2(jac(f[T-1], h[T-1])) <= 0.01', 'norm2(jac(f[T], h[T])) <= 0.01']; no other edit holds
    expect(gate!.verdict).toBe('refuted');
    expect(gate!.repairs!.status).toBe('none');
    expect(offered(gate!)).toEqual([]);
    expect(gate!.repairs!.work.identityOrZero).toBeGreaterThan(0);
  });
});

describe('a difference an edit makes of a term and itself is no repair', () => {
  // An antisymmetric residual RNN (review150): ‖I + ½(W − Wᵀ)‖ = 1 + ½‖W − Wᵀ‖ is false (the eigenvalues of the
  // antisymmetric part are imaginary: ‖I + A‖ = sqrt(1 + ‖A‖²)). `W' - W'` in place of `W - W'` on both sides made it
  // read ‖I‖ = 1, true of nothing the claim is about, and it was offered (review151, again in review153).
  const [linear] = searchedRepairs(
    'test/fixtures/models/antisymmetric-residual.yaml',
    `  - id: antisymmetric-linear
    claim: norm2(eye(d) + 0.5*(W - W')) = 1 + 0.5*norm2(W - W')
`,
  );

  it('is not offered: no repair statement has a term minus itself, and the screen counts them', () => {
    expect(linear!.verdict).toBe('refuted');
    for (const s of offered(linear!)) expect(s).not.toMatch(/W' - W'|W - W\b(?!')/);
    // the true form, sqrt(1 + ¼‖W − Wᵀ‖²), is no edit of this one: none holds, which is what is said
    expect(linear!.repairs!.status).toBe('none');
    expect(linear!.repairs!.work.identityOrZero).toBe(4);
  });
});

describe('a swap of two norms that agree on the argument, or sides alike, is no repair', () => {
  // review155: `x <= 0.5*x` for a vector x was offered `norm2(x) <= normF(x)` — the spectral and Frobenius norms of a
  // vector are one number, so that is x ≤ x; dropping the factor alone leaves two sides alike
  const [self] = searchedRepairs(
    'derivations/lab-10-5-vanilla-rnn.yaml',
    `  - id: self-half
    claim: norm2(grad(L, h[T-1])) <= 0.5*norm2(grad(L, h[T-1]))
`,
  );

  it('offers neither, and counts the sides alike as vacuous', () => {
    expect(self!.verdict).toBe('refuted');
    expect(offered(self!)).toEqual([]);
    expect(self!.repairs!.work.identityOrZero).toBeGreaterThan(0);
  });
});

describe('a partial derivative that holds its own output is no repair', () => {
  // review155: `norm2(partial(h[T], W, h[T-1])) <= 0.5*sqrt(d)` was offered with the held node shifted onto the output,
  // `partial(h[T], W, h[T])` and `partial(h[T-1], W, h[T-1])`: 0 whatever the model (∂h/∂W has no closed form here)
  const [direct] = searchedRepairs(
    'derivations/lab-10-5-vanilla-rnn.yaml',
    `  - id: direct-W-half
    claim: norm2(partial(h[T], W, h[T-1])) <= 0.5*sqrt(d)
`,
  );

  it('is not offered', () => {
    expect(direct!.verdict).toBe('refuted');
    expect(offered(direct!).filter((s) => /partial\((h\[[^\]]*\]), W, \1\)/.test(s))).toEqual([]);
    expect(direct!.repairs!.work.identityOrZero).toBeGreaterThan(0);
  });
});

describe('a candidate whose sides differ as the claim’s do is no repair (a dilution)', () => {
  // review155: `1 - max|h|^2 = 1 - min|h|^2` under saturation is false by 1.5e-17 (extended precision); the candidate
  // `1 + max|h|^2 = 1 + min|h|^2` differs by as much, but in 2, under the relative tolerance: it was offered as consistent
  const [complements] = checkDerivation(loadDerivationFile('test/fixtures/models/saturated-norm-ties.yaml'), {
    claims: ['max-min-complements-false'],
    repair: true,
  });

  it('is not offered, and the screen counts it', () => {
    expect(complements!.verdict).toBe('refuted');
    expect(offered(complements!).filter((s) => s.includes('1 + normMax(h[1])^2'))).toEqual([]);
    expect(complements!.repairs!.work.identityOrZero).toBeGreaterThan(0);
  });

  it('is told from a correction by what the sides differ by, up to sign for an equality only', () => {
    const d = parseDerivation(
      `gradproof: 1
model:
  sizes: { d: 2..3, T: 2..4 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1])
  loss: L = sum(h[T])
claims:
  - { id: claim, claim: "1 - norm2(W)^2 = 1 - normF(W)^2" }
  - { id: diluted, claim: "1 + norm2(W)^2 = 1 + normF(W)^2" }
  - { id: shifted, claim: "2 - norm2(W)^2 = 2 - normF(W)^2" }
  - { id: corrected, claim: "1 - norm2(W)^2 = 1 - normF(W)^2 / d" }
  - { id: bound, claim: "norm2(W)^2 - 1 <= normF(W)^2 - 1" }
  - { id: bound-diluted, claim: "norm2(W)^2 + 5 <= normF(W)^2 + 5" }
  - { id: bound-reversed, claim: "normF(W)^2 + 5 <= norm2(W)^2 + 5" }
`,
      'dilution.yaml',
    );
    const byId = new Map(d.claims.map((c) => [c.id, c]));
    const vacuous = (claim: string, candidate: string) =>
      vacuousDerivativeTest(d.model, byId.get(claim)!, (e) => printExpr(e))(byId.get(candidate)!);
    expect(vacuous('claim', 'diluted')).toBe(true);
    expect(vacuous('claim', 'shifted')).toBe(true);
    expect(vacuous('claim', 'corrected')).toBe(false);
    expect(vacuous('bound', 'bound-diluted')).toBe(true);
    // a reversed inequality is another claim, not the same one diluted
    expect(vacuous('bound', 'bound-reversed')).toBe(false);
  });
});
