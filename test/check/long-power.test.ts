/**
 * Scalar powers in extended precision: (c·‖W‖₂)^k with k in the hundreds has no float64 value, and an exponent above
 * 64 was kept opaque in every ring (a polynomial's power would expand without end), so such points stayed undecided
 * (and each cost a decimal forward pass first: 151 s for one claim of a review's file). A number's power is computed
 * by squaring in the ordered rings (decimals, wide floats, intervals).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

describe('a scalar power past float64 in extended precision', () => {
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/long-power-bound.yaml'), { instances: 1 });

  it('decides every point of the true bound, none left to trouble', () => {
    const r = results.find((x) => x.id === 'powers-ordered')!;
    expect(evidenceOf(r.evidence, 'trouble')).toBeUndefined();
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    // underflowed or overflowed in float64 (72 at this seed), and both sides exactly 0 (163): all agree
    expect(ext.fromTrouble).toEqual({ agree: 72, violate: 0 });
    expect(ext.fromZero).toEqual({ agree: 163, violate: 0 });
    expect(['proved', 'verified']).toContain(r.verdict);
  });

  it('refutes the reversed one where float64 had both sides 0', () => {
    const r = results.find((x) => x.id === 'powers-reversed')!;
    expect(r.verdict).toBe('refuted');
    expect(evidenceOf(r.evidence, 'trouble')).toBeUndefined();
    expect(evidenceOf(r.evidence, 'extended-precision')!.fromZero).toEqual({ agree: 0, violate: 163 });
  });
});
