/**
 * Beyond the regimes, an inequality that takes a norm of parameters also meets them at 0 together, and at 10⁻⁴ of the
 * start's with every other recurrent matrix 10⁴× the cap (src/numeric/adversarial.ts vanishingConstructions): a bound
 * whose larger side is a multiple of their norms says the other side vanishes with them. A review (review154) found
 * three such bounds consistent with `--search 2000`: no other construction moves a parameter that is no recurrent
 * matrix to 0. The counterexamples' sides are recomputed from their exports by a hand-written numpy forward pass
 * (test/fixtures/numpy/vanishing_parameters.py on test/fixtures/numpy/vanishing-parameters.json).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';

/** [fixture, the false claim, numpy's lhs and rhs at its counterexample, the parameters said to vanish] */
const CASES = [
  ['vanishing-indrnn', 'state-with-weights-false', 0.3980269365055296, 0, ['W', 'b']],
  ['vanishing-janet', 'state-with-candidate-false', 0.028150131159910337, 0, ['U_g', 'W_g', 'b_g']],
  ['vanishing-mirnn', 'drive-with-input-false', 1.0000086185936687, 0.05322428077451043, ['W', 'b']],
] as const;

describe.each(CASES)('%s', (fixture, falseId, lhs, rhs, names) => {
  const results = checkDerivation(loadDerivationFile(`test/fixtures/models/${fixture}.yaml`));

  it('refutes the bound where the parameters vanish, and leaves the true one consistent', () => {
    expect(results.map((r) => r.verdict)).toEqual(['refuted', 'consistent']);
    const r = results[0]!;
    expect(r.id).toBe(falseId);
    const cx = r.counterexample!;
    expect(cx.lhs[0]! / lhs).toBeCloseTo(1, 12);
    if (rhs === 0) expect(cx.rhs[0]).toBe(0);
    else expect(cx.rhs[0]! / rhs).toBeCloseTo(1, 12);
    const search = evidenceOf(r.evidence, 'search')!;
    expect(search.beyond).toMatchObject({ found: true, vanishing: { names, scale: 1e-4, capTimes: 10000 } });
    expect(evidenceSummary(search)).toContain(
      `beside each path, ${names.join(', ')} also 0, each alone at its end with the others 0, and 0.0001 times the start's with every other recurrent matrix 10000× the cap`,
    );
  });
});

describe('a claim that takes no norm of a parameter', () => {
  it('gets none of these constructions', () => {
    const [r] = checkDerivation(loadDerivationFile('test/fixtures/models/vanishing-janet.yaml'), {
      claims: ['convex-step-true'],
    });
    expect(evidenceOf(r!.evidence, 'search')!.beyond!.vanishing).toBeUndefined();
  });
});

describe('one matrix alone at its end, the other 0; a nilpotent one with a small coupling', () => {
  // A Lipschitz RNN, h_t = h_{t−1} + 0.1(A h_{t−1} + tanh(W h_{t−1} + U x_t + b)): two repairs review154 found offered
  // as consistent. ‖J‖ ≤ 1 + ‖A‖ + 0.0999‖W‖ fails at A = 0, W = 12·I and the drives at the peak (2.2 against 2.1988);
  // ρ(J) ≤ 1 + 0.2(ρ(A) + ‖W‖) fails at A nilpotent, W small: ρ grows like the square root of the coupling.
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/vanishing-lipschitz.yaml'));

  it('refutes both, and leaves their true forms consistent', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['slope-W-false', 'refuted'],
      ['slope-W-true', 'consistent'],
      ['radius-false', 'refuted'],
      ['radius-true', 'consistent'],
    ]);
    // vanishing_parameters.py, from the exported counterexamples
    const slope = results[0]!.counterexample!;
    expect(slope.lhs[0]).toBeCloseTo(2.2, 12);
    expect(slope.rhs[0]).toBeCloseTo(2.1988, 12);
    const radius = results[2]!.counterexample!;
    // ρ of a near-defective J: numpy's eigenvalues agree to 1e-12 relative
    expect(radius.lhs[0]! / 1.0012649916164738).toBeCloseTo(1, 11);
    // 1 + 0.2‖W‖ = 1.00001 with ρ(A) = 0 exactly; float64's ρ of the nilpotent A is rounding noise (< 1e-7)
    expect(radius.rhs[0]! - 1.00001).toBeGreaterThanOrEqual(-1e-12);
    expect(radius.rhs[0]! - 1.00001).toBeLessThan(2e-8);
    const search = evidenceOf(results[2]!.evidence, 'search')!;
    expect(search.beyond!.vanishing).toEqual({ names: ['A', 'W'], scale: 1e-4, capTimes: 10000, nilpotent: true });
    expect(evidenceSummary(search)).toContain(
      "beside each path, A, W also 0, each alone at its end with the others 0, and 0.0001 times the start's with every other recurrent matrix 10000× the cap, and each square recurrent one nilpotent at the cap with the others at 0.0001 times the start's",
    );
  });
});

describe('initial states and input weights far out', () => {
  // review154: an IndRNN's ‖∂h_T/∂x_T‖ ≤ 50 was consistent with `--search 2000` (W = 100 with the units centred refutes
  // it), and `normMax(h[T-k]) <= 20` over k in 0..T was offered as a consistent repair (h_0 = 30 refutes it): the box of
  // a claim for every value stops at 8 spreads of the widest regime's law (16 for h_0)
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/far-out-indrnn.yaml'));

  it('refutes both at numbers numpy recomputes, and leaves their true forms holding', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['input-derivative-false', 'refuted'],
      ['input-derivative-true', 'proved'],
      ['state-bounded-false', 'refuted'],
      ['state-bounded-true', 'consistent'],
    ]);
    // vanishing_parameters.py: ‖diag(1 − h_T²) W‖ with W 100× the edge of its box at the drives' peak (h = 0)
    const input = results[0]!.counterexample!;
    expect(input.lhs[0]! / 12799.999999999998).toBeCloseTo(1, 12);
    expect(input.rhs[0]).toBe(50);
    // h_0 100× the edge of its box (16), read at k = T
    const state = results[2]!.counterexample!;
    expect([state.lhs[0], state.rhs[0], state.bindings.k]).toEqual([1600, 20, 3]);
    const search = evidenceOf(results[0]!.evidence, 'search')!;
    expect(search.beyond!.farOut).toEqual({ states: ['h'], inputWeights: true, times: [100, 10000] });
    expect(evidenceSummary(search)).toContain(
      'beside each path, the initial h also 100× and 10000× the edge of the box, and at the peak every input weight also 100× the edge of its box',
    );
  });
});
