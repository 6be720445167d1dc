/**
 * exp, expm1 and tanh for decimal.js numbers, correctly rounded: the values decimal.js's own exp and tanh return
 * (both correctly rounded), many times faster. The extended-precision looks (src/symbolic/domains/extended.ts)
 * simulate whole instances forward in 40-digit decimals, and an LSTM step is mostly its activations: decimal.js's
 * exp takes 136 µs at 40 digits (most of it a convergence test that prints both partial sums every term), and a
 * working precision of decimal.js numbers (this module's first version) still 40–85 µs, at ≈ 2 µs per operation.
 *
 * Method: binary fixed point in BigInt (≈ 50 ns per operation), `bits` fraction bits for p + GUARD_DIGITS digits
 * and SPARE_BITS more. z = k·ln 10 + r with |r| ≤ ln 10 / 2, so eᶻ = 10ᵏ·eʳ and 10ᵏ goes to the decimal exponent;
 * r is reduced with REDUCTION_BITS more bits (k·ln 10 with |k| < 2¹⁹). expm1(r) = r·g(r) with g(r) = (eʳ − 1)/r,
 * kept in that factor form so an argument of 10⁻⁴⁰ keeps all its digits: g at h = r/2ˢ ≤ 2⁻¹⁰ from its Taylor
 * series, then s doublings g(2h) = g(h)·(1 + h·g(h)/2) (expm1's a ← a·(a + 2), which does not amplify the
 * error of a small a as squaring e^(r/2ˢ) would). The value comes out as a fraction num/den·10^exp10 with a
 * relative error below 2^(ANALYSED_ERROR_BITS − bits) (`relativeErrorBound`; the test pins it against mpmath),
 * and is rounded to p digits only when both ends of a wider interval, 2^(ZIV_ERROR_BITS − bits), round to the
 * same p-digit number in D's rounding mode (Ziv's test): it is then the correctly rounded value. Otherwise, and
 * where this does not compute (zeros, non-finite values, |x| > MAX_ARGUMENT for exp and expm1, precisions beyond
 * LN10's digits, rounding modes other than the three half-way ones), decimal.js computes it.
 */
import type { Decimal } from 'decimal.js';

type DecimalClass = typeof Decimal;

/** Decimal digits carried beyond the target precision. */
const GUARD_DIGITS = 12;
/** Binary digits carried beyond those. */
const SPARE_BITS = 16;
/** The reduction's extra bits: k·ln 10 for |k| < 2¹⁹ (|x| ≤ 10⁶) loses below 2⁻⁴ of a working unit there. */
const REDUCTION_BITS = 24;
/**
 * The working value's relative error is below 2^(ANALYSED_ERROR_BITS − bits) (the analysis is at
 * `relativeErrorBound`: a few hundred units of the last bit at most).
 */
const ANALYSED_ERROR_BITS = 12;
/** Ziv's test widens the interval beyond the analysis: a margin of 16×. */
const ZIV_ERROR_BITS = ANALYSED_ERROR_BITS + 4;
/** exp and expm1 of |x| beyond this are decimal.js's (their k would pass 2¹⁹). */
const MAX_ARGUMENT = 1e6;
/** The series runs at |h| ≤ 2⁻¹⁰ (s halvings of r). */
const HALVED_BELOW = 2 ** -10;
/** Taylor terms at most (14 suffice at |h| ≤ 2⁻¹⁰ and 40 digits, 20 at 64, 22 at 72, the most computed here). */
const MAX_TERMS = 24;
/** expm1 with |k| beyond this (|x| > 92) is decimal.js's: e^x − 1 is e^x or −1 to far more digits there. */
const EXPM1_MAX_K = 40;

/** ln 10 to 100 digits (mpmath): 330 bits, enough for the reduction at any precision up to 72 digits. */
const LN10 = '2.302585092994045684017991454684364207601101488628772976033327900967572609677352480235997205089598298';
const LN10_DIGITS = BigInt(LN10.replace('.', ''));
const LN10_SCALE = LN10.length - 2;
/** The reduction's bits LN10's digits cover with an error below 1.01 units (2^bits ≤ 10^LN10_SCALE / 400). */
const MAX_REDUCTION_BITS = 320;

const POW10: bigint[] = [1n];
/** 10ⁿ as a BigInt (memoised). */
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/** Decimal digits of n > 0. */
function digitCount(n: bigint): number {
  const f = Number(n);
  let digits = Number.isFinite(f) ? Math.floor(Math.log10(f)) + 1 : n.toString().length;
  while (n >= pow10(digits)) digits++;
  while (digits > 1 && n < pow10(digits - 1)) digits--;
  return digits;
}

