/**
 * Digits lost on the way to a point: in the subnormals, and to cancellation.
 * A float64 value below 2.2e-308 keeps fewer
 * than 53 significant bits (1e-320 keeps about 10 of them), and nothing in
 * the final value shows it once later factors bring it back into the normal
 * range: 1e220 · (1e-320 · g) is off by ≈ 2e-4 and would read as a violation.
 * So every value on the way to a point is watched: the evaluator notes the
 * worst relative precision among the subnormal entries of the values it
 * computes (and of the vectors inside lazy products and derivative sweeps),
 * and the point's comparison treats a violation within reach of that
 * precision like one within reach of ordinary rounding (src/check/extended-check.ts).
 * Elementwise sums note the same way what they lose to cancellation: 1 − σ(30)
 * in float64 is off by 1e-3 of its value, and a gate's slope written out as
 * σ(x)(1 − σ(x)) would otherwise refute a true identity. The dot products
 * inside matrix products (matrix–matrix and matrix–vector, the walks of powers
 * and ordered products, a derivative sweep's steps) note theirs the same way,
 * n·u·Σₖ|aᵢₖbₖⱼ| against the product's largest entry (`productCancellationOf`): a nilpotent rank-one W with
 * ‖W‖ = 0.5 has a W·W of 3e-18 made of terms of 0.1, float64's value of it is
 * 30 % off, and `norm2(jac(h[T], h[T-2])) >= norm2(W^2)` (an equality for a
 * linear model) was refuted on that noise.
 *
 * The record is one number per thread, like a floating-point exception flag:
 * `takeLostPrecision()` reads and clears it, `noteLostPrecision` raises it.
 * Memoised values keep their own figure and raise it again when they are read
 * (the evaluator, product walks and sweeps do this), so a point's figure never
 * depends on what was evaluated before it.
 */

/** The smallest positive normal float64. */
export const SMALLEST_NORMAL = 2.2250738585072014e-308;
/** The subnormals' spacing (the smallest positive float64): every subnormal is a multiple of it. */
const SUBNORMAL_SPACING = 5e-324;

let worst = 0;
/**
 * The same record without what was noted as the forward pass's (`noteForwardLoss`): the digits the claim's own
 * evaluation lost. A point reading a value the model's forward pass lost digits on carries that figure at every
 * binding; this one still tells its points apart (which lost most on the claim's own way).
 */
let ownWorst = 0;
/** the callers' own records, saved by `openOwnRecord` and raised again by `closeOwnRecord` (a stack: records nest) */
const outerOwn: number[] = [];
/** the own part (without the forward pass's) of the figure the last `closeOwnRecord` returned */
let closedOwn = 0;

/** The relative precision left in the least precise subnormal entry of `data` (0 when none is subnormal). */
export function lostPrecisionOf(data: ArrayLike<number>): number {
  let smallest = Infinity;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (a < SMALLEST_NORMAL && a > 0 && a < smallest) smallest = a;
  }
  return smallest === Infinity ? 0 : SUBNORMAL_SPACING / smallest;
}

/** float64's unit roundoff (half an ulp of 1). */
export const ROUNDOFF = 2 ** -53;
/** Cancellation is noted from this many lost bits on (fewer leave a value within 2^-33 ≈ 1e-10 of its own). */
const NOTED_CANCELLATION = 2 ** -33;

/**
 * The relative precision left in x ± y after cancellation: each operand is only as good as its rounding, so
 * the sum r is good to ROUNDOFF · (|x| + |y|) / |r| (1 − σ(30) keeps 13 bits of 53; a sum cancelled to exactly
 * 0 from nonzero operands keeps none). Noted only beyond NOTED_CANCELLATION.
 */
export function noteCancellation(x: number, y: number, r: number): void {
  noteLostPrecision(cancellationOf(x, y, r));
}

/**
 * What `noteCancellation` would note for x ± y = r (0 for nothing): for loops over many entries, which note
 * the largest once (the record keeps the largest of what is noted, whatever the order).
 */
