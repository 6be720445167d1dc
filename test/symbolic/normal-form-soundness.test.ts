/**
 * Two unsound steps of the bound prover's normal forms, found by a review (each false claim confirmed with fractions
 * and mpmath at 50 digits): a matrix divided by a constant took the constant's rounded reciprocal, and a scalar
 * product of a row and a column was taken apart into commuting leaves. Both let the prover "prove" false claims;
 * where the violation is under the tolerance the verdict was `proved`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { SymbolicModel } from '../../src/symbolic/derive.js';
import { proveBound } from '../../src/symbolic/bounds/prove.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const CLAIMS: readonly [id: string, claim: string, forall?: string][] = [
  // 1.9999999999999996 < 1.9999999999999998, and 1/each is the same float64 (0.5000000000000001)
  ['div-ulp', 'norm2(W / 1.9999999999999996) <= norm2(W / 1.9999999999999998)'],
  [
    'div-ulp-prod',
    'norm2(prod(i, 1, k, W / 1.9999999999999996)) <= norm2(prod(i, 1, k, W / 1.9999999999999998))',
    'k in 1..T',
  ],
  ['div-ulp-zero', 'normF(W / 1.9999999999999996 - W / 1.9999999999999998) <= normF(W - W)'],
  // exact quotients still prove
  ['div-exact', 'norm2(W / 2 + W / 2) <= norm2(W)'],
  // the reversed Cauchy–Schwarz inequality: false unless h[T] and c are parallel
  ['cs-reversed', "(h[T]' * h[T]) * (c' * c) <= (h[T]' * c) * (c' * h[T])"],
  // the same, false by 1.7 in 1e15: under the tolerance
  ['cs-reversed-offset', "(h[T]' * h[T]) * (c' * c) + 1e15 <= (h[T]' * c) * (c' * h[T]) + 1e15"],
  // scalars still commute
  ['scalar-commute', '(sum(c) * sum(h[T])) * sum(b) <= sum(b) * (sum(h[T]) * sum(c))'],
];
const derivation = parseDerivation(
  `${lab.slice(0, lab.indexOf('claims:'))}claims:\n${CLAIMS.map(
    ([id, claim, forall]) => `  - id: ${id}\n    claim: "${claim}"\n${forall ? `    forall: ${forall}\n` : ''}`,
  ).join('')}`,
  'normal-form-soundness.yaml',
);
const symbolic = new SymbolicModel(derivation.model);
const proof = (id: string) =>
  proveBound(
    derivation,
    derivation.claims.find((c) => c.id === id)!,
    symbolic,
  )!;

describe("the bound prover's normal forms do not prove what is false", () => {
  it.each(['div-ulp', 'div-ulp-prod', 'div-ulp-zero', 'cs-reversed', 'cs-reversed-offset'])(
    '%s is not proved',
    (id) => {
      const p = proof(id);
      expect(p.ok).toBe(false);
      expect(p.failure).not.toBeNull();
    },
  );

  it.each(['div-exact', 'scalar-commute'])('%s (true, exact) is still proved', (id) => {
    expect(proof(id).ok).toBe(true);
  });

  it('the verdicts: refuted where the numbers see the violation, consistent under the tolerance, never proved', () => {
    const verdicts = Object.fromEntries(
      checkDerivation(derivation, { search: 0 }).map((r) => [r.id, r.verdict] as const),
    );
    expect(verdicts).toEqual({
      'div-ulp': 'consistent',
      'div-ulp-prod': 'consistent',
      'div-ulp-zero': 'refuted',
      'div-exact': 'proved',
      'cs-reversed': 'refuted',
      'cs-reversed-offset': 'consistent',
      'scalar-commute': 'proved',
    });
  });
});
