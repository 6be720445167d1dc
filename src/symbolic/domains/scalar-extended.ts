/**
 * A scalar function of one real variable (a `supabs` body) in the extended arithmetics, for the sup's search
 * (src/numeric/sup.ts) at the points where float64 loses digits computing it: enclosed in intervals (rigorous bounds
 * of |f|: a point whose upper bound is below the sup found cannot be the sup) and computed in decimals (40 and 64
 * digits, taken where the two agree to 2⁻³³). The body's operations are the ones a scalar function is built from
 * (src/ir/scalar-function.ts): sums, products, quotients, integer powers, min(a, b) and max(a, b), and the built-in activations with a rule
 * in the arithmetic. A body with anything else has no such form (null): its doubtful points stay unresolved.
 */
import type { Expr } from '../../ir/expr.js';
import { specOf } from '../../ops/index.js';
import type { ActivationSpec } from '../../ops/registry.js';
import { larger, type Ring, smaller } from '../ring.js';
import { SymbolicUnsupported } from '../unsupported.js';
import { Decimal } from 'decimal.js';
import {
  DECIMAL_DIGITS,
  DECIMALS,
  DEEP_DECIMAL_DIGITS,
  DEEP_DECIMALS,
  type ExtendedArithmetic,
  INTERVALS,
} from './extended.js';
import type { Interval } from './interval.js';

/** A power written with an integer exponent up to this size is multiplied out; any other has no form here. */
const MAX_EXPONENT = 1024;

type Compiled<R> = (x: number) => R;

/**
 * `e` as a function of `variable` in `arith`, or null where an operation has no rule there (`hasRule` for an
 * activation). The function throws SymbolicUnsupported where a value leaves the arithmetic (a quotient by an
 * interval around 0, an activation's argument beyond its interval rule).
 */
function compileIn<R>(
  e: Expr,
  variable: string,
  arith: ExtendedArithmetic<R>,
  hasRule: (a: ActivationSpec) => boolean,
  cancels: (a: R, b: R, r: R) => boolean = () => false,
): Compiled<R> | null {
  const ring: Ring<R> = arith.plain;
  /** a sum, refused (SymbolicUnsupported) where `cancels` says the arithmetic's digits do not reach its value */
  const summed = (a: R, b: R, r: R): R => {
    if (cancels(a, b, r)) throw new SymbolicUnsupported('a sum that cancels beyond the digits');
    return r;
  };
  const go = (x: Expr): Compiled<R> | null => {
    if (x.kind === 'num') {
      const c = (ring.constant ?? ring.fromNumber)(x.value);
      return () => c;
    }
    if (x.kind === 'rvar') return x.name === variable ? (t) => ring.fromNumber(t) : null;
    if (x.kind !== 'op') return null;
    const spec = specOf(x);
    if (spec.activation) {
      // declared functions have bodies of their own, not a rule here
      if (x.name || !hasRule(spec.activation)) return null;
      const a = go(x.args[0]!);
      const activation = spec.activation;
      return a && ((t) => arith.activation(activation, x, a(t)));
    }
    if ((x.op === 'pow' || x.op === 'epow') && x.args[1]!.kind === 'num') {
      const k = x.args[1]!.value;
      if (!Number.isInteger(k) || Math.abs(k) > MAX_EXPONENT) return null;
      const base = go(x.args[0]!);
      return base && ((t) => power(ring, base(t), k));
    }
    const args = x.args.map(go);
    if (args.some((a) => a === null)) return null;
    const [a, b] = args as Compiled<R>[];
    switch (x.op) {
      case 'add':
        return (t) => {
          const [u, v] = [a!(t), b!(t)];
          return summed(u, v, ring.add(u, v));
        };
      case 'sub':
        return (t) => {
          const [u, v] = [a!(t), b!(t)];
          return summed(u, v, ring.sub(u, v));
        };
      case 'neg':
        return (t) => ring.neg(a!(t));
      case 'mul':
      case 'emul':
        return (t) => ring.mul(a!(t), b!(t));
      case 'div':
      case 'ediv':
        return (t) => quotient(ring, a!(t), b!(t));
      case 'min2':
      case 'max2': {
        // through the ring's own min and max: intervals that overlap have no order to pick by
        const o = ring.ordered;
        if (!o) return null;
        const pick = x.op === 'max2' ? larger : smaller;
        return (t) => pick(o, a!(t), b!(t));
      }
      default:
        return null;
    }
  };
  return go(e);
}

