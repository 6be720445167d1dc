/**
 * A candidate written plainly before it is compared with the others and shown: the arithmetic an edit leaves undone
 * is done — an integer expression folded (`k - 1 + 1` is k), a factor 1 dropped (`1*norm2(W)^k`, the constant 0.5
 * doubled, is norm2(W)^k, which dropping the factor 0.5 wrote too). Only the nodes an edit wrote are tidied: what the
 * claim's author wrote stays as written (`T - t + 1` is not reordered, a `1*x` of theirs is kept). The search's
 * dedup then sees one claim where the two edits wrote the same one.
 *
 * No canonical form of the codebase does this: a content key (src/ir/content-key.ts) is the tree's structure with
 * its index values, equal for equal trees only (as the printed text the search already dedups on), and the
 * symbolic engine's canonical forms (src/symbolic/canonical.ts) are of values at concrete indices, not trees to show.
 */
import { integerAffine } from '../ir/integer-affine.js';
import type { Expr } from '../ir/expr.js';
import { affineExpr } from '../symbolic/build.js';
import { chargeWork } from '../numeric/work-meter.js';
import { NODE_WORK } from './tree.js';

const isOne = (e: Expr): boolean => e.kind === 'num' && e.value === 1;

const size = (e: Expr): number => (e.kind === 'op' ? e.args.reduce((n, a) => n + size(a), 1) : 1);

/** The most nodes an integer expression folded by the tidying may have (an author's chain of 1s is no exponent). */
const FOLD_NODES = 16;

/**
 * Whether `x` is an integer expression of at most FOLD_NODES nodes with a number or variable the edit wrote (not one
 * `kept` says the author did): `k - 1 + 1`, whose last 1 the edit wrote, is folded; `1 - 1`, the sign of the author's
 * `1 + 1` flipped, is not (the edit wrote no arithmetic there).
 */
function foldable(x: Expr, kept: (x: Expr) => boolean): boolean {
  let nodes = 0;
  let written = false;
  const stack = [x];
  while (stack.length) {
    const y = stack.pop()!;
    if (++nodes > FOLD_NODES) return false;
    if (y.kind === 'op') stack.push(...y.args);
    else if (!kept(y)) written = true;
  }
  return written;
}

/** One node whose arguments are tidy, tidied: a factor 1 of a product dropped, an integer the edit wrote folded. */
function tidyNode(x: Expr, kept: (x: Expr) => boolean): Expr {
  if (x.kind !== 'op') return x;
  if (x.op === 'mul' && x.args.length === 2) {
    const [l, r] = x.args as [Expr, Expr];
    // a 1 the edit wrote (the constant 0.5 doubled), not the author's
    if (isOne(l) && !kept(l)) return r;
    if (isOne(r) && !kept(r)) return l;
  }
  const a = foldable(x, kept) ? integerAffine(x) : null;
  if (a) {
    const folded = affineExpr(a);
    if (size(folded) < size(x)) return folded;
  }
  return x;
}

export interface Tidied {
  readonly expr: Expr;
  /** where a node of the untidy tree went: itself, or the node that took its place (for highlighting changed parts) */
  readonly placeOf: (x: Expr) => Expr;
}

/**
 * `e` with the nodes an edit wrote tidied (bottom-up); a node `kept` says is not one of those is left as it is, with
 * everything under it. Iterative: a chain an edit rebuilt is as deep as it is long.
 */
export function tidyWritten(e: Expr, kept: (x: Expr) => boolean): Tidied {
  const moved = new Map<Expr, Expr>();
  const done = new Map<Expr, Expr>();
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, childrenDone] = stack.pop()!;
    if (done.has(x)) continue;
    if (x.kind !== 'op' || kept(x)) {
      done.set(x, x);
      continue;
    }
    if (!childrenDone) {
      stack.push([x, true]);
      for (const a of x.args) if (!done.has(a)) stack.push([a, false]);
      continue;
    }
    chargeWork(NODE_WORK);
    const args = x.args.map((a) => done.get(a)!);
    const rebuilt = args.every((a, i) => a === x.args[i]) ? x : { ...x, args };
    const out = tidyNode(rebuilt, kept);
    if (out !== x) moved.set(x, out);
    // an argument a rule removed (a factor 1, the terms of a folded integer) stands for what took the node's place
    if (out !== rebuilt) for (const a of args) if (a !== out) moved.set(a, out);
    done.set(x, out);
  }
  const placeOf = (x: Expr): Expr => {
    let at = x;
    for (let next = moved.get(at); next !== undefined; next = moved.get(at)) at = next;
    return at;
  };
  return { expr: done.get(e)!, placeOf };
}
