/**
 * Path sums Σ over index paths γ_1…γ_k ∈ [1..d]^k (γ_0 = start): enumeration,
 * and the chain shape
 *   Σ_{γ_1…γ_k} ∏_{ℓ=0}^{k−1} F(γ_ℓ, γ_{ℓ+1}) · G(γ_k),
 * which equals the transfer-matrix product (F_0 ⋯ F_{k−1} G)[γ_0] by
 * distributivity. Both evaluators (numeric and exact) use that form instead
 * of enumerating d^k paths.
 */
import { affine, affineAdd, affineEquals, formatAffine } from './affine.js';
import { type Expr, isOp, node, type OpNode, walkOnce } from './expr.js';
import { withBinding } from './names.js';

/** Where the value of path position γ_p lives in an environment. */
export const pathKey = (path: string, pos: number): string => `${path}#${pos}`;

export interface ChainShape {
  /** the ∏ over ℓ whose body F reads the path only at ℓ and ℓ+1 */
  readonly prod: OpNode;
  /** G, reading the path only at k */
  readonly tail: Expr;
}

/** Positions (as affine texts) at which an expression reads the path variable (a nested path sum's start included). */
export function pathPositions(e: Expr, path: string): Set<string> {
  const out = new Set<string>();
  walkOnce(e, (x) => {
    if (x.kind !== 'op') return;
    for (const ix of x.units) if (ix.kind === 'path' && ix.name === path) out.add(formatAffine(ix.pos));
  });
  return out;
}

/** The parts of a path sum `pathsum(g, k, start, d, body)`. */
export function pathSumParts(x: OpNode): {
  path: string;
  length: OpNode['ints'][number];
  range: OpNode['ints'][number];
  start: OpNode['units'][number];
  body: Expr;
} {
  return { path: x.binder!, length: x.ints[0]!, range: x.ints[1]!, start: x.units[0]!, body: x.args[0]! };
}

/** chainShape by node: the IR is immutable and the shape is asked for at every binding. */
const shapes = new WeakMap<OpNode, ChainShape | null>();

/** The factors of a product in order, whatever its nesting: (a·b)·c and a·(b·c) are both a, b, c. */
const productFactors = (e: Expr): Expr[] => (isOp(e, 'mul') ? e.args.flatMap(productFactors) : [e]);

/**
 * The chain shape of a path sum, if it has one: its body a product whose first factor is the ∏ over ℓ and
 * whose other factors (G, however many: σ′ · δ · x written out) read the path only at k — by associativity
 * ∏ F · G₁ · G₂ = ∏ F · (G₁ · G₂), so it is summed by transfer matrices instead of over d^k paths.
 */
export function chainShape(x: OpNode): ChainShape | null {
  let shape = shapes.get(x);
  if (shape === undefined) {
    shape = findChainShape(x);
    shapes.set(x, shape);
  }
  return shape;
}

function findChainShape(x: OpNode): ChainShape | null {
  const { path, length, body } = pathSumParts(x);
  const [prod, ...rest] = productFactors(body);
  if (!rest.length || !isOp(prod!, 'prod')) return null;
  const l = prod.binder!;
  const lPlus1 = formatAffine(affine(1, { [l]: 1 }));
  if (!affineEquals(prod.ints[0]!, affine(0)) || !affineEquals(prod.ints[1]!, affineAdd(length, affine(-1))))
    return null;
  if ([...pathPositions(prod.args[0]!, path)].some((p) => p !== l && p !== lPlus1)) return null;
  // ∏ · G as written keeps its own G; a longer product gets one built from its factors after the ∏.
  const tail = rest.length === 1 ? rest[0]! : rest.reduce((a, b) => node('mul', [a, b]));
  if ([...pathPositions(tail, path)].some((p) => p !== formatAffine(length))) return null;
  return { prod, tail };
}

/**
 * Calls `visit` once per index path γ_1…γ_k ∈ [1..d]^k, with the positions
 * written into one environment (γ_0 = start). The environment is reused
 * between calls: a visitor that keeps it must copy it.
 */
export function forEachPath(
  path: string,
  k: number,
  d: number,
  start: number,
  env: Readonly<Record<string, number>>,
  visit: (assignment: Record<string, number>) => void,
): void {
  const assignment: Record<string, number> = { ...env, [pathKey(path, 0)]: start };
  const positions = new Array<number>(k + 1).fill(1);
  if (k === 0) {
    visit(assignment);
    return;
  }
  if (d < 1) return;
  // An odometer over the k positions (iterative: k may be large).
  for (let p = 1; p <= k; p++) assignment[pathKey(path, p)] = 1;
  for (;;) {
    visit(assignment);
    let p = k;
    while (p >= 1 && positions[p] === d) {
      positions[p] = 1;
      assignment[pathKey(path, p)] = 1;
      p--;
    }
    if (p < 1) return;
    positions[p]!++;
    assignment[pathKey(path, p)] = positions[p]!;
  }
}

