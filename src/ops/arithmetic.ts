/**
 * Arithmetic: + − (binary and unary), * (matrix product, or scaling by a
 * scalar), .* (Hadamard), / (by a scalar), ^ (scalar power), .^ (elementwise
 * power with a constant exponent).
 */
import { affine, affineAdd, type Affine } from '../ir/affine.js';
import { type Expr, intVarsOf, isIntegerExpr, isOp, node, type OpNode } from '../ir/expr.js';
import { formatShape, isColumn, isScalar, sameShape, type Shape } from '../ir/shape.js';
import {
  binary,
  binaryWithZero,
  multiply,
  multiplyLost,
  multiplyTransposed,
  multiplyTransposedLost,
  outerAccumulate,
  outerAccumulateLost,
  reduceTo,
  scale,
  type Vec,
  zeros,
} from '../numeric/kernel.js';
import {
  addValues,
  asDense,
  asOp,
  type Factor,
  IdentityOp,
  isScalarValue,
  mapDense,
  mapKernel,
  powDense,
  powerBySquaring,
  entrywisePowKernel,
  mulValues,
  ProdOp,
  scalar,
  ScaledOp,
  productKernel,
  squaringPays,
  sumKernel,
  type Value,
  zipDense,
} from '../numeric/values.js';
import { add, diag, emul, mul, neg, scaled, sub } from '../symbolic/build.js';
import { ridentity, rmap, rmatmul, rmatpow, rpow, rscalar, rzip, type RMat } from '../symbolic/ring.js';
import { nadd, nconst, nmul, nneg, nword, type NPoly } from '../symbolic/words.js';
import { cinverse } from '../symbolic/cpoly.js';
import { SymbolicUnsupported } from '../symbolic/unsupported.js';
import { productTimesVector, walksProduct } from '../symbolic/product-chain.js';
import type {
  CanonicalContext,
  CompileContext,
  DiffContext,
  ExactContext,
  Kernel,
  NumericContext,
} from './contexts.js';
import { defineOp, type OpSpec } from './registry.js';
import { LIMITS } from '../ir/limits.js';
import { newVec } from '../numeric/slab.js';
import {
  addedLoss,
  amplifiedRoundingOf,
  cancellationOf,
  lostPrecisionOf,
  magnifiedLoss,
  noteLostPrecision,
  noteLostPrecisions,
  sumMagnification,
  withLostPrecision,
  withLostPrecisions,
} from '../numeric/lost-digits.js';

const everywhere = { equation: true, loss: true, claim: true, level: 'any' } as const;
const [left, right] = [(n: OpNode) => n.args[0]!, (n: OpNode) => n.args[1]!];

/** Both operands broadcast: a scalar side takes the other's shape. */
export function broadcastShape(
  n: OpNode,
  l: Shape,
  r: Shape,
  symbol: string,
  fail: (node: Expr, problem: string, expected?: string) => never,
): Shape {
  if (isScalar(l)) return r;
  if (isScalar(r) || sameShape(l, r)) return l;
  return fail(n, `shape mismatch in '${symbol}': ${formatShape(l)} and ${formatShape(r)}`, 'equal shapes or a scalar');
}

const sum2 = (a: Vec | null, b: Vec | null): Vec | null => (a && b ? binary('add', a, b) : (a ?? b));

/** The worst any entry of a ± b = out lost to cancellation (a one-entry operand broadcast). */
function sumCancellation([a, b]: readonly Vec[], out: Vec): number {
  const [sa, sb] = [a!.length === 1 ? 0 : 1, b!.length === 1 ? 0 : 1];
  let worst = 0;
  for (let i = 0; i < out.length; i++) {
    const lost = cancellationOf(a![i * sa]!, b![i * sb]!, out[i]!);
    if (lost > worst) worst = lost;
  }
  return worst;
}

/**
 * x^k is |k| times as coarse as x (relative): a power beyond the spare in the lost digits' reach (LOST_DIGITS_REACH,
 * src/check/extended-check.ts: twice what both sides carry) notes that — ((1 + 1e-12) − 1)^12 is 1.3e-3 off, and the
 * false `((1 + 1e-12) - 1)^12 * x >= 1.0001e-144 * x` was consistent (a review found it). A square, 1 − h.^2 at every
 * lag, stays as it was.
 */
export function notePowerLoss(k: number, lost: number): void {
  noteLostPrecision(powerLoss(k, lost));
}

/** How many times x^k magnifies its exponent's relative error: |k·ln|x||. */
export const exponentMagnification = (x: number, k: number): number => Math.abs(k * Math.log(Math.abs(x)));

/** What x^k carries given what x carries (`lost`): |k| times it, or |k| times x's rounding alone (amplifiedRoundingOf). */
export function powerLoss(k: number, lost: number): number {
  return magnifiedLoss(Math.abs(k), lost);
}

/**
 * The Jacobian of an entrywise product's term s ⊙ x, given x's Jacobian j: for a scalar s, s·j (an identity j
 * stays: `scaled`); for a vector s and a scalar x (broadcast), s·j, a column times x's row; for vectors, diag(s)·j.
 * (diag(s) of a scalar s, or diag(s) times a row, gave the Jacobian of h ./ 2 as the 1 × 1 diag(1 ./ 2): the false
 * `jac(g[k], h[k-1]) - W = 0.5 * ones(d, d)` with g[t] = h[t-1] ./ 2 + W * h[t-1] was verified, a review found.)
 */
export function entrywiseFactor(ctx: DiffContext, s: Expr, x: Expr, j: Expr): Expr | null {
  if (ctx.isScalar(s)) return scaled(s, j);
  // a matrix's or a row's entries would be vec(s) (diag of a matrix is its diagonal, s·j of a row a shape mismatch):
  // q .* ones(d, d) came out as a d × d "Jacobian", and the true jac(sum(q[k] * M[k]), u[k]) = 2*d^2*q[k] was
  // refuted, a review found
  if (!ctx.isColumn(s)) return ctx.unsupported(`the Jacobian of a matrix's or a row's entries: ${ctx.print(s)} ⊙ …`);
  return ctx.isScalar(x) ? mul(s, j) : mul(diag(s), j);
}

