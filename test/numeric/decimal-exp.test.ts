import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decimalExp,
  decimalExpm1,
  decimalTanh,
  relativeErrorBound,
  workingValue,
} from '../../src/numeric/decimal-exp.js';
import { opSpec } from '../../src/ops/index.js';
import { BigDecimal, DEEP_DECIMAL_DIGITS } from '../../src/symbolic/domains/extended.js';

/** exp, expm1, tanh and σ at 80 digits from mpmath (test/fixtures/mpmath/decimal_functions.py). */
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/mpmath/decimal-functions.json', import.meta.url), 'utf8'),
) as { rows: { x: string; exp: string; expm1: string; tanh: string; sigma: string }[] };

const D = BigDecimal;
const p = D.precision;
/** The 80-digit value rounded as D rounds: the correctly rounded p-digit value. */
const rounded = (s: string) => new D(new D(s).toSignificantDigits(p, D.rounding));
const ulpsApart = (a: Decimal, b: Decimal) =>
  a
    .minus(b)
    .abs()
    .div(b.abs())
    .times(new D(10).pow(p - 1))
    .toNumber();

describe('decimal exp, expm1 and tanh against mpmath', () => {
  it('the fixture covers the delicate arguments', () => {
    expect(fixture.rows.length).toBeGreaterThanOrEqual(200);
    const xs = fixture.rows.map((r) => new D(r.x));
    expect(xs.some((x) => x.abs().lt('1e-30'))).toBe(true);
    expect(xs.some((x) => x.abs().gt(1e5))).toBe(true);
  });

  for (const fn of ['exp', 'expm1', 'tanh'] as const) {
    const ours = { exp: decimalExp, expm1: decimalExpm1, tanh: decimalTanh }[fn];
    it(`${fn} is correctly rounded at every fixture argument`, () => {
      const wrong = fixture.rows.filter((r) => !ours(new D(r.x), D).eq(rounded(r[fn]))).map((r) => r.x);
      expect(wrong).toEqual([]);
    });
    it(`${fn}'s working value is within the analysed error bound, at 40 and 64 digits`, () => {
      // The fixture's 80 digits resolve 64-digit bounds (2⁻²⁵⁷) to about 1 %.
      for (const P of [D, Decimal.clone({ precision: DEEP_DECIMAL_DIGITS, minE: -9e15, maxE: 9e15 })]) {
        const bound = relativeErrorBound(P.precision);
        let checked = 0;
        for (const r of fixture.rows) {
          const w = workingValue(fn, new P(r.x), P);
          if (!w) continue;
          checked++;
          const exact = new Decimal(r[fn]);
          expect(w.minus(exact).abs().div(exact.abs()).toNumber()).toBeLessThan(bound);
        }
        expect(checked).toBeGreaterThan(150);
      }
    });
  }

  it('tiny arguments keep every digit of expm1 and tanh (no cancellation)', () => {
    // expm1(x) = x·(1 + x/2 + …) and tanh x = x·(1 − x²/3 + …): below the 40th digit here, so both are x itself.
    const x = new D('1.234567890123456789012345678901234567891e-45');
    expect(decimalExpm1(x, D).eq(x)).toBe(true);
    expect(decimalTanh(new D('1.234567890123456789012345678901234567891e-25'), D).toString()).toBe(
      '1.234567890123456789012345678901234567891e-25',
    );
    // mpmath: expm1(1e-5) to 40 digits (e^x − 1 at 40 digits would keep 35 of them)
    expect(decimalExpm1(new D('1e-5'), D).eq('1.000005000016666708333416666805555753969e-5')).toBe(true);
  });

  it('σ through the activation: the previous formula with the faster exp, within 2 units of the last digit', () => {
    const sigma = opSpec('sigma').activation!.big!;
    for (const r of fixture.rows) {
      const x = new D(r.x);
      if (x.abs().gt(1e6)) continue;
      const value = sigma(x, D);
      expect(value.eq(new D(1).div(x.neg().exp().add(1)))).toBe(true);
      expect(ulpsApart(value, new Decimal(r.sigma))).toBeLessThanOrEqual(2);
    }
  });
});

