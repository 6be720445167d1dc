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

/** The most points the sup's search computes in decimals (≈ 0.3 ms each at 40 and 64 digits). */
export const PRECISE_POINTS = 500;

/** The largest |f| found (NaN where no point's value could be settled). */
export function supAbs(f: WatchedScalar): number {
  let sup = sups.get(f);
  if (sup === undefined) sups.set(f, (sup = search(f)));
  return sup;
}

/** Results per function object: the functions searched are pure (compiled scalar functions), so one search each. */
const sups = new WeakMap<WatchedScalar, number>();

/** A value's relative width below which its enclosure's lower bound is taken as the value (what float64 lets pass). */
const TIGHT = 2 ** -33;

function search(f: WatchedScalar): number {
  const enclosure = f.extended?.enclosure ?? null;
  const precise = f.extended?.precise ?? null;
  let best = -Infinity;
  let bestX = 0;
  const take = (x: number, y: number) => {
    if (y > best) [best, bestX] = [y, x];
  };
  /** |f(x)| where float64 computes it with nothing noted lost; null where it loses digits; NaN where it is NaN */
  const plain = (x: number): number | null => (f.lost(x) > 0 ? null : Math.abs(f.value(x)));
  /** |f(x)| to 2⁻³³ from the extended forms (the decimals only if `decimals`), or null */
  const settled = (x: number, decimals: boolean): number | null => {
    const e = enclosure?.(x) ?? null;
    if (e && e[1] <= best) return e[1];
    if (e && e[1] - e[0] <= TIGHT * e[0]) return e[0];
    return decimals && precise ? precise(x) : null;
  };
  const grid: number[] = [];
  for (let k = 0; k <= 8000; k++) grid.push(-40 + (80 * k) / 8000);
  grid.push(-1e3, -1e6, 1e3, 1e6);
  const doubtful: number[] = [];
  for (const x of grid) {
    const y = plain(x);
    if (y === null) doubtful.push(x);
    else if (!Number.isNaN(y)) take(x, y);
  }
  // the doubtful points in two rounds: what the intervals settle (or show below the sup found), then decimals for an
  // even spread of the rest
  const open: number[] = [];
  for (const x of doubtful) {
    const y = settled(x, false);
    if (y === null) open.push(x);
    else take(x, y);
  }
  const stride = Math.max(1, Math.ceil(open.length / PRECISE_POINTS));
  for (let i = 0; i < open.length; i += stride) {
    const y = settled(open[i]!, true);
    if (y !== null) take(open[i]!, y);
  }
  if (best === -Infinity) return NaN;
  // Golden-section refinement inside the best point's neighbourhood (the grid's spacing, or the decimals' stride).
  const g = (x: number) => plain(x) ?? settled(x, true) ?? -Infinity;
  const width = (80 / 8000) * (doubtful.includes(bestX) ? stride : 1);
  let [a, b] = [bestX - width, bestX + width];
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 80; it++) {
    const c = b - phi * (b - a);
    const d = a + phi * (b - a);
    if (g(c) >= g(d)) b = d;
    else a = c;
  }
  const refined = g((a + b) / 2);
  return Number.isNaN(refined) ? best : Math.max(best, refined);
}
