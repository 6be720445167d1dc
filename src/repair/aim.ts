/**
 * Aiming the search with the symbolic engine: the true closed forms of the
 * derivatives a claim names (from the model's equations) contain the factors
 * a slip usually drops — σ′ as diag(σ ⊙ (1 − σ)), diag(f), diag(1 − h²) —
 * so those are the factors an insertion proposes, and the activations the
 * model applies to a sequence value are the ones a wrap proposes.
 */
import type { Claim, Derivation } from '../derivation/derivation.js';
import { type Affine, affineEquals, affineVar, formatAffine, isConstant } from '../ir/affine.js';
import { shapeIn } from '../ir/shape-of.js';
import type { Shape } from '../ir/shape.js';
import { type Expr, intVarsOf, isOp, node, some, walk } from '../ir/expr.js';
import { substituteIndex } from '../symbolic/build.js';
import { keptTextPrinter, printExpr } from '../ir/print.js';
import { specOf } from '../ops/index.js';
import { isGraphDerivative, SymbolicModel } from '../symbolic/derive.js';
import { SymbolicUnsupported } from '../symbolic/unsupported.js';
import { chainFactors } from './tree.js';
import type { EditContext } from './edits.js';

function unique(xs: readonly Expr[]): Expr[] {
  const seen = new Map<string, Expr>();
  for (const x of xs) if (!seen.has(printExpr(x))) seen.set(printExpr(x), x);
  return [...seen.values()];
}

/** A range of a sum or product: its binder and bounds. */
interface RangeOf {
  readonly binder: string;
  readonly lo: Affine;
  readonly hi: Affine;
}

/** The range a sum or product node binds, or null for any other node. */
function rangeOf(x: Expr): RangeOf | null {
  return x.kind === 'op' && x.binder && specOf(x).range && x.ints.length >= 2
    ? { binder: x.binder, lo: x.ints[0]!, hi: x.ints[1]! }
    : null;
}

/** Every sum's and product's range in an expression (a claim's own, where an inserted factor may read its binder). */
function rangesIn(e: Expr): RangeOf[] {
  const out: RangeOf[] = [];
  walk(e, (x) => {
    const r = rangeOf(x);
    if (r) out.push(r);
  });
  return out;
}

/**
 * A closed form's factor that reads its own range's binder, made a factor the claim can hold: that range's binder
 * renamed to a claim range's with the same bounds (∏_{i=1}^{k} Wᵀ diag(1 − h[T−k+i]²) inside the claim's own product over
 * i), or where the claim has no such range, the range's first factor (∏_{i=1}^{T−t} Wᵀ diag(1 − h[t+i]²) gives
 * diag(1 − h[t+1]²), the factor a BPTT recurrence drops). Innermost range first.
 */
function instances(f: Expr, enclosing: readonly RangeOf[], claimRanges: readonly RangeOf[]): Expr[] {
  let out = [f];
  for (const r of [...enclosing].reverse()) {
    if (!out.some((x) => intVarsOf(x).has(r.binder))) continue;
    out = out.flatMap((x) => {
      if (!intVarsOf(x).has(r.binder)) return [x];
      const renamed = claimRanges
        .filter((c) => affineEquals(c.lo, r.lo) && affineEquals(c.hi, r.hi))
        .map((c) => substituteIndex(x, r.binder, affineVar(c.binder)));
      // every instance is inserted at every place of every chain, aimed, so first in the screens' budget: one each
      // (the last factor too cost verify's smaller budget a repair it had found)
      return renamed.length ? renamed : [substituteIndex(x, r.binder, r.lo)];
    });
  }
  return out;
}

/** An entrywise expression of values alone (1 − h[s].^2, o[t] .* (1 − o[t])): no derivative, range or product in it. */
function elementary(e: Expr): boolean {
  // `some` tests each shared subterm once (a factor of a derived form is a DAG: walked as a tree, exponential)
  return !some(e, (x) => x.kind === 'op' && (isGraphDerivative(x) || specOf(x).range || isOp(x, 'mul')));
}

/** The ranges enclosing a node as a key: what `collect` reads of them (each one's binder and bounds). */
const rangesKey = (ranges: readonly RangeOf[]): string =>
  ranges.map((r) => `${r.binder}|${formatAffine(r.lo)}|${formatAffine(r.hi)}`).join(';');

