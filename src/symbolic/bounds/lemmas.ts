/**
 * The trusted part of the bound prover: one check per rule, deciding
 * whether `from ≤ to` (or `from = to`) is an instance of the rule at one
 * place of the expression, on the domain of that place. The search
 * (./planner.ts) proposes; only what passes here enters a proof. Each check
 * names, in its values, what it compared.
 *
 * Norms: norm2 is the spectral norm (Euclidean on a vector, row or column),
 * normF Frobenius, normInf the induced ∞-norm (largest row sum; a column's
 * largest |entry|, a row's sum of |entries|), normMax the largest |entry|.
 * The triangle inequality holds for all four; submultiplicativity for norm2,
 * normF and normInf (consistent across shapes), never for normMax; a
 * transpose leaves norm2, normF and normMax unchanged, never normInf. The
 * max norm is the smallest of the four on every shape: |a_ij| = |e_iᵀ A e_j|
 * ≤ ‖A‖₂ ≤ ‖A‖_F, and |a_ij| ≤ Σ_j |a_ij| ≤ ‖A‖_∞.
 */
import {
  type Affine,
  affineAdd,
  affineScale,
  affineVar,
  affineVars,
  formatAffine,
  isConstant,
} from '../../ir/affine.js';
import { type Expr, exprOfRef, intVarsOf, isOp, node, num, type OpNode, some, walkOnce } from '../../ir/expr.js';
import { printExpr } from '../../ir/print.js';
import { formatShape } from '../../ir/shape.js';
import { specOf } from '../../ops/index.js';
import { HORIZON, type Model, TIME_VAR } from '../../model/model.js';
import { derivParts, formSize, isGraphDerivative, type SymbolicModel } from '../derive.js';
import { SymbolicUnsupported } from '../unsupported.js';
import type { Domain } from './domain.js';
import { absBound, entryRange, type EntryContext, supLowerBound, supMatch, type RangeFact } from './entries.js';
import {
  asSingleDiagonal,
  entryKey,
  isEntrywise,
  NotNormal,
  isZeroMatrix,
  sameMatrix,
  sameScalar,
  scalarNormal,
  type Shapes,
} from './normal.js';
import { type Q, qcmp, qformat, qFromNumber, qle } from './rational.js';
import { substituteSafely } from './substitute.js';
import { ExprError } from '../../ir/errors.js';
import type { BoundRule } from './rules.js';

export interface LemmaContext {
  readonly model: Model;
  readonly sm: SymbolicModel;
  readonly shapes: Shapes;
  readonly domain: Domain;
}

export type Verdict =
  | { readonly ok: true; readonly values: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly why: string };

const yes = (values: Record<string, string> = {}): Verdict => ({ ok: true, values });
const no = (why: string): Verdict => ({ ok: false, why });

export const NORM_OPS = ['norm2', 'normF', 'normInf', 'normMax'] as const;
/** induced or Frobenius: ‖AB‖ ≤ ‖A‖‖B‖ */
const SUBMULTIPLICATIVE = new Set(['norm2', 'normF', 'normInf']);
/** ‖Aᵀ‖ = ‖A‖ */
const TRANSPOSE_INVARIANT = new Set(['norm2', 'normF', 'normMax']);
/** ‖A‖_max ≤ ‖A‖ for any shape of A */
const ABOVE_MAX = new Set(['norm2', 'normF', 'normInf']);
/** ‖diag(v)‖ = max |v_i| */
const DIAGONAL_MAX = new Set(['norm2', 'normInf', 'normMax']);

export const isNorm = (e: Expr): e is OpNode => isOp(e, ...NORM_OPS);

/** Nonnegative by its form: norms, sups, |·|, and sums, products, powers, ∏ of those and of numbers ≥ 0. */
export function nonnegative(e: Expr): boolean {
  if (e.kind === 'num') return e.value >= 0;
  if (e.kind !== 'op') return false;
  if (specOf(e).nonnegative || isOp(e, 'abs')) return true;
  switch (e.op) {
    case 'add':
    case 'mul':
    case 'emul':
      return e.args.every(nonnegative);
    case 'div':
      return nonnegative(e.args[0]!) && e.args[1]?.kind === 'num' && e.args[1].value > 0;
    case 'pow':
      return nonnegative(e.args[0]!);
    case 'prod':
    case 'rsum':
      return nonnegative(e.args[0]!);
    default:
      return false;
  }
}

/** Flattens a product written as a chain of `*` into its factors, in order. */
export function productFactors(e: Expr): Expr[] {
  return isOp(e, 'mul') ? e.args.flatMap(productFactors) : [e];
}

/** Flattens a sum written with + into its terms. */
export function sumTerms(e: Expr): Expr[] {
  return isOp(e, 'add') ? e.args.flatMap(sumTerms) : [e];
}

export const mulAll = (xs: readonly Expr[]): Expr => (xs.length ? xs.reduce((a, b) => node('mul', [a, b])) : num(1));
export const addAll = (xs: readonly Expr[]): Expr => xs.reduce((a, b) => node('add', [a, b]));

const print = (e: Expr) => printExpr(e);