/** Kernel of an elementwise binary op with broadcasting: value, tangent and adjoint together. */
export function broadcastKernel(kind: 'add' | 'sub' | 'emul' | 'div'): Kernel {
  /** operand k's adjoint entry by entry (summed by `reduceTo` where that operand is a broadcast scalar) */
  const adjointEntries = ([a, b]: readonly Vec[], out: Vec, adj: Vec, k: number): Vec => {
    switch (kind) {
      case 'add':
        return adj;
      case 'sub':
        return k === 0 ? adj : scale(adj, -1);
      case 'emul':
        return binary('mul', adj, k === 0 ? b! : a!);
      case 'div':
        return k === 0 ? binary('div', adj, b!) : scale(binary('div', binary('mul', adj, out), b!), -1);
    }
  };
  return {
    adjointEntries,
    forward: ([a, b]) => binary(kind === 'emul' ? 'mul' : kind, a!, b!),
    ...(kind === 'add' || kind === 'sub'
      ? {
          lostDigits: sumCancellation,
          reads: 'nothing' as const,
          magnifies: ([a, b]: readonly Vec[], out: Vec) => sumMagnification(a!, b!, out),
        }
      : {}),
    ...(kind === 'emul' ? { reads: 'others' as const } : {}),
    ...(kind === 'emul' || kind === 'div' ? { addsLosses: true as const } : {}),
    tangent: ([a, b], [da, db], out) => {
      if (!da && !db) return null;
      switch (kind) {
        case 'add':
        case 'sub':
          return da && db ? binary(kind, da, db) : binaryWithZero(kind, da, db, out.length);
        case 'emul':
          return sum2(da ? binary('mul', da, b!) : null, db ? binary('mul', a!, db) : null);
        case 'div':
          // d(a/b) = (da − out·db) / b
          return binary('div', db ? binary('sub', da ?? zeros(out.length), binary('mul', out, db)) : da!, b!);
      }
    },
    adjoint: (ins, out, adj, [wa, wb]) => [
      wa ? reduceTo(adjointEntries(ins, out, adj, 0), ins[0]!.length) : null,
      wb ? reduceTo(adjointEntries(ins, out, adj, 1), ins[1]!.length) : null,
    ],
  };
}

export function matmulKernel(ra: number, ca: number, cb: number): Kernel {
  return {
    forward: ([a, b]) => multiply(ra, ca, a!, cb, b!),
    reads: 'others',
    addsLosses: true,
    multiplyAdds: ra * ca * cb,
    // what its dot products lose to cancellation (src/numeric/lost-digits.ts productCancellationOf), and its subnormals
    lostDigits: ([a, b], out) => Math.max(multiplyLost(ra, ca, a!, cb, b!, out), lostPrecisionOf(out)),
    partLost: ([a, b], [da, db], part) =>
      da ? multiplyLost(ra, ca, da, cb, b!, part) : db ? multiplyLost(ra, ca, a!, cb, db, part) : 0,
    adjointLost: ([a, b], adj, [dA, dB]) =>
      Math.max(
        dA ? outerAccumulateLost(ra, ca, cb, adj, b!, dA) : 0,
        dB ? multiplyTransposedLost(ra, ca, a!, cb, adj, dB) : 0,
      ),
    tangent: ([a, b], [da, db]) =>
      sum2(da ? multiply(ra, ca, da, cb, b!) : null, db ? multiply(ra, ca, a!, cb, db) : null),
    // dA = adj·Bᵀ (an outer product per step: only when a parameter gradient is wanted); dB = Aᵀ·adj
    adjoint: ([a, b], _out, adj, [wa, wb]) => [
      wa ? outerAccumulate(ra, ca, cb, adj, b!) : null,
      wb ? multiplyTransposed(ra, ca, a!, cb, adj) : null,
    ],
  };
}

/** diag(v)·X for a matrix X: row i of X times v_i. */
export function rowScaleKernel(rows: number, cols: number): Kernel {
  const scaleRows = (v: Vec, x: Vec) => {
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = v[i]! * x[i * cols + j]!;
    return out;
  };
  return {
    forward: ([v, x]) => scaleRows(v!, x!),
    reads: 'others',
    addsLosses: true,
    tangent: ([v, x], [dv, dx]) => sum2(dv ? scaleRows(dv, x!) : null, dx ? scaleRows(v!, dx) : null),
    adjoint: ([v, x], _out, adj, [wv, wx]) => {
      let dv: Vec | null = null;
      if (wv) {
        dv = new Float64Array(rows);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dv[i]! += adj[i * cols + j]! * x![i * cols + j]!;
      }
      return [dv, wx ? scaleRows(v!, adj) : null];
    },
  };
}

const negKernel: Kernel = {
  forward: ([a]) => scale(a!, -1),
  reads: 'nothing',
  tangent: (_v, [da]) => (da ? scale(da, -1) : null),
  adjoint: (_v, _out, adj, [wa]) => [wa ? scale(adj, -1) : null],
};

const powKernel: Kernel = {
  forward: ([a, b]) => Float64Array.of(a![0]! ** b![0]!),
  tangent: ([a, b], [da, db], out) => {
    if (!da && !db) return null;
    const [x, p] = [a![0]!, b![0]!];
    return Float64Array.of((da ? p * x ** (p - 1) * da[0]! : 0) + (db ? out[0]! * Math.log(x) * db[0]! : 0));
  },
  adjoint: ([a, b], out, adj, [wa, wb]) => {
    const [x, p] = [a![0]!, b![0]!];
    return [
      wa ? Float64Array.of(adj[0]! * p * x ** (p - 1)) : null,
      wb ? Float64Array.of(adj[0]! * out[0]! * Math.log(x)) : null,
    ];
  },
  // in a model equation or the loss, as a claim's power notes it (notePowerLoss): (1 + 1.1e-16)^1e16 is 1
  lostDigits: ([, b], out) => Math.max(amplifiedRoundingOf(Math.abs(b![0]!)), lostPrecisionOf(out)),
  // |k| times what the base lost, as powerLoss, and |k·ln x| times what the exponent lost: the larger for both
  magnifies: ([a, b]) => Math.max(Math.abs(b![0]!), exponentMagnification(a![0]!, b![0]!)),
};

