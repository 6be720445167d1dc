/**
 * Scalar functions of one real variable, compiled from the IR into closures
 * (never eval): the bodies of user-declared activations, their derivatives,
 * and sups. Only numbers, the variable and operators with a scalar rule
 * (arithmetic, activations) are allowed — what a scalar function is built from.
 */
import type { Expr } from './expr.js';
import { specOf } from '../ops/index.js';
import type { ElementwiseRule } from '../ops/elementwise.js';

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
