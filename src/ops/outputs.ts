/**
 * Output heads and losses: softmax(v) and logsumexp(v), computed stably
 * (the largest entry subtracted first) — with `log` and `.*` they write
 * cross-entropy, −sum(y .* log(softmax(V*h[t] + c))).
 */
import type { OpNode } from '../ir/expr.js';
import { node } from '../ir/expr.js';
import { formatShape, isColumn, SCALAR } from '../ir/shape.js';
import type { Vec } from '../numeric/kernel.js';
import {
  amplifiedRoundingOf,
  lostPrecisionOf,
  magnifiedLoss,
  noteLostPrecision,
  withLostPrecision,
} from '../numeric/lost-digits.js';
import { dense, scalar } from '../numeric/values.js';
import { diag, mul, sub } from '../symbolic/build.js';
import { entrywiseCanonical } from './arithmetic.js';
import type { ExactContext, Kernel } from './contexts.js';
import { rmap, rscalar, type RMat } from '../symbolic/ring.js';
import { defineOp } from './registry.js';

const arg = (n: OpNode) => n.args[0]!;

export function softmaxOf(v: Vec): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]!);
  const out = new Float64Array(v.length);
  let total = 0;
  for (let i = 0; i < v.length; i++) total += out[i] = Math.exp(v[i]! - max);
  for (let i = 0; i < v.length; i++) out[i]! /= total;
  return out;
}

/**
 * What float64's max + log(Σ exp(v − max)) keeps of its value: log's argument carries the sum's rounding (n terms), an
 * absolute error of about n·2⁻⁵³ in the log, and the sum with max its own rounding: (|max| + n)·2⁻⁵³ of |value|
 * (amplifiedRoundingOf). logsumexp([0; -40]) is log(1 + e^-40) = 4.2e-18, 0 in float64: every digit (the false
 * `logsumexp([0; -40]) * x <= 1e-18 * x` was consistent); so is a value that cancels max against the log.
 */
export function logSumExpLost(v: Vec, value: number): number {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]!);
  if (!Number.isFinite(max) || !Number.isFinite(value)) return 0;
  return amplifiedRoundingOf((Math.abs(max) + v.length) / Math.abs(value));
}

/**
 * How many times logsumexp magnifies its operand's relative errors: its condition number Σ softmax(v)ᵢ·|vᵢ| / |value|
 * (∂/∂vᵢ is softmax(v)ᵢ), infinite at a value 0 (the false `logsumexp(((5e5 - 0.69314218) - 5e5) * ones(2, 1)) * x
 * >= 5.00057e-6 * x` was consistent, a review found).
 */
export function logSumExpMagnification(v: Vec, value: number): number {
  const s = softmaxOf(v);
  let slope = 0;
  for (let i = 0; i < v.length; i++) slope += s[i]! * Math.abs(v[i]!);
  if (slope === 0) return 0;
  return value === 0 ? Infinity : slope / Math.abs(value);
}

/**
 * How many times softmax magnifies its operand's relative errors, entry by entry: softmax(v)ᵢ moves by
 * sᵢ·(dvᵢ − Σ sⱼ dvⱼ), at most 2·max|v| of its value per relative error of v.
 */
export function softmaxMagnification(v: Vec): number {
  let largest = 0;
  for (let i = 0; i < v.length; i++) largest = Math.max(largest, Math.abs(v[i]!));
  return 2 * largest;
}

export function logSumExp(v: Vec): number {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]!);
  if (!Number.isFinite(max)) return max;
  let total = 0;
  for (let i = 0; i < v.length; i++) total += Math.exp(v[i]! - max);
  return max + Math.log(total);
}

/**
 * exp(v − m) and its sum, in an ordered arithmetic (the extended ones: decimals, wide floats, intervals), through the
 * arithmetic's own exp: m is the largest entry as far as the arithmetic can tell, and any m gives the same values
 * (exp(v − m)/Σ and m + log Σ), so an interval's overlapping ends choose one as well as another. Null elsewhere (the
 * symbolic domains: an opaque atom, as before).
 */
function shiftedExponentials<R>(n: OpNode, ctx: ExactContext<R>): { shift: R; exponentials: RMat<R>; total: R } | null {
  const ordered = ctx.ring.ordered;
  if (!ordered) return null;
  const v = ctx.eval(arg(n));
  let shift: R = v.data[0]!;
  for (const x of v.data) if (ordered.lt(shift, x)) shift = x;
  // the arithmetic's exp of each entry (node only names the function: the extended domains key nothing by it)
  const exponentials = ctx.activation(node('exp', [arg(n)]), () => rmap(v, (x) => ctx.ring.sub(x, shift)));
  let total = ctx.ring.zero;
  for (const x of exponentials.data) total = ctx.ring.add(total, x);
  return { shift, exponentials, total };
}

function exactSoftmax<R>(n: OpNode, ctx: ExactContext<R>): RMat<R> {
  const parts = shiftedExponentials(n, ctx);
  if (!parts) return ctx.opaque(n);
  const data = parts.exponentials.data.map((x) => ctx.ring.div(x, parts.total));
  return data.every((x) => x !== null) ? { ...parts.exponentials, data: data } : ctx.opaque(n);
}

function exactLogSumExp<R>(n: OpNode, ctx: ExactContext<R>): RMat<R> {
  const parts = shiftedExponentials(n, ctx);
  if (!parts) return ctx.opaque(n);
  const log = ctx.activation(node('log', [arg(n)]), () => rscalar(parts.total));
  return rscalar(ctx.ring.add(parts.shift, log.data[0]!));
}