function epowKernel(p: number): Kernel {
  const chain = (x: Vec, g: Vec) => {
    const out = newVec(g.length);
    for (let i = 0; i < g.length; i++) out[i] = g[i]! * p * x[i]! ** (p - 1);
    return out;
  };
  // a power that magnifies rounding notes it in a model equation or the loss too (nothing to do below 2^20)
  const amplified = amplifiedRoundingOf(Math.abs(p));
  return {
    forward: ([a]) => a!.map((x) => x ** p),
    tangent: ([a], [da]) => (da ? chain(a!, da) : null),
    adjoint: ([a], _out, adj, [wa]) => [wa ? chain(a!, adj) : null],
    ...(amplified > 0
      ? { lostDigits: (_inputs: readonly Vec[], out: Vec) => Math.max(amplified, lostPrecisionOf(out)) }
      : {}),
    ...(Math.abs(p) > 1 ? { magnifies: () => Math.abs(p) } : {}),
  };
}

function compileBroadcast(n: OpNode, ctx: CompileContext, kind: 'add' | 'sub' | 'emul' | 'div'): number {
  const a = ctx.compile(left(n));
  const b = ctx.compile(right(n));
  const [da, db] = [ctx.dims(a), ctx.dims(b)];
  const dims = kind === 'div' ? da : da[0] * da[1] === 1 ? db : da;
  return ctx.push(broadcastKernel(kind), [a, b], dims);
}

/** Canonical form of a sum: a scalar added to a vector or matrix broadcasts (c·𝟙 or c·𝟙𝟙ᵀ). */
function canonicalSum(n: OpNode, ctx: CanonicalContext, sign: number): NPoly {
  const side = (x: Expr, other: Expr) => {
    const p = ctx.expand(x);
    if (!ctx.isScalar(x) || ctx.isScalar(other)) return p;
    return nmul(p, ctx.isVector(other) ? nword({ kind: 'one' }) : nword({ kind: 'one' }, { kind: 'oneT' }));
  };
  return nadd(side(left(n), right(n)), side(right(n), left(n)), sign);
}

/** The canonical form of an entrywise vector or scalar: diag(entries)·𝟙, or one scalar factor. */
export function entrywiseCanonical(n: Expr, ctx: CanonicalContext): NPoly {
  return ctx.isScalar(n)
    ? nword({ kind: 'scal', poly: ctx.entries(n) })
    : nword({ kind: 'diag', poly: ctx.entries(n) }, { kind: 'one' });
}

const exactScalar = <R>(ctx: ExactContext<R>, e: Expr) => {
  const [r, c] = ctx.dims(e);
  return r === 1 && c === 1;
};

const isColumnValue = <R>(ctx: ExactContext<R>, e: Expr) => {
  const [r, c] = ctx.dims(e);
  return c === 1 && r > 1;
};

/** x^k for an integer k (negative through the ring's division), else an atom. */
function exactPower<R>(n: OpNode, ctx: ExactContext<R>, base: RMat<R>, k: number | null): RMat<R> {
  const { ring } = ctx;
  // A large power would expand without end (polynomials); an opaque atom is still the same atom on both sides. A
  // number of an ordered ring (decimals, wide floats, intervals) is one number whatever k: its power by squaring
  // costs log k products (`(0.25 * norm2(W))^k` at k = 400 has no float64 value, and every point of such a bound
  // was left to float64 after a decimal forward pass each: 151 s for one claim, a review found).
  const limit = ring.ordered ? LIMITS.integer : LIMITS.exactExponent;
  if (k === null || !Number.isInteger(k) || Math.abs(k) > limit) return ctx.opaque(n);
  if (k >= 0) return rmap(base, (x) => rpow(ring, x, k));
  const data = base.data.map((x) => ring.div(ring.one, rpow(ring, x, -k)));
  return data.every((x) => x !== null) ? { ...base, data: data } : ctx.opaque(n);
}

function binaryPrint(symbol: string, prec: number) {
  return (n: OpNode, ctx: { expr(e: Expr): string; wrap(e: Expr, p: number, r?: boolean): string }) => {
    // Products associate (matrix or scalar), so a nested product on the right needs no parentheses.
    const r = n.op === 'mul' && isOp(right(n), 'mul') ? ctx.expr(right(n)) : ctx.wrap(right(n), prec, true);
    return `${ctx.wrap(left(n), prec)}${symbol}${r}`;
  };
}

// The entrywise kernels of the arithmetic records, and the scalar rules their evaluate shares with them.
const negate = (x: number) => -x;
const times = (x: number, y: number) => x * y;
const divide = (x: number, y: number) => x / y;
const [ADD_KERNEL, SUB_KERNEL] = [sumKernel(1), sumKernel(-1)];
const NEG_KERNEL = mapKernel(negate);
const TIMES_KERNEL = productKernel(times);
const DIVIDE_KERNEL = productKernel(divide);
/**
 * A product's or a quotient's operands, evaluated, their figures added as their relative errors add (lost-digits.ts
 * addedLoss): D · D · … · D, 100 factors of a D good to 1.2e-10, is good to 1.2e-8 (the false claim with D =
 * (1e6 + 1.0001) − 1e6, `… <= 1.01004966 * x`, truly 1.0100496621, was consistent until 2026-12-05).
 */
export function productOperands(n: OpNode, ctx: NumericContext): [Value, Value] {
  const [a, lostA, ownA] = withLostPrecisions(() => ctx.eval(left(n)));
  const [b, lostB, ownB] = withLostPrecisions(() => ctx.eval(right(n)));
  noteLostPrecisions(addedLoss(lostA, lostB), addedLoss(ownA, ownB));
  return [a, b];
}

/**
 * `sumMagnification` of a ± b = sum as values: a lazy operator's entries written out (diag(v) − I cancels on its
 * diagonal as v − 1 does: `normMax(diag(D * ones(2, 1)) - eye(2))` carried D's figure as it was, a false pass until
 * 2026-12-05; writing them out notes what applying the operator notes); every digit past MAX_WRITTEN_OUT entries,
 * where they are not written out.
 */
function valuesSumMagnification(a: Value, b: Value, sum: Value): number {
  if (a.kind === 'dense' && b.kind === 'dense' && sum.kind === 'dense')
    return sumMagnification(a.data, b.data, sum.data);
  if (sum.rows * sum.cols > MAX_WRITTEN_OUT) return Infinity;
  return sumMagnification(asDense(a).data, asDense(b).data, asDense(sum).data);
}
const MAX_WRITTEN_OUT = 1 << 16;

