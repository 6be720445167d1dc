/**
 * Simplifying constructors for matrix-level IR, used by the symbolic engine
 * so that derived forms read like the documents: no `·I`, no `0 +`.
 * `null` stands for the zero matrix throughout.
 */
import { type Affine, affineReplace, isConstant } from '../ir/affine.js';
import { type Expr, isOp, mapIntFields, node, num, rewrite, rewriteShared } from '../ir/expr.js';

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

/** An affine integer expression as an expression of integer variables (k, T-k+1, 2). */
export function affineExpr(a: Affine): Expr {
  let acc: Expr | null = null;
  for (const [name, c] of Object.entries(a.terms)) {
    const v: Expr = { kind: 'ivar', name };
    const term: Expr = Math.abs(c) === 1 ? v : node('mul', [{ kind: 'num', value: Math.abs(c) }, v]);
    acc = acc === null ? (c < 0 ? node('neg', [term]) : term) : node(c < 0 ? 'sub' : 'add', [acc, term]);
  }
  if (acc === null) return { kind: 'num', value: a.c };
  if (a.c === 0) return acc;
  return node(a.c < 0 ? 'sub' : 'add', [acc, { kind: 'num', value: Math.abs(a.c) }]);
}

/**
 * Replaces an integer variable by an affine expression everywhere it is read
 * (indices, bounds, sizes, scalar uses), except inside an op that binds the
 * same name. A scalar use becomes a number only when the value is constant.
 */
export function substituteIndex(e: Expr, name: string, value: Affine): Expr {
  return rewrite(e, substitutingIndex(name, value), name);
}

/**
 * substituteIndex for a derived form: each shared subterm substituted once, and shared in the result (rewriteShared).
 * As a tree, a transposed product's body (∏'s index reversed) took time and memory exponential in the number of
 * intermediates that each read the one before several times.
 */
export function substituteIndexShared(e: Expr, name: string, value: Affine): Expr {
  return rewriteShared(e, substitutingIndex(name, value), name);
}

function substitutingIndex(name: string, value: Affine): (x: Expr) => Expr {
  const sub1 = (a: Affine): Affine => affineReplace(a, name, value);
  return (x) => {
    // a scalar use becomes the value's expression (a number where constant): left as it was, a loss weight
    // `(T - t + 1)` kept the claim's t where its sum's own t was renamed t_ in the indices, and a false
    // recurrence was verified (a review's model zoo found it)
    if (x.kind === 'ivar') return x.name === name ? (isConstant(value) ? num(value.c) : affineExpr(value)) : x;
    return mapIntFields(x, sub1);
  };
}

/** Replaces the real variable `name` by an expression (a user function's derivative at its argument). */
export function substituteReal(e: Expr, name: string, value: Expr): Expr {
  return rewrite(e, (x) => (x.kind === 'rvar' && x.name === name ? value : x), name);
}
