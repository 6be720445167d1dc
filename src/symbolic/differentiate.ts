/**
 * Matrix calculus on step equations: the Jacobian of a vector expression with
 * respect to a seed, by forward accumulation, each operator by its record's
 * rule. `D(ref)` gives the Jacobian of each sequence value the expression
 * reads (eye for the seed itself, null when it does not depend on the seed),
 * so one rule set serves direct partials and total derivatives alike. Results
 * come out in the documents' shape, diag(f′(z))·A, with f′ written through the
 * cell's own values where it can be (tanh′ = 1 − h², σ′ = σ(1 − σ)).
 */
import type { Expr, OpNode, Seq } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import { isScalar, type Shape } from '../ir/shape.js';
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

export function jacobianOf(e: Expr, D: (ref: Seq) => Expr | null, base: DiffBase): Expr | null {
  return differentiateWith(e, D, base, new WeakMap());
}

/** An expression that reads no sequence value depending on the seed has Jacobian zero, whatever its operators. */
function dependsOnSeed(e: Expr, D: (ref: Seq) => Expr | null, memo: WeakMap<Expr, boolean>): boolean {
  if (e.kind === 'seq') return D(e) !== null;
  if (e.kind !== 'op') return false;
  let known = memo.get(e);
  if (known === undefined) {
    known = e.args.some((a) => dependsOnSeed(a, D, memo));
    memo.set(e, known);
  }
  return known;
}

function differentiateWith(
  e: Expr,
  D: (ref: Seq) => Expr | null,
  base: DiffBase,
  memo: WeakMap<Expr, boolean>,
): Expr | null {
  if (e.kind === 'op' && !dependsOnSeed(e, D, memo)) return null;
  const ctx: DiffContext = {
    J: (x) => differentiateWith(x, D, base, memo),
    isScalar: (x) => isScalar(base.shape(x)),
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
    case 'num':
    case 'sym':
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