const addLike = (id: 'add' | 'sub'): OpSpec => ({
  id,
  domain: 'arithmetic',
  syntax: { operator: { symbol: id === 'add' ? '+' : '-', fixity: 'infix' }, usage: `a ${id === 'add' ? '+' : '-'} b` },
  placement: everywhere,
  precedence: { ascii: 1, latex: 1 },
  entrywise: true,
  scalar: () => (id === 'add' ? (a, b) => a + b : (a, b) => a - b),
  shape: (n, ctx) => broadcastShape(n, ctx.shapeOf(left(n)), ctx.shapeOf(right(n)), id === 'add' ? '+' : '-', ctx.fail),
  print: binaryPrint(id === 'add' ? ' + ' : ' - ', 1),
  latex: (n, ctx) => `${ctx.expr(left(n), 1)} ${id === 'add' ? '+' : '-'} ${ctx.expr(right(n), id === 'add' ? 1 : 2)}`,
  evaluate: (n, ctx) => {
    // what the operands lost, magnified where the sum cancels (a fused tree carries it the same way)
    const [a, lostA] = withLostPrecision(() => ctx.eval(left(n)));
    const [b, lostB] = withLostPrecision(() => ctx.eval(right(n)));
    const sum = addValues(a, b, id === 'add' ? 1 : -1);
    const below = Math.max(lostA, lostB);
    if (below > 0) noteLostPrecision(magnifiedLoss(valuesSumMagnification(a, b, sum), below));
    return sum;
  },
  entrywiseKernel: () => (id === 'add' ? ADD_KERNEL : SUB_KERNEL),
  compile: (n, ctx) => compileBroadcast(n, ctx, id),
  exact: (n, ctx) => rzip(ctx.eval(left(n)), ctx.eval(right(n)), id === 'add' ? ctx.ring.add : ctx.ring.sub),
  differentiate: (n, ctx) => {
    // A scalar operand added to a vector is added to each entry: its Jacobian (a row) is every row of the sum's,
    // ones(d)·J — J alone is a row, which added to the vector's d × n Jacobian has no meaning (tanh(W*h + sum(h))
    // came out as diag(…)·(W + ones(d)'), and the decisions in extended precision that evaluate such forms crashed).
    const spread = (operand: Expr, other: Expr): Expr | null => {
      const j = ctx.J(operand);
      if (!j || !ctx.isScalar(operand) || ctx.isScalar(other)) return j;
      if (!ctx.isColumn(other)) return ctx.unsupported(`a scalar added to a matrix's entries: ${ctx.print(n)}`);
      return mul(node('ones', [], { ints: [ctx.rows(other)] }), j);
    };
    return (id === 'add' ? add : sub)(spread(left(n), right(n)), spread(right(n), left(n)));
  },
  paramGradient: (n, g, ctx) =>
    add(ctx.grad(left(n), g), id === 'add' ? ctx.grad(right(n), g) : neg(ctx.grad(right(n), g))),
  canonical: (n, ctx) => canonicalSum(n, ctx, id === 'add' ? 1 : -1),
  transposed: (n, t) => (id === 'add' ? add : sub)(t(left(n)), t(right(n))),
});
defineOp(addLike('add'));
defineOp(addLike('sub'));

defineOp({
  id: 'neg',
  domain: 'arithmetic',
  syntax: { operator: { symbol: '-', fixity: 'prefix' }, usage: '-a' },
  placement: everywhere,
  precedence: { ascii: 3, latex: 2 },
  entrywise: true,
  scalar: () => (a) => -a,
  shape: (n, ctx) => ctx.shapeOf(left(n)),
  print: (n, ctx) => `-${ctx.wrap(left(n), 4)}`,
  latex: (n, ctx) => `-${ctx.expr(left(n), 3)}`,
  evaluate: (n, ctx) => {
    const a = ctx.eval(left(n));
    return a.kind === 'op' ? new ScaledOp(-1, a) : mapDense(a, negate);
  },
  entrywiseKernel: () => NEG_KERNEL,
  compile: (n, ctx) => {
    const a = ctx.compile(left(n));
    return ctx.push(negKernel, [a], ctx.dims(a));
  },
  exact: (n, ctx) => rmap(ctx.eval(left(n)), ctx.ring.neg),
  differentiate: (n, ctx) => neg(ctx.J(left(n))),
  paramGradient: (n, g, ctx) => neg(ctx.grad(left(n), g)),
  canonical: (n, ctx) => nneg(ctx.expand(left(n))),
  transposed: (n, t) => neg(t(left(n))),
});

/** A·[a; b; …] = Σ_j A_j·part_j with A_j the column block of A that meets part j. */
function stackedProduct(A: Expr, items: readonly Expr[], ctx: DiffContext): Expr | null {
  let offset: Affine = affine(0);
  let total: Expr | null = null;
  for (const item of items) {
    const rows = ctx.rows(item);
    const from = affineAdd(offset, affine(1));
    const to = affineAdd(offset, rows);
    const j = ctx.J(item);
    if (j)
      total = add(total, mul(node('cols', [A], { ints: [from, to], name: item.kind === 'seq' ? item.name : null }), j));
    offset = to;
  }
  return total;
}

