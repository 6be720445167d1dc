/**
 * A candidate repair is a claim a user could have written: its sides are
 * printed as ASCII math and read back through the same parser and checks as
 * a derivation file's claims (scope, the operators' own checks against the
 * model, shapes, the size budget, supabs only on the larger side). What is
 * checked is what was read back, so the statement a repair reports is exactly
 * the claim that was checked.
 */
import type { Claim, Derivation, Relation } from '../derivation/derivation.js';
import { checkSupabs, validateAgainstModel } from '../derivation/check-expr.js';
import { exprBudget, rangesOf } from '../derivation/budgets.js';
import { InputError } from '../derivation/errors.js';
import { ExprError } from '../ir/errors.js';
import type { Expr } from '../ir/expr.js';
import { inferShape } from '../ir/infer-shape.js';
import { parseExpression, type Scope } from '../ir/parse-math.js';
import { printExpr } from '../ir/print.js';
import { sameShape, shapeFromDims, type Shape } from '../ir/shape.js';

export interface ReadBack {
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly statement: string;
}

function scopeOf(d: Derivation, claim: Claim): Scope {
  const symbols = [...d.model.symbols.values()];
  return {
    sequences: new Set(symbols.filter((s) => s.role !== 'parameter').map((s) => s.name)),
    parameters: new Set(symbols.filter((s) => s.role === 'parameter').map((s) => s.name)),
    loss: d.model.loss?.name ?? null,
    indexVars: new Set([...Object.keys(d.model.sizes), ...claim.forall.map((q) => q.name)]),
    realVars: new Set(),
    functions: new Set(d.model.functions.keys()),
  };
}

/** The candidate read back as a claim, or null when it is not one (wrong shapes, a node off the graph's roles, …). */
export function readBack(d: Derivation, claim: Claim, lhs: Expr, relation: Relation, rhs: Expr): ReadBack | null {
  const model = d.model;
  const scope = scopeOf(d, claim);
  const shapeOf = (name: string): Shape =>
    name === model.loss?.name ? shapeFromDims([]) : model.symbols.get(name)!.shape;
  const ranges = rangesOf({ ...model.sizes, ...(claim.sizes ?? {}) }, claim.forall);
  try {
    const side = (e: Expr) => {
      const text = printExpr(e);
      const p = parseExpression(text, scope);
      validateAgainstModel(p.expr, model, p.offsets);
      const shape = inferShape(p.expr, { shapeOf }, p.offsets);
      if (exprBudget(model, p.expr, ranges)) return null;
      return { expr: p.expr, shape, text };
    };
    const [l, r] = [side(lhs), side(rhs)];
    if (!l || !r) return null;
    const zero = r.expr.kind === 'num' && r.expr.value === 0;
    if (!sameShape(l.shape, r.shape) && !(zero && relation === '=')) return null;
    if (relation !== '=' && !(isScalarShape(l.shape) && isScalarShape(r.shape))) return null;
    checkSupabs(l.expr, relation, r.expr, (m) => new ExprError(0, m));
    return { lhs: l.expr, rhs: r.expr, statement: `${l.text} ${relation} ${r.text}` };
  } catch (err) {
    if (err instanceof ExprError || err instanceof InputError) return null;
    throw err;
  }
}

const isScalarShape = (s: Shape) =>
  s.rows.c === 1 && !Object.keys(s.rows.terms).length && s.cols.c === 1 && !Object.keys(s.cols.terms).length;
