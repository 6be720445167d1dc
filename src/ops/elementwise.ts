/**
 * Scalar rules of elementwise functions: the value and the derivative, the
 * latter given both x and y = f(x) because that is how the documents write
 * derivatives (tanh′ = 1 − h², σ′ = σ(1 − σ)).
 */
export interface ElementwiseRule {
  readonly value: (x: number) => number;
  /** f′(x) given x and y = f(x) */
  readonly derivative: (x: number, y: number) => number;
  /** the derivative as the documents write it, for messages and rendering */
  readonly derivativeText: string;
  /**
   * what float64 loses computing value(x) (a declared function: cancellation inside its body, as a relative
   * precision, src/ir/scalar-function.ts compileScalarLoss; 0 nothing noted); absent for the built-ins, which lose
   * nothing beyond their rounding
   */
  readonly lostAt?: (x: number) => number;
  /**
   * what float64 loses computing derivative(x, y) (a relative precision, 0 nothing noted): 1 − y² at a saturated tanh
   * (≈ 8 digits at x = 10), σ(1 − σ), a declared derivative's body (compileScalarLoss); absent where it cancels nothing
   */
  readonly derivativeLost?: (x: number, y: number) => number;
  /**
   * how many times the function magnifies x's relative error (log: 1/|log x|, infinite at 1), for a function whose
   * derivative reads x alone: x's rounding alone then loses digits (log(1 + 1e-17) is 0; lost-digits.ts
   * amplifiedRoundingOf), and what x lost on the way is magnified (magnifiedLoss); noted where a claim or a declared
   * function's body computes it, and in a model's
   * forward pass as a sum's cancellation (Kernel.lostDigits), which a derivative reading the value then carries — a
   * product's toward its other operand; not y .* log(ŷ)'s toward an input y, which no sweep but one from or to y
   * takes (src/numeric/unrolled.ts inputsOf)
   */
  readonly magnification?: (x: number, y: number) => number;
}

/**
 * How many times f magnifies x's relative error at x (y = f(x)): its condition number |x·f′(x)/f(x)| — exp |x|,
 * σ |x|(1 − σ), tanh at most 1, a declared function's from its declared derivative — or the rule's own
 * (`magnification`: log's 1/|log x|). Infinite where f(x) is 0 and f′ is not, or where it cannot be told (NaN).
 */
export function conditionOf(rule: ElementwiseRule, x: number, y: number): number {
  let c: number;
  if (rule.magnification) c = rule.magnification(x, y);
  else {
    const slope = x * rule.derivative(x, y);
    if (slope === 0) return 0;
    c = Math.abs(slope / y);
  }
  return Number.isNaN(c) ? Infinity : c;
}

/** conditionOf at its worst over the entries of x (y = f(x) entry by entry). */
export function worstCondition(rule: ElementwiseRule, x: ArrayLike<number>, y: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const c = conditionOf(rule, x[i]!, y[i]!);
    if (!(c <= worst)) worst = c;
  }
  return worst;
}

/** The logistic function, in two branches so neither exp overflows for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** How far either side of 0 steepestPoint looks for f′'s largest magnitude (a bias's box beyond the regimes, ±64). */
const STEEPEST_REACH = 64;
/** The step of steepestPoint's grid. */
const STEEPEST_STEP = 1 / 64;
/** Grid values within this relative distance of the largest |f′| are maximisers too (a plateau: a leaky ReLU's slope). */
const STEEPEST_TIE = 1e-9;
/** Golden-section steps refining steepestPoint's grid point (the cell shrinks 0.618 times a step: to 1e-13 of it). */
const STEEPEST_REFINE = 60;
/** How close to 0 steepestPoint looks for a one-sided supremum at 0: 2^-40 (|f′| within 1e-12 of it for ELU forms). */
const STEEPEST_APPROACH = 40;

const steepestOf = new WeakMap<ElementwiseRule, number | null>();

