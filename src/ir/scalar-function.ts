/**
 * Scalar functions of one real variable, compiled from the IR into closures
 * (never eval): the bodies of user-declared activations and their
 * derivatives. Only arithmetic, constants, the variable and elementwise
 * functions are allowed — what a scalar activation can be built from.
 */
import type { Expr } from './expr.js';
import { ELEMENTWISE, type ElementwiseRule } from './functions.js';

export type ScalarFn = (x: number) => number;

/** Throws a plain Error naming the construct when the body is not a scalar function of `variable`. */
export function compileScalar(e: Expr, variable: string, user: ReadonlyMap<string, ElementwiseRule> = new Map()): ScalarFn {
  switch (e.kind) {
    case 'num':
      return () => e.value;
    case 'rvar':
      if (e.name !== variable) throw new Error(`unknown variable ${e.name}`);
      return (x) => x;
    case 'add':
    case 'sub':
    case 'mul':
    case 'emul':
    case 'div': {
      const [l, r] = [compileScalar(e.left, variable, user), compileScalar(e.right, variable, user)];
      if (e.kind === 'add') return (x) => l(x) + r(x);
      if (e.kind === 'sub') return (x) => l(x) - r(x);
      if (e.kind === 'div') return (x) => l(x) / r(x);
      return (x) => l(x) * r(x);
    }
    case 'pow': {
      const [b, p] = [compileScalar(e.base, variable, user), compileScalar(e.exponent, variable, user)];
      return (x) => b(x) ** p(x);
    }
    case 'epow': {
      const b = compileScalar(e.base, variable, user);
      return (x) => b(x) ** e.exponent;
    }
    case 'neg': {
      const a = compileScalar(e.arg, variable, user);
      return (x) => -a(x);
    }
    case 'call': {
      const [f, a] = [ELEMENTWISE[e.fn].value, compileScalar(e.arg, variable, user)];
      return (x) => f(a(x));
    }
    case 'ucall': {
      const rule = user.get(e.name);
      if (!rule) throw new Error(`unknown function ${e.name}`);
      const a = compileScalar(e.arg, variable, user);
      return (x) => rule.value(a(x));
    }
    default:
      throw new Error(`${e.kind} is not allowed in a scalar function`);
  }
}
