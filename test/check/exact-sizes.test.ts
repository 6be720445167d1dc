/**
 * Identical closed forms speak only for the sizes their exact check reached (T = 3..12, a size the claim names up to
 * 5). A review wrote a claim false only at d = 12 (a factor (d − 2)⋯(d − 11), 0 for every d ≤ 11): the numbers found
 * it at d = 12, yet the verdict was `unverifiable` ("one of the two engines is wrong") where it is simply false.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { decideVerdict } from '../../src/check/verdict.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';

// the zoo's residual RNN (test/fixtures/zoo/residual-rnn.yaml) with d up to 12 and T up to 30, and one claim
const zoo = readFileSync('test/fixtures/zoo/residual-rnn.yaml', 'utf8');
const residual = (claim: string) =>
  parseDerivation(
    `${zoo.slice(0, zoo.indexOf('claims:')).replace('{ d: 2..4, m: 1..2, T: 3..6 }', '{ d: 2..12, m: 1..2, T: 3..30 }')}claims:\n  - id: c\n    claim: "${claim}"\n`,
    'exact-sizes.yaml',
  );

const STEP = "grad(L, h[T-1]) = (eye(d) + W' * D(T)) * grad(L, h[T])";
const ZERO_BELOW_12 = '(d-2)*(d-3)*(d-4)*(d-5)*(d-6)*(d-7)*(d-8)*(d-9)*(d-10)*(d-11)';

describe('identical forms against violations at sizes their exact check did not reach', () => {
  it('a claim false only at d = 12 is refuted where the draws reach d = 12, the forms identical for d = 2..5', () => {
    const [r] = checkDerivation(residual(`${STEP} + ${ZERO_BELOW_12} * grad(L, h[T])`), { search: 0 });
    const symbolic = evidenceOf(r!.evidence, 'symbolic')!;
    expect(symbolic.outcome.status).toBe('identical');
    expect(symbolic.outcome.status === 'identical' && symbolic.outcome.sizes).toEqual([
      { name: 'd', lo: 2, hi: 5 },
      { name: 'T', lo: 3, hi: 12 },
    ]);
    const reference = evidenceOf(r!.evidence, 'reference')!;
    // every violation at d = 12 (the factor is 10! there): all past the exact check's d ≤ 5 (three drawn, four at
    // every largest size)
    expect(reference.violated).toBe(7);
    expect(symbolic.violationsBeyondItsSizes).toBe(7);
    expect(r!.counterexample!.sizes.d).toBe(12);
    expect(r!.verdict).toBe('refuted');
    expect(evidenceSummary(symbolic)).toMatch(
      /^identical for d = 2\.\.5, T = 3\.\.12, .*; the 7 violations lie at sizes past these, which the exact check does not reach$/,
    );
  });

  it('refuted under the seeds whose 20 uniform draws all missed d = 12 (the second round takes every largest size)', () => {
    for (const masterSeed of [1, 4, 6, 7]) {
      const [r] = checkDerivation(residual(`${STEP} + ${ZERO_BELOW_12} * grad(L, h[T])`), { search: 0, masterSeed });
      expect(r!.verdict, `seed ${masterSeed}`).toBe('refuted');
      expect(r!.counterexample!.sizes.d).toBe(12);
      const reference = evidenceOf(r!.evidence, 'reference')!;
      // instances 4..7 at d = 12, T = 30, m = 2
      expect(
        reference.instances.filter((i) => i.sizes.d === 12 && i.sizes.T === 30 && i.sizes.m === 2).map((i) => i.index),
      ).toEqual(expect.arrayContaining([4, 5, 6, 7]));
      expect(evidenceSummary(reference)).toMatch(
        / on 20 instances \(5 contracting, 5 near-critical, 5 expanding, 5 saturated\) at T = \d+\.\.30, d = \d+\.\.12, m = \d\.\.2$/,
      );
    }
  });

  it('the true step is verified, with no count of violations beside its identity', () => {
    const [r] = checkDerivation(residual(STEP), { search: 0 });
    expect(r!.verdict).toBe('verified');
    expect(evidenceOf(r!.evidence, 'symbolic')!.violationsBeyondItsSizes).toBeUndefined();
  });

  it('in the ladder: a violation inside the checked sizes still says one engine is wrong', () => {
    const reference = {
      kind: 'reference',
      masterSeed: 1,
      instances: [],
      points: 10,
      agreed: 8,
      violated: 2,
      troubled: 0,
      compared: ['full vectors'],
      worstRelError: 1,
      tolerance: 1e-9,
    } as const;
    const symbolic = {
      kind: 'symbolic',
      level: 'matrix',
      outcome: { status: 'identical', range: 'T = 3..12', sizes: [{ name: 'T', lo: 3, hi: 12 }], cases: 10 },
    } as const;
    expect(decideVerdict([reference, symbolic] as never)).toEqual({
      verdict: 'unverifiable',
      reason: { why: 'engines-disagree' },
    });
    expect(decideVerdict([reference, { ...symbolic, violationsBeyondItsSizes: 1 }] as never).verdict).toBe(
      'unverifiable',
    );
    expect(decideVerdict([reference, { ...symbolic, violationsBeyondItsSizes: 2 }] as never)).toEqual({
      verdict: 'refuted',
      reason: null,
    });
  });
});