/** A column of more than one entry (a scalar's diag is no factor a claim writes). */
const isColumnShape = (s: Shape): boolean =>
  isConstant(s.cols) && s.cols.c === 1 && !(isConstant(s.rows) && s.rows.c === 1);

export function editContext(d: Derivation, claim: Claim, text: (e: Expr) => string = keptTextPrinter()): EditContext {
  const claimRanges = [...rangesIn(claim.lhs), ...rangesIn(claim.rhs)];
  const freeInts = new Set([...Object.keys(d.model.sizes), ...claim.forall.map((q) => q.name)]);
  // a factor may read the claim's own binders too (read back inside their range, or refused there as no claim)
  const readable = new Set([...freeInts, ...claimRanges.map((r) => r.binder)]);
  const closed = (x: Expr) => [...intVarsOf(x)].every((v) => readable.has(v));
  const sm = new SymbolicModel(d.model, 'atom');
  const factors: Expr[] = [];
  const entries: Expr[] = [];
  /** factors that read a closed form's own range's binder, instantiated (`instances`): tried after the others */
  const rangeFactors: Expr[] = [];
  // Each node of a closed form is collected once per enclosing ranges: a derived form shares its subterms (a
  // Jacobian reads the one before it several times), and collecting it as a tree took time exponential in its depth
  // (the repair search of 16 intermediates each reading the previous one three times ran past 300 s and 3 GB). What
  // a node adds depends on it and on those ranges alone, and a second visit adds only what the first did, which
  // `unique` below drops: the lists it keeps are the same, in the same order.
  const collected = new Map<Expr, Set<string>>();
  const collect = (y: Expr, enclosing: readonly RangeOf[], key = rangesKey(enclosing)): void => {
    if (y.kind !== 'op') return;
    let seen = collected.get(y);
    if (!seen) collected.set(y, (seen = new Set()));
    if (seen.has(key)) return;
    seen.add(key);
    const range = rangeOf(y);
    const inner = range ? [...enclosing, range] : enclosing;
    const innerKey = range ? rangesKey(inner) : key;
    const keep = (f: Expr) => {
      if (closed(f)) {
        factors.push(f);
        if (isOp(f, 'diag')) entries.push(f.args[0]!, ...chainFactors(f.args[0]!, 'emul'));
      } else rangeFactors.push(...instances(f, inner, claimRanges));
    };
    if (isOp(y, 'mul')) for (const f of chainFactors(y, 'mul')) if (isOp(f, 'diag', 'dact')) keep(f);
    // an entrywise factor of a vector (∇_b L = Σ_s (1 − h[s]²) ⊙ (…)): the same factor as a diag, as a claim writes it
    // in a product (after the others: tried with the range factors)
    if (isOp(y, 'emul'))
      for (const f of chainFactors(y, 'emul'))
        if (f.kind === 'op' && elementary(f) && isColumnShape(shapeIn(d.model, f)))
          rangeFactors.push(...instances(node('diag', [f]), inner, claimRanges));
    for (const a of y.args) collect(a, inner, innerKey);
  };
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (x) => {
      if (isGraphDerivative(x)) {
        let form: Expr;
        try {
          form = sm.derive(x);
        } catch (err) {
          if (err instanceof SymbolicUnsupported) return;
          throw err;
        }
        collect(form, []);
        if (isOp(form, 'diag')) entries.push(form.args[0]!, ...chainFactors(form.args[0]!, 'emul'));
      }
      // ∂y/∂w at one unit: the activation derivative of y there (σ_y′) is the factor texts drop.
      if (isOp(x, 'd')) factors.push(node('dact', [x.args[0]!]));
    });
  const wraps = new Map<string, { op: string; name: string }>();
  for (const eq of d.model.equations)
    walk(eq.rhs, (x) => {
      const arg = x.kind === 'op' && x.args.length === 1 ? x.args[0]! : null;
      if (x.kind === 'op' && specOf(x).activation && arg?.kind === 'seq')
        wraps.set(`${x.op}|${arg.name}`, { op: x.op, name: arg.name });
    });
  return {
    model: d.model,
    relation: claim.relation,
    freeInts,
    aimFactors: unique(factors.filter(closed)),
    rangeFactors: unique(rangeFactors.filter(closed)).filter(
      (f) => !factors.some((g) => printExpr(g) === printExpr(f)),
    ),
    aimEntries: unique(entries.filter(closed)),
    wraps: [...wraps.values()],
    sides: { lhs: claim.lhs, rhs: claim.rhs },
    text,
  };
}