export function cancellationOf(x: number, y: number, r: number): number {
  const size = Math.abs(x) + Math.abs(y);
  // Most sums cancel little: ROUNDOFF · size / |r| ≤ 2⁻³³ exactly when size ≤ 2²⁰ · |r| (products by powers of
  // two are exact, ROUNDOFF · size too above the subnormals), and a quotient at most 2⁻³³ rounds to at most
  // 2⁻³³, which is not noted: no division for those. (An infinite size passes only with an infinite r, which
  // the test below would set aside too.)
  if (size >= EXACT_ROUNDOFF_PRODUCT && size <= NOTED_RATIO * Math.abs(r)) return 0;
  if (!(size > 0) || !Number.isFinite(size)) return 0;
  const precision = r === 0 ? 1 : Math.min(1, (ROUNDOFF * size) / Math.abs(r));
  return precision > NOTED_CANCELLATION ? precision : 0;
}

/**
 * What an operation that magnifies its operand's relative error `factor` times leaves of a value carrying only its
 * rounding (ROUNDOFF): a power x^k (|k| times), log near 1 (1/|log x| times). Rounding alone then loses digits: 1 + 1e-17
 * is 1 in float64, and (1 + 1.1e-16)^1e16 (truly e^1.1) is 1, log(1 + 1e-17) (truly 1e-17) is 0 — the false
 * `((1 + 1.1e-16) ^ 1e16) * x <= 1.5 * x` and `log(1 + 1e-17) * x <= 1e-18 * x` were consistent. Noted only beyond
 * NOTED_CANCELLATION (from a factor of 2²⁰ on), as a sum's; every digit where the factor is infinite (log 1).
 */
export function amplifiedRoundingOf(factor: number): number {
  if (!(factor * ROUNDOFF > NOTED_CANCELLATION)) return 0;
  return Math.min(1, factor * ROUNDOFF);
}

/**
 * What an operation that magnifies its operand's relative error `factor` times leaves of a value whose operand carried
 * `lost` (a relative precision): factor·lost (beyond a factor of 1; below it the operand's own figure stands), and at
 * least its rounding's amplification. log((1e7 + 1 + 1e-9) − 1e7) is 1.86e-9 in float64 (truly 1.0e-9): the
 * difference keeps 2.2e-9 of its digits, which log near 1 magnifies 5.4e8 times (every digit) — the false
 * `L >= 1.5e-9 * sum(h[T] .^ 2)` with that factor in the loss was consistent, a review found.
 */
export function magnifiedLoss(factor: number, lost: number): number {
  const carried = lost > 0 && factor > 1 ? Math.min(1, factor * lost) : 0;
  return Math.max(carried, amplifiedRoundingOf(factor));
}

/**
 * What a product leaves of factors that carried `a` and `b` (relative precisions): their sum (to first order,
 * a product's relative errors add), at most every digit. A product of many factors each good to ε is good to
 * their count times ε, not ε: the largest figure alone let `prod(i, 1, 100, D)` pass where D lost digits.
 */
export const addedLoss = (a: number, b: number): number => Math.min(1, a + b);

/**
 * How many times a ± b magnifies its operands' relative errors, at worst over the entries (a one-entry operand
 * broadcast): (|a| + |b|) / |a ± b|, infinite where it cancels to 0 (1 where both are 0). A difference after a
 * cancellation magnifies what that lost: ((1e6 + 1.0001) − 1e6) − 1 is 9.9999947e-5 in float64 (truly 1e-4), the
 * first difference's 1.2e-10 grown 1e4 times (the false `(((1e6 + 1.0001) - 1e6) - 1) * x <= 9.999995e-5 * x` was
 * consistent, a review found).
 */
export function sumMagnification(a: ArrayLike<number>, b: ArrayLike<number>, sum: ArrayLike<number>): number {
  const [aStep, bStep] = [a.length === 1 ? 0 : 1, b.length === 1 ? 0 : 1];
  let worst = 1;
  for (let i = 0; i < sum.length; i++) {
    const size = Math.abs(a[i * aStep]!) + Math.abs(b[i * bStep]!);
    const r = Math.abs(sum[i]!);
    if (size === 0) continue;
    if (r === 0) return Infinity;
    if (size / r > worst) worst = size / r;
  }
  return worst;
}

