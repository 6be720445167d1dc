/**
 * Operators over an integer range: the ordered product ∏ (index increasing
 * left to right, as written), the sum Σ, and the elementwise product ⨀.
 */
import { type Affine, affine, affineAdd } from '../ir/affine.js';
import { type Expr, intVarsOf, node, num, type OpNode } from '../ir/expr.js';
import { formatShape, isColumn, isScalar, isSquare } from '../ir/shape.js';
import {
  addValues,
  asDense,
  asOp,
  dense,
  type Factor,
  IdentityOp,
  type LinOp,
  powerBySquaring,
  ProdOp,
  squaringPays,
  zipDense,
  zipKernel,
} from '../numeric/values.js';
import { add, substituteIndexShared } from '../symbolic/build.js';
import { regroupedRange } from '../symbolic/range-terms.js';
import { withBinding } from '../ir/names.js';
import { addedLoss, noteLostPrecisions, withLostPrecisions } from '../numeric/lost-digits.js';
import { reduceTo, type Vec } from '../numeric/kernel.js';
import { newVec } from '../numeric/slab.js';
import {
  larger,
  rfill,
  ridentity,
  risScalar,
  rmap,
  rmatmul,
  rmatpow,
  rpow,
  rzip,
  type OrderedRing,
  type RMat,
  smaller,
} from '../symbolic/ring.js';
import { nadd, nconst, nmul, type NPoly } from '../symbolic/words.js';
import { broadcastKernel, broadcastShape, entrywiseCanonical, entrywiseFactor, matmulKernel } from './arithmetic.js';
import type { CanonicalContext, ExactContext, Kernel, LatexContext, NumericContext, PrintContext } from './contexts.js';
import { defineOp, type OpSpec } from './registry.js';

const body = (n: OpNode) => n.args[0]!;
const bounds = (n: OpNode) => [n.ints[0]!, n.ints[1]!] as const;
const RANGE_ARGS = ['int-binder', 'int', 'int', 'expr'] as const;

const printRange = (n: OpNode, ctx: PrintContext) =>
  `${n.op === 'rsum' ? 'sum' : n.op}(${n.binder}, ${ctx.int(n.ints[0]!)}, ${ctx.int(n.ints[1]!)}, ${ctx.expr(body(n))})`;

function latexRange(symbol: string) {
  return (n: OpNode, ctx: LatexContext, position: string) => {
    const inner = `${symbol}_{${ctx.variable(n.binder!)}=${ctx.index(n.ints[0]!)}}^{${ctx.index(n.ints[1]!)}} ${ctx.expr(body(n), 3)}`;
    // As a factor, the product's extent is bracketed, as the lab writes [∏ …]·∇L.
    return position === 'factor' ? `\\left[ ${inner} \\right]` : inner;
  };
}

/**
 * The terms of a range at concrete bounds, each evaluated with the index bound; `empty` when lo > hi. Where the
 * ring regroups, terms of one shape that combine keeps (`closed`) are combined in blocks kept across ranges.
 */
function exactRange<R>(
  n: OpNode,
  ctx: ExactContext<R>,
  combine: (acc: RMat<R>, next: RMat<R>) => RMat<R>,
  empty: (dims: [number, number]) => RMat<R>,
  closed: (rows: number, cols: number) => boolean,
): RMat<R> {
  const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
  const regrouped = lo <= hi && ctx.ring.regroups ? regroupedRange(n, ctx, lo, hi, combine, closed) : null;
  if (regrouped) return regrouped;
  let acc: RMat<R> | null = null;
  for (let i = lo; i <= hi; i++) {
    const f = ctx.eval(body(n), withBinding(ctx.env, n.binder!, i));
    acc = acc ? combine(acc, f) : f;
  }
  // An empty range: the ring's neutral element, of the body's shape (one generic entry in the entries view).
  return acc ?? empty(ctx.shapes === 'entries' ? [1, 1] : ctx.dims(body(n), withBinding(ctx.env, n.binder!, lo)));
}

