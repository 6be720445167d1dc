/**
 * Beyond the regimes, an inequality that takes a norm of a recurrent matrix also meets every recurrent matrix at 0
 * (src/numeric/adversarial.ts zeroRecurrentConstructions): a bound whose constant term is a little low is false only
 * there. A review (review151) found such repairs of a coupled oscillator's bound offered as consistent:
 * `0.4999999 + 0.5‖W_z‖ + 0.5‖W‖`, where ‖∂z_T/∂z_{T−1}‖ = ½ at W = W_z = 0 (numpy:
 * test/fixtures/numpy/zero_recurrent.py, 0.5 by central differences).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

describe('every recurrent matrix 0', () => {
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/zero-recurrent.yaml'));

  it('refutes an intercept 1e-7 short, and leaves the intercept ½ consistent', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['zz-intercept-false', 'refuted'],
      ['zz-intercept-true', 'consistent'],
    ]);
    const cx = results[0]!.counterexample!;
    expect(cx.lhs[0]).toBeCloseTo(0.5, 12);
    expect(cx.rhs[0]).toBe(0.4999999);
    expect(evidenceOf(results[0]!.evidence, 'search')!.beyond).toMatchObject({ found: true });
  });
});
