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
