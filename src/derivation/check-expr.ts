/**
 * Checks on a parsed expression against the model, run by the loader before
 * and after shapes: where each operator may appear (its record's placement),
 * what derivatives may be taken of (the records' own checks), and where a
 * numeric lower bound (supabs) may stand.
 */
import type { Relation } from './derivation.js';
import { type Expr, isOp, some, walk } from '../ir/expr.js';
import { ExprError } from '../ir/errors.js';
import { isScalar } from '../ir/shape.js';
import { shapeIn } from '../ir/shape-of.js';
import { compileScalar } from '../ir/scalar-function.js';
import { printExpr } from '../ir/print.js';
import { specOf } from '../ops/index.js';
import type { ValidateContext } from '../ops/contexts.js';
import type { Model } from '../model/model.js';

export type Place = 'equation' | 'loss' | 'claim';

const PLACE_WORDS: Readonly<Record<Place, string>> = {
  equation: 'is not allowed in a model equation',
  loss: 'is not supported in the loss',
  claim: 'is not allowed in a claim',
};

/** Every operator may appear where it is (its record's placement), else a located error at it. */
export function checkPlacement(expr: Expr, place: Place, offsets: WeakMap<Expr, number>): void {
  walk(expr, (e) => {
    if (e.kind !== 'op') return;
    const spec = specOf(e);
    if (spec.placement[place]) return;
    // Name the construct as the user wrote it: the function's name, the operator, or the node itself (h[T, 1]).
    const what = e.name ?? spec.syntax.call?.[0] ?? spec.syntax.operator?.symbol ?? printExpr(e);
    throw new ExprError(offsets.get(e) ?? 0, `${what} ${PLACE_WORDS[place]}`);
  });
}

/** The records' own checks against the model (a derivative of the loss with respect to a parameter, say). */
export function validateAgainstModel(expr: Expr, model: Model, offsets: WeakMap<Expr, number>): void {
  const ctx: ValidateContext = {
    roleOf: (name) => (name === model.loss?.name ? 'loss' : model.symbols.get(name)?.role),
    isScalar: (e) => isScalar(shapeIn(model, e)),
    fail: (node, problem, expected) => {
      throw new ExprError(offsets.get(node) ?? 0, problem, expected);
    },
  };
  walk(expr, (e) => {
    if (e.kind === 'op') specOf(e).validate?.(e, ctx);
  });
}

/**
 * supabs is a numeric lower bound of a supremum: it may only make the larger
 * side of an inequality smaller, which can never turn a false claim into a
 * pass. So it stands only on the larger side, inside sums, products and
 * nonnegative powers of nonnegative quantities (norms, sups, constants ≥ 0).
 */
export function checkSupabs(
  lhs: Expr,
  relation: Relation,
  rhs: Expr,
  functions: Model['functions'],
  fail: (message: string) => Error,
): void {
  const isSup = (x: Expr) => isOp(x, 'supabs');
  const has = (e: Expr) => some(e, isSup);
  // The model's own functions compile here as the evaluator compiles them (f(x) in a sup is the file's f).
  const rules = new Map([...functions].map(([name, fn]) => [name, fn.rule]));
  for (const side of [lhs, rhs])
    walk(side, (x) => {
      if (!isOp(x, 'supabs')) return;
      try {
        compileScalar(x.args[0]!, x.binder!, rules);
      } catch (err) {
        throw fail(`supabs needs a scalar function of ${x.binder}: ${(err as Error).message}`);
      }
    });
  if (!has(lhs) && !has(rhs)) return;
  const [smaller, larger] = relation === '>=' ? [rhs, lhs] : [lhs, rhs];
  if (relation === '=' || has(smaller))
    throw fail('supabs gives a lower bound of the supremum, so it may only stand on the larger side of <= or >=');
  const monotone = (e: Expr): boolean => {
    if (e.kind === 'num') return e.value >= 0;
    if (e.kind !== 'op') return !has(e);
    if (specOf(e).nonnegative) return true;
    if (isOp(e, 'add', 'mul')) return e.args.every(monotone);
    if (isOp(e, 'pow')) {
      const exponent = e.args[1]!;
      return monotone(e.args[0]!) && ((exponent.kind === 'num' && exponent.value >= 0) || exponent.kind === 'ivar');
    }
    return !has(e);
  };
  if (!monotone(larger))
    throw fail(
      'supabs may only appear on the larger side in sums and products of nonnegative quantities and in powers with a constant or single-variable exponent (a lower bound there can only make the check stricter)',
    );
}