/**
 * print(e) === text, without printing an e too large to print as text: every node prints at least one character of
 * its own (a leaf its name or number, an operator its name, sign or brackets) besides its children's texts, so the
 * text of e has at least formSize(e) characters. formSize is counted over e's shared subterms once; the text of a
 * closed form through intermediates that each read the one before several times is exponential in their number (30
 * of them: 10^15 characters, and the check ran out of memory printing it to compare with the derivative's own text).
 */
function printsAs(e: Expr, text: string): boolean {
  return formSize(e) <= text.length && print(e) === text;
}

function shapeIsScalar(e: Expr, ctx: LemmaContext): boolean {
  try {
    const s = ctx.shapes.shape(e);
    const [r, c] = [ctx.domain.pin(s.rows), ctx.domain.pin(s.cols)];
    return !affineVars(r).length && !affineVars(c).length && r.c === 1 && c.c === 1;
  } catch {
    return false;
  }
}

/** Every sign pattern of a list, for "M = Σ ±P_j" checks (norms do not see a sign). */
function* signs(n: number): Generator<number[]> {
  for (let mask = 0; mask < 1 << n; mask++) yield Array.from({ length: n }, (_, i) => (mask & (1 << i) ? -1 : 1));
}

function signedSum(parts: readonly Expr[], s: readonly number[]): Expr {
  return parts
    .map((p, i) => ({ p, s: s[i]! }))
    .reduce<Expr | null>(
      (acc, { p, s: sign }) =>
        acc === null ? (sign > 0 ? p : node('neg', [p])) : node(sign > 0 ? 'add' : 'sub', [acc, p]),
      null,
    )!;
}

/** Two products (or sums) over the same range whose bodies are the same matrix up to the binder's name. */
function sameRange(a: OpNode, b: OpNode, bodyA: Expr, bodyB: Expr, ctx: LemmaContext): boolean {
  if (!ctx.domain.equal(a.ints[0]!, b.ints[0]!) || !ctx.domain.equal(a.ints[1]!, b.ints[1]!)) return false;
  const renamed = a.binder === b.binder ? bodyB : substituteSafely(bodyB, b.binder!, affineVar(a.binder!));
  return sameMatrix(bodyA, renamed, ctx.shapes);
}

/** Binder names a closed form introduces (∏'s index): a free index of the same name would be captured. */
function bindersIn(e: Expr): Set<string> {
  const out = new Set<string>();
  walkOnce(e, (x) => {
    if (x.kind === 'op' && x.binder) out.add(x.binder);
  });
  return out;
}

/**
 * Why a closed form is not used where the time it is taken at may be 0: it is derived with every equation computing
 * the values at that time, which the initial ones are not (a review read "holds where t-1 ≥ 1" as a claim that
 * ∂h_1/∂h_0 has another form; the proof is sought for every size, T = 1 and t = 1 included).
 */
const stepOneOn = (x: OpNode, time: Affine): string =>
  isConstant(time)
    ? // at time 0 outright (grad(L, h[0])): "derived where 0 ≥ 1, and 0 may be 0 here" read as nonsense (review152)
      `the closed form of ${print(x)} is derived at times ≥ 1, and it is taken at time ${formatAffine(time)}, an initial value no equation computes`
    : `the closed form of ${print(x)} is derived where ${formatAffine(time)} ≥ 1, and ${formatAffine(time)} may be 0 here (the proof is sought for every size)`;

/**
 * Whether an equation on a route into `of` reads `name` at the time it computes (h[t] = o[t] .* tanh(c[t]) reads c
 * so): a derivative with respect to c[τ] then routes through h[τ] where h[τ] is computed, and not at τ = 0, where h[0]
 * is an initial value. Only the equations whose targets reach `of` at a later time count (at a lag ≥ 1 the values `of`
 * reads, through one equation or more; at lag 0 `of`'s own too), and not a held one's (its routes are cut): a read-out
 * y[t] = V*h[t] reads h at its own time, but no route into a later h, or a later y, passes through y[t] (a review's
 * ‖∂h_T/∂h_{T−1}‖ ≤ ‖W‖ with such a head was refused "T − 1 may be 0 here").
 */
function readAtItsOwnTime(
  model: Model,
  name: string,
  of: string,
  sameTime: boolean,
  held: (target: string, always?: 'always') => boolean,
): boolean {
  const routes = new Set<string>();
  const readBy = (target: string) => {
    for (const eq of model.equations)
      if (eq.target === target)
        walkOnce(eq.rhs, (e) => {
          // held at one time only (the one `name` is taken at), a value still carries the routes of its other times
          if (e.kind === 'seq' && !routes.has(e.name) && !held(e.name, 'always')) {
            routes.add(e.name);
            readBy(e.name);
          }
        });
  };
  readBy(of);
  if (sameTime) routes.add(of);
  return model.equations.some(
    (eq) =>
      routes.has(eq.target) &&
      !held(eq.target) &&
      some(
        eq.rhs,
        (e) =>
          e.kind === 'seq' &&
          e.name === name &&
          e.time.c === 0 &&
          affineVars(e.time).join() === TIME_VAR &&
          e.time.terms[TIME_VAR] === 1,
      ),
  );
}

