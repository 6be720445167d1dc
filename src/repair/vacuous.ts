/**
 * Derivatives an edit made identically the identity or zero: `jac(h[t-1], h[t-1])` (a time shifted onto the other
 * end) is I whatever the model, `jac(f[T-1], h[T-1])` is 0 (f at T−1 reads h at T−2, not at T−1). A bound on such a
 * derivative holds because the derivative says nothing, not because the author's formula was nearly right: a review
 * found 9 of 105 offered repairs so. Decided by the symbolic engine's closed form (src/symbolic/derive.ts), not by
 * the text: I is its `eye`, 0 its `zeros` (1 and 0 for a scalar derivative). Likewise a difference an edit made of a
 * term and itself (`W' - W'`), identically 0 whatever it is, a partial derivative that holds its own output, and a
 * candidate whose sides are the same text.
 */
import type { Model } from '../model/model.js';
import type { Relation } from '../derivation/derivation.js';
import { type Expr, type OpNode, rewrite, walkOnce } from '../ir/expr.js';
import { shapeIn } from '../ir/shape-of.js';
import { isColumn, isRow } from '../ir/shape.js';
import { ExprError } from '../ir/errors.js';
import { InputError } from '../derivation/errors.js';
import { isGraphDerivative, SymbolicModel } from '../symbolic/derive.js';
import { SymbolicUnsupported } from '../symbolic/unsupported.js';
import { specOf, transposeBlindArgument } from '../ops/index.js';

type Trivial = 'identity' | 'zero' | null;

/**
 * An expression with the rewritings that change its text and not its value taken out, for comparing a candidate's two
 * sides: a transpose directly under a reduction it does not change (‖x'‖₂ = ‖x‖₂), and the Frobenius norm of a vector
 * as its spectral norm (one number). Review155 found `norm2(g) <= normF(g)` offered, and the screen passed
 * `norm2(g) <= norm2(g')`: x ≤ x for a vector g, true of anything.
 */
function sameQuantity(model: Model, e: Expr): Expr {
  return rewrite(e, (x) => {
    if (x.kind !== 'op' || !specOf(x).transposeBlind) return x;
    const arg = transposeBlindArgument(x);
    let op = x.op;
    if (op === 'normF') {
      let shape = null;
      try {
        shape = shapeIn(model, arg);
      } catch (err) {
        if (!(err instanceof ExprError)) throw err;
      }
      if (shape && (isColumn(shape) || isRow(shape))) op = 'norm2';
    }
    return op === x.op && arg === x.args[0] ? x : { ...x, op, args: [arg, ...x.args.slice(1)] };
  });
}

/** The terms of a sum (through +, − and unary −), each with the sign it enters with. */
function signedTerms(e: Expr, sign: 1 | -1, into: { term: Expr; sign: 1 | -1 }[]): void {
  if (e.kind === 'op' && (e.op === 'add' || e.op === 'sub') && e.args.length === 2) {
    signedTerms(e.args[0]!, sign, into);
    signedTerms(e.args[1]!, e.op === 'sub' ? (-sign as 1 | -1) : sign, into);
  } else if (e.kind === 'op' && e.op === 'neg' && e.args.length === 1) signedTerms(e.args[0]!, -sign as 1 | -1, into);
  else into.push({ term: e, sign });
}

/**
 * What lhs − rhs is, as text: its signed terms with those the two sides share cancelled, sorted; `flip` negates every
 * one. Two relations with the same key differ by a term both sides gained or lost, nothing else.
 */
function differenceKey(lhs: Expr, rhs: Expr, text: (e: Expr) => string, flip = false): string {
  const terms: { term: Expr; sign: 1 | -1 }[] = [];
  signedTerms(lhs, flip ? -1 : 1, terms);
  signedTerms(rhs, flip ? 1 : -1, terms);
  const count = new Map<string, number>();
  for (const { term, sign } of terms) {
    const key = text(term);
    count.set(key, (count.get(key) ?? 0) + sign);
  }
  return [...count]
    .filter(([, n]) => n !== 0)
    .map(([key, n]) => `${n}·${key}`)
    .sort()
    .join(' ');
}

/** isGraphDerivative without narrowing (an op node that is not one is still an op node). */
const isDerivative = (e: Expr): boolean => isGraphDerivative(e);

function trivialForm(form: Expr): Trivial {
  if (form.kind === 'num') return form.value === 1 ? 'identity' : form.value === 0 ? 'zero' : null;
  if (form.kind !== 'op') return null;
  if (form.op === 'eye') return 'identity';
  if (form.op === 'zeros') return 'zero';
  if (form.op === 'transpose') return trivialForm(form.args[0]!);
  return null;
}