defineOp({
  id: 'mul',
  domain: 'arithmetic',
  syntax: { operator: { symbol: '*', fixity: 'infix' }, usage: 'A * B' },
  placement: everywhere,
  precedence: { ascii: 2, latex: 3 },
  // Entrywise only as diag(u)·v or a scaling; any other matrix product mixes entries.
  entrywise: (n, isScalarExpr) => isScalarExpr(left(n)) || isScalarExpr(right(n)) || isOp(left(n), 'diag'),
  scalar: () => (a, b) => a * b,
  shape: (n, ctx) => {
    const [l, r] = [ctx.shapeOf(left(n)), ctx.shapeOf(right(n))];
    if (isScalar(l)) return r;
    if (isScalar(r)) return l;
    if (!sameDim(l.cols, r.rows))
      return ctx.fail(n, `cannot multiply ${formatShape(l)} by ${formatShape(r)}`, 'inner dimensions to agree');
    return { rows: l.rows, cols: r.cols };
  },
  print: binaryPrint('*', 2),
  latex: (n, ctx) => {
    // Matrix products are associative: nested products print flat, other operands get parentheses.
    const operand = (x: Expr) => (isOp(x, 'mul') ? ctx.expr(x, 0, 'factor') : ctx.expr(x, 3.5, 'factor'));
    const scalarNum = left(n).kind === 'num' || right(n).kind === 'num';
    return `${operand(left(n))}${scalarNum ? ' \\cdot ' : ' '}${operand(right(n))}`;
  },
  evaluate: (n, ctx) => mulValues(...productOperands(n, ctx)),
  compile: (n, ctx) => {
    const l = left(n);
    if (isOp(l, 'diag')) {
      // diag(v)·X scales the rows of X by v: never materialise the diagonal matrix.
      const a = ctx.compile(l.args[0]!);
      const b = ctx.compile(right(n));
      const [rows, cols] = ctx.dims(b);
      return ctx.push(cols === 1 ? broadcastKernel('emul') : rowScaleKernel(rows, cols), [a, b], [rows, cols]);
    }
    const a = ctx.compile(left(n));
    const b = ctx.compile(right(n));
    const [[ra, ca], [rb, cb]] = [ctx.dims(a), ctx.dims(b)];
    if (ra * ca === 1 || rb * cb === 1)
      return ctx.push(broadcastKernel('emul'), [a, b], ra * ca === 1 ? [rb, cb] : [ra, ca]);
    return ctx.push(matmulKernel(ra, ca, cb), [a, b], [ra, cb]);
  },
  exact: (n, ctx) => {
    const l = left(n);
    if (ctx.chainsProducts && isOp(l, 'prod') && walksProduct(l) && isColumnValue(ctx, right(n)))
      return productTimesVector(l, right(n), ctx.eval(right(n)), ctx);
    const [a, b] = [ctx.eval(left(n)), ctx.eval(right(n))];
    if (exactScalar(ctx, left(n)) || exactScalar(ctx, right(n))) return rzip(a, b, ctx.ring.mul);
    if (ctx.shapes === 'entries') return isOp(left(n), 'diag') ? rzip(a, b, ctx.ring.mul) : ctx.opaque(n);
    return rmatmul(ctx.ring, a, b);
  },
  differentiate: (n, ctx) => {
    const [l, r] = [left(n), right(n)];
    if (ctx.isSeedParameter(l)) {
      // ∂(P·v)/∂vec(P) = vᵀ ⊗ I (column-major vec); a scalar parameter w gives v itself.
      const direct = ctx.isScalar(l)
        ? r
        : node('kron', [node('transpose', [r]), node('eye', [], { ints: [ctx.rows(l)] })]);
      const jr = ctx.J(r);
      return add(direct, jr ? (ctx.isScalar(l) ? scaled(l, jr) : mul(l, jr)) : null);
    }
    if (isOp(l, 'diag')) return ctx.J(node('emul', [l.args[0]!, r]));
    if (isOp(r, 'concat')) {
      if (ctx.J(l)) return ctx.unsupported(`a varying matrix times a stacked vector: ${ctx.print(n)}`);
      return stackedProduct(l, r.args, ctx);
    }
    const [jl, jr] = [ctx.J(left(n)), ctx.J(right(n))];
    if (jl && jr) {
      // a scalar factor makes the product entrywise (a broadcast .*): the product rule, as emul's
      if (ctx.isScalar(l) || ctx.isScalar(r))
        return add(entrywiseFactor(ctx, r, l, jl), entrywiseFactor(ctx, l, r, jr));
      return ctx.unsupported(`both factors of ${ctx.print(n)} depend on the seed`);
    }
    if (jl) {
      if (!ctx.isScalar(right(n))) return ctx.unsupported(`a varying matrix times a constant: ${ctx.print(n)}`);
      return scaled(right(n), jl);
    }
    if (!jr) return null;
    return ctx.isScalar(left(n)) ? scaled(left(n), jr) : mul(left(n), jr);
  },
  paramGradient: (n, g, ctx) => {
    const [l, r] = [left(n), right(n)];
    // ∂(gᵀ·P·r)/∂P = g·rᵀ; for a scalar a in a·r, Σ g ⊙ r (g·rᵀ, a matrix, made a leaky RNN's true ∇_a L refuted
    // where the decimals evaluated it)
    const direct =
      l.kind === 'sym' && l.name === ctx.param
        ? ctx.paramIsScalar
          ? node('sumall', [node('emul', [g, r])])
          : node('mul', [g, node('transpose', [r])])
        : null;
    const through = ctx.mentions(r) ? ctx.grad(r, node('mul', [node('transpose', [l]), g])) : null;
    if (direct || !ctx.mentions(l)) return add(direct, through);
    // a scalar factor that reads the parameter ((1 − a)·h[t−1] in a leaky RNN): gᵀ(l·r) = l·(gᵀr), so l's adjoint
    // is Σ g ⊙ r (no closed form until 2026-12-05: every point of a true ∇_a L whose digits float64 lost was undecided)
    if (ctx.isScalar(l)) return add(ctx.grad(l, node('sumall', [node('emul', [g, r])])), through);
    return ctx.unsupported(`${ctx.param} inside a matrix factor: ${ctx.print(n)}`);
  },
  canonical: (n, ctx) => nmul(ctx.expand(left(n)), ctx.expand(right(n))),
  // (A·I)ᵀ = I·Aᵀ with the identity kept where `mul` would drop it: for a scalar c, I·c is c, which the evaluator
  // spreads over every entry (a leaky RNN's ∇L = ∏ (0.9·I + …)ᵀ ∇L came out as ∏ (0.9 + …), and its true claims
  // were refuted where the decimals evaluated that closed form); for a row or a matrix, the same value
  transposed: (n, t) => {
    const [l, r] = [left(n), right(n)];
    if (isOp(r, 'eye')) return node('mul', [r, t(l)!]);
    if (isOp(l, 'eye')) return node('mul', [t(r)!, l]);
    return mul(t(r), t(l));
  },
});