/**
 * Where |f′| is largest, for a function whose maximiser is not 0: the maximiser nearest 0 (the positive one of a tie)
 * of |derivative(x, value(x))| over a grid of step 1/64 on [−64, 64], refined by golden section on the cells either side
 * of it. Null where f′ has no such maximiser: it peaks at 0 or next to it (tanh, σ, the identity; a pole: log, sqrt),
 * or the run of grid maximisers around the one nearest 0 (values within STEEPEST_TIE of the largest) reaches 0 (|x|, a
 * leaky ReLU's slope on x > 0) or the grid's edge (f′ rising to a supremum it never reaches: exp, softplus's σ, which is
 * 1 in float64 from 37 on). SiLU x σ(x): 2.39936 (f′ 1.09984); GELU's tanh form: 1.41850 (1.12899). Non-finite values
 * of f′ (0/0 at a kink) are passed over. Computed once per rule (a built-in's, or a function a derivation file declares).
 */
export function steepestPoint(rule: ElementwiseRule): number | null {
  if (steepestOf.has(rule)) return steepestOf.get(rule)!;
  const slope = (x: number): number => {
    const s = Math.abs(rule.derivative(x, rule.value(x)));
    return Number.isFinite(s) ? s : -Infinity;
  };
  const n = Math.round(STEEPEST_REACH / STEEPEST_STEP);
  const grid = Array.from({ length: 2 * n + 1 }, (_, i) => slope((i - n) * STEEPEST_STEP));
  const top = Math.max(...grid);
  const tied = (k: number) => grid[k + n]! >= top * (1 - STEEPEST_TIE);
  // the grid maximiser nearest 0, then the run of maximisers it lies in
  let k = 0;
  while (k <= n && !tied(k) && !tied(-k)) k++;
  let at: number | null = null;
  if (top > 0 && Number.isFinite(top) && k <= n) {
    const found = tied(k) ? k : -k;
    let [first, last] = [found, found];
    while (first > -n && tied(first - 1)) first--;
    while (last < n && tied(last + 1)) last++;
    if (
      Math.min(Math.abs(first), Math.abs(last)) > 1 &&
      first > -n &&
      last < n &&
      Math.sign(first) === Math.sign(last)
    ) {
      // golden section on the cells either side of it, where |f′| rises to its maximum and falls after it
      const g = (Math.sqrt(5) - 1) / 2;
      let [lo, hi] = [(found - 1) * STEEPEST_STEP, (found + 1) * STEEPEST_STEP];
      for (let i = 0; i < STEEPEST_REFINE; i++) {
        const [a, b] = [hi - g * (hi - lo), lo + g * (hi - lo)];
        if (slope(a) >= slope(b)) hi = b;
        else lo = a;
      }
      const mid = (lo + hi) / 2;
      at = slope(mid) >= grid[found + n]! ? mid : found * STEEPEST_STEP;
    } else if (first === last && Math.abs(found) === 1) {
      // One grid maximiser, next to 0, and 0 none: |f′| may rise to a supremum it reaches only as x → 0 from that side
      // (a scaled ELU's λα, at 0⁻, where the file's f′(0) is the other side's λ). Points 2^-j toward 0 find it: the
      // steepest of them if steeper than the grid (a claim 1e-6 under λα was consistent at x = 0; review152's).
      // A pole (log, sqrt: |f′| doubling with each halving) is no supremum: null, as before.
      const side = Math.sign(found);
      let [best, bestSlope] = [found * STEEPEST_STEP, grid[found + n]!];
      for (let j = 7; j <= STEEPEST_APPROACH; j++)
        if (slope(side * 2 ** -j) > bestSlope) [best, bestSlope] = [side * 2 ** -j, slope(side * 2 ** -j)];
      const [last, before] = [slope(side * 2 ** -STEEPEST_APPROACH), slope(side * 2 ** -(STEEPEST_APPROACH - 1))];
      at = Math.abs(last - before) <= 1e-9 * last ? best : null;
    }
  }
  steepestOf.set(rule, at);
  return at;
}
