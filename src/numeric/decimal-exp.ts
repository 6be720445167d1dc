/**
 * exp, expm1 and tanh for decimal.js numbers, correctly rounded, several times faster than decimal.js's own
 * (its exp is 136 µs at 40 digits, most of it a convergence test that prints both partial sums to strings every
 * term). The extended-precision looks (src/symbolic/domains/extended.ts) simulate whole instances forward in
 * 40-digit decimals, and these functions were most of that time.
 *
 * Method: x = k·ln 10 + r with |r| ≤ ln 10 / 2, so eˣ = 10ᵏ·eʳ and the scaling by 10ᵏ is exact; r = j/256 + r₂
 * with expm1(j/256) from a table (filled on first use) and expm1(r₂), |r₂| ≤ 2⁻⁹, from its Taylor series. The
 * table's entries come from the series at r/2ˢ (≤ 2⁻¹⁰) and s doublings in expm1 form, a ← a·(a + 2), which do
 * not amplify the error of a small a as squaring e^(r/2ˢ) would. Everything runs with GUARD_DIGITS more digits than
 * the target precision p; the result carries a relative error below 10^(ERROR_DIGITS − P) (the analysis is at
 * `relativeErrorBound`), and is rounded to p digits only when both ends of that error interval round to the same
 * p-digit number (Ziv's test): the result is then the correctly rounded value. Otherwise, and outside the range
 * the analysis covers (|x| > MAX_ARGUMENT, zeros, non-finite values), decimal.js computes it, as before.
 * decimal.js documents its exp as correctly rounded, so exp here returns exactly what decimal.js's exp returns.
 */
import type { Decimal } from 'decimal.js';

type DecimalClass = typeof Decimal;

/** Digits carried beyond the target precision. */
const GUARD_DIGITS = 12;
/**
 * The computed value's relative error is below 10^(ERROR_DIGITS − P) at working precision P. The analysis
 * (`relativeErrorBound`) gives ≈ 1.2·10^(4 − P) for tanh, the worst of them; two more digits are a margin.
 */
const ERROR_DIGITS = 6;
/** Beyond this the reduction's k·ln 10 needs more digits than LN10 has; decimal.js takes over. */
const MAX_ARGUMENT = 1e6;
/**
 * k·ln 10 with |k| < 10⁶ carries an absolute error of |k|·10^−(P + REDUCTION_DIGITS) or so: at 8 more digits it
 * stays below a hundredth of the working precision's unit, and an absolute error δ in r is a relative error δ in eʳ.
 */
const REDUCTION_DIGITS = 8;
/** Without the table (its own entries), Taylor series are evaluated at |h| ≤ 2⁻¹⁰ (s halvings of r). */
const HALVED_BELOW = 2 ** -10;
/** The table's spacing: expm1(j/256) for |j| ≤ 295 (|r| ≤ ln 10 / 2), so the series runs at |r₂| ≤ 2⁻⁹. */
const TABLE_STEPS = 256;
const TABLE_OFFSET = 300;
/** 1/256, exact in decimal */
const STEP = '0.00390625';
/** Table entries are computed with this many more digits, so each carries one rounding only. */
const FINER_DIGITS = 10;
/** Taylor terms at most (the error analysis assumes no more: 24 suffice at |h| ≤ 2⁻⁹ and 80 digits). */
const MAX_TERMS = 24;

/** ln 10 to 100 digits (mpmath), enough for k·ln 10 with |k| ≤ 10⁶ at any precision up to 80. */
const LN10 = '2.302585092994045684017991454684364207601101488628772976033327900967572609677352480235997205089598298';

interface Kit {
  readonly W: DecimalClass;
  /** REDUCTION_DIGITS more digits than W, for x − k·ln 10 */
  readonly R: DecimalClass;
  readonly ln10: Decimal;
  /** 1/n! for n = 1…, at working precision, extended as needed */
  readonly inverseFactorials: Decimal[];
  readonly two: Decimal;
  /** 2⁻ˢ, exact, for the halvings */
  readonly halvings: Decimal[];
  readonly one: Decimal;
  readonly eps: Decimal;
  /** expm1(j/TABLE_STEPS) at working precision, computed on first use from `finer` */
  readonly table: (Decimal | undefined)[];
  /** 1/TABLE_STEPS at working precision (exact) */
  readonly step: Decimal;
  /** D with FINER_DIGITS more digits, for the table's entries */
  readonly finerClass: DecimalClass;
  finer: Kit | null;
}

const kits = new WeakMap<DecimalClass, Kit>();

/** LN10's digits cover the reduction at this precision (up to 75 digits). */
const reducible = (precision: number) => precision + GUARD_DIGITS + REDUCTION_DIGITS <= 95;
/** D's values are computed here: its precision and its table's finer one are reducible (up to 65 digits); beyond, decimal.js computes them. */
const withinConstants = (D: DecimalClass) => reducible(D.precision + FINER_DIGITS);

