/**
 * Interval enclosures (src/symbolic/domains/interval.ts): every operation's
 * interval contains the exact result of the exact operands — checked in exact
 * rationals (a double is m·2^e, a BigInt fraction), over doubles of every
 * size including subnormals; exact zeros stay [0, 0]; activations enclose
 * their 40-digit decimal values; the spectral norm's enclosure holds every
 * matrix inside it. And the points they decide: a structural zero agrees by
 * enclosures, an underflowed one does not.
 */
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  excessBound,
  type Interval,
  intervalActivation,
  intervalAdd,
  intervalDiv,
  intervalMul,
  intervalNeg,
  intervalOf,
  intervalRing,
  intervalSpectralNorm,
  intervalSqrt,
  relErrorBound,
  SUBNORMAL_PRODUCT_COST,
} from '../../src/symbolic/domains/interval.js';
import { INTERVALS, WIDE_PRODUCT_COST, WorkCounter } from '../../src/symbolic/domains/extended.js';
import { withWorkLimit } from '../../src/numeric/work-meter.js';
import { BUILT_IN_RULES } from '../../src/ops/activations.js';
import { opSpec } from '../../src/ops/registry.js';
import { mat, spectralNorm } from '../../src/numeric/linalg.js';

/** A double as an exact fraction n/d (d > 0). */
type Frac = readonly [bigint, bigint];
function frac(x: number): Frac {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  if (x === 0) return [0n, 1n];
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  return [BigInt(m), 1n << BigInt(e)];
}
const cmp = ([a, b]: Frac, [c, d]: Frac): number => {
  const l = a * d;
  const r = c * b;
  return l < r ? -1 : l > r ? 1 : 0;
};
const fadd = ([a, b]: Frac, [c, d]: Frac): Frac => [a * d + c * b, b * d];
const fmul = ([a, b]: Frac, [c, d]: Frac): Frac => [a * c, b * d];
const fdiv = ([a, b]: Frac, [c, d]: Frac): Frac => (c < 0n ? [-a * d, b * -c] : [a * d, b * c]);
/** lo ≤ exact ≤ hi (an overflowed bound at ±Infinity holds everything beyond it) */
const contains = (i: Interval, exact: Frac): boolean =>
  (i.lo === -Infinity || cmp(frac(i.lo), exact) <= 0) && (i.hi === Infinity || cmp(exact, frac(i.hi)) <= 0);

/** Doubles of every magnitude: tiny, subnormal, huge, integers, and 0. */
const double = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e-300, max: 1e-300 }),
  fc.integer({ min: -1000, max: 1000 }).map((k) => k / 8),
  fc.constantFrom(0, 1, -1, 5e-324, -5e-324, 2 ** -1022, 1 - 2 ** -53),
);
const point = (x: number): Interval => ({ lo: x, hi: x });
/** an interval around a double (or a point) */
const interval = fc
  .tuple(double, double)
  .map(([a, b]) => (a <= b ? { lo: a, hi: b } : { lo: b, hi: a }))
  .filter((i) => Number.isFinite(i.lo) && Number.isFinite(i.hi));

