/**
 * Intervals of float64: a value known to lie in [lo, hi]. Every operation
 * rounds its result outward, so the true value of whatever was computed from
 * exact inputs stays inside — an enclosure, not an estimate. An extended look
 * at a point (src/check/extended-check.ts) tries them first on the points
 * float64 cannot settle only because digits may have been lost on the way
 * (cancellation, subnormals) or because both sides came out exactly 0: an
 * agreement the enclosures decide is proved for the instance, at a few float
 * operations per product where 40-digit decimals cost microseconds. What
 * they cannot decide (overlapping bounds, a rule they lack, the float range)
 * goes on to the decimals as before.
 *
 * Outward rounding without a rounding mode: a float64 operation rounds to
 * nearest, so its exact result lies within one ulp of the rounded one, and
 * `up(x) = x + (|x|·2^-52 + 2^-1074)` is at least x plus one ulp of x (the
 * added amount is at least that ulp; rounding is monotone and x + ulp is a
 * double). Operations whose result is exact (a product with an exact 0, a
 * sum with one) are not widened, so a structural zero stays [0, 0]: that is
 * how an exact zero is told from one that underflowed, which is never [0, 0].
 */
import { mat, spectralNorm } from '../../numeric/linalg.js';
import type { OrderedRing, RMat, Ring } from '../ring.js';
import { SymbolicUnsupported } from '../unsupported.js';

/** lo ≤ the value ≤ hi (finite bounds; an infinite or NaN bound makes the value undecidable here). */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

const ULP_FACTOR = 2 ** -52;
const TINY = 2 ** -1074;

/**
 * At least one ulp above x (the exact result x was rounded from is at most that far); a result that overflowed to
 * −Infinity was rounded from a finite value at or above −MAX_VALUE's neighbourhood, so it is bounded there.
 */
const up = (x: number): number => (x === -Infinity ? -Number.MAX_VALUE : x + (Math.abs(x) * ULP_FACTOR + TINY));
/** at least one ulp below x (+Infinity: below MAX_VALUE's neighbourhood) */
const down = (x: number): number => (x === Infinity ? Number.MAX_VALUE : x - (Math.abs(x) * ULP_FACTOR + TINY));

const ZERO: Interval = { lo: 0, hi: 0 };
const ONE: Interval = { lo: 1, hi: 1 };

const isExactZero = (a: Interval): boolean => a.lo === 0 && a.hi === 0;
const isExactOne = (a: Interval): boolean => a.lo === 1 && a.hi === 1;

/** [lo, hi] from exact ends (the structural zero for [0, 0]). */
export const intervalOf = (lo: number, hi: number): Interval => (lo === 0 && hi === 0 ? ZERO : { lo, hi });

export function intervalFromNumber(x: number): Interval {
  if (!Number.isFinite(x)) throw new SymbolicUnsupported(`${x} has no interval`);
  return x === 0 ? ZERO : { lo: x, hi: x };
}

/**
 * Whether s = fl(x + y) is x + y exactly: Knuth's TwoSum error term is 0 (an error-free transformation in
 * round-to-nearest; for a finite s it never overflows). 1 − 1 is exactly 0: widened, it was [−5e-324, 5e-324], and
 * ReLU′ − ReLU′·ReLU′ (1 − 1·1 at an active unit) never came out a structural 0 (`step(z) - step(z)^2 <= 0`
 * unverifiable at 16 of 20 points).
 */
function sumIsExact(x: number, y: number, s: number): boolean {
  if (!Number.isFinite(s)) return false;
  const yPart = s - x;
  return x - (s - yPart) + (y - yPart) === 0;
}

/** Veltkamp's splitting constant 2^27 + 1, and the range where Dekker's TwoProduct is error-free. */
const SPLITTER = 134217729;
const SPLIT_SAFE = 2 ** 995;
const PRODUCT_FLOOR = 2 ** -969;

/**
 * Whether p = fl(x · y) is x · y exactly: Dekker's TwoProduct error term is 0. Error-free only where the splits cannot
 * overflow and the product and its error stay normal (|p| ≥ 2^−969: with 53 + 53 bits the error is above 2^−1022);
 * elsewhere not known exact, so widened.
 */
function productIsExact(x: number, y: number, p: number): boolean {
  const [ax, ay, ap] = [Math.abs(x), Math.abs(y), Math.abs(p)];
  if (!(ax < SPLIT_SAFE && ay < SPLIT_SAFE && ap >= PRODUCT_FLOOR && ap < Infinity)) return false;
  const cx = SPLITTER * x;
  const xHigh = cx - (cx - x);
  const xLow = x - xHigh;
  const cy = SPLITTER * y;
  const yHigh = cy - (cy - y);
  const yLow = y - yHigh;
  return xHigh * yHigh - p + xHigh * yLow + xLow * yHigh + xLow * yLow === 0;
}