/** Arithmetic a chain sum needs (numbers, or an exact ring). */
export interface ChainArithmetic<T> {
  readonly zero: T;
  add(a: T, b: T): T;
  mul(a: T, b: T): T;
  /** Σ terms, the same as adding them one by one from zero (a ring whose sums copy adds them in place) */
  readonly sum?: (terms: readonly T[]) => T;
  /** terms known to be zero may be skipped (never for floats, where 0·∞ must stay NaN) */
  isZero(a: T): boolean;
  /** a bound on how far a value may lie from what it stands for: a 0 with one is a rounded 0, not skipped */
  readonly doubtOf?: (a: T) => T | null;
}

/**
 * Σ_b F(b)·w[b] over the b where neither is known to be zero, in order of b: through the ring's sum where it has
 * one (one new value, not a copy per term), else added one by one. `factorAt(b)` evaluates F.
 */
function dotWith<T>(arith: ChainArithmetic<T>, w: readonly T[], factorAt: (b: number) => T): T {
  const { sum } = arith;
  const terms: T[] | null = sum ? [] : null;
  let total = arith.zero;
  // (as ../symbolic/ring.ts skippableZero: a decimal 0 that carries a doubt keeps it through the product)
  const skippable = (x: T) => arith.isZero(x) && !arith.doubtOf?.(x);
  for (let b = 1; b <= w.length; b++) {
    const wb = w[b - 1]!;
    if (skippable(wb)) continue;
    const f = factorAt(b);
    if (skippable(f)) continue;
    if (terms) terms.push(arith.mul(f, wb));
    else total = arith.add(total, arith.mul(f, wb));
  }
  return terms ? sum!(terms) : total;
}

/**
 * The chain-shaped path sum by transfer matrices: w[b] = Σ over γ_2…γ_k of the
 * product from position 1 on with γ_1 = b (keyed without γ_0, so it serves
 * every start), then the first factor. `value` evaluates a scalar at an
 * environment; `memo` keeps w across bindings. The environments `value` is
 * given are one per step, the path positions rewritten between calls (as
 * forEachPath does): a value that keeps its environment must copy it.
 */
export function chainSum<T>(
  x: OpNode,
  shape: ChainShape,
  at: { length: number; d: number; start: number; env: Readonly<Record<string, number>> },
  value: (e: Expr, env: Readonly<Record<string, number>>) => T,
  arith: ChainArithmetic<T>,
  memo: Map<string, T[]>,
  memoKey: string,
): T {
  const { path } = pathSumParts(x);
  const { length, d, start, env } = at;
  const l = shape.prod.binder!;
  const factor = shape.prod.args[0]!;
  if (length === 0) return value(shape.tail, withBinding(env, pathKey(path, 0), start));
  let w = memo.get(memoKey);
  if (!w) {
    let acc: T[] = [];
    const lastKey = pathKey(path, length);
    const tailEnv = withBinding(env, lastKey, 1);
    for (let b = 1; b <= d; b++) {
      tailEnv[lastKey] = b;
      acc.push(value(shape.tail, tailEnv));
    }
    for (let step = length - 1; step >= 1; step--) {
      const next: T[] = [];
      const [here, there] = [pathKey(path, step), pathKey(path, step + 1)];
      // { ...env, [l]: step, [here]: a, [there]: b }, built once per step
      const stepEnv = withBinding(env, l, step);
      stepEnv[here] = 1;
      stepEnv[there] = 1;
      for (let a = 1; a <= d; a++)
        next.push(
          dotWith(arith, acc, (b) => {
            stepEnv[here] = a;
            stepEnv[there] = b;
            return value(factor, stepEnv);
          }),
        );
      acc = next;
    }
    w = acc;
    memo.set(memoKey, w);
  }
  const [first, second] = [pathKey(path, 0), pathKey(path, 1)];
  const firstEnv = withBinding(env, l, 0);
  firstEnv[first] = start;
  firstEnv[second] = 1;
  return dotWith(arith, w, (b) => {
    firstEnv[second] = b;
    return value(factor, firstEnv);
  });
}
