/**
 * Wide-float matrices kept packed (src/symbolic/domains/wide-float.ts WIDE_COMPACT, src/symbolic/ring.ts
 * KeptValues, the product chains of src/symbolic/product-chain.ts): what comes back must be the same mantissas
 * and exponents, so the extended looks decide exactly as they did with every value kept as objects.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../src/derivation/derivation.js';
import { type ExtendedScope, lookWith } from '../../src/check/extended-check.js';
import { runPoints } from '../../src/check/points.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { type ExtendedArithmetic, WIDE_FLOATS } from '../../src/symbolic/domains/extended.js';
import {
  nearOne,
  WIDE_COMPACT,
  type WideFloat,
  wideAdd,
  wideFloatRing,
  wideFromNumber,
  wideMul,
  wideToNumber,
} from '../../src/symbolic/domains/wide-float.js';
import { newVec } from '../../src/numeric/slab.js';
import { keep, KeptValues, reread, type PackedMat, type RMat } from '../../src/symbolic/ring.js';

const ring = wideFloatRing(() => {});

/** Any double: subnormals, ±0, the extremes, NaN and ±Infinity included. */
const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, NaN, Infinity, -Infinity),
);

/** A wide float as the ring makes them: a finite double normalised, with its exponent pushed anywhere below 2^53. */
const wideFloat: fc.Arbitrary<WideFloat> = fc.oneof(
  // the edges: a signed zero, non-finite mantissas, exponents near ±2^53
  fc.constantFrom<WideFloat>(
    { m: -0, e: 0 },
    { m: NaN, e: 0 },
    { m: -Infinity, e: 0 },
    { m: 1.5, e: 2 ** 53 - 1 },
    { m: -1.25, e: -(2 ** 53) + 1 },
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(wideFromNumber),
  fc
    .tuple(fc.double({ min: 1, max: 2, maxExcluded: true, noNaN: true }), fc.boolean(), fc.integer())
    .map(([m, negative, e]) => ({ m: negative ? -m : m, e: e * 2 ** 21 + (e % 1000) })),
  // what the ring's operations give, from any operands (non-finite mantissas, exact zeros)
  fc
    .tuple(anyDouble, anyDouble)
    .map(([a, b]) =>
      wideMul(
        Number.isFinite(a) ? wideFromNumber(a) : { m: a, e: 0 },
        Number.isFinite(b) ? wideFromNumber(b) : { m: b, e: 0 },
      ),
    ),
  fc
    .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }))
    .map(([a, b]) => wideAdd(wideFromNumber(a), ring.neg(wideFromNumber(b)))),
);

const matrix = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }))
  .chain(([rows, cols]) =>
    fc.array(wideFloat, { minLength: rows * cols, maxLength: rows * cols }).map((data) => ({ rows, cols, data })),
  );

/** mantissa and exponent exactly (−0 apart from 0, NaN equal to NaN) */
const sameEntry = (a: WideFloat, b: WideFloat): boolean => Object.is(a.m, b.m) && Object.is(a.e, b.e);

