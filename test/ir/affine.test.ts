/** Products of sizes in shapes: a matrix parameter's entry count d·(d+m) in vec layout. */
import { describe, expect, it } from 'vitest';
import { affine, affineProduct, evalAffine, formatAffine } from '../../src/ir/affine.js';

const d = affine(0, { d: 1 });
const m = affine(0, { m: 1 });

describe('affineProduct', () => {
  it('multiplies out sums of sizes into named products of two sizes', () => {
    const p = affineProduct(d, affine(0, { d: 1, m: 1 }));
    expect(formatAffine(p)).toBe('d*d+d*m');
    expect(evalAffine(p, { d: 3, m: 2 })).toBe(15);
    expect(evalAffine(affineProduct(affine(1, { d: 2 }), affine(3, { m: 1 })), { d: 4, m: 5 })).toBe(9 * 8);
  });
  it('a constant scales; a product of products has no name', () => {
    expect(evalAffine(affineProduct(affine(3), m), { m: 7 })).toBe(21);
    expect(() => affineProduct(affineProduct(d, m), d)).toThrow(RangeError);
  });
});
