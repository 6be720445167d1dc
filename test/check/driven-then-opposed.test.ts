/**
 * Beyond the regimes, for a model with σ-like gates and tanh-like candidates: the states driven to one end before T,
 * one recurrent matrix alone at the cap, the gates centred at T and the candidates at the other end
 * (src/numeric/adversarial.ts DRIVEN_THEN_OPPOSED). A review's (review150) UGRNN bound 1 + ¼‖W_z‖ + ‖W_c‖ (½ is due: the
 * gap h_{T−1} − g_T reaches 2) was consistent at three seeds and with --search 2000. numpy:
 * test/fixtures/numpy/ugrnn_opposed.py.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

/** ugrnn_opposed.py: z = ½, g = −1, h_{T−1} = 1, W_z = 12, W_c = 12/64 */
const NUMPY = { lhs: 6.5, rhs: 4.1875 };
/** ugrnn_opposed.py, the MGU: f = ½, n = −1, h_{T−1} = 1, W_f = −12, W_n = 12/64 */
const MGU_NUMPY = { lhs: 6.5, rhs: 5.75 };

describe('the states at one end, the candidates at the other', () => {
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/ugrnn-opposed.yaml'));
  const result = (id: string) => results.find((r) => r.id === id)!;

  it("refute a UGRNN's 1 + ¼‖W_z‖ + ‖W_c‖ where the gap h_{T−1} − g_T is 2", () => {
    const r = result('u-bd-const-false');
    expect(r.verdict).toBe('refuted');
    const cx = r.counterexample!;
    expect(cx.lhs[0]).toBeCloseTo(NUMPY.lhs, 9);
    expect(cx.rhs[0]).toBeCloseTo(NUMPY.rhs, 9);
    expect(evidenceOf(r.evidence, 'search')!.beyond).toMatchObject({ found: true });
  });

  it('leave the bound with ½ consistent', () => {
    expect(result('u-bd-const-true').verdict).toBe('consistent');
  });

  it("refute an MGU repair with intercept 2 where the gap adds only against the matrix's opposite sign (W_f = −12)", () => {
    // a review's (review151) repair of an MGU bound, offered as consistent: false at h = 1, n = −1, f = ½, W_f < −6
    const mgu = checkDerivation(loadDerivationFile('test/fixtures/models/mgu-opposed.yaml'));
    expect(mgu.map((r) => [r.id, r.verdict])).toEqual([
      ['m-full-intercept2', 'refuted'],
      ['m-full-half-true', 'consistent'],
    ]);
    const cx = mgu[0]!.counterexample!;
    expect(cx.lhs[0]).toBeCloseTo(MGU_NUMPY.lhs, 9);
    expect(cx.rhs[0]).toBeCloseTo(MGU_NUMPY.rhs, 9);
  });
});