// A sum or product that is exact (one with an exact 0, or one the error-free transformations show exact) is not
// widened; every other rounded result is.
const addDown = (x: number, y: number): number => {
  const s = x + y;
  return x === 0 || y === 0 || sumIsExact(x, y, s) ? s : down(s);
};
const addUp = (x: number, y: number): number => {
  const s = x + y;
  return x === 0 || y === 0 || sumIsExact(x, y, s) ? s : up(s);
};
const mulDown = (x: number, y: number): number => {
  if (x === 0 || y === 0) return 0;
  const p = x * y;
  return productIsExact(x, y, p) ? p : down(p);
};
const mulUp = (x: number, y: number): number => {
  if (x === 0 || y === 0) return 0;
  const p = x * y;
  return productIsExact(x, y, p) ? p : up(p);
};

export function intervalAdd(a: Interval, b: Interval): Interval {
  if (isExactZero(a)) return b;
  if (isExactZero(b)) return a;
  const lo = addDown(a.lo, b.lo);
  // two nonnegative values: the sum is too (down() may step below an exact 0)
  return { lo: a.lo >= 0 && b.lo >= 0 ? Math.max(0, lo) : lo, hi: addUp(a.hi, b.hi) };
}

export const intervalNeg = (a: Interval): Interval => (isExactZero(a) ? a : { lo: -a.hi, hi: -a.lo });

export function intervalMul(a: Interval, b: Interval): Interval {
  if (isExactZero(a) || isExactZero(b)) return ZERO;
  if (isExactOne(a)) return b;
  if (isExactOne(b)) return a;
  // x·x (the same value, as norms and powers multiply it): never negative, which a product of two intervals
  // that straddle 0 would not know.
  if (a === b) {
    const [small, large] = a.lo >= 0 ? [a.lo, a.hi] : a.hi <= 0 ? [-a.hi, -a.lo] : [0, Math.max(-a.lo, a.hi)];
    return { lo: Math.max(0, mulDown(small, small)), hi: mulUp(large, large) };
  }
  if (a.lo >= 0 && b.lo >= 0) return { lo: Math.max(0, mulDown(a.lo, b.lo)), hi: mulUp(a.hi, b.hi) };
  const lo = Math.min(mulDown(a.lo, b.lo), mulDown(a.lo, b.hi), mulDown(a.hi, b.lo), mulDown(a.hi, b.hi));
  const hi = Math.max(mulUp(a.lo, b.lo), mulUp(a.lo, b.hi), mulUp(a.hi, b.lo), mulUp(a.hi, b.hi));
  return { lo, hi };
}

/** a / b, or null when b's interval contains 0 */
export function intervalDiv(a: Interval, b: Interval): Interval | null {
  if (b.lo <= 0 && b.hi >= 0) return null;
  if (isExactZero(a)) return ZERO;
  if (isExactOne(b)) return a;
  // a quotient with an exact 0 numerator is exact (one that underflowed to 0 is not)
  const divDown = (x: number, y: number) => (x === 0 ? 0 : down(x / y));
  const divUp = (x: number, y: number) => (x === 0 ? 0 : up(x / y));
  const lo = Math.min(divDown(a.lo, b.lo), divDown(a.lo, b.hi), divDown(a.hi, b.lo), divDown(a.hi, b.hi));
  const hi = Math.max(divUp(a.lo, b.lo), divUp(a.lo, b.hi), divUp(a.hi, b.lo), divUp(a.hi, b.hi));
  return { lo, hi };
}

/** √a; an interval reaching below 0 has no enclosure of its root here (a sum of squares never does). */
export function intervalSqrt(a: Interval): Interval {
  if (a.lo < 0) throw new SymbolicUnsupported('the square root of an interval that reaches below 0');
  // Math.sqrt is correctly rounded; √0 is exact
  return { lo: a.lo === 0 ? 0 : Math.max(0, down(Math.sqrt(a.lo))), hi: a.hi === 0 ? 0 : up(Math.sqrt(a.hi)) };
}

function intervalAbs(a: Interval): Interval {
  if (a.lo >= 0) return a;
  if (a.hi <= 0) return intervalNeg(a);
  return { lo: 0, hi: Math.max(-a.lo, a.hi) };
}

