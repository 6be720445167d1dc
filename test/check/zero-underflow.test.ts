/**
 * Two sides exactly 0 in float64 agree whatever the claim says when their
 * values underflowed all the way (1e-300 · 1e-300 is 0 without passing
 * through the subnormals): such points are decided again with an unbounded
 * exponent, and exact forms refuse coefficients float64 cannot hold.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import type { PointOutcome } from '../../src/check/compare.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { lookReason } from '../../src/check/extended-check.js';
import { lostPrecisionOf } from '../../src/numeric/lost-digits.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { cconst, cmul, cadd } from '../../src/symbolic/cpoly.js';
import { SymbolicUnsupported } from '../../src/symbolic/unsupported.js';
import { DECIMALS } from '../../src/symbolic/domains/extended.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
/** One claim checked on the lab's RNN: its result and its count of compared points. */
function checkOne(claim: string, instances: number, forall = '', sizeOverrides?: Record<string, number>) {
  const yaml = `  - id: c\n    claim: ${claim}\n${forall && `    forall: ${forall}\n`}`;
  const file = parseDerivation(`${lab.slice(0, lab.indexOf('claims:'))}claims:\n${yaml}`, 'zero.yaml');
  const [r] = checkDerivation(file, { instances, ...(sizeOverrides && { sizeOverrides }) });
  return { r: r!, points: evidenceOf(r!.evidence, 'reference')!.points };
}

/** The claim checked on the lab's RNN is unverifiable: every point is trouble, for `reason`. */
function expectTroubleEverywhere(claim: string, reason: string, forall = '', sizeOverrides?: Record<string, number>) {
  const { r, points } = checkOne(claim, 4, forall, sizeOverrides);
  expect(r.verdict, claim).toBe('unverifiable');
  const trouble = evidenceOf(r.evidence, 'trouble')!;
  expect(trouble.points, claim).toBe(points);
  expect(JSON.stringify(trouble), claim).toContain(reason);
}

/** The lab's RNN with an extra gate g[t] = σ(−1000 (h ⊙ h) − 1000): e^-1000 or less, exactly 0 in float64. */
function checkOnGate(claim: string, instances: number) {
  const model = lab
    .slice(0, lab.indexOf('claims:'))
    .replace(
      '    h: { role: state, shape: [d] }\n',
      '    h: { role: state, shape: [d] }\n    g: { role: intermediate, shape: [d] }\n',
    )
    .replace(
      '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n',
      '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n    - g[t] = sigma(-1000 * (h[t] .* h[t]) - 1000)\n',
    );
  expect(model).toContain('g[t] = sigma');
  const file = parseDerivation(`${model}claims:\n  - id: c\n    claim: ${claim}\n`, 'gate.yaml');
  const [r] = checkDerivation(file, { instances });
  return { r: r!, points: evidenceOf(r!.evidence, 'reference')!.points };
}

