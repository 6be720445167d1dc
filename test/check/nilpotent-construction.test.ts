/**
 * A construction the search tries from every start (src/numeric/adversarial.ts `nilpotent`): each recurrent matrix
 * made rank one and nilpotent (u wᵀ, w ⊥ u), so ‖Wᵏ‖ = 0 from k = 2 while products of Jacobians through it are not 0.
 * A review's repair, ‖∂h_t/∂h_k‖_max ≤ ‖W^{t−k}‖₂, was `consistent` on every random instance and offered as holding;
 * numpy finds it false at W = [[½, ½], [−½, −½]] (W² = 0, ∂h₂/∂h₀ has max |entry| 0.19).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { exportCounterexample } from '../../src/check/export-instance.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { frobenius, mat, matMul } from '../../src/numeric/linalg.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const derivation = parseDerivation(
  `${lab.slice(0, lab.indexOf('claims:'))}claims:
  - id: max-norm-by-power
    claim: normMax(jac(h[t], h[k])) <= norm2(W^(t - k))
    forall: t in 1..T, k in 0..t-1
`,
  'nilpotent-construction.yaml',
);

describe('the nilpotent construction', () => {
  it.each([20261120, 7, 13])(
    'refutes a bound through ‖W^(t−k)‖ that only a nilpotent W breaks (master seed %i)',
    (masterSeed) => {
      const [r] = checkDerivation(derivation, { masterSeed });
      expect(r!.verdict).toBe('refuted');
      expect(evidenceOf(r!.evidence, 'search')).toMatchObject({ found: true });
      const cx = r!.counterexample!;
      expect(cx.bindings.t! - cx.bindings.k!).toBeGreaterThanOrEqual(2);
      // the counterexample's W is nilpotent: W² = 0 to rounding, the right side 0
      const { values, shape } = exportCounterexample(derivation, r!, cx).parameters.W!;
      const W = mat(shape[0], shape[1], Float64Array.from(values.flat()));
      expect(frobenius(matMul(W, W))).toBeLessThan(1e-12 * frobenius(W) ** 2);
      expect(cx.rhs[0]!).toBeLessThan(1e-12);
      expect(cx.lhs[0]!).toBeGreaterThan(1e-6);
    },
  );
});
