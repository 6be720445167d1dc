/**
 * Simplifying constructors for matrix-level IR, used by the symbolic engine
 * so that derived forms read like the documents: no `·I`, no `0 +`.
 * `null` stands for the zero matrix throughout.
 */
import { type Affine, affineReplace, isConstant } from '../ir/affine.js';
import { type Expr, isOp, mapIntFields, node, num, rewrite } from '../ir/expr.js';

export type Jac = Expr | null;

export const eye = (size: Affine): Expr => node('eye', [], { ints: [size] });
export { num };
export const diag = (arg: Expr): Expr => node('diag', [arg]);

const isNum = (e: Expr, v: number) => e.kind === 'num' && e.value === v;

export function mul(a: Jac, b: Jac): Jac {
  if (!a || !b) return null;
  if (isOp(a, 'eye')) return b;
  if (isOp(b, 'eye')) return a;
  if (isNum(a, 1)) return b;
  if (isNum(b, 1)) return a;
  return node('mul', [a, b]);
}

/**
 * c·J for a scalar c: as `mul`, but an identity J stays (c·I is a matrix; `mul` would leave the scalar c, which a
 * sum or an entrywise comparison then spreads over every entry: the Jacobian of 2·h came out as 2, and the false
 * `jac(g[k], h[k-1]) = 2 * ones(d, d)` with g[t] = 2 * h[t-1] was consistent).
 */
export function scaled(c: Jac, j: Jac): Jac {
  if (!c || !j) return null;
  if (isNum(c, 1)) return j;
  return isOp(j, 'eye') ? node('mul', [c, j]) : mul(c, j);
}

export function add(a: Jac, b: Jac): Jac {
  if (!a) return b;
  if (!b) return a;
  return node('add', [a, b]);
}

export function neg(a: Jac): Jac {
  if (!a) return null;
  if (isOp(a, 'neg')) return a.args[0]!;
  return node('neg', [a]);
}

export function sub(a: Jac, b: Jac): Jac {
  if (!b) return a;
  if (!a) return neg(b);
  return node('sub', [a, b]);
}

export function emul(a: Expr, b: Expr): Expr {
  if (isNum(a, 1)) return b;
  if (isNum(b, 1)) return a;
  return node('emul', [a, b]);
}

/**
 * Replaces an integer variable by an affine expression everywhere it is read
 * (indices, bounds, sizes, scalar uses), except inside an op that binds the
 * same name. A scalar use becomes a number only when the value is constant.
 */
export function substituteIndex(e: Expr, name: string, value: Affine): Expr {
  const sub1 = (a: Affine): Affine => affineReplace(a, name, value);
  return rewrite(
    e,
    (x) => {
      if (x.kind === 'ivar') return x.name === name && isConstant(value) ? num(value.c) : x;
      return mapIntFields(x, sub1);
    },
    name,
  );
}

/** Replaces the real variable `name` by an expression (a user function's derivative at its argument). */
export function substituteReal(e: Expr, name: string, value: Expr): Expr {
  return rewrite(e, (x) => (x.kind === 'rvar' && x.name === name ? value : x), name);
}
