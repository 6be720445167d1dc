/**
 * Eigenvalues and the spectral radius at every scale. The iteration runs on the matrix scaled by a power of two to
 * entries of about 1: on entries near 1e-162 its products fell into the subnormals and ρ(1e-162·Q) came out 5e-4
 * off, so the true `norm2(1e-162 * Q) >= rho(1e-162 * Q)` was refuted (a review found it). Values from numpy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eigenvalues, spectralRadius } from '../../src/numeric/eigen.js';
import { mat } from '../../src/numeric/linalg.js';

const Q = [0.893, 3.15, 3.15, 11.107];
/** numpy.linalg.eigvals: max |λ| of Q */
const RHO_Q = 12.000329074309175;

describe('spectral radius at every scale', () => {
  it("ρ(Q) is numpy's, and ρ(1e-162·Q) is 1e-162 times it", () => {
    expect(spectralRadius(mat(2, 2, Float64Array.from(Q)))).toBeCloseTo(RHO_Q, 13);
    const tiny = spectralRadius(
      mat(
        2,
        2,
        Float64Array.from(Q, (x) => x * 1e-162),
      ),
    );
    expect(Math.abs(tiny / 1e-162 - RHO_Q) / RHO_Q).toBeLessThan(1e-14);
  });

  it('a complex pair keeps its modulus (numpy: 2.5 ± 0.8660254i, |λ| = √7)', () => {
    const ev = eigenvalues(mat(2, 2, Float64Array.of(2, 1, -1, 3)))!;
    expect(ev.re.map((x) => x.toFixed(12))).toEqual(['2.500000000000', '2.500000000000']);
    expect(ev.im.map((x) => Math.abs(x).toFixed(12))).toEqual(['0.866025403784', '0.866025403784']);
    expect(spectralRadius(mat(2, 2, Float64Array.of(2, 1, -1, 3)))).toBeCloseTo(Math.sqrt(7), 14);
  });

  it('entries 1e400 apart are balanced before any scaling (numpy: ±1; scaled first, ρ came out 0)', () => {
    expect(spectralRadius(mat(2, 2, Float64Array.of(0, 1e200, 1e-200, 0)))).toBeCloseTo(1, 14);
    // ρ(S·W·S⁻¹) = ρ(W) for S = diag(1e150, 1e-150): the similar matrix spans 1e600
    const W = [0.36944, -0.5211, 0.7302, 0.1188];
    const similar = [W[0]!, W[1]! * 1e300, W[2]! * 1e-300, W[3]!];
    const rho = spectralRadius(mat(2, 2, Float64Array.from(W)));
    expect(Math.abs(spectralRadius(mat(2, 2, Float64Array.from(similar))) - rho) / rho).toBeLessThan(1e-14);
  });

  it('the zero matrix has ρ = 0', () => {
    expect(spectralRadius(mat(3, 3, new Float64Array(9)))).toBe(0);
  });

  it('ρ(2^s·A) = 2^s·ρ(A) bit for bit, from 2^-1000 to 2^1000', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -4000, max: 4000 }).map((i) => i / 1000),
          { minLength: 9, maxLength: 9 },
        ),
        fc.integer({ min: -1000, max: 1000 }),
        (entries, s) => {
          const a = Float64Array.from(entries);
          if (a.every((x) => x === 0)) return;
          const rho = spectralRadius(mat(3, 3, a));
          // scaling by a power of two is exact in both directions (the entries stay normal at these scales)
          const scaled = spectralRadius(
            mat(
              3,
              3,
              a.map((x) => x * 2 ** s),
            ),
          );
          expect(scaled / 2 ** s).toBe(rho);
        },
      ),
      { seed: 20261205, numRuns: 200 },
    );
  });
});