/** The engine's closed form of a derivative, where it holds on this domain; a reason otherwise. */
export function closedFormAt(x: OpNode, ctx: LemmaContext): Expr | string {
  const { mode, of, wrt, fixed } = derivParts(x);
  let derived: Expr;
  try {
    derived = ctx.sm.derive(x);
  } catch (err) {
    if (err instanceof SymbolicUnsupported) return err.message;
    throw err;
  }
  if (printsAs(derived, print(x))) return derived;
  if (!wrt.time) return `${print(x)}: a derivative with respect to a parameter is not bounded here`;
  if (mode !== 'grad' && of.time) {
    const lag = ctx.domain.pin(affineAdd(of.time, wrt.time, -1));
    if (!affineVars(lag).length) {
      // A one-step form is derived with every equation computing at the times it spans: at time 0 the
      // initial values are not computed from the step equations, so the form holds from time 1 on — and at time 0
      // too where no equation reads the variable at its own time: then no route from it passes through another
      // value computed at that time (the one the initial values lack), and the routes through later times are the same.
      // held: a value held at every time, or (unless `always`) at the time the derivative is taken with respect to
      const held = (target: string, always?: 'always') =>
        fixed.some((f) => f.name === target && (!f.time || (!always && ctx.domain.equal(f.time, wrt.time!))));
      if (!ctx.domain.atLeast(wrt.time, 1) && readAtItsOwnTime(ctx.model, wrt.name, of.name, lag.c === 0, held))
        return stepOneOn(x, wrt.time);
    } else if (ctx.domain.atLeast(affineScale(lag, -1), 1)) {
      // A value with respect to a later one for every size: an equation reads its own step and the one before (the
      // loader refuses t+1), so nothing flows back in time — 0, as the engine's form at a constant negative lag is.
      const shape = ctx.shapes.shape(x);
      return node('zeros', [], { ints: [shape.rows, shape.cols] });
    } else if (!ctx.domain.atLeast(lag, 0)) return `the lag ${formatAffine(lag)} of ${print(x)} may be negative`;
  } else if (!ctx.domain.atLeast(wrt.time, 1)) return stepOneOn(x, wrt.time);
  // Block products across several states, and the brackets of sums over a loss's steps, have no normal form
  // among the bound rules: the derivative stays one opaque matrix (the triangle rules still apply to it).
  if (some(derived, (e) => isOp(e, 'block', 'blockpick', 'atleast', 'delta')))
    return `the closed form of ${print(x)} is a block product or a bracketed sum, which the bound rules do not normalise`;
  const free = intVarsOf(x);
  for (const b of bindersIn(derived)) if (free.has(b)) return `the closed form's index ${b} would capture ${b}`;
  return derived;
}

const rangeFacts = (fs: readonly RangeFact[]) => fs.map((f) => `${f.id}: ${f.about}`).join('; ');

/** The check of one rule application, from → to, at a place whose domain is ctx.domain. */
export function checkRule(rule: BoundRule, from: Expr, to: Expr, ctx: LemmaContext): Verdict {
  try {
    return check(rule, from, to, ctx);
  } catch (err) {
    // A malformed proposal (shapes that do not fit) is refused like any other.
    if (err instanceof NotNormal || err instanceof SymbolicUnsupported || err instanceof ExprError)
      return no(err.message);
    throw err;
  }
}

