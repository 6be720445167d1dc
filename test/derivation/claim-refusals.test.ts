/**
 * Claims refused where they are written, each saying what was expected.
 *
 * Where supabs (a numeric lower bound of a supremum) may stand (src/derivation/check-expr.ts): only where the claim's
 * larger side grows with it, so that a value below the true sup can only make the check stricter. A factor of unknown
 * sign beside it was accepted — `supabs(…) * (0 - 1)` decreases with the sup — and a quotient over a nonnegative
 * denominator, which grows with it, was refused (a review's `… <= supabs(x, x·σ′(x)) / normMin(beta)`). Every refusal
 * says what was expected.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';

const fileWith = (claim: string, forall = 'k in 1..T'): string =>
  modelFile({
    sizes: 'd: 2..3, T: 3..4',
    symbols: ['W', 'c', 'h', 'a: { role: parameter, shape: [1] }'],
    equations: ['h[t] = tanh(W*h[t-1])'],
    loss: 'L = sum(c .* h[T])',
    claims: `  - id: bound\n    claim: ${claim}\n    forall: ${forall}\n`,
  });

function refusal(claim: string): InputError | null {
  try {
    parseDerivation(fileWith(claim), 'sup.yaml');
    return null;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

describe('supabs stands only where the larger side grows with it', () => {
  it.each([
    'norm2(jac(h[T], h[T-1])) <= norm2(W) * supabs(x, 1 - tanh(x)^2)',
    'norm2(jac(h[T], h[T-1])) <= supabs(x, 1 - tanh(x)^2) / normMin(c)',
    'norm2(jac(h[T], h[T-2])) <= (norm2(W) * supabs(x, 1 - tanh(x)^2))^2',
    'norm2(jac(h[T], h[T-1])) <= sqrt(supabs(x, 1 - tanh(x)^2)) + 1 - 1',
    'supabs(x, sigma(x)) * exp(normMax(W)) >= normMax(h[T]) * sigma(0.5)',
    'norm2(jac(h[T], h[T-1])) <= sum(i, 1, 2, norm2(W)^i) * supabs(x, 1 - tanh(x)^2)',
    // integer factors nonnegative at every size (≥ 1) and binding: T − 1, k − 1 for k in 1..T, k − i inside i in 1..k
    'k * norm2(W) <= (T - 1) * norm2(W) * supabs(x, 1 - tanh(x)^2) + (k - 1) * supabs(x, sigma(x))',
    'norm2(jac(h[T], h[T-1])) <= sum(i, 1, k, (k - i) * supabs(x, 1 - tanh(x)^2))',
  ])('accepts %s', (claim) => {
    expect(refusal(claim)).toBe(null);
  });

  it.each([
    // a factor of unknown sign: the side falls as the sup grows
    ['norm2(jac(h[T], h[T-1])) <= supabs(x, 1 - tanh(x)^2) * (0 - 1) + 5', 'grows with it'],
    ['norm2(jac(h[T], h[T-1])) <= supabs(x, 1 - tanh(x)^2) * sum(a)', 'grows with it'],
    ['norm2(jac(h[T], h[T-1])) <= 5 - supabs(x, 1 - tanh(x)^2)', 'grows with it'],
    // k − 2 is −1 at k = 1
    ['norm2(jac(h[T], h[T-1])) <= (k - 2) * supabs(x, 1 - tanh(x)^2)', 'grows with it'],
    // an exponent negative somewhere in the domain: x^k falls with x at k = −1
    ['norm2(jac(h[T], h[T-1])) <= supabs(x, 1 - tanh(x)^2)^(k - 2)', 'grows with it'],
    // the sup in a denominator
    ['norm2(jac(h[T], h[T-1])) <= 1 / supabs(x, 1 - tanh(x)^2)', 'grows with it'],
    ['supabs(x, 1 - tanh(x)^2) <= norm2(W)', 'only stand on the larger side'],
  ])('refuses %s, saying what was expected', (claim, problem) => {
    const e = refusal(claim);
    expect(e).toBeInstanceOf(InputError);
    expect(e!.message).toContain(problem);
    expect(e!.message).toMatch(/\(expected [^)]/);
    // located at the claim's line
    expect(e!.pos.line).toBe(fileWith(claim).split('\n').indexOf(`    claim: ${claim}`) + 1);
  });
});

describe('a power of a sup', () => {
  it('is refused where its exponent is negative somewhere in the domain (k in -2..2), kept where it is not', () => {
    const claim = 'norm2(W) <= supabs(x, 1 - tanh(x)^2)^k * norm2(W)';
    expect(refusal(claim)).toBe(null);
    let err: unknown = null;
    try {
      parseDerivation(fileWith(claim, 'k in -2..2'), 'sup.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain('grows with it');
  });
});

describe('a held value that is the derivative itself', () => {
  it('is refused at the claim, saying what may be held', () => {
    const e = refusal('norm2(partial(h[T], h[T-1], h)) <= 1');
    expect(e).toBeInstanceOf(InputError);
    expect(e!.message).toContain("'h' cannot be held at every step: the derivative is of or with respect to it");
    expect(e!.message).toContain('(expected held values other than the two the derivative relates');
  });
});

describe('sides of different shapes', () => {
  // review 150 (e_traps.yaml:52:28): a row against a column had no "(expected …)"
  it.each([
    [
      "grad(L, h[T-1]) = c' * W",
      "sup.yaml:14:28: the sides have different shapes: vector[d] and matrix[1, d] (expected both sides vector[d]: transpose one side with ')",
    ],
    [
      'norm2(W) = c',
      'sup.yaml:14:21: the sides have different shapes: scalar and vector[d] (expected both sides scalar)',
    ],
    [
      'W = 2',
      'sup.yaml:14:14: the sides have different shapes: matrix[d, d] and scalar (expected 0 for a zero matrix[d, d], or c * eye(n))',
    ],
  ])('%s is refused, saying what was expected', (claim, message) => {
    expect(refusal(claim)!.message).toBe(message);
  });
});