/** Certainly a < b; certainly not; or (overlapping bounds) undecided, which this arithmetic cannot go past. */
function intervalLess(a: Interval, b: Interval): boolean {
  if (a.hi < b.lo) return true;
  if (a.lo >= b.hi) return false;
  throw new SymbolicUnsupported('two intervals overlap: their order is not decided');
}

/** A point inside (the midpoint), for values shown in reports. */
export const intervalMidpoint = (a: Interval): number => (a.lo === a.hi ? a.lo : a.lo / 2 + a.hi / 2);

/** The largest |x| over the interval (its magnitude) and the smallest (its mignitude). */
export const magnitude = (a: Interval): number => Math.max(Math.abs(a.lo), Math.abs(a.hi));
const mignitude = (a: Interval): number => (a.lo > 0 ? a.lo : a.hi < 0 ? -a.hi : 0);

/** Σ x_k·y_k over intervals (x === y entrywise gives squares, never negative). */
function intervalDot(x: readonly Interval[], y: readonly Interval[]): Interval {
  let s = ZERO;
  for (let k = 0; k < x.length; k++) s = intervalAdd(s, intervalMul(x[k]!, y[k]!));
  return s;
}

/** Relative margins above the float estimate at which ‖A‖₂ ≤ √μ is tried, tightest first. */
const SPECTRAL_MARGINS = [2 ** -40, 2 ** -30, 2 ** -22, 2 ** -14, 2 ** -7];

/**
 * An enclosure of ‖A‖₂. Below: ‖A v‖/‖v‖ for the top right singular vector v of the midpoints (any v gives a
 * lower bound; power iteration makes it tight), and every row's and column's norm. Above: μ with μI − AᵀA
 * positive definite for every matrix inside the enclosure, which an interval Cholesky factorisation that never
 * meets a pivot reaching 0 proves (each point matrix's factorisation stays inside the intervals); μ just above
 * the estimate, then looser, then ‖A‖_F. `work` is charged one unit per interval product.
 */
export function intervalSpectralNorm(a: RMat<Interval>, work: (n: number) => void = () => {}): Interval {
  const { rows, cols, data } = a;
  // Every entry exactly 0 (a structural zero the enclosures carry as [0, 0]; a product that underflowed they widen to
  // [−2⁻¹⁰⁷⁴, 2⁻¹⁰⁷⁴] at least, never to [0, 0]): the norm is exactly 0. Below, μ = up(up(0)²) put it at √2⁻¹⁰⁷⁴ =
  // 2.2e-162, and `norm2(jac(h[s], h[t])) <= 0` for s < t (the past does not read the future) stayed unproved on every
  // point, though the Jacobian's equality with zeros(d, d) was verified (a review's).
  if (data.every(isExactZero)) return ZERO;
  const columns = Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => data[i * cols + j]!));
  const rowsOf = Array.from({ length: rows }, (_, i) => data.slice(i * cols, (i + 1) * cols));
  work(Math.ceil(2 * rows * cols + (cols * cols * rows) / 2 + (cols * cols * cols) / 6));
  // v: power iteration on AᵀA at the midpoints, in float64 (only its direction matters)
  const mid = Float64Array.from(data, intervalMidpoint);
  // (two buffers for the whole iteration: this runs on every interval look that takes a norm)
  const v = new Float64Array(cols).fill(1);
  const w = new Float64Array(rows);
  const next = new Float64Array(cols);
  let estimate = 0;
  for (let iter = 0; iter < 60; iter++) {
    for (let i = 0; i < rows; i++) {
      let t = 0;
      for (let j = 0; j < cols; j++) t += mid[i * cols + j]! * v[j]!;
      w[i] = t;
    }
    next.fill(0);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) next[j]! += mid[i * cols + j]! * w[i]!;
    const size = Math.hypot(...next);
    if (!(size > 0) || !Number.isFinite(size)) break;
    estimate = Math.sqrt(size);
    for (let j = 0; j < cols; j++) v[j] = next[j]! / size;
  }
  const point = Array.from(v, intervalFromNumber);
  const euclidDown = (xs: readonly Interval[]) => mignitudeNorm(xs);
  const av = rowsOf.map((r) => intervalDot(r, point));
  const vUp = up(Math.sqrt(intervalDot(point, point).hi));
  const lower = Math.max(
    vUp > 0 ? down(euclidDown(av) / vUp) : 0,
    ...rowsOf.map(euclidDown),
    ...columns.map(euclidDown),
    0,
  );
  const gram = (j: number, k: number) =>
    j === k ? intervalDot(columns[j]!, columns[j]!) : intervalDot(columns[j]!, columns[k]!);
  const b = Array.from({ length: cols }, (_, j) => Array.from({ length: j + 1 }, (_, k) => gram(j, k)));
  // the largest singular value of the midpoints (float64's SVD; power iteration converges slowly on a cluster)
  const sigma = Math.max(estimate, spectralNorm(mat(rows, cols, mid)));
  for (const margin of SPECTRAL_MARGINS) {
    const mu = up(up(sigma * (1 + margin)) * up(sigma * (1 + margin)));
    if (
      mu > 0 &&
      Number.isFinite(mu) &&
      positiveDefinite(cols, (j, k) => intervalAdd(j === k ? intervalFromNumber(mu) : ZERO, intervalNeg(b[j]![k]!)))
    )
      return { lo: lower, hi: Math.max(lower, up(Math.sqrt(mu))) };
  }
  const frobenius = intervalDot(data, data);
  return { lo: lower, hi: Math.max(lower, up(Math.sqrt(frobenius.hi))) };
}