function check(rule: BoundRule, from: Expr, to: Expr, ctx: LemmaContext): Verdict {
  const entryCtx: EntryContext = {
    model: ctx.model,
    domain: ctx.domain,
    shapes: ctx.shapes,
    dact: (name, time) => {
      try {
        return ctx.sm.dactExpression(name, time);
      } catch {
        return null;
      }
    },
  };
  const sameNorm = (a: Expr, b: Expr): a is OpNode => isNorm(a) && isNorm(b) && a.op === b.op;
  switch (rule) {
    case 'closed-form': {
      if (!isGraphDerivative(from)) return no('not a derivative');
      const derived = closedFormAt(from, ctx);
      if (typeof derived === 'string') return no(derived);
      return print(derived) === print(to) ? yes({ derivative: print(from) }) : no('not the derived closed form');
    }
    case 'backward-step': {
      if (!isOp(from, 'grad') || from.args.length !== 2) return no('not the gradient of the loss, nothing held');
      const { of, wrt } = derivParts(from);
      if (of.time || of.name !== ctx.model.loss?.name || !wrt.time) return no('not ∇ of the loss at a sequence value');
      const step = ctx.sm.backwardStep(wrt);
      if (!step) return no(`${print(from)}: the loss reads values other than states, or ${wrt.name} itself`);
      if (!ctx.domain.atLeast(wrt.time, 1)) return no(`${formatAffine(wrt.time)} may be 0, an initial value`);
      const T = affineVar(HORIZON);
      for (const { child } of step.terms)
        if (!ctx.domain.atLeast(affineAdd(T, child.time!, -1), 0))
          return no(`${child.name}[${formatAffine(child.time!)}] may lie after T, where the step does not hold`);
      return print(step.expr) === print(to)
        ? yes({ gradient: print(from), children: step.terms.map((t) => print(exprOfRef(t.child))).join(', ') })
        : no('not the backward step the model gives');
    }
    case 'backward-unrolled': {
      if (!isOp(from, 'grad') || from.args.length !== 2) return no('not the gradient of the loss, nothing held');
      const { of, wrt } = derivParts(from);
      if (of.time || of.name !== ctx.model.loss?.name || !wrt.time) return no('not ∇ of the loss at a sequence value');
      const inner = isOp(to, 'rsum') ? to.args[0]! : null;
      const product = inner && isOp(inner, 'mul') ? inner.args[0]! : null;
      if (!isOp(to, 'rsum') || !to.binder || !product || !isOp(product, 'prod') || !product.binder)
        return no('not a sum over the steps to T of products times the other children');
      // x's step must hold at every time from τ to T: computed from the equations (τ ≥ 1), and τ ≤ T.
      if (!ctx.domain.atLeast(wrt.time, 1)) return no(`${formatAffine(wrt.time)} may be 0, an initial value`);
      if (!ctx.domain.atLeast(affineAdd(affineVar(HORIZON), wrt.time, -1), 0))
        return no(`${formatAffine(wrt.time)} may lie after T`);
      const unrolled = ctx.sm.backwardUnrolled(wrt, to.binder, product.binder);
      if (!unrolled) return no(`${print(from)}: the backward step of ${wrt.name} is not g_u = b_u + A_{u+1}ᵀ g_{u+1}`);
      return print(unrolled) === print(to)
        ? yes({ gradient: print(from) })
        : no('not the unrolled backward recurrence the model gives');
    }
    case 'triangle-range': {
      // ‖Σ_{j=lo}^{hi} a_j‖ ≤ Σ_{j=lo}^{hi} ‖a_j‖: the triangle inequality, term by term (both 0 on an empty range).
      if (!isNorm(from) || !isOp(from.args[0]!, 'rsum') || !isOp(to, 'rsum'))
        return no('not a norm of a sum over a range');
      const sum = from.args[0] as OpNode;
      const same =
        to.binder === sum.binder &&
        print(to.args[0]!) === print(node(from.op, [sum.args[0]!])) &&
        to.ints.length === 2 &&
        to.ints.every((b, i) => ctx.domain.equal(b, sum.ints[i]!));
      return same ? yes({ norm: from.op }) : no('not the sum of the norms of the same terms over the same range');
    }
    case 'sum-linear': {
      // Σ_{j=lo}^{hi} c·a_j = c·Σ_{j=lo}^{hi} a_j for a factor c in which j does not occur.
      const sum = isOp(to, 'mul') && isOp(to.args[1]!, 'rsum') ? (to.args[1] as OpNode) : null;
      if (!sum || !sum.binder || !isOp(from, 'rsum') || from.binder !== sum.binder)
        return no('not a sum over a range and a factor times it');
      const c = (to as OpNode).args[0]!;
      if (intVarsOf(c).has(sum.binder)) return no(`the factor reads ${sum.binder}, the sum's index`);
      const same =
        from.ints.length === 2 &&
        from.ints.every((b, i) => ctx.domain.equal(b, sum.ints[i]!)) &&
        print(from.args[0]!) === print(node('mul', [c, sum.args[0]!]));
      return same ? yes({ factor: print(c) }) : no('not the same terms times the factor over the same range');
    }
    case 'dact-expansion': {
      const v = isOp(from, 'dact') ? from.args[0]! : null;
      if (v?.kind !== 'seq') return no('not dact of a sequence value');
      if (!ctx.domain.atLeast(v.time, 1)) return no(`dact(${print(v)}) is defined where ${formatAffine(v.time)} ≥ 1`);
      const d = entryCtx.dact(v.name, v.time);
      return d && print(d) === print(to) ? yes({ value: print(v) }) : no('not the activation derivative');
    }
    case 'norm-transpose': {
      if (!sameNorm(from, to) || !TRANSPOSE_INVARIANT.has(from.op))
        return no(`${from.kind === 'op' ? from.op : ''} is not transpose-invariant`);
      return sameMatrix(node('transpose', [from.args[0]!]), (to as OpNode).args[0]!, ctx.shapes)
        ? yes({ norm: from.op })
        : no('the arguments are not transposes of each other');
    }
    case 'norm-diag': {
      if (!isNorm(from) || !DIAGONAL_MAX.has(from.op) || !isOp(to, 'normMax')) return no('not a norm of a diagonal');
      const d = asSingleDiagonal(from.args[0]!, ctx.shapes);
      if (!d) return no(`${print(from.args[0]!)} is not one diagonal matrix`);
      const v = to.args[0]!;
      return d.key === entryKey(v, ctx.shapes) ? yes({ norm: from.op }) : no('not the diagonal of the matrix');
    }
    case 'norm-zero':
      if (!isNorm(from) || !(to.kind === 'num' && to.value === 0)) return no('not a norm equal to 0');
      return isZeroMatrix(from.args[0]!, ctx.shapes) ? yes({ norm: from.op }) : no(`${print(from.args[0]!)} is not 0`);
    case 'norm-scalar': {
      if (!isNorm(from) || !isNorm(to) || !sameMatrix(from.args[0]!, to.args[0]!, ctx.shapes))
        return no('not norms of one matrix');
      return shapeIsScalar(from.args[0]!, ctx)
        ? yes({ from: from.op, to: to.op })
        : no(`${print(from.args[0]!)} is not 1×1 for every size`);
    }
    case 'norm-homogeneous': {
      // from ‖c₁⋯c_m·R‖ to ‖c₁‖₂⋯‖c_m‖₂·‖R‖ (the same norm): every c_i 1×1, R not, and c₁⋯c_m·R the same matrix.
      if (!isNorm(from)) return no('not a norm');
      const parts = productFactors(to);
      const outer = parts.filter((p) => isNorm(p) && p.op === from.op && !shapeIsScalar(p.args[0]!, ctx));
      if (outer.length !== 1) return no('not one norm of a matrix times norms of 1×1 factors');
      const scalars = parts.filter((p) => p !== outer[0]);
      if (!scalars.every((p) => isOp(p, 'norm2') && shapeIsScalar(p.args[0]!, ctx)))
        return no('a factor outside the norm is not the norm of a 1×1 matrix');
      const R = (outer[0] as OpNode).args[0]!;
      const cs = scalars.map((p) => (p as OpNode).args[0]!);
      return sameMatrix(from.args[0]!, mulAll([...cs, R]), ctx.shapes)
        ? yes({ norm: from.op })
        : no('the factors do not multiply to the matrix under the norm');
    }
    case 'abs-multiplicative': {
      if (!isNorm(from)) return no('not a norm');
      const M = from.args[0]!;
      if (!shapeIsScalar(M, ctx)) return no(`${print(M)} is not 1×1 for every size`);
      if (isOp(M, 'prod') && isOp(to, 'prod')) {
        const body = to.args[0]!;
        if (!isNorm(body) || body.op !== from.op) return no('not a product of norms');
        return shapeIsScalar(M.args[0]!, ctx) && sameRange(M, to, M.args[0]!, body.args[0]!, ctx)
          ? yes({ norm: from.op })
          : no('not the product of the factors’ norms');
      }
      const parts = productFactors(to);
      if (parts.length < 2 || !parts.every((p) => isNorm(p) && p.op === from.op)) return no('not a product of norms');
      const args = parts.map((p) => (p as OpNode).args[0]!);
      if (!args.every((a) => shapeIsScalar(a, ctx))) return no('a factor is not 1×1');
      return sameMatrix(M, mulAll(args), ctx.shapes) ? yes({ norm: from.op }) : no('not the factors of the product');
    }
    case 'scalar-algebra':
      return sameScalar(from, to, ctx.shapes, ctx.domain)
        ? yes()
        : no('not equal as products of powers of nonnegative factors');
    case 'triangle': {
      if (!isNorm(from)) return no('not a norm');
      const parts = sumTerms(to);
      if (parts.length < 2 || !parts.every((p) => isNorm(p) && p.op === from.op)) return no(`not a sum of ${from.op}`);
      const args = parts.map((p) => (p as OpNode).args[0]!);
      if (args.length > 8) return no('too many terms');
      for (const s of signs(args.length))
        if (sameMatrix(from.args[0]!, signedSum(args, s), ctx.shapes))
          return yes({ norm: from.op, terms: `${args.length}` });
      return no('the terms do not add up to the matrix');
    }
    case 'reverse-triangle': {
      if (!isOp(from, 'sub')) return no('not a difference of norms');
      const [b, c] = from.args as [Expr, Expr];
      if (!sameNorm(b, c) || !isNorm(to) || to.op !== b.op) return no('not a difference of norms of one kind');
      const [B, C, D] = [b.args[0]!, (c as OpNode).args[0]!, to.args[0]!];
      for (const op of ['add', 'sub'] as const)
        for (const candidate of [node(op, [B, C]), node('neg', [node(op, [B, C])])])
          if (sameMatrix(D, candidate, ctx.shapes)) return yes({ norm: b.op, form: op === 'add' ? 'B + C' : 'B − C' });
      return no('the norm on the right is not of B ± C');
    }
    case 'submultiplicative':
    case 'submultiplicative-mixed': {
      if (!isNorm(from) || !SUBMULTIPLICATIVE.has(from.op))
        return no(`${from.kind === 'op' ? from.op : 'this'} is not submultiplicative`);
      const parts = productFactors(to);
      const coef = parts[0]?.kind === 'num' ? parts[0].value : null;
      const norms = coef === null ? parts : parts.slice(1);
      if (coef !== null && coef < 0) return no('a negative coefficient');
      // mixed: ‖A₁⋯A_n‖_F ≤ ‖A_j‖_F ∏_{i≠j} ‖A_i‖₂ (‖AB‖_F ≤ ‖A‖₂‖B‖_F, each column of B; and ‖·‖₂ ≤ ‖·‖_F for the
      // rest): one Frobenius norm at least, the others spectral or Frobenius
      const mixed = rule === 'submultiplicative-mixed';
      if (mixed && from.op !== 'normF') return no('the mixed rule bounds a Frobenius norm');
      const kinds = mixed ? ['normF', 'norm2'] : [from.op];
      if (norms.length < 2 || !norms.every((p) => isNorm(p) && kinds.includes(p.op)))
        return no(`not a product of ${kinds.join(' and ')}`);
      if (mixed && !norms.some((p) => (p as OpNode).op === 'normF')) return no('no Frobenius norm among the factors');
      const args = norms.map((p) => (p as OpNode).args[0]!);
      let product: Expr = mulAll(args);
      try {
        ctx.shapes.shape(product);
      } catch {
        return no('the factors do not multiply');
      }
      for (const c of coef === null ? [1, -1] : [coef, -coef]) {
        if (c !== 1) product = node('mul', [num(c), mulAll(args)]);
        else product = mulAll(args);
        if (sameMatrix(from.args[0]!, product, ctx.shapes)) return yes({ norm: from.op, factors: `${args.length}` });
      }
      return no('the factors do not multiply to the matrix');
    }
    case 'submultiplicative-range': {
      if (!isNorm(from) || !isOp(from.args[0]!, 'prod') || !isOp(to, 'prod')) return no('not the norm of a product');
      const M = from.args[0] as OpNode;
      if (!SUBMULTIPLICATIVE.has(from.op)) return no(`${from.op} is not submultiplicative`);
      // The empty product is the identity: ‖I‖ = 1 for induced norms, but ‖I‖_F = √d.
      if (from.op === 'normF' && !ctx.domain.atLeast(affineAdd(M.ints[1]!, M.ints[0]!, -1), 0))
        return no('‖I‖_F > 1 on an empty range');
      const body = to.args[0]!;
      if (!isNorm(body) || body.op !== from.op) return no(`not a product of ${from.op}`);
      return sameRange(M, to, M.args[0]!, body.args[0]!, ctx)
        ? yes({ norm: from.op, range: `${formatAffine(M.ints[0]!)}..${formatAffine(M.ints[1]!)}` })
        : no('not the norms of the factors');
    }
    case 'spectral-le-frobenius':
      return isOp(from, 'norm2') && isOp(to, 'normF') && sameMatrix(from.args[0]!, to.args[0]!, ctx.shapes)
        ? yes()
        : no('not ‖A‖₂ ≤ ‖A‖_F');
    case 'max-le-norm':
      return isOp(from, 'normMax') &&
        isNorm(to) &&
        ABOVE_MAX.has(to.op) &&
        sameMatrix(from.args[0]!, to.args[0]!, ctx.shapes)
        ? yes({ norm: to.op })
        : no('not ‖A‖_max ≤ ‖A‖ for the spectral, Frobenius or ∞ norm of one matrix');
    case 'max-entrywise-product': {
      if (!isOp(from, 'normMax')) return no('not a max-norm');
      const parts = productFactors(to);
      const coef = parts[0]?.kind === 'num' ? parts[0].value : null;
      const maxes = coef === null ? parts : parts.slice(1);
      if (coef !== null && coef < 0) return no('a negative coefficient');
      if (maxes.length < 2 || !maxes.every((p) => isOp(p, 'normMax'))) return no('not a product of max-norms');
      const E = from.args[0]!;
      if (!isEntrywise(E, ctx.shapes)) return no(`${print(E)} is not built entrywise`);
      const us = maxes.map((p) => (p as OpNode).args[0]!);
      const shapeOfE = formatShape(ctx.shapes.shape(E));
      if (!us.every((u) => [shapeOfE, 'scalar'].includes(formatShape(ctx.shapes.shape(u)))))
        return no('a factor has another shape');
      const product = us.reduce((a, b) => node('emul', [a, b]));
      for (const c of coef === null ? [1, -1] : [coef, -coef]) {
        const candidate = c === 1 ? product : node('emul', [num(c), product]);
        if (entryKey(E, ctx.shapes) === entryKey(candidate, ctx.shapes)) return yes({ factors: `${us.length}` });
      }
      return no('the factors do not multiply to the vector entry by entry');
    }
    case 'max-hprod': {
      if (!isOp(from, 'normMax') || !isOp(from.args[0]!, 'hprod') || !isOp(to, 'prod')) return no('not max |⨀ u_i|');
      const H = from.args[0] as OpNode;
      const body = to.args[0]!;
      if (!isOp(body, 'normMax')) return no('not a product of max-norms');
      if (!ctx.domain.equal(H.ints[0]!, to.ints[0]!) || !ctx.domain.equal(H.ints[1]!, to.ints[1]!))
        return no('not the same range');
      const u = substituteSafely(body.args[0]!, to.binder!, affineVar(H.binder!));
      return entryKey(H.args[0]!, ctx.shapes) === entryKey(u, ctx.shapes)
        ? yes({ range: `${formatAffine(H.ints[0]!)}..${formatAffine(H.ints[1]!)}` })
        : no('not the factors of the product');
    }
    case 'activation-range': {
      if (!isOp(from, 'normMax') || to.kind !== 'num') return no('not max |entry| ≤ a constant');
      const c = qFromNumber(to.value);
      const range = entryRange(from.args[0]!, entryCtx);
      const bound = absBound(range);
      if (!c || !bound) return no(`no range is known for the entries of ${print(from.args[0]!)}`);
      return qle(bound, c)
        ? yes({ bound: qformat(bound), facts: rangeFacts(range.facts) })
        : no(`the entries of ${print(from.args[0]!)} are only known to lie within ±${qformat(bound)}`);
    }
    case 'activation-sup': {
      if (!isOp(from, 'normMax') || !isOp(to, 'supabs')) return no('not max |entry| ≤ a sup');
      const m = supMatch(from.args[0]!, to, entryCtx);
      return m
        ? yes({ argument: print(m.argument), unfolded: m.unfolded.join('; ') })
        : no(`${print(from.args[0]!)} is not ${print(to.args[0]!)} applied entry by entry`);
    }
    case 'sup-lower-bound': {
      if (from.kind !== 'num' || !isOp(to, 'supabs')) return no('not a constant ≤ a sup');
      const c = qFromNumber(from.value);
      const low = supLowerBound(to);
      if (!c || !low) return no(`no value of ${print(to.args[0]!)} is known`);
      return qle(c, low.value)
        ? yes({ value: qformat(low.value), at: low.at })
        : no(`sup ≥ ${qformat(low.value)} only`);
    }
    case 'constant-order':
      return from.kind === 'num' && to.kind === 'num' && from.value <= to.value ? yes() : no('not a ≤ b for numbers');
    case 'factor-at-least-one':
      return factorAtLeastOne(from, to, ctx);
    case 'range-factors-at-most-one':
      return rangeFactorsAtMostOne(from, to, ctx, entryCtx);
    case 'diag-range-factors-at-most-one':
      return diagRangeFactorsAtMostOne(from, to, ctx, entryCtx);
  }
}

