/**
 * Wide floats: a float64 mantissa m with 1 ≤ |m| < 2 (or m = 0) and a
 * separate integer exponent e, the value m·2^e. Points whose float64 values
 * underflow or overflow are evaluated again in this ring first; it costs a
 * few float operations per product where 40-digit decimals cost microseconds.
 *
 * Error bound. Each operation is float64's correctly rounded operation on the
 * mantissas; scaling by a power of two is exact (the mantissas stay normal,
 * the exponent is an exact integer below 2^53), and an addend smaller than
 * 2^-59 of the other is dropped (an error below a quarter of the unit
 * roundoff u = 2^-53). So every result is the exact result of its operands
 * times (1 + δ) with |δ| ≤ 2u: float64's rounding model without its
 * underflow and overflow terms. The standard error analysis of float64 then
 * holds at every exponent: a value computed here is as accurate as float64
 * computes the same expression inside its range, which is the accuracy the
 * float checker's own decisions rest on. A decision that comes out within
 * rounding distance of the tolerance is not taken here
 * (src/check/extended-check.ts passes it on to the 40-digit decimals).
 */
import type { Decimal } from 'decimal.js';
import type { CompactForm, PackedMat, RMat, Ring } from '../ring.js';
import { slab } from '../../numeric/slab.js';
import { SymbolicUnsupported } from '../unsupported.js';

/**
 * The value m·2^e: 1 ≤ |m| < 2 and e an integer, or m = 0 and e = 0 (also NaN/±Infinity mantissas, which stay).
 * `c`, where present: 1 − |m·2^e|, known without cancellation (a double below 1/2). tanh(20) is 1 in float64, and
 * 1 − h² is then 0 where its value is 1.7e-17: a value near ±1 of an activation that has a rule for it
 * (ActivationSpec.complement) carries it, products of such values carry theirs, and ±1 plus such a value of the
 * other sign is its complement (nearOneDifference), as accurate as the complement itself.
 */
export interface WideFloat {
  readonly m: number;
  readonly e: number;
  readonly c?: number;
}

const ZERO: WideFloat = { m: 0, e: 0 };
/**
 * The exact ±1 (the ring's one, and the constants ±1 an expression writes) are these two records and no other: a
 * value of the instance that is ±1 in float64 (tanh(400)) is near ±1 by an amount unknown here, and must not make
 * a complement (nearOneDifference) out of its product with another.
 */
const ONE: WideFloat = { m: 1, e: 0 };
const MINUS_ONE: WideFloat = { m: -1, e: 0 };

/** 2^k for k in −1022..1023 (normal doubles, exact). */
const POW2 = new Float64Array(2046);
for (let k = -1022; k <= 1023; k++) POW2[k + 1022] = 2 ** k;
const pow2 = (k: number): number => POW2[k + 1022]!;

/** The binary exponent of a finite nonzero double, read from its bits (subnormals scaled up first). */
const bits = new DataView(new ArrayBuffer(8));
function exponentOf(x: number): number {
  bits.setFloat64(0, x);
  const biased = (bits.getUint16(0) >>> 4) & 0x7ff;
  return biased === 0 ? exponentOf(x * 2 ** 64) - 64 : biased - 1023;
}

/** x·2^e normalised (x a double; exact). */
function make(x: number, e: number): WideFloat {
  if (x === 0) return ZERO;
  if (!Number.isFinite(x)) return { m: x, e: 0 };
  const k = exponentOf(x);
  // x·2^−k in two exact steps: k may be −1074 (2^1074 is not a double).
  const m = k < -1000 ? x * 2 ** 64 * pow2(-(k + 64)) : x * pow2(-k);
  return { m, e: e + k };
}

/** The complement of the exact ±1 is 0; of a value carrying it, its own; of any other, unknown. */
const complementOf = (a: WideFloat): number | undefined => a.c ?? (a === ONE || a === MINUS_ONE ? 0 : undefined);