function kitFor(D: DecimalClass): Kit {
  let kit = kits.get(D);
  if (!kit) {
    const P = D.precision + GUARD_DIGITS;
    if (!reducible(D.precision))
      throw new RangeError(`decimal-exp: precision ${D.precision} is beyond the constants kept here`);
    // Round half even at the working precision: its error bound is the same half unit as any other rounding.
    const W = D.clone({ precision: P, rounding: 6 });
    const R = D.clone({ precision: P + REDUCTION_DIGITS, rounding: 6 });
    kit = {
      W,
      R,
      ln10: new R(LN10).plus(0),
      inverseFactorials: [],
      two: new W(2),
      halvings: [new W(1)],
      one: new W(1),
      eps: new W(`1e${ERROR_DIGITS - P}`),
      table: [],
      step: new W(STEP),
      finerClass: D.clone({ precision: D.precision + FINER_DIGITS }),
      finer: null,
    };
    // 2⁻ˢ has s significant digits at most (5ˢ·10⁻ˢ): exact at the working precision.
    for (let s = 1; s <= 16; s++) kit.halvings.push(kit.halvings[s - 1]!.times(0.5));
    kits.set(D, kit);
  }
  return kit;
}

function inverseFactorial(kit: Kit, n: number): Decimal {
  const table = kit.inverseFactorials;
  while (table.length < n) {
    const m = table.length + 1;
    table.push(m === 1 ? kit.one : table[m - 2]!.div(m));
  }
  return table[n - 1]!;
}

/** The ln 10 reduction: x = k·ln 10 + r, |r| ≤ ln 10 / 2 (k = 0 when |x| is that small already), r at working precision. */
function reduced(kit: Kit, x: Decimal): { k: number; r: Decimal } {
  const xf = x.toNumber();
  const k = Math.abs(xf) <= Math.LN10 / 2 ? 0 : Math.round(xf / Math.LN10);
  // x − k·ln 10 at REDUCTION_DIGITS more digits, then one rounding to the working precision.
  return { k, r: k === 0 ? new kit.W(x) : new kit.W(new kit.R(x).minus(kit.ln10.times(k))).plus(0) };
}

/** expm1(h) by its Taylor series (Horner), with terms until |h|ⁿ/(n + 1)! is below a tenth of the last place; hf ≥ |h|. */
function taylorExpm1(kit: Kit, h: Decimal, hf: number): Decimal {
  const target = 10 ** -(kit.W.precision + 1);
  let n = 1;
  for (let term = hf / 2; term > target && n < MAX_TERMS; n++) term *= hf / (n + 2);
  // a = h·(1/1! + h·(1/2! + h·(… + h/n!)))
  let acc = inverseFactorial(kit, n);
  for (let i = n - 1; i >= 1; i--) acc = inverseFactorial(kit, i).plus(h.times(acc));
  return h.times(acc);
}

/** expm1(r), |r| ≤ ln 10 / 2, without a table: the series at r/2ˢ ≤ 2⁻¹⁰, then s doublings in expm1 form. */
function doublingExpm1(kit: Kit, r: Decimal): Decimal {
  const rf = Math.abs(r.toNumber());
  let s = 0;
  while (rf / 2 ** s > HALVED_BELOW) s++;
  let a = taylorExpm1(kit, s === 0 ? r : r.times(kit.halvings[s]!), rf / 2 ** s);
  for (let i = 0; i < s; i++) a = a.times(a.plus(kit.two));
  return a;
}

/** expm1(j/TABLE_STEPS), computed FINER_DIGITS finer and rounded once to the working precision. */
function tableEntry(kit: Kit, j: number): Decimal {
  const i = j + TABLE_OFFSET;
  let entry = kit.table[i];
  if (!entry) {
    const finer = (kit.finer ??= kitFor(kit.finerClass));
    entry = new kit.W(doublingExpm1(finer, finer.step.times(j))).plus(0);
    kit.table[i] = entry;
  }
  return entry;
}

/**
 * expm1(r), |r| ≤ ln 10 / 2: r = j/TABLE_STEPS + r₂ with |r₂| ≤ 1/(2·TABLE_STEPS) (exact: r₂ keeps r's last
 * place), expm1(r) = E + a₂·(1 + E) with E = expm1(j/TABLE_STEPS) from the table and a₂ = expm1(r₂) by its series.
 */
