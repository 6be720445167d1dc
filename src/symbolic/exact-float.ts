/**
 * Constant arithmetic that never rounds silently. Normal forms that decide a bound compare constants as
 * float64 coefficients; where an operation rounds, two different quantities get the same form —
 * (1 + 1e-17)·x and x — and a false bound would be proved. Each operation here returns the float64 result
 * only when it is the exact value of the operation on its operands (error-free transformations: Knuth's
 * TwoSum, Dekker's TwoProduct), and reports rounding through `onRounding`, which throws.
 */
import { SymbolicUnsupported } from './unsupported.js';

/** Splits a double into two 26-bit halves (Dekker): 2^27 + 1. */
const SPLITTER = 134217729;
/** Beyond this magnitude the splitter's product overflows. */
const SPLIT_LIMIT = 2 ** 996;

/** Below this magnitude every integer is a double: sums and products of such integers are exact. */
const EXACT_INTEGERS = 2 ** 53;

/** a + b rounded to float64 differs from its exact value (TwoSum's error term is not 0). */
export function sumRounds(a: number, b: number): boolean {
  const s = a + b;
  // the common coefficients (±1, ±2, counts) at once
  if (Number.isInteger(a) && Number.isInteger(b) && Math.abs(s) < EXACT_INTEGERS) return false;
  if (!Number.isFinite(s)) return true;
  const bb = s - a;
  return a - (s - bb) + (b - bb) !== 0;
}

/** a · b rounded to float64 differs from its exact value (Dekker's TwoProduct; too large to split counts as rounding). */
export function productRounds(a: number, b: number): boolean {
  const p = a * b;
  if (Number.isInteger(a) && Number.isInteger(b) && Math.abs(p) < EXACT_INTEGERS) return false;
  if (!Number.isFinite(p) || Math.abs(a) >= SPLIT_LIMIT || Math.abs(b) >= SPLIT_LIMIT) return true;
  if (p === 0) return a !== 0 && b !== 0;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return ah * bh - p + ah * bl + al * bh + al * bl !== 0;
}

function split(a: number): [number, number] {
  const c = SPLITTER * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

export type OnRounding = (what: string) => never;

/**
 * The equality engines' refusal (canonical forms, unit-level polynomials, the induction's templates): equal forms
 * there are an identity, and a rounded coefficient makes different ones equal — a declared derivative written
 * `(1 + 1e-10) - 1` and the literal 1.000000082740371e-10 were one form, and the false claim `verified`.
 */
export const roundingUnsupported: OnRounding = (what) => {
  throw new SymbolicUnsupported(`a coefficient float64 cannot hold exactly (${what}): exact forms cannot compare it`);
};

export function exactSum(a: number, b: number, onRounding: OnRounding): number {
  if (sumRounds(a, b)) onRounding(`${a} + ${b}`);
  return a + b;
}

export function exactProduct(a: number, b: number, onRounding: OnRounding): number {
  if (productRounds(a, b)) onRounding(`${a} · ${b}`);
  return a * b;
}

/** a / b, exact when the quotient times b gives a back without rounding. */
export function exactQuotient(a: number, b: number, onRounding: OnRounding): number {
  const q = a / b;
  if (!Number.isFinite(q) || productRounds(q, b) || q * b !== a) onRounding(`${a} / ${b}`);
  return q;
}

/** a^k for an integer k ≥ 0 by repeated exact products; another exponent is exact only for a base of 0 or 1. */
export function exactPower(a: number, k: number, onRounding: OnRounding): number {
  if (a === 0 || a === 1) return a ** k;
  if (a === -1 && Number.isInteger(k)) return k % 2 ? -1 : 1;
  if (!Number.isInteger(k) || k < 0) return onRounding(`${a}^${k}`);
  let r = 1;
  for (let i = 0; i < k; i++) r = exactProduct(r, a, onRounding);
  return r;
}
