/**
 * The record of digits lost in the subnormals (src/numeric/lost-digits.ts):
 * the figure of a value, its propagation through memoised product walks and
 * derivative sweeps, whose reuse must bring the figure back.
 */
import { describe, expect, it } from 'vitest';
import {
  lostPrecisionOf,
  matMulCancellation,
  matVecCancellation,
  noteCancellation,
  noteLostPrecision,
  takeLostPrecision,
  watchLostPrecision,
  withLostPrecision,
} from '../../src/numeric/lost-digits.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { scopeOf } from '../../src/symbolic/quantities.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { mat, matMul, matVec } from '../../src/numeric/linalg.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import {
  addValues,
  asDense,
  dense,
  DiagOp,
  type Factor,
  type LinOp,
  ProdOp,
  type ProductMemo,
} from '../../src/numeric/values.js';

describe('lost precision of a value', () => {
  it('is the subnormal spacing over the smallest subnormal entry, 0 without one', () => {
    expect(lostPrecisionOf([1, 0, 2.2250738585072014e-308, -1e300])).toBe(0);
    expect(lostPrecisionOf([1, -1e-310, 1e-320])).toBeCloseTo(5e-324 / 1e-320, 12);
    expect(lostPrecisionOf([5e-324])).toBe(1);
    expect(lostPrecisionOf([1e-310])).toBeCloseTo(4.94e-14, 15);
  });

  it('nests: a computation keeps its own figure and raises the caller’s', () => {
    takeLostPrecision();
    noteLostPrecision(1e-15);
    const [value, own] = withLostPrecision(() => {
      noteLostPrecision(1e-10);
      return 7;
    });
    expect([value, own]).toEqual([7, 1e-10]);
    expect(takeLostPrecision()).toBe(1e-10);
    expect(takeLostPrecision()).toBe(0);
    const [, none] = withLostPrecision(() => 1);
    expect(none).toBe(0);
  });

  it('notes every value made: dense() sees its subnormal entries', () => {
    takeLostPrecision();
    dense(2, 1, Float64Array.of(1, 2));
    expect(takeLostPrecision()).toBe(0);
    dense(2, 1, Float64Array.of(1, 1e-320));
    expect(takeLostPrecision()).toBeGreaterThan(1e-4);
  });
});

describe('cancellation', () => {
  it('notes what x ± y keeps: roundoff × (|x| + |y|) / |x ± y|, from 20 lost bits on', () => {
    takeLostPrecision();
    noteCancellation(1, 1e-3, 1 + 1e-3);
    noteCancellation(1, -0.9999, 1 - 0.9999); // 13 bits lost: below the threshold
    expect(takeLostPrecision()).toBe(0);
    const s30 = 1 / (1 + Math.exp(-30));
    noteCancellation(1, -s30, 1 - s30);
    expect(takeLostPrecision()).toBeCloseTo((2 ** -53 * (1 + s30)) / (1 - s30), 18);
    noteCancellation(1, -1, 0); // all of them
    expect(takeLostPrecision()).toBe(1);
    noteCancellation(0, 0, 0);
    noteCancellation(Infinity, -1, Infinity);
    expect(takeLostPrecision()).toBe(0);
  });

  it('is noted by the sums of values, dense and lazy', () => {
    takeLostPrecision();
    const s40 = Float64Array.of(1 / (1 + Math.exp(-40)), 0.5);
    addValues(dense(2, 1, Float64Array.of(1, 1)), dense(2, 1, s40), -1);
    expect(takeLostPrecision()).toBe(1);
    const lazy = addValues(new DiagOp(dense(2, 1, Float64Array.of(1, 1))), new DiagOp(dense(2, 1, s40)), -1);
    expect(takeLostPrecision()).toBe(0); // nothing computed yet
    (lazy as LinOp).apply(dense(2, 1, Float64Array.of(1, 1)));
    expect(takeLostPrecision()).toBe(1);
  });
});