/** Prefixes' ids, unique in the process (a prefix is keyed by its predecessor's id and its last factor). */
let prefixIds = 0;

/**
 * combine(…combine(start, F_lo)…, F_hi) over a range at `env`, every prefix kept in the canonicalizer's
 * `table` by the form keys of its factors: the ranges a claim's bindings ask for (∏_{i=1}^{k} at k = 1, 2, …)
 * share their prefixes, so each costs one combination more than the last instead of all of them again.
 * Prefixes are combined in the order of a plain fold, so the result is the form the fold builds. A table
 * holds one `start` and one `combine`; `start` null: the fold begins at F_lo itself (null for an empty range).
 */
export function foldRange<T>(
  n: OpNode,
  ctx: CanonicalContext,
  env: Readonly<Record<string, number>>,
  table: string,
  factor: (inner: Record<string, number>) => T,
  combine: (acc: T, next: T) => T,
  start: T | null,
): T | null {
  const [lo, hi] = [ctx.int(n.ints[0]!, env), ctx.int(n.ints[1]!, env)];
  const prefixes = ctx.memo<{ readonly id: number; readonly value: T }>(table);
  let acc = start;
  let prefix = -1;
  for (let i = lo; i <= hi; i++) {
    const inner = withBinding(env, n.binder!, i);
    const before = acc;
    const known = prefixes.through(`${prefix}|${ctx.formKey(body(n), inner)}`, () => {
      const next = factor(inner);
      return { id: prefixIds++, value: before === null ? next : combine(before, next) };
    });
    prefix = known.id;
    acc = known.value;
  }
  return acc;
}

function canonicalRange(n: OpNode, ctx: CanonicalContext, combine: (a: NPoly, b: NPoly) => NPoly, start: NPoly): NPoly {
  return foldRange(n, ctx, ctx.env, `${n.op} prefixes`, (inner) => ctx.expand(body(n), inner), combine, start)!;
}

/**
 * A factor of an ordered product at one index value. Its content key is built only when asked for: a walk keys
 * its memo on the factor next to the vector alone, so the other end (read for the product's size) and the
 * factors a walk applies need none.
 */
class RangeFactor implements Factor {
  private text: string | undefined;
  constructor(
    private readonly ctx: NumericContext,
    private readonly body: Expr,
    private readonly inner: Record<string, number>,
  ) {}
  get key(): string {
    return (this.text ??= this.ctx.contentKey(this.body, this.inner));
  }
  value(): LinOp {
    // read through ctx.eval every time, which notes the derivatives the value reads for the point asking
    return asOp(this.ctx.eval(this.body, this.inner));
  }
}

/** The longest ordered product whose factors are kept between walks (see prod's evaluate). */
const KEPT_FACTORS = 4096;

