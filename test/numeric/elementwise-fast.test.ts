/**
 * The elementwise loops written out without a closure per entry (src/numeric/values.ts: sums, differences and
 * powers) against the closure form they replaced: the same bits, and the same record of digits lost to
 * cancellation and in the subnormals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noteCancellation, takeLostPrecision } from '../../src/numeric/lost-digits.js';
import { addValues, asDense, dense, type Dense, mapDense, powDense, zipDense } from '../../src/numeric/values.js';

const bits = (d: Dense) => [...new BigUint64Array(Float64Array.from(d.data).buffer)];

/** what addValues computed before: zipDense with a closure noting each entry's cancellation */
const sumByClosure = (a: Dense, b: Dense, sign: number) =>
  zipDense(a, b, (x, y) => {
    const r = x + sign * y;
    noteCancellation(x, y, r);
    return r;
  });

const doubles = fc.double({ noDefaultInfinity: false, noNaN: false });
const vector = (n: number) => fc.array(doubles, { minLength: n, maxLength: n });

/** one side's bits and the lost-precision record it leaves */
function run(f: () => Dense): [bigint[], number, number, number] {
  takeLostPrecision();
  const v = f();
  return [bits(v), v.rows, v.cols, takeLostPrecision()];
}

describe('elementwise loops without a closure per entry', () => {
  it('a ± b (either side a scalar, broadcast) as the closure form: same bits, same record', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(1, -1),
        fc.constantFrom('vv', 'sv', 'vs', 'ss'),
        fc.integer(),
        (n, sign, shape, seed) => {
          const draw = (k: number, salt: number) => fc.sample(vector(k), { numRuns: 1, seed: seed + salt })[0]!;
          const a =
            shape[0] === 's' ? dense(1, 1, Float64Array.from(draw(1, 1))) : dense(n, 1, Float64Array.from(draw(n, 1)));
          const b =
            shape[1] === 's' ? dense(1, 1, Float64Array.from(draw(1, 2))) : dense(n, 1, Float64Array.from(draw(n, 2)));
          expect(run(() => asDense(addValues(a, b, sign)))).toEqual(run(() => sumByClosure(a, b, sign)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('cancellation is noted entry by entry: 1 − (1 − 1e-12) loses what the closure form says it loses', () => {
    const one = dense(1, 1, Float64Array.of(1));
    const v = dense(2, 1, Float64Array.of(1 - 1e-12, 0.5));
    const [, , , lost] = run(() => asDense(addValues(one, v, -1)));
    expect(lost).toBeGreaterThan(1e-5);
    expect(run(() => asDense(addValues(one, v, -1)))).toEqual(run(() => sumByClosure(one, v, -1)));
  });

  it('a.^k as x ** k (k = 2 as x·x): same bits, subnormal squares noted', () => {
    fc.assert(
      fc.property(fc.array(doubles, { minLength: 1, maxLength: 12 }), fc.constantFrom(2, 3, 0.5, -1, 2.5), (xs, k) => {
        const a = dense(xs.length, 1, Float64Array.from(xs));
        expect(run(() => powDense(a, k))).toEqual(run(() => mapDense(a, (x) => x ** k)));
      }),
      { numRuns: 3000 },
    );
    // squares that fall into the subnormals, and a few edge values, explicitly
    const edges = Float64Array.of(1e-160, -3e-155, 1.5e-154, 5e-324, -0, 0, Infinity, NaN, 1.3407807929942596e154);
    const a = dense(edges.length, 1, edges);
    const [squared, , , lost] = run(() => powDense(a, 2));
    expect(lost).toBeGreaterThan(0);
    expect([squared, lost]).toEqual((([b, , , l]) => [b, l])(run(() => mapDense(a, (x) => x ** 2))));
  });
});