describe('a matrix product’s dot products', () => {
  // C = A·B in float64, then the figure: max over entries of inner · 2⁻⁵³ · Σₖ|a_ik b_kj|, over max|c_ij|
  const figureOf = (rows: number, inner: number, cols: number, a: number[], b: number[]) => {
    const A = mat(rows, inner, a);
    const B = mat(inner, cols, b);
    return matMulCancellation(rows, inner, cols, A.data, B.data, matMul(A, B).data);
  };
  const almostOne = 1 - 2 ** -40;

  it('weigh an entry’s cancellation by its size against the largest entry, not by its own', () => {
    // c_00 = 1 − (1 − 2⁻⁴⁰) = 2⁻⁴⁰ from terms of 1: 28 bits of its own left, but its error 2·2⁻⁵³·(2 − 2⁻⁴⁰) is
    // 2⁻⁵³·(2 − 2⁻⁴⁰) of max|C| = 2 (c_01 = 1 + 1): ordinary rounding of C, nothing noted (per entry it was 2⁻¹¹)
    expect(figureOf(2, 2, 2, [1, 1, 0, 1], [1, 1, -almostOne, 1])).toBe(0);
    // the same entry against a largest of 2⁻³⁰ (c_10): 2·2⁻⁵³·(2 − 2⁻⁴⁰) / 2⁻³⁰ = 2⁻²¹ − 2⁻⁶², noted
    expect(figureOf(2, 2, 1, [1, 1, 2 ** -30, 0], [1, -almostOne])).toBe(2 ** -21 - 2 ** -62);
    // against a largest of 2⁻¹⁰ it is 2⁻⁴¹ − 2⁻⁸², under the noted 2⁻³³
    expect(figureOf(2, 2, 1, [1, 1, 2 ** -10, 0], [1, -almostOne])).toBe(0);
  });

  it('flag a product whose every entry is small against its terms, as W·W of a nearly nilpotent W', () => {
    // the only entry: 2⁻⁴⁰ from terms of 1, 2·2⁻⁵³·(2 − 2⁻⁴⁰) / 2⁻⁴⁰ = 2⁻¹¹ − 2⁻⁵²
    expect(figureOf(1, 2, 1, [1, 1], [1, -almostOne])).toBe(2 ** -11 - 2 ** -52);
    // all entries exactly 0 from nonzero terms keep no digit; a true 0 (no nonzero term) loses none
    expect(figureOf(2, 2, 1, [1, 1, 2, 2], [1, -1])).toBe(1);
    expect(figureOf(2, 2, 1, [1, 0, 0, 0], [0, 1])).toBe(0);
    // matrix–vector, the same rule: y = (2⁻⁴⁰, −1 + 2⁻³⁹), its first entry alone noted
    const x = Float64Array.of(1, -almostOne);
    const A = mat(2, 2, [1, 1, 1, 2]);
    const y = matVec(A, x);
    expect([...y]).toEqual([2 ** -40, -1 + 2 ** -39]);
    expect(matVecCancellation(2, 2, A.data, x, y)).toBe(0);
    const first = mat(1, 2, [1, 1]);
    expect(matVecCancellation(1, 2, first.data, x, matVec(first, x))).toBe(2 ** -11 - 2 ** -52);
  });
});

