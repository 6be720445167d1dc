/**
 * The polynomial engine's fast paths (src/symbolic/cpoly.ts, ring.ts) build exactly the maps the
 * general loops build — same monomials, same coefficients bit for bit, same order — so no result
 * and no printed form can change: a product by one term, a sum with zero, Σ in one accumulator,
 * a matrix product through the ring's sum. Checked against the loops as they were written before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cadd, caddInto, cmul, type CPoly, csum, POLY_RING } from '../../src/symbolic/cpoly.js';
import { atomOf, INV, type Monomial, monomialOf, monomialProduct } from '../../src/symbolic/monomials.js';
import { type RMat, rmatmul, type Ring } from '../../src/symbolic/ring.js';
import { SymbolicUnsupported, withExactBudget } from '../../src/symbolic/unsupported.js';

/** cmul's general loop. */
function referenceMul(a: CPoly, b: CPoly): CPoly {
  const out: CPoly = new Map();
  for (const [ma, ca] of a)
    for (const [mb, cb] of b) {
      const m = monomialProduct(ma, mb);
      const v = (out.get(m) ?? 0) + ca * cb;
      if (v === 0) out.delete(m);
      else out.set(m, v);
    }
  return out;
}

/** cadd as it was: always a new map. */
const referenceAdd = (a: CPoly, b: CPoly, sign = 1): CPoly => caddInto(new Map(a), b, sign);

/** rmatmul as it was: a running sum from zero. */
function referenceMatmul<R>(ring: Ring<R>, a: RMat<R>, b: RMat<R>, add: (x: R, y: R) => R): RMat<R> {
  const data = new Array<R>(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let acc = ring.zero;
      for (let k = 0; k < a.cols; k++) {
        const x = a.data[i * a.cols + k]!;
        const y = b.data[k * b.cols + j]!;
        if (!ring.isZero(x) && !ring.isZero(y)) acc = add(acc, ring.mul(x, y));
      }
      data[i * b.cols + j] = acc;
    }
  return { rows: a.rows, cols: b.cols, data };
}

/** A product float64 cannot hold as a normal number (1e-200 · 1e-200 is 0): cmul refuses it. */
const outOfRange = (x: number) => x === 0 || Math.abs(x) < 2 ** -1022 || !Number.isFinite(x);
const meetOutOfRange = (as: readonly CPoly[], bs: readonly CPoly[]) =>
  as.some((a) => bs.some((b) => [...a.values()].some((ca) => [...b.values()].some((cb) => outOfRange(ca * cb)))));

/** The fast result equals the old loop's, or — when some coefficient product leaves float64's normal range — is refused. */
function sameOrRefused<T>(fast: () => T, slow: () => T, refused: boolean, view: (x: T) => unknown): void {
  if (refused) expect(() => withExactBudget(fast)).toThrow(SymbolicUnsupported);
  else expect(view(withExactBudget(fast))).toEqual(view(slow()));
}

const entries = (p: CPoly) => [...p].map(([m, c]) => [m, Object.is(c, -0) ? '-0' : c]);

// Atoms with reciprocals, and monomials built without cancelling (x·∕x inside one), where products meet.
const ATOMS = ['x', 'y', `${INV}x`, `${INV}y`, 'z'].map(atomOf);
const monomial = fc
  .array(fc.integer({ min: 0, max: ATOMS.length - 1 }), { maxLength: 3 })
  .map((ks): Monomial => monomialOf(ks.map((k) => ATOMS[k]!)));
const coefficient = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.1, 1 / 3, -2 / 7, 1e-200, -1e-200, 0.5),
);
const poly = fc
  .array(fc.tuple(monomial, coefficient), { maxLength: 5 })
  .map((terms): CPoly => caddInto(new Map(), new Map(terms.filter(([, c]) => c !== 0))));
const single = fc
  .tuple(
    monomial,
    coefficient.filter((c) => c !== 0),
  )
  .map(([m, c]): CPoly => new Map([[m, c]]));

describe('polynomial fast paths build the same maps as the general loops', () => {
  it('a product with a one-term side', () => {
    fc.assert(
      fc.property(single, poly, fc.boolean(), (one, p, left) => {
        const [a, b] = left ? [one, p] : [p, one];
        sameOrRefused(
          () => cmul(a, b),
          () => referenceMul(a, b),
          meetOutOfRange([a], [b]),
          entries,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('any product', () => {
    fc.assert(
      fc.property(poly, poly, (a, b) => {
        sameOrRefused(
          () => cmul(a, b),
          () => referenceMul(a, b),
          meetOutOfRange([a], [b]),
          entries,
        );
      }),
    );
  });

  it('a sum, and Σ of many in one accumulator', () => {
    fc.assert(
      fc.property(fc.array(poly, { maxLength: 6 }), fc.constantFrom(1, -1), (terms, sign) => {
        const a: CPoly = terms[0] ?? new Map<Monomial, number>();
        const b: CPoly = terms[1] ?? new Map<Monomial, number>();
        const [aBefore, bBefore] = [entries(a), entries(b)];
        expect(entries(cadd(a, b, sign))).toEqual(entries(referenceAdd(a, b, sign)));
        // the sum is a new map (copyOf): polynomials are shared, never changed once built
        expect([entries(a), entries(b)]).toEqual([aBefore, bBefore]);
        const running = terms.reduce((acc: CPoly, t) => referenceAdd(acc, t), new Map());
        expect(entries(csum(terms))).toEqual(entries(running));
      }),
    );
  });

  it('a matrix product through the ring’s sum', () => {
    const matrix = (rows: number, cols: number) =>
      fc.array(poly, { minLength: rows * cols, maxLength: rows * cols }).map((data) => ({ rows, cols, data }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(matrix(2, n), matrix(n, 2))),
        ([a, b]) => {
          sameOrRefused(
            () => rmatmul(POLY_RING, a, b),
            () => referenceMatmul(POLY_RING, a, b, (x, y) => referenceAdd(x, y)),
            // entry (i, k) of a meets entry (k, j) of b
            Array.from({ length: a.cols }, (_, k) =>
              meetOutOfRange(
                Array.from({ length: a.rows }, (_, i) => a.data[i * a.cols + k]!),
                Array.from({ length: b.cols }, (_, j) => b.data[k * b.cols + j]!),
              ),
            ).some(Boolean),
            (m) => m.data.map(entries),
          );
        },
      ),
    );
  });

  it('a reciprocal met inside a product falls back to the general loop (x·∕x cancels)', () => {
    const [x, invX] = [atomOf('x'), atomOf(`${INV}x`)];
    const p: CPoly = new Map([
      [monomialOf([invX]), 2],
      [monomialOf([x, invX, invX]), 3],
    ]);
    const byX: CPoly = new Map([[monomialOf([x]), 1]]);
    const product = withExactBudget(() => cmul(byX, p));
    expect(entries(product)).toEqual(entries(referenceMul(byX, p)));
    expect(product.size).toBe(1);
    expect([...product.values()]).toEqual([5]);
  });
});