/**
 * What a sum of entries (`sum(v)`, `trace(A)`) in a claim notes: its own cancellation, and what the entries lost
 * (`lost`), magnified where the sum cancels.
 */
export function noteReductionLosses(entries: ArrayLike<number>, total: number, lost: number): void {
  noteLostPrecision(reductionCancellationOf(entries, total));
  if (lost > 0) noteLostPrecision(magnifiedLoss(reductionMagnification(entries, total), lost));
}

/** The same for a sum of entries: Σ|xᵢ| / |Σ xᵢ|. */
export function reductionMagnification(entries: ArrayLike<number>, total: number): number {
  let size = 0;
  for (let i = 0; i < entries.length; i++) size += Math.abs(entries[i]!);
  if (size === 0) return 1;
  return total === 0 ? Infinity : Math.max(1, size / Math.abs(total));
}

/**
 * What a sum of n entries in float64 (added one by one, as `sumOf`) leaves of `total`, as `cancellationOf` does for
 * two: each partial sum is rounded, by at most ROUNDOFF of the entries' absolute sum, so the total is good to
 * (n − 1) · ROUNDOFF · Σ|x_i| / |total| (every digit lost where it cancels to exactly 0, or where Σ|x_i| overflows and
 * the total does not). Noted only beyond NOTED_CANCELLATION, as a sum's.
 */
export function reductionCancellationOf(entries: ArrayLike<number>, total: number): number {
  if (entries.length < 2 || !Number.isFinite(total)) return 0;
  let size = 0;
  for (let i = 0; i < entries.length; i++) size += Math.abs(entries[i]!);
  if (!(size > 0)) return 0;
  const precision =
    total === 0 || size === Infinity ? 1 : Math.min(1, ((entries.length - 1) * ROUNDOFF * size) / Math.abs(total));
  return precision > NOTED_CANCELLATION ? precision : 0;
}

/**
 * What the dot products of a matrix product C = A·B (rows × inner times inner × cols) lost to cancellation, as
 * `reductionCancellationOf` for a sum, but measured against the product as a whole: an entry c_ij = Σₖ a_ik b_kj made
 * in float64 (each product and each partial sum rounded, in whatever order a kernel adds them) is off by at most
 * e_ij = inner · ROUNDOFF · Σₖ |a_ik b_kj|, and the figure is max e_ij / max |c_ij| — the worst entry's lost digits
 * weighed by |c_ij| / max|c| — noted only beyond NOTED_CANCELLATION.
 *
 * Why the largest |c| and not each entry's own: a figure is a relative precision of the value as a whole (a point
 * compares norms, sums and products of it, each at least of the scale of its largest entry), and an entry 1e-12 of
 * max|C| that cancels to nothing moves ‖C‖ by 1e-12 of its own error at most. Measured per entry, long products
 * (40–64-long dot products, chained over a sequence) always have some entry that cancels by chance, and their every
 * agreement came out within reach of lost digits. What it still flags: a product whose EVERY entry is small against
 * its terms — W·W of a nearly nilpotent W, 3e-18 from terms of 0.1, max|C| itself 3e-18 — or any entry's error
 * beyond 2⁻³³ of the largest. What it leaves (as "what a matrix product magnifies of its operands' lost digits"): a
 * claim reading one small entry of a product alone. A product of all-zero entries from nonzero terms keeps no digit.
 *
 * Cheap, as the products it watches are the hot loops (a sweep's step, a product walk's): Σₖ |a_ik b_kj| is at most
 * max|A| · Σₖ |b_kj|, so a column where inner times that is at most 2²⁰ · max|C| cannot be noted and costs one
 * comparison — per matrix–vector product 2·rows + inner operations beyond the product, where max|A| (`aMax`) is the
 * caller's or `largestMagnitude`'s, kept per matrix. Only the entries of a column that may be noted have their own sum
 * of magnitudes taken. Entries are read through strides, so that transposed operands are read in place:
 * a_ik = a[i·aRow + k·aInner], b_kj = b[k·bInner + j·bCol], c_ij = c[i·cols + j].
 */
