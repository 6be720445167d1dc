/**
 * A claim refuted by the adversarial search alone reported the worst relative error of its random points — 0, or
 * 6.7e-16 — beside `refuted` (a review's): the counterexample counts as one of its points.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';

describe("a refuted claim's worst error", () => {
  it("is its counterexample's where the search found it", () => {
    const file = modelFile({
      sizes: 'd: 2..4, m: 1..2, T: 3..6',
      symbols: ['W', 'U', 'b', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
      loss: 'L = sum(h[T])',
      claims: '  - id: rho\n    claim: rho(jac(h[T], h[T-k])) <= rho(W)^k\n    forall: k in 1..T\n',
    });
    const [r] = checkDerivation(parseDerivation(file, 'rho.yaml'));
    expect(r!.verdict).toBe('refuted');
    // every random point holds (ρ(diag(1 − h²)W) ≤ ρ(W) on the regimes' draws), the search's point does not
    expect(evidenceOf(r!.evidence, 'reference')!.worstRelError).toBeLessThanOrEqual(1e-15);
    expect(r!.counterexample!.searchSteps).toBeGreaterThan(0);
    expect(r!.relError).toBe(r!.counterexample!.relError);
    expect(r!.relError).toBeGreaterThan(0.1);
  });
});

describe('how tight a bound came', () => {
  it('is a ratio only against a positive larger side: none against 0 or a negative one (was "Infinity")', () => {
    const file = modelFile({
      sizes: 'd: 2..3, m: 1, T: 3..4',
      symbols: ['W', 'U', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t])'],
      loss: 'L = sum(h[T])',
      claims:
        '  - id: logs\n    claim: log(norm2(jac(h[T], h[T-k]))) <= k * log(norm2(W))\n    forall: k in 1..T\n' +
        '  - id: negative\n    claim: -1 - norm2(h[T]) <= -1\n',
    });
    const [logs, negative] = checkDerivation(parseDerivation(file, 'tight.yaml'), {
      instances: 2,
      search: 20,
      beyond: 0,
    });
    for (const r of [logs!, negative!]) {
      const search = evidenceOf(r.evidence, 'search');
      const ratios = [evidenceOf(r.evidence, 'reference')?.tightness, search?.bestRatio];
      for (const x of ratios) if (x !== undefined && x !== null) expect(Number.isFinite(x), r.id).toBe(true);
    }
  });
});
