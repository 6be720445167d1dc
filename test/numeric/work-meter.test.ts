/**
 * The work meter (src/numeric/work-meter.ts): scopes nest, the nearer stop applies, an exceeded scope stays exceeded
 * when something inside caught its error, and the kernels charge what they do.
 */
import { describe, expect, it } from 'vitest';
import { eigenvalues } from '../../src/numeric/eigen.js';
import { FACTORIZATION_SWEEPS, invert, mat, matMul, matTVec, matVec } from '../../src/numeric/linalg.js';
import { chargeWork, withWorkLimit, WorkLimitExceeded } from '../../src/numeric/work-meter.js';

const cost = (fn: () => unknown) => withWorkLimit(Infinity, fn).spent;

describe('withWorkLimit', () => {
  it('counts what its function charges and returns its value', () => {
    const r = withWorkLimit(100, () => {
      chargeWork(40);
      chargeWork(60);
      return 'done';
    });
    expect(r).toEqual({ value: 'done', spent: 100, exceeded: false });
  });

  it('stops at the first charge past the limit', () => {
    let after = false;
    const r = withWorkLimit(100, () => {
      chargeWork(60);
      chargeWork(41);
      after = true;
    });
    expect(r).toEqual({ value: undefined, spent: 101, exceeded: true });
    expect(after).toBe(false);
  });

  it('stays exceeded when code inside caught the error and went on (its value is dropped)', () => {
    const r = withWorkLimit(10, () => {
      try {
        chargeWork(11);
      } catch {
        // a catch that turns any failure into an answer
      }
      return 'answer computed past the limit';
    });
    expect(r.exceeded).toBe(true);
    expect(r.value).toBeUndefined();
  });

  it('an inner scope charges the outer one too, and the nearer stop applies', () => {
    const outer = withWorkLimit(1000, () => {
      const inner = withWorkLimit(50, () => chargeWork(60));
      expect(inner).toMatchObject({ exceeded: true, spent: 60 });
      chargeWork(100);
    });
    expect(outer).toMatchObject({ exceeded: false, spent: 160 });
  });

  it("an outer scope's limit passed inside an inner one is the outer one's error", () => {
    const outer = withWorkLimit(100, () => {
      withWorkLimit(1e9, () => chargeWork(150));
      throw new Error('not reached: the outer limit stops the inner scope');
    });
    expect(outer).toMatchObject({ exceeded: true, spent: 150 });
  });

  it('passes other errors through', () => {
    expect(() =>
      withWorkLimit(10, () => {
        throw new RangeError('mine');
      }),
    ).toThrow(RangeError);
  });

  it('outside any scope nothing stops', () => {
    expect(() => chargeWork(1e300)).not.toThrow();
    expect(new WorkLimitExceeded(5).message).toBe('more than 5.00 operations');
  });
});

describe('what the kernels charge', () => {
  const A = mat(
    3,
    4,
    Float64Array.from({ length: 12 }, (_, i) => i + 1),
  );
  const B = mat(
    4,
    5,
    Float64Array.from({ length: 20 }, (_, i) => i - 7),
  );
  it('a product r·k·c, a matrix–vector product r·c', () => {
    expect(cost(() => matMul(A, B))).toBe(3 * 4 * 5);
    expect(cost(() => matVec(A, new Float64Array(4)))).toBe(12);
    expect(cost(() => matTVec(A, new Float64Array(3)))).toBe(12);
  });
  it('a factorization n³ before it starts', () => {
    const S = mat(
      6,
      6,
      Float64Array.from({ length: 36 }, (_, i) => Math.sin(i)),
    );
    expect(cost(() => invert(S))).toBe(2 * 6 ** 3);
    expect(cost(() => eigenvalues(S))).toBe(FACTORIZATION_SWEEPS * 6 ** 3);
    // charged first: a matrix too large to factor within the limit is refused before any sweep
    expect(withWorkLimit(1000, () => eigenvalues(S))).toMatchObject({
      exceeded: true,
      spent: FACTORIZATION_SWEEPS * 216,
    });
  });
});
