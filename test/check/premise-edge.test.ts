/**
 * A bound under a premise is often tightest at the premise's edge: `norm2(jac(h[T], h[T-1])) <= 1` given
 * `norm2(W) < 1.05` is false only for ‖W‖₂ in (1, 1.05), which the regimes' norms (0.5, 1, 1.5) and the search's cap
 * (12) never give, and the premise sampler reaches only on the instances it rescales (a review found three such claims
 * consistent). Beyond the regimes the search now evaluates each start at the premise's edge, and each construction
 * outside the premise at its edge instead of not at all (src/check/premise.ts premiseEdge, src/check/search.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { premiseEdge, premiseHolds } from '../../src/check/premise.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense } from '../../src/numeric/values.js';

const FILE = 'test/fixtures/models/premise-edge.yaml';
const derivation = loadDerivationFile(FILE);
const results = new Map(checkDerivation(derivation).map((r) => [r.id, r]));

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
    // test/fixtures/numpy/premise_edge.py on this counterexample's export: ‖W‖₂ = 1.0499997138977055 = ‖J‖₂ (max |h_T| =
    // 0: the drives at 0 and the states at 0, then W scaled to the premise's edge), J by finite differences to 2.5e-13
    expect(cx.lhs[0]! / 1.0499997138977055).toBeCloseTo(1, 12);
    expect(cx.rhs[0]).toBe(1);
  });

  it('leaves the true bounds at the edge consistent, and reaches their edge', () => {
    for (const id of ['jac-step-at-most-edge', 'norm-above-lower-edge']) {
      const r = results.get(id)!;
      expect(r.verdict, id).toBe('consistent');
      const beyond = evidenceOf(r.evidence, 'search')!.beyond!;
      expect(beyond.bestRatio!, id).toBeLessThanOrEqual(1);
      // within 2⁻¹⁸ of the edge (the bisection's last step)
      expect(beyond.bestRatio!, id).toBeGreaterThan(1 - 2 ** -18);
    }
  });

  it('moves an instance to the edge from either side, by scaling what the premise reads', () => {
    const file = parseDerivation(
      `gradproof: 1\nmodel:\n  sizes: { d: 3, m: 1, T: 3 }\n  symbols:\n    W: { role: parameter, shape: [d, d], init: recurrent }\n    U: { role: parameter, shape: [d, m] }\n    x: { role: input, shape: [m] }\n    h: { role: state, shape: [d] }\n  equations:\n    - h[t] = tanh(W*h[t-1] + U*x[t])\n  loss: L = sum(h[T])\nclaims:\n  - id: c\n    claim: norm2(W) <= 1\n    given: norm2(W) < 1.05\n`,
      'edge.yaml',
    );
    const premise = file.claims[0]!.given!;
    const norm = premise.conditions[0]!.lhs; // norm2(W)
    const normOf = (e: { evaluator: Evaluator; instance: { sizes: Record<string, number> } }) =>
      asDense(e.evaluator.evaluate(norm, e.instance.sizes)).data[0]!;
    // regime 0 (‖W‖ = 0.5, inside) and regime 2 (‖W‖ = 1.5, outside)
    for (const j of [0, 2]) {
      const instance = buildInstance(
        file.model,
        instanceSpec(file.model, 20261206, j, undefined, { d: 3, m: 1, T: 3 }),
      );
      const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
      const moved = premiseEdge(entry, premise, file.model)!;
      expect(premiseHolds(moved, premise)).toBe(true);
      expect(normOf(moved)).toBeGreaterThan(1.05 * (1 - 2 ** -18));
      expect(normOf(moved)).toBeLessThan(1.05);
    }
  });
});