defineOp({
  id: 'prod',
  domain: 'ordered',
  range: true,
  syntax: {
    call: ['prod'],
    args: RANGE_ARGS,
    usage: 'prod(i, lo, hi, expression): the factors with i increasing left to right',
  },
  placement: { equation: false, loss: true, claim: true, level: 'any' },
  entrywise: false,
  shape: (n, ctx) => {
    const s = ctx.shapeOf(body(n));
    if (!isSquare(s)) return ctx.fail(n, `an ordered product needs square factors, got ${formatShape(s)}`);
    return s;
  },
  print: printRange,
  latex: latexRange('\\prod'),
  evaluate: (n, ctx) => {
    const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
    if (hi < lo) return new IdentityOp(ctx.dims(body(n))[0]);
    // Materialised from the end the claim's products share (ProdOp.materialize): by rows where lo reads only sizes and
    // hi reads a variable bound per point (prod(i, 1, k, …) over k), by columns otherwise (prod(i, k+1, T, …)).
    const fixed = (a: Affine) => Object.keys(a.terms).every((name) => ctx.isSize(name));
    // A long product of one factor (its body does not read the index) is that factor's power, by repeated squaring:
    // `prod(i, 1, 1000000, W)` walked 10⁶ factors per column of every instance until the work limit stopped it. The
    // factor is read once; its figure counts once per factor, as the walk adds them. Only where its bounds read only
    // sizes: a bound per point (prod(i, 1, k, W) over k) walks, sharing its steps across the bindings.
    const count = hi - lo + 1;
    if (
      fixed(n.ints[0]!) &&
      fixed(n.ints[1]!) &&
      !intVarsOf(body(n)).has(n.binder!) &&
      squaringPays(ctx.dims(body(n))[0], count)
    ) {
      const [factor, lost, ownLost] = withLostPrecisions(() =>
        asDense(ctx.eval(body(n), withBinding(ctx.env, n.binder!, lo))),
      );
      noteLostPrecisions(Math.min(1, count * lost), Math.min(1, count * ownLost));
      return powerBySquaring(factor, count);
    }
    // Each factor's key once per product: the walk asks again for the factors it starts and ends at. Values
    // are read through ctx.eval every time, which notes the derivatives they read for the point asking.
    // The walk asks for the two ends (lo for the size, hi or lo first) and then each factor it applies: the ends
    // in two slots, the others (a walk longer than one step) in a map made when first needed.
    let atLo: Factor | undefined;
    let atHi: Factor | undefined;
    let others: Map<number, Factor> | undefined;
    const make = (i: number): Factor => new RangeFactor(ctx, body(n), withBinding(ctx.env, n.binder!, i));
    // The others are kept for a range of at most KEPT_FACTORS (made again per walk beyond: a product over 10⁶
    // factors kept a factor and its binding record for each, ≈ 150 MB per product memoised on each pooled instance).
    const keepsOthers = hi - lo + 1 <= KEPT_FACTORS;
    const factorAt = (i: number): Factor => {
      if (i === lo) return (atLo ??= make(i));
      if (i === hi) return (atHi ??= make(i));
      if (!keepsOthers) return make(i);
      let f = (others ??= new Map<number, Factor>()).get(i);
      if (!f) others.set(i, (f = make(i)));
      return f;
    };
    const byRows = fixed(n.ints[0]!) && !fixed(n.ints[1]!);
    return new ProdOp(factorAt(lo).value().rows, lo, hi, factorAt, ctx.productMemo, byRows);
  },
  compile: (n, ctx) => {
    const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
    if (hi < lo) return ctx.constant(1);
    let acc = ctx.compile(body(n), withBinding(ctx.env, n.binder!, lo));
    for (let i = lo + 1; i <= hi; i++) {
      const next = ctx.compile(body(n), withBinding(ctx.env, n.binder!, i));
      const [[ra, ca], [, cb]] = [ctx.dims(acc), ctx.dims(next)];
      acc = ctx.push(matmulKernel(ra, ca, cb), [acc, next], [ra, cb]);
    }
    return acc;
  },
  exact: (n, ctx) => {
    if (ctx.shapes === 'entries') return ctx.opaque(n);
    // A long product of one factor, in an ordered ring's numbers (decimals, wide floats, intervals: the extended
    // looks), is its power by squaring, as in float64 (evaluate): `prod(i, 1, 1000000, W)` multiplied 10⁶ factors in
    // wide floats at each point in doubt (≈ 7·10⁸ operations a point). Any order of the products encloses the value.
    const count = ctx.int(n.ints[1]!) - ctx.int(n.ints[0]!) + 1;
    if (ctx.ring.ordered && count > KEPT_FACTORS && !intVarsOf(body(n)).has(n.binder!)) {
      const factor = ctx.eval(body(n), withBinding(ctx.env, n.binder!, ctx.int(n.ints[0]!)));
      return risScalar(factor) ? rmap(factor, (x) => rpow(ctx.ring, x, count)) : rmatpow(ctx.ring, factor, count);
    }
    // The empty product is the identity of the factors' size, in every ring.
    return exactRange(
      n,
      ctx,
      (a, b) => (risScalar(a) || risScalar(b) ? rzip(a, b, ctx.ring.mul) : rmatmul(ctx.ring, a, b)),
      ([rows]) => ridentity(ctx.ring, rows),
      // a product of non-square terms fails in the fold, where it should
      (rows, cols) => rows === cols,
    );
  },
  canonical: (n, ctx) => canonicalRange(n, ctx, nmul, nconst(1)),
  transposed: (n, t) => {
    // (F_lo ⋯ F_hi)ᵀ = F_hiᵀ ⋯ F_loᵀ: the same range with i ↦ lo + hi − i. The body is a derived form, whose
    // shared subterms are substituted once each and stay shared (so the transposes, memoised per node, are too).
    const [lo, hi] = bounds(n);
    const flipped = affineAdd(affineAdd(lo, hi), affine(0, { [n.binder!]: 1 }), -1);
    return { ...n, args: [t(substituteIndexShared(body(n), n.binder!, flipped))!] };
  },
});

