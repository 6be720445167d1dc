/**
 * Wide floats carry 1 − |h| for tanh and σ values near ±1 (src/symbolic/domains/wide-float.ts): at saturated units
 * float64's h is ±1 and 1 − h² is 0 there, its value 1e-17 and below. With the complement the wide floats give the
 * 40-digit decimals' values, where they decided nothing before; at T = 1024 they decide every point of the lab's
 * eq. (1) on a saturated instance, which the decimals' budget left as numeric trouble.
 */
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../../src/check/check-claim.js';
import { lookWith } from '../../src/check/extended-check.js';
import { runPoints } from '../../src/check/points.js';
import { bindings } from '../../src/check/bindings.js';
import type { PointOutcome } from '../../src/check/compare.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { relErr } from '../../src/numeric/linalg.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { DECIMALS, WIDE_FLOATS } from '../../src/symbolic/domains/extended.js';
import {
  nearOne,
  wideActivation,
  wideFloatRing,
  wideFromNumber,
  wideToNumber,
} from '../../src/symbolic/domains/wide-float.js';
import { sigmoid } from '../../src/ops/elementwise.js';
import { specOf } from '../../src/ops/registry.js';
import { node, num } from '../../src/ir/expr.js';

const vanilla = parseDerivation(readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8'), 'vanilla.yaml');
const claim = vanilla.claims.find((c) => c.id === 'lab-eq1')!;
const saturated = (T: number, d: number, m: number) => {
  const spec = instanceSpec(vanilla.model, DEFAULT_OPTIONS.masterSeed, 3, ['saturated'], { d, m, T });
  const instance = buildInstance(vanilla.model, spec);
  return { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
};

const STUB: PointOutcome = {
  status: 'agree',
  relError: 0,
  lhs: new Float64Array(),
  rhs: new Float64Array(),
  compared: 'vectors',
};

describe('1 − h² at saturated units in wide floats', () => {
  const tanh = specOf(node('tanh', [num(0)])).activation!;

  it('1 − tanh(z)² from the complement is sech²(z), where float64 gives 0', () => {
    const ring = wideFloatRing(() => {});
    for (const z of [19.5, 25, -30, 200]) {
      const h = nearOne(wideFromNumber(Math.tanh(z)), tanh.complement!(z));
      expect(Math.tanh(z) ** 2).toBe(1);
      const dact = wideToNumber(ring.sub(ring.one, ring.mul(h, h)));
      const sech2 = 4 / (Math.exp(z) + Math.exp(-z)) ** 2;
      expect(Math.abs(dact - sech2) / sech2).toBeLessThan(1e-14);
    }
    // 1 − σ(30)·tanh(400): tanh(400) is 1 in float64 and its complement (1e-348) below any double; a value of the
    // instance equal to 1 is not the exact 1, so no complement is made of the product, and it cancels as in float64
    const sigma = specOf(node('sigma', [num(0)])).activation!;
    const s30 = nearOne(wideFromNumber(1 / (1 + Math.exp(-30))), sigma.complement!(30));
    expect(wideToNumber(ring.sub(ring.one, s30)) / Math.exp(-30)).toBeCloseTo(1, 12);
    const t400 = nearOne(wideFromNumber(Math.tanh(400)), tanh.complement!(400));
    expect(t400.c).toBeUndefined();
    expect(wideToNumber(ring.sub(ring.one, ring.mul(s30, t400)))).toBe(1 - 1 / (1 + Math.exp(-30)));
    // an expression's constant 1 is the exact 1: 1 − 1·σ(30) is 1 − σ(30); a computed 1 (a spectral norm) is not
    expect(wideToNumber(ring.sub(ring.one, ring.mul(ring.constant!(1), s30))) / Math.exp(-30)).toBeCloseTo(1, 12);
    expect(wideToNumber(ring.sub(ring.one, ring.mul(ring.fromNumber(1), s30)))).toBe(1 - 1 / (1 + Math.exp(-30)));
  });

  // 1 − |x₁⋯xₙ| for values near ±1 of tanh and σ (n ≤ 4, signs mixed), each from its complement and the products'
  // complements, against 80-digit decimals. Arguments k/64, exact in both arithmetics.
  it('1 − |a product of tanh and σ values| is the 80-digit value to 1e-13 relative (property)', () => {
    const ring = wideFloatRing(() => {});
    const D = Decimal.clone({ precision: 80 });
    const sigma = specOf(node('sigma', [num(0)])).activation!;
    const factor = fc.record({
      f: fc.constantFrom('tanh', 'sigma'),
      z: fc.integer({ min: 32, max: 64 * 60 }).map((k) => k / 64),
      negative: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(factor, { minLength: 1, maxLength: 4 }), (factors) => {
        let product = ring.one;
        let exact = new D(1);
        for (const { f, z, negative } of factors) {
          const arg = negative ? -z : z;
          const spec = f === 'tanh' ? tanh : sigma;
          // σ(−z) is near 0, not near 1: only tanh takes the negative arguments
          const x = f === 'tanh' ? arg : z;
          const value = nearOne(wideFromNumber(f === 'tanh' ? Math.tanh(x) : sigmoid(x)), spec.complement!(x));
          product = ring.mul(product, value);
          exact = exact.mul(f === 'tanh' ? new D(x).tanh() : new D(1).div(new D(-x).exp().add(1)));
        }
        const one = wideToNumber(product) < 0 ? ring.neg(ring.one) : ring.one;
        const wide = wideToNumber(ring.sub(one, product));
        const truth = new D(1).sub(exact.abs()).mul(wideToNumber(product) < 0 ? -1 : 1);
        expect(Math.abs(wide - truth.toNumber()) / Math.abs(truth.toNumber())).toBeLessThan(1e-13);
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('values agree with the 40-digit decimals at every lag of a saturated instance', () => {
    const entry = saturated(100, 8, 4);
    entry.instance.graph.withResidentParams(() => {
      for (const env of bindings(claim, entry.instance.sizes)) {
        const wide = lookWith(WIDE_FLOATS, claim, entry, env, STUB);
        const decimal = lookWith(DECIMALS, claim, entry, env, STUB);
        expect(wide.status).toBe('agree');
        expect(decimal.status).toBe('agree');
        if (wide.status !== 'agree' || decimal.status !== 'agree') continue;
        expect(relErr(wide.lhs, decimal.lhs)).toBeLessThan(1e-12);
        expect(relErr(wide.rhs, decimal.rhs)).toBeLessThan(1e-12);
      }
    });
  });

  // The bench's saturated instance (bench/baseline.mjs, T = 1024, d = 64): 1 − h² cancels at a step on the way, and
  // float64 mantissas alone decide none of its points; the decimals' budget (4·10⁶ products) runs out in the forward
  // pass, so all 668 points float64 could not decide were numeric trouble.
  it('T = 1024, d = 64: every point of a saturated instance decided, none set aside as trouble', () => {
    const entry = saturated(1024, 64, 16);
    const points = runPoints(claim, entry, 0, null);
    expect(points.filter((p) => p.outcome.status === 'trouble')).toEqual([]);
    expect(points.every((p) => p.outcome.status === 'agree')).toBe(true);
    const byWide = points.filter(
      (p) => p.outcome.status === 'agree' && p.outcome.extended?.arithmetic === 'wide-float',
    );
    expect(byWide.length).toBeGreaterThan(600);
    // without the complements (activations as float64 gives them), the longest lag is not decided in wide floats
    const plain: typeof WIDE_FLOATS = {
      ...WIDE_FLOATS,
      nearOne: undefined,
      activation: (spec, n, x) =>
        wideActivation(
          spec.rule(n, () => {
            throw new Error('no user functions here');
          }).value,
          x,
        ),
    };
    const longest = points.at(-1)!.env;
    const look = entry.instance.graph.withResidentParams(() => lookWith(plain, claim, entry, longest, STUB));
    expect(look.status).toBe('undecided');
  });
});
