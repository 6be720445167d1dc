/**
 * Values the decimals take from float64 (a value of the float engine without a rule there, a spectral norm from
 * float64's SVD) carry how far they may lie from the value they stand for, and a point's decision accounts for it;
 * functions a file declares are evaluated through their bodies. Before, both known false refutations of the README
 * stood: float64's values were taken as exact there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { DECIMALS } from '../../src/symbolic/domains/extended.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const model = lab
  .slice(0, lab.indexOf('claims:'))
  .replace('  loss:', '  functions:\n    f: { value: "1 - tanh(x)", derivative: "tanh(x)^2 - 1" }\n  loss:');
const check = (claim: string, forall = '') =>
  checkDerivation(
    parseDerivation(
      `${model}claims:\n  - id: c\n    claim: ${claim}\n${forall ? `    forall: ${forall}\n` : ''}`,
      'd.yaml',
    ),
    {},
  )[0]!;

describe('the decimals carry the doubt of float64 values', () => {
  const ring = DECIMALS.plain;
  const { toNumber } = ring.ordered!;
  const doubt = (x: ReturnType<typeof ring.fromNumber>) => {
    const e = ring.doubtOf!(x);
    return e === null ? 0 : toNumber(e);
  };
  const delta = 2 ** -33;

  it('through sums, products, quotients and roots, as absolute bounds', () => {
    const [a, b] = [ring.fromInexact!(1.5, delta), ring.fromInexact!(1.5, delta)];
    expect(doubt(a)).toBe(1.5 * delta);
    // exact inputs carry none
    expect(ring.doubtOf!(ring.fromNumber(1.5))).toBeNull();
    // a difference cancelled to exactly 0 still bounds what it may be
    const d = ring.sub(a, b);
    expect(ring.isZero(d)).toBe(true);
    expect(doubt(d)).toBe(3 * delta);
    expect(doubt(ring.mul(d, ring.fromNumber(4)))).toBe(12 * delta);
    expect(doubt(ring.neg(a))).toBe(1.5 * delta);
    // |a|·db + |b|·da + da·db
    expect(doubt(ring.mul(a, b)) / (2 * 1.5 * 1.5 * delta)).toBeCloseTo(1, 9);
    // 1/a: (|1/a|·da) / (|a| − da)
    expect(doubt(ring.div(ring.one, a)!) / delta).toBeCloseTo(1 / 1.5, 8);
    // √4 known to ±0.04: min(0.04 / 2, √0.04)
    expect(doubt(ring.ordered!.sqrt(ring.fromInexact!(4, 0.01)))).toBeCloseTo(0.02, 15);
    // a quotient by a value that may be 0 is unbounded
    expect(doubt(ring.div(ring.one, ring.fromInexact!(1, 2))!)).toBe(Infinity);
  });

  it('a true bound whose two sides cancel to float64 rounding is no longer refuted (the spectral norms 1.9e-17 apart)', () => {
    const r = check('norm2(jac(h[T], h[T-k])) - norm2(W)^k <= 0', 'k in 1..T');
    expect(r.verdict).toBe('unverifiable');
    expect(r.reason).toMatchObject({ why: 'violations-undecided', searched: 27 });
    expect(r.counterexample).toBeNull();
  });

  it("a declared function's own cancellation is its body's, in decimals (f(14) = 1 − tanh(14), 8e-5 off in float64)", () => {
    const r = check('f(14) * norm2(h[T]) <= 2 * exp(-28) / (1 + exp(-28)) * norm2(h[T])');
    expect(r.verdict).toBe('consistent');
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    // every instance's point violates by 8e-5 in float64 (near the tolerance) and agrees in decimals
    expect(ext.nearTolerance).toEqual({ agree: 20, violate: 0 });
    // false by a factor 1.0001: refuted, in decimals too
    const twin = check('f(14) * norm2(h[T]) <= 0.9999 * 2 * exp(-28) / (1 + exp(-28)) * norm2(h[T])');
    expect(twin.verdict).toBe('refuted');
  });
});
