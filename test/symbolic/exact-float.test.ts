/**
 * Constant arithmetic that never rounds silently (src/symbolic/exact-float.ts), and the bound prover, whose
 * equal normal forms prove a bound, refusing constants float64 rounded: (1 + 1e-17)·x is not x.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { exactPower, exactQuotient, productRounds, sumRounds } from '../../src/symbolic/exact-float.js';
import { cadd, cconst, cmul, cpolyKey, csym, POLY_RING, withExactCoefficients } from '../../src/symbolic/cpoly.js';

/** A finite double exactly, as an integer multiple of 2^-1074 (the subnormals' spacing). */
function exact(x: number): bigint {
  let [m, k] = [x, 0];
  while (!Number.isInteger(m)) {
    m *= 2;
    k++;
  }
  return BigInt(m) << BigInt(1074 - k);
}

const refuse = (what: string): never => {
  throw new Error(what);
};
// doubles of every magnitude the coefficients meet, and small integers and dyadic fractions that combine exactly
const doubles = fc.oneof(
  fc.double({ min: -1e30, max: 1e30, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -4096, max: 4096 }).map((n) => n / 64),
  // integers, where a fast path answers: near 2^53 a sum or product of them rounds
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.double({ min: 2 ** 51, max: 2 ** 55, noNaN: true }).map((x) => Math.round(x) * (x > 2 ** 53 ? 1 : -1)),
);

describe('error-free float64 operations', () => {
  it('a sum rounds exactly when the exact sum of the two doubles is not the double computed', () => {
    fc.assert(
      fc.property(doubles, doubles, (a, b) => {
        expect(sumRounds(a, b)).toBe(exact(a) + exact(b) !== exact(a + b));
      }),
      { seed: 20261202, numRuns: 2000 },
    );
  });

  it('a product rounds exactly when the exact product of the two doubles is not the double computed', () => {
    const moderate = fc.oneof(
      fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -4096, max: 4096 }).map((n) => n / 64),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
    );
    fc.assert(
      fc.property(moderate, moderate, (a, b) => {
        const p = a * b;
        if (p !== 0 && Math.abs(p) < 2 ** -1000) return; // the scaled exact product below needs headroom
        expect(productRounds(a, b)).toBe(exact(a) * exact(b) !== exact(p) << 1074n);
      }),
      { seed: 20261202, numRuns: 2000 },
    );
  });

  it('known cases: 0.1 + 0.2 rounds, 1 + 1e-17 rounds, 0.5 + 0.25 does not; 1/4 is exact, 1/3 is not', () => {
    expect(sumRounds(0.1, 0.2)).toBe(true);
    expect(sumRounds(1, 1e-17)).toBe(true);
    expect(sumRounds(0.5, 0.25)).toBe(false);
    expect(productRounds(0.1, 3)).toBe(true);
    expect(productRounds(0.75, 4)).toBe(false);
    expect(exactQuotient(1, 4, refuse)).toBe(0.25);
    expect(() => exactQuotient(1, 3, refuse)).toThrow('1 / 3');
    expect(exactPower(0.5, 3, refuse)).toBe(0.125);
    expect(exactPower(-1, 1e9 + 1, refuse)).toBe(-1);
    expect(() => exactPower(0.1, 2, refuse)).toThrow();
    expect(() => exactPower(2, 0.5, refuse)).toThrow();
  });

  it('polynomial coefficients: exact where asked, as float64 computes them otherwise', () => {
    expect(cadd(cconst(1), cconst(1e-17)).get(cconst(1).keys().next().value!)).toBe(1);
    expect(() => withExactCoefficients(refuse, () => cadd(cconst(1), cconst(1e-17)))).toThrow('1 + 1e-17');
    expect(() => withExactCoefficients(refuse, () => cmul(cconst(0.1), cconst(3)))).toThrow('0.1 · 3');
    // a division by a constant float64 cannot invert exactly keeps 1/3 as an atom: x/3 is x/3, not 0.333…·x
    expect(cpolyKey(withExactCoefficients(refuse, () => POLY_RING.div(cconst(1), cconst(3)))!)).toBe(
      cpolyKey(csym('1/3')),
    );
    expect(withExactCoefficients(refuse, () => constant(POLY_RING.div(cconst(1), cconst(4))!))).toBe(0.25);
    expect(withExactCoefficients(refuse, () => constant(cmul(cconst(0.5), cconst(0.25))))).toBe(0.125);
    // and the mode ends with the computation, even when it throws
    expect(constant(cadd(cconst(0.1), cconst(0.2)))).toBe(0.30000000000000004);
  });
});

const constant = (p: Map<unknown, number>) => [...p.values()][0];

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const check = (claim: string) =>
  checkDerivation(
    parseDerivation(`${lab.slice(0, lab.indexOf('claims:'))}claims:\n  - id: c\n    claim: ${claim}\n`, 'exact.yaml'),
    {
      instances: 4,
    },
  )[0]!;

describe('the bound prover and constants float64 rounds', () => {
  it('does not prove ‖(1 + 1e-17)·g‖ ≤ ‖g‖ (false: the left side is larger by 1e-17 of it)', () => {
    const r = check('norm2((1 + 1e-17) * grad(L, h[T])) <= norm2(grad(L, h[T]))');
    expect(evidenceOf(r.evidence, 'bound-proof')!.ok).toBe(false);
    // within the tolerance numerically, so consistent — not proved
    expect(r.verdict).toBe('consistent');
  });

  it('refutes ‖h‖·((1 + 1e-17) − σ(30)) ≤ ‖h‖·(1 − σ(30)) instead of proving it', () => {
    // the left side is larger by 1e-17 / (1 − σ(30)) = 1.0685e-4 of it; float64 sees both sides equal
    const r = check('norm2(h[T]) * ((1 + 1e-17) - sigma(30)) <= norm2(h[T]) * (1 - sigma(30))');
    expect(evidenceOf(r.evidence, 'bound-proof')!.ok).toBe(false);
    expect(r.verdict).toBe('refuted');
    expect(r.counterexample!.relError).toBeCloseTo(1.0685333e-4, 10);
  });

  it('still proves bounds whose constants combine exactly', () => {
    const r = check('norm2((1 + 0.5) * grad(L, h[T])) <= norm2(1.5 * grad(L, h[T]))');
    expect(evidenceOf(r.evidence, 'bound-proof')!.ok).toBe(true);
    expect(r.verdict).toBe('proved');
  });
});
