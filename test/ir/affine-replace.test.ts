import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  affine,
  affineAdd,
  affineReplace,
  affineScale,
  coefficient,
  evalAffine,
  formatAffine,
} from '../../src/ir/affine.js';
import { nameRecord } from '../../src/ir/names.js';

const NAMES = ['T', 'k', 't', 'i', '__proto__'];
const affineArb = fc
  .record({
    c: fc.integer({ min: -50, max: 50 }),
    terms: fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.integer({ min: -4, max: 4 })), { maxLength: 5 }),
  })
  .map(({ c, terms }) => affine(c, nameRecord(terms)));

/** The composition affineReplace replaced: remove the variable's term, then add the value scaled by it. */
function replacedByParts(a: ReturnType<typeof affine>, name: string, value: ReturnType<typeof affine>) {
  const coef = coefficient(a, name);
  if (!coef) return a;
  return affineAdd(affineAdd(a, affine(0, nameRecord([[name, coef]])), -1), affineScale(value, coef));
}

describe('affineReplace', () => {
  it('equals removing the term and adding the scaled value (same terms, same order, same printed form)', () => {
    fc.assert(
      fc.property(affineArb, fc.constantFrom(...NAMES), affineArb, (a, name, value) => {
        const got = affineReplace(a, name, value);
        const want = replacedByParts(a, name, value);
        expect(got.c).toBe(want.c);
        expect(Object.entries(got.terms)).toEqual(Object.entries(want.terms));
        expect(formatAffine(got)).toBe(formatAffine(want));
      }),
      { numRuns: 2000 },
    );
  });

  it('substitutes at known values: T − k + i with k := t + 1 is T − t − 1 + i', () => {
    const a = affine(
      0,
      nameRecord([
        ['T', 1],
        ['k', -1],
        ['i', 1],
      ]),
    );
    const r = affineReplace(a, 'k', affine(1, nameRecord([['t', 1]])));
    expect(formatAffine(r)).toBe(
      formatAffine(
        affine(
          -1,
          nameRecord([
            ['T', 1],
            ['t', -1],
            ['i', 1],
          ]),
        ),
      ),
    );
    expect(evalAffine(r, { T: 9, t: 3, i: 2 })).toBe(7);
    // k := k + 2 keeps the variable (its own term comes back from the value)
    expect(formatAffine(affineReplace(a, 'k', affine(2, nameRecord([['k', 1]]))))).toBe(
      formatAffine(
        affine(
          -2,
          nameRecord([
            ['T', 1],
            ['k', -1],
            ['i', 1],
          ]),
        ),
      ),
    );
    // a constant shift (the fast path of affineAdd) keeps the terms as they were
    const shifted = affineAdd(a, affine(-1));
    expect(shifted.c).toBe(-1);
    expect(Object.entries(shifted.terms)).toEqual(Object.entries(a.terms));
    expect(affineAdd(a, affine(3), -1).c).toBe(-3);
    expect(affineAdd(affine(5), affine(3), -1)).toEqual({ c: 2, terms: affine(5).terms });
  });
});