/** s ⊙ (g − sᵀg): the Jacobian of softmax (symmetric, diag(s) − ssᵀ) applied to g. */
function softmaxJacobianTimes(s: Vec, g: Vec): Float64Array {
  let dot = 0;
  for (let i = 0; i < s.length; i++) dot += s[i]! * g[i]!;
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s[i]! * (g[i]! - dot);
  return out;
}

const softmaxKernel: Kernel = {
  forward: ([v]) => softmaxOf(v!),
  magnifies: ([v]) => softmaxMagnification(v!),
  tangent: (_v, [dv], out) => (dv ? softmaxJacobianTimes(out, dv) : null),
  adjoint: (_v, out, adj, [wanted]) => [wanted ? softmaxJacobianTimes(out, adj) : null],
};

const logSumExpKernel: Kernel = {
  forward: ([v]) => Float64Array.of(logSumExp(v!)),
  lostDigits: ([v], out) => Math.max(logSumExpLost(v!, out[0]!), lostPrecisionOf(out)),
  magnifies: ([v], out) => logSumExpMagnification(v!, out[0]!),
  // its derivative is softmax of its operand: what its value lost is no part of a sweep through it
  reads: 'operands',
  tangent: ([v], [dv]) => {
    if (!dv) return null;
    const s = softmaxOf(v!);
    let dot = 0;
    for (let i = 0; i < s.length; i++) dot += s[i]! * dv[i]!;
    return Float64Array.of(dot);
  },
  adjoint: ([v], _out, adj, [wanted]) => [wanted ? softmaxOf(v!).map((x) => x * adj[0]!) : null],
};

defineOp({
  id: 'softmax',
  domain: 'outputs',
  syntax: { call: ['softmax'], args: ['expr'], usage: 'softmax(v) of a vector' },
  placement: { equation: true, loss: true, claim: true, level: 'any' },
  entrywise: true,
  shape: (n, ctx) => {
    const s = ctx.shapeOf(arg(n));
    if (!isColumn(s)) return ctx.fail(n, `softmax takes a vector, got ${formatShape(s)}`, 'softmax(v)');
    return s;
  },
  print: (n, ctx) => `softmax(${ctx.expr(arg(n))})`,
  latex: (n, ctx) => `\\operatorname{softmax}\\left(${ctx.expr(arg(n))}\\right)`,
  evaluate: (n, ctx) => {
    // what the operand lost, magnified (softmaxMagnification)
    const [v, lost] = withLostPrecision(() => ctx.dense(arg(n)));
    if (lost > 0) noteLostPrecision(magnifiedLoss(softmaxMagnification(v.data), lost));
    return dense(v.rows, 1, softmaxOf(v.data));
  },
  compile: (n, ctx) => {
    const a = ctx.compile(arg(n));
    return ctx.push(softmaxKernel, [a], ctx.dims(a));
  },
  exact: (n, ctx) => exactSoftmax(n, ctx),
  // ∂softmax(z) = (diag(s) − s sᵀ)·∂z, with s the value (the sequence it defines, where the cell names it)
  differentiate: (n, ctx) => {
    const j = ctx.J(arg(n));
    if (!j) return null;
    const s = ctx.valueOf(n) ?? n;
    return mul(sub(diag(s), node('mul', [s, node('transpose', [s])])), j);
  },
  paramGradient: (n, g, ctx) => {
    // Written through the value the cell names (ŷ_t), as the softmax Jacobian diag(ŷ) − ŷŷᵀ is.
    const s = ctx.valueOf(n) ?? n;
    return ctx.grad(arg(n), node('mul', [sub(diag(s), node('mul', [s, node('transpose', [s])]))!, g]));
  },
  canonical: (n, ctx) => entrywiseCanonical(n, ctx),
});

defineOp({
  id: 'logsumexp',
  domain: 'outputs',
  syntax: {
    call: ['logsumexp'],
    args: ['expr'],
    usage: 'logsumexp(v) = log(sum(exp(v))) of a vector, computed stably',
  },
  placement: { equation: true, loss: true, claim: true, level: 'any' },
  shape: (n, ctx) => {
    const s = ctx.shapeOf(arg(n));
    if (!isColumn(s)) return ctx.fail(n, `logsumexp takes a vector, got ${formatShape(s)}`, 'logsumexp(v)');
    return SCALAR;
  },
  print: (n, ctx) => `logsumexp(${ctx.expr(arg(n))})`,
  latex: (n, ctx) => `\\operatorname{logsumexp}\\left(${ctx.expr(arg(n))}\\right)`,
  evaluate: (n, ctx) => {
    const [{ data: v }, lost] = withLostPrecision(() => ctx.dense(arg(n)));
    const value = logSumExp(v);
    noteLostPrecision(logSumExpLost(v, value));
    // what the operand lost, magnified by its condition number
    if (lost > 0) noteLostPrecision(magnifiedLoss(logSumExpMagnification(v, value), lost));
    return scalar(value);
  },
  compile: (n, ctx) => ctx.push(logSumExpKernel, [ctx.compile(arg(n))], [1, 1]),
  exact: (n, ctx) => exactLogSumExp(n, ctx),
  differentiate: (n, ctx) => {
    const j = ctx.J(arg(n));
    return j ? mul(node('transpose', [node('softmax', [arg(n)])]), j) : null;
  },
  paramGradient: (n, g, ctx) => ctx.grad(arg(n), node('mul', [node('softmax', [arg(n)]), g])),
});