/** A lower bound on the Euclidean norm of a vector of intervals (each entry's smallest magnitude). */
function mignitudeNorm(xs: readonly Interval[]): number {
  let s = 0;
  for (const x of xs) s = Math.max(0, addDown(s, mulDown(mignitude(x), mignitude(x))));
  return s === 0 ? 0 : Math.max(0, down(Math.sqrt(s)));
}

/**
 * Every symmetric matrix inside the enclosure (its lower triangle `m(j, k)`, k ≤ j) is positive definite: the
 * interval Cholesky factorisation runs through with every pivot's interval above 0.
 */
function positiveDefinite(n: number, m: (j: number, k: number) => Interval): boolean {
  const l: Interval[][] = [];
  for (let j = 0; j < n; j++) {
    const row: Interval[] = [];
    l.push(row);
    for (let k = 0; k <= j; k++) {
      let s = m(j, k);
      for (let p = 0; p < k; p++) s = intervalAdd(s, intervalNeg(intervalMul(row[p]!, l[k]![p]!)));
      if (k === j) {
        if (!(s.lo > 0) || !Number.isFinite(s.hi)) return false;
        row.push(intervalSqrt(s));
      } else {
        const q = intervalDiv(s, l[k]![k]!);
        if (!q || !isFiniteInterval(q)) return false;
        row.push(q);
      }
    }
  }
  return true;
}

/** The ring of intervals; `work` is charged one unit per product (a budget, like the decimals'). */
/**
 * Below this, a product's widening (|x|·2⁻⁵² + 2⁻¹⁰⁷⁴) and the products and sums after it are subnormal, where the
 * processor takes its slow path: an 8 × 8 interval product at 10⁻³⁰⁰ costs ≈ 350 ns a multiply-add, at 10⁻³¹⁰ ≈ 600,
 * against 30 at 1 (this machine's Node 20).
 */
const SUBNORMAL_REACH = 2 ** -960;
/**
 * Such a product's cost on the claim's work meter, in products (what it takes: products of 2000 Jacobians underflow,
 * and their looks ran 4× as long as the meter counted); its arithmetic's own budget counts products, one each.
 */
export const SUBNORMAL_PRODUCT_COST = 20;
const inSubnormalReach = (a: Interval): boolean =>
  !isExactZero(a) && Math.abs(a.lo) < SUBNORMAL_REACH && Math.abs(a.hi) < SUBNORMAL_REACH;

/** `work(n, subnormal)`: n products done, in subnormal reach (SUBNORMAL_PRODUCT_COST on the meter) or not */
export function intervalRing(work: (n?: number, subnormal?: boolean) => void): Ring<Interval> {
  const ordered: OrderedRing<Interval> = {
    abs: intervalAbs,
    sqrt: intervalSqrt,
    lt: intervalLess,
    toNumber: intervalMidpoint,
    max: (a, b) => ({ lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }),
    min: (a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.min(a.hi, b.hi) }),
    enclosures: { spectralNorm: (m) => intervalSpectralNorm(m, work) },
  };
  return {
    zero: ZERO,
    one: ONE,
    add: intervalAdd,
    sub: (a, b) => intervalAdd(a, intervalNeg(b)),
    neg: intervalNeg,
    mul: (a, b) => {
      const product = intervalMul(a, b);
      work(1, inSubnormalReach(product));
      return product;
    },
    fromNumber: intervalFromNumber,
    isZero: isExactZero,
    constantOf: (a) => (a.lo === a.hi ? a.lo : null),
    div: intervalDiv,
    key: (a) => `${a.lo}:${a.hi}`,
    ordered,
  };
}

