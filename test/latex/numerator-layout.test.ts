/**
 * The chain rule written in numerator layout throughout: ∂L/∂h_k on one side is the row that ∂L/∂h_T followed by
 * Jacobians is on the other. It was refused as two shapes (vector[d] and matrix[1, d]); it is now read as the row on
 * both sides, with a note, and checked: the order the author wrote decides the verdict.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';
import { convert, fileContext } from './helpers.js';

const lab = fileContext('lab-10-5-vanilla-rnn', { forall: 'k in 1..T' });
const NOTE = "∂L/∂x beside a row read as the row vector grad(…)' (the chain rule's numerator layout)";

describe('numerator layout on both sides', () => {
  it.each([
    [
      '\\frac{\\partial L}{\\partial h^{[\\tau-1]}} = \\frac{\\partial L}{\\partial h^{[\\tau]}} \\frac{\\partial h^{[\\tau]}}{\\partial h^{[\\tau-1]}}',
      "grad(L, h[T-1])' = grad(L, h[T])' * jac(h[T], h[T-1])",
    ],
    // either side
    [
      '\\frac{\\partial L}{\\partial h^{[\\tau]}} \\frac{\\partial h^{[\\tau]}}{\\partial h^{[\\tau-1]}} = \\frac{\\partial L}{\\partial h^{[\\tau-1]}}',
      "grad(L, h[T])' * jac(h[T], h[T-1]) = grad(L, h[T-1])'",
    ],
  ])('%s', (latex, ascii) => {
    const r = convert(latex, lab);
    expect(r.ascii).toBe(ascii);
    expect(r.notes.join('\n')).toContain(NOTE);
  });

  it.each([
    // gᵀ = g, and a transposed gradient times a Jacobian against a gradient: the author's own ᵀ is denominator
    // layout, so the sides are a row and a column, refused as two shapes (a review's: both were verified)
    [
      '\\left(\\frac{\\partial L}{\\partial h^{[\\tau]}}\\right)^\\top = \\frac{\\partial L}{\\partial h^{[\\tau]}}',
      "grad(L, h[T])' = grad(L, h[T])",
    ],
    [
      '\\frac{\\partial L}{\\partial h^{[\\tau-1]}} = \\left(\\frac{\\partial L}{\\partial h^{[\\tau]}}\\right)^\\top \\frac{\\partial h^{[\\tau]}}{\\partial h^{[\\tau-1]}}',
      "grad(L, h[T-1]) = grad(L, h[T])' * jac(h[T], h[T-1])",
    ],
  ])('leaves layouts mixed by a transpose the author wrote as written: %s', (latex, ascii) => {
    const r = convert(latex, lab);
    expect(r.ascii).toBe(ascii);
    expect(r.notes.join('\n')).not.toContain(NOTE);
  });

  it('leaves a gradient beside a column as the column (denominator layout)', () => {
    const r = convert(
      '\\frac{\\partial L}{\\partial h^{[\\tau-1]}} = \\left(\\frac{\\partial h^{[\\tau]}}{\\partial h^{[\\tau-1]}}\\right)^\\top \\frac{\\partial L}{\\partial h^{[\\tau]}}',
      lab,
    );
    expect(r.ascii).toBe("grad(L, h[T-1]) = jac(h[T], h[T-1])' * grad(L, h[T])");
    expect(r.notes.join('\n')).not.toContain(NOTE);
  });

  it('checks the chain rule so written: the order as written decides (T down to k+1 holds, k+1 up to T does not)', () => {
    const d = parseDerivation(
      modelFile({
        title: 'numerator layout',
        sizes: 'd: 2..3, m: 1..2, T: 3..5',
        symbols: ['W', 'U', 'b', 'c', 'x', 'h'],
        equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
        loss: 'L = sum(c .* h[T])',
        claims: `  - id: written-down
    latex: \\frac{\\partial L}{\\partial h_{k}} = \\frac{\\partial L}{\\partial h_T} \\frac{\\partial h_T}{\\partial h_{T-1}} \\cdots \\frac{\\partial h_{k+1}}{\\partial h_{k}}
    forall: k in 1..T-1
  - id: written-up
    latex: \\frac{\\partial L}{\\partial h_{k}} = \\frac{\\partial L}{\\partial h_T} \\prod_{i=k+1}^{T} \\frac{\\partial h_i}{\\partial h_{i-1}}
    forall: k in 1..T-1
`,
      }),
      'numerator.yaml',
    );
    const [down, up] = checkDerivation(d, { instances: 2 });
    expect(down!.verdict).toBe('verified');
    expect(up!.verdict).toBe('refuted');
  });
});
