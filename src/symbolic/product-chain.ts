/**
 * An ordered product times a vector in an exact domain, walked from the
 * vector as the float engine's ProdOp does: F_lo ⋯ F_hi · v is F_lo·(⋯(F_hi·v)),
 * one matrix–vector product per factor, and the partial results are kept per
 * chain, so the products of successive lags (which extend away from the
 * vector) cost one factor each. Each factor is applied without building its
 * matrix where it is itself a product (W'·diag(u)·w = W'·(u ⊙ w)).
 */
import { affine, affineAdd, type IntEnv } from '../ir/affine.js';
import { type Expr, isOp, type OpNode, some } from '../ir/expr.js';
import type { ExactContext } from '../ops/contexts.js';
import { substituteIndexShared } from './build.js';
import { type Kept, keep, reread, rmatmul, rzip, type RMat } from './ring.js';

/** The distance from the product's upper end, as a free index (a name no user text can spell). */
const STEP = 'chain-step';

/**
 * The body with its index counted down from the upper end: F(hi − j), keyed alike for every lag; null
 * when the index is also read as a number (an ivar, which only a constant replaces).
 */
const fromTop = new WeakMap<OpNode, Expr | null>();
function bodyFromTop(p: OpNode): Expr | null {
  let b = fromTop.get(p);
  if (b === undefined) {
    b = substituteIndexShared(p.args[0]!, p.binder!, affineAdd(p.ints[1]!, affine(0, { [STEP]: 1 }), -1));
    // `some` walks each shared subterm once (a product of a derived form's Jacobians is a DAG: walked as a tree,
    // the repair search of 26 intermediates z = z_prev .* z_prev + x spent 86 % of 22 s here, doubling per two more)
    if (some(b, (x) => x.kind === 'ivar' && x.name === p.binder)) b = null;
    fromTop.set(p, b);
  }
  return b;
}

/** Whether productTimesVector can walk this product. */
export const walksProduct = (p: OpNode): boolean => bodyFromTop(p) !== null;

/** f·v without forming f where f is a product, a scaling or a diagonal. */
function applied<R>(f: Expr, env: IntEnv, v: RMat<R>, ctx: ExactContext<R>): RMat<R> {
  if (isOp(f, 'mul')) {
    const [l, r] = f.args as [Expr, Expr];
    const scalar = (x: Expr) => {
      const [rows, cols] = ctx.dims(x, env);
      return rows === 1 && cols === 1;
    };
    if (scalar(l)) return rzip(ctx.eval(l, env), applied(r, env, v, ctx), ctx.ring.mul);
    if (scalar(r)) return rzip(ctx.eval(r, env), applied(l, env, v, ctx), ctx.ring.mul);
    return applied(l, env, applied(r, env, v, ctx), ctx);
  }
  if (isOp(f, 'diag')) return rzip(ctx.eval(f.args[0]!, env), v, ctx.ring.mul);
  return rmatmul(ctx.ring, ctx.eval(f, env), v);
}

/**
 * prod(i, lo, hi, F) · v for a column v (its expression `vector`, value `v`).
 * Chains are keyed by the body counted from the top and the vector, both at
 * this binding: equal keys pass the same factors in the same order.
 */
export function productTimesVector<R>(p: OpNode, vector: Expr, v: RMat<R>, ctx: ExactContext<R>): RMat<R> {
  const [lo, hi] = [ctx.int(p.ints[0]!), ctx.int(p.ints[1]!)];
  if (hi < lo) return v;
  const body = bodyFromTop(p)!;
  const key = `${ctx.contentKey(body)}|${ctx.contentKey(vector)}`;
  const chains = ctx.memo<Chain<R>>('product-chains');
  let chain = chains.get(key);
  if (!chain) {
    chain = { earlier: [], last: v };
    chains.set(key, chain);
  }
  const count = hi - lo + 1;
  // Each partial product is kept (packed, where the ring has a compact form); the last one, which the next lag
  // extends, as it is.
  for (let m = chain.earlier.length + 1; m <= count; m++) {
    const next = applied(body, { ...ctx.env, [STEP]: m - 1 }, chain.last, ctx);
    chain.earlier.push(keep(ctx.ring, chain.last));
    chain.last = next;
  }
  return count === chain.earlier.length ? chain.last : reread(ctx.ring, chain.earlier[count]!);
}

/** The partial products of one chain: F_hi⋯F_(hi−m+1)·v at m (m = 0: v itself), the longest one apart. */
interface Chain<R> {
  readonly earlier: Kept<R>[];
  last: RMat<R>;
}