/** The lower bound ≥ 1 of a leaf, when known: a number, or a sup with a value ≥ 1. */
function atLeastOne(leaf: Expr): Q | null {
  if (leaf.kind === 'num') {
    const v = qFromNumber(leaf.value);
    return v && qcmp(v, { n: 1n, d: 1n }) >= 0 ? v : null;
  }
  if (isOp(leaf, 'supabs')) {
    const low = supLowerBound(leaf);
    return low && qcmp(low.value, { n: 1n, d: 1n }) >= 0 ? low.value : null;
  }
  return null;
}

/** B ≤ B·∏ y_j^{e_j}·c for y_j ≥ 1, e_j ≥ 0, c ≥ 1 and B ≥ 0 (both single products of nonnegative leaves). */
function factorAtLeastOne(from: Expr, to: Expr, ctx: LemmaContext): Verdict {
  const [a, b] = [scalarNormal(from, ctx.shapes, ctx.domain), scalarNormal(to, ctx.shapes, ctx.domain)];
  if (a.length !== 1 || b.length !== 1) return no('not single products');
  const [ma, mb] = [a[0]!, b[0]!];
  if (ma.coef < 0 || mb.coef < ma.coef) return no('the constant factor shrinks');
  for (const p of ma.factors.values()) if (!nonnegative(p.leaf)) return no(`${print(p.leaf)} may be negative`);
  const extra: string[] = [];
  for (const [key, p] of mb.factors) {
    const before = ma.factors.get(key);
    const grown = before ? affineAdd(p.exp, before.exp, -1) : p.exp;
    if (before && ctx.domain.equal(p.exp, before.exp)) continue;
    if (!ctx.domain.atLeast(grown, 0)) return no(`the exponent of ${print(p.leaf)} may shrink`);
    const low = atLeastOne(p.leaf);
    if (!low) return no(`${print(p.leaf)} is not known to be ≥ 1`);
    extra.push(`${print(p.leaf)} ≥ ${qformat(low)}`);
  }
  for (const key of ma.factors.keys()) if (!mb.factors.has(key)) return no('a factor disappears');
  return yes({ factors: extra.join('; ') || `constant ${mb.coef / (ma.coef || 1)}` });
}