/** Fixed point at one precision: fraction bits, 1, ln 10 (with REDUCTION_BITS more) and 1/n! (n ≥ 1). */
interface Kit {
  readonly bits: number;
  readonly one: bigint;
  readonly ln10: bigint;
  readonly inverseFactorials: bigint[];
}

const kits = new Map<number, Kit>();

/** The fraction bits for p digits. */
const bitsFor = (p: number) => Math.ceil((p + GUARD_DIGITS) * Math.log2(10)) + SPARE_BITS;
/** Precisions this module computes: LN10's digits cover their reduction (up to 72 digits). */
const withinConstants = (p: number) => bitsFor(p) + REDUCTION_BITS <= MAX_REDUCTION_BITS;

function kitFor(p: number): Kit {
  let kit = kits.get(p);
  if (!kit) {
    const bits = bitsFor(p);
    const one = 1n << BigInt(bits);
    // ln 10 truncated at bits + REDUCTION_BITS: an error below 1 unit there, and below 10⁻⁹⁹ from the digits.
    const ln10 = (LN10_DIGITS << BigInt(bits + REDUCTION_BITS)) / pow10(LN10_SCALE);
    const inverseFactorials = [one, one];
    for (let n = 2; n <= MAX_TERMS + 1; n++) inverseFactorials.push(inverseFactorials[n - 1]! / BigInt(n));
    kits.set(p, (kit = { bits, one, ln10, inverseFactorials }));
  }
  return kit;
}

/** x = ±m·10^q, m a positive integer (decimal.js's digits: base-10⁷ limbs, the first without leading zeros). */
function parts(x: Decimal): { neg: boolean; m: bigint; digits: number; q: number } {
  const limbs = x.d;
  let m = BigInt(limbs[0]!);
  for (let i = 1; i < limbs.length; i++) m = m * 10_000_000n + BigInt(limbs[i]!);
  const digits = String(limbs[0]).length + 7 * (limbs.length - 1);
  return { neg: x.s < 0, m, digits, q: x.e - digits + 1 };
}

/** m·10^q at `bits` fraction bits, truncated (0 where it is below one unit). */
function fixedOf(m: bigint, digits: number, q: number, bits: number): bigint {
  if (q >= 0) return (m * pow10(q)) << BigInt(bits);
  if (-q > digits + bits * Math.LOG10E * Math.LN2 + 2) return 0n;
  return (m << BigInt(bits)) / pow10(-q);
}

/**
 * g(r) = expm1(r)/r (1 at r = 0) for |r| ≤ 1.17 given at `bits` (rf: r in floats, for the number of halvings and
 * terms): the series at h = r/2ˢ, then s doublings.
 */
function expm1Factor(kit: Kit, r: bigint, rf: number): bigint {
  const shift = BigInt(kit.bits);
  const magnitude = Math.abs(rf) + 1e-9;
  let s = 0;
  while (magnitude / 2 ** s > HALVED_BELOW) s++;
  const hf = magnitude / 2 ** s;
  // g(h) = Σⱼ hʲ/(j + 1)!, truncated where the next term is below a quarter unit: n terms after the first.
  const target = 2 ** -(kit.bits + 2);
  let n = 0;
  for (let next = hf / 2; next > target && n < MAX_TERMS; n++) next *= hf / (n + 3);
  const h = r >> BigInt(s);
  let g = kit.inverseFactorials[n + 1]!;
  for (let j = n - 1; j >= 0; j--) g = kit.inverseFactorials[j + 1]! + ((h * g) >> shift);
  // g(2h) = g(h)·(1 + expm1(h)/2), h = r/2ˡ read from r afresh at each level (a unit of error, not 2ˡ).
  for (let level = s; level >= 1; level--) {
    const a = ((r >> BigInt(level)) * g) >> shift;
    g = (g * (kit.one + (a >> 1n))) >> shift;
  }
  return g;
}

type DecimalFunction = 'exp' | 'expm1' | 'tanh';

/** A value before the final rounding: ±num/den·10^exp10. */
interface Working {
  readonly neg: boolean;
  readonly num: bigint;
  readonly den: bigint;
  readonly exp10: number;
}
/** tanh far from 0: its correctly rounded value, ±1, with no working value. */
type Rounded = { readonly one: -1 | 1 };

