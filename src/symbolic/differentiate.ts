/**
 * Matrix calculus on step equations: the Jacobian of a vector expression with
 * respect to a seed, by forward accumulation, each operator by its record's
 * rule. `D(ref)` gives the Jacobian of each sequence value the expression
 * reads (eye for the seed itself, null when it does not depend on the seed),
 * so one rule set serves direct partials and total derivatives alike. Results
 * come out in the documents' shape, diag(f′(z))·A, with f′ written through the
 * cell's own values where it can be (tanh′ = 1 − h², σ′ = σ(1 − σ)).
 */
import { type Expr, node, type OpNode, type Seq } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import { isColumn, isScalar, type Shape } from '../ir/shape.js';
import { specOf } from '../ops/index.js';
import type { DiffContext } from '../ops/contexts.js';
import { confirmDerivativeRule } from './scalar-algebra.js';
import { SymbolicUnsupported } from './unsupported.js';

export { SymbolicUnsupported };

/** What differentiation needs from the model. */
export interface DiffBase {
  shape(e: Expr): Shape;
  /** the sequence value (e.g. h[t]) that this expression is the defining right side of, if any */
  valueOf(e: Expr): Expr | null;
  /** f′ of a user-declared function, as an expression in its argument */
  userDerivative(name: string, arg: Expr): Expr;
}

/** f′ of an activation node at its argument, through y = f(z) when the cell names it; built-ins checked by nerdamer first. */
export function activationDerivative(n: OpNode, base: DiffBase, confirm: boolean): Expr {
  const act = specOf(n).activation;
  if (!act) throw new SymbolicUnsupported(`${n.op} is not an activation`);
  const builtInOnly = (): never => {
    throw new SymbolicUnsupported(`${n.op} has no built-in rule`);
  };
  if (confirm && act.reference)
    confirmDerivativeRule(n.op, act.reference, act.rule(n, builtInOnly), n.op === 'log' || n.op === 'sqrt');
  const d = act.derivative(n, base.valueOf(n) ?? n, (name, arg) => base.userDerivative(name, arg));
  if (!d) throw new SymbolicUnsupported(`${n.op} is not differentiable at 0`);
  return d;
}

/**
 * With `parameter`, the seed is also that parameter (its entries in vec layout):
 * a vector or scalar parameter has the identity as its own Jacobian, a matrix
 * parameter enters only as P·v, whose Jacobian is vᵀ ⊗ I (the mul record's rule).
 */
export function jacobianOf(e: Expr, D: (ref: Seq) => Expr | null, base: DiffBase, parameter?: string): Expr | null {
  return differentiateWith(e, D, base, new WeakMap(), parameter);
}

/** An expression that reads no sequence value depending on the seed has Jacobian zero, whatever its operators. */
function dependsOnSeed(
  e: Expr,
  D: (ref: Seq) => Expr | null,
  memo: WeakMap<Expr, boolean>,
  parameter: string | undefined,
): boolean {
  if (e.kind === 'seq') return D(e) !== null;
  if (e.kind === 'sym') return e.name === parameter;
  if (e.kind !== 'op') return false;
  let known = memo.get(e);
  if (known === undefined) {
    known = e.args.some((a) => dependsOnSeed(a, D, memo, parameter));
    memo.set(e, known);
  }
  return known;
}

function differentiateWith(
  e: Expr,
  D: (ref: Seq) => Expr | null,
  base: DiffBase,
  memo: WeakMap<Expr, boolean>,
  parameter?: string,
): Expr | null {
  if (e.kind === 'op' && !dependsOnSeed(e, D, memo, parameter)) return null;
  const ctx: DiffContext = {
    J: (x) => differentiateWith(x, D, base, memo, parameter),
    isSeedParameter: (x) => x.kind === 'sym' && x.name === parameter,
    isScalar: (x) => isScalar(base.shape(x)),
    isColumn: (x) => isColumn(base.shape(x)),
    valueOf: (x) => base.valueOf(x),
    userDerivative: (name, arg) => base.userDerivative(name, arg),
    rows: (x) => base.shape(x).rows,
    activationDerivative: (n) => activationDerivative(n, base, true),
    print: (x) => printExpr(x),
    unsupported: (message) => {
      throw new SymbolicUnsupported(message);
    },
  };
  switch (e.kind) {
    case 'seq':
      return D(e);
    case 'sym': {
      if (e.name !== parameter) return null;
      const shape = base.shape(e);
      if (!isColumn(shape))
        throw new SymbolicUnsupported(`the matrix parameter ${e.name} outside a product ${e.name}·v`);
      return isScalar(shape) ? { kind: 'num', value: 1 } : node('eye', [], { ints: [shape.rows] });
    }
    case 'num':
    case 'ivar':
      return null;
    case 'rvar':
      throw new SymbolicUnsupported(`the real variable ${e.name} outside a sup`);
    case 'op': {
      const spec = specOf(e);
      if (!spec.differentiate) throw new SymbolicUnsupported(`no differentiation rule for ${e.op} (${printExpr(e)})`);
      return spec.differentiate(e, ctx);
    }
  }
}
