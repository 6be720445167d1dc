/**
 * Extended precision out of float64's range: wide floats (float64 mantissas,
 * unbounded exponent) and products of Jacobians walked from the vector,
 * memoised across lags. The decisions must be those of 40-digit decimals with
 * every product built in full.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { lookWith } from '../../src/check/extended-check.js';
import { runPoints } from '../../src/check/points.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { DECIMALS } from '../../src/symbolic/domains/extended.js';
import {
  wideAdd,
  wideFloatRing,
  wideFromNumber,
  wideMul,
  wideToDecimal,
  wideToNumber,
} from '../../src/symbolic/domains/wide-float.js';

const D = Decimal.clone({ precision: 40, minE: -9e15, maxE: 9e15 });
const LAB = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
/** The lab with both sides of eq. (1) and of its W-for-Wᵀ variant scaled by 1e-300: every lag underflows. */
const tiny = parseDerivation(
  LAB.replace(
    "claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag",
    "claim: 1e-300 * grad(L, h[T-k]) = 1e-300 * prod(i, 1, k, W' * diag",
  ).replace(
    'claim: grad(L, h[T-k]) = prod(i, 1, k, W * diag',
    'claim: 1e-300 * grad(L, h[T-k]) = 1e-300 * prod(i, 1, k, W * diag',
  ),
  'tiny.yaml',
);

describe('wide floats', () => {
  it('multiply past float64 underflow without losing digits: (3/7)^2000 against 40-digit decimals', () => {
    const ring = wideFloatRing(() => {});
    let x = ring.one;
    for (let i = 0; i < 2000; i++) x = wideMul(x, wideFromNumber(3 / 7));
    const exact = new D(3 / 7).pow(2000);
    expect(wideToDecimal(x, D).div(exact).sub(1).abs().toNumber()).toBeLessThan(2000 * 2 ** -52);
    expect(wideToNumber(x)).toBe(0);
    expect(wideToDecimal(x, D).toSignificantDigits(6).toString()).toBe(exact.toSignificantDigits(6).toString());
  });

  it("as decimals, m·2^e's binary value in the decimals' own precision, the powers of two kept by exponent (property)", () => {
    const Narrow = D.clone({ precision: 20 });
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 2, maxExcluded: true, noNaN: true }),
        fc.integer({ min: -5000, max: 5000 }),
        fc.constantFrom(D, Narrow),
        (m, e, Decimals) => {
          // m·2^e exactly, in BigInts (m·2^52 is an integer: m has 53 bits), rounded once by the decimals' parser
          const M = BigInt(m * 2 ** 52);
          const k = e - 52;
          const exact = new Decimals(k >= 0 ? (M << BigInt(k)).toString() : `${M * 5n ** BigInt(-k)}e${k}`);
          const ulp = exact.abs().mul(new Decimals(10).pow(1 - Decimals.precision));
          // twice: the second reads the kept power; within an ulp of the exact value (2^e is rounded, then the product)
          for (let r = 0; r < 2; r++) expect(wideToDecimal({ m, e }, Decimals).sub(exact).abs().lte(ulp)).toBe(true);
        },
      ),
      { seed: 20261203, numRuns: 200 },
    );
  });

  it('add across exponents: 1e-300·1e-300 + 1e-600 is 2e-600, a term 2^-70 smaller is dropped', () => {
    const a = wideMul(wideFromNumber(1e-300), wideFromNumber(1e-300));
    const sum = wideAdd(a, a);
    expect(wideToDecimal(sum, D).toSignificantDigits(6).toString()).toBe('2e-600');
    const small = wideMul(a, wideFromNumber(2 ** -70));
    expect(wideAdd(a, small)).toEqual(a);
    expect(wideToNumber(wideAdd(wideFromNumber(1.5), wideFromNumber(-1.5)))).toBe(0);
  });

  it('orders and takes square roots at any exponent', () => {
    const ring = wideFloatRing(() => {});
    const { lt, sqrt } = ring.ordered!;
    const big = wideMul(wideFromNumber(1e300), wideFromNumber(1e300));
    const small = wideMul(wideFromNumber(1e-300), wideFromNumber(1e-300));
    expect(lt(small, big)).toBe(true);
    expect(lt(ring.neg(big), ring.neg(small))).toBe(true);
    expect(lt(ring.neg(small), ring.zero)).toBe(true);
    expect(wideToDecimal(sqrt(small), D).toSignificantDigits(6).toString()).toBe('1e-300');
    expect(wideToNumber(sqrt(big))).toBeCloseTo(1e300, -290);
  });
});

describe('products out of float64 range', () => {
  // d = 8, T = 24: small enough for decimals with every product built in full.
  const sizes = { d: 8, m: 4, T: 24 };
  for (const id of ['lab-eq1', 'lab-eq1-W-for-WT']) {
    it(`${id}: every lag decided in wide floats, chained, as 40-digit decimals decide it with full products`, () => {
      const claim = tiny.claims.find((c) => c.id === id)!;
      for (const index of [0]) {
        const instance = buildInstance(tiny.model, instanceSpec(tiny.model, 20261202, index, undefined, sizes));
        const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
        const points = runPoints(claim, entry, 0, null);
        expect(points).toHaveLength(24);
        for (const p of points) {
          expect(p.outcome.status).not.toBe('trouble');
          if (p.outcome.status === 'trouble') continue;
          expect(p.outcome.extended).toMatchObject({ was: 'trouble', arithmetic: 'wide-float' });
          const full = lookWith(DECIMALS, claim, entry, p.env, p.outcome, new Map(), false);
          expect(full.status).toBe(p.outcome.status);
          if (full.status === 'trouble' || full.status === 'undecided') continue;
          // eq. (1) holds: 0 in both; Wᵀ for W: the same O(1) relative error to float64's precision
          expect(Math.abs(full.relError - p.outcome.relError)).toBeLessThan(1e-12);
          expect(full.extended!.lhs.slice(0, 2)).toEqual(p.outcome.extended!.lhs.slice(0, 2));
        }
        expect(points.every((p) => p.outcome.status === (id === 'lab-eq1' ? 'agree' : 'violate'))).toBe(true);
      }
    });
  }

  it('a violation visible only below 1e-300 refutes, decided in wide floats and said so', () => {
    const [r] = checkDerivation(tiny, { claims: ['lab-eq1-W-for-WT'], instances: 1 });
    expect(r!.verdict).toBe('refuted');
    const ext = evidenceOf(r!.evidence, 'extended-precision')!;
    expect(ext.fromTrouble.violate).toBe(evidenceOf(r!.evidence, 'reference')!.points);
    expect(ext.wideFloat).toBe(ext.fromTrouble.violate);
    expect(evidenceSummary(ext)).toMatch(/decided again with float64 mantissas and an unbounded exponent/);
    expect(r!.counterexample!.extended!.lhs[0]).toMatch(/e-30[0-9]$/);
  });
});