function sameDim(a: Affine, b: Affine): boolean {
  return sameShape({ rows: a, cols: a }, { rows: b, cols: b });
}

defineOp({
  id: 'emul',
  domain: 'arithmetic',
  syntax: { operator: { symbol: '.*', fixity: 'infix' }, usage: 'u .* v' },
  placement: everywhere,
  precedence: { ascii: 2, latex: 3 },
  entrywise: true,
  scalar: () => (a, b) => a * b,
  shape: (n, ctx) => broadcastShape(n, ctx.shapeOf(left(n)), ctx.shapeOf(right(n)), '.*', ctx.fail),
  print: binaryPrint(' .* ', 2),
  latex: (n, ctx) => `${ctx.expr(left(n), 3)} \\odot ${ctx.expr(right(n), 3.5)}`,
  evaluate: (n, ctx) => {
    const [a, b] = productOperands(n, ctx);
    return zipDense(asDense(a), asDense(b), times);
  },
  entrywiseKernel: () => TIMES_KERNEL,
  compile: (n, ctx) => compileBroadcast(n, ctx, 'emul'),
  exact: (n, ctx) => rzip(ctx.eval(left(n)), ctx.eval(right(n)), ctx.ring.mul),
  differentiate: (n, ctx) => {
    const [jl, jr] = [ctx.J(left(n)), ctx.J(right(n))];
    return add(
      jl ? entrywiseFactor(ctx, right(n), left(n), jl) : null,
      jr ? entrywiseFactor(ctx, left(n), right(n), jr) : null,
    );
  },
  paramGradient: (n, g, ctx) => add(ctx.grad(left(n), emul(right(n), g)), ctx.grad(right(n), emul(left(n), g))),
  canonical: (n, ctx) => {
    // A Hadamard product of matrices has no word form: an opaque matrix atom.
    if (!ctx.isVector(n)) return nword({ kind: 'mat', key: `(${ctx.key(n)})` });
    if (!ctx.isScalar(n)) {
      // u ⊙ v = diag(u)·v with an entrywise side as the diagonal, so a matrix-product side keeps its words.
      if (ctx.entrywise(left(n)))
        return nmul(nword({ kind: 'diag', poly: ctx.entries(left(n)) }), ctx.expand(right(n)));
      if (ctx.entrywise(right(n)))
        return nmul(nword({ kind: 'diag', poly: ctx.entries(right(n)) }), ctx.expand(left(n)));
    }
    return entrywiseCanonical(n, ctx);
  },
});

defineOp({
  id: 'ediv',
  domain: 'arithmetic',
  syntax: { operator: { symbol: './', fixity: 'infix' }, usage: 'u ./ v (elementwise division), e.g. 1 ./ v' },
  placement: everywhere,
  precedence: { ascii: 2, latex: 3 },
  entrywise: true,
  scalar: () => (a, b) => a / b,
  shape: (n, ctx) => broadcastShape(n, ctx.shapeOf(left(n)), ctx.shapeOf(right(n)), './', ctx.fail),
  print: binaryPrint(' ./ ', 2),
  latex: (n, ctx) => `${ctx.expr(left(n), 3)} \\oslash ${ctx.expr(right(n), 3.5)}`,
  evaluate: (n, ctx) => {
    const [a, b] = productOperands(n, ctx);
    return zipDense(asDense(a), asDense(b), divide);
  },
  entrywiseKernel: () => DIVIDE_KERNEL,
  compile: (n, ctx) => compileBroadcast(n, ctx, 'div'),
  exact: (n, ctx) => {
    const [a, b] = [ctx.eval(left(n)), ctx.eval(right(n))];
    const q = rzip(a, b, (x, y) => ctx.ring.div(x, y) ?? (null as never));
    return q.data.some((x) => x === null) ? ctx.opaque(n) : q;
  },
  differentiate: (n, ctx) => {
    // d(u ⊘ v) = diag(1 ⊘ v)·du − diag(u ⊘ v²)·dv
    const [u, v] = [left(n), right(n)];
    const [ju, jv] = [ctx.J(u), ctx.J(v)];
    const du = ju ? entrywiseFactor(ctx, node('ediv', [{ kind: 'num', value: 1 }, v]), u, ju) : null;
    const dv = jv ? entrywiseFactor(ctx, node('ediv', [u, node('epow', [v, { kind: 'num', value: 2 }])]), v, jv) : null;
    return sub(du, dv);
  },
  canonical: (n, ctx) => entrywiseCanonical(n, ctx),
});

defineOp({
  id: 'div',
  domain: 'arithmetic',
  syntax: { operator: { symbol: '/', fixity: 'infix' }, usage: 'a / c' },
  placement: everywhere,
  precedence: { ascii: 2, latex: 3 },
  entrywise: true,
  scalar: () => (a, b) => a / b,
  shape: (n, ctx) => {
    const [l, r] = [ctx.shapeOf(left(n)), ctx.shapeOf(right(n))];
    if (!isScalar(r)) return ctx.fail(n, `cannot divide by ${formatShape(r)}`, 'a scalar divisor');
    return l;
  },
  print: binaryPrint(' / ', 2),
  latex: (n, ctx) => `\\frac{${ctx.expr(left(n))}}{${ctx.expr(right(n))}}`,
  evaluate: (n, ctx) => {
    const [a, b] = productOperands(n, ctx);
    return zipDense(asDense(a), asDense(b), divide);
  },
  entrywiseKernel: () => DIVIDE_KERNEL,
  compile: (n, ctx) => compileBroadcast(n, ctx, 'div'),
  exact: (n, ctx) => {
    const b = ctx.eval(right(n));
    const data = ctx.eval(left(n)).data.map((x) => ctx.ring.div(x, b.data[0]!));
    if (data.some((x) => x === null)) return ctx.opaque(n);
    const [rows, cols] = ctx.dims(left(n));
    return ctx.shapes === 'entries' ? rscalar(data[0]!) : { rows, cols, data: data as never[] };
  },
  differentiate: (n, ctx) => {
    if (ctx.J(right(n))) return ctx.unsupported(`a varying divisor in ${ctx.print(n)}`);
    const jl = ctx.J(left(n));
    return jl ? node('div', [jl, right(n)]) : null;
  },
  canonical: (n, ctx) => {
    const d = ctx.constant(right(n));
    if (!d) return ctx.unsupported(`division by ${ctx.key(right(n))}`);
    return nmul(ctx.expand(left(n)), nword({ kind: 'scal', poly: cinverse(d) }));
  },
});