defineOp({
  id: 'rsum',
  domain: 'ordered',
  range: true,
  syntax: { call: ['sum'], args: RANGE_ARGS, usage: 'sum(i, lo, hi, expression)' },
  placement: { equation: false, loss: true, claim: true, level: 'any' },
  entrywise: false,
  shape: (n, ctx) => ctx.shapeOf(body(n)),
  print: printRange,
  latex: latexRange('\\sum'),
  evaluate: (n, ctx) => {
    const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
    if (hi < lo) {
      // The empty sum is the zero of the body's shape (its terms may not exist at lo).
      const [rows, cols] = ctx.dims(body(n));
      return dense(rows, cols, new Float64Array(rows * cols));
    }
    let acc = ctx.eval(body(n), withBinding(ctx.env, n.binder!, lo));
    for (let i = lo + 1; i <= hi; i++) acc = addValues(acc, ctx.eval(body(n), withBinding(ctx.env, n.binder!, i)), 1);
    return acc;
  },
  compile: (n, ctx) => {
    const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
    if (hi < lo) return ctx.constant(0);
    let acc = ctx.compile(body(n), withBinding(ctx.env, n.binder!, lo));
    for (let i = lo + 1; i <= hi; i++) {
      const next = ctx.compile(body(n), withBinding(ctx.env, n.binder!, i));
      const [da, db] = [ctx.dims(acc), ctx.dims(next)];
      acc = ctx.push(broadcastKernel('add'), [acc, next], da[0] * da[1] === 1 ? db : da);
    }
    return acc;
  },
  exact: (n, ctx) =>
    exactRange(
      n,
      ctx,
      (a, b) => rzip(a, b, ctx.ring.add),
      ([rows, cols]) => rfill(rows, cols, () => ctx.ring.zero),
      () => true,
    ),
  canonical: (n, ctx) => canonicalRange(n, ctx, nadd, new Map()),
  // A loss summed over time: each term's Jacobian, over the same range.
  differentiate: (n, ctx) => {
    const j = ctx.J(body(n));
    return j && node('rsum', [j], { ints: n.ints, binder: n.binder });
  },
  transposed: (n, t) => {
    const inner = t(body(n));
    return inner && node('rsum', [inner], { ints: n.ints, binder: n.binder });
  },
});

