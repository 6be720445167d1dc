import { describe, expect, it } from 'vitest';
import { EXTENDED_PREVIEW_ENTRIES, lazyExtendedValues } from '../../src/check/compare.js';

describe('lazyExtendedValues: previews written when first read', () => {
  const sides = () => {
    const calls: number[] = [];
    const preview = (x: number) => {
      calls.push(x);
      return x.toExponential(2);
    };
    const lhs = Array.from({ length: 20 }, (_, i) => i + 1);
    const rhs = [0.5, 0.25];
    return { calls, values: lazyExtendedValues('zero', 'wide-float', lhs, rhs, preview) };
  };

  it('writes nothing until read, then each side once, from its first entries only', () => {
    const { calls, values } = sides();
    expect(calls).toEqual([]);
    expect(values.lhs).toEqual([
      '1.00e+0',
      '2.00e+0',
      '3.00e+0',
      '4.00e+0',
      '5.00e+0',
      '6.00e+0',
      '7.00e+0',
      '8.00e+0',
    ]);
    expect(values.lhs).toHaveLength(EXTENDED_PREVIEW_ENTRIES);
    expect(calls).toHaveLength(8);
    expect(values.lhs).toBe(values.lhs); // kept, not written again
    expect(values.rhs).toEqual(['5.00e-1', '2.50e-1']);
    expect(calls).toHaveLength(10);
  });

  it('reads as plain data: spread, compared, serialised and cloned with its previews', () => {
    const { values } = sides();
    const plain = {
      was: 'zero',
      arithmetic: 'wide-float',
      lhs: ['1.00e+0', '2.00e+0', '3.00e+0', '4.00e+0', '5.00e+0', '6.00e+0', '7.00e+0', '8.00e+0'],
      rhs: ['5.00e-1', '2.50e-1'],
    };
    expect(Object.keys(values)).toEqual(['was', 'arithmetic', 'lhs', 'rhs']);
    expect({ ...values }).toEqual(plain);
    expect(JSON.parse(JSON.stringify(sides().values))).toEqual(plain);
    expect(structuredClone(sides().values)).toEqual(plain);
  });
});
