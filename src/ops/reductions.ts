/**
 * Reductions to a scalar: sum of all entries, the norms (spectral,
 * Frobenius, induced ∞ — a row's 1-norm —, largest |entry|), and the
 * supremum over the reals of |f(x)| (the lab's max_x |1 − tanh(x)²|).
 */
import { type Expr, isOp, node, type OpNode } from '../ir/expr.js';
import { isScalar } from '../ir/shape.js';
import { SCALAR } from '../ir/shape.js';
import { sumOf } from '../numeric/kernel.js';
import { frobenius, norm2, normInf, normInfVec, spectralNorm } from '../numeric/linalg.js';
import { supAbs, supLowerBound, type WatchedScalar } from '../numeric/sup.js';
import {
  lostPrecisionOf,
  noteReductionLosses,
  reductionCancellationOf,
  reductionMagnification,
  withLostPrecision,
} from '../numeric/lost-digits.js';
import { type Dense, scalar } from '../numeric/values.js';
import type { Kernel } from './contexts.js';
import { larger, type OrderedRing, type Ring, type RMat, rscalar, rtranspose, smaller } from '../symbolic/ring.js';
import { cpolyKey, csym } from '../symbolic/cpoly.js';
import { diagonalEntries, entrySums, formatPoly, nconst, type NPoly, nword } from '../symbolic/words.js';
import { SymbolicUnsupported } from '../symbolic/unsupported.js';
import { defineOp, specOf, transposeBlindArgument } from './registry.js';

const arg = (n: OpNode) => n.args[0]!;
const claimsOnly = { equation: false, loss: false, claim: true, level: 'any' } as const;

const sumKernel: Kernel = {
  forward: ([a]) => Float64Array.of(sumOf(a!)),
  reads: 'nothing',
  // the forward pass notes what the sum lost to cancellation, as an elementwise sum's (then its subnormals); a sweep
  // through it carries none of that (its derivative reads no value: Unrolled.sweepReadLoss)
  lostDigits: ([a], out) => Math.max(reductionCancellationOf(a!, out[0]!), lostPrecisionOf(out)),
  magnifies: ([a], out) => reductionMagnification(a!, out[0]!),
  tangent: (_v, [da]) => (da ? Float64Array.of(sumOf(da)) : null),
  adjoint: ([a], _out, adj, [wanted]) => [wanted ? new Float64Array(a!.length).fill(adj[0]!) : null],
};

defineOp({
  id: 'sumall',
  domain: 'reductions',
  syntax: { call: ['sum'], args: ['expr'], usage: 'sum(v)' },
  placement: { equation: true, loss: true, claim: true, level: 'any' },
  shape: (n, ctx) => (ctx.shapeOf(arg(n)), SCALAR),
  print: (n, ctx) => `sum(${ctx.expr(arg(n))})`,
  latex: (n, ctx) => `\\operatorname{sum}\\left(${ctx.expr(arg(n))}\\right)`,
  evaluate: (n, ctx) => {
    const [{ data: entries }, lost] = withLostPrecision(() => ctx.dense(arg(n)));
    const total = sumOf(entries);
    // as an elementwise sum notes its cancellation (the false `sum([(1 + 1e-10) * ones(1); -1 * ones(1)]) * x >=
    // 1.00000008e-10 * x`, float64's sum 1.0000000827e-10, was consistent); in the model's forward pass its kernel does;
    // and what the entries lost, magnified where the sum cancels
    noteReductionLosses(entries, total, lost);
    return scalar(total);
  },
  compile: (n, ctx) => ctx.push(sumKernel, [ctx.compile(arg(n))], [1, 1]),
  // Over ordered rings (extended precision) the sum is computed; elsewhere it stays an atom, as it always has.
  // Exact rings add the entries; one generic entry per value reads Σ of each of its monomials.
  exact: (n, ctx) => {
    if (ctx.shapes === 'concrete') return rscalar(ctx.eval(arg(n)).data.reduce(ctx.ring.add, ctx.ring.zero));
    return ctx.sumOfEntries(ctx.eval(arg(n)).data[0]!) ?? ctx.opaque(n);
  },
  canonical: (n, ctx) => {
    if (ctx.isScalar(arg(n))) return ctx.expand(arg(n));
    if (!ctx.isVector(arg(n))) return nword({ kind: 'scal', poly: csym(`(${ctx.key(n)})`) });
    return nword({ kind: 'scal', poly: entrySums(ctx.entries(arg(n))) });
  },
  // ∂ sum(v) = 𝟙ᵀ ∂v (a scalar is its own sum); 𝟙ᵀ diag(u) = uᵀ, as texts write ∂ sum(a ⊙ z) = aᵀ ∂z.
  differentiate: (n, ctx) => {
    const j = ctx.J(arg(n));
    if (!j || ctx.isScalar(arg(n))) return j;
    if (isOp(j, 'diag')) return node('transpose', [j.args[0]!]);
    if (isOp(j, 'mul') && isOp(j.args[0]!, 'diag'))
      return node('mul', [node('transpose', [j.args[0].args[0]!]), j.args[1]!]);
    return node('mul', [node('transpose', [node('ones', [], { ints: [ctx.rows(arg(n))] })]), j]);
  },
});