/** An upper bound of a scalar leaf from the range rules (max |entries| ≤ c), or a number; null when none is known. */
function leafAtMost(leaf: Expr, ctx: EntryContext): { bound: Q; facts: string } | null {
  if (isOp(leaf, 'normMax')) {
    const range = entryRange(leaf.args[0]!, ctx);
    const bound = absBound(range);
    return bound ? { bound, facts: rangeFacts(range.facts) } : null;
  }
  const v = leaf.kind === 'num' ? qFromNumber(leaf.value) : null;
  return v ? { bound: v, facts: qformat(v) } : null;
}

const Q_ONE: Q = { n: 1n, d: 1n };

/**
 * ∏_{i∈R} a_i ≤ ∏_{i∈R′} a_i for the same factors over a range R′ inside R (lo ≤ lo′ and hi′ ≤ hi, so
 * also when R′ is empty), when every factor on R lies in [0, 1]: the product over R is the one over R′
 * times the factors of R∖R′, each in [0, 1]. Each factor is a product of leaves ≥ 0 by their form (norms,
 * sups) to powers ≥ 0, each ≤ 1 by the range rules (max |entry| ≤ 1), checked on the whole of R.
 */
function rangeFactorsAtMostOne(from: Expr, to: Expr, ctx: LemmaContext, entryCtx: EntryContext): Verdict {
  if (!isOp(from, 'prod') || !isOp(to, 'prod') || !from.binder || !to.binder) return no('not two products over ranges');
  if (!shapeIsScalar(from.args[0]!, ctx)) return no('not a product of scalars');
  const [lo, hi, lo2, hi2] = [from.ints[0]!, from.ints[1]!, to.ints[0]!, to.ints[1]!];
  const inside = ctx.domain.atLeast(affineAdd(lo2, lo, -1), 0) && ctx.domain.atLeast(affineAdd(hi, hi2, -1), 0);
  if (!inside)
    return no(`${formatAffine(lo2)}..${formatAffine(hi2)} is not inside ${formatAffine(lo)}..${formatAffine(hi)}`);
  const inner = ctx.domain.with({ name: from.binder, lo, hi });
  if (!inner) return no('the range shadows a variable');
  const body = from.args[0]!;
  const renamed = substituteSafely(to.args[0]!, to.binder, affineVar(from.binder));
  if (!sameScalar(body, renamed, ctx.shapes, inner)) return no('not the same factors');
  const poly = scalarNormal(body, ctx.shapes, inner);
  if (poly.length !== 1) return no('a factor is not a single product of leaves');
  const m = poly[0]!;
  const coef = qFromNumber(m.coef);
  if (!coef || qcmp(coef, { n: 0n, d: 1n }) < 0 || qcmp(coef, Q_ONE) > 0)
    return no('the constant factor is not in [0, 1]');
  const facts: string[] = [];
  for (const p of m.factors.values()) {
    if (!nonnegative(p.leaf)) return no(`${print(p.leaf)} may be negative`);
    if (!inner.atLeast(p.exp, 0)) return no(`the exponent of ${print(p.leaf)} may be negative`);
    const at = leafAtMost(p.leaf, { ...entryCtx, domain: inner });
    if (!at || qcmp(at.bound, Q_ONE) > 0) return no(`${print(p.leaf)} is not known to be ≤ 1`);
    facts.push(`${print(p.leaf)} ≤ ${qformat(at.bound)} (${at.facts})`);
  }
  return yes({
    range: `${formatAffine(lo2)}..${formatAffine(hi2)} inside ${formatAffine(lo)}..${formatAffine(hi)}`,
    facts: facts.join('; ') || `constant ${qformat(coef)}`,
  });
}