/** Arguments computed here: finite and nonzero, |x| ≤ MAX_ARGUMENT for exp and expm1 (tanh: every such x). */
const covered = (fn: DecimalFunction, x: Decimal) =>
  x.isFinite() && !x.isZero() && (fn === 'tanh' || x.e < 6 || x.abs().lte(MAX_ARGUMENT));

/**
 * The function's value as a fraction (relative error below `relativeErrorBound`), or its rounded value where that
 * needs none, or null: not computed here.
 */
function working(p: number, fn: DecimalFunction, x: Decimal): Working | Rounded | null {
  const kit = kitFor(p);
  const { neg, m: xm, digits, q } = parts(x);
  // tanh is odd and read from expm1(2|x|): z = 2|x|; exp and expm1 read z = x.
  const tanh = fn === 'tanh';
  const m = tanh ? 2n * xm : xm;
  const zNeg = !tanh && neg;
  const zf = (zNeg ? -1 : 1) * Number(m) * 10 ** q;
  const k = Math.abs(zf) <= Math.LN10 / 2 ? 0 : Math.round(zf / Math.LN10);
  // tanh z/2 = 1 − 2/(eᶻ + 1) is within 10⁻⁽ᵏ⁻¹⁾ of 1: from k = p + 2 on it rounds to 1 in every half-way mode.
  if (tanh && k >= p + 2) return { one: neg ? -1 : 1 };
  if (fn === 'expm1' && Math.abs(k) > EXPM1_MAX_K) return null;
  const { bits, one } = kit;
  const sign = zNeg ? -1n : 1n;
  const r =
    k === 0
      ? sign * fixedOf(m, digits + 1, q, bits)
      : (sign * fixedOf(m, digits + 1, q, bits + REDUCTION_BITS) - BigInt(k) * kit.ln10) >> BigInt(REDUCTION_BITS);
  const g = expm1Factor(kit, r, zf - k * Math.LN10);
  // eʳ = 1 + r·g(r)
  const expR = () => one + ((r * g) >> BigInt(bits));
  switch (fn) {
    case 'exp':
      return { neg: false, num: expR(), den: one, exp10: k };
    case 'expm1': {
      // k = 0: z·g(z) with z exact, no cancellation; else 10ᵏ·eʳ − 1, whose magnitude is 0.68 at least.
      if (k === 0) return { neg, num: m * g, den: one, exp10: q };
      if (k > 0) return { neg: false, num: expR() * pow10(k) - one, den: one, exp10: 0 };
      const scale = one * pow10(-k);
      return { neg: true, num: scale - expR(), den: scale, exp10: 0 };
    }
    case 'tanh': {
      // tanh(z/2) = a/(a + 2) with a = expm1(z): k = 0, a = z·g = 2·|x|·g, so |x|·g / (|x|·g + 1).
      if (k === 0) {
        const xg = xm * g;
        const den = q >= 0 ? xg * pow10(q) + one : one + (-q > digitCount(xg) ? 0n : xg / pow10(-q));
        return { neg, num: q >= 0 ? xg * pow10(q) : xg, den, exp10: q >= 0 ? 0 : q };
      }
      const e = expR() * pow10(k);
      return { neg, num: e - one, den: e + one, exp10: 0 };
    }
  }
}

/**
 * p-digit rounding of n > 0 in a half-way mode (decimal.js's ROUND_HALF_UP 4, HALF_DOWN 5, HALF_EVEN 6): c·10ᵉ,
 * c of p digits.
 */
function roundToDigits(n: bigint, p: number, mode: number): { c: bigint; e: number } {
  const e = digitCount(n) - p;
  if (e <= 0) return { c: n * pow10(-e), e };
  const unit = pow10(e);
  let c = n / unit;
  const twice = 2n * (n - c * unit);
  if (twice > unit || (twice === unit && (mode === 4 || (mode === 6 && (c & 1n) === 1n)))) c += 1n;
  return c === pow10(p) ? { c: pow10(p - 1), e: e + 1 } : { c, e };
}

const HALF_WAY_MODES = new Set([4, 5, 6]);

