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
import { evidenceSummary } from '../../src/emit/evidence-text.js';

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

describe('every recurrent matrix 0 in a second-order recurrence', () => {
  // h_t = tanh(A h_{t−1} + B h_{t−2} + U x_t) through a copy state (review152): at A = 0 and the drives' peak every
  // state is 0 and ∂h_T/∂h_{T−2} = B, so ‖A‖² + 0.99999‖B‖ is short by 1e-5 relative (numpy:
  // test/fixtures/numpy/second_order_zero.py). It was consistent at two master seeds: B's sign and alignment with A²
  // were left to the draw.
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/second-order-zero.yaml'));

  it('refutes the bound 1e-5 short of ‖B‖ and leaves ‖A‖² + ‖B‖ consistent', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['two-step-false', 'refuted'],
      ['two-step-true', 'consistent'],
    ]);
    const cx = results[0]!.counterexample!;
    expect(cx.lhs[0]! / cx.rhs[0]!).toBeCloseTo(1 / 0.99999, 12);
    expect(evidenceOf(results[0]!.evidence, 'search')!.beyond).toMatchObject({ found: true });
  });
});

describe('every recurrent matrix far beyond the cap', () => {
  // A residual RNN, h_t = h_{t−1} + tanh(W h_{t−1} + …): at the drives' peak every state is 0 and ∂h_T/∂h_{T−1} = I + W,
  // so `2 + 0.99‖W‖` — a repair review153 found offered as consistent — is false only for ‖W‖ > 100, past the cap of 12
  // (numpy: test/fixtures/numpy/residual_far.py, 201 against 200 at W = 200·I).
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/residual-far.yaml'));

  it('refutes a slope 1 % low at W 100× the cap, and leaves 1 + ‖W‖ consistent', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['slope-099-false', 'refuted'],
      ['slope-1-true', 'consistent'],
    ]);
    const cx = results[0]!.counterexample!;
    // ‖I + W‖ with ‖W‖ = 1200 (100 × the cap of 12) against 2 + 0.99 · 1200
    expect(cx.rhs[0]).toBeCloseTo(2 + 0.99 * 1200, 9);
    expect(cx.lhs[0]).toBeGreaterThan(1199);
    expect(cx.beyondRegimes!.find((x) => x.name === 'W')!.value).toBeCloseTo(1200, 9);
    const beyond = evidenceOf(results[1]!.evidence, 'search')!.beyond!;
    expect(beyond.extremeCapTimes).toEqual([100, 10000]);
    expect(evidenceSummary(evidenceOf(results[1]!.evidence, 'search')!)).toContain(
      "recurrent spectral norms up to 8× the largest regime's; beside each path, every recurrent matrix also 0 and 100× and 10000× that;",
    );
  });
});
