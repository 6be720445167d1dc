/**
 * Checks on a parsed expression against the model, run by the loader before
 * and after shapes: where each operator may appear (its record's placement),
 * what derivatives may be taken of (the records' own checks), and where a
 * numeric lower bound (supabs) may stand.
 */
import type { Relation } from './derivation.js';
import { type Expr, isOp, type OpNode, some, walk } from '../ir/expr.js';
import { integerAffine } from '../ir/integer-affine.js';
import { ExprError } from '../ir/errors.js';
import { isScalar } from '../ir/shape.js';
import { shapeIn } from '../ir/shape-of.js';
import { compileScalar } from '../ir/scalar-function.js';
import { printExpr } from '../ir/print.js';
import { specOf } from '../ops/index.js';
import type { ValidateContext } from '../ops/contexts.js';
import type { Model } from '../model/model.js';
import { Domain } from '../symbolic/bounds/domain.js';

export type Place = 'equation' | 'loss' | 'claim';

const PLACE_WORDS: Readonly<Record<Place, string>> = {
  equation: 'is not allowed in a model equation',
  loss: 'is not supported in the loss',
  claim: 'is not allowed in a claim',
};

/** What may stand there instead (every refusal says what was expected). */
const PLACE_EXPECTED: Readonly<Record<Place, string>> = {
  equation:
    "an elementwise or matrix expression of the model's symbols (README, Expressions); derivatives, norms, sups and single units stand in claims only",
  loss: "a scalar expression of the model's sequences: sums, products and elementwise functions (README, Expressions)",
  claim: "an operator README's Expressions table lists",
};

/** Every operator may appear where it is (its record's placement), else a located error at it. */
export function checkPlacement(expr: Expr, place: Place, offsets: WeakMap<Expr, number>): void {
  walk(expr, (e) => {
    if (e.kind !== 'op') return;
    const spec = specOf(e);
    if (spec.placement[place]) return;
    // Name the construct as the user wrote it: the function's name, the operator, or the node itself (h[T, 1]).
    const what = e.name ?? spec.syntax.call?.[0] ?? spec.syntax.operator?.symbol ?? printExpr(e);
    throw new ExprError(offsets.get(e) ?? 0, `${what} ${PLACE_WORDS[place]}`, PLACE_EXPECTED[place]);
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
 * pass. So it stands only on the larger side, where that side is nondecreasing
 * in it: in sums (and minuends), in products whose every factor is nonnegative, over a
 * nonnegative denominator free of it, in powers (a nonnegative base, a constant
 * or single-variable exponent) and in nondecreasing activations (sqrt, exp, σ).
 * A factor of unknown sign is refused: `supabs(…) * (0 - 1)` decreases with the
 * sup, and a sup the search underestimated would then pass a false bound.
 */
export function checkSupabs(
  lhs: Expr,
  relation: Relation,
  rhs: Expr,
  functions: Model['functions'],
  /** the claim's quantifiers over the sizes: where an integer factor (T - 1) is nonnegative */
  domain: Domain,
  fail: (message: string, expected?: string) => Error,
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
        throw fail(
          `supabs needs a scalar function of ${x.binder}: ${(err as Error).message}`,
          'supabs(x, an expression in x built from numbers, + - * / ^ and elementwise functions)',
        );
      }
    });
  if (!has(lhs) && !has(rhs)) return;
  const [smaller, larger] = relation === '>=' ? [rhs, lhs] : [lhs, rhs];
  if (relation === '=' || has(smaller))
    throw fail(
      'supabs gives a lower bound of the supremum, so it may only stand on the larger side of <= or >=',
      `the sup on the ${relation === '>=' ? 'left' : 'right'} side of ${relation === '=' ? '<= or >=' : relation}, or its value written as a number`,
    );
  if (!nondecreasingInSups(larger, has, domain))
    throw fail(
      'supabs may only appear on the larger side where that side grows with it: in sums, in products of nonnegative factors, over a nonnegative denominator, in powers of a nonnegative base with a constant or single-variable exponent, and in nondecreasing functions (a lower bound there can only make the check stricter)',
      'every factor beside a sup nonnegative (norms, sups, σ, exp, constants ≥ 0), e.g. norm2(W)^k * supabs(x, 1 - tanh(x)^2)^k',
    );
}

/**
 * Nonnegative whatever the instance: numbers ≥ 0, integer expressions whose least value over the domain is ≥ 0 (T − 1),
 * norms and sups, activations whose range starts at 0, and their sums, products, quotients and powers.
 */
function nonnegative(e: Expr, domain: Domain): boolean {
  if (e.kind === 'num') return e.value >= 0;
  const integer = integerAffine(e);
  if (integer) return (domain.lower(integer) ?? -1) >= 0;
  if (e.kind !== 'op') return false;
  const spec = specOf(e);
  if (spec.nonnegative || isOp(e, 'abs')) return true;
  const range = spec.activation?.increasing?.range;
  if (range && range[0] >= 0) return true;
  if (isOp(e, 'add', 'mul', 'div')) return e.args.every((x) => nonnegative(x, domain));
  if (isOp(e, 'pow')) return nonnegative(e.args[0]!, domain);
  // a sum or product over a range, of a nonnegative body (its last argument), the range's index bound inside
  if (isOp(e, 'sum', 'rsum', 'prod')) return nonnegative(e.args[e.args.length - 1]!, inner(e, domain));
  return false;
}

/** The domain inside a sum or product over a range (its index between its bounds); the same for any other node. */
function inner(e: OpNode, domain: Domain): Domain {
  if (!e.binder || e.ints.length !== 2) return domain;
  // a binder that shadows a name in scope: its bounds are not known here (nothing below is then taken as ≥ 0 by it)
  return domain.with({ name: e.binder, lo: e.ints[0]!, hi: e.ints[1]! }) ?? new Domain([], {});
}

/** e grows (weakly) with every supabs it reads, each of them ≥ 0 (`has`: whether a tree reads one). */
function nondecreasingInSups(e: Expr, has: (e: Expr) => boolean, domain: Domain): boolean {
  if (!has(e)) return true;
  if (e.kind !== 'op') return false;
  if (isOp(e, 'supabs')) return true;
  const up = (x: Expr) => nondecreasingInSups(x, has, domain);
  const nonneg = (x: Expr) => nonnegative(x, domain);
  if (isOp(e, 'add')) return e.args.every(up);
  // a − b grows with a sup in a, falls with one in b
  if (isOp(e, 'sub')) return up(e.args[0]!) && !has(e.args[1]!);
  if (isOp(e, 'mul')) return e.args.every((x) => up(x) && nonneg(x));
  if (isOp(e, 'div')) return up(e.args[0]!) && !has(e.args[1]!) && nonneg(e.args[1]!);
  if (isOp(e, 'pow')) {
    const [base, exponent] = [e.args[0]!, e.args[1]!];
    // a constant or an integer expression nonnegative over the domain (k for k in 1..T; not k for k in -2..2)
    const nonnegativeExponent = !has(exponent) && (exponent.kind === 'num' || integerAffine(exponent) !== null);
    return nonnegativeExponent && nonneg(exponent) && up(base) && nonneg(base);
  }
  // sums over a range of terms that grow with it
  if (isOp(e, 'sum', 'rsum')) return nondecreasingInSups(e.args[e.args.length - 1]!, has, inner(e, domain));
  // a nondecreasing function of one argument (sqrt, exp, σ, tanh)
  if (specOf(e).activation?.increasing && e.args.length === 1) return up(e.args[0]!);
  return false;
}