/**
 * ‖M·diag(⨀_{i∈R} u_i)‖ ≤ ‖M·diag(⨀_{i∈R′} u_i)‖, or with the diagonal on the left, for R′ inside R
 * (lo ≤ lo′, hi′ ≤ hi) when every entry of u_i on R lies in [−1, 1]: diagonals commute, so the left side is
 * M·diag(⨀_{R′} u)·diag(w) with w = ⨀_{R∖R′} u, |w_j| ≤ 1, and a diagonal factor with entries in [−1, 1]
 * scales columns (rows) by at most 1: ‖X·diag(w)‖ ≤ ‖X‖ for the spectral, Frobenius, ∞ and max norms.
 */
function diagRangeFactorsAtMostOne(from: Expr, to: Expr, ctx: LemmaContext, entryCtx: EntryContext): Verdict {
  if (!isNorm(from) || !isNorm(to) || from.op !== to.op) return no('not norms of one kind');
  const [fa, fb] = [productFactors(from.args[0]!), productFactors(to.args[0]!)];
  const ranged = (f: Expr | undefined): OpNode | null =>
    f && isOp(f, 'diag') && isOp(f.args[0]!, 'hprod') && (f.args[0] as OpNode).binder ? f.args[0] : null;
  for (const side of ['right', 'left'] as const) {
    const pick = (fs: Expr[]) => (side === 'right' ? fs[fs.length - 1] : fs[0]);
    const [ha, hb] = [ranged(pick(fa)), ranged(pick(fb))];
    if (!ha || !hb) continue;
    const rest = (fs: Expr[]) => (side === 'right' ? fs.slice(0, -1) : fs.slice(1));
    const [ra, rb] = [rest(fa), rest(fb)];
    if (ra.length !== rb.length || (ra.length && !sameMatrix(mulAll(ra), mulAll(rb), ctx.shapes)))
      return no('not the same matrix beside the diagonal');
    const [lo, hi, lo2, hi2] = [ha.ints[0]!, ha.ints[1]!, hb.ints[0]!, hb.ints[1]!];
    if (!(ctx.domain.atLeast(affineAdd(lo2, lo, -1), 0) && ctx.domain.atLeast(affineAdd(hi, hi2, -1), 0)))
      return no(`${formatAffine(lo2)}..${formatAffine(hi2)} is not inside ${formatAffine(lo)}..${formatAffine(hi)}`);
    const u = ha.args[0]!;
    if (
      entryKey(u, ctx.shapes) !== entryKey(substituteSafely(hb.args[0]!, hb.binder!, affineVar(ha.binder!)), ctx.shapes)
    )
      return no('not the same factors');
    const inner = ctx.domain.with({ name: ha.binder!, lo, hi });
    if (!inner) return no('the range shadows a variable');
    const range = entryRange(u, { ...entryCtx, domain: inner });
    const bound = absBound(range);
    if (!bound || qcmp(bound, Q_ONE) > 0) return no(`the entries of ${print(u)} are not known to lie in [−1, 1]`);
    return yes({
      side,
      range: `${formatAffine(lo2)}..${formatAffine(hi2)} inside ${formatAffine(lo)}..${formatAffine(hi)}`,
      facts: rangeFacts(range.facts),
    });
  }
  return no('no diagonal product over a range at either end');
}
