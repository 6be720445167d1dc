/**
 * A proved bound at an exact 0 (`norm2(J - closed form) <= 0`, `normF(W - W) <= 0`): float64 compares 0 with 0, which
 * may be an underflow, and extended precision finds the difference to be what cancellation left — the points are
 * numeric trouble, as an identity's `lhs - rhs = 0` is. Identical closed forms decide those points for an equality
 * (src/check/verdict.ts); a chain of checked rules proving the bound now decides them as well, and the claim is proved
 * (it was unverifiable: "no point could be compared"). False bounds beside them stay refuted (a difference of 1e-30 is
 * no rounding residue in 40-digit decimals), and a strict one (0 < 0, false; from LaTeX input) is never proved.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { decideVerdict } from '../../src/check/verdict.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';

const FILE = 'test/fixtures/models/exact-zero-bounds.yaml';

describe('a proof decides the rounding residues of a bound at an exact 0', () => {
  const results = new Map(checkDerivation(loadDerivationFile(FILE)).map((r) => [r.id, r]));

  it('gives each claim its verdict', () => {
    expect([...results.values()].map((r) => [r.id, r.verdict])).toEqual([
      ['step-diff-norm', 'proved'],
      ['normF-zero', 'proved'],
      ['step-diff-norm-transposed-false', 'refuted'],
      ['step-diff-norm-tiny-false', 'refuted'],
    ]);
  });

  it('counts the points the proof decides, all of them troubled, and says so', () => {
    const r = results.get('step-diff-norm')!;
    const reference = evidenceOf(r.evidence, 'reference')!;
    expect(reference).toMatchObject({ points: 94, agreed: 0, troubled: 94 });
    const proof = evidenceOf(r.evidence, 'bound-proof')!;
    expect(proof.ok).toBe(true);
    expect(proof.roundingResiduesDecided).toBe(94);
    expect(evidenceSummary(proof)).toBe(
      "proved for every t, d and T: closed-form → norm-zero; it decides the 94 points float64 could not compare, where extended precision found the sides' difference to be what cancellation left (exact zeros less rounding)",
    );
    // W − W is [0, 0] in the enclosures (an exact difference stays exact): its 20 points agree without the proof
    const normF = results.get('normF-zero')!;
    expect(evidenceOf(normF.evidence, 'reference')).toMatchObject({ points: 20, agreed: 20 });
    expect(evidenceOf(normF.evidence, 'bound-proof')!.roundingResiduesDecided).toBeUndefined();
  });

  it('decideVerdict: a proof counts its residues with the agreements; a failed proof or a strict claim does not', () => {
    const reference = { kind: 'reference', points: 10, agreed: 0, violated: 0, troubled: 10 };
    const proof = { kind: 'bound-proof', ok: true, roundingResiduesDecided: 10 };
    expect(decideVerdict([reference, proof] as never)).toEqual({ verdict: 'proved', reason: null });
    expect(decideVerdict([reference, { ...proof, ok: false }] as never).verdict).toBe('unverifiable');
    expect(decideVerdict([reference, { ...proof, roundingResiduesDecided: 4 }] as never).reason).toMatchObject({
      why: 'trouble-dominates',
    });
    const strict = { kind: 'strict', relation: '<', ties: 0, points: 10, tolerance: 1e-9, closest: 0 };
    expect(decideVerdict([reference, proof, strict] as never).verdict).toBe('unverifiable');
  });
});
