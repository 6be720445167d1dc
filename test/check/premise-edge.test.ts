/**
 * A bound under a premise is often tightest at the premise's edge: `norm2(jac(h[T], h[T-1])) <= 1` given
 * `norm2(W) < 1.05` is false only for ‖W‖₂ in (1, 1.05), which the regimes' norms (0.5, 1, 1.5) and the search's cap
 * (12) never give, and the premise sampler reaches only on the instances it rescales (a review found three such claims
 * consistent). Beyond the regimes the search now evaluates each start at the premise's edge, and each construction
 * outside the premise at its edge instead of not at all (src/check/premise.ts premiseEdges, src/check/search.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { premiseEdges, premiseHolds } from '../../src/check/premise.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense } from '../../src/numeric/values.js';
import { modelFile } from '../support/model-file.js';

const FILE = 'test/fixtures/models/premise-edge.yaml';
const derivation = loadDerivationFile(FILE);
const results = new Map(checkDerivation(derivation).map((r) => [r.id, r]));

/**
 * A tanh RNN (d = 3, m = 1, T = 3) whose one claim has the premise `given` on norm2(W): the premise, ‖W‖₂ of an
 * instance, and the instance of index j at master seed 20261206 (regime j mod 4).
 */
function premiseOnW(given: string) {
  const file = parseDerivation(
    `gradproof: 1\nmodel:\n  sizes: { d: 3, m: 1, T: 3 }\n  symbols:\n    W: { role: parameter, shape: [d, d], init: recurrent }\n    U: { role: parameter, shape: [d, m] }\n    x: { role: input, shape: [m] }\n    h: { role: state, shape: [d] }\n  equations:\n    - h[t] = tanh(W*h[t-1] + U*x[t])\n  loss: L = sum(h[T])\nclaims:\n  - id: c\n    claim: norm2(W) <= 1\n    given: ${given}\n`,
    'premise.yaml',
  );
  const premise = file.claims[0]!.given!;
  const norm = premise.conditions[0]!.lhs; // norm2(W)
  const normOf = (e: { evaluator: Evaluator; instance: { sizes: Record<string, number> } }) =>
    asDense(e.evaluator.evaluate(norm, e.instance.sizes)).data[0]!;
  const at = (j: number) => {
    const instance = buildInstance(file.model, instanceSpec(file.model, 20261206, j, undefined, { d: 3, m: 1, T: 3 }));
    return { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
  };
  return { file, premise, normOf, at };
}

describe('the premise edge', () => {
  it('refutes the bounds false only near the edge, found beyond the regimes (all three were consistent)', () => {
    for (const id of ['jac-step-at-most-1', 'jac-lags-at-most-1', 'norm-above-0.36']) {
      const r = results.get(id)!;
      expect(r.verdict, id).toBe('refuted');
      expect(r.counterexample!.beyondRegimes, id).not.toBeNull();
      expect(evidenceOf(r.evidence, 'search')!.beyond).toMatchObject({ found: true });
    }
  });

  it('at numbers numpy recomputes: ‖W‖₂ just under 1.05, h ≡ 0, so ∂h_T/∂h_{T−1} = W', () => {
    const cx = results.get('jac-step-at-most-1')!.counterexample!;
    // test/fixtures/numpy/premise_edge.py on this counterexample's export: ‖W‖₂ = 1.0499998557411891 = ‖J‖₂ (max |h_T| =
    // 0: the drives at 0 and the states at 0, then W scaled to the premise's edge), J by finite differences to 2.5e-13
    expect(cx.lhs[0]! / 1.0499998557411891).toBeCloseTo(1, 12);
    expect(cx.rhs[0]).toBe(1);
  });

  it('finds a band narrower than its steps: the thin band refuted at its upper edge, as numpy recomputes', () => {
    // consistent before (tightest 0.9995; every construction beyond the regimes was outside the premise, not evaluated):
    // the steps of 2^(1/4) from ‖W‖ = 12 down stepped over 0.999 ≤ ‖W‖₂ ≤ 1.001
    const r = results.get('jac-step-in-thin-band')!;
    expect(r.verdict).toBe('refuted');
    expect(r.counterexample!.beyondRegimes).not.toBeNull();
    // test/fixtures/numpy/premise_edge.py on its export with 0.999 1.001 1.0005: ‖W‖₂ = ‖J‖₂ = 1.0009999127741924, h_T = 0,
    // J by finite differences to 6.0e-14
    expect(r.counterexample!.lhs[0]! / 1.0009999127741924).toBeCloseTo(1, 12);
    expect(r.counterexample!.rhs[0]).toBe(1.0005);
  });

  it('leaves the true bounds at the edge consistent, and reaches their edge', () => {
    for (const id of ['jac-step-at-most-edge', 'norm-above-lower-edge', 'jac-step-thin-band-edge']) {
      const r = results.get(id)!;
      expect(r.verdict, id).toBe('consistent');
      const beyond = evidenceOf(r.evidence, 'search')!.beyond!;
      expect(beyond.bestRatio!, id).toBeLessThanOrEqual(1);
      // within 2⁻¹⁸ of the edge (the bisection's last step)
      expect(beyond.bestRatio!, id).toBeGreaterThan(1 - 2 ** -18);
    }
  });

  it('moves an instance to both edges from inside, to the nearest from outside, by scaling what the premise reads', () => {
    const { file, premise, normOf, at } = premiseOnW('norm2(W) > 0.7 and norm2(W) < 1.05');
    const near = (x: number, edge: number) => Math.abs(x / edge - 1) < 2 ** -17;
    // regime 1 (‖W‖ = 1, inside): the edge above, then the edge below
    const both = premiseEdges(at(1), premise, file.model);
    expect(both.every((e) => premiseHolds(e, premise))).toBe(true);
    expect(both.map(normOf).map((x, k) => near(x, [1.05, 0.7][k]!))).toEqual([true, true]);
    // regime 0 (‖W‖ = 0.5, below the band: a factor 1.4 to its floor) and regime 2 (‖W‖ = 1.5, above it)
    for (const [j, edge] of [
      [0, 0.7],
      [2, 1.05],
    ] as const) {
      const moved = premiseEdges(at(j), premise, file.model);
      expect(moved).toHaveLength(1);
      expect(premiseHolds(moved[0]!, premise)).toBe(true);
      expect(near(normOf(moved[0]!), edge)).toBe(true);
    }
  });

  it('from outside a band narrower than one step, reaches its edge on the side the steps came from', () => {
    const { file, premise, normOf, at } = premiseOnW('norm2(W) >= 0.999 and norm2(W) <= 1.001');
    // regime 2 (‖W‖ = 1.5: the steps of 2^(−1/4) go from 1.061 to 0.892, over the band) and regime 0 (‖W‖ = 0.5: the
    // fourth step lands on 1, inside, and the edge below is bisected as before)
    for (const [j, edge] of [
      [2, 1.001],
      [0, 0.999],
    ] as const) {
      const moved = premiseEdges(at(j), premise, file.model);
      expect(moved, `regime ${j}`).toHaveLength(1);
      expect(premiseHolds(moved[0]!, premise)).toBe(true);
      expect(Math.abs(normOf(moved[0]!) / edge - 1)).toBeLessThan(1e-6);
    }
  });

  it("reaches the lower edge of a two-sided premise, and never moves a value an assumption fixes (a review's)", () => {
    const file = modelFile({
      sizes: 'd: 2..4, m: 1..2, T: 3..5',
      symbols: ['W', 'U', 'b', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
      loss: 'L = sum(h[T])',
      claims:
        '  - id: above-0.36\n    claim: norm2(W) >= 0.36\n    given: norm2(W) > 0.35 and norm2(W) < 0.6\n' +
        '  - id: identity\n    claim: norm2(W) <= 1\n    assume: { identity: [W] }\n    given: norm2(W) <= 1.5\n',
    });
    const [twoSided, fixed] = checkDerivation(parseDerivation(file, 'two.yaml'));
    // consistent before: from inside the edge above (0.6) alone was tried
    expect(twoSided!.verdict).toBe('refuted');
    expect(twoSided!.counterexample!.lhs[0]!).toBeGreaterThan(0.35);
    expect(twoSided!.counterexample!.lhs[0]!).toBeLessThan(0.36);
    // W = I is no part of what the premise's edge scales (W = 1.5·I refuted it)
    expect(fixed!.verdict).toBe('consistent');
  });
});

describe('a construction outside the premise, built again at its edge', () => {
  // A gain vector g ⊙ (W h) at its box's end (32) with the units centred was outside `normMax(g) <= 7`; scaled back to
  // 7 as any instance is, the centring was lost, and a bound false only near max|g| = 7 at a centred unit was
  // consistent (a review's K05). The construction is now built again at each scale, its centring with it.
  const gain = new Map(
    checkDerivation(loadDerivationFile('test/fixtures/models/gain-premise-edge.yaml')).map((r) => [r.id, r]),
  );

  it('refutes the bounds false only where max|g| is near 7, at the first evaluation beyond the regimes', () => {
    for (const [id, ratio] of [
      ['gain-085-below-7', 7 / 6.95],
      ['gain-08-below-7', 7 / 6.6],
    ] as const) {
      const r = gain.get(id)!;
      expect(r.verdict).toBe('refuted');
      const beyond = evidenceOf(r.evidence, 'search')!.beyond!;
      expect([beyond.found, beyond.evaluations]).toEqual([true, 1]);
      // at the bisected edge, max|g| = 7 − 6e-7: the ratio is 7/6.95 there to 1e-7
      expect(beyond.bestRatio!).toBeCloseTo(ratio, 6);
    }
  });

  it('at numbers numpy recomputes: max|g| at the edge, every unit centred, ‖W‖₂ = 0.5/64', () => {
    // test/fixtures/numpy/multiplier_at_end.py gain on the export of gain-085-below-7: lhs 0.054687495304861916, rhs
    // 0.05429687100913262, the Jacobian by finite differences 1.3e-9 from its closed form, pre-activations 0 to 5e-17,
    // max|g| 6.999999399022325
    const k = gain.get('gain-085-below-7')!.counterexample!;
    expect([k.bindings, k.sizes]).toEqual([{ t: 1 }, { T: 6, d: 4, m: 3 }]);
    expect(k.lhs[0]! / 0.054687495304861916).toBeCloseTo(1, 9);
    expect(k.rhs[0]! / 0.05429687100913262).toBeCloseTo(1, 9);
    expect(k.beyondRegimes!.find((x) => x.name === 'g')!.value).toBeCloseTo(6.999999399022325, 9);
  });

  it('leaves the true bounds holding, tight at the edge', () => {
    expect(gain.get('gain-085-below-6.5')!.verdict).toBe('consistent');
    // 6.5 / (1 + 0.85 · 6.5) at the edge, from below
    const below = evidenceOf(gain.get('gain-085-below-6.5')!.evidence, 'search')!.beyond!.bestRatio!;
    expect(below).toBeLessThanOrEqual(6.5 / 6.525);
    expect(below).toBeGreaterThan(6.5 / 6.525 - 1e-5);
    // (proved by the rules: diag(1 - h.^2) diag(g) W, for every t from 1)
    expect(gain.get('gain-below-7')!.verdict).toBe('proved');
  });
});