/** The correctly rounded p-digit value of a working value (Ziv's test), or null when its interval straddles a rounding boundary. */
function roundedIfCertain(w: Working, D: DecimalClass): Decimal | null {
  const p = D.precision;
  const bits = bitsFor(p);
  // q = ⌊num·10^shift / den⌋ with p + GUARD_DIGITS + 1 digits at least.
  const shift = Math.max(0, p + GUARD_DIGITS + 1 - (digitCount(w.num) - digitCount(w.den)));
  const q = (w.num * pow10(shift)) / w.den;
  // The value·10^shift lies within q·(1 ± 2^(ZIV_ERROR_BITS − bits)), + 1 for the floor: inside q ± delta.
  const delta = (q >> BigInt(bits - ZIV_ERROR_BITS)) + 2n;
  const lo = roundToDigits(q - delta, p, D.rounding);
  const hi = roundToDigits(q + delta, p, D.rounding);
  if (lo.c !== hi.c || lo.e !== hi.e) return null;
  return new D(`${w.neg ? '-' : ''}${lo.c}e${lo.e + w.exp10 - shift}`);
}

/**
 * Exported for the test of the error analysis: the working value to 100 digits, or null where there is none (not
 * computed here, or tanh rounded to ±1 directly).
 */
export function workingValue(fn: DecimalFunction, x: Decimal, D: DecimalClass): Decimal | null {
  if (!covered(fn, x) || !withinConstants(D.precision)) return null;
  const w = working(D.precision, fn, x);
  if (!w || 'one' in w) return null;
  const Wide = D.clone({ precision: 100 });
  const value = new Wide(w.num.toString()).div(w.den.toString()).times(new Wide(10).pow(w.exp10));
  return w.neg ? value.neg() : value;
}

function correctlyRounded(fn: DecimalFunction, x: Decimal, D: DecimalClass): Decimal | null {
  if (!covered(fn, x) || !withinConstants(D.precision) || !HALF_WAY_MODES.has(D.rounding)) return null;
  const w = working(D.precision, fn, x);
  if (w && 'one' in w) return new D(w.one);
  return w ? roundedIfCertain(w, D) : null;
}

/** eˣ, correctly rounded to D's precision (the same value as decimal.js's exp). */
export function decimalExp(x: Decimal, D: DecimalClass): Decimal {
  return correctlyRounded('exp', x, D) ?? new D(x).exp();
}

/** eˣ − 1, correctly rounded (no cancellation at small x). */
export function decimalExpm1(x: Decimal, D: DecimalClass): Decimal {
  const rounded = correctlyRounded('expm1', x, D);
  if (rounded) return rounded;
  // Below 10^−2p, eˣ − 1 = x·(1 + x/2 + …) rounds to x (x has at most p digits).
  if (x.isFinite() && -x.e > 2 * D.precision) return new D(x);
  // decimal.js has no expm1: eˣ − 1 cancels as many digits as x has leading zeros, so as many more are carried.
  const Wide = D.clone({ precision: D.precision + 10 + Math.max(0, -x.e) });
  return new D(new Wide(x).exp().minus(1)).toSignificantDigits(D.precision, D.rounding);
}

/** tanh x, correctly rounded. */
export function decimalTanh(x: Decimal, D: DecimalClass): Decimal {
  return correctlyRounded('tanh', x, D) ?? new D(x).tanh();
}

/**
 * The error analysis behind ANALYSED_ERROR_BITS, as the relative bound of each function's working value at p digits
 * (in units u = 2^−bits), for the test that pins it against mpmath. Every product and quotient truncates (1 unit).
 * The series: n ≤ MAX_TERMS Horner steps, 2 units each, its truncation below ¼ unit, h's own truncation 1 unit.
 * Each doubling g ← g·(1 + a/2), a = h·g: 1 unit from h, 2 from the truncations; the error carried over grows by
 * (1 + a/2), whose product over the ≤ 11 levels (|r| ≤ 1.17) is below e^0.8 < 2.3: ≈ 2.3·(50 + 11·4) < 220 units
 * absolute on g ≥ 0.59 (g(−1.17)), < 375 relative. r itself: 1 unit (k = 0), or 1 + 2|k|·2^−REDUCTION_BITS < 1.1
 * (the reduction). eʳ = 1 + r·g: |r|·220 + 2.0·1.1 + 1 < 260 units on eʳ ≥ 0.31: < 840. expm1 for k ≠ 0 multiplies
 * that by eᶻ/|eᶻ − 1| ≤ 1.5 (|z| > 1.15), tanh by 2eᶻ/(e²ᶻ − 1) ≤ 0.7 (k ≠ 0) or by 2/(a + 2) ≤ 1 (k = 0), plus a
 * unit or two for the fraction's own truncations: 1300 units < 2^ANALYSED_ERROR_BITS = 4096 for all three.
 */
export function relativeErrorBound(p: number): number {
  return 2 ** (ANALYSED_ERROR_BITS - bitsFor(p));
}
