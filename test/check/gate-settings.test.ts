/**
 * Beyond the regimes the search also sets each gate with a bias to a chosen end of its range or centres it — every
 * gate that is no candidate open, the candidates centred, then each gate in turn at its low end — with one
 * recurrent matrix alone at the cap (src/numeric/gate-settings.ts, GATE_SETTINGS in src/numeric/adversarial.ts),
 * beside each start after every other construction. No construction put some gates low and others high at once, and
 * every bound below was `consistent` (a review's, 2026-12-06: /work/review131 f2_prover Jhh-false, f3_gru_search
 * gru-rn-held-false and gru-Un-09-false, f3_lstm_routes2 g-route-098-false, f3_lstm_more Jhh-09Ug-false and
 * Jcc-total-09-false, and the repair ‖·‖ ≤ 0.9‖U_g‖_F offered as holding for f3_lstm_routes g-route-09-false). numpy
 * (test/fixtures/numpy/gate_settings.py) recomputes every counterexample from its export.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { replayCommand } from '../../src/emit/replay.js';
import { InstanceSpace, isolatingConstructions } from '../../src/numeric/adversarial.js';
import { emptyData } from '../support/instance-data.js';

const GRU = 'test/fixtures/models/gate-settings-gru.yaml';
const LSTM = 'test/fixtures/models/gate-settings-lstm.yaml';
const PRODUCT = 'test/fixtures/models/gate-settings-product.yaml';

type Results = ReturnType<typeof checkDerivation>;
const byId = (results: Results) => (id: string) => results.find((r) => r.id === id)!;

/** A refuted claim's counterexample against numpy's figures (gate_settings.py on the export). */
function expectRefuted(
  r: Results[number],
  pin: { step: number; evaluations: number; sizes: object; t: number; lhs: number; rhs: number },
): void {
  expect([r.id, r.verdict]).toEqual([r.id, 'refuted']);
  // every start's path in turn, the violation at `step` of its own (the replay's --beyond)
  expect(evidenceOf(r.evidence, 'search')!.beyond).toMatchObject({ found: true, evaluations: pin.evaluations });
  const cx = r.counterexample!;
  expect(cx.sizes).toEqual(pin.sizes);
  expect(cx.bindings).toEqual({ t: pin.t });
  expect(cx.lhs[0]! / pin.lhs).toBeCloseTo(1, 12);
  expect(cx.rhs[0]! / pin.rhs).toBeCloseTo(1, 12);
  expect(replayCommand(cx)).toMatch(new RegExp(`--search 0 --beyond ${pin.step}$`));
}

