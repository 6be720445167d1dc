/**
 * Recognises path sums of chain shape,
 *   Σ_{γ_1…γ_k} ∏_{ℓ=0}^{k−1} F(γ_ℓ, γ_{ℓ+1}) · G(γ_k),
 * which equal the transfer-matrix product (F_0 ⋯ F_{k−1} G)[γ_0] by
 * distributivity. Both evaluators (numeric and exact) use that form instead
 * of enumerating d^k paths.
 */
import { formatAffine } from './affine.js';
import { children, type Expr, type Index } from './expr.js';
import { pathKey as pathKeyOf, unitIndicesOf } from './index-ref.js';

export interface ChainShape {
  /** the ∏ over ℓ whose body F reads the path only at ℓ and ℓ+1 */
  readonly prod: Extract<Expr, { kind: 'prod' | 'sum' }>;
  /** G, reading the path only at k */
  readonly tail: Expr;
}

/** Positions (as affine texts) at which an expression reads the path variable. */
export function pathPositions(e: Expr, path: string): Set<string> {
  const out = new Set<string>();
  const visit = (x: Expr): void => {
    // A nested path sum's start is a position of this path too.
    const ixs: Index[] = x.kind === 'pathsum' ? [x.start, ...unitIndicesOf(x)] : unitIndicesOf(x);
    for (const ix of ixs) if (ix.kind === 'path' && ix.name === path) out.add(formatAffine(ix.pos));
    for (const c of children(x)) visit(c);
  };
  visit(e);
  return out;
}

export function chainShape(x: Extract<Expr, { kind: 'pathsum' }>): ChainShape | null {
  const body = x.body;
  if (body.kind !== 'mul' || body.left.kind !== 'prod') return null;
  const prod = body.left;
  const l = prod.index;
  const lPlus1 = formatAffine({ c: 1, terms: { [l]: 1 } });
  if (formatAffine(prod.lo) !== '0' || formatAffine(prod.hi) !== formatAffine({ c: x.length.c - 1, terms: x.length.terms })) return null;
  if ([...pathPositions(prod.body, x.path)].some((p) => p !== l && p !== lPlus1)) return null;
  if ([...pathPositions(body.right, x.path)].some((p) => p !== formatAffine(x.length))) return null;
  return { prod, tail: body.right };
}

/**
 * Calls `visit` once per index path γ_1…γ_k ∈ [1..d]^k, with the positions
 * written into one environment (γ_0 = start). The environment is reused
 * between calls: a visitor that keeps it must copy it.
 */
export function forEachPath(path: string, k: number, d: number, start: number, env: Record<string, number>, visit: (assignment: Record<string, number>) => void): void {
  const assignment: Record<string, number> = { ...env, [pathKeyOf(path, 0)]: start };
  const rec = (pos: number) => {
    if (pos > k) {
      visit(assignment);
      return;
    }
    for (let g = 1; g <= d; g++) {
      assignment[pathKeyOf(path, pos)] = g;
      rec(pos + 1);
    }
  };
  rec(1);
}
