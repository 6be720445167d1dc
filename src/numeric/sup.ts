/**
 * sup over the reals of |f(x)| for a scalar function, as in the lab's max_x |1 − tanh(x)²|. A grid over [−40, 40]
 * refined by golden-section search, plus the far tails. Every value taken is |f| to within 2⁻³³: float64's where it
 * notes nothing lost computing it (src/ir/scalar-function.ts compileScalarLoss), and elsewhere — where the body
 * cancels, float64's value may be anything near the rounding of its operands, larger than f anywhere: (1 − tanh x)·
 * e^{2x}, whose sup is 2, is 3.5 at x = 19, and `2.3 <= supabs(x, (1 - tanh(x)) * exp(2 * x))` was consistent (a
 * review found it) — from the extended forms of the body (src/symbolic/domains/scalar-extended.ts): a point whose
 * interval enclosure stays below the sup found is passed over, a tight enclosure gives its lower bound, and the rest
 * (at most PRECISE_POINTS of them, evenly spread) are computed in decimals. A point none of these settles is not
 * taken. The result is a lower bound of the true supremum to 2⁻³³, so a ≤ claim whose right side uses it is not
 * passed by an overestimate; missing the sup (a narrow peak, or one only where nothing settles the value) errs the
 * other way. Memoised per function object, so `f` must be pure (compiled scalar functions are; they are shared per
 * model and body, see evaluate.ts).
 */
import type { ExtendedScalar } from '../symbolic/domains/scalar-extended.js';

/** A scalar function compiled with what float64 loses computing it at each point, and its extended forms. */
export interface WatchedScalar {
  readonly value: (x: number) => number;
  /** the relative precision float64 lost computing `value(x)` (0: nothing noted) */
  readonly lost: (x: number) => number;
  /** for the points where float64 loses digits (absent: those points are not taken) */
  readonly extended?: ExtendedScalar;
}

/** The most points the sup's search computes in decimals (≈ 0.3 ms each at 40 and 64 digits for a small body). */
export const PRECISE_POINTS = 500;

/** Operations of a body the decimals may evaluate in one sup's search (PRECISE_POINTS shrinks to fit a large body). */
export const PRECISE_OPERATIONS = 250_000;

/** Float64's largest values checked in decimals, at most (until one is confirmed: usually the first). */
const CHECKED_POINTS = 64;

/** The far tails, always looked at (a sup approached at ±∞). */
const TAILS = [-1e3, -1e6, 1e3, 1e6];

/**
 * Beyond the fine grid's [−40, 40], points spaced geometrically out to ±1e6 (FAR_POINTS a side, ≈ 0.85 % apart): a
 * peak at x = 45, 50, 60 or 100 (`supabs(x, exp(-(x - 45)^2) + 0.001)`, sup 1.001) was missed and the true bounds on
 * it refuted (a review's).
 */
const FAR_POINTS = 1200;
const FAR_RATIO = (1e6 / 40) ** (1 / FAR_POINTS);
/**
 * Farther still, always looked at: a body that grows without bound is taken where float64 still computes it (log(1 +
 * x²), whose sup is +∞, gave 27.6 at x = 1e6, and `100 * normMax(h[T]) <= supabs(x, log(1 + x^2))` was refuted; 690
 * at 1e150). Still a lower bound of the sup — +∞ would not be one for a body that only grows far out — so a bound
 * against an unbounded body past what float64 reaches stays a false alarm. A limit approached at ±∞ (tanh, x/(1 + |x|))
 * is reached in float64 there.
 */
const VERY_FAR = [1e12, 1e50, 1e150];

/** The largest |f| found (NaN where no point's value could be settled). */
export function supAbs(f: WatchedScalar): number {
  return searched(f).value;
}

/**
 * A rigorous lower bound of sup |f|: the lower end of the body's interval enclosure of |f| at the point where the
 * search found its largest value (|f(x*)| ≤ sup |f|). Null where the body has no enclosure there, or it is not finite
 * and positive (0 bounds nothing worth stating). Float64's value is no such bound: it encloses nothing. For interval
 * arithmetic, which may only prove a claim with it where the claim is nondecreasing in the sup.
 */
export function supLowerBound(f: WatchedScalar): number | null {
  const sup = searched(f);
  if (sup.lower === undefined) {
    const e = sup.at === null ? null : (f.extended?.enclosure?.(sup.at) ?? null);
    sup.lower = e && Number.isFinite(e[0]) && e[0] > 0 && e[0] <= e[1] ? e[0] : null;
  }
  return sup.lower;
}

/** A search's result: the sup found, where (null: nowhere), and its rigorous lower bound once asked for. */
interface Searched {
  readonly value: number;
  readonly at: number | null;
  lower?: number | null;
}

function searched(f: WatchedScalar): Searched {
  let sup = sups.get(f);
  if (sup === undefined) sups.set(f, (sup = search(f)));
  return sup;
}

/** Results per function object: the functions searched are pure (compiled scalar functions), so one search each. */
const sups = new WeakMap<WatchedScalar, Searched>();

/** A value's relative width below which its enclosure's lower bound is taken as the value (what float64 lets pass). */
const TIGHT = 2 ** -33;

