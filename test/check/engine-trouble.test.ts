/**
 * Extended precision and float64 are two engines (closed forms from the symbolic engine against sweeps): a decision
 * whose values float64's own contradict by far more than float64 lost on the way is none — trouble, saying so
 * (src/check/extended-check.ts engineTrouble). A wrong closed form (a leaky RNN's (0.5·I)ᵀ written as 0.5, until
 * 2026-12-05) made the decimals refute true gradients that float64's sweep, 0.4 away, agreed with.
 */
import { describe, expect, it } from 'vitest';
import type { PointOutcome } from '../../src/check/compare.js';
import { engineTrouble } from '../../src/check/extended-check.js';

const at = (status: 'agree' | 'violate', lhs: number[], rhs: number[]): PointOutcome => ({
  status,
  relError: 0,
  lhs: Float64Array.from(lhs),
  rhs: Float64Array.from(rhs),
  compared: 'full vectors',
});

const both = { lhs: true, rhs: true };

describe('a decision in extended precision that float64 contradicts', () => {
  const float = at('agree', [-0.6105753867846904, -0.383877154268381], [-0.6105753867846904, -0.383877154268381]);

  it("is trouble where a side moved far more than float64's noted loss allows", () => {
    // the leaky RNN's saturated point: the decimals' lhs from the wrong closed form, the rhs as float64's
    const decimals = at(
      'violate',
      [-0.8511753631618304, -1.1653927586771813],
      [-0.6105753869166545, -0.3838771543673033],
    );
    const trouble = engineTrouble(float, decimals, 1e-6, both);
    expect(trouble?.status).toBe('trouble');
    expect(trouble && 'reason' in trouble ? trouble.reason : '').toMatch(/one of the two engines is wrong/);
    // float64's values are kept (the extended ones are not evidence), and a violation on either side blocks a pass
    expect(trouble?.lhs).toBe(float.lhs);
    expect(trouble && 'undecidedViolation' in trouble ? trouble.undecidedViolation : false).toBe(true);
  });

  it('looks only at sides that read a derivative: elsewhere both engines evaluate the same expression', () => {
    // float64's dot products lose digits unnoted ([1; 3e-16; -1]·1 is 2.2e-16 in float64, truly 3e-16): there the
    // decimals are right, and their violation stands
    const decimals = at(
      'violate',
      [-0.8511753631618304, -1.1653927586771813],
      [-0.6105753869166545, -0.3838771543673033],
    );
    expect(engineTrouble(float, decimals, 1e-6, { lhs: false, rhs: true })).toBeNull();
    expect(engineTrouble(float, decimals, 1e-6, { lhs: true, rhs: false })?.status).toBe('trouble');
  });

  it('stands where the sides moved within the allowance, or where float64 lost (nearly) every digit', () => {
    const close = at('agree', [-0.6105753869166545, -0.3838771543673033], [-0.6105753869166545, -0.3838771543673033]);
    expect(engineTrouble(float, close, 0, both)).toBeNull();
    const far = at('violate', [-0.85, -1.17], [-0.61, -0.38]);
    // 1e-2 noted: a hundred times that is every digit
    expect(engineTrouble(float, far, 1e-2, both)).toBeNull();
    // 1e-3 noted: 0.1 allowed, and the sides moved 0.4
    expect(engineTrouble(float, far, 1e-3, both)?.status).toBe('trouble');
    // a float64 side that underflowed says nothing; nor do sides compared differently (probes against a matrix)
    expect(engineTrouble(at('agree', [0, 1e-300], [0, 0]), at('violate', [1e-20, 1e-20], [0, 0]), 0, both)).toBeNull();
    expect(engineTrouble(float, at('violate', [1, 2, 3, 4], [1, 2, 3, 4]), 0, both)).toBeNull();
  });

  it('rounding under the noted threshold is allowed for (1e-6 of a side at least)', () => {
    const moved = at('agree', [-0.6105753867846904 * (1 + 5e-7), -0.383877154268381], float.rhs.slice() as never);
    expect(engineTrouble(float, { ...moved, rhs: float.rhs }, 0, both)).toBeNull();
    const more = { ...moved, lhs: Float64Array.from([-0.6105753867846904 * (1 + 5e-6), -0.383877154268381]) };
    expect(engineTrouble(float, more, 0, both)?.status).toBe('trouble');
  });
});