describe('wide floats kept packed', () => {
  it('unpack(pack(A)) has the same mantissa and exponent in every entry, and every operation on it rounds alike', () => {
    fc.assert(
      fc.property(matrix, wideFloat, (a, other) => {
        const back = WIDE_COMPACT.unpack(WIDE_COMPACT.pack(a));
        expect([back.rows, back.cols]).toEqual([a.rows, a.cols]);
        a.data.forEach((x, i) => {
          const y = back.data[i]!;
          expect(sameEntry(x, y), `${x.m}p${x.e} came back as ${y.m}p${y.e}`).toBe(true);
          expect(ring.key(y)).toBe(ring.key(x));
          expect(sameEntry(ring.mul(y, other), ring.mul(x, other))).toBe(true);
          expect(sameEntry(ring.add(y, other), ring.add(x, other))).toBe(true);
          expect(ring.ordered!.lt(y, other)).toBe(ring.ordered!.lt(x, other));
          expect(Object.is(wideToNumber(y), wideToNumber(x))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a value memoised is packed (not a tiny one), and one read back twice stays unpacked', () => {
    const column = (n: number): RMat<WideFloat> => ({
      rows: n,
      cols: 1,
      data: Array.from({ length: n }, (_, i) => wideMul(wideFromNumber(1e-300 * (i + 1)), wideFromNumber(1e-300))),
    });
    expect('packed' in keep(ring, column(64))).toBe(true);
    const scalar = column(1);
    expect(keep(ring, scalar)).toBe(scalar);
    const kept = new KeptValues(ring);
    const v = column(64);
    kept.set('v', v);
    const [first, second, third] = [kept.get('v')!, kept.get('v')!, kept.get('v')!];
    for (const w of [first, second, third]) expect(w.data.every((x, i) => sameEntry(x, v.data[i]!))).toBe(true);
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    expect(reread(ring, keep(ring, v)).data.map(ring.key)).toEqual(v.data.map(ring.key));
    // complements (1 − |x| of values near ±1) come back too, where any entry has one; 24 bytes an entry then
    const near = column(64);
    const marked = {
      ...near,
      data: near.data.map((x, i) => (i % 3 ? x : nearOne(wideFromNumber(1), 2 ** -60 * (i + 1)))),
    };
    const keptNear = keep(ring, marked) as PackedMat;
    expect(keptNear.packed.length).toBe(3 * 64);
    expect(reread(ring, keptNear).data.map((x) => x.c)).toEqual(marked.data.map((x) => x.c));
    expect((keep(ring, near) as PackedMat).packed.length).toBe(2 * 64);
    // in blocks of their own: a float vector the pool keeps must not pin the block of a dropped memo
    const before = newVec(64);
    const packed = [1, 2, 3].map(() => (keep(ring, column(64)) as PackedMat).packed);
    const after = newVec(64);
    expect(packed[0]!.buffer).toBe(packed[1]!.buffer);
    for (const p of packed) expect([before.buffer, after.buffer]).not.toContain(p.buffer);
  });
});

/** The wide floats with every memoised value kept as objects, as before packing. */
const UNPACKED: ExtendedArithmetic<WideFloat> = {
  ...WIDE_FLOATS,
  ring: (work) => ({ ...WIDE_FLOATS.ring(work), compact: undefined }),
};

describe('extended looks with packed memos', () => {
  it('lab-eq1 at T = 512, d = 64: the same outcome at every lag, bit for bit, lags visited in any order', () => {
    const lab = parseDerivation(readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8'), 'lab.yaml');
    const claim: Claim = lab.claims.find((c) => c.id === 'lab-eq1')!;
    const sizes = { d: 64, m: 16, T: 512 };
    const instance = buildInstance(lab.model, instanceSpec(lab.model, 20261120, 0, undefined, sizes));
    const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
    const points = runPoints(claim, entry, 0, null);
    const looked = points.filter((p) => p.outcome.status !== 'trouble' && p.outcome.extended);
    // the long lags underflow float64 here: a few hundred points decided again in wide floats
    expect(looked.length).toBeGreaterThan(100);
    // Each lag's value is memoised once looked at, so the partial products are read back from a packed chain
    // only by a lag looked at after a longer one: increasing lags (each chain extended by one factor), then,
    // in fresh scopes, decreasing and shuffled. One scope per arithmetic and order, as runPoints shares them.
    const keys = [...looked.keys()];
    const shuffled = keys.map((i) => (i * 7919) % looked.length);
    for (const order of [keys, [...keys].reverse().concat(shuffled)]) {
      const packedScope: ExtendedScope = new Map();
      const objectScope: ExtendedScope = new Map();
      for (const i of order) {
        const p = looked[i]!;
        const packed = lookWith(WIDE_FLOATS, claim, entry, p.env, p.outcome, packedScope);
        const objects = lookWith(UNPACKED, claim, entry, p.env, p.outcome, objectScope);
        expect(packed).toEqual(objects);
        if (packed.status === 'undecided' || packed.status === 'trouble')
          throw new Error(`lag ${p.env.k}: ${packed.status}`);
        // as runPoints decided it (the first look of each lag; `was` says why it looked, which it alone knows)
        const first = p.outcome as typeof packed;
        expect([packed.status, packed.lhs, packed.rhs]).toEqual([first.status, first.lhs, first.rhs]);
        expect(Object.is(packed.relError, first.relError)).toBe(true);
        expect({ ...packed.extended, was: null }).toEqual({ ...first.extended, was: null });
      }
    }
  });
});