defineOp({
  id: 'hprod',
  domain: 'ordered',
  range: true,
  syntax: { call: ['hprod'], args: RANGE_ARGS, usage: 'hprod(i, lo, hi, vector): the elementwise product' },
  placement: { equation: false, loss: false, claim: true, level: 'any' },
  entrywise: true,
  shape: (n, ctx) => {
    const s = ctx.shapeOf(body(n));
    if (!isColumn(s))
      return ctx.fail(n, `hprod multiplies vectors elementwise, got ${formatShape(s)}`, 'hprod(i, 1, k, f[i])');
    return s;
  },
  print: printRange,
  latex: latexRange('\\bigodot'),
  evaluate: (n, ctx) => {
    const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
    const rows = ctx.dims(body(n))[0];
    const out = new Float64Array(rows).fill(1);
    // the factors' figures add, as a product's relative errors do (values.ts ProdOp)
    let [lost, ownLost] = [0, 0];
    for (let i = lo; i <= hi; i++) {
      const [v, factorLost, factorOwn] = withLostPrecisions(
        () => asDense(ctx.eval(body(n), withBinding(ctx.env, n.binder!, i))).data,
      );
      [lost, ownLost] = [addedLoss(lost, factorLost), addedLoss(ownLost, factorOwn)];
      for (let j = 0; j < rows; j++) out[j]! *= v[j]!;
    }
    noteLostPrecisions(lost, ownLost);
    return dense(rows, 1, out);
  },
  exact: (n, ctx) =>
    exactRange(
      n,
      ctx,
      (a, b) => rzip(a, b, ctx.ring.mul),
      ([rows, cols]) => rfill(rows, cols, () => ctx.ring.one),
      () => true,
    ),
  canonical: (n, ctx) => entrywiseCanonical(n, ctx),
});

/** The larger or the smaller of two ring elements, through the ring's max or min where it has one. */
const pick = <R>(which: 'max' | 'min', o: OrderedRing<R>) =>
  which === 'max' ? (a: R, b: R) => larger(o, a, b) : (a: R, b: R) => smaller(o, a, b);

/** max/min over an integer range of a scalar (the largest factor over time, say); an empty range has none. */
function extremum(id: 'rmax' | 'rmin'): OpSpec {
  const name = id === 'rmax' ? 'max' : 'min';
  const better = (a: number, b: number) => (id === 'rmax' ? a > b : a < b);
  return {
    id,
    domain: 'ordered',
    range: true,
    syntax: { call: [name], args: RANGE_ARGS, usage: `${name}(i, lo, hi, scalar expression)` },
    placement: { equation: false, loss: false, claim: true, level: 'any' },
    shape: (n, ctx) => {
      const s = ctx.shapeOf(body(n));
      if (!isScalar(s))
        return ctx.fail(
          n,
          `${name} over a range takes a scalar, got ${formatShape(s)}`,
          `${name}(i, 1, T, norm2(f[i]))`,
        );
      return s;
    },
    print: (n, ctx) => `${name}(${n.binder}, ${ctx.int(n.ints[0]!)}, ${ctx.int(n.ints[1]!)}, ${ctx.expr(body(n))})`,
    latex: (n, ctx) =>
      `\\${name}_{${ctx.variable(n.binder!)}=${ctx.index(n.ints[0]!)}}^{${ctx.index(n.ints[1]!)}} ${ctx.expr(body(n), 3)}`,
    evaluate: (n, ctx) => {
      const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
      if (hi < lo)
        return ctx.outside(
          `${name} over the empty range ${lo}..${hi}`,
          'a range with at least one value at every binding',
        );
      let best = asDense(ctx.eval(body(n), withBinding(ctx.env, n.binder!, lo))).data[0]!;
      for (let i = lo + 1; i <= hi; i++) {
        const v = asDense(ctx.eval(body(n), withBinding(ctx.env, n.binder!, i))).data[0]!;
        // NaN propagates: a NaN term must not vanish inside a max and turn trouble into a pass.
        if (Number.isNaN(v) || Number.isNaN(best)) best = NaN;
        else if (better(v, best)) best = v;
      }
      return dense(1, 1, Float64Array.of(best));
    },
    exact: (n, ctx) => exactExtremum(name, n, ctx),
  };
}