export function productCancellationOf(
  rows: number,
  inner: number,
  cols: number,
  a: ArrayLike<number>,
  aRow: number,
  aInner: number,
  b: ArrayLike<number>,
  bInner: number,
  bCol: number,
  c: ArrayLike<number>,
  aMax: number,
): number {
  // one term: a product rounded once, nothing cancels
  if (inner < 2) return 0;
  const cMax = maxMagnitude(c);
  // NaN: the comparison reports it as trouble itself
  if (Number.isNaN(cMax)) return 0;
  const noted = NOTED_RATIO * cMax;
  let worst = 0;
  for (let j = 0; j < cols; j++) {
    let bSize = 0;
    for (let k = 0; k < inner; k++) bSize += Math.abs(b[k * bInner + j * bCol]!);
    const bound = inner * aMax * bSize;
    // nothing to cancel (a zero column), nothing that can be noted, or NaN (trouble itself)
    if (!(bound > noted)) continue;
    for (let i = 0; i < rows; i++) {
      let size = 0;
      for (let k = 0; k < inner; k++) size += Math.abs(a[i * aRow + k * aInner]! * b[k * bInner + j * bCol]!);
      // no nonzero term (a true 0), or terms beyond float64's range (the value's own trouble, as cancellationOf)
      if (!(size > 0) || !Number.isFinite(size) || inner * size <= noted) continue;
      const precision = cMax === 0 ? 1 : Math.min(1, (inner * ROUNDOFF * size) / cMax);
      if (precision > worst) worst = precision;
    }
  }
  return worst > NOTED_CANCELLATION ? worst : 0;
}

/** y = A·x for A of rows × cols (row-major): what its dot products lost (`productCancellationOf`). */
export const matVecCancellation = (
  rows: number,
  cols: number,
  a: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
) => productCancellationOf(rows, cols, 1, a, cols, 1, x, 1, 0, y, largestMagnitude(a));

/** y = Aᵀ·x for A of rows × cols (row-major, read in place): what its dot products lost. */
export const matTVecCancellation = (
  rows: number,
  cols: number,
  a: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
) => productCancellationOf(cols, rows, 1, a, 1, cols, x, 1, 0, y, largestMagnitude(a));

/** C = A·B for A of rows × inner and B of inner × cols (both row-major): what its dot products lost. */
export const matMulCancellation = (
  rows: number,
  inner: number,
  cols: number,
  a: Float64Array,
  b: ArrayLike<number>,
  c: ArrayLike<number>,
) => productCancellationOf(rows, inner, cols, a, inner, 1, b, cols, 1, c, largestMagnitude(a));

/** A matrix of at most this many entries has its largest magnitude taken again rather than looked up. */
const LOOKED_UP_MAGNITUDES = 64;
const magnitudes = new WeakMap<Float64Array, number>();

/**
 * max |a_i| (NaN where an entry is NaN), kept per array beyond LOOKED_UP_MAGNITUDES entries: a product walk or a sweep
 * multiplies by the same matrix at every step. Only for arrays nothing writes once made — the evaluator's values, the
 * model's parameters and forward values, a sweep's kernel results (./simd.ts keeps resident copies on the same promise);
 * an array that is written in place (a sweep's adjoint accumulators) takes `maxMagnitude`.
 */
export function largestMagnitude(a: Float64Array): number {
  if (a.length <= LOOKED_UP_MAGNITUDES) return maxMagnitude(a);
  let m = magnitudes.get(a);
  if (m === undefined) magnitudes.set(a, (m = maxMagnitude(a)));
  return m;
}

/** max |a_i|, NaN where an entry is NaN. */
export function maxMagnitude(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i]!);
    if (x > m) m = x;
    else if (Number.isNaN(x)) return NaN;
  }
  return m;
}

