/**
 * Extended precision: points float64 cannot decide — overflow, underflow, a
 * violation within rounding distance of the tolerance — are decided again
 * with 40-digit decimals from the same instance.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const withClaims = (claims: string) =>
  parseDerivation(`${lab.slice(0, lab.indexOf('claims:'))}claims:\n${claims}`, 'extended.yaml');

describe('extended precision', () => {
  it('a violation visible only beyond float64 refutes: exp(100·k) ≤ 1e308 fails at k = 8 (exp(800) ≈ 2.7e347)', () => {
    const [r] = checkDerivation(
      withClaims('  - id: c\n    claim: exp(100*k) <= 1e308\n    forall: k in 1..8\n    expect: refuted\n'),
      { instances: 1 },
    );
    expect(r!.verdict).toBe('refuted');
    expect(r!.counterexample!.bindings).toEqual({ k: 8 });
    expect(r!.counterexample!.extended!.lhs[0]).toBe('2.72637e+347');
    expect(evidenceOf(r!.evidence, 'extended-precision')!.fromTrouble).toEqual({ agree: 0, violate: 4 });
  });

  it('a counterexample decided in extended precision is written with the digits that tell its sides apart', () => {
    // (1 + 1e-10)^100 = 1 + 1e-8 against 1: six digits showed lhs [1] rhs [1] (a review's)
    const [r] = checkDerivation(withClaims('  - id: c\n    claim: norm2((1.0000000001 * eye(d))^100) <= 1\n'), {
      instances: 1,
    });
    expect(r!.verdict).toBe('refuted');
    expect(r!.counterexample!.extended).toEqual({ lhs: ['1.00000001'], rhs: ['1'] });
    // where six digits tell them apart, six are written (the first test's 2.72637e+347)
  });

  it('a true identity whose values underflow in float64 is decided (agrees) in extended precision', () => {
    const [r] = checkDerivation(
      withClaims(
        "  - id: c\n    claim: 1e-300 * grad(L, h[T-k]) = 1e-300 * prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])\n    forall: k in 1..T\n    expect: verified\n",
      ),
      { instances: 1 },
    );
    expect(r!.verdict).toBe('verified');
    const ext = evidenceOf(r!.evidence, 'extended-precision')!;
    expect(ext.fromTrouble.violate).toBe(0);
    expect(ext.fromTrouble.agree).toBe(evidenceOf(r!.evidence, 'reference')!.points);
  });

  it('cancellation is not a refutation: the 2018 item corrected at seed 56 (relative error 1.1e-9 in float64) is verified', () => {
    const post = loadDerivationFile('derivations/why-lstm-works-2018.yaml');
    const [r] = checkDerivation(post, { claims: ['eq6-item-corrected'], masterSeed: 56 });
    expect(r!.verdict).toBe('verified');
    const ext = evidenceOf(r!.evidence, 'extended-precision')!;
    // the float evaluator saw the cancellation (two matrices of norm 1 whose difference is 8.6e-7), so the point is
    // counted as one within reach of the digits lost on the way, and decided again in decimals
    expect(ext.fromLostDigits!.agree).toBeGreaterThan(0);
    expect(ext.fromLostDigits!.violate).toBe(0);
    expect(ext.nearTolerance.violate).toBe(0);
  });

  it('a real difference near the tolerance still refutes in extended precision', () => {
    // 1 + 1e-8 against 1: a relative error of 1e-8, above the 1e-9 tolerance and within reach of rounding.
    const [r] = checkDerivation(
      withClaims('  - id: c\n    claim: sum(h[T]) * (1 + 1e-8) = sum(h[T])\n    expect: refuted\n'),
      { instances: 1 },
    );
    expect(r!.verdict).toBe('refuted');
    expect(evidenceOf(r!.evidence, 'extended-precision')!.nearTolerance.violate).toBeGreaterThan(0);
  });
});