/**
 * A test of candidates for one claim: does an edit make one of a candidate's derivatives identically I or 0 where
 * the claim's own derivative at that place was not? `text` prints a tree (the search's printer). The derivatives an
 * edit did not touch are the claim's own nodes (edits copy the path they rewrite and share the rest), so only the
 * others are derived; a derivative the engine has no closed form for is not known to be either.
 */
export function vacuousDerivativeTest(
  model: Model,
  claim: { readonly lhs: Expr; readonly rhs: Expr; readonly relation: Relation },
  text: (e: Expr) => string,
): (candidate: { readonly lhs: Expr; readonly rhs: Expr }) => boolean {
  const sm = new SymbolicModel(model, 'atom');
  const kinds = new Map<string, Trivial>();
  const kindOf = (d: Expr): Trivial => {
    const key = text(d);
    if (kinds.has(key)) return kinds.get(key)!;
    let kind: Trivial = null;
    try {
      kind = trivialForm(sm.derive(d as OpNode));
    } catch (err) {
      if (!(err instanceof SymbolicUnsupported || err instanceof InputError || err instanceof ExprError)) throw err;
    }
    kinds.set(key, kind);
    return kind;
  };
  const own = new Set<Expr>();
  for (const side of [claim.lhs, claim.rhs]) walkOnce(side, (x) => own.add(x));
  // the claim's own derivatives by text: an edit that moves one (a reordered chain) has not changed it
  const ownTexts = new Set<string>();
  for (const x of own) if (isGraphDerivative(x)) ownTexts.add(text(x));

  /**
   * Whether a side holds a derivative an edit made I or 0, each node compared with the one at its place in the
   * claim's side (null where the edit changed the shape around it). Iterative: a chain an edit rebuilt is as deep
   * as it is long.
   */
  const vacuousIn = (side: Expr, claimSide: Expr): boolean => {
    const stack: [Expr, Expr | null][] = [[side, claimSide]];
    const seen = new Set<Expr>();
    while (stack.length) {
      const [x, was] = stack.pop()!;
      if (own.has(x) || x.kind !== 'op' || seen.has(x)) continue;
      seen.add(x);
      // a difference of a term with itself, which an edit wrote (`W' - W'` for `W' - W`): the model term deleted, the
      // bound then true of nothing (review151, review153: still offered)
      if (x.op === 'sub' && x.args.length === 2 && text(x.args[0]!) === text(x.args[1]!)) return true;
      // a partial derivative that holds the node it differentiates (`partial(h[T], W, h[T])` for `partial(h[T], W, h[T-1])`):
      // 0 whatever the model, where the engine may have no closed form to say so (∂h/∂W, a tensor; review154)
      if (x.op === 'partial' && x.args.slice(2).some((held) => text(held) === text(x.args[0]!))) return true;
      if (isDerivative(x)) {
        if (ownTexts.has(text(x)) || kindOf(x) === null) continue;
        // the claim's derivative at that place was trivial already: the edit did not make it so
        if (was !== null && isDerivative(was) && kindOf(was) !== null) continue;
        return true;
      }
      const same = was !== null && was.kind === 'op' && was.op === x.op && was.args.length === x.args.length;
      x.args.forEach((a, i) => stack.push([a, same ? was.args[i]! : null]));
    }
    return false;
  };
  // a candidate whose two sides are one quantity written twice (`x <= x'` of a vector x, which an edit of `x <= 0.5*x`
  // makes), where the claim's were not (`‖W‖ < ‖W‖` is offered its '<=': the edit is the relation's)
  const alike = (c: { readonly lhs: Expr; readonly rhs: Expr }) =>
    text(sameQuantity(model, c.lhs)) === text(sameQuantity(model, c.rhs));
  const claimAlike = alike(claim);
  // a candidate whose sides differ by what the claim's differ by (for an equality, or its negation): false exactly where
  // the claim is, passing only because a term both sides gained dilutes the relative tolerance — review155's
  // `1 + max|h|² = 1 + min|h|²` for `1 − max|h|² = 1 − min|h|²`, whose sides differ by 1.5e-17 in 2 (the claim's by as
  // much in 1e-17). An edit of the relation alone (a strict claim's '<' made '≤') keeps its difference and is no dilution.
  const quantity = (e: Expr) => text(sameQuantity(model, e));
  const claimDifference = differenceKey(claim.lhs, claim.rhs, quantity);
  const claimNegated = differenceKey(claim.lhs, claim.rhs, quantity, true);
  const diluted = (c: { readonly lhs: Expr; readonly rhs: Expr }) => {
    if (c.lhs === claim.lhs && c.rhs === claim.rhs) return false;
    const key = differenceKey(c.lhs, c.rhs, quantity);
    return key === claimDifference || (claim.relation === '=' && key === claimNegated);
  };
  return (c) => (!claimAlike && alike(c)) || vacuousIn(c.lhs, claim.lhs) || vacuousIn(c.rhs, claim.rhs) || diluted(c);
}