function exactExtremum<R>(name: 'max' | 'min', n: OpNode, ctx: ExactContext<R>): RMat<R> {
  const o = ctx.ring.ordered;
  if (!o) return ctx.opaque(n);
  const [lo, hi] = [ctx.int(n.ints[0]!), ctx.int(n.ints[1]!)];
  if (hi < lo) return ctx.unsupported(`${name} over an empty range`);
  const better = pick(name, o);
  let best: R = ctx.eval(body(n), withBinding(ctx.env, n.binder!, lo)).data[0]!;
  // through the ring's max where it has one: intervals that overlap have no order to pick by
  for (let i = lo + 1; i <= hi; i++)
    best = better(best, ctx.eval(body(n), withBinding(ctx.env, n.binder!, i)).data[0]!);
  return rfill(1, 1, () => best);
}

defineOp(extremum('rmax'));
defineOp(extremum('rmin'));

/**
 * max(a, b) and min(a, b): the larger and the smaller of two scalars, or entry by entry of two arrays of one shape
 * (a scalar side broadcasting, as `.*`). Spelled as the range form `max(i, lo, hi, e)` and told apart from it by
 * arity. Like |x|, not differentiable where a = b: no symbolic derivative through it (a claim may compare
 * derivatives inside it, grad(L, h[t]) evaluated by the sweeps, but not differentiate it).
 */
function pairwise(id: 'max2' | 'min2'): OpSpec {
  const name = id === 'max2' ? 'max' : 'min';
  // Math.max/min return NaN where either side is NaN: trouble inside a min does not vanish into a pass
  const value = id === 'max2' ? Math.max : Math.min;
  const [a, b] = [(n: OpNode) => n.args[0]!, (n: OpNode) => n.args[1]!];
  return {
    id,
    domain: 'ordered',
    syntax: {
      call: [name],
      args: ['expr', 'expr'],
      usage: `${name}(a, b)`,
      latex: [`\\${name}`],
    },
    // in a cell (ReLU as max(0, z), hard tanh as max(-1, min(1, z))) and in a loss (a hinge): `compile` below
    placement: { equation: true, loss: true, claim: true, level: 'any' },
    scalar: () => value,
    shape: (n, ctx) => broadcastShape(n, ctx.shapeOf(a(n)), ctx.shapeOf(b(n)), name, ctx.fail),
    print: (n, ctx) => `${name}(${ctx.expr(a(n))}, ${ctx.expr(b(n))})`,
    latex: (n, ctx) => `\\${name}\\left(${ctx.expr(a(n))}, ${ctx.expr(b(n))}\\right)`,
    evaluate: (n, ctx) => zipDense(asDense(ctx.eval(a(n))), asDense(ctx.eval(b(n))), value),
    entrywiseKernel: () => zipKernel(value),
    compile: (n, ctx) => {
      const [x, y] = [ctx.compile(a(n)), ctx.compile(b(n))];
      const [dx, dy] = [ctx.dims(x), ctx.dims(y)];
      return ctx.push(extremumKernel(id === 'max2'), [x, y], dx[0] * dx[1] === 1 ? dy : dx);
    },
    exact: (n, ctx) => {
      const o = ctx.ring.ordered;
      return o ? rzip(ctx.eval(a(n)), ctx.eval(b(n)), pick(name, o)) : ctx.opaque(n);
    },
    // d max(a, b) = H(a − b) ⊙ da + H(b − a) ⊙ db (min: H(b − a) ⊙ da + H(a − b) ⊙ db), H(0) = ½ as the sweeps take a
    // tie (extremumKernel); a scalar side broadcast, its row spread over the entries (entrywiseFactor)
    differentiate: (n, ctx) => {
      const [x, y] = [a(n), b(n)];
      const [jx, jy] = [ctx.J(x), ctx.J(y)];
      if (!jx && !jy) return null;
      const share = (mine: Expr, other: Expr) =>
        node('step', [id === 'max2' ? difference(mine, other) : difference(other, mine)]);
      return add(
        jx ? entrywiseFactor(ctx, share(x, y), x, jx) : null,
        jy ? entrywiseFactor(ctx, share(y, x), y, jy) : null,
      );
    },
  };
}

