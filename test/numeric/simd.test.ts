import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mat, matTVec, matVec, plainMatTVec, plainMatVec } from '../../src/numeric/linalg.js';
import { keepResident, simdActive, simdServes, withResident } from '../../src/numeric/simd.js';
import { copyVec, newVec } from '../../src/numeric/slab.js';

/** Every bit equal (NaN payloads aside: any NaN matches any NaN). */
function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (!(Number.isNaN(a) && Number.isNaN(e)) && !Object.is(a, e))
      expect.fail(`entry ${i}: ${a} where the plain loop gives ${e}`);
  }
}

// Entries over many magnitudes, with signed zeros, subnormals, infinities and NaN now and then.
const entry = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
  { weight: 3, arbitrary: fc.double({ noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 5e-324, -1e-310, Infinity, -Infinity, NaN, 1.7e308) },
);
const shape = fc.tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }));
const problem = shape.chain(([rows, cols]) =>
  fc.record({
    A: fc.array(entry, { minLength: rows * cols, maxLength: rows * cols }).map((a) => mat(rows, cols, a)),
    x: fc.array(entry, { minLength: cols, maxLength: cols }).map((a) => Float64Array.from(a)),
    y: fc.array(entry, { minLength: rows, maxLength: rows }).map((a) => Float64Array.from(a)),
  }),
);

describe('vectorised matrix–vector products (WebAssembly SIMD)', () => {
  it('are in use on this engine (Node ≥ 20 has WebAssembly SIMD)', () => {
    expect(simdActive).toBe(true);
    expect(simdServes(64, 64)).toBe(true);
  });

  it('give A·x and Aᵀ·y bit for bit as the plain loops', () => {
    fc.assert(
      fc.property(problem, ({ A, x, y }) => {
        expectSameBits(matVec(A, x), plainMatVec(A, x));
        expectSameBits(matTVec(A, y), plainMatTVec(A, y));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('write into a caller’s output and leave the inputs alone', () => {
    const A = mat(
      9,
      7,
      Array.from({ length: 63 }, (_, i) => Math.sin(i + 1)),
    );
    const x = Float64Array.from({ length: 7 }, (_, j) => j - 3);
    const before = [A.data.slice(), x.slice()];
    const out = new Float64Array(9).fill(NaN);
    expect(matVec(A, x, out)).toBe(out);
    expectSameBits(out, plainMatVec(A, x));
    expectSameBits(A.data, before[0]!);
    expectSameBits(x, before[1]!);
  });

  it('grow their scratch memory for large matrices', () => {
    const n = 300;
    const A = mat(
      n,
      n,
      Float64Array.from({ length: n * n }, (_, i) => ((i * 7919) % 101) / 50 - 1),
    );
    const x = Float64Array.from({ length: n }, (_, j) => Math.cos(j));
    expectSameBits(matVec(A, x), plainMatVec(A, x));
    expectSameBits(matTVec(A, x), plainMatTVec(A, x));
  });
});

describe('matrices resident for a scope', () => {
  const A = mat(
    12,
    10,
    Array.from({ length: 120 }, (_, i) => Math.sin(3 * i) * 10 ** ((i % 7) - 3)),
  );
  const B = mat(
    10,
    12,
    Array.from({ length: 120 }, (_, i) => Math.cos(5 * i)),
  );
  const x = Float64Array.from({ length: 10 }, (_, j) => 1 / (j + 1));
  const y = Float64Array.from({ length: 12 }, (_, i) => i - 6.5);

  it('give the same products inside the scope, nested, and with other matrices between', () => {
    withResident([A.data], () => {
      expectSameBits(matVec(A, x), plainMatVec(A, x));
      expectSameBits(matTVec(B, x), plainMatTVec(B, x)); // not resident: copied as usual
      withResident([B.data, A.data], () => {
        expectSameBits(matVec(B, y), plainMatVec(B, y));
        expectSameBits(matTVec(A, y), plainMatTVec(A, y));
      });
      expectSameBits(matVec(A, x), plainMatVec(A, x));
    });
  });

  it('are read afresh after their scope', () => {
    const C = mat(12, 10, A.data.slice());
    withResident([C.data], () => expectSameBits(matVec(C, x), plainMatVec(A, x)));
    C.data[0] = 1e6;
    expectSameBits(matVec(C, x), plainMatVec(C, x));
    expect(matVec(C, x)[0]).not.toBe(plainMatVec(A, x)[0]);
  });

  it('are released when the scope throws', () => {
    const C = mat(12, 10, A.data.slice());
    expect(() =>
      withResident([C.data], () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    C.data[5] = -3;
    expectSameBits(matVec(C, x), plainMatVec(C, x));
  });
});

describe("matrices kept resident from inside a scope (keepResident: a claim's memoised Wᵀ)", () => {
  const A = mat(
    9,
    11,
    Array.from({ length: 99 }, (_, i) => Math.sin(7 * i) * 10 ** ((i % 5) - 2)),
  );
  const x = Float64Array.from({ length: 11 }, (_, j) => j - 4.25);
  const y = Float64Array.from({ length: 9 }, (_, i) => 1 / (i + 2));

  it('give the plain products while the scope lasts, with other products between', () => {
    const C = mat(9, 11, A.data.slice());
    withResident([], () => {
      keepResident(C.data);
      expectSameBits(matVec(C, x), plainMatVec(A, x));
      expectSameBits(matTVec(A, y), plainMatTVec(A, y)); // another matrix, copied as usual
      expectSameBits(matTVec(C, y), plainMatTVec(A, y));
    });
  });

  it('are released with the innermost scope, and not kept outside any scope', () => {
    const C = mat(9, 11, A.data.slice());
    withResident([], () => keepResident(C.data));
    C.data[3] = 1e5;
    expectSameBits(matVec(C, x), plainMatVec(C, x));
    keepResident(C.data);
    C.data[4] = -2e5;
    expectSameBits(matVec(C, x), plainMatVec(C, x));
    expect(matVec(C, x)[0]).not.toBe(plainMatVec(A, x)[0]);
  });
});

describe('vectors from shared blocks', () => {
  it('are zero-filled, of the asked length, and independent of each other', () => {
    const vs = Array.from({ length: 200 }, (_, k) => newVec(1 + (k % 70)));
    vs.forEach((v, k) => {
      expect(v.length).toBe(1 + (k % 70));
      expect(v.every((x) => x === 0)).toBe(true);
      v.fill(k + 1);
    });
    vs.forEach((v, k) => expect(v.every((x) => x === k + 1)).toBe(true));
  });

  it('copy as slice() does', () => {
    const v = Float64Array.from({ length: 40 }, (_, i) => i * 1.5);
    const c = copyVec(v);
    expect([...c]).toEqual([...v]);
    c[0] = 99;
    expect(v[0]).toBe(0);
  });
});