/** The value of an integer expression of numbers alone (k = −1, 2·3), or null when it reads a variable. */
const constantInteger = (e: Expr): number | null => {
  if (e.kind === 'num') return e.value;
  if (!isOp(e, 'add', 'sub', 'mul', 'neg')) return null;
  const args = e.args.map(constantInteger);
  if (args.some((a) => a === null)) return null;
  const [a, b] = args as number[];
  return e.op === 'add' ? a! + b! : e.op === 'sub' ? a! - b! : e.op === 'mul' ? a! * b! : -a!;
};

/** A scalar base is a scalar power; a square matrix base is a matrix power A^k (k an integer ≥ 0). */
const isMatrixPower = (n: OpNode, isScalarExpr: (e: Expr) => boolean) => !isScalarExpr(left(n));

defineOp({
  id: 'pow',
  domain: 'arithmetic',
  syntax: {
    operator: { symbol: '^', fixity: 'infix' },
    usage: 'a ^ b for scalars, A ^ k for a square matrix and an integer k ≥ 0',
  },
  placement: everywhere,
  precedence: { ascii: 4, latex: 5 },
  entrywise: (n, isScalarExpr) => !isMatrixPower(n, isScalarExpr),
  scalar: () => (a, b) => a ** b,
  shape: (n, ctx) => {
    const [b, x] = [ctx.shapeOf(left(n)), ctx.shapeOf(right(n))];
    if (!isScalar(x)) return ctx.fail(n, `the exponent of '^' is ${formatShape(x)}`, 'a scalar exponent');
    if (isScalar(b)) return b;
    if (isColumn(b)) return ctx.fail(n, `'^' is not defined for ${formatShape(b)}`, 'v.^2 for an elementwise power');
    if (!sameDim(b.rows, b.cols))
      return ctx.fail(n, `a matrix power needs a square matrix, got ${formatShape(b)}`, 'A^k with A square');
    const k = right(n);
    if (!isIntegerExpr(k))
      return ctx.fail(n, 'a matrix power needs an integer exponent', 'A^k with k an integer such as 3, k or T-i');
    const constant = constantInteger(k);
    if (constant !== null && constant < 0)
      return ctx.fail(
        n,
        `the matrix power A^(${constant}) is negative`,
        'an exponent ≥ 0 (inv(A)^k for powers of the inverse)',
      );
    if (constant !== null && constant > LIMITS.integer)
      return ctx.fail(n, `the matrix power A^${constant} has too many factors`, `an exponent ≤ ${LIMITS.integer}`);
    return b;
  },
  print: (n, ctx) => `${ctx.wrap(left(n), 5)}^${ctx.wrap(right(n), 5)}`,
  latex: (n, ctx) => `${powerBase(left(n), ctx)}^{${ctx.expr(right(n))}}`,
  evaluate: (n, ctx) => {
    const [base, lost, ownLost] = withLostPrecisions(() => ctx.eval(left(n)));
    const [exponent, lostK] = withLostPrecision(() => ctx.dense(right(n)));
    const k = exponent.data[0]!;
    // |k| times what the base lost (a matrix's too: A^k's relative error grows with k as a scalar's does)
    notePowerLoss(k, lost);
    if (isScalarValue(base)) {
      const x = asDense(base).data[0]!;
      // and |k·ln x| times what the exponent lost
      if (lostK > 0) noteLostPrecision(magnifiedLoss(exponentMagnification(x, k), lostK));
      return scalar(x ** k);
    }
    if (!Number.isInteger(k) || k < 0)
      return ctx.outside(
        `a matrix power A^k needs an integer k ≥ 0, got k = ${k}`,
        'an integer exponent k ≥ 0 at every binding',
      );
    // Applying it walks k factors: the same bound as an integer written in the file.
    if (k > LIMITS.integer)
      return ctx.outside(
        `the matrix power A^${k} has more than ${LIMITS.integer} factors`,
        `an exponent of at most ${LIMITS.integer}`,
      );
    if (k === 0) return new IdentityOp(base.rows);
    // A long power by repeated squaring, its work log k products (its loss noted above: k times the base's) — where
    // its exponent reads only sizes: one bound per point (W^k over k) walks, sharing its steps across the bindings
    if (squaringPays(base.rows, k) && [...intVarsOf(right(n))].every((v) => ctx.isSize(v)))
      return powerBySquaring(asDense(base), k);
    // Every factor is the same operator: products walked from a vector are memoised and shared across k, and with
    // a prod(…) of the same factor. Each step notes the base's figure, as a prod's factor read through ctx.eval does:
    // the walk adds them, and a memoised step carries the same figure whichever claim walked it first.
    const op = asOp(base);
    const factor: Factor = {
      key: ctx.contentKey(left(n)),
      value: () => {
        noteLostPrecisions(lost, ownLost);
        return op;
      },
    };
    return new ProdOp(base.rows, 1, k, () => factor, ctx.productMemo);
  },
  compile: (n, ctx) => {
    const a = ctx.compile(left(n));
    const [rows, cols] = ctx.dims(a);
    if (rows * cols === 1) return ctx.push(powKernel, [a, ctx.compile(right(n))], [1, 1]);
    const k = ctx.integerValue(right(n));
    if (k === null || k < 0)
      throw new RangeError('a matrix power in a model equation needs a constant integer exponent');
    if (k === 0) return ctx.push(identityKernel(rows), [], [rows, rows]);
    let acc = a;
    for (let i = 1; i < k; i++) acc = ctx.push(matmulKernel(rows, rows, rows), [acc, a], [rows, rows]);
    return acc;
  },
  exact: (n, ctx) => {
    const base = ctx.eval(left(n));
    const k = ctx.constant(right(n));
    if (exactScalar(ctx, left(n))) return exactPower(n, ctx, base, k);
    if (k === null || !Number.isInteger(k) || k < 0) return ctx.opaque(n);
    // In an ordered ring's numbers (decimals, wide floats, intervals: the extended looks) a long power is taken by
    // squaring, as float64 takes it and as prod's exact form does (any order of the products encloses the value):
    // past 64 factors it was opaque, and a claim whose float64 value lost digits stayed unverifiable where the
    // deeper numbers decide it. Exact rings (polynomials) keep the limit: their terms grow with every product.
    if (k > LIMITS.exactExponent)
      return ctx.ring.ordered && k <= LIMITS.integer ? rmatpow(ctx.ring, base, k) : ctx.opaque(n);
    let acc = ridentity(ctx.ring, base.rows);
    for (let i = 0; i < k; i++) acc = rmatmul(ctx.ring, acc, base);
    return acc;
  },
  differentiate: (n, ctx) =>
    ctx.J(left(n)) || ctx.J(right(n))
      ? ctx.unsupported(`no rule for the derivative of a power: ${ctx.print(n)}`)
      : null,
  canonical: (n, ctx) => {
    if (ctx.isScalar(left(n))) return nword({ kind: 'scal', poly: ctx.entries(n) });
    const k = ctx.constant(right(n));
    if (k === null || !Number.isInteger(k) || k < 0 || k > LIMITS.exactExponent)
      return ctx.unsupported(`a matrix power with exponent ${ctx.key(right(n))}`);
    let acc = nconst(1);
    for (let i = 0; i < k; i++) acc = nmul(acc, ctx.expand(left(n)));
    return acc;
  },
  transposed: (n, t) => (isOp(left(n), 'eye') ? n : node('pow', [t(left(n))!, right(n)])),
});