function tableExpm1(kit: Kit, r: Decimal): Decimal {
  const rf = r.toNumber();
  const j = Math.round(rf * TABLE_STEPS);
  if (j === 0) return taylorExpm1(kit, r, Math.abs(rf));
  const e = tableEntry(kit, j);
  // |r₂| bounded from above in floats: rf is within 2⁻⁵² of r (|r| < 2), the difference within as much again.
  const a2 = taylorExpm1(kit, r.minus(kit.step.times(j)), Math.abs(rf - j / TABLE_STEPS) + 2 ** -50);
  return e.plus(a2.times(e.plus(kit.one)));
}

/**
 * expm1(x) and the power of ten split off: eˣ − 1 = 10ᵏ·(1 + a) − 1 with a = expm1(x − k·ln 10), at working
 * precision. k = 0 when |x| ≤ ln 10 / 2 (then a is expm1(x) itself, with no cancellation at small x).
 */
function reducedExpm1(kit: Kit, x: Decimal): { k: number; a: Decimal } {
  const { k, r } = reduced(kit, x);
  return { k, a: tableExpm1(kit, r) };
}

/** The correctly rounded p-digit value of y (relative error < eps), or null when the error interval straddles a rounding boundary. */
function roundedIfCertain(kit: Kit, y: Decimal, D: DecimalClass): Decimal | null {
  const spread = y.abs().times(kit.eps);
  const lo = y.minus(spread).toSignificantDigits(D.precision, D.rounding);
  const hi = y.plus(spread).toSignificantDigits(D.precision, D.rounding);
  return lo.eq(hi) ? new D(lo) : null;
}

type DecimalFunction = 'exp' | 'expm1' | 'tanh';
/**
 * Arguments computed here: finite and nonzero, |x| ≤ MAX_ARGUMENT for exp and expm1; every such x for tanh, which
 * is ±1 within 2e^(−2|x|) < 10^(−10⁵) beyond (decimal.js's own tanh takes minutes there).
 */
const covered = (fn: DecimalFunction, x: Decimal) =>
  x.isFinite() && !x.isZero() && (fn === 'tanh' || x.abs().lte(MAX_ARGUMENT));

/** The function's value at working precision, before the final rounding (relative error below `relativeErrorBound`). */
function working(kit: Kit, fn: DecimalFunction, x: Decimal): Decimal {
  if (fn === 'tanh' && x.abs().times(2).gt(MAX_ARGUMENT)) return new kit.W(x.s);
  const { k, a } = reducedExpm1(kit, fn === 'tanh' ? new kit.W(x).times(2) : x);
  const exp = () => a.plus(kit.one).times(new kit.W(`1e${k}`));
  if (fn === 'exp') return exp();
  const expm1 = k === 0 ? a : exp().minus(kit.one);
  // tanh x = a / (a + 2) with a = expm1(2x): no cancellation at small x, and a + 2 > 1.
  return fn === 'expm1' ? expm1 : expm1.div(expm1.plus(kit.two));
}

/** Exported for the test of the error analysis: the working-precision value, or null outside the covered range. */
export function workingValue(fn: DecimalFunction, x: Decimal, D: DecimalClass): Decimal | null {
  return covered(fn, x) ? working(kitFor(D), fn, x) : null;
}

function correctlyRounded(fn: DecimalFunction, x: Decimal, D: DecimalClass): Decimal | null {
  if (!covered(fn, x) || !withinConstants(D)) return null;
  const kit = kitFor(D);
  return roundedIfCertain(kit, working(kit, fn, x), D);
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
 * The error analysis behind ERROR_DIGITS, as numbers (u = 5·10^−P, the working precision's half unit), for the
 * test that pins it against mpmath. The series: at most MAX_TERMS terms in Horner form (2 roundings each), its
 * truncation below a tenth of the last place, r's own rounding. A table entry: computed FINER_DIGITS finer (its
 * error there is ≈ 10^−FINER_DIGITS of ours) and rounded once. Their combination E + a₂·(1 + E): |E| ≤ 2.1·|expm1(r)|
 * and |a₂·(1 + E)| ≤ 5.5·|expm1(r)| (|r₂| ≤ 2⁻⁹ ≤ |r| where j ≠ 0, |r| ≤ 1.16), 3 roundings. Then 1 + a (×2.2: a ≥
 * −0.684), ×10ᵏ (exact), −1 (×1.5) and tanh's a/(a + 2) (×2).
 */
export function relativeErrorBound(P: number): { expm1Reduced: number; exp: number; expm1: number; tanh: number } {
  const u = 5 * 10 ** -P;
  const series = (2 * MAX_TERMS + 2) * u + 2 * u;
  const entry = 1.01 * u;
  const expm1Reduced = 2.1 * entry + 5.5 * (series + 2 * u) + u;
  const exp = 2.2 * expm1Reduced + u;
  const expm1 = 1.5 * exp + u;
  const tanh = 2 * expm1 + 3 * u;
  return { expm1Reduced, exp, expm1, tanh };
}
