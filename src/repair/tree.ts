/** Positions in an expression tree and replacement at a position (path copying: untouched subtrees are shared). */
import type { Expr } from '../ir/expr.js';
import { chargeWork } from '../numeric/work-meter.js';

/**
 * Work units (src/numeric/work-meter.ts) of one node visited, made or diffed in building a repair candidate, or of one
 * edit tried at a site: in time a unit is ≈ 5 ns (LIMITS.claimOperations), such a step with its allocation and
 * garbage 0.2–1 µs (measured on chains of 1000 and 20 000).
 */
export const NODE_WORK = 100;

export interface Site {
  readonly node: Expr;
  readonly parent: Expr | null;
  /** the parent's site and this node's index among its arguments (null at the root) */
  readonly up: { readonly site: Site; readonly index: number } | null;
  /** the outermost chain longer than LONG_CHAIN whose links or operands hold this node (null: none) */
  readonly longChain: Expr | null;
}

/**
 * A chain of more terms or factors than this is long: an edit kind is applied at no more than this many places of it
 * (src/repair/search.ts). Every chain of the shipped corpus is shorter.
 */
export const LONG_CHAIN = 32;

/** The operators one chain is made of: a sum's + and − together, a product's, an entrywise product's. */
const chainClass = (e: Expr): string | null =>
  e.kind !== 'op' ? null : e.op === 'add' || e.op === 'sub' ? 'add' : e.op === 'mul' || e.op === 'emul' ? e.op : null;

/** Whether the chain rooted at `e` has more than LONG_CHAIN terms or factors (counted no further than that). */
function isLongChain(e: Expr): boolean {
  const c = chainClass(e);
  if (!c) return false;
  let operands = 0;
  const stack = [e];
  while (stack.length && operands <= LONG_CHAIN) {
    const x = stack.pop()!;
    if (x.kind === 'op' && chainClass(x) === c) stack.push(...x.args);
    else operands++;
  }
  return operands > LONG_CHAIN;
}

/**
 * Every node of `e` with its site, pre-order (iterative). A site links to its parent's rather than copying its path:
 * a chain an edit rebuilt (joinMul) is as deep as it is long, and its copied paths were quadratic in its length.
 */
export function sites(e: Expr): Site[] {
  const out: Site[] = [];
  const root: Site = { node: e, parent: null, up: null, longChain: isLongChain(e) ? e : null };
  const stack: Site[] = [root];
  while (stack.length) {
    const s = stack.pop()!;
    out.push(s);
    chargeWork(NODE_WORK);
    if (s.node.kind !== 'op') continue;
    for (let i = s.node.args.length - 1; i >= 0; i--) {
      const node = s.node.args[i]!;
      // a link of its parent's chain starts none (nor does a chain inside a long chain: it counts as the outer one's)
      const startsChain = !s.longChain && chainClass(node) !== chainClass(s.node) && isLongChain(node);
      stack.push({
        node,
        parent: s.node,
        up: { site: s, index: i },
        longChain: s.longChain ?? (startsChain ? node : null),
      });
    }
  }
  return out;
}

/** Child indices from the root to the site. */
export function pathOf(site: Site): number[] {
  const path: number[] = [];
  for (let s: Site = site; s.up; s = s.up.site) path.push(s.up.index);
  return path.reverse();
}

/** `e` with the node at `path` replaced by `by` (iterative: a path can be as deep as a chain is long). */
export function replaceAt(e: Expr, path: readonly number[], by: Expr): Expr {
  const spine: Expr[] = [];
  let x = e;
  for (const i of path) {
    if (x.kind !== 'op') throw new Error('replaceAt: path leaves the tree');
    spine.push(x);
    x = x.args[i]!;
  }
  chargeWork(NODE_WORK * path.length);
  let out = by;
  for (let k = path.length - 1; k >= 0; k--) {
    const n = spine[k]!;
    if (n.kind !== 'op') throw new Error('replaceAt: path leaves the tree');
    const args = n.args.slice();
    args[path[k]!] = out;
    out = { ...n, args };
  }
  return out;
}

/** The factors of a maximal product chain A·B·C (a node that is not a product is a chain of one); iterative, as a chain can be long. */
export function chainFactors(e: Expr, op: string): Expr[] {
  const out: Expr[] = [];
  const stack = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'op' && x.op === op) for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]!);
    else out.push(x);
  }
  return out;
}

/** Pre-order position and size of a node's subtree, in the tree an index was made of. */
interface Span {
  readonly pre: number;
  readonly size: number;
}

/** Where each node of a tree sits; null for a tree that holds one node at two places (a DAG: spans are ambiguous). */
export function indexTree(e: Expr): ReadonlyMap<Expr, Span> | null {
  const spans = new Map<Expr, Span>();
  const pres = new Map<Expr, number>();
  let next = 0;
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, done] = stack.pop()!;
    if (done) {
      spans.set(x, { pre: pres.get(x)!, size: next - pres.get(x)! });
      continue;
    }
    if (pres.has(x)) return null;
    pres.set(x, next++);
    stack.push([x, true]);
    if (x.kind === 'op') for (let i = x.args.length - 1; i >= 0; i--) stack.push([x.args[i]!, false]);
  }
  chargeWork(NODE_WORK * next);
  return spans;
}

/**
 * `changedNodes(before, after)` for `before` a node of the tree `index` was made of, from what the edit wrote: the walk
 * of `after` stops at the subtrees it kept, whose sizes the index knows. An edit of one link at the root of a
 * 20 000-term chain costs a few steps, not two walks of the chain.
 */
export function changedNodesIn(index: ReadonlyMap<Expr, Span>, before: Expr, after: Expr): number {
  const site = index.get(before)!;
  const inSite = (s: Span | undefined): s is Span =>
    s !== undefined && s.pre >= site.pre && s.pre < site.pre + site.size;
  let written = 0;
  const kept: Span[] = [];
  const seen = new Set<Expr>();
  const stack = [after];
  while (stack.length) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    const span = index.get(x);
    if (inSite(span)) kept.push(span);
    else {
      written++;
      if (x.kind === 'op') stack.push(...x.args);
    }
  }
  chargeWork(NODE_WORK * seen.size);
  // kept subtrees are nested or disjoint (a tree's): the outermost ones hold every kept node
  kept.sort((a, b) => a.pre - b.pre);
  let keptNodes = 0;
  let end = -1;
  for (const s of kept)
    if (s.pre >= end) {
      keptNodes += s.size;
      end = s.pre + s.size;
    }
  return written + site.size - keptNodes;
}

/** Nodes written or removed by replacing `before` with `after` (subtrees shared by identity do not count). */
export function changedNodes(before: Expr, after: Expr): number {
  const inBefore = new Set<Expr>();
  const collect = (e: Expr, into: Set<Expr>) => {
    const stack = [e];
    while (stack.length) {
      const x = stack.pop()!;
      into.add(x);
      if (x.kind === 'op') stack.push(...x.args);
    }
  };
  collect(before, inBefore);
  const inAfter = new Set<Expr>();
  collect(after, inAfter);
  chargeWork(NODE_WORK * (inBefore.size + inAfter.size));
  let n = 0;
  for (const x of inAfter) if (!inBefore.has(x)) n++;
  for (const x of inBefore) if (!inAfter.has(x)) n++;
  return n;
}
