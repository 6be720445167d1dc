/**
 * An input a model reads outside every squashing activation reaches its states and Jacobians unsquashed: an SRU's
 * ∂c_T/∂c_{T−1} = diag(f + (c_{T−1} − W x_T) f (1 − f) v_f) grows with x_T while f stays at ½. Beyond the regimes, for a
 * bound on states or derivatives, the last step's such inputs go 100× and 10⁴× the edge of their box at the drives'
 * peak, the gates' input weights at 0 (src/numeric/adversarial.ts farOutConstructions, `ungatedInputs`). A review
 * (review154) found `norm2(jac(c[T], c[T-1])) <= 1 + 100*normMax(v_f)` consistent with --search 2000. The
 * counterexample's sides are recomputed from its export by test/fixtures/numpy/far_input_sru.py (closed form and central
 * differences).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { ungatedInputs } from '../../src/numeric/adversarial.js';
import NUMPY from '../fixtures/numpy/far-input-sru.json' with { type: 'json' };

const SRU = loadDerivationFile('test/fixtures/models/far-input-sru.yaml');

describe('an SRU’s input far out', () => {
  const [falseClaim, trueClaim] = checkDerivation(SRU);

  it('refutes the bound at numpy’s values, and leaves the true one consistent', () => {
    expect([falseClaim!.verdict, trueClaim!.verdict]).toEqual(['refuted', 'consistent']);
    const cx = falseClaim!.counterexample!;
    expect([cx.instance, cx.sizes]).toEqual([NUMPY.instance, NUMPY.sizes]);
    expect(cx.lhs[0]! / NUMPY.lhs).toBeCloseTo(1, 12);
    expect(cx.lhs[0]! / NUMPY.lhsFiniteDifferences).toBeCloseTo(1, 7);
    expect(cx.rhs[0]! / NUMPY.rhs).toBeCloseTo(1, 12);
  });

  it('says where it looked', () => {
    const search = evidenceOf(trueClaim!.evidence, 'search')!;
    expect(search.beyond!.farOut).toMatchObject({ lastInputs: ['x'], times: [100, 10000] });
    expect(evidenceSummary(search)).toContain(
      "at the peak with the gates' input weights 0, the last x also 100× and 10000× the edge of the box",
    );
  });
});

describe('ungatedInputs', () => {
  it('finds the inputs read outside every squashing activation, and only those', () => {
    expect([...ungatedInputs(SRU.model)]).toEqual(['x']);
    for (const file of ['derivations/lab-10-5-vanilla-rnn.yaml', 'derivations/lab-10-5-lstm.yaml'])
      expect([...ungatedInputs(loadDerivationFile(file).model)]).toEqual([]);
  });
});
