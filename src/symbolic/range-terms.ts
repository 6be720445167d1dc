/**
 * A range's terms (∏, Σ, ⨀ over an integer index) combined in any grouping, for rings where grouping cannot
 * change a value (Ring.regroups: ℤ_p). The bindings of a claim ask for ranges that overlap — ∏_{j=k+1}^{T} at
 * every k, Σ_j of ⨀_{l=k+1}^{j} — so terms are kept per family of bodies that line up (ExactContext.rangeTerms: the
 * same terms, shifted), with the products of aligned blocks of 2^m terms: a range then costs its new terms and a
 * product per block it spans (O(log length)), where the fold costs a lookup and a product per term.
 */
import type { OpNode } from '../ir/expr.js';
import { withBinding } from '../ir/names.js';
import type { ExactContext } from '../ops/contexts.js';
import type { RMat } from './ring.js';

/** The terms of bodies that line up, by their position from the anchor, and products of aligned blocks. */
interface Family<R> {
  readonly terms: Map<number, RMat<R>>;
  /** products of aligned blocks, keyed `index · LEVELS + level`: terms index·2^level … (index + 1)·2^level − 1 */
  readonly blocks: Map<number, RMat<R>>;
}

/** Positions are kept within ±2^30, where bit operations on them are exact. */
const LEVELS = 31;
const MAX_POSITION = 2 ** 30;

/**
 * combine(…combine(F_lo, F_lo+1)…, F_hi) for a range whose terms all have one shape that combine keeps (`closed`:
 * square, for a matrix product), grouped by aligned blocks; null (the caller folds) where they do not, or where
 * the body's terms cannot be lined up. Terms are evaluated in order, as the fold evaluates them, so an error
 * surfaces where it would; combine cannot fail on terms of one closed shape.
 */
export function regroupedRange<R>(
  n: OpNode,
  ctx: ExactContext<R>,
  lo: number,
  hi: number,
  combine: (acc: RMat<R>, next: RMat<R>) => RMat<R>,
  closed: (rows: number, cols: number) => boolean,
): RMat<R> | null {
  const [binder, body] = [n.binder!, n.args[0]!];
  const lineUp = ctx.rangeTerms(n);
  if (!lineUp) return null;
  const { anchor } = lineUp;
  if (Math.abs(lo - anchor) > MAX_POSITION || Math.abs(hi - anchor) > MAX_POSITION) return null;
  const families = ctx.memo<Family<R>>('range-families');
  const key = `${n.op}|${lineUp.key}`;
  let family = families.get(key);
  if (!family) families.set(key, (family = { terms: new Map(), blocks: new Map() }));
  let first: RMat<R> | null = null;
  for (let i = lo; i <= hi; i++) {
    let term = family.terms.get(i - anchor);
    if (!term) family.terms.set(i - anchor, (term = ctx.eval(body, withBinding(ctx.env, binder, i))));
    if (!first) {
      if (!closed(term.rows, term.cols)) return null;
      first = term;
    } else if (term.rows !== first.rows || term.cols !== first.cols) return null;
  }
  const last = hi - anchor;
  let acc: RMat<R> | null = null;
  for (let s = lo - anchor; s <= last;) {
    // the largest aligned block starting at s that ends by the last term
    let level = 0;
    while (level + 1 < LEVELS && (s & ((2 << level) - 1)) === 0 && s + (2 << level) - 1 <= last) level++;
    const b = block(family, level, s >> level, combine);
    acc = acc ? combine(acc, b) : b;
    s += 1 << level;
  }
  return acc;
}

/** The product of block `index` at `level` (its terms already evaluated), kept. */
function block<R>(
  family: Family<R>,
  level: number,
  index: number,
  combine: (acc: RMat<R>, next: RMat<R>) => RMat<R>,
): RMat<R> {
  if (level === 0) return family.terms.get(index)!;
  const key = index * LEVELS + level;
  let b = family.blocks.get(key);
  if (!b) {
    b = combine(block(family, level - 1, 2 * index, combine), block(family, level - 1, 2 * index + 1, combine));
    family.blocks.set(key, b);
  }
  return b;
}
