/**
 * Matrix calculus on step equations: the Jacobian of a vector expression with
 * respect to a seed, by forward accumulation. `D(ref)` gives the Jacobian of
 * each sequence value the expression reads (eye for the seed itself, null when
 * it does not depend on the seed), so one rule set serves direct partials and
 * total derivatives alike. Results come out in the documents' shape,
 * diag(f′(z))·A, with f′ written through the cell's own values where it can
 * be (tanh′ = 1 − h², σ′ = σ(1 − σ)).
 */
import { affine, affineAdd, type Affine } from '../ir/affine.js';
import type { ElementwiseFn, Expr } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import type { Shape } from '../ir/shapes.js';
import { add, diag, emul, type Jac, mul, neg, num, sub } from './build.js';
import { confirmDerivativeRule } from './scalar-algebra.js';

export class SymbolicUnsupported extends Error {}

export interface DiffContext {
  shape(e: Expr): Shape;
  /** the sequence value (e.g. h[t]) that this expression is the defining right side of, if any */
  valueOf(e: Expr): Expr | null;
  /** f′ of a user-declared function, as an expression in its argument */
  userDerivative(name: string, arg: Expr): Expr;
}

/** f′(z) as an expression, through y = f(z) when the cell names it. */
export function activationDerivative(fn: ElementwiseFn, z: Expr, y: Expr): Expr {
  const one = num(1);
  switch (fn) {
    case 'tanh':
      return { kind: 'sub', left: one, right: { kind: 'epow', base: y, exponent: 2 } };
    case 'sigma':
      return emul(y, { kind: 'sub', left: one, right: y });
    case 'exp':
      return y;
    case 'log':
      return { kind: 'epow', base: z, exponent: -1 };
    case 'identity':
      return one;
    case 'abs':
      throw new SymbolicUnsupported('abs is not differentiable at 0');
  }
}

export function jacobianOf(e: Expr, D: (ref: Extract<Expr, { kind: 'seq' }>) => Jac, ctx: DiffContext): Jac {
  const J = (x: Expr): Jac => jacobianOf(x, D, ctx);
  const isScalarExpr = (x: Expr) => {
    const s = ctx.shape(x);
    return s.rows.c === 1 && Object.keys(s.rows.terms).length === 0 && s.cols.c === 1 && Object.keys(s.cols.terms).length === 0;
  };
  switch (e.kind) {
    case 'seq':
      return D(e);
    case 'num':
    case 'sym':
    case 'ivar':
    case 'eye':
      return null;
    case 'add':
      return add(J(e.left), J(e.right));
    case 'sub':
      return sub(J(e.left), J(e.right));
    case 'neg':
      return neg(J(e.arg));
    case 'mul': {
      if (e.left.kind === 'diag') return J({ kind: 'emul', left: e.left.arg, right: e.right });
      if (e.right.kind === 'concat') {
        if (J(e.left)) throw new SymbolicUnsupported(`a varying matrix times a stacked vector: ${printExpr(e)}`);
        return stackedProduct(e.left, e.right.items, J, ctx);
      }
      const [jl, jr] = [J(e.left), J(e.right)];
      if (jl && jr) throw new SymbolicUnsupported(`both factors of ${printExpr(e)} depend on the seed`);
      if (jl) {
        if (!isScalarExpr(e.right)) throw new SymbolicUnsupported(`a varying matrix times a constant: ${printExpr(e)}`);
        return mul(e.right, jl);
      }
      if (!jr) return null;
      return mul(e.left, jr);
    }
    case 'emul': {
      const [jl, jr] = [J(e.left), J(e.right)];
      const side = (scaleBy: Expr, j: Jac): Jac => (isScalarExpr(scaleBy) ? mul(scaleBy, j) : mul(diag(scaleBy), j));
      return add(jl ? side(e.right, jl) : null, jr ? side(e.left, jr) : null);
    }
    case 'div': {
      if (J(e.right)) throw new SymbolicUnsupported(`a varying divisor in ${printExpr(e)}`);
      const jl = J(e.left);
      return jl ? { kind: 'div', left: jl, right: e.right } : null;
    }
    case 'epow': {
      const j = J(e.base);
      if (!j) return null;
      const factor: Expr =
        e.exponent === 2 ? { kind: 'mul', left: num(2), right: e.base } : { kind: 'mul', left: num(e.exponent), right: { kind: 'epow', base: e.base, exponent: e.exponent - 1 } };
      return mul(diag(factor), j);
    }
    case 'call': {
      const j = J(e.arg);
      if (!j) return null;
      if (e.fn === 'identity') return j;
      confirmDerivativeRule(e.fn);
      const y = ctx.valueOf(e) ?? e;
      return mul(diag(activationDerivative(e.fn, e.arg, y)), j);
    }
    case 'ucall': {
      const j = J(e.arg);
      return j ? mul(diag(ctx.userDerivative(e.name, e.arg)), j) : null;
    }
    case 'transpose':
      if (J(e.arg)) throw new SymbolicUnsupported(`the transpose of a varying value: ${printExpr(e)}`);
      return null;
    default:
      throw new SymbolicUnsupported(`no differentiation rule for ${e.kind} (${printExpr(e)})`);
  }
}

/** A·[a; b; …] = Σ_j A_j·part_j with A_j the column block of A that meets part j. */
function stackedProduct(A: Expr, items: readonly Expr[], J: (x: Expr) => Jac, ctx: DiffContext): Jac {
  let offset: Affine = affine(0);
  let total: Jac = null;
  for (const item of items) {
    const rows = ctx.shape(item).rows;
    const from = affineAdd(offset, affine(1));
    const to = affineAdd(offset, rows);
    const j = J(item);
    if (j) {
      const label = item.kind === 'seq' ? item.name : null;
      total = add(total, mul({ kind: 'cols', arg: A, from, to, label }, j));
    }
    offset = to;
  }
  return total;
}
