/**
 * Shrinking a counterexample is bounded: the smaller sizes are tried on a ladder (every value up to the range's
 * smallest + 8, then doubling steps) within a share of the claim's work. Trying every smaller value, a claim false at
 * the top of d: 2..64, T: 3..2000 (the instances of the second round are there) built 2,000 instances and ended as a
 * work-limit error after 136 s and 5.6 GB instead of refuted (a review).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { shrinkLadder } from '../../src/check/check-claim.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';

const big = (claim: string) =>
  parseDerivation(
    modelFile({
      title: 'big ranges',
      name: 'tanh RNN',
      sizes: 'd: 2..64, m: 1..3, T: 3..2000',
      symbols: ['W', 'U', 'b', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
      loss: 'L = sum(h[T])',
      claims: `  - id: c\n    claim: "${claim}"\n`,
    }),
    'big.yaml',
  );

describe('shrinking a counterexample', () => {
  it('tries every value up to lo + 8, then lo + 16, lo + 32, …', () => {
    expect(shrinkLadder(3, 2000)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 19, 35, 67, 131, 259, 515, 1027]);
    expect(shrinkLadder(2, 5)).toEqual([2, 3, 4]);
    expect(shrinkLadder(1, 1)).toEqual([]);
  });

  it('a claim false only at the top of both ranges is refuted there, every smaller size tried on the ladder', () => {
    const [r] = checkDerivation(big('sum(h[T]) * 0 + d + T <= 2063'), { search: 0 });
    expect(r!.verdict).toBe('refuted');
    expect(r!.counterexample!.sizes).toMatchObject({ d: 64, T: 2000, m: 1 });
  });

  it('a claim false from T = 40 on shrinks to the smallest failing value on the ladder', () => {
    const [r] = checkDerivation(big('sum(h[T]) * 0 + T <= 39'), { search: 0 });
    expect(r!.verdict).toBe('refuted');
    expect(r!.counterexample!.sizes).toMatchObject({ d: 2, m: 1, T: 67 });
  });
});
