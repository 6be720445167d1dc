/**
 * `v .^ k` with k an integer index of the claim (`forall: k in 1..T`), or an integer expression of indices
 * (`k + 1`, `2*k`): review154 found `norm2(diag(u .^ k)) <= normMax(u)^k` refused ("'.^' needs a constant exponent").
 * At each binding the exponent is a number: float64 powers, the exact engines' powers (the symbolic identity below is
 * proved for every binding), LaTeX u^{k}. A model equation still needs a constant exponent.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { claimLatex } from '../../src/emit/claim-latex.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { rnnWith } from './model.js';

const text = rnnWith(`  - id: power-bound
    claim: norm2(diag(c .^ k)) <= normMax(c)^k
    forall: k in 1..T
  - id: power-bound-false
    claim: norm2(diag(c .^ k)) <= 0.9*normMax(c)^k
    forall: k in 1..T
  - id: power-identity
    claim: sum(c .^ (k + 1)) = sum(c .* c .^ k)
    forall: k in 0..T
  - id: even-power
    claim: normMax(h[T] .^ (2*k)) <= 1
    forall: k in 1..T
`);

describe('an entrywise power over an index', () => {
  const d = parseDerivation(text, 'powers.yaml');
  const results = new Map(checkDerivation(d).map((r) => [r.id, r]));

  it('checks each claim at every binding: the true ones hold, the false one fails by exactly 1 − 0.9', () => {
    expect([...results].map(([id, r]) => [id, r.verdict])).toEqual([
      ['power-bound', 'consistent'],
      ['power-bound-false', 'refuted'],
      ['power-identity', 'verified'],
      ['even-power', 'consistent'],
    ]);
    // ‖diag(c^k)‖₂ = max|c_i|^k: the excess of the false bound is 1 − 0.9 at every point, whatever k
    expect(results.get('power-bound-false')!.counterexample!.relError).toBeCloseTo(0.1, 12);
  });

  it('proves the identity in exact arithmetic at every binding', () => {
    const symbolic = evidenceOf(results.get('power-identity')!.evidence, 'symbolic')!;
    expect(symbolic.outcome).toMatchObject({ status: 'identical' });
  });

  it('writes the exponent as the claim does', () => {
    const latex = (id: string) =>
      claimLatex(
        d,
        d.claims.find((c) => c.id === id)!,
      );
    expect(latex('power-bound')).toBe(
      '\\left\\|\\operatorname{diag}\\left(c^{k}\\right)\\right\\|_{2} \\le \\left\\|c\\right\\|_{\\max}^{k}',
    );
    expect(latex('power-identity')).toBe(
      '\\operatorname{sum}\\left(c^{k + 1}\\right) = \\operatorname{sum}\\left(c \\odot c^{k}\\right)',
    );
  });

  it('refuses an exponent that is no integer, with its place', () => {
    const bad = rnnWith(`  - id: bad
    claim: norm2(diag(c .^ x[T])) <= 1
`);
    expect(() => parseDerivation(bad, 'bad.yaml')).toThrow(InputError);
    expect(() => parseDerivation(bad, 'bad.yaml')).toThrow(
      /bad\.yaml:\d+:\d+: '\.\^' needs a constant or an integer exponent \(expected v\.\^2, or v\.\^k for an integer index k\)/,
    );
  });
});