/** NOTED_CANCELLATION / ROUNDOFF: the cancellation ratio |x| + |y| : |r| from which a sum is noted */
const NOTED_RATIO = 2 ** 20;
/** From here up ROUNDOFF · size is a normal float64 (exact): the quick test in `cancellationOf` holds. */
const EXACT_ROUNDOFF_PRODUCT = 2 ** -900;

/**
 * The worst `cancellationOf` over the entries of a + b = sum (vectors of one length), with its quick test in the loop:
 * a derivative sweep adds vectors at every node where paths meet, and most entries cancel nothing.
 */
export function sumsCancellation(a: ArrayLike<number>, b: ArrayLike<number>, sum: ArrayLike<number>): number {
  return addWatched(a, b, sum, false);
}

/** into += b, entry by entry, and what those sums lost to cancellation (as `sumsCancellation`). */
export function addIntoCancellation(into: Float64Array, b: ArrayLike<number>): number {
  return addWatched(into, b, into, true);
}

function addWatched(a: ArrayLike<number>, b: ArrayLike<number>, sum: ArrayLike<number>, inPlace: boolean): number {
  let worst = 0;
  for (let i = 0; i < sum.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    let r: number;
    if (inPlace) (sum as Float64Array)[i] = r = x + y;
    else r = sum[i]!;
    const size = Math.abs(x) + Math.abs(y);
    if (size >= EXACT_ROUNDOFF_PRODUCT && size <= NOTED_RATIO * Math.abs(r)) continue;
    const lost = cancellationOf(x, y, r);
    if (lost > worst) worst = lost;
  }
  return worst;
}

/** Raise the record to `precision` (a relative precision; 0 leaves it as it is). */
export function noteLostPrecision(precision: number): void {
  if (precision > worst) worst = precision;
  if (precision > ownWorst) ownWorst = precision;
}

/**
 * Raise the record to what the model's forward pass lost on the way to a value read from it (src/numeric/unrolled.ts,
 * lostAt): it counts as any lost digits do, but not in the own record (`ownLostPrecision`).
 */
export function noteForwardLoss(precision: number): void {
  if (precision > worst) worst = precision;
}

/** Raise the record as a memoised value's figures do: all of it, and its own part. */
export function noteLostPrecisions(all: number, own: number): void {
  if (all > worst) worst = all;
  if (own > ownWorst) ownWorst = own;
}

/** The record since the last take, cleared (the own record with it). */
export function takeLostPrecision(): number {
  const w = worst;
  worst = ownWorst = 0;
  return w;
}

/** The own record since the last take (without the forward pass's losses), not cleared: read it before the take. */
export function ownLostPrecision(): number {
  return ownWorst;
}

/**
 * The start of a memo's own record, as `withLostPrecision` keeps it but without a closure (the evaluator's
 * hot path): returns the caller's record, to hand to `closeOwnRecord` (in a `finally`).
 */
export function openOwnRecord(): number {
  outerOwn.push(ownWorst);
  return takeLostPrecision();
}

/**
 * The record raised since `openOwnRecord` (the memo's own figure); the caller's record raised by it too. Its part
 * without the forward pass's losses: `closedOwnPrecision()`, right after.
 */
export function closeOwnRecord(outer: number): number {
  const own = worst;
  closedOwn = ownWorst;
  worst = Math.max(outer, worst);
  ownWorst = Math.max(outerOwn.pop()!, ownWorst);
  return own;
}

/** The own part (without the forward pass's losses) of what the last `closeOwnRecord` returned. */
export function closedOwnPrecision(): number {
  return closedOwn;
}

/**
 * `compute`'s own figure (the record raised while it ran: every value is noted as it is made), with the
 * caller's record raised by it too — what a memo stores beside the value it memoises.
 */
export function withLostPrecision<T>(compute: () => T): [T, number] {
  const outer = openOwnRecord();
  try {
    const r = compute();
    return [r, worst];
  } finally {
    closeOwnRecord(outer);
  }
}

