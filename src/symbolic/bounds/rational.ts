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
export function qFromDyadic(x: number): Q | null {
  if (!Number.isFinite(x)) return null;
  for (let d = 1; d <= 1 << 20; d *= 2) {
    const n = x * d;
    if (Number.isSafeInteger(n)) return q(n, d);
  }
  return null;
}

/**
 * A number as written: a small dyadic or integer value exactly, else the decimal the float prints as (its shortest
 * round-trip text, which is the literal a file wrote: 0.48 is 12/25). A derivation's numerals are decimals; without
 * this 0.24 ≤ 0.48 was no fact the prover knew, and `norm2(jac(e[T], h[T-1])) <= 0.48*norm2(U_e)` was only consistent
 * while the same bound with 0.25 was proved. Not for the registry's own constants (./entries.ts activationRange keeps
 * qFromDyadic: an end no small exact rational holds is left unbounded).
 */
export function qFromNumber(x: number): Q | null {
  const dyadic = qFromDyadic(x);
  if (dyadic || !Number.isFinite(x)) return dyadic;
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) return null;
  const [, sign, whole, frac = '', exp = '0'] = m;
  const shift = Number(exp) - frac.length;
  const digits = BigInt(`${sign}${whole}${frac}`);
  return shift >= 0 ? q(digits * 10n ** BigInt(shift)) : q(digits, 10n ** BigInt(-shift));
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
