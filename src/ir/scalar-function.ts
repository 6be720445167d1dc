/**
 * Scalar functions of one real variable, compiled from the IR into closures
 * (never eval): the bodies of user-declared activations, their derivatives,
 * and sups. Only numbers, the variable and operators with a scalar rule
 * (arithmetic, activations) are allowed — what a scalar function is built from.
 */
import type { Expr } from './expr.js';
import { specOf } from '../ops/index.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import { cancellationOf, lostPrecisionOf } from '../numeric/lost-digits.js';

export type ScalarFn = (x: number) => number;

/** Throws a plain Error naming the construct when the body is not a scalar function of `variable`. */
export function compileScalar(
  e: Expr,
  variable: string,
  user: ReadonlyMap<string, ElementwiseRule> = new Map(),
): ScalarFn {
  switch (e.kind) {
    case 'num':
      return () => e.value;
    case 'rvar':
      if (e.name !== variable) throw new Error(`unknown variable ${e.name}`);
      return (x) => x;
    case 'sym':
    case 'seq':
    case 'ivar':
      throw new Error(
        `${e.kind === 'ivar' ? 'an integer variable' : `'${e.name}'`} is not allowed in a scalar function`,
      );
    case 'op': {
      const spec = specOf(e);
      const userRule = (name: string) => {
        const rule = user.get(name);
        if (!rule) throw new Error(`unknown function ${name}`);
        return rule;
      };
      if (!spec.scalar) throw new Error(`${e.op} is not allowed in a scalar function`);
      const f = spec.scalar(e, userRule);
      const args = e.args.map((a) => compileScalar(a, variable, user));
      if (args.length === 1) {
        const [a] = args as [ScalarFn];
        return (x) => f(a(x));
      }
      if (args.length === 2) {
        const [a, b] = args as [ScalarFn, ScalarFn];
        return (x) => f(a(x), b(x));
      }
      return (x) => f(...args.map((a) => a(x)));
    }
  }
}

/**
 * What float64 loses evaluating a scalar function at x: the worst relative precision a sum in its body leaves
 * after cancellation (src/numeric/lost-digits.ts, cancellationOf; 1 − tanh(14) keeps 13 bits of 53), a subnormal
 * value on the way, and what the declared functions it calls lose in their own bodies (0: nothing noted). The same
 * operations as `compileScalar`'s function, in the same order, so the sums watched are the ones its value came from.
 */
export function compileScalarLoss(
  e: Expr,
  variable: string,
  user: ReadonlyMap<string, ElementwiseRule> = new Map(),
): (x: number) => number {
  let worst = 0;
  const note = (lost: number) => {
    if (lost > worst) worst = lost;
  };
  const one = new Float64Array(1);
  const subnormal = (r: number) => {
    one[0] = r;
    return lostPrecisionOf(one);
  };
  const go = (x: Expr): ScalarFn => {
    if (x.kind !== 'op') return compileScalar(x, variable, user);
    const spec = specOf(x);
    const userRule = (name: string) => {
      const rule = user.get(name);
      if (!rule) throw new Error(`unknown function ${name}`);
      return rule;
    };
    if (!spec.scalar) throw new Error(`${x.op} is not allowed in a scalar function`);
    const f = spec.scalar(x, userRule);
    const args = x.args.map(go);
    const sum = x.op === 'add' || x.op === 'sub';
    const declared = x.name ? user.get(x.name) : undefined;
    if (args.length === 1) {
      const [a] = args as [ScalarFn];
      const ownLoss = declared?.lostAt;
      return (t) => {
        const v = a(t);
        if (ownLoss) note(ownLoss(v));
        const r = f(v);
        note(subnormal(r));
        return r;
      };
    }
    if (args.length === 2) {
      const [a, b] = args as [ScalarFn, ScalarFn];
      return (t) => {
        const [u, v] = [a(t), b(t)];
        const r = f(u, v);
        note(sum ? cancellationOf(u, v, r) : subnormal(r));
        return r;
      };
    }
    return (t) => {
      const r = f(...args.map((a) => a(t)));
      note(subnormal(r));
      return r;
    };
  };
  const body = go(e);
  return (x) => {
    worst = 0;
    body(x);
    return worst;
  };
}
