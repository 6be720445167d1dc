/** Positions in an expression tree and replacement at a position (path copying: untouched subtrees are shared). */
import type { Expr } from '../ir/expr.js';

export interface Site {
  readonly node: Expr;
  readonly parent: Expr | null;
  /** the parent's site and this node's index among its arguments (null at the root) */
  readonly up: { readonly site: Site; readonly index: number } | null;
}

/**
 * Every node of `e` with its site, pre-order (iterative). A site links to its parent's rather than copying its path:
 * a chain an edit rebuilt (joinMul) is as deep as it is long, and its copied paths were quadratic in its length.
 */
export function sites(e: Expr): Site[] {
  const out: Site[] = [];
  const stack: Site[] = [{ node: e, parent: null, up: null }];
  while (stack.length) {
    const s = stack.pop()!;
    out.push(s);
    if (s.node.kind !== 'op') continue;
    for (let i = s.node.args.length - 1; i >= 0; i--) {
      stack.push({ node: s.node.args[i]!, parent: s.node, up: { site: s, index: i } });
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
  let n = 0;
  for (const x of inAfter) if (!inBefore.has(x)) n++;
  for (const x of inBefore) if (!inAfter.has(x)) n++;
  return n;
}