/** `withLostPrecision` with the figure's own part (without the forward pass's losses): [value, figure, own part]. */
export function withLostPrecisions<T>(compute: () => T): [T, number, number] {
  const outer = openOwnRecord();
  let value: T;
  let all: number;
  try {
    value = compute();
  } finally {
    all = closeOwnRecord(outer);
  }
  return [value, all, closedOwnPrecision()];
}

/** A node of a derivative sweep: a sequence at a time, or (time null) a parameter or the loss. */
interface SweepNode {
  readonly name: string;
  readonly time: number | null;
}

/**
 * A sweep's lookup that notes the digits lost on the way to each node it returns. A derivative that passed
 * through the subnormals on an earlier step of the sweep and grew back carries no trace of it, so a read at
 * time t notes the worst subnormal anywhere the sweep had been by then: times ≥ t for a sweep running
 * backwards (adjoints), ≤ t forwards (tangents), and anywhere for a node without a time (a parameter's adjoint
 * sums every step; the loss reads every step). `names`: the sequences at times 0..T. Computed from the sweep's
 * start as far as reads reach, once per time: a tangent sweep computes its steps as they are read (./unrolled.ts),
 * and is not made to run on past them here. `ownLoss`: what the sweep's own sums lost at each step (and, at null, in
 * the loss's list: an adjoint sweep from the loss crosses it first, a tangent sweep last, to the loss), noted the same
 * way as its subnormals.
 */
export function watchLostPrecision<N extends SweepNode>(
  lookup: (n: N) => Float64Array | null,
  direction: 'forward' | 'backward',
  T: number,
  names: readonly string[],
  ownLoss: (t: number | null) => number = () => 0,
  /**
   * the step the sweep starts at (default T backwards, 0 forwards): before it the sweep has no values and its sums
   * no losses, so the running worst starts there — a Jacobian across one step late in the sequence reads a step or
   * two, and walking from T (or 0) to them cost O(T) per sweep, in time and in a T + 1 array
   */
  start = direction === 'backward' ? T : 0,
): (n: N) => Float64Array | null {
  const backward = direction === 'backward';
  /** at[k]: the worst at the times the sweep had been by its k-th step from `start` (filled up to `reached`) */
  const at: number[] = [];
  let reached = backward ? start + 1 : start - 1;
  const worstAt = (t: number): number => {
    // before the start (above it backwards): nothing swept there, nothing lost
    if (backward ? t > start : t < start) return 0;
    while (backward ? reached > t : reached < t) {
      const time = backward ? --reached : ++reached;
      // the running worst in the sweep's own order
      let w = time !== start ? at[at.length - 1]! : backward ? ownLoss(null) : 0;
      w = Math.max(w, ownLoss(time));
      for (const name of names) {
        const v = lookup({ name, time } as N);
        if (v) w = Math.max(w, lostPrecisionOf(v));
      }
      at.push(w);
    }
    return at[backward ? start - t : t - start]!;
  };
  return (n) => {
    const v = lookup(n);
    // a tangent read at the loss has crossed the loss's list too
    if (v)
      noteLostPrecision(
        Math.max(worstAt(n.time ?? (backward ? 0 : T)), backward || n.time !== null ? 0 : ownLoss(null)),
      );
    return v;
  };
}

/**
 * The worst `derivativeLost` (src/ops/elementwise.ts) over the entries of an activation's argument x and value y: what
 * float64 loses computing its derivative there (0: nothing, or no such figure).
 */
export function derivativeLoss(
  derivativeLost: ((x: number, y: number) => number) | undefined,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): number {
  if (!derivativeLost) return 0;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const lost = derivativeLost(x[i]!, y[i]!);
    if (lost > worst) worst = lost;
  }
  return worst;
}

/** The worst `lostAt` over the entries of x: what float64 lost in a declared function's body there (0: nothing). */
export function worstLoss(lostAt: (x: number) => number, x: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const lost = lostAt(x[i]!);
    if (lost > worst) worst = lost;
  }
  return worst;
}