export type NormKind = '2' | 'F' | 'inf' | 'max' | 'min';

/** The norm of a value; ‖·‖₂ of a row or a column is Euclidean, the induced ∞-norm of a row is its 1-norm. */
export function normOf(m: Dense, which: NormKind): number {
  if (which === 'max') return m.data.reduce((best, x) => Math.max(best, Math.abs(x)), 0);
  if (which === 'min') return m.data.reduce((best, x) => Math.min(best, Math.abs(x)), Infinity);
  if (which === 'F' || (which === '2' && (m.cols === 1 || m.rows === 1)))
    return which === 'F' ? frobenius(m) : norm2(m.data);
  if (which === 'inf') return m.cols === 1 ? normInfVec(m.data) : normInf(m);
  return spectralNorm(m);
}

const NORMS: readonly { id: string; which: NormKind; sub: string; what: string }[] = [
  { id: 'norm2', which: '2', sub: '2', what: 'spectral norm (Euclidean for vectors)' },
  { id: 'normF', which: 'F', sub: 'F', what: 'Frobenius norm' },
  { id: 'normInf', which: 'inf', sub: '\\infty', what: 'induced ∞-norm: the largest row sum of |entries|' },
  { id: 'normMax', which: 'max', sub: '\\max', what: 'largest |entry|' },
  { id: 'normMin', which: 'min', sub: '\\min', what: 'smallest |entry|' },
];

/** Each norm operator's kind, for callers that take a norm of a value they computed themselves. */
export const NORM_KIND: ReadonlyMap<string, NormKind> = new Map(NORMS.map((n) => [n.id, n.which]));

for (const norm of NORMS)
  defineOp({
    id: norm.id,
    domain: 'reductions',
    syntax: { call: [norm.id], args: ['expr'], usage: `${norm.id}(A), the ${norm.what}` },
    placement: claimsOnly,
    nonnegative: true,
    transposeBlind: norm.which !== 'inf',
    shape: (n, ctx) => (ctx.shapeOf(arg(n)), SCALAR),
    print: (n, ctx) => `${norm.id}(${ctx.expr(arg(n))})`,
    latex: (n, ctx) => `\\left\\|${ctx.expr(arg(n))}\\right\\|_{${norm.sub}}`,
    evaluate: (n, ctx) => scalar(normOf(ctx.dense(arg(n)), norm.which)),
    exact: (n, ctx) => {
      const ordered = ctx.ring.ordered;
      if (ordered) return rscalar(orderedNorm(ctx.ring, ordered, ctx.eval(arg(n)), norm.which));
      // One generic entry per value cannot tell diag(v) from v: there a norm stays an atom of its expression.
      if (ctx.shapes !== 'concrete') return ctx.opaque(n);
      const reading = normReading(
        ctx.ring,
        norm.which,
        blindOrientation(ctx.ring, norm.which, ctx.eval(transposeBlindArgument(n))),
      );
      return reading.zero ? rscalar(ctx.ring.zero) : ctx.uninterpreted(reading.name, [reading.of]);
    },
    canonical: (n, ctx) => {
      const a = transposeBlindArgument(n);
      if (ctx.isScalar(a)) return nword({ kind: 'scal', poly: csym(`|${cpolyKey(ctx.entries(a))}|`) });
      let form: NPoly;
      try {
        form = ctx.expand(a);
      } catch (err) {
        // No canonical form inside (a stacked vector, say): the norm is an atom of its expression.
        if (!(err instanceof SymbolicUnsupported)) throw err;
        return nword({ kind: 'scal', poly: csym(`(${ctx.key(n)})`) });
      }
      if (form.size === 0) return nconst(0);
      const vector = ctx.isVector(a) ? diagonalEntries(form, 'vector') : null;
      const diagonal = ctx.isVector(a) ? null : diagonalEntries(form, 'diagonal');
      const entries = vector ?? diagonal;
      // ‖v‖ and ‖diag(v)‖ read as the entry norm they are; any other form is an atom of its canonical form.
      const name = entries ? (diagonal ? DIAGONAL_READING : VECTOR_READING)[norm.which] : null;
      const key =
        name && entries ? `${name}(${cpolyKey(entries)})` : `${norm.id}[${blindFormText(norm.which, a, form, ctx)}]`;
      return nword({ kind: 'scal', poly: csym(key) });
    },
  });

