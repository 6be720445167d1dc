/**
 * A candidate repair is a claim a user could have written: its sides are
 * printed as ASCII math and read back through the same parser and checks as
 * a derivation file's claims (scope, the operators' own checks against the
 * model, shapes, the size budget, supabs only on the larger side). What is
 * checked is what was read back, so the statement a repair reports is exactly
 * the claim that was checked.
 */
import { claimDomain } from '../symbolic/bounds/prove.js';
import type { Claim, Derivation, Relation } from '../derivation/derivation.js';
import { checkSupabs, validateAgainstModel } from '../derivation/check-expr.js';
import { exprBudget, rangesOf } from '../derivation/budgets.js';
import { InputError } from '../derivation/errors.js';
import { ExprError } from '../ir/errors.js';
import type { Expr } from '../ir/expr.js';
import { parseExpression, type Scope } from '../ir/parse-math.js';
import { shapeIn } from '../ir/shape-of.js';
import { sameShape, type Shape } from '../ir/shape.js';

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

export type ReadBackFn = (lhs: Expr, relation: Relation, rhs: Expr) => ReadBack | null;

/**
 * A reader of candidates for one claim: each candidate read back as a claim, or null when it is not one
 * (wrong shapes, a node off the graph's roles, …). A side is read once per printed text: a candidate edits
 * one side, so the other is the same for most candidates and is not parsed and checked again. `printedText` is
 * the search's printer of candidate trees (src/ir/print.ts, keptTextPrinter).
 */
export function readerFor(d: Derivation, claim: Claim, printedText: (e: Expr) => string): ReadBackFn {
  const model = d.model;
  const scope = scopeOf(d, claim);
  const ranges = rangesOf({ ...model.sizes, ...(claim.sizes ?? {}) }, claim.forall);
  const domain = claimDomain(d, claim);
  type Side = { expr: Expr; shape: Shape; text: string } | null;
  const read = new Map<string, Side>();
  const side = (e: Expr): Side => {
    const text = printedText(e);
    if (read.has(text)) return read.get(text)!;
    let out: Side = null;
    try {
      const p = parseExpression(text, scope);
      validateAgainstModel(p.expr, model, p.offsets);
      // What was read back, with every subtree equal in every field to the printed tree's kept as that tree's node:
      // the same tree, whose unedited parts the engines' caches by node identity (content keys, plans, shapes)
      // already know, rather than a fresh copy walked again for each candidate.
      const expr = sharedWith(p.expr, e);
      // The model's shape cache (src/ir/shape-of.ts): the size budget below reads every node's shape from it, so
      // the tree's shapes are inferred once. A side without a shape is no claim, wherever the error is located.
      const shape = shapeIn(model, expr);
      out = exprBudget(model, expr, ranges) ? null : { expr, shape, text };
    } catch (err) {
      if (!(err instanceof ExprError || err instanceof InputError)) throw err;
    }
    read.set(text, out);
    return out;
  };
  return (lhs, relation, rhs) => {
    const [l, r] = [side(lhs), side(rhs)];
    if (!l || !r) return null;
    const zero = r.expr.kind === 'num' && r.expr.value === 0;
    if (!sameShape(l.shape, r.shape) && !(zero && relation === '=')) return null;
    if (relation !== '=' && !(isScalarShape(l.shape) && isScalarShape(r.shape))) return null;
    try {
      checkSupabs(l.expr, relation, r.expr, model.functions, domain, (m, expected) => new ExprError(0, m, expected));
    } catch (err) {
      if (err instanceof ExprError || err instanceof InputError) return null;
      throw err;
    }
    // the same text on both sides holds whatever the model: no repair of anything (`grad(L, h[t]) = grad(L, h[t])`
    // was offered, verified, for a recurrence missing its diag(1 − h²), a review found)
    if (l.text === r.text) return null;
    return { lhs: l.expr, rhs: r.expr, statement: `${l.text} ${relation} ${r.text}` };
  };
}

/**
 * `read` with each subtree equal to the one at the same place in `printed` (every field, as plain data: numbers by
 * Object.is, records with the same prototype and keys in the same order) replaced by that node: a tree equal to
 * `read` everywhere, sharing `printed`'s nodes where the reading gave them back unchanged.
 */
export function sharedWith(read: Expr, printed: Expr): Expr {
  if (read === printed) return read;
  if (read.kind !== 'op' || printed.kind !== 'op') return sameData(read, printed) ? printed : read;
  const n = read.args.length;
  if (n !== printed.args.length) return read;
  let args: Expr[] | null = null;
  let shared = true;
  for (let k = 0; k < n; k++) {
    const a = sharedWith(read.args[k]!, printed.args[k]!);
    if (a !== printed.args[k]) shared = false;
    if (a !== read.args[k]) (args ??= [...read.args])[k] = a;
  }
  if (shared && sameRecord(read, printed, 'args')) return printed;
  return args ? { ...read, args } : read;
}

/** Equal as plain data: the same primitives (Object.is), arrays and records (prototype, keys in order, values). */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], y[i])) return false;
    // no holes, and no fields besides the entries
    return (
      Object.getPrototypeOf(a) === Object.getPrototypeOf(b) &&
      Object.keys(a).length === a.length &&
      Object.keys(y).length === y.length
    );
  }
  return sameRecord(a, b, null);
}

/** Two records' prototypes, keys (in order) and values equal as data, but for the field `skip`. */
function sameRecord(a: object, b: object, skip: string | null): boolean {
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Object.getOwnPropertySymbols(a).length || Object.getOwnPropertySymbols(b).length) return false;
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i]) return false;
    if (k === skip) continue;
    if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

const isScalarShape = (s: Shape) =>
  s.rows.c === 1 && !Object.keys(s.rows.terms).length && s.cols.c === 1 && !Object.keys(s.cols.terms).length;
