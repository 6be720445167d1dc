/** Positions in an expression tree and replacement at a position (path copying: untouched subtrees are shared). */
import type { Expr } from '../ir/expr.js';

export interface Site {
  readonly node: Expr;
  /** child indices from the root */
  readonly path: readonly number[];
  readonly parent: Expr | null;
}

/** Every node of `e` with its path, pre-order (iterative). */
export function sites(e: Expr): Site[] {
  const out: Site[] = [];
  const stack: Site[] = [{ node: e, path: [], parent: null }];
  while (stack.length) {
    const s = stack.pop()!;
    out.push(s);
    if (s.node.kind === 'op')
      for (let i = s.node.args.length - 1; i >= 0; i--)
        stack.push({ node: s.node.args[i]!, path: [...s.path, i], parent: s.node });
  }
  return out;
}

/** `e` with the node at `path` replaced by `by`. */
export function replaceAt(e: Expr, path: readonly number[], by: Expr): Expr {
  if (!path.length) return by;
  if (e.kind !== 'op') throw new Error('replaceAt: path leaves the tree');
  const [i, ...rest] = path;
  const args = e.args.slice();
  args[i!] = replaceAt(e.args[i!]!, rest, by);
  return { ...e, args };
}

/** The factors of a maximal product chain A·B·C (a node that is not a product is a chain of one). */
export function chainFactors(e: Expr, op: string): Expr[] {
  if (e.kind !== 'op' || e.op !== op) return [e];
  return e.args.flatMap((a) => chainFactors(a, op));
}

/** Number of nodes, a measure of how much an edit changed. */
export function size(e: Expr): number {
  let n = 0;
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    n++;
    if (x.kind === 'op') stack.push(...x.args);
  }
  return n;
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
