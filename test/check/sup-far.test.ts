/**
 * A `supabs` whose sup lies beyond the fine grid's [−40, 40] (a peak at x = 45, 50, 60 or 100) was missed, and true
 * bounds on it refuted; one that grows without bound (log(1 + x²)) was taken at x = 1e6, 27.6, and a true bound
 * refuted too (a review's four false alarms). The search now also looks at points spaced geometrically out to ±1e6,
 * and at ±1e12, ±1e50, ±1e150 (src/numeric/sup.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { supAbs } from '../../src/numeric/sup.js';
import { modelFile } from '../support/model-file.js';
import { watchedScalar } from '../support/watched-scalar.js';

const sup = (body: string): number => supAbs(watchedScalar(body));

describe('supabs beyond [−40, 40]', () => {
  it('finds the peaks at 45, 50, 60 and 100 (each missed before: 0.001, 0.0099, 0.118, 0)', () => {
    expect(sup('exp(-(x - 45)^2) + 0.001')).toBeCloseTo(1.001, 9);
    expect(sup('1 / (1 + (x - 50)^2)')).toBeCloseTo(1, 9);
    expect(sup('2 / (1 + ((x - 60) / 5)^2)')).toBeCloseTo(2, 9);
    expect(sup('exp(-(x - 100)^2)')).toBeCloseTo(1, 9);
    // and on the negative side
    expect(sup('exp(-(x + 70)^2)')).toBeCloseTo(1, 9);
  });

  it('takes a body growing without bound as far out as float64 reaches, and the limit of one approached at ±∞', () => {
    // log(1 + x²) near x = 1e150, ≈ 690.8 (before: log(1 + 1e12) = 27.6, at the last tail)
    expect(sup('log(1 + x^2)')).toBeGreaterThan(690.7);
    expect(sup('log(1 + x^2)')).toBeLessThan(691);
    expect(sup('x / (1 + abs(x))')).toBe(1);
    expect(sup('tanh(x)')).toBe(1);
    expect(sup('1 - tanh(x)^2')).toBe(1);
  });

  it("takes no far value it cannot check, and no overflow as a value (a second review's false pass and false alarm)", () => {
    // identically 1; a non-integer power leaves the body without decimals: far out float64's unnoted roundings made it
    // 3.78 (x ≈ 4.9e5), so a false bound against it passed
    expect(sup('abs((x + 1)^3 - x^3 - 3*x^2 - 3*x)^0.5')).toBeLessThanOrEqual(1 + 1e-9);
    // exp overflows to Infinity with nothing noted lost: ≈ 1700 such points used every decimal check, and the sup,
    // ln 2 at x = 0, came out 1.4e-5 (a true bound refuted)
    expect(sup('log(exp(x) + exp(-x)) - abs(x)')).toBeCloseTo(Math.LN2, 9);
    expect(sup('exp(-abs(x)) + log(1 + exp(abs(x))) - abs(x)')).toBeCloseTo(1 + Math.LN2, 9);
  });

  it("the review's four true bounds are consistent (all four were refuted)", () => {
    const claims = [
      'normMax(h[T]) <= supabs(x, exp(-(x - 45)^2) + 0.001)',
      'normMax(h[T]) <= supabs(x, 1 / (1 + (x - 50)^2))',
      'normMax(h[T]) <= supabs(x, 2 / (1 + ((x - 60) / 5)^2))',
      '100 * normMax(h[T]) <= supabs(x, log(1 + x^2))',
      // false: a saturated unit's |h| passes 0.9 · 1.001
      'normMax(h[T]) <= 0.9 * supabs(x, exp(-(x - 45)^2) + 0.001)',
    ];
    const file = modelFile({
      sizes: 'd: 2..4, m: 1..2, T: 3..6',
      symbols: ['W', 'U', 'b', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
      loss: 'L = sum(h[T])',
      claims: claims.map((c, i) => `  - id: c${i}\n    claim: ${c}\n`).join(''),
    });
    const results = checkDerivation(parseDerivation(file, 'sup-far.yaml'));
    expect(results.map((r) => r.verdict)).toEqual(['consistent', 'consistent', 'consistent', 'consistent', 'refuted']);
  });
});