/** A true companion: not refuted, its search found nothing beyond the regimes either. */
function expectHolds(r: Results[number]): void {
  expect([r.id, r.verdict]).not.toEqual([r.id, 'refuted']);
  const beyond = evidenceOf(r.evidence, 'search')!.beyond!;
  expect(beyond.found).toBe(false);
  expect(beyond.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
}

describe('gates set to chosen ends by their biases, one recurrent matrix alone at the cap', () => {
  it('GRU: z shut and r open at once, n centred, U_n alone at the cap (numpy recomputes)', () => {
    const result = byId(checkDerivation(loadDerivationFile(GRU)));
    // ‖∂h_t/∂h_{t−1}‖ ≤ 1 + ½‖U_z‖ + 0.9‖U_n‖(1 + ¼‖U_r‖) given ‖h_0‖_max ≤ 1: z_1 = σ(−16), r_1 = σ(16), n_1 = 0,
    // ‖U_n‖ = 12, ‖U_z‖ = ‖U_r‖ = 12/1536: ‖J‖ = 11.999997 against 11.825 (the first start's 30th evaluation: the GRU's
    // 28 other isolating constructions at T = 6, then z high, r high; then z low, r high; 24 others at T = 2)
    expectRefuted(result('Un-09'), {
      step: 30,
      evaluations: 88,
      sizes: { T: 6, d: 4, m: 3 },
      t: 1,
      lhs: 11.999997369139216,
      rhs: 11.824999999999992,
    });
    // z and r held: diag(z) + diag((1 − z)(1 − n²)) U_n diag(r) against max z + 0.9‖U_n‖
    expectRefuted(result('rn-held-09'), {
      step: 26,
      evaluations: 78,
      sizes: { T: 2, d: 2, m: 2 },
      t: 1,
      lhs: 11.999997404296778,
      rhs: 10.800000112535162,
    });
    for (const id of ['Un-bound', 'rn-held-bound']) expectHolds(result(id));
  });

  it('LSTM: i and o open, f either way, g centred, U_g alone at the cap (numpy recomputes)', () => {
    const result = byId(checkDerivation(loadDerivationFile(LSTM)));
    // f, i, o held: diag(o ⊙ tanh′(c) ⊙ i ⊙ g′) U_g = ‖U_g‖ (1 − 2.25e-7) against 0.98‖U_g‖, at every gate open, g
    // centred (the first start's 33rd evaluation: the LSTM's 32 other isolating constructions at T = 2, then this)
    const at = { step: 33, sizes: { T: 2, d: 2, m: 2 }, t: 1, lhs: 11.999997299156263 };
    expectRefuted(result('g-route-098'), { ...at, evaluations: 99, rhs: 11.759999999999996 });
    // the repair offered as holding: 0.9‖U_g‖_F = 10.84 (‖U_g‖_F = 12.045 at this U_g)
    expectRefuted(result('g-route-09-normF'), { ...at, evaluations: 97, rhs: 10.840434216190355 });
    expectRefuted(result('Jhh-09Ug'), { ...at, evaluations: 99, rhs: 10.807812499999997 });
    // total ∂c_2/∂c_1 = diag(f_2) + (… + diag(i ⊙ g′) U_g) diag(o_1 ⊙ tanh′(c_1)), c_1 = 0: 12.95 against
    // max f_2 + 0.9·12·max o_1 + … = 11.80
    expectRefuted(result('Jcc-total-09'), {
      step: 33,
      evaluations: 99, // 98 before the tie rule (d5c67e1) joined the gate settings: the same step and point
      sizes: { T: 2, d: 2, m: 2 },
      t: 2,
      lhs: 12.946901532168555,
      rhs: 11.801951796865293,
    });
    for (const id of ['g-route-bound', 'Jhh-bound', 'Jcc-total-bound']) expectHolds(result(id));
  });

  it('h = ½ q ⊙ (1 − n): n at −1 by its bias, q centred, W alone at the cap (numpy recomputes)', () => {
    const result = byId(checkDerivation(loadDerivationFile(PRODUCT)));
    // ∂h_t/∂h_{t−1} = diag((1 − n)(1 − tanh²(W h + U x))) W − ½ diag(q (1 − n²)) A: 2‖W‖ = 24 against
    // ‖W‖ + ‖A‖ = 12 + 12/768 (W is no gate's: q = 2 tanh(·) is no squashing of its argument; the 18th evaluation, after
    // the model's 17 other isolating constructions at T = 4)
    expectRefuted(result('Jhh-W-plus-A'), {
      step: 18,
      evaluations: 52,
      sizes: { T: 4, d: 2, m: 2 },
      t: 1,
      lhs: 23.999999999999698,
      rhs: 12.015624999999998,
    });
    expectHolds(result('Jhh-bound'));
  });

  it('list a bounded number of settings, after every other isolating construction but the opposed states', () => {
    // (the settings are followed by DRIVEN_THEN_OPPOSED's four per recurrent matrix, for a model with σ-like gates and
    // tanh-like candidates: the GRU's 3 matrices, the LSTM's 4; none for PRODUCT, whose only biased gate is n)
    const opposed = new Map([
      [GRU, 12],
      [LSTM, 16],
    ]);
    const names = (file: string, others: number) => {
      const model = loadDerivationFile(file).model;
      const space = new InstanceSpace(model, { d: 2, m: 1, T: 3 }, 'saturated', 'beyond');
      const all = isolatingConstructions(space, emptyData(space), () => null).map((c) => c.name);
      const tail = all.slice(all.length - (opposed.get(file) ?? 0));
      expect(tail.every((n) => n.includes('the candidates at the other end'))).toBe(true);
      return all.slice(others, all.length - tail.length);
    };
    const tail = ' by their biases, the states and inputs at 0, ';
    expect(names(GRU, 28)).toEqual([
      `z high, r high, n centred${tail}Un alone at the cap`,
      `z low, r high, n centred${tail}Un alone at the cap`,
      `z high, r low, n centred${tail}Un alone at the cap`,
    ]);
    // 5 settings, 4 with g centred (U_g): the one with g at −1 leaves every matrix without a slope
    expect(names(LSTM, 36)).toEqual(
      [
        'f high, i high, g centred, o high',
        'f low, i high, g centred, o high',
        'f high, i low, g centred, o high',
        'f high, i high, g centred, o low',
      ].map((s) => `${s}${tail}Ug alone at the cap`),
    );
    // n centred is every construction at the peak: only n at −1, with W (no gate reads it; A only n)
    expect(names(PRODUCT, 17)).toEqual([`n low${tail}W alone at the cap`]);
  });
});