/** A constant of an expression (or an index value): exact, so ±1 is the exact ±1 (Ring.constant). */
const wideConstant = (x: number): WideFloat => (x === 1 ? ONE : x === -1 ? MINUS_ONE : wideFromNumber(x));

/** `a` with its complement `c` (1 − |a|), kept only where it is a normal double below 1/2 (not NaN: no rule). */
export function nearOne(a: WideFloat, c: number): WideFloat {
  return c >= 2 ** -1022 && c < 0.5 && Number.isFinite(a.m) ? { m: a.m, e: a.e, c } : a;
}

/**
 * a + b where one is exactly ±1 and the other, of the other sign, carries its complement: sign(a)·(c_b − c_a), one of
 * them 0 — the sum float64 would cancel, exactly as accurate as the complement. null where this does not apply.
 */
function nearOneDifference(a: WideFloat, b: WideFloat): WideFloat | null {
  const [ca, cb] = [complementOf(a), complementOf(b)];
  if (ca === undefined || cb === undefined || (ca !== 0) === (cb !== 0) || Math.sign(a.m) === Math.sign(b.m))
    return null;
  return make(Math.sign(a.m) * (cb - ca), 0);
}

export const wideFromNumber = (x: number): WideFloat => {
  if (!Number.isFinite(x)) throw new SymbolicUnsupported(`${x} has no wide-float value`);
  return make(x, 0);
};

/** The nearest double: ±Infinity above its range, 0 or a subnormal below. */
export function wideToNumber(a: WideFloat): number {
  if (a.m === 0 || !Number.isFinite(a.m)) return a.m;
  if (a.e > 1023) return a.m > 0 ? Infinity : -Infinity;
  if (a.e < -1100) return a.m > 0 ? 0 : -0;
  // Two steps keep the intermediate normal; only the last can round (into a subnormal).
  return a.e >= -1022 ? a.m * pow2(a.e) : a.m * pow2(-1022) * pow2(a.e + 1022);
}

/** In D's precision, from the wide float's exact binary value (m·2^e). */
export function wideToDecimal(a: WideFloat, D: typeof Decimal): Decimal {
  if (!Number.isFinite(a.m)) return new D(a.m);
  return decimalOfDouble(a.m, D).mul(decimalPowerOfTwo(a.e, D));
}

const doubleBits = new DataView(new ArrayBuffer(8));
/**
 * A double's exact binary value in D's precision (to an ulp or two there: 2^e is rounded too where it is long). `new D(x)` reads x's shortest decimal string, which
 * is x only to within half an ulp (1e-17 relative): an instance's parameters read that way are another instance, and a
 * value sensitive to them moves far more (ρ of a nearly defective W moved 6 %, 2026-12-06). A constant a claim
 * writes is its decimal text instead (the decimal ring's `constant`).
 */
export function decimalOfDouble(x: number, D: typeof Decimal): Decimal {
  if (!Number.isFinite(x) || (Number.isInteger(x) && Math.abs(x) <= 2 ** 53)) return new D(x);
  doubleBits.setFloat64(0, x);
  const high = doubleBits.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (high & 0xfffff) * 2 ** 32 + doubleBits.getUint32(4);
  let exponent = biased === 0 ? -1074 : biased - 1075;
  if (biased !== 0) mantissa += 2 ** 52;
  // the shortest power of two: 2^e for e ≥ −57 has at most 40 significant digits, so most values convert exactly
  while (mantissa % 2 === 0) {
    mantissa /= 2;
    exponent++;
  }
  return new D(x < 0 ? -mantissa : mantissa).mul(decimalPowerOfTwo(exponent, D));
}

/**
 * 2^e in D's precision, kept by exponent: decimal.js's power costs ≈ 17 µs at e ≈ −1500, and a report's previews
 * (8 entries a side, every point decided in wide floats) meet the same few hundred exponents again and again — 15 %
 * of the lab's eq. (1) at T = 1024 went to them. The same value as computing it again (decimals are immutable).
 */
