/**
 * A violation the decimals cannot decide, on an instance whose premise they cannot decide either (within the doubt of
 * the float64 values it rests on: ‖W‖ = 1 drawn under `norm2(W) <= 1`), is trouble but not counted against the claim
 * (src/check/extended-check.ts PREMISE_AT_EDGE): `log(norm2(W)) <= 0` given `norm2(W) <= 1`, true, was unverifiable on
 * every regime drawn at ‖W‖ = 1 (a review's, review150). A claim false off the edge is still refuted.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { PREMISE_AT_EDGE } from '../../src/check/extended-check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

describe('a non-strict premise at its edge', () => {
  const results = checkDerivation(loadDerivationFile('test/fixtures/models/premise-at-edge.yaml'));
  const result = (id: string) => results.find((r) => r.id === id)!;

  it('sets aside the undecided violations where the premise is undecided too, and says so', () => {
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['logW-true', 'consistent'],
      ['logJ-true', 'consistent'],
      ['logW-false', 'refuted'],
    ]);
    const trouble = evidenceOf(result('logW-true').evidence, 'trouble')!;
    const setAside = trouble.reasons.filter((r) => r.reason.endsWith(PREMISE_AT_EDGE));
    expect(setAside.map((r) => r.count)).toEqual([4]);
    expect(evidenceOf(result('logW-true').evidence, 'reference')!.undecidedViolations).toBeUndefined();
  });

  it('refutes log ‖W‖ ≤ −0.001 at an instance inside the premise (log 1 = 0 there)', () => {
    const cx = result('logW-false').counterexample!;
    expect(cx.lhs[0]).toBeGreaterThan(-0.001);
  });
});
