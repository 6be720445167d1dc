/**
 * Nine false passes a review found (review140), one pattern: a bound on ‖∂h_T/∂x_{T−k}‖ (through W k − 1 times and U
 * once) under a premise on two parameters — `norm2(W) * norm2(U) <= 1 and norm2(W) <= 1.05`, or `norm2(W) <= 1.2 and
 * norm2(U) <= 1` — whose supremum is where each parameter sits at its own edge (W = 1.05 and U = 1/1.05; W = 1.2 and
 * U = 1), the drives centred (tanh′ = 1) or every pre-activation positive (a leaky ReLU). Each was consistent under the
 * default master seed and seeds 1, 2, 3, and with --search 2000. The search moves the premise's parameters to its edge
 * by one common scale (src/check/premise.ts premiseEdges), which stops where the first condition binds: it meets the
 * corner only from the one ratio of the two norms that meets both at once. Beyond the regimes each start now also
 * evaluates the parameters the premise names rank one along a shared direction at the drives' peak
 * (src/numeric/adversarial.ts alignedAtPeak), each taken alone to its own edge in turn, in both orders (premise.ts
 * ownEdge; src/check/search.ts). numpy (test/fixtures/numpy/premise_corner.py) builds the corners by hand and recomputes
 * every counterexample from its export.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { counterexampleEntry } from '../../src/check/check-claim.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { boundedParameters, premiseViolation } from '../../src/check/premise.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const SEEDS = [20261120, 1];

/**
 * ‖∂h_T/∂x_{T−k}‖₂ at each counterexample, by test/fixtures/numpy/premise_corner.py on its export (`gradproof check
 * FILE --seed S --export E.json`; `python3 premise_corner.py tanh|leaky E.json`): the closed form D_T W ⋯ D_{T−k} U,
 * which central differences match to 7e-14; W, U within the bisection's last step under their edges. [default, seed 1]
 */
const NUMPY_LHS: Record<string, [string, number, number]> = {
  'pp-2-105-false': ['premise-corner', 1.0499992000121925, 1.0499991998567737],
  'pp-2-11-false': ['premise-corner', 1.0999989603908846, 1.0999989602080906],
  'pp-2-12-false': ['premise-corner', 1.1999991590237766, 1.1999991603807703],
  'pp-2-split-105-false': ['premise-corner', 1.0499981479891267, 1.0499981485877867],
  'pp-2-W12-U1-false': ['premise-corner', 1.4399995373911896, 1.4399995388469724],
  'pp-1-W12-U1-false': ['premise-corner', 1.19999980883665, 1.1999998088612474],
  'corner-d1-false': ['premise-corner', 1.1999991561936754, 1.1999991603807703],
  'lk-pp-12-false': ['premise-corner-leaky', 1.1999991607667775, 1.1999991607667775],
  'lk-pp-split-12-false': ['premise-corner-leaky', 1.1999991607667775, 1.199999160766777],
  'lk-x2-W12-false': ['premise-corner-leaky', 1.4399995422363645, 1.4399995422363645],
};

const TRUE_COMPANIONS: Record<string, string> = {
  'pp-2-105-true': 'premise-corner',
  'pp-2-12-true': 'premise-corner',
  'pp-2-split-105-true': 'premise-corner',
  'pp-2-W12-U1-true': 'premise-corner',
  'pp-1-W12-U1-true': 'premise-corner',
  'corner-d1-true': 'premise-corner',
  'lk-pp-12-true': 'premise-corner-leaky',
  'lk-pp-split-12-true': 'premise-corner-leaky',
  'lk-x2-W12-true': 'premise-corner-leaky',
};

describe('a premise on two parameters: the supremum where each sits at its own edge', () => {
  const files = new Map(
    ['premise-corner', 'premise-corner-leaky'].map((f) => [f, loadDerivationFile(`test/fixtures/models/${f}.yaml`)]),
  );
  const runs = new Map(
    [...files].flatMap(([name, file]) =>
      SEEDS.map((masterSeed) => [`${name} ${masterSeed}`, checkDerivation(file, { masterSeed })] as const),
    ),
  );
  const result = (file: string, seed: number, id: string) => runs.get(`${file} ${seed}`)!.find((r) => r.id === id)!;

  it('refutes each false bound beyond the regimes, inside the premise, at the norms numpy recomputes', () => {
    for (const [id, [name, ...lhs]] of Object.entries(NUMPY_LHS))
      SEEDS.forEach((seed, k) => {
        const r = result(name, seed, id);
        const at = `${id} seed ${seed}`;
        expect(r.verdict, at).toBe('refuted');
        const cx = r.counterexample!;
        expect(cx.beyondRegimes, at).not.toBeNull();
        // found beside the path: the side evaluations of the first start, the corner in the first order or the second
        expect(cx.searchSteps, at).toBeGreaterThan(0);
        const file = files.get(name)!;
        const claim = file.claims.find((c) => c.id === id)!;
        const entry = counterexampleEntry(file, claim, cx)!;
        expect(premiseViolation(entry.evaluator, claim.given!, entry.instance.sizes), at).toBe(0);
        expect(cx.lhs[0]! / lhs[k]!, at).toBeCloseTo(1, 13);
        expect(cx.rhs[0], at).toBe(1);
      });
  });

  it('finds the corner at the 16th step of the tanh claims (10 isolating, 3 inputs cancelled, 2 premise edges, then the first order)', () => {
    for (const id of ['pp-2-105-false', 'pp-2-split-105-false', 'pp-2-W12-U1-false', 'pp-1-W12-U1-false'])
      expect(result('premise-corner', 20261120, id).counterexample!.searchSteps, id).toBe(16);
  });

  it('leaves the true companions (the constant the corner reaches) consistent, and reaches their edge', () => {
    for (const [id, name] of Object.entries(TRUE_COMPANIONS))
      for (const seed of SEEDS) {
        const r = result(name, seed, id);
        const at = `${id} seed ${seed}`;
        expect(r.verdict, at).toBe('consistent');
        const beyond = evidenceOf(r.evidence, 'search')!.beyond!;
        expect(beyond.bestRatio!, at).toBeLessThanOrEqual(1);
        expect(beyond.bestRatio!, at).toBeGreaterThan(1 - 1e-5);
      }
  });

  it('reads the parameters a premise names, in the order first read, none an assumption fixes', () => {
    const file = files.get('premise-corner')!;
    const given = (id: string) => file.claims.find((c) => c.id === id)!.given!;
    expect(boundedParameters(file.model, given('pp-2-105-false'))).toEqual(['W', 'U']);
    expect(boundedParameters(file.model, given('pp-2-split-105-false'))).toEqual(['U', 'W']);
    expect(boundedParameters(file.model, given('corner-d1-false'))).toEqual(['W', 'U']);
  });
});