function quotient<R>(ring: Ring<R>, a: R, b: R): R {
  const q = ring.div(a, b);
  if (q === null) throw new SymbolicUnsupported('a quotient by a value that may be 0');
  return q;
}

/** b^k by squaring (k an integer; a negative k through the quotient). */
function power<R>(ring: Ring<R>, b: R, k: number): R {
  let [result, square, n] = [ring.one, b, Math.abs(k)];
  while (n > 0) {
    if (n % 2 === 1) result = ring.mul(result, square);
    n = Math.floor(n / 2);
    if (n > 0) square = ring.mul(square, square);
  }
  return k < 0 ? quotient(ring, ring.one, result) : result;
}

/** Two results of the decimals agree when they differ by at most this, relative (what float64's noting lets pass). */
const AGREEMENT = 2 ** -33;

export interface ExtendedScalar {
  /** the operations one evaluation of the body costs (for the decimals' share of the search) */
  readonly operations: number;
  /** [lo, hi] ∋ |f(x)|, rigorous; null where the intervals have no enclosure there */
  readonly enclosure: ((x: number) => readonly [number, number] | null) | null;
  /** |f(x)| from 64-digit decimals where 40 digits agree with them to 2⁻³³; null where they do not, or cannot */
  readonly precise: ((x: number) => number | null) | null;
}

/** The interval and decimal forms of a scalar function's body (each null where an operation has no rule there). */
export function extendedScalar(body: Expr, variable: string): ExtendedScalar {
  const enclosed = compileIn<Interval>(
    body,
    variable,
    INTERVALS,
    (a) => a.exactRange !== undefined || a.increasing !== undefined,
  );
  const decimal = compileIn(body, variable, DECIMALS, (a) => a.big !== undefined, cancelsBeyond(DECIMAL_DIGITS));
  const deep = compileIn(body, variable, DEEP_DECIMALS, (a) => a.big !== undefined, cancelsBeyond(DEEP_DECIMAL_DIGITS));
  return {
    operations: operationsOf(body),
    enclosure: enclosed && ((x) => attempt(() => absEnclosure(enclosed(x)))),
    precise:
      decimal &&
      deep &&
      ((x) =>
        attempt(() => {
          const [v, w] = [decimal(x).abs(), deep(x).abs()];
          if (!v.isFinite() || !w.isFinite()) return null;
          return v.sub(w).abs().lte(w.times(AGREEMENT)) ? w.toNumber() : null;
        })),
  };
}

/**
 * A decimal sum whose value keeps fewer than CANCELLATION_MARGIN of the digits' `digits` (|a ± b| below (|a| + |b|)·
 * 10^-(digits − margin)): past that both precisions may round to the same wrong value — 1 − tanh(3x) is 0 in 40 and
 * in 64 digits from x ≈ 26, and the two agreed on exp(0) = 1 where the body is e⁻²σ(x) (a review found it).
 */
function cancelsBeyond(digits: number): (a: Decimal, b: Decimal, r: Decimal) => boolean {
  const kept = new Decimal(10).pow(CANCELLATION_MARGIN - digits);
  return (a, b, r) => r.abs().lt(a.abs().add(b.abs()).times(kept));
}

/** The digits a decimal sum must keep of its precision to be taken (the rest may be lost to cancellation). */
const CANCELLATION_MARGIN = 10;

/** How many operations `e` costs to evaluate once (its nodes). */
export const operationsOf = (e: Expr): number =>
  1 + (e.kind === 'op' ? e.args.reduce((n, a) => n + operationsOf(a), 0) : 0);

/** |v| enclosed, for an enclosure of v (null where a bound is not finite). */
function absEnclosure(v: Interval): readonly [number, number] | null {
  if (!Number.isFinite(v.lo) || !Number.isFinite(v.hi)) return null;
  if (v.lo >= 0) return [v.lo, v.hi];
  if (v.hi <= 0) return [-v.hi, -v.lo];
  return [0, Math.max(-v.lo, v.hi)];
}

/** f's value, or null where the arithmetic has no value there (SymbolicUnsupported); anything else is a bug and thrown. */
function attempt<T>(f: () => T | null): T | null {
  try {
    return f();
  } catch (err) {
    if (err instanceof SymbolicUnsupported) return null;
    throw err;
  }
}