describe('a memoised product walk', () => {
  // factors 1e-160, 1e-160, 1e300 on a vector of ones: through ~1e-320 (subnormal) and back to ~1e-20
  const scales = [1e-160, 1e-160, 1e300];
  const factor = (i: number): Factor => ({
    key: `f${i}`,
    value: () => new DiagOp(dense(2, 1, Float64Array.of(scales[i - 1]!, scales[i - 1]!))),
  });
  // ProdOp applies F_lo · … · F_hi to x, F_hi first: numbered backwards, the 1e300 factor comes last
  const reversed = (i: number) => factor(4 - i);

  it('brings the digits lost on its way when a longer product reuses it', () => {
    const memo: ProductMemo = { chains: new WeakMap(), lost: new WeakMap(), kept: { entries: 0 } };
    const x = dense(2, 1, Float64Array.of(1, 1));
    takeLostPrecision();
    const two = new ProdOp(2, 2, 3, reversed, memo).apply(x); // F_2 · F_3 · x = 1e-160 · 1e-160 · x
    expect(two.data[0]).toBeLessThan(2.2250738585072014e-308);
    expect(takeLostPrecision()).toBeGreaterThan(1e-5);
    // F_1 · F_2 · F_3 · x: the walk reuses the memoised 1e-320 · x and ends back in the normal range
    const three = new ProdOp(2, 1, 3, reversed, memo).apply(x);
    expect(three.data[0]).toBeGreaterThan(1e-30);
    expect(three.data[0]! / 1e-20).not.toBeCloseTo(1, 6); // the digits are really gone
    expect(takeLostPrecision()).toBeGreaterThan(1e-5);
  });

  it('notes nothing when every partial result is normal', () => {
    const memo: ProductMemo = { chains: new WeakMap(), lost: new WeakMap(), kept: { entries: 0 } };
    const x = dense(2, 1, Float64Array.of(1, 1));
    takeLostPrecision();
    new ProdOp(2, 2, 3, factor, memo).apply(x); // 1e300 then 1e-160
    expect(takeLostPrecision()).toBe(0);
  });
});

describe('a derivative sweep', () => {
  // sequence h at times 0..4; the value at time 2 is subnormal, the others normal
  const values = new Map<number, Float64Array>(
    [0, 1, 2, 3, 4].map((t) => [t, Float64Array.of(1, t === 2 ? 1e-318 : 0.5)]),
  );
  const lookup = (n: { name: string; time: number | null }) =>
    n.time === null ? Float64Array.of(3) : (values.get(n.time) ?? null);
  const read = (direction: 'forward' | 'backward', time: number | null) => {
    const watched = watchLostPrecision(lookup, direction, 4, ['h']);
    takeLostPrecision();
    watched({ name: time === null ? 'W' : 'h', time });
    return takeLostPrecision();
  };

  it('backwards (adjoints): a read at or before the subnormal time notes it, a later one does not', () => {
    expect(read('backward', 0)).toBeGreaterThan(1e-7);
    expect(read('backward', 2)).toBeGreaterThan(1e-7);
    expect(read('backward', 3)).toBe(0);
    expect(read('backward', null)).toBeGreaterThan(1e-7);
  });

  it('forwards (tangents): a read at or after it notes it, an earlier one does not', () => {
    expect(read('forward', 4)).toBeGreaterThan(1e-7);
    expect(read('forward', 1)).toBe(0);
    expect(read('forward', null)).toBeGreaterThan(1e-7);
  });
});

describe('the evaluator', () => {
  const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
  const scope = scopeOf(lab);
  const inst = buildInstance(lab.model, instanceSpec(lab.model, 3, 1, undefined, { d: 3, m: 2, T: 4 }));

  it('notes a memoised value’s lost digits each time it is read, not only when it is computed', () => {
    const ev = new Evaluator(inst.graph, inst.sizes);
    const expr = parseExpression('1e220 * (1e-320 * grad(L, h[T]))', scope).expr;
    takeLostPrecision();
    const first = asDense(ev.evaluate(expr, {}));
    const lost = takeLostPrecision();
    expect(lost).toBeGreaterThan(1e-6);
    const again = asDense(ev.evaluate(expr, {}));
    expect(again).toBe(first); // memoised
    expect(takeLostPrecision()).toBe(lost);
    // a value with no subnormal on its way notes nothing, before or after memoisation
    const plain = parseExpression('1e-100 * grad(L, h[T])', scope).expr;
    ev.evaluate(plain, {});
    ev.evaluate(plain, {});
    expect(takeLostPrecision()).toBe(0);
  });
});