export function identityKernel(size: number): Kernel {
  const eye = new Float64Array(size * size);
  for (let i = 0; i < size; i++) eye[i * (size + 1)] = 1;
  return { forward: () => eye.slice(), tangent: () => null, adjoint: () => [], reads: 'nothing' };
}

/** A time-indexed base under a superscript time needs parentheses: h^{[t]2} would read as part of the index. */
export function powerBase(
  base: Expr,
  ctx: { expr(e: Expr, p?: number): string; readonly superscriptTime: boolean },
): string {
  // A base that ends in a superscript of its own (Wᵀ, A⁻¹) is parenthesised too: W^{T}^{k} is a double superscript.
  return base.kind === 'seq' && ctx.superscriptTime ? `\\left(${ctx.expr(base)}\\right)` : ctx.expr(base, 7);
}

/** The exponent of `v.^k` where it is a number child (a constant, or an index at a binding); NaN for `v.^k` over k. */
export const epowExponent = (n: OpNode): number =>
  right(n).kind === 'num' ? (right(n) as { value: number }).value : NaN;

/** `v.^k`'s exponent as written: the number, or the integer expression (`k`, `T - i`) a claim's binding gives. */
const epowExponentText = (n: OpNode, text: (e: Expr) => string): string =>
  right(n).kind === 'num' ? `${epowExponent(n)}` : text(right(n));

defineOp({
  id: 'epow',
  domain: 'arithmetic',
  // the exponent a constant, or in a claim an integer expression of its index variables (`u .^ k` over k)
  syntax: {
    operator: { symbol: '.^', fixity: 'infix' },
    args: ['expr', 'exponent'],
    usage: 'v.^2, or v.^k for an integer index k',
  },
  placement: everywhere,
  precedence: { ascii: 4, latex: 5 },
  entrywise: true,
  scalar: () => (a, k) => a ** k,
  shape: (n, ctx) => {
    const k = right(n);
    if (k.kind !== 'num' && !isIntegerExpr(k))
      return ctx.fail(
        n,
        `the exponent of '.^' is no constant nor integer`,
        'a constant, or an integer index such as k or T-i',
      );
    return ctx.shapeOf(left(n));
  },
  print: (n, ctx) => `${ctx.wrap(left(n), 5)}.^${epowExponentText(n, (k) => ctx.wrap(k, 5))}`,
  latex: (n, ctx) => `${powerBase(left(n), ctx)}^{${epowExponentText(n, (k) => ctx.expr(k))}}`,
  evaluate: (n, ctx) => {
    const [base, lost] = withLostPrecision(() => ctx.dense(left(n)));
    const k = right(n).kind === 'num' ? epowExponent(n) : ctx.dense(right(n)).data[0]!;
    notePowerLoss(k, lost);
    return powDense(base, k);
  },
  // (fused only with a constant exponent: ../numeric/evaluate.ts fusible)
  entrywiseKernel: (n) => entrywisePowKernel(epowExponent(n)),
  compile: (n, ctx) => {
    const a = ctx.compile(left(n));
    const k = right(n).kind === 'num' ? epowExponent(n) : ctx.integerValue(right(n));
    if (k === null) throw new RangeError('an entrywise power in a model equation needs a constant exponent');
    return ctx.push(epowKernel(k), [a], ctx.dims(a));
  },
  exact: (n, ctx) => exactPower(n, ctx, ctx.eval(left(n)), ctx.constant(right(n))),
  differentiate: (n, ctx) => {
    const j = ctx.J(left(n));
    if (!j) return null;
    const k = right(n);
    const factor =
      k.kind !== 'num'
        ? node('mul', [k, node('epow', [left(n), node('sub', [k, { kind: 'num', value: 1 }])])])
        : k.value === 2
          ? node('mul', [{ kind: 'num', value: 2 }, left(n)])
          : node('mul', [k, node('epow', [left(n), { kind: 'num', value: k.value - 1 }])]);
    return mul(diag(factor), j);
  },
  canonical: (n, ctx) =>
    right(n).kind === 'num'
      ? entrywiseCanonical(n, ctx)
      : ctx.unsupported(`an entrywise power with exponent ${ctx.key(right(n))}`),
});

/** The elementwise form of a scalar function's body (user functions applied to vectors). */
export function toElementwise(e: Expr): Expr {
  if (e.kind !== 'op') return e;
  const args = e.args.map(toElementwise);
  if (e.op === 'mul') return node('emul', args);
  if (e.op === 'div') return node('emul', [args[0]!, node('epow', [args[1]!, { kind: 'num', value: -1 }])]);
  if (e.op === 'pow') {
    if (args[1]!.kind !== 'num')
      throw new SymbolicUnsupported('a power with a non-constant exponent in a user function');
    return node('epow', args);
  }
  return { ...e, args };
}
