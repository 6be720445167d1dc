/**
 * The regimes' recurrent matrices have exactly the regime's spectral norm: a power iteration scaled them, and its
 * stall left their norms 2e-9 to 8e-7 above it, so `norm2(W) <= 1` in the near-critical regime (norm 1) was refuted
 * (worst excess 9.2e-9) and `norm2(W) <= 1.5` up to the expanding one (8.1e-7): false alarms on true claims.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';

const file = (claims: string) =>
  parseDerivation(
    modelFile({
      title: 'regime norms',
      sizes: 'd: 2..16, m: 1..2, T: 3..5',
      symbols: ['W', 'U', 'b', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
      claims,
    }),
    'regime-norms.yaml',
  );

describe("a claim tight at a regime's spectral norm", () => {
  it('holds at every instance of the regimes it names, and one just inside them is refuted', () => {
    const results = checkDerivation(
      file(`  - id: le-1
    claim: norm2(W) <= 1
    regimes: [contracting, near-critical]
  - id: le-1.5
    claim: norm2(W) <= 1.5
    regimes: [contracting, near-critical, expanding]
  - id: ge-1
    claim: norm2(W) >= 1
    regimes: [near-critical, expanding]
  - id: le-just-under-1
    claim: norm2(W) <= 0.999999
    regimes: [contracting, near-critical]
`),
      { instances: 20 },
    );
    expect(results.map((r) => r.verdict)).toEqual(['consistent', 'consistent', 'consistent', 'refuted']);
    for (const r of results.slice(0, 3)) {
      const reference = r.evidence.find((e) => e.kind === 'reference');
      expect(reference?.kind === 'reference' && reference.worstRelError).toBeLessThan(1e-13);
    }
  });
});
