/**
 * A strict premise holds only where its sides are apart by more than float64's rounding (src/check/premise.ts
 * STRICT_MARGIN). A review's (review149) true `Σ_k ‖∂h_T/∂h_{T−k}‖ ≤ 1/(1 − ‖W‖)` given `‖W‖ < 1` came out unverifiable
 * at seed 2: instance 7, drawn saturated at ‖W‖ = 1, which float64's SVD puts a unit of roundoff below 1, passed the
 * premise as drawn, and the decimals could not tell 1 − ‖W‖ from 0. Now that instance is rescaled inside the premise.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const FILE = 'test/fixtures/models/strict-premise-edge.yaml';

describe('a strict premise at its edge', () => {
  it('keeps an instance float64 puts one unit of roundoff inside out of the premise, so the true bound is consistent', () => {
    const results = checkDerivation(loadDerivationFile(FILE), { masterSeed: 2 });
    const [truth, slip] = results;
    expect([truth!.verdict, slip!.verdict]).toEqual(['consistent', 'refuted']);
    const reference = evidenceOf(truth!.evidence, 'reference')!;
    expect([reference.points, reference.agreed, reference.troubled]).toEqual([20, 20, 0]);
    // instance 7 drawn at ‖W‖ = 1 is no longer taken as drawn: 15 of the 20 rescaled, not 13
    expect(evidenceOf(truth!.evidence, 'premise')).toMatchObject({
      slots: 20,
      satisfied: 20,
      draws: 20,
      asDrawn: 5,
      rescaled: 15,
    });
  });
});