function search(f: WatchedScalar): Searched {
  const enclosure = f.extended?.enclosure ?? null;
  const precise = f.extended?.precise ?? null;
  let best = -Infinity;
  let bestX = 0;
  const take = (x: number, y: number) => {
    if (y > best) [best, bestX] = [y, x];
  };
  /** |f(x)| where float64 computes it with nothing noted lost; null where it loses digits; NaN where it is NaN */
  // (an overflow to ±Infinity notes nothing lost, yet is no value of |f|: doubtful, as a loss is — taken as trusted,
  // ≈ 1700 of them used every decimal check of the largest values, and no value was taken; a review's)
  const plain = (x: number): number | null => {
    if (f.lost(x) > 0) return null;
    const y = Math.abs(f.value(x));
    return y === Infinity ? null : y;
  };
  /** |f(x)| to 2⁻³³ from the extended forms (the decimals only if `decimals`), or null */
  const settled = (x: number, decimals: boolean): number | null => {
    const e = enclosure?.(x) ?? null;
    // below the sup found: it cannot be the sup (−∞, taken as no value)
    if (e && e[1] <= best) return -Infinity;
    if (e && e[1] - e[0] <= TIGHT * e[0]) return e[0];
    return decimals && precise ? precise(x) : null;
  };
  const grid: number[] = [];
  for (let k = 0; k <= 8000; k++) grid.push(-40 + (80 * k) / 8000);
  grid.push(...TAILS);
  // The far points only for a body the decimals can check: out there float64's unnoted roundings compound (each
  // cancellation under the noted 2⁻³³) — a declared c(x) = (x + 1)³ − x³ − 3x² − 3x, 1 everywhere, was 14.3 at
  // x ≈ 4.9e5, and a false bound against it passed (a review's); its values are taken as they come (no decimals).
  const far = precise ? [...VERY_FAR.flatMap((x) => [x, -x])] : [];
  if (precise) for (let k = 1; k <= FAR_POINTS; k++) grid.push(40 * FAR_RATIO ** k, -40 * FAR_RATIO ** k);
  const always = [...TAILS, ...far];
  grid.push(...far);
  const doubtful: number[] = [];
  const trusted: [number, number][] = [];
  for (const x of grid) {
    const y = plain(x);
    if (y === null) doubtful.push(x);
    else if (!Number.isNaN(y)) trusted.push([x, y]);
  }
  // Float64's values, largest first, each checked in decimals until one holds: losses under the noted 2⁻³³ compound
  // unnoted (((e^x·e^{−x})^1000)^1000… is 1.25 in float64 and 1 truly; two cancellations of 2¹⁹ each) — where the
  // decimals give another value it is taken instead, and below a value they confirm none can raise the sup. Without
  // a decimal form (a declared function) float64's values are taken as they are.
  trusted.sort((p, q) => q[1] - p[1]);
  let checked = 0;
  for (const [x, y] of trusted) {
    if (!precise) {
      take(x, y);
      break;
    }
    if (checked++ >= CHECKED_POINTS) break; // past the checks: the rest are not taken unconfirmed
    const d = precise(x);
    if (d === null) continue; // the decimals do not settle it either: not taken
    if (Math.abs(d - y) <= TIGHT * d) {
      take(x, y);
      break;
    }
    take(x, d);
  }
  // the doubtful points in two rounds: what the intervals settle (or show below the sup found), then decimals for an
  // even spread of the rest
  const open: number[] = [];
  for (const x of doubtful) {
    const y = settled(x, false);
    if (y === null) open.push(x);
    else take(x, y);
  }
  // as many as PRECISE_POINTS, fewer for a large body (its operations within PRECISE_OPERATIONS), the tails always
  const points = Math.max(1, Math.min(PRECISE_POINTS, Math.floor(PRECISE_OPERATIONS / (f.extended?.operations ?? 1))));
  const stride = Math.max(1, Math.ceil(open.length / points));
  const sampled = open.filter((x, i) => i % stride === 0 || always.includes(x));
  for (const x of sampled) {
    const y = settled(x, true);
    if (y !== null) take(x, y);
  }
  if (best === -Infinity) return { value: NaN, at: null };
  // Golden-section refinement inside the best point's neighbourhood (the grid's spacing, or the decimals' stride).
  const g = (x: number) => plain(x) ?? settled(x, true) ?? -Infinity;
  const spacing = Math.abs(bestX) <= 40 ? 80 / 8000 : Math.abs(bestX) * (FAR_RATIO - 1);
  const width = spacing * (doubtful.includes(bestX) ? stride : 1);
  let [a, b] = [bestX - width, bestX + width];
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 80; it++) {
    const c = b - phi * (b - a);
    const d = a + phi * (b - a);
    if (g(c) >= g(d)) b = d;
    else a = c;
  }
  // the refined point's value as the grid's were taken: float64's where the decimals confirm it (or have no form)
  const mid = (a + b) / 2;
  const refined = plain(mid) === null ? g(mid) : (precise?.(mid) ?? (precise ? null : plain(mid)));
  return refined === null || Number.isNaN(refined) || refined <= best
    ? { value: best, at: bestX }
    : { value: refined, at: mid };
}
