/**
 * A violation float64 finds but nothing can decide again (within reach of digits lost on the way, or against an
 * exact 0 that may be an underflow) is trouble, not a refutation. It must not be outvoted by agreements elsewhere:
 * the claim may be false exactly there. Before, the false bound below was `consistent` (5920 agreements, 80 points
 * of trouble), found by an independent review.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { decideVerdict } from '../../src/check/verdict.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { reasonText } from '../../src/emit/evidence-text.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
// the lab's RNN with a user function 1 − tanh(x): 0 in float64 at x = 40 (3.6e-35), and no rule in extended precision
const model = lab
  .slice(0, lab.indexOf('claims:'))
  .replace('  loss:', '  functions:\n    f: { value: "1 - tanh(x)", derivative: "tanh(x)^2 - 1" }\n  loss:');

function check(claim: string, T: number) {
  const file = parseDerivation(
    `${model}claims:\n  - id: c\n    claim: ${claim}\n    forall: k in 1..T\n`,
    'undecided.yaml',
  );
  return checkDerivation(file, { sizeOverrides: { T }, search: 0 })[0]!;
}

describe('violations nothing could decide again', () => {
  it('make a false bound unverifiable, not consistent: agreements elsewhere do not outvote them', () => {
    expect(model).toContain('f: { value');
    // false at k = T by the factor T/(T − 1): within reach of the digits 1 − σ(30) loses (≈ 1.2e-3) at T = 300, and
    // the decimals cannot take f(40) (0 in float64, no rule), so those points are trouble
    const r = check(
      '(1 - sigma(30)) * k * norm2(h[T]) + f(40) * norm2(h[T]) <= (1 - sigma(30)) * (T - 1) * norm2(h[T])',
      300,
    );
    const ref = evidenceOf(r.evidence, 'reference')!;
    expect([ref.points, ref.agreed, ref.troubled, ref.undecidedViolations]).toEqual([6000, 5920, 80, 20]);
    expect(r.verdict).toBe('unverifiable');
    expect(r.reason).toMatchObject({ why: 'violations-undecided', violations: 20, points: 6000 });
  });

  it('leave a claim with no undecided violation as it was (the true bound, T in place of T − 1)', () => {
    const r = check(
      '(1 - sigma(30)) * k * norm2(h[T]) + f(40) * norm2(h[T]) <= (1 - sigma(30)) * (T + 1) * norm2(h[T])',
      300,
    );
    const ref = evidenceOf(r.evidence, 'reference')!;
    expect(ref.undecidedViolations).toBeUndefined();
    expect(r.verdict).toBe('consistent');
  });

  it('are one clause of the ladder where the numbers are all the evidence, and said in words', () => {
    const reference = {
      kind: 'reference',
      masterSeed: 1,
      instances: [],
      points: 10,
      agreed: 9,
      violated: 0,
      troubled: 1,
      compared: ['scalars'],
      worstRelError: 0,
      tolerance: 1e-9,
    } as const;
    expect(decideVerdict([reference as never]).verdict).toBe('consistent');
    expect(decideVerdict([{ ...reference, undecidedViolations: 1 } as never])).toEqual({
      verdict: 'unverifiable',
      reason: { why: 'violations-undecided', violations: 1, points: 10 },
    });
    // exact evidence is not contradicted by such a point: a checked rule chain, identical closed forms
    const undecided = { ...reference, undecidedViolations: 1 };
    expect(decideVerdict([undecided, { kind: 'bound-proof', ok: true }] as never).verdict).toBe('proved');
    expect(decideVerdict([undecided, { kind: 'symbolic', outcome: { status: 'identical' } }] as never).verdict).toBe(
      'verified',
    );
    expect(reasonText({ why: 'violations-undecided', violations: 1, points: 10 })).toBe(
      'float64 found the claim violated at 1 of 10 points and nothing could decide them again (digits lost on the way, or an exact 0 that may be an underflow): the agreements elsewhere do not outvote them',
    );
  });
});
