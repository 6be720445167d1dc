/**
 * Two sides exactly 0 in float64 agree whatever the claim says when their
 * values underflowed all the way (1e-300 · 1e-300 is 0 without passing
 * through the subnormals): such points are decided again with an unbounded
 * exponent, and exact forms refuse coefficients float64 cannot hold.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { cconst, cmul, cadd } from '../../src/symbolic/cpoly.js';
import { SymbolicUnsupported } from '../../src/symbolic/unsupported.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
/** One claim checked on the lab's RNN: its result and its count of compared points. */
function checkOne(claim: string, instances: number, forall = '') {
  const yaml = `  - id: c\n    claim: ${claim}\n${forall && `    forall: ${forall}\n`}`;
  const file = parseDerivation(`${lab.slice(0, lab.indexOf('claims:'))}claims:\n${yaml}`, 'zero.yaml');
  const [r] = checkDerivation(file, { instances });
  return { r: r!, points: evidenceOf(r!.evidence, 'reference')!.points };
}

describe('sides that underflow to exactly 0', () => {
  it('a claim false by a factor of 2 whose sides underflow to 0 is refuted, not consistent', () => {
    const { r, points } = checkOne('1e-300 * (1e-300 * grad(L, h[T])) = 2e-300 * (1e-300 * grad(L, h[T]))', 4);
    expect(r.verdict).toBe('refuted');
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    expect(points).toBeGreaterThan(0);
    expect(ext.fromZero).toEqual({ agree: 0, violate: points });
    expect(ext.wideFloat).toBe(points);
    // the true ratio of the sides: 1/2, shown from the extended values
    expect(r.counterexample!.relError).toBeCloseTo(0.5, 12);
    // the exact forms refuse the underflowed coefficient instead of calling the sides identical
    const symbolic = evidenceOf(r.evidence, 'symbolic')!;
    expect(symbolic.outcome.status).not.toBe('identical');
    expect(JSON.stringify(symbolic.outcome)).toContain('underflowed to 0');
  });

  it('the same claim with equal factors agrees in extended precision (not an alarm)', () => {
    const { r, points } = checkOne('1e-300 * (1e-300 * grad(L, h[T])) = 1e-300 * (1e-300 * grad(L, h[T]))', 4);
    // consistent, not verified: the exact forms refuse the underflowed coefficient (test below)
    expect(r.verdict).toBe('consistent');
    expect(evidenceOf(r.evidence, 'extended-precision')!.fromZero).toEqual({ agree: points, violate: 0 });
  });

  it('exact zeros that are zeros agree: jac(h[t], x[t+1]) = 0 (h[t] does not read x[t+1])', () => {
    const { r, points } = checkOne('jac(h[t], x[t+1]) = 0', 2, 't in 1..T-1');
    expect(r.verdict).toBe('verified');
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    expect(ext.fromZero!.violate).toBe(0);
    expect(ext.fromZero!.agree).toBe(points);
  });

  it('a side that underflowed to 0 on the way, against a normal value, is not a refutation', () => {
    // 1e-250 · (1e-250 · g) underflows to 0 before the factor 1e250 brings it back to 1e-250 · g.
    const lhs = '1e250 * (1e-250 * (1e-250 * grad(L, h[T])))';
    for (const claim of [`${lhs} = 1e-250 * grad(L, h[T])`, `norm2(${lhs}) >= norm2(1e-251 * grad(L, h[T]))`]) {
      const { r, points } = checkOne(claim, 4);
      // consistent, not verified: the exact forms refuse the out-of-range coefficients
      expect(r.verdict).toBe('consistent');
      const ext = evidenceOf(r.evidence, 'extended-precision')!;
      expect(ext.fromOneZero).toEqual({ agree: points, violate: 0 });
      expect(ext.wideFloat).toBe(points);
    }
  });

  it('the same with a real difference still refutes, from the extended values', () => {
    const { r, points } = checkOne('1e250 * (1e-250 * (1e-250 * grad(L, h[T]))) = 2e-250 * grad(L, h[T])', 4);
    expect(r.verdict).toBe('refuted');
    expect(evidenceOf(r.evidence, 'extended-precision')!.fromOneZero).toEqual({ agree: 0, violate: points });
    // ‖g − 2g‖ / ‖2g‖
    expect(r.counterexample!.relError).toBeCloseTo(0.5, 12);
    expect(r.counterexample!.extended).not.toBeNull();
  });

  it('a true zero against a nonzero value refutes: jac(h[t], x[t]) = 0 and norm2(h[T]) <= 0', () => {
    const jac = checkOne('jac(h[t], x[t]) = 0', 2, 't in 1..T');
    expect(jac.r.verdict).toBe('refuted');
    expect(jac.r.counterexample!.relError).toBe(1);
    const norm = checkOne('norm2(h[T]) <= 0', 2);
    expect(norm.r.verdict).toBe('refuted');
    expect(evidenceOf(norm.r.evidence, 'extended-precision')!.fromOneZero).toEqual({ agree: 0, violate: norm.points });
  });

  it('exact polynomials refuse a coefficient float64 cannot hold', () => {
    expect(() => cmul(cconst(1e-300), cconst(1e-300))).toThrow(SymbolicUnsupported);
    expect(() => cmul(cconst(1e-300), cconst(1e-10))).toThrow(/normal range/);
    expect(() => cmul(cconst(1e300), cconst(1e300))).toThrow(SymbolicUnsupported);
    expect(() => cadd(cconst(1.7e308), cconst(1.7e308))).toThrow(SymbolicUnsupported);
    expect(cmul(cconst(1e-150), cconst(1e-150)).get(cconst(1).keys().next().value!)).toBeCloseTo(1e-300, 310);
  });
});

describe('a derivative that nothing flows into, inside an extended-precision look', () => {
  it('is a zero of its own shape: ∇ of an earlier error w.r.t. a later state, between matrices', () => {
    // Both sides exactly 0 send every point to the extended look, which replaces grad(epsh[t-1], h[t]) by
    // its closed form: a scalar 0 there made d×d · 0 · x[t]ᵀ a shape error (and the check end in a crash).
    const post = readFileSync('derivations/why-lstm-works-2018.yaml', 'utf8');
    const claim = "jac(h[t], h[t-1])' * grad(epsh[t-1], h[t]) * x[t]' = zeros(d, n)";
    const yaml = `${post.slice(0, post.indexOf('\nclaims:'))}\nclaims:\n  - id: c\n    claim: ${claim}\n    forall: t in 2..T\n`;
    const [r] = checkDerivation(parseDerivation(yaml, 'later.yaml'), { instances: 2 });
    expect(r!.verdict).toBe('verified');
    const points = evidenceOf(r!.evidence, 'reference')!.points;
    expect(evidenceOf(r!.evidence, 'extended-precision')!.fromZero).toEqual({ agree: points, violate: 0 });
  });
});