/** Relative widening of an activation's float64 result: thousands of ulps, far above the rules' own error (< 4 ulps). */
const ACTIVATION_SLACK = 2 ** -40;

/**
 * f over an interval for a nondecreasing activation (its float rule at both ends, widened by ACTIVATION_SLACK and
 * kept inside the function's range). Only where both ends and both results are normal doubles or exactly 0 (from
 * an argument of 0): there the rules (fdlibm's tanh and exp, σ through exp, the correctly rounded √ and log) are
 * accurate to a few ulps. Elsewhere no rule here (the decimals take over).
 */
export function intervalActivation(f: (x: number) => number, range: readonly [number, number], x: Interval): Interval {
  const end = (arg: number, toward: -1 | 1): number => {
    const y = f(arg);
    const normal = (v: number) => Number.isFinite(v) && Math.abs(v) >= 2 ** -1022;
    if (arg === 0 ? !(y === 0 || normal(y)) : !normal(arg) || !normal(y))
      throw new SymbolicUnsupported('an activation outside float64 range has no interval rule');
    return y === 0 ? 0 : y + toward * Math.abs(y) * ACTIVATION_SLACK;
  };
  const lo = Math.max(range[0], end(x.lo, -1));
  const hi = Math.min(range[1], end(x.hi, 1));
  return lo === 0 && hi === 0 ? ZERO : { lo, hi };
}

/**
 * An upper bound on ‖a − b‖ / max(‖a‖, ‖b‖) over every pair of values inside the enclosures (Euclidean norms; a
 * side of one entry broadcasts, as the float comparison does; 0 when both sides are exactly 0, as there), or
 * Infinity when the enclosures allow a scale of 0 with a difference that need not be.
 */
export function relErrorBound(a: readonly Interval[], b: readonly Interval[]): number {
  const n = Math.max(a.length, b.length);
  const at = (xs: readonly Interval[], i: number) => (xs.length === 1 ? xs[0]! : xs[i]!);
  let diffSquaresUp = 0;
  let aSquaresDown = 0;
  let bSquaresDown = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = [at(a, i), at(b, i)];
    const d = magnitude(intervalAdd(x, intervalNeg(y)));
    diffSquaresUp = addUp(diffSquaresUp, mulUp(d, d));
    aSquaresDown = Math.max(0, addDown(aSquaresDown, mulDown(mignitude(x), mignitude(x))));
    bSquaresDown = Math.max(0, addDown(bSquaresDown, mulDown(mignitude(y), mignitude(y))));
  }
  if (diffSquaresUp === 0) return 0;
  const scaleDown = Math.max(0, down(Math.sqrt(Math.max(aSquaresDown, bSquaresDown))));
  return scaleDown > 0 ? up(up(Math.sqrt(diffSquaresUp)) / scaleDown) : Infinity;
}

/**
 * An upper bound on (x − y) / max(|x|, |y|) (0 where both are 0) over every x and y inside the enclosures: the
 * excess of a bound x ≤ y, as the float comparison measures it. Infinity where x may exceed y by an amount the
 * enclosures cannot scale (a scale that may be 0).
 */
export function excessBound(x: Interval, y: Interval): number {
  const gapUp = addUp(x.hi, -y.lo);
  const [scaleUp, scaleDown] = [Math.max(magnitude(x), magnitude(y)), Math.max(mignitude(x), mignitude(y))];
  // x − y ≤ gapUp ≤ 0: the ratio is largest at the largest scale (and 0 when both are exactly 0)
  if (gapUp <= 0) return scaleUp === 0 ? 0 : up(gapUp / scaleUp);
  return scaleDown > 0 ? up(gapUp / scaleDown) : Infinity;
}

/** Every entry finite (a bound at ±Infinity encloses nothing useful, NaN nothing at all). */
export const isFiniteInterval = (a: Interval): boolean => Number.isFinite(a.lo) && Number.isFinite(a.hi);

/** A matrix of intervals as [lo, hi] texts (6 significant digits) for reports. */
export const intervalPreview = (a: Interval, digits = 6): string => {
  // a float64 holds 17 significant digits
  const p = Math.min(digits, 17);
  return a.lo === a.hi
    ? `${Number(a.lo.toPrecision(p))}`
    : `[${Number(a.lo.toPrecision(p))}, ${Number(a.hi.toPrecision(p))}]`;
};