describe('interval operations enclose the exact results', () => {
  it('sums, differences, products and quotients of doubles (fast-check, exact rationals)', () => {
    fc.assert(
      fc.property(double, double, (a, b) => {
        const [x, y] = [point(a), point(b)];
        expect(contains(intervalAdd(x, y), fadd(frac(a), frac(b)))).toBe(true);
        expect(contains(intervalAdd(x, intervalNeg(y)), fadd(frac(a), frac(-b)))).toBe(true);
        expect(contains(intervalMul(x, y), fmul(frac(a), frac(b)))).toBe(true);
        expect(contains(intervalMul(x, x), fmul(frac(a), frac(a)))).toBe(true);
        const q = intervalDiv(x, y);
        if (b === 0) expect(q).toBeNull();
        else expect(contains(q!, fdiv(frac(a), frac(b)))).toBe(true);
      }),
      { numRuns: 4000 },
    );
  });

  it('every point of the operands gives a result inside (products of intervals with mixed signs)', () => {
    fc.assert(
      fc.property(interval, interval, fc.double({ min: 0, max: 1 }), fc.double({ min: 0, max: 1 }), (x, y, s, t) => {
        // a point of each interval (a double inside it)
        const at = (i: Interval, u: number) => Math.min(i.hi, Math.max(i.lo, i.lo + u * (i.hi - i.lo)));
        const [a, b] = [at(x, s), at(y, t)];
        if (!Number.isFinite(a) || !Number.isFinite(b)) return;
        const product = intervalMul(x, y);
        if (Number.isFinite(product.lo) && Number.isFinite(product.hi))
          expect(contains(product, fmul(frac(a), frac(b)))).toBe(true);
        const sum = intervalAdd(x, y);
        if (Number.isFinite(sum.lo) && Number.isFinite(sum.hi))
          expect(contains(sum, fadd(frac(a), frac(b)))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('square roots: lo² ≤ x ≤ hi² exactly; an interval reaching below 0 has none', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e300, noNaN: true }), (a) => {
        const r = intervalSqrt(point(a));
        expect(cmp(fmul(frac(r.lo), frac(r.lo)), frac(a))).toBeLessThanOrEqual(0);
        expect(cmp(frac(a), fmul(frac(r.hi), frac(r.hi)))).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
    expect(() => intervalSqrt({ lo: -1e-300, hi: 1 })).toThrow(/below 0/);
  });

  it('a sum or product that is exact stays a point; one that rounds is widened (fast-check, exact rationals)', () => {
    // operands on a coarse grid make exact results frequent; the general doubles make rounded ones frequent
    const operand = fc.oneof(
      double,
      fc.integer({ min: -64, max: 64 }).map((k) => k / 4),
    );
    const tightIffExact = (i: Interval, exact: Frac) => {
      // a point is exactly the result; a result that is a double the interval does not hold as a point is widened
      if (i.lo === i.hi) expect(cmp(frac(i.lo), exact)).toBe(0);
      else expect(cmp(frac(i.lo), exact)).toBe(-1);
    };
    let points = 0;
    fc.assert(
      fc.property(operand, operand, (a, b) => {
        const [x, y] = [point(a), point(b)];
        const sum = intervalAdd(x, intervalNeg(y));
        if (Number.isFinite(a - b)) tightIffExact(sum, fadd(frac(a), frac(-b)));
        const product = intervalMul(x, y);
        if (Number.isFinite(product.lo) && Number.isFinite(product.hi)) tightIffExact(product, fmul(frac(a), frac(b)));
        if (sum.lo === sum.hi) points++;
        // the exact results the error-free transformations find are points (a − a is [0, 0], not ±5e-324)
        const zero = intervalAdd(x, intervalNeg(x));
        expect([zero.lo === 0, zero.hi === 0]).toEqual([true, true]);
      }),
      { numRuns: 4000, seed: 20261207 },
    );
    expect(points).toBeGreaterThan(1000);
    // 1 − 1·1 (ReLU′ − ReLU′² at an active unit) is a structural 0; 0.1 + 0.2 rounds, so it is widened
    expect(intervalAdd(point(1), intervalNeg(intervalMul(point(1), point(1))))).toEqual({ lo: 0, hi: 0 });
    const rounded = intervalAdd(point(0.1), point(0.2));
    expect(rounded.lo).toBeLessThan(rounded.hi);
    // a product whose error would be subnormal is not taken as exact (Dekker's error term is not error-free there)
    const tiny = intervalMul(point(2 ** -600), point(3 * 2 ** -420));
    expect(tiny.lo).toBeLessThan(tiny.hi);
  });

  it('exact zeros stay [0, 0]; a product that underflows does not', () => {
    const zero = point(0);
    expect(intervalMul(zero, point(3.5))).toEqual({ lo: 0, hi: 0 });
    expect(intervalAdd(zero, zero)).toEqual({ lo: 0, hi: 0 });
    // 1e-600 is 0 in float64: the enclosure keeps it above 0, never at exactly [0, 0]
    const under = intervalMul(point(1e-300), point(1e-300));
    expect(under).toEqual({ lo: 0, hi: 5e-324 });
    expect(intervalMul(point(-1e-300), point(1e-300))).toEqual({ lo: -5e-324, hi: 5e-324 });
    // a quotient that underflows to 0 is no exact 0 either
    expect(intervalDiv(point(5e-324), point(-2))).toEqual({ lo: -5e-324, hi: 5e-324 });
    // so the relative error of two such sides cannot be bounded, while exact zeros agree exactly
    expect(relErrorBound([under], [under])).toBe(Infinity);
    expect(relErrorBound([zero, zero], [zero, zero])).toBe(0);
  });
});

describe('activations and norms', () => {
  const D = Decimal.clone({ precision: 40 });
  const decimal: Record<string, (x: Decimal) => Decimal> = {
    tanh: (x) => x.tanh(),
    sigma: (x) => new D(1).div(x.neg().exp().add(1)),
    exp: (x) => x.exp(),
  };
  const ranges: Record<string, readonly [number, number]> = { tanh: [-1, 1], sigma: [0, 1], exp: [0, Infinity] };
  for (const name of Object.keys(decimal)) {
    it(`${name} over an interval encloses its 40-digit values at the ends and inside`, () => {
      const f = BUILT_IN_RULES.get(name)!.value;
      fc.assert(
        fc.property(
          fc.double({ min: -40, max: 40, noNaN: true }),
          fc.double({ min: 0, max: 5, noNaN: true }),
          (lo, w) => {
            if (Math.abs(lo) < 2 ** -1000) return;
            const x = { lo, hi: lo + w };
            const y = intervalActivation(f, ranges[name]!, x);
            for (const t of [x.lo, x.hi, (x.lo + x.hi) / 2]) {
              const v = decimal[name]!(new D(t));
              expect(v.gte(new D(y.lo)) && v.lte(new D(y.hi))).toBe(true);
            }
          },
        ),
        { numRuns: 500 },
      );
    });
  }

  it('|x| over an interval: every |t| inside, both ends attained (subnormals and signs included)', () => {
    const exactRange = opSpec('abs').activation!.exactRange!;
    fc.assert(
      fc.property(interval, fc.double({ min: 0, max: 1, noNaN: true }), (x, s) => {
        const [lo, hi] = exactRange(x.lo, x.hi);
        const t = x.lo + s * (x.hi - x.lo);
        for (const u of [x.lo, x.hi, Math.min(Math.max(t, x.lo), x.hi)])
          expect(lo <= Math.abs(u) && Math.abs(u) <= hi).toBe(true);
        // tight: the larger end is an end's |x|, the smaller 0 when the interval holds 0
        expect(hi).toBe(Math.max(Math.abs(x.lo), Math.abs(x.hi)));
        expect(lo).toBe(x.lo <= 0 && x.hi >= 0 ? 0 : Math.min(Math.abs(x.lo), Math.abs(x.hi)));
      }),
      { numRuns: 1000 },
    );
  });

  it('an activation where float64 flushes to 0 has no interval rule', () => {
    expect(() => intervalActivation(Math.exp, [0, Infinity], { lo: -800, hi: 0 })).toThrow(/no interval rule/);
  });

  it('the spectral norm: every matrix inside the enclosure has its norm inside, and the bounds are tight', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 36, maxLength: 36 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 36, maxLength: 36 }),
        (rows, cols, values, where) => {
          const n = rows * cols;
          const radius = 1e-9;
          const data = values.slice(0, n).map((v) => ({ lo: v - radius, hi: v + radius }));
          const enclosure = intervalSpectralNorm({ rows, cols, data });
          // matrices inside: the corners and a random point (float64's SVD, to far better than the width)
          for (const pick of [() => 0, () => 1, (k: number) => where[k]!]) {
            const inside = Float64Array.from(data, (x, k) => x.lo + pick(k) * (x.hi - x.lo));
            const s = spectralNorm(mat(rows, cols, inside));
            expect(s).toBeGreaterThanOrEqual(enclosure.lo * (1 - 1e-12));
            expect(s).toBeLessThanOrEqual(enclosure.hi * (1 + 1e-12));
          }
          const s0 = spectralNorm(mat(rows, cols, Float64Array.from(values.slice(0, n))));
          expect(enclosure.hi - enclosure.lo).toBeLessThanOrEqual(1e-6 * Math.max(1, s0));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the decisions', () => {
  it('the excess of a bound x ≤ y: an upper bound over every x and y inside', () => {
    fc.assert(
      fc.property(interval, interval, fc.double({ min: 0, max: 1 }), fc.double({ min: 0, max: 1 }), (x, y, s, t) => {
        const bound = excessBound(x, y);
        const at = (i: Interval, u: number) => Math.min(i.hi, Math.max(i.lo, i.lo + u * (i.hi - i.lo)));
        const [a, b] = [at(x, s), at(y, t)];
        const scale = Math.max(Math.abs(a), Math.abs(b));
        if (!Number.isFinite(a - b) || !Number.isFinite(scale)) return;
        const excess = scale === 0 ? 0 : (a - b) / scale;
        // float64's own excess may round up by an ulp or two; the bound is rounded outward
        expect(excess).toBeLessThanOrEqual(bound + 4 * Number.EPSILON * Math.abs(bound) + 1e-300);
      }),
      { numRuns: 3000 },
    );
    expect(excessBound(point(0), point(0))).toBe(0);
    expect(excessBound(point(1), point(2))).toBeLessThan(-0.49);
    // a scale that may be 0 with a gap that need not be: no bound
    expect(excessBound({ lo: -1e-300, hi: 1e-300 }, point(0))).toBe(Infinity);
  });

  it('the relative error of two sides: an upper bound, exact 0 only for exact zeros', () => {
    const a = [point(1), point(2)];
    const b = [point(1), { lo: 2, hi: 2 + 2 ** -40 }];
    const bound = relErrorBound(a, b);
    expect(bound).toBeGreaterThanOrEqual(2 ** -40 / Math.sqrt(5 + 2 ** -38));
    expect(bound).toBeLessThan(1e-12);
    // a side of one entry broadcasts
    expect(relErrorBound([point(3)], [point(3), point(3)])).toBeLessThan(1e-15);
  });
});

describe('what interval products cost', () => {
  it('one product each, flagged where the result lies in subnormal reach (the processor slow path)', () => {
    const calls: [number | undefined, boolean | undefined][] = [];
    const ring = intervalRing((n, subnormal) => calls.push([n, subnormal]));
    const tiny = intervalOf(1e-300, 2e-300);
    const small = intervalOf(1e-150, 1e-150);
    ring.mul(intervalOf(0.5, 0.75), intervalOf(2, 3));
    ring.mul(tiny, intervalOf(0.5, 0.5));
    // 10⁻¹⁵⁰ · 10⁻¹⁵⁰: normal operands, a result at 10⁻³⁰⁰ (its widening subnormal)
    ring.mul(small, small);
    // an exact 0 is exact, and cheap
    ring.mul(intervalOf(0, 0), tiny);
    expect(calls).toEqual([
      [1, false],
      [1, true],
      [1, true],
      [1, false],
    ]);
  });

  it('on the claim meter, a product in subnormal reach counts SUBNORMAL_PRODUCT_COST times a usual one', () => {
    const meter = (a: number, b: number) =>
      withWorkLimit(Infinity, () => {
        const ring = INTERVALS.ring(new WorkCounter(Infinity, 'interval', WIDE_PRODUCT_COST));
        ring.mul(intervalOf(a, a), intervalOf(b, b));
      }).spent;
    expect(meter(0.5, 0.25)).toBe(WIDE_PRODUCT_COST);
    expect(meter(1e-300, 0.25)).toBe(WIDE_PRODUCT_COST * SUBNORMAL_PRODUCT_COST);
    // the measured slow path: ≥ 10× a usual product (350–600 ns against 30 per multiply-add here)
    expect(SUBNORMAL_PRODUCT_COST).toBeGreaterThanOrEqual(10);
  });
});
