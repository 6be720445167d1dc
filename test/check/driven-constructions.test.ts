/**
 * Beyond the regimes the search also drives the states to an end of their range over the steps before s and centres
 * every gate with a bias at step s (src/numeric/adversarial.ts, DRIVEN_THEN_CENTRED), at s = T and s = 2. Every other
 * construction acts at step 1, against the initial states it sets: where h[0] is fixed by `assume:` (h_0 = 0), or where
 * a claim reads step T alone, the bounds below held on every instance the search tried (two reviews'). numpy
 * (test/fixtures/numpy/gru_driven.py) finds both false by hand and recomputes the counterexamples' figures.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { replayCommand } from '../../src/emit/replay.js';
import { InstanceSpace, isolatingConstructions } from '../../src/numeric/adversarial.js';
import { emptyData } from '../support/instance-data.js';

const FILE = 'test/fixtures/models/gru-driven.yaml';

/**
 * 63 evaluations, and beside each of 3 starts the GRU's 20 isolating constructions as before, then 8 driven ones, then 3
 * gate settings (test/check/gate-settings.test.ts).
 */
// (+ 12: the opposed states, four for each of the GRU's 3 recurrent matrices, adversarial.ts DRIVEN_THEN_OPPOSED; + 4:
// every recurrent matrix 0 and far beyond the cap, for these claims that take a norm of one — EXTREME_RECURRENT)
// (+ 4: U_r and U_n, which these claims take norms of, vanishing — both 0, both 10⁻⁴ with the rest far out, each alone at
// its end: vanishingConstructions, test/check/vanishing-parameters.test.ts)
const BEYOND_BUDGET = 63 + 3 * (20 + 8 + 3 + 12 + 4 + 4);

describe('states driven to an end before step s, the gates centred at s', () => {
  const results = checkDerivation(loadDerivationFile(FILE));
  const result = (id: string) => results.find((r) => r.id === id)!;

  it('refute a bound over t that holds at t = 1 only because h_0 = 0 is assumed (numpy recomputes)', () => {
    // G33: ‖∂n_t/∂h_{t−1}‖ ≤ ‖U_n‖(1 + 0.05‖U_r‖), t in 1..T, h[0] = 0 — consistent before (under 4 claim ids of 4;
    // --beyond 2000 refuted it), as was its binding t = 2 alone
    const r = result('reset-route-forall');
    expect(r.verdict).toBe('refuted');
    expect(result('reset-route-step-2').verdict).toBe('refuted');
    // the first start's first driven construction (the 21st of its path: states at −1 before T, recurrent 12·I)
    expect(evidenceOf(r.evidence, 'search')!.beyond).toMatchObject({
      found: true,
      budget: BEYOND_BUDGET,
      evaluations: 61,
    });
    const cx = r.counterexample!;
    expect(cx.sizes).toEqual({ T: 7, d: 4, m: 3 });
    expect(cx.bindings).toEqual({ t: 7 });
    // gru_driven.py on this counterexample's export: h_0 = 0 (assumed), h_6 = −𝟙, r_7 = ½𝟙, n_7 = 0, U_n = U_r = 12·I:
    // ‖12·I (½I − 3I)‖ = 30 against 12 (1 + 0.6) = 19.2; the Jacobian by finite differences 4e-10 from its closed form
    expect(cx.lhs[0]! / 30).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / 19.200000000000003).toBeCloseTo(1, 12);
    expect(cx.beyondRegimes!.find((x) => x.name === 'Ur')!.value).toBeCloseTo(12, 10);
    expect(replayCommand(cx)).toMatch(/--search 0 --beyond 21$/);
  });

  it('refute a bound at step T alone with ⅛‖U_r‖ where ¼‖U_r‖ is due (numpy recomputes)', () => {
    // F2: ‖∂n_T/∂h_{T−1}‖ ≤ ‖U_n‖(1 + ⅛‖U_r‖) given ‖h_0‖_max ≤ 1 — consistent before, with --beyond 2000 too
    const r = result('candidate-last-step');
    expect(r.verdict).toBe('refuted');
    // (and, under its premise, two more beside each start: the start at the premise's edges; and two with h_0 far out,
    // which h[0] = 0 assumed leaves the other claim without: farOutConstructions)
    expect(evidenceOf(r.evidence, 'search')!.beyond).toMatchObject({
      found: true,
      budget: BEYOND_BUDGET + 3 * (2 + 2),
    });
    const cx = r.counterexample!;
    expect(cx.sizes).toEqual({ T: 7, d: 3, m: 3 });
    // gru_driven.py on this counterexample's export: h_0 = h_6 = −𝟙, r_7 = ½𝟙, n_7 = 0, U_n = U_r = −12·I:
    // ‖−12·I (½I + 3I)‖ = 42 against 12 (1 + 1.5) = 30; the Jacobian by finite differences 7e-10 from its closed form
    // (instance 1, T = 7, d = 3 since the shapes appended to the constructions moved the starts beyond the regimes; the
    // same construction and figures at instance 17, T = 5, d = 4 before)
    expect(cx.lhs[0]! / 42).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / 30).toBeCloseTo(1, 12);
    expect(replayCommand(cx)).toMatch(/--search 0 --beyond 22$/);
  });

  it('leave the true companions consistent: the binding t = 1 alone, the correct bounds', () => {
    for (const id of ['reset-route-t1', 'reset-route-bound', 'candidate-last-step-bound']) {
      const r = result(id);
      expect([id, r.verdict]).toEqual([id, 'consistent']);
      const beyond = evidenceOf(r.evidence, 'search')!.beyond!;
      expect(beyond.found).toBe(false);
      expect(beyond.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('build them at T and at 2, each end and each sign of the recurrent matrices, after the others', () => {
    const file = loadDerivationFile(FILE);
    const space = new InstanceSpace(file.model, { d: 2, m: 1, T: 4 }, 'saturated', 'beyond');
    // the pre-activations are not read by the names: a stub that centres nothing is enough to list them
    const names = isolatingConstructions(space, emptyData(space), () => null).map((c) => c.name);
    expect(names.slice(20, 28)).toEqual([
      'the states driven to −1 before step 4, every gate centred there, recurrent 12·I',
      'the states driven to −1 before step 4, every gate centred there, recurrent −12·I',
      'the states driven to +1 before step 4, every gate centred there, recurrent 12·I',
      'the states driven to +1 before step 4, every gate centred there, recurrent −12·I',
      'the states driven to −1 before step 2, every gate centred there, recurrent 12·I',
      'the states driven to −1 before step 2, every gate centred there, recurrent −12·I',
      'the states driven to +1 before step 2, every gate centred there, recurrent 12·I',
      'the states driven to +1 before step 2, every gate centred there, recurrent −12·I',
    ]);
  });
});