const powersOfTwo = new WeakMap<typeof Decimal, Map<number, Decimal>>();
function decimalPowerOfTwo(e: number, D: typeof Decimal): Decimal {
  let byExponent = powersOfTwo.get(D);
  if (!byExponent) powersOfTwo.set(D, (byExponent = new Map<number, Decimal>()));
  let power = byExponent.get(e);
  if (!power) {
    if (byExponent.size >= 4096) byExponent.clear();
    byExponent.set(e, (power = new D(2).pow(e)));
  }
  return power;
}

export function wideMul(a: WideFloat, b: WideFloat): WideFloat {
  if (a.m === 0 || b.m === 0) return Number.isFinite(a.m) && Number.isFinite(b.m) ? ZERO : { m: NaN, e: 0 };
  const m = a.m * b.m; // 1 ≤ |m| < 4: one halving normalises it exactly
  if (!Number.isFinite(m)) return { m, e: 0 };
  const product = Math.abs(m) >= 2 ? { m: m / 2, e: a.e + b.e + 1 } : { m, e: a.e + b.e };
  // (1 − c_a)(1 − c_b) = 1 − (c_a + c_b − c_a·c_b): both below 1/2 and positive, so nothing cancels
  const [ca, cb] = [complementOf(a), complementOf(b)];
  return ca === undefined || cb === undefined || (ca === 0 && cb === 0) ? product : nearOne(product, ca + cb - ca * cb);
}

export function wideAdd(a: WideFloat, b: WideFloat): WideFloat {
  if (b.m === 0) return a;
  if (a.m === 0) return b;
  if (!Number.isFinite(a.m) || !Number.isFinite(b.m)) return { m: a.m + b.m, e: 0 };
  const difference = nearOneDifference(a, b);
  if (difference) return difference;
  const [big, small] = a.e >= b.e ? [a, b] : [b, a];
  const gap = big.e - small.e;
  // |small| < 2^(1−gap)·|big|: beyond 60 binary places it is below a quarter ulp of the sum (but not of its
  // complement, which is dropped).
  if (gap > 60) return big.c === undefined ? big : { m: big.m, e: big.e };
  return make(big.m + small.m * pow2(-gap), big.e);
}

const wideNeg = (a: WideFloat): WideFloat =>
  a === ONE
    ? MINUS_ONE
    : a === MINUS_ONE
      ? ONE
      : a.m === 0
        ? a
        : a.c === undefined
          ? { m: -a.m, e: a.e }
          : { m: -a.m, e: a.e, c: a.c };

function wideDiv(a: WideFloat, b: WideFloat): WideFloat | null {
  if (b.m === 0) return null;
  if (a.m === 0) return ZERO;
  return make(a.m / b.m, a.e - b.e);
}

function wideSqrt(a: WideFloat): WideFloat {
  if (a.m <= 0 || !Number.isFinite(a.m)) return { m: Math.sqrt(a.m), e: 0 };
  // an even exponent halves exactly
  const odd = a.e & 1;
  return make(Math.sqrt(odd ? a.m * 2 : a.m), (a.e - odd) / 2);
}

function wideLess(a: WideFloat, b: WideFloat): boolean {
  if (a.m === 0 || b.m === 0 || Math.sign(a.m) !== Math.sign(b.m)) return a.m < b.m;
  // same sign, both nonzero: the larger exponent is the larger magnitude
  if (a.e !== b.e) return a.m > 0 ? a.e < b.e : a.e > b.e;
  if (a.m !== b.m) return a.m < b.m;
  // The same double: values near ±1 are told apart by their complements (1 − |x|), the smaller the larger magnitude.
  // Without it tanh(20.5) and tanh(27) tied (both 1 in float64), normMax/normMin kept whichever came first, and with
  // it the other unit's complement: `1 - normMax(h)^2 = 1 - normMin(h)^2` agreed on saturated units (a review's).
  const [ca, cb] = [complementOf(a), complementOf(b)];
  if (ca === undefined || cb === undefined) return false;
  return a.m > 0 ? ca > cb : ca < cb;
}

