/**
 * Beyond the regimes the search also tries one recurrent matrix at the cap with the others shrunk (src/numeric/
 * adversarial.ts, ALONE_AT_CAP), beside each start's path. The regimes give every recurrent matrix one norm and
 * every other construction moved them together, so a GRU bound with U_n where U_z is due held on every instance the
 * search tried: consistent at default settings, refuted only with --beyond 600 (a review's).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { replayCommand } from '../../src/emit/replay.js';

const FILE = 'test/fixtures/models/gru-norms.yaml';

describe('isolating constructions beyond the regimes', () => {
  it('refute a bound that swaps two recurrent matrices, at numbers numpy recomputes', () => {
    const [r] = checkDerivation(loadDerivationFile(FILE));
    expect(r!.verdict).toBe('refuted');
    const search = evidenceOf(r!.evidence, 'search')!;
    // inside the regimes every recurrent matrix has the regime's norm: the bound holds there (all 250 evaluated)
    expect(search).toMatchObject({ found: true, budget: 250, evaluations: 250 });
    // 63 evaluations, and beside each of the 3 starts 2 for each of the GRU's 3 recurrent matrices: the first
    // (U_z alone at the cap, from the start) refutes
    expect(search.beyond).toMatchObject({ found: true, budget: 63 + 3 * 6, evaluations: 1, starts: 3 });
    const cx = r!.counterexample!;
    expect(cx.bindings).toEqual({ t: 1 });
    expect(cx.sizes).toEqual({ T: 6, d: 2, m: 2 });
    // test/fixtures/numpy/gru_isolating.py on this counterexample's export: the GRU by hand, the Jacobian by finite
    // differences (5e-11 from its closed form); ‖U_z‖₂ = 12 (the cap), ‖U_n‖₂ = 1.5/64
    expect(cx.lhs[0]! / 0.9102918639125209).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / 0.005859375000000002).toBeCloseTo(1, 12);
    const uz = cx.beyondRegimes!.find((x) => x.name === 'Uz')!;
    expect(uz.value).toBeCloseTo(12, 10);
    expect(replayCommand(cx)).toMatch(/--search 0 --beyond 1$/);
  });
});
