/**
 * Two exact-to-rounding scalar derivative references for the elementwise
 * activations, used to validate the engine's derivative rules:
 *  - forward-mode dual numbers  a + b·ε, ε² = 0;
 *  - the complex step  f'(x) ≈ Im f(x + ih)/h, which has no subtractive
 *    cancellation, so h can be tiny (1e-30) and the O(h²) error vanishes.
 * tanh and σ are written once, in terms of exp and field operations only, and
 * instantiated in both arithmetics. Their derivatives therefore come out of
 * the quotient and chain rules, never from the closed forms 1 − tanh² and
 * σ(1 − σ) that the engine uses — which is what makes this a check.
 */

/** The operations the activation formulas need, so each formula is written once. */
interface Arith<T> {
  lift(c: number): T;
  re(a: T): number;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  exp(a: T): T;
}

/**
 * tanh z = (1 − e^{−2z}) / (1 + e^{−2z}) for Re z ≥ 0 and (e^{2z} − 1) / (e^{2z} + 1)
 * otherwise: the exponential is then ≤ 1 in modulus, so large |z| gives ±1
 * with derivative 0 instead of Inf/Inf = NaN.
 */
function tanhIn<T>(A: Arith<T>, z: T): T {
  const one = A.lift(1);
  if (A.re(z) >= 0) {
    const t = A.exp(A.mul(A.lift(-2), z));
    return A.div(A.sub(one, t), A.add(one, t));
  }
  const t = A.exp(A.mul(A.lift(2), z));
  return A.div(A.sub(t, one), A.add(t, one));
}

/** σ(z) = 1 / (1 + e^{−z}) for Re z ≥ 0 and e^z / (1 + e^z) otherwise, for the same reason. */
function sigmaIn<T>(A: Arith<T>, z: T): T {
  const one = A.lift(1);
  if (A.re(z) >= 0) return A.div(one, A.add(one, A.exp(A.mul(A.lift(-1), z))));
  const t = A.exp(z);
  return A.div(t, A.add(one, t));
}

// ---------------------------------------------------------------------------
// Dual numbers

export class Dual {
  constructor(
    readonly re: number,
    readonly eps: number,
  ) {}

  /** The independent variable x + 1·ε, whose ε-part after evaluation is df/dx. */
  static variable(x: number): Dual {
    return new Dual(x, 1);
  }

  static constant(c: number): Dual {
    return new Dual(c, 0);
  }

  add(o: Dual): Dual {
    return new Dual(this.re + o.re, this.eps + o.eps);
  }

  sub(o: Dual): Dual {
    return new Dual(this.re - o.re, this.eps - o.eps);
  }

  mul(o: Dual): Dual {
    return new Dual(this.re * o.re, this.eps * o.re + this.re * o.eps);
  }

  /** (a/b)' = (a' − (a/b)·b') / b: avoids forming b², which could overflow. */
  div(o: Dual): Dual {
    const q = this.re / o.re;
    return new Dual(q, (this.eps - q * o.eps) / o.re);
  }

  neg(): Dual {
    return new Dual(-this.re, -this.eps);
  }

  scale(k: number): Dual {
    return new Dual(k * this.re, k * this.eps);
  }
}

const dualArith: Arith<Dual> = {
  lift: (x) => Dual.constant(x),
  re: (a) => a.re,
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  exp: (a) => dualExp(a),
};

export function dualExp(d: Dual): Dual {
  const e = Math.exp(d.re);
  return new Dual(e, e * d.eps);
}

export function dualLog(d: Dual): Dual {
  return new Dual(Math.log(d.re), d.eps / d.re);
}

/** dⁿ for a real constant exponent n. */
export function dualPow(d: Dual, n: number): Dual {
  if (n === 0) return Dual.constant(1); // n·x^{n−1} would give 0·Inf = NaN at x = 0
  return new Dual(d.re ** n, n * d.re ** (n - 1) * d.eps);
}

export function dualTanh(d: Dual): Dual {
  return tanhIn(dualArith, d);
}

export function dualSigma(d: Dual): Dual {
  return sigmaIn(dualArith, d);
}

// ---------------------------------------------------------------------------
// Complex step

export interface Complex {
  readonly re: number;
  readonly im: number;
}

export function complex(re: number, im = 0): Complex {
  return { re, im };
}

export function cAdd(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

export function cSub(a: Complex, b: Complex): Complex {
  return { re: a.re - b.re, im: a.im - b.im };
}

export function cMul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

/** Smith's algorithm: divides by the larger of |Re b|, |Im b| so |b|² is never formed (no overflow). */
export function cDiv(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const den = b.re + b.im * r;
    return { re: (a.re + a.im * r) / den, im: (a.im - a.re * r) / den };
  }
  const r = b.re / b.im;
  const den = b.re * r + b.im;
  return { re: (a.re * r + a.im) / den, im: (a.im * r - a.re) / den };
}

export function cExp(z: Complex): Complex {
  const e = Math.exp(z.re);
  // For real z keep Im exactly 0: e = Inf would otherwise give Inf·sin(0) = NaN.
  if (z.im === 0) return { re: e, im: 0 };
  return { re: e * Math.cos(z.im), im: e * Math.sin(z.im) };
}

/** Principal branch: log|z| + i·arg z. */
export function cLog(z: Complex): Complex {
  return { re: Math.log(Math.hypot(z.re, z.im)), im: Math.atan2(z.im, z.re) };
}

const complexArith: Arith<Complex> = {
  lift: (c) => complex(c),
  re: (a) => a.re,
  add: cAdd,
  sub: cSub,
  mul: cMul,
  div: cDiv,
  exp: cExp,
};

export function cTanh(z: Complex): Complex {
  return tanhIn(complexArith, z);
}

export function cSigma(z: Complex): Complex {
  return sigmaIn(complexArith, z);
}

/**
 * f'(x) = Im f(x + ih)/h + O(h²) for f real-analytic and real on the real
 * axis. The default h = 1e-30 makes the O(h²) term far below rounding while
 * Im parts (~h·f') stay clear of underflow for |f'| ≳ 1e-270.
 */
export function complexStep(f: (z: Complex) => Complex, x: number, h = 1e-30): number {
  if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`complexStep: bad step ${h}`);
  return f(complex(x, h)).im / h;
}

// ---------------------------------------------------------------------------

export type ScalarFn = 'tanh' | 'sigma' | 'exp' | 'log';

export interface ScalarDerivativeRefs {
  dual: (x: number) => number;
  complexStep: (x: number) => number;
}

function refs(d: (x: Dual) => Dual, c: (z: Complex) => Complex): ScalarDerivativeRefs {
  return { dual: (x) => d(Dual.variable(x)).eps, complexStep: (x) => complexStep(c, x) };
}

/** Derivative of each activation at x, by each independent method. */
export const scalarReferences: Record<ScalarFn, ScalarDerivativeRefs> = {
  tanh: refs(dualTanh, cTanh),
  sigma: refs(dualSigma, cSigma),
  exp: refs(dualExp, cExp),
  log: refs(dualLog, cLog),
};