/**
 * A·B in float64 with one exponent per row of A and per column of B: the
 * mantissas scaled to that row's or column's largest exponent are below 2 in
 * magnitude, so the dot products neither overflow nor lose more than float64
 * loses in range, except entries below 2^-1022 of their row's (column's)
 * largest, which go subnormal: an absolute error under 2^-1070 of the largest
 * term, far below the dot product's own rounding bound γ_n·Σ|a||b|.
 */
const scaledRows = new WeakMap<RMat<WideFloat>, { top: number; out: Float64Array }[]>();

function wideMatmul(a: RMat<WideFloat>, b: RMat<WideFloat>, work: (n: number) => void): RMat<WideFloat> {
  const n = a.cols;
  work(a.rows * n * b.cols);
  const scaled = (xs: readonly WideFloat[], at: (i: number) => number, count: number) => {
    let top = -Infinity;
    for (let i = 0; i < count; i++) {
      const x = xs[at(i)]!;
      if (x.m !== 0 && x.e > top) top = x.e;
    }
    const out = new Float64Array(count);
    if (top === -Infinity) return { top: 0, out };
    for (let i = 0; i < count; i++) {
      const x = xs[at(i)]!;
      const gap = x.e - top;
      // gap ≥ −1022: exact; below, in two steps (the second may round into a subnormal, or to 0)
      out[i] = x.m === 0 ? 0 : gap >= -1022 ? x.m * pow2(gap) : gap < -1100 ? 0 : x.m * pow2(-1022) * pow2(gap + 1022);
    }
    return { top, out };
  };
  // A matrix applied to many vectors (W' along a chain of lags) is scaled once.
  let rows = scaledRows.get(a);
  if (!rows) {
    rows = Array.from({ length: a.rows }, (_, i) => scaled(a.data, (k) => i * n + k, n));
    scaledRows.set(a, rows);
  }
  const cols = Array.from({ length: b.cols }, (_, j) => scaled(b.data, (k) => k * b.cols + j, n));
  const data = new Array<WideFloat>(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    const r = rows[i]!.out;
    for (let j = 0; j < b.cols; j++) {
      const c = cols[j]!.out;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += r[k]! * c[k]!;
      data[i * b.cols + j] = make(sum, rows[i]!.top + cols[j]!.top);
    }
  }
  return { rows: a.rows, cols: b.cols, data };
}

/**
 * The packed matrices' storage: blocks shared by many (thousands of 1-KiB buffers, each with its own backing
 * store, cost more), and not with the float engine's vectors, which a pool keeps after an extended look's memos
 * are dropped.
 */
const packedVec = slab();

/**
 * Wide-float matrices kept for later (memoised values and product chains) as one Float64Array: the mantissas,
 * then the exponents (integers below 2^53, exact as doubles), then, where some entry carries one, the complements
 * (NaN: none). An entry is 16 bytes (24 with complements) instead of an object and its boxed mantissa; unpacking
 * gives the same mantissas (−0, NaN and ±Infinity included), exponents and complements, so every operation on
 * them rounds as before.
 */
export const WIDE_COMPACT: CompactForm<WideFloat> = {
  pack: (a) => {
    const n = a.data.length;
    const complements = a.data.some((x) => x.c !== undefined);
    const packed = packedVec((complements ? 3 : 2) * n);
    for (let i = 0; i < n; i++) {
      const x = a.data[i]!;
      packed[i] = x.m;
      packed[n + i] = x.e;
      if (complements) packed[2 * n + i] = x.c ?? NaN;
    }
    return { rows: a.rows, cols: a.cols, packed };
  },
  unpack: (p: PackedMat) => {
    const n = p.rows * p.cols;
    const complements = p.packed.length === 3 * n;
    const data = new Array<WideFloat>(n);
    for (let i = 0; i < n; i++) {
      const m = p.packed[i]!;
      const e = p.packed[n + i]!;
      const c = complements ? p.packed[2 * n + i]! : NaN;
      data[i] = Object.is(m, 0) && e === 0 ? ZERO : Number.isNaN(c) ? { m, e } : { m, e, c };
    }
    return { rows: p.rows, cols: p.cols, data };
  },
};