/** a − b, as a reader writes it: max(0, z) moves with H(z), not H(z − 0); max(−1, u) with H(u + 1), not H(u − −1) */
function difference(x: Expr, y: Expr): Expr {
  // −1 as written is neg(1)
  if (y.kind === 'op' && y.op === 'neg' && y.args[0]!.kind === 'num') return node('add', [x, y.args[0]!]);
  if (y.kind === 'num') return y.value === 0 ? x : y.value < 0 ? node('add', [x, num(-y.value)]) : node('sub', [x, y]);
  return x.kind === 'num' && x.value === 0 ? node('neg', [y]) : node('sub', [x, y]);
}

/**
 * How much of max(a, b) (or min) moves with a, entry by entry: 1 where a is picked, 0 where b is, ½ at a tie, and b
 * takes the rest. At a tie the operator has no derivative; ½ is its central difference's slope there (max(a + ε, b) −
 * max(a − ε, b) = ε), so the sweeps and finite differences agree at a tie as they do for |x| at 0 (sign(0) = 0), and a
 * Jacobian there lies between its two one-sided values (a norm bound that holds on both sides holds at it). NaN stays
 * NaN: trouble, not a branch.
 */
function aShare(x: number, y: number, larger: boolean): number {
  if (x === y) return 0.5;
  if (x > y) return larger ? 1 : 0;
  if (x < y) return larger ? 0 : 1;
  return NaN;
}

/**
 * max(a, b) or min(a, b) in a model's equations or loss, entry by entry, a scalar side broadcast: the value, its tangent
 * and its adjoints together (./contexts.ts Kernel). Exact in float64, so it adds no lost digits of its own; its
 * derivative reads which operand is larger, so a sweep through it carries what the operands lost ('operands').
 */
function extremumKernel(larger: boolean): Kernel {
  const pickOf = larger ? Math.max : Math.min;
  const stride = (v: Vec) => (v.length === 1 ? 0 : 1);
  const length = (a: Vec, b: Vec) => Math.max(a.length, b.length);
  /** operand k's adjoint entry by entry: adj times its share */
  const adjointEntries = ([x, y]: readonly Vec[], _out: Vec, adj: Vec, k: number): Vec => {
    const [sx, sy] = [stride(x!), stride(y!)];
    const entries = newVec(adj.length);
    for (let i = 0; i < adj.length; i++) {
      const share = aShare(x![i * sx]!, y![i * sy]!, larger);
      entries[i] = adj[i]! * (k === 0 ? share : 1 - share);
    }
    return entries;
  };
  return {
    reads: 'operands',
    adjointEntries,
    forward: ([x, y]) => {
      const [sx, sy, out] = [stride(x!), stride(y!), newVec(length(x!, y!))];
      for (let i = 0; i < out.length; i++) out[i] = pickOf(x![i * sx]!, y![i * sy]!);
      return out;
    },
    tangent: ([x, y], [dx, dy], out) => {
      if (!dx && !dy) return null;
      const [sx, sy, t] = [stride(x!), stride(y!), newVec(out.length)];
      const [sdx, sdy] = [dx ? stride(dx) : 0, dy ? stride(dy) : 0];
      for (let i = 0; i < t.length; i++) {
        const share = aShare(x![i * sx]!, y![i * sy]!, larger);
        // a missing tangent is 0 (a NaN share stays NaN through the side that has one)
        t[i] = (dx ? share * dx[i * sdx]! : 0) + (dy ? (1 - share) * dy[i * sdy]! : 0);
      }
      return t;
    },
    adjoint: (ins, out, adj, [wx, wy]) => [
      wx ? reduceTo(adjointEntries(ins, out, adj, 0), ins[0]!.length) : null,
      wy ? reduceTo(adjointEntries(ins, out, adj, 1), ins[1]!.length) : null,
    ],
  };
}

defineOp(pairwise('max2'));
defineOp(pairwise('min2'));