describe('decimal exp is decimal.js exp, faster', () => {
  /** Decimals with 1–40 digits over magnitudes from 10⁻⁴⁵ to 10⁶. */
  const decimalArg = fc
    .tuple(
      fc.integer({ min: 1, max: 40 }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.integer({ min: -45, max: 5 }),
      fc.bigInt({ min: 0n, max: 10n ** 40n }),
    )
    .map(([digits, lead, e, tail]) =>
      new Decimal(lead)
        .times(new Decimal(10).pow(e))
        .plus(new Decimal(tail.toString()).times(new Decimal(10).pow(e - 45)))
        .toSignificantDigits(digits),
    );

  /** decimalExp returns decimal.js's exp (correctly rounded) for decimals of class P. */
  const expIsDecimalJs = (P: typeof Decimal, numRuns: number, seed: number) =>
    fc.assert(
      fc.property(decimalArg, (x) => {
        const arg = new P(x);
        return decimalExp(arg, P).eq(arg.exp());
      }),
      { numRuns, seed },
    );

  it('equals decimal.js exp (correctly rounded) at 40 digits', () => expIsDecimalJs(D, 400, 20261202));

  it("and at 20 and 60 digits, and at the deep decimals' 64", () => {
    for (const precision of [20, 60, DEEP_DECIMAL_DIGITS])
      expIsDecimalJs(Decimal.clone({ precision, minE: -9e15, maxE: 9e15 }), 150, precision);
  });

  it('tanh and expm1 equal decimal.js at 24 more digits, rounded once, at 40 and 64 digits', () => {
    for (const precision of [40, DEEP_DECIMAL_DIGITS]) {
      const P = Decimal.clone({ precision, minE: -9e15, maxE: 9e15 });
      const Wide = Decimal.clone({ precision: precision + 24, minE: -9e15, maxE: 9e15 });
      fc.assert(
        fc.property(decimalArg, (x) => {
          const arg = new P(x);
          const tanh = new P(new Wide(arg).tanh().toSignificantDigits(precision, P.rounding));
          // expm1 from e^x − 1 with as many more digits as cancellation takes (x's leading zeros)
          const Wider = Wide.clone({ precision: precision + 24 + Math.max(0, -arg.e) });
          const expm1 = new Wider(arg).exp().minus(1).toSignificantDigits(precision, P.rounding);
          return decimalTanh(arg, P).eq(tanh) && decimalExpm1(arg, P).eq(expm1);
        }),
        { numRuns: 200, seed: precision + 1 },
      );
    }
  });

  it("rounds in D's half-way mode: half-even and half-down as decimal.js does", () => {
    for (const rounding of [Decimal.ROUND_HALF_EVEN, Decimal.ROUND_HALF_DOWN] as const)
      expIsDecimalJs(Decimal.clone({ precision: 12, rounding, minE: -9e15, maxE: 9e15 }), 300, rounding);
  });

  it('computes up to 72 digits, and leaves precisions beyond its constants to decimal.js', () => {
    for (const precision of [70, 72, 73, 100]) {
      const P = Decimal.clone({ precision, minE: -9e15, maxE: 9e15 });
      for (const x of ['-100', '0.5', '3.25', '-1e-30']) {
        const arg = new P(x);
        expect(decimalExp(arg, P).toString()).toBe(arg.exp().toString());
        expect(decimalTanh(arg, P).toString()).toBe(arg.tanh().toString());
      }
    }
  });

  it('leaves zeros, infinities, NaN and arguments beyond 10⁶ to decimal.js', () => {
    for (const x of ['0', '-0', 'Infinity', '-Infinity', 'NaN', '1000001', '-2e6']) {
      const arg = new D(x);
      expect(decimalExp(arg, D).toString()).toBe(arg.exp().toString());
    }
    // tanh is ±1 to 10⁵ digits beyond |x| = 5·10⁵ (decimal.js's own tanh takes minutes there)
    expect(decimalTanh(new D('2e6'), D).toString()).toBe('1');
    expect(decimalTanh(new D('-7e5'), D).toString()).toBe('-1');
    for (const x of ['0', '-0', 'Infinity', '-Infinity', 'NaN'])
      expect(decimalTanh(new D(x), D).toString()).toBe(new D(x).tanh().toString());
    expect(decimalExpm1(new D(0), D).isZero()).toBe(true);
  });
});
