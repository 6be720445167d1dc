/**
 * Exact rationals (bigint numerator and denominator) for the bound prover's
 * constants: the ranges of activations and their derivatives (1, 1/4, 1/2)
 * and the values of sup-bodies at a point or a limit. Exact, so that a
 * rounding error can never make a bound look true.
 */
export interface Q {
  readonly n: bigint;
  /** always > 0, gcd(n, d) = 1 */
  readonly d: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  while (y) [x, y] = [y, x % y];
  return x;
};

export function q(n: bigint | number, d: bigint | number = 1n): Q {
  let [a, b] = [BigInt(n), BigInt(d)];
  if (b === 0n) throw new RangeError('division by zero');
  if (b < 0n) [a, b] = [-a, -b];
  const g = gcd(a, b) || 1n;
  return { n: a / g, d: b / g };
}

/** A float that is exactly a small dyadic or integer value (0.25, 3), else null. */
export function qFromNumber(x: number): Q | null {
  if (!Number.isFinite(x)) return null;
  for (let d = 1; d <= 1 << 20; d *= 2) {
    const n = x * d;
    if (Number.isSafeInteger(n)) return q(n, d);
  }
  return null;
}

export const Q0 = q(0);
export const Q1 = q(1);
export const qadd = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
export const qsub = (a: Q, b: Q): Q => q(a.n * b.d - b.n * a.d, a.d * b.d);
export const qmul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
export const qneg = (a: Q): Q => q(-a.n, a.d);
export const qabs = (a: Q): Q => (a.n < 0n ? qneg(a) : a);
export const qcmp = (a: Q, b: Q): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const qle = (a: Q, b: Q): boolean => qcmp(a, b) <= 0;
export const qmin = (a: Q, b: Q): Q => (qle(a, b) ? a : b);
export const qmax = (a: Q, b: Q): Q => (qle(a, b) ? b : a);

export function qpow(a: Q, k: number): Q {
  let out = Q1;
  for (let i = 0; i < k; i++) out = qmul(out, a);
  return out;
}

/** `1/4`, `1`, `-1/2` */
export const qformat = (a: Q): string => (a.d === 1n ? `${a.n}` : `${a.n}/${a.d}`);

/** The value as a number (for building IR constants); exact for the small dyadic values the prover meets. */
export const qvalue = (a: Q): number => Number(a.n) / Number(a.d);