/** Cancellation in a wide-float sum is noted from this many lost bits on (as float64's, lost-digits.ts). */
const NOTED_WIDE_CANCELLATION = 20;

/**
 * a + b, what cancellation cost noted: the sum keeps 53 − k bits where its exponent lies k below the larger
 * operand's (1 − σ(30) keeps 10: 1e-3 of its value). A sum exactly 0 is not noted (x + |x| is exact); a side
 * that comes out 0 is judged where the sides are compared.
 */
function watchedAdd(a: WideFloat, b: WideFloat, noteLoss: (precision: number) => void): WideFloat {
  // ±1 against a value near ∓1 that carries its complement: nothing lost (the complement is the difference)
  if (a.m !== 0 && b.m !== 0 && Number.isFinite(a.m) && Number.isFinite(b.m) && nearOneDifference(a, b))
    return wideAdd(a, b);
  const r = wideAdd(a, b);
  if (a.m === 0 || b.m === 0 || r.m === 0 || !Number.isFinite(r.m)) return r;
  const lost = Math.max(a.e, b.e) - r.e;
  if (lost >= NOTED_WIDE_CANCELLATION) noteLoss(Math.min(1, 2 ** (lost - 52)));
  return r;
}

/**
 * The ring of wide floats; `work` is charged one unit per product (a budget, like the decimals'), and `noteLoss`
 * told what elementwise sums lose to cancellation (dot products in `matmul` are not watched, as in float64).
 */
export function wideFloatRing(work: (n?: number) => void, noteLoss?: (precision: number) => void): Ring<WideFloat> {
  return {
    matmul: (a, b) => wideMatmul(a, b, work),
    zero: ZERO,
    one: ONE,
    add: noteLoss ? (a, b) => watchedAdd(a, b, noteLoss) : wideAdd,
    sub: noteLoss ? (a, b) => watchedAdd(a, wideNeg(b), noteLoss) : (a, b) => wideAdd(a, wideNeg(b)),
    neg: wideNeg,
    mul: (a, b) => {
      work();
      return wideMul(a, b);
    },
    // a computed value that is ±1 is not the exact ±1 (see ONE): only the expression's constants are
    fromNumber: wideFromNumber,
    constant: wideConstant,
    isZero: (a) => a.m === 0,
    constantOf: wideToNumber,
    div: wideDiv,
    key: (a) => `${a.m}p${a.e}`,
    compact: WIDE_COMPACT,
    ordered: {
      abs: (a) => (a.m < 0 ? wideNeg(a) : a),
      sqrt: wideSqrt,
      lt: wideLess,
      toNumber: wideToNumber,
    },
  };
}

/**
 * f(x) for a built-in activation through its float64 rule, when x is a
 * normal double and so is f(x) (or both are 0): the argument is then exact
 * and the rule is as accurate as the float engine's. Outside that range
 * there is no wide-float rule (the decimals take over).
 */
export function wideActivation(f: (x: number) => number, x: WideFloat, complement?: (x: number) => number): WideFloat {
  const inRange = (v: number) => v === 0 || (Number.isFinite(v) && Math.abs(v) >= 2 ** -1022);
  const arg = wideToNumber(x);
  const y = f(arg);
  if ((x.m !== 0 && !inRange(arg)) || !inRange(y) || (arg !== 0 && y === 0))
    throw new SymbolicUnsupported('an activation outside float64 range has no wide-float rule');
  const value = wideFromNumber(y);
  return complement ? nearOne(value, complement(arg)) : value;
}