describe('float64 values extended precision starts from', () => {
  it('a sequence value float64 rounded to 0 is simulated again: g[T] = 2 g[T] is refuted, not consistent', () => {
    // Before: the wide floats took g[T] = 0 from the float engine's forward pass and agreed with 2 · 0.
    for (const [claim, relError] of [
      ['g[T] = 2 * g[T]', 0.5],
      ['g[T] = 0 * h[T]', 1],
    ] as const) {
      const { r, points } = checkOnGate(claim, 4);
      expect(r.verdict, claim).toBe('refuted');
      expect(evidenceOf(r.evidence, 'extended-precision')!.fromZero, claim).toEqual({ agree: 0, violate: points });
      expect(r.counterexample!.relError, claim).toBeCloseTo(relError, 12);
      // the extended values are e^-1000 or below, not 0
      const lhs = r.counterexample!.extended!.lhs;
      expect(
        lhs.some((x) => x !== '0' && !x.startsWith('-')),
        claim,
      ).toBe(true);
    }
    // a true claim about the same values still holds
    const same = checkOnGate('g[T] .* h[T] = h[T] .* g[T]', 4);
    expect(same.r.verdict).toBe('verified');
    expect(evidenceOf(same.r.evidence, 'extended-precision')!.fromZero).toEqual({ agree: same.points, violate: 0 });
  });

  it('an atom float64 gives as 0 without a rule in extended precision is trouble, not a value', () => {
    // sup |1e-600 tanh(x)| = 1e-600 is 0 in float64: read as 0, the true bound below was refuted
    expectTroubleEverywhere(
      'supabs(x, 1e-300 * (1e-300 * tanh(x))) * norm2(grad(L, h[T])) >= 1e-300 * (5e-301 * norm2(grad(L, h[T])))',
      'supabs is 0 in float64, which may be an underflow or a cancellation',
    );
  });

  /** The claim refuted at about `relError` (to `digits` places): its extended-precision evidence, and its points. */
  const refutedAt = (claim: string, relError: number, digits: number) => {
    const { r, points } = checkOne(claim, 4);
    expect(r.verdict, claim).toBe('refuted');
    expect(r.counterexample!.relError, claim).toBeCloseTo(relError, digits);
    return { ext: evidenceOf(r.evidence, 'extended-precision')!, points };
  };

  it('an agreement on an exact 0 that rounding made in 40-digit decimals is decided again with 64 digits', () => {
    // e^{1e-43} − 1 = 1e-43 is 0 in float64, in wide floats and in 40-digit decimals: each claim below is false.
    for (const [claim, relError] of [
      ['(1 + 1e-50) - 1 = 0 * norm2(h[T])', 1],
      ['(exp(1e-43) - 1) * norm2(h[T]) = 2 * ((exp(1e-43) - 1) * norm2(h[T]))', 0.5],
      ['(exp(1e-43) - 1) * norm2(h[T]) <= 0.5 * ((exp(1e-43) - 1) * norm2(h[T]))', 0.5],
    ] as const) {
      const { ext, points } = refutedAt(claim, relError, 6);
      expect(ext.deepDecimals, claim).toEqual({ digits: 64, points });
      expect(evidenceSummary(ext), claim).toContain('decided again with 64-digit decimals');
    }
    // beyond 64 digits (e^{1e-70} − 1) the 0 stays, and the false claim is still no more than unverifiable
    expectTroubleEverywhere(
      '(exp(1e-70) - 1) * norm2(h[T]) = 2 * ((exp(1e-70) - 1) * norm2(h[T]))',
      'an agreement on an exact 0 in 64-digit decimals',
    );
  });

  it('1 − σ(x) and 1 − tanh(x) near 0 are known in wide floats, from the complement of σ and tanh', () => {
    // 1 − σ(100) = 3.7e-44, 1 − tanh(60) = 1.5e-52 and 1 − σ(200) = 1.4e-87 are 0 in float64 and in 40-digit decimals
    // (the last in 64-digit ones too): each claim below is false, and each agreed on 0 = 0 (or 0 ≤ 1e-50) once.
    for (const [claim, relError] of [
      ['(1 - sigma(100)) * norm2(h[T]) = 2 * ((1 - sigma(100)) * norm2(h[T]))', 0.5],
      ['(1 - tanh(60)) * h[T] = 2 * ((1 - tanh(60)) * h[T])', 0.5],
      ['(1 - sigma(100)) * norm2(h[T]) <= 0.5 * ((1 - sigma(100)) * norm2(h[T]))', 0.5],
      ['(1 - sigma(200)) * norm2(h[T]) = 2 * ((1 - sigma(200)) * norm2(h[T]))', 0.5],
    ] as const) {
      const { ext, points } = refutedAt(claim, relError, 10);
      expect(ext.wideFloat, claim).toBe(points);
      expect(ext.deepDecimals, claim).toBeUndefined();
    }
    // 1 − σ(100) ≤ 1e-50: float64 agrees (0 ≤ 1e-50) with digits lost on the way, which the decimals take (64 digits)
    const bound = checkOne('(1 - sigma(100)) * norm2(h[T]) <= 1e-50 * norm2(h[T])', 4);
    expect(bound.r.verdict).toBe('refuted');
    expect(bound.r.counterexample!.relError).toBeCloseTo(1 - 1e-50 / 3.7200759760208e-44, 10);
    // where the decimals keep the digits too (1 − σ(50) = 1.9e-22), the same false claim is refuted from their values
    const kept = checkOne('(1 - sigma(50)) * norm2(h[T]) = 2 * ((1 - sigma(50)) * norm2(h[T]))', 4);
    expect(kept.r.verdict).toBe('refuted');
    expect(kept.r.counterexample!.relError).toBeCloseTo(0.5, 12);
    // a structural zero is still decided, by enclosures: jac(h[t], x[t+1]) = 0 (the test further down)
  });

  it('a true claim that rested on a 0 rounding made in 40 digits holds in 64; an exact cancellation still refutes', () => {
    // 1 − σ(100) is 0 in 40 digits: this true identity was refuted (relative error 1) until the 64-digit look
    const { r, points } = checkOne('(1 - sigma(100)) * norm2(h[T]) = exp(-100) / (1 + exp(-100)) * norm2(h[T])', 4);
    expect(r.verdict).toBe('consistent');
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    expect(ext.fromOneZero).toEqual({ agree: points, violate: 0 });
    expect(ext.deepDecimals).toEqual({ digits: 64, points });
    // x + |x| = 0 for x = −‖h_T‖ < 0 in any precision: a false claim about it is refuted in 64 digits as in 40
    const exact = checkOne('(0 - norm2(h[T]) + abs(0 - norm2(h[T]))) = 0.5 * norm2(h[T])', 4);
    expect(exact.r.verdict).toBe('refuted');
    expect(exact.r.counterexample!.relError).toBe(1);
    expect(evidenceOf(exact.r.evidence, 'extended-precision')!.deepDecimals).toEqual({ digits: 64, points });
    // and the true claim that it is 0 is unverifiable (an agreement on an exact 0 decides nothing), not refuted
    expectTroubleEverywhere(
      '(0 - norm2(h[T]) + abs(0 - norm2(h[T]))) = 0 * norm2(h[T])',
      'an agreement on an exact 0 in 64-digit decimals',
    );
  });

  it('agreements that stood on a sample of those decided again are trouble where the sample was not confirmed', () => {
    // 120 bindings per instance, all within reach of the digits 1 − σ(200) lost: 4 per instance are decided again at
    // T = 30, d = 12 (trouble: an exact 0 in 40 and in 64 digits); with σ(100) the others stood as agreements, and
    // the false claim passed, before the decimals had more digits to look with. (On the small instances every one
    // is decided again: each is trouble for its own reason.)
    expectTroubleEverywhere(
      '(1 - sigma(200 + 0 * norm2(h[t]))) * norm2(h[t]) <= 1e-90 * norm2(h[t])',
      'on an instance where those that lost the most were not confirmed',
      't in 1..T, k in 1..4',
      { T: 30, d: 12 },
    );
    expectTroubleEverywhere(
      '(1 - sigma(200 + 0 * norm2(h[t]))) * norm2(h[t]) <= 1e-90 * norm2(h[t])',
      'an agreement on an exact 0 in 64-digit decimals',
      't in 1..T, k in 1..4',
    );
    // with σ(100), the sample is refuted in 64 digits
    const { r } = checkOne(
      '(1 - sigma(100 + 0 * norm2(h[t]))) * norm2(h[t]) <= 1e-50 * norm2(h[t])',
      4,
      't in 1..T, k in 1..4',
    );
    expect(r.verdict).toBe('refuted');
  });

  it('a wide-float decision within reach of what their own sums cancelled goes to the decimals', () => {
    // Both sides underflow in float64 (1e-600 · …), so the wide floats look first; their e^{1e-9} − 1 keeps 23 of 53
    // bits (1 − σ(30) did too, until σ's complement), and this true identity would be refuted at 8e-8.
    const claim =
      '1e-300 * (1e-300 * (exp(1e-9) - 1)) * norm2(h[T]) = 1e-300 * (1e-300 * (1e-9 + 5e-19)) * norm2(h[T])';
    const { r, points } = checkOne(claim, 4);
    expect(r.verdict).toBe('consistent');
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    expect(ext.fromZero).toEqual({ agree: points, violate: 0 });
    expect(ext.wideFloat).toBeUndefined();
    expect(evidenceSummary(ext)).toContain('40-digit decimals');
  });

  it('a decision within reach of the digits cancellation left in the decimals is no decision', () => {
    // 1 − σ(89) = 2.2e-39 keeps one of 40 digits (the false bound below once agreed there) and 25 of 64
    for (const [claim, verdict] of [
      ['(1 - sigma(89)) * norm2(h[T]) <= 0.9 * exp(-89) * norm2(h[T])', 'refuted'],
      ['(1 - sigma(89)) * norm2(h[T]) <= 1.1 * exp(-89) * norm2(h[T])', 'consistent'],
    ] as const) {
      const { r, points } = checkOne(claim, 4);
      expect(r.verdict, claim).toBe(verdict);
      const ext = evidenceOf(r.evidence, 'extended-precision')!;
      expect(ext.fromLostDigits, claim).toEqual(
        verdict === 'refuted' ? { agree: 0, violate: points } : { agree: points, violate: 0 },
      );
      expect(ext.deepDecimals, claim).toEqual({ digits: 64, points });
    }
    // 1 − σ(145) = 1.1e-63 is 0 in 40 digits and keeps one of 64: neither bound is called more than unverifiable
    for (const claim of [
      '(1 - sigma(145)) * norm2(h[T]) <= 0.9 * exp(-145) * norm2(h[T])',
      '(1 - sigma(145)) * norm2(h[T]) <= 1.1 * exp(-145) * norm2(h[T])',
    ])
      expectTroubleEverywhere(claim, 'within reach of the digits cancellation left in the 64-digit decimals');
    // 1 − σ(40) = 4.2e-18 keeps 22 digits: decided, and the false bound refuted
    const kept = checkOne('(1 - sigma(40)) * norm2(h[T]) <= 0.9 * exp(-40) * norm2(h[T])', 4);
    expect(kept.r.verdict).toBe('refuted');
    expect(evidenceOf(kept.r.evidence, 'trouble')).toBeUndefined();
  });

  it('a unit derivative float64 gives as 0 is taken where the exact polynomial is 0: ∂h_c/∂W_ij, c ≠ i', () => {
    const index = readFileSync('derivations/understanding-lstms-2023-index-level.yaml', 'utf8');
    const yaml =
      '  - id: c\n    claim: d(h[1, c], W[i, j]) = delta(c, i) * dact(h[1, c]) * x[1, j]\n' +
      '    forall: c in 1..d, i in 1..d, j in 1..n\n    sizes: { d: 2..2, n: 1..1 }\n';
    const file = parseDerivation(`${index.slice(0, index.indexOf('claims:'))}claims:\n${yaml}`, 'index.yaml');
    const [r] = checkDerivation(file, { instances: 2 });
    expect(r!.verdict).toBe('verified');
    const points = evidenceOf(r!.evidence, 'reference')!.points;
    // 2 instances in each of the 4 regimes; d = 2, n = 1: 4 points each, the 2 with c ≠ i exactly 0 on both sides
    expect(points).toBe(32);
    const ext = evidenceOf(r!.evidence, 'extended-precision')!;
    expect(ext.fromZero).toEqual({ agree: 16, violate: 0 });
    // the polynomial's 0 is an exact enclosure: the intervals decide these points, not a rounding arithmetic
    expect(ext.intervals).toBe(16);
  });
});

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
    // the exact forms refuse the coefficient (1e-300 · 1e-300 rounds, then underflows) instead of calling the sides
    // identical, and the ℤ_p test, exact on doubles, finds them different
    const symbolic = evidenceOf(r.evidence, 'symbolic')!;
    expect(symbolic.outcome.status).not.toBe('identical');
    expect(JSON.stringify(symbolic.outcome)).toMatch(/underflowed to 0|cannot hold exactly \(1e-300 · 1e-300\)/);
    expect(JSON.stringify(symbolic.outcome)).toContain('"randomAgrees":false');
  });

  it('the same claim with equal factors agrees in extended precision (not an alarm)', () => {
    const { r, points } = checkOne('1e-300 * (1e-300 * grad(L, h[T])) = 1e-300 * (1e-300 * grad(L, h[T]))', 4);
    // consistent, not verified: the exact forms refuse the underflowed coefficient (test below)
    expect(r.verdict).toBe('consistent');
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    expect(ext.fromZero).toEqual({ agree: points, violate: 0 });
    // an underflowed 0 is never the exact [0, 0] of an interval: the enclosures leave these to the wide floats
    expect(ext.intervals).toBeUndefined();
    expect(ext.wideFloat).toBe(points);
  });

  it('exact zeros that are zeros agree: jac(h[t], x[t+1]) = 0 (h[t] does not read x[t+1])', () => {
    const { r, points } = checkOne('jac(h[t], x[t+1]) = 0', 2, 't in 1..T-1');
    expect(r.verdict).toBe('verified');
    const ext = evidenceOf(r.evidence, 'extended-precision')!;
    expect(ext.fromZero!.violate).toBe(0);
    expect(ext.fromZero!.agree).toBe(points);
    // structural zeros stay exactly [0, 0] in interval arithmetic: proved there, nothing else needed
    expect(ext.intervals).toBe(points);
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
      // a violation against an exact 0 goes straight to the decimals (the wide floats are undecided at almost
      // every such point): they decide every one here, and the evidence says so
      expect(ext.wideFloat).toBeUndefined();
      expect(ext.intervals).toBeUndefined();
      expect(evidenceSummary(ext)).toMatch(/\(\d+ agree, 0 violate\): decided again with 40-digit decimals/);
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

  it('a value that lost its digits in the subnormals and came back to the normal range is not a refutation', () => {
    // 1e-320 · g keeps about 10 bits; 1e220 brings it back to 1e-100 · g off by ≈ 2e-4 in float64.
    const lhs = '1e220 * (1e-320 * grad(L, h[T]))';
    for (const [claim, compared] of [
      [`${lhs} = 1e-100 * grad(L, h[T])`, 'points'],
      [`norm2(${lhs}) <= norm2(1e-100 * grad(L, h[T]))`, 'points'],
    ] as const) {
      const { r, points } = checkOne(claim, 4);
      expect(compared).toBe('points');
      expect(r.verdict).toBe('consistent');
      const ext = evidenceOf(r.evidence, 'extended-precision')!;
      expect(ext.fromLostDigits!.violate).toBe(0);
      // every point the float comparison saw violating was looked at again (the inequality's are those where
      // the lost digits happened to round the lhs up)
      expect(ext.fromLostDigits!.agree).toBeGreaterThan(0);
      expect(ext.fromLostDigits!.agree).toBeLessThanOrEqual(points);
    }
  });

  it('the same with a real factor 2 still refutes, from the extended values', () => {
    const { r, points } = checkOne('1e220 * (1e-320 * grad(L, h[T])) = 2e-100 * grad(L, h[T])', 4);
    expect(r.verdict).toBe('refuted');
    expect(evidenceOf(r.evidence, 'extended-precision')!.fromLostDigits).toEqual({ agree: 0, violate: points });
    // ‖g − 2g‖ / ‖2g‖, up to the literal 1e-320 itself, which float64 holds as 9.99988671826831e-321
    expect(r.counterexample!.relError).toBeCloseTo(0.5, 4);
    expect(r.counterexample!.extended).not.toBeNull();
  });

  it('a subnormal that keeps enough digits changes nothing; a real difference beyond the lost digits refutes', () => {
    // 1e-310 · g keeps ≈ 44 bits where |g| ≈ 1: within the tolerance 1e-9 of the true value
    const { r } = checkOne('1e200 * (1e-310 * grad(L, h[T])) = 1e-110 * grad(L, h[T])', 4);
    expect(r.verdict).toBe('consistent');
    const wrong = checkOne('1e200 * (1e-310 * grad(L, h[T])) = 1.5e-110 * grad(L, h[T])', 4);
    expect(wrong.r.verdict).toBe('refuted');
    expect(wrong.r.counterexample!.relError).toBeCloseTo(1 / 3, 6);
  });

  it('how far a violation is within reach of the lost digits: the near-tolerance margin, scaled by them', () => {
    const violation = (relError: number): PointOutcome => ({
      status: 'violate',
      relError,
      lhs: Float64Array.of(1),
      rhs: Float64Array.of(1 + relError),
      compared: 'scalars',
    });
    // float64's own rounding: within 1e-4 (or 100× the tolerance)
    expect(lookReason(violation(5e-5), 1e-9)).toBe('near-tolerance');
    expect(lookReason(violation(0.01), 1e-9)).toBeNull();
    // a value of 1e-310 on the way (relative precision 4.9e-14, ≈ 450× float64's): up to ≈ 0.045
    const p310 = lostPrecisionOf([1e-310]);
    expect(lookReason(violation(0.01), 1e-9, p310)).toBe('lost-digits');
    expect(lookReason(violation(0.3), 1e-9, p310)).toBeNull();
    // 1e-320 (precision 5e-4): any violation may be the lost digits'
    expect(lookReason(violation(0.9), 1e-9, lostPrecisionOf([1e-320]))).toBe('lost-digits');
    // an agreement is looked at when its margin below the tolerance is within 4× the digits lost on the way
    const agreement = (relError: number): PointOutcome => ({ ...violation(relError), status: 'agree' }) as PointOutcome;
    expect(lookReason(agreement(0), 1e-9, 1)).toBe('lost-digits');
    expect(lookReason(agreement(0), 1e-9, 2e-10)).toBeNull();
    expect(lookReason(agreement(5e-10), 1e-9, 2e-10)).toBe('lost-digits');
    expect(lookReason(agreement(-0.5), 1e-9, 1e-3)).toBeNull(); // a slack bound: excess −0.5
    expect(lookReason(agreement(0), 1e-9, 0)).toBeNull();
  });

  it('an agreement that cancellation faked is decided in decimals: (1 + 1e-17) − σ(30) is not 1 − σ(30)', () => {
    // 1 + 1e-17 rounds to 1, so float64 sees the two sides equal; they differ by 1e-17, which is
    // 1.0685333e-4 of the larger side, (1 + 1e-17) − σ(30) = 9.3586229688e-14 (mpmath, 50 digits).
    for (const claim of [
      '(1 + 1e-17) - sigma(30) = 1 - sigma(30)',
      'norm2(h[T]) * ((1 + 1e-17) - sigma(30)) <= norm2(h[T]) * (1 - sigma(30))',
    ]) {
      const { r, points } = checkOne(claim, 4);
      expect(r.verdict, claim).toBe('refuted');
      expect(evidenceOf(r.evidence, 'extended-precision')!.fromLostDigits, claim).toEqual({
        agree: 0,
        violate: points,
      });
      expect(r.counterexample!.relError, claim).toBeCloseTo(1.0685333e-4, 10);
    }
    // the true claim beside it holds: consistent, the ℤ_p test (which reads 1e-17 exactly) agreeing; not verified,
    // since 1 + 1e-17 rounds and the exact forms refuse it (on rounded forms the false claim above was identical too)
    const right = checkOne('(1 + 1e-17) - sigma(30) = 1e-17 + (1 - sigma(30))', 4);
    expect(right.r.verdict).toBe('consistent');
    expect(JSON.stringify(evidenceOf(right.r.evidence, 'symbolic')!.outcome)).toContain('"randomAgrees":true');
    expect(evidenceOf(right.r.evidence, 'extended-precision')!.fromLostDigits).toEqual({
      agree: right.points,
      violate: 0,
    });
  });

  it('an agreement within reach of lost digits that nothing can re-evaluate is trouble, not a pass', () => {
    const decimals = DECIMALS as { workLimit: number };
    const limit = decimals.workLimit;
    decimals.workLimit = 0;
    try {
      const { r, points } = checkOne('(1 + 1e-17) - sigma(30) = 1 - sigma(30)', 4);
      expect(r.verdict).toBe('unverifiable');
      expect(evidenceOf(r.evidence, 'trouble')!.points).toBe(points);
    } finally {
      decimals.workLimit = limit;
    }
  });

  it('a difference that cancels completely in float64 and in wide floats is decided in decimals', () => {
    // 1 − σ(40) is exactly 0 with a 53-bit mantissa (σ(40) rounds to 1); its value is 4.248e-18
    for (const claim of [
      '1 - sigma(40) = exp(-40) / (1 + exp(-40))',
      '(1 - sigma(40)) * norm2(h[T]) = exp(-40) / (1 + exp(-40)) * norm2(h[T])',
      '1 - tanh(20)^2 = 4 * exp(-40) / (1 + exp(-40))^2',
    ]) {
      const { r, points } = checkOne(claim, 4);
      expect(r.verdict, claim).toBe('consistent');
      const ext = evidenceOf(r.evidence, 'extended-precision')!;
      expect(ext.fromOneZero, claim).toEqual({ agree: points, violate: 0 });
      expect(ext.wideFloat ?? 0, claim).toBe(0);
    }
    const wrong = checkOne('1 - sigma(40) = 2 * exp(-40) / (1 + exp(-40))', 4);
    expect(wrong.r.verdict).toBe('refuted');
    expect(wrong.r.counterexample!.relError).toBeCloseTo(0.5, 12);
    expect(wrong.r.counterexample!.extended!.lhs[0]).toBe('4.24835e-18');
  });

  it('a difference that cancels most of its digits in float64 is decided in decimals, not refuted', () => {
    // 1 − σ(30) in float64 is off by 1e-3 of its value (σ(30) = 1 − 9.4e-14 keeps 13 bits of the difference)
    for (const x of [30, 34]) {
      const { r, points } = checkOne(`1 - sigma(${x}) = exp(-${x}) / (1 + exp(-${x}))`, 4);
      expect(r.verdict).toBe('consistent');
      expect(evidenceOf(r.evidence, 'extended-precision')!.fromLostDigits).toEqual({ agree: points, violate: 0 });
    }
    // a real difference of 0.1 % beside it is still found
    const wrong = checkOne('1 - sigma(30) = 1.001 * exp(-30) / (1 + exp(-30))', 4);
    expect(wrong.r.verdict).toBe('refuted');
    expect(wrong.r.counterexample!.relError).toBeCloseTo(0.001 / 1.001, 10);
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