/**
 * The text of a transpose-blind norm's argument form, the same for A and Aᵀ: the smaller of the two. ‖Jᵀ‖₂ =
 * ‖∏ Wᵀ diag(…)‖₂ holds because Jᵀ is the product; with the explicit ᵀ dropped alone, ‖J‖ and ‖∏‖ were two atoms (the
 * lab solution's part (2), verified before, was not shown identical).
 */
function blindFormText(which: NormKind, a: Expr, form: NPoly, ctx: { expand(e: Expr): NPoly }): string {
  const text = formatPoly(form);
  if (which === 'inf') return text;
  let transposed: string;
  try {
    transposed = formatPoly(ctx.expand(node('transpose', [a])));
  } catch (err) {
    if (!(err instanceof SymbolicUnsupported)) throw err;
    return text;
  }
  return transposed < text ? transposed : text;
}

/** A matrix or its transpose, whichever's entries' keys come first: one reading for A and Aᵀ (ℤ_p's, as blindFormText). */
function blindOrientation<R>(ring: Ring<R>, which: NormKind, m: RMat<R>): RMat<R> {
  if (which === 'inf' || m.rows === 1 || m.cols === 1) return m;
  const t = rtranspose(m);
  const keyOf = (x: RMat<R>) => x.data.map(ring.key).join(',');
  return keyOf(t) < keyOf(m) ? t : m;
}

/** What a norm of a column vector is, in terms of its entries. */
const VECTOR_READING: Record<NormKind, string> = {
  '2': 'euclid',
  F: 'euclid',
  inf: 'maxabs',
  max: 'maxabs',
  min: 'minabs',
};
/** What a norm of a diagonal matrix is, in terms of its diagonal (min: any off-diagonal zero, for d > 1). */
const DIAGONAL_READING: Record<NormKind, string | null> = {
  '2': 'maxabs',
  F: 'euclid',
  inf: 'maxabs',
  max: 'maxabs',
  min: null,
};

/**
 * A norm's value as a function of entries the ring holds exactly: ‖v‖₂ = ‖vᵀ‖₂ is
 * the Euclidean length of the entries, ‖diag(v)‖₂ = ‖diag(v)‖_∞ = max|v_i|, a
 * row's induced ∞-norm is its 1-norm. Two expressions with the same reading have
 * the same norm; `zero`: the norm is 0 whatever the entries.
 */
function normReading<R>(ring: Ring<R>, which: NormKind, m: RMat<R>): { name: string; of: RMat<R>; zero: boolean } {
  const column = (data: readonly R[]): RMat<R> => ({ rows: data.length, cols: 1, data });
  if (m.data.every(ring.isZero)) return { name: 'zero', of: m, zero: true };
  if (m.rows === 1 && m.cols === 1) return { name: 'abs', of: m, zero: false };
  if (m.cols === 1 || m.rows === 1) {
    const name = m.rows === 1 && which === 'inf' ? 'sumabs' : VECTOR_READING[which];
    return { name, of: column(m.data), zero: false };
  }
  const isDiagonal =
    m.rows === m.cols && m.data.every((x, k) => Math.floor(k / m.cols) === k % m.cols || ring.isZero(x));
  const reading = isDiagonal ? DIAGONAL_READING[which] : null;
  if (isDiagonal && !reading) return { name: 'zero', of: m, zero: true };
  if (isDiagonal) return { name: reading!, of: column(m.data.filter((_, k) => k % (m.cols + 1) === 0)), zero: false };
  return { name: `norm-${which}`, of: m, zero: false };
}

/**
 * A norm over an ordered ring of extended range. The spectral norm of a
 * matrix is computed in float64 on the matrix scaled by its largest |entry|
 * (so nothing overflows or underflows that matters) and scaled back: float
 * relative accuracy, any exponent.
 */
export function orderedNorm<R>(ring: Ring<R>, o: OrderedRing<R>, m: RMat<R>, which: NormKind): R {
  const max = (xs: readonly R[]) => xs.reduce((best, x) => larger(o, best, x), ring.zero);
  const abs = m.data.map(o.abs);
  if (which === 'min') return abs.reduce((best, x) => smaller(o, best, x));
  if (which === 'max' || (which === 'inf' && m.cols === 1)) return max(abs);
  if (which === 'inf')
    return max(
      Array.from({ length: m.rows }, (_, i) => abs.slice(i * m.cols, (i + 1) * m.cols).reduce(ring.add, ring.zero)),
    );
  const euclidean = (xs: readonly R[]) => o.sqrt(xs.reduce((acc, x) => ring.add(acc, ring.mul(x, x)), ring.zero));
  if (which === 'F' || m.cols === 1 || m.rows === 1) return euclidean(m.data);
  if (o.enclosures) return o.enclosures.spectralNorm(m);
  const largest = max(abs);
  // entries known to within e_ij move ‖A‖₂ by at most ‖(e_ij)‖_F (a 0 matrix's too: its entries may be rounded 0s)
  const entryDoubts = ring.doubtOf ? m.data.map(ring.doubtOf).filter((e) => e !== null) : [];
  const doubted = (value: R) =>
    entryDoubts.length && ring.withDoubt ? ring.withDoubt(value, euclidean(entryDoubts)) : value;
  // a new 0 for the doubt to ride on: ring.zero is shared
  if (ring.isZero(largest)) return entryDoubts.length ? doubted(ring.sub(largest, largest)) : ring.zero;
  const scaled = m.data.map((x) => o.toNumber(ring.div(x, largest)!));
  const norm = spectralNorm({ rows: m.rows, cols: m.cols, data: Float64Array.from(scaled) });
  if (!ring.fromInexact) return ring.mul(largest, ring.fromNumber(norm));
  return doubted(ring.mul(largest, ring.fromInexact(norm, spectralNormDoubt(m.rows, m.cols))));
}

