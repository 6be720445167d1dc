/**
 * (c·I)ᵀ keeps its identity: a leaky RNN, h[t] = 0.5·h[t−1] + 0.5·tanh(…), has the one-step Jacobian 0.5·I + …, and
 * the transpose its gradient is built from dropped the I (`mul(I, c)` is c), so ∇_{h[T−k]} L was derived as
 * ∏ (0.5 + …)ᵀ ∇L — a scalar the evaluator adds to every entry. Until 2026-12-05 the decimals evaluated that form
 * wherever float64 lost digits (the saturated regime): the true gradient at every lag was refuted, at one lag
 * unverifiable, and the false form with 0.5 for 0.5·I, which the symbolic stage found "identical", unverifiable.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { printExpr } from '../../src/ir/print.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';
import { transpose } from '../../src/symbolic/transpose.js';
import { eye, num, scaled } from '../../src/symbolic/build.js';
import { affine } from '../../src/ir/affine.js';

const leaky = loadDerivationFile('test/fixtures/models/leaky-rnn.yaml');

describe('a scaled identity through a transpose', () => {
  it('(c·I)ᵀ = c·I, not c', () => {
    const cI = scaled(num(0.5), eye(affine(0, { d: 1 })))!;
    expect(printExpr(transpose(cI)!)).toBe('eye(d)*0.5');
  });

  it("the leaky RNN's gradient at lag k keeps 0.5·I in every factor", () => {
    const [q] = deriveQuantities(leaky, 'grad(L, h[T-k])', null);
    expect(printExpr(q!.derived!)).toBe(
      "prod(i, 1, k, eye(d)*0.5 + W'*diag(1 - tanh(W*h[T-k+i-1] + U*x[T-k+i] + b).^2)*0.5)*grad(L, h[T])",
    );
  });

  it('its true gradients hold and the broadcast form is refuted, the saturated instances included', () => {
    const verdicts = checkDerivation(leaky, { instances: 2 }).map((r) => [r.id, r.verdict]);
    expect(verdicts).toEqual([
      ['one-step', 'verified'],
      // not verified: the exact expansion of the lag-7 product exceeds its budget (ℤ_p agrees)
      ['every-lag', 'consistent'],
      ['every-lag-broadcast', 'refuted'],
    ]);
  });
});
