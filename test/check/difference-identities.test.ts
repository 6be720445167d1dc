/**
 * A true identity written `lhs - rhs = 0` is an exact 0 less rounding at every point: float64 cannot compare a
 * residue against an exact 0, and the decimals find the residue to be what cancellation left, so every point was
 * numeric trouble and the claims were `unverifiable` although the closed forms are identical at every size drawn
 * (a review's DZ01–06). Identical closed forms now decide such points at the sizes they reach; a difference that is
 * not a rounding residue (W for Wᵀ, a wrong time, a factor 1 + 1e-12) is still refuted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';

const results = new Map(
  checkDerivation(loadDerivationFile('test/fixtures/models/difference-identities.yaml')).map((r) => [r.id, r]),
);

describe('identities written as a difference against 0', () => {
  it.each([
    // 20 instances, one point each; 20 instances at T = 3..9, one point per lag (129 bindings in all)
    ['step-gradient', 20],
    ['two-step-jacobian', 20],
    ['eq1-every-lag', 129],
    ['step-jacobian', 129],
  ])('%s is verified: no point compared in float64, every one a rounding residue the identity decides', (id, n) => {
    const r = results.get(id)!;
    expect(r.verdict).toBe('verified');
    const reference = evidenceOf(r.evidence, 'reference')!;
    expect([reference.points, reference.agreed, reference.violated, reference.troubled]).toEqual([n, 0, 0, n]);
    expect(evidenceOf(r.evidence, 'symbolic')!.roundingResiduesDecided).toBe(n);
  });

  it.each(['step-gradient-W-for-WT', 'two-step-jacobian-wrong-time', 'step-jacobian-off-by-1e-12'])(
    '%s is refuted: its difference is no rounding residue',
    (id) => {
      const r = results.get(id)!;
      expect(r.verdict).toBe('refuted');
      expect(evidenceOf(r.evidence, 'symbolic')!.roundingResiduesDecided).toBeUndefined();
      expect(r.counterexample!.relError).toBe(1);
    },
  );
});

describe('rounding residues past the sizes the closed forms reach', () => {
  it('stay numeric trouble: the identity decides the 3 at d ≤ 5 and T ≤ 12, not the other 17', () => {
    // the zoo's residual RNN drawn at d = 2..12, T = 3..30 (as test/check/exact-sizes.test.ts does)
    const zoo = readFileSync('test/fixtures/zoo/residual-rnn.yaml', 'utf8');
    const derivation = parseDerivation(
      `${zoo.slice(0, zoo.indexOf('claims:')).replace('{ d: 2..4, m: 1..2, T: 3..6 }', '{ d: 2..12, m: 1..2, T: 3..30 }')}claims:\n  - id: c\n    claim: "grad(L, h[T-1]) - (eye(d) + W' * D(T)) * grad(L, h[T]) = 0"\n`,
      'difference-beyond.yaml',
    );
    const [r] = checkDerivation(derivation, { search: 0 });
    expect(evidenceOf(r!.evidence, 'symbolic')!.outcome.status).toBe('identical');
    expect(evidenceOf(r!.evidence, 'symbolic')!.roundingResiduesDecided).toBe(3);
    expect(r!.verdict).toBe('unverifiable');
    expect(r!.reason).toEqual({ why: 'trouble-dominates', troubled: 20, points: 20, agreed: 0 });
  });
});