/**
 * The relative precision of ‖A‖₂ computed as above: the SVD's own rounding (one-sided Jacobi: a few units of
 * roundoff per row and column, taken with a factor of 8 to spare), and float64's rounding of each scaled entry,
 * a relative change of at most 2⁻⁵³, which moves ‖A‖₂ by at most 2⁻⁵³·‖A‖_F ≤ 2⁻⁵³·√rank·‖A‖₂.
 */
const spectralNormDoubt = (rows: number, cols: number): number =>
  (8 * (rows + cols) + Math.sqrt(Math.min(rows, cols))) * 2 ** -53;

defineOp({
  id: 'supabs',
  domain: 'reductions',
  syntax: { call: ['supabs'], args: ['real-binder', 'expr'], usage: 'supabs(x, expression in x)' },
  placement: claimsOnly,
  nonnegative: true,
  shape: (n, ctx) => {
    if (!isScalar(ctx.shapeOf(arg(n))))
      return ctx.fail(n, 'supabs takes a scalar expression', 'supabs(x, 1 - tanh(x)^2)');
    return SCALAR;
  },
  print: (n, ctx) => `supabs(${n.binder}, ${ctx.expr(arg(n))})`,
  latex: (n, ctx) => `\\sup_{${n.binder}} \\left|${ctx.expr(arg(n))}\\right|`,
  evaluate: (n, ctx) => {
    const f = ctx.scalarFunction(arg(n), n.binder!);
    // kept for the enclosures' lower bound of this sup (searchedSupLowerBound): the function this evaluator searched
    ctx.memo<WatchedScalar>(SEARCHED_SUPS).set(ctx.contentKey(n, {}), f);
    // NaN where no point's |f| could be settled to 2⁻³³ (../numeric/sup.ts): the point's numeric trouble, never a value
    return scalar(supAbs(f));
  },
  exact: (n, ctx) => {
    // Enclosures (intervals) cannot take the float engine's sup, an estimate: they take the exact sup where the
    // registry gives one, else a rigorous lower bound of it where the domain has one (the claim nondecreasing in the
    // sup: proving it with a smaller value proves it with the sup). The other arithmetics keep the float engine's
    // value, as before.
    if (!ctx.ring.ordered?.enclosures) return ctx.opaque(n);
    const sup = activationSup(n) ?? ctx.supLowerBound(n);
    return sup === null ? ctx.opaque(n) : rscalar(ctx.ring.fromNumber(sup));
  },
});

/** The float evaluator's memo table of the functions its supabs nodes searched, by the node's content key. */
const SEARCHED_SUPS = 'supabs-searched';

/**
 * A rigorous lower bound of a supabs node's sup as the float evaluator `ev` searched it (../numeric/sup.ts
 * supLowerBound), or null where it has not searched it or the bound has no enclosure. `key`: the node's content key
 * with no index bound (src/ir/content-key.ts contentKey(n, {}); its body reads none).
 */
export function searchedSupLowerBound(ev: { memo<T>(table: string): Map<string, T> }, key: string): number | null {
  const f = ev.memo<WatchedScalar>(SEARCHED_SUPS).get(key);
  return f ? supLowerBound(f) : null;
}

/**
 * sup_x |f(x)| where the body is a nondecreasing activation of the bound variable itself: the larger end of the
 * closure of its image (the registry's `increasing.range`), exactly; null for any other body.
 */
function activationSup(n: OpNode): number | null {
  const body = arg(n);
  if (body.kind !== 'op' || body.args.length !== 1) return null;
  const inner = body.args[0]!;
  const range = specOf(body).activation?.increasing?.range;
  if (!range || inner.kind !== 'rvar' || inner.name !== n.binder) return null;
  return Math.max(Math.abs(range[0]), Math.abs(range[1]));
}
