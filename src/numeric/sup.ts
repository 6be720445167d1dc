/**
 * sup over the reals of |f(x)| for a scalar function, as in the lab's
 * max_x |1 − tanh(x)²|. A grid over [−40, 40] refined by golden-section
 * search, plus the far tails. The result can only be a lower bound of the
 * true supremum, so a ≤ claim whose right side uses it is never passed by an
 * overestimate. Memoised per function object, so `f` must be pure (compiled
 * scalar functions are; they are shared per model and body, see evaluate.ts).
 */
export function supAbs(f: (x: number) => number): number {
  let sup = sups.get(f);
  if (sup === undefined) sups.set(f, (sup = search(f)));
  return sup;
}

/** Results per function object: the functions searched are pure (compiled scalar functions), so one search each. */
const sups = new WeakMap<(x: number) => number, number>();

function search(f: (x: number) => number): number {
  const g = (x: number) => {
    const y = Math.abs(f(x));
    return Number.isNaN(y) ? -Infinity : y;
  };
  const lo = -40;
  const hi = 40;
  const steps = 8000;
  let best = -Infinity;
  let bestX = 0;
  for (let k = 0; k <= steps; k++) {
    const x = lo + ((hi - lo) * k) / steps;
    const y = g(x);
    if (y > best) [best, bestX] = [y, x];
  }
  for (const x of [-1e3, -1e6, 1e3, 1e6]) {
    const y = g(x);
    if (y > best) [best, bestX] = [y, x];
  }
  // Golden-section refinement inside the best grid cell's neighbourhood.
  let [a, b] = [bestX - (hi - lo) / steps, bestX + (hi - lo) / steps];
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 80; it++) {
    const c = b - phi * (b - a);
    const d = a + phi * (b - a);
    if (g(c) >= g(d)) b = d;
    else a = c;
  }
  return Math.max(best, g((a + b) / 2));
}
