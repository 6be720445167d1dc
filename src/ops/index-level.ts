/**
 * Index-level notation, as the 2023 post writes it: one unit of a sequence
 * h_t^α (`h[t, a]`), one entry of a parameter u_{αγ} (`U[a, g]`), the
 * Kronecker δ, f′ of the activation that defines a sequence (`dact`), unit
 * vectors e_i, ∂h_t^α/∂w_ij (`d(h[t, a], W[i, j])`) and sums over index
 * paths γ_1…γ_k (`pathsum(g, k, a, d, body)`).
 */
import { isConstant } from '../ir/affine.js';
import type { Expr, Index, OpNode, Seq, Sym } from '../ir/expr.js';
import { chainShape, chainSum, forEachPath, pathSumParts } from '../ir/path-chain.js';
import { column, formatShape, isScalar, SCALAR } from '../ir/shape.js';
import { asDense, basis, dense, scalar } from '../numeric/values.js';
import { rfill, rscalar, type RMat } from '../symbolic/ring.js';
import { nconst } from '../symbolic/words.js';
import { entrywiseCanonical } from './arithmetic.js';
import type { ExactContext, NumericContext } from './contexts.js';
import { defineOp } from './registry.js';

const indexLevel = { equation: false, loss: false, claim: true, level: 'index' } as const;
const valueOf = (n: OpNode) => n.args[0] as Seq;
const symOf = (n: OpNode) => n.args[0] as Sym;

/** Entry `i` (1-based) of a vector, with a located complaint when it is out of range. */
function vectorAt(ctx: NumericContext, v: Float64Array, i: number, what: string): number {
  if (i < 1 || i > v.length)
    return ctx.outside(`${what}: unit ${i} is outside 1..${v.length}`, `units within 1..${v.length} at every binding`);
  return v[i - 1]!;
}

function pick<R>(ctx: ExactContext<R>, v: RMat<R>, i: number, what: string): RMat<R> {
  if (i < 1 || i > v.data.length) return ctx.unsupported(`${what}: unit ${i} is outside 1..${v.data.length}`);
  return rscalar(v.data[i - 1]!);
}

/** An index-level atom's exact value: letters stay letters in templates; the entries view cannot pick units. */
function exactUnit<R>(n: OpNode, ctx: ExactContext<R>, concrete: () => RMat<R>): RMat<R> {
  if (ctx.indices === 'symbolic') return ctx.unitAtom(n);
  if (ctx.shapes === 'entries') return ctx.opaque(n);
  return concrete();
}

defineOp({
  id: 'comp',
  domain: 'index-level',
  syntax: { special: 'unit-access', usage: 'h[t, alpha]' },
  placement: indexLevel,
  shape: () => SCALAR,
  print: (n, ctx) => `${valueOf(n).name}[${ctx.int(valueOf(n).time)}, ${ctx.unit(n.units[0]!)}]`,
  latex: (n, ctx) => ctx.unit(valueOf(n), n.units[0]!),
  evaluate: (n, ctx) =>
    scalar(vectorAt(ctx, ctx.value(ctx.graphNode(valueOf(n))), ctx.index(n.units[0]!), valueOf(n).name)),
  exact: (n, ctx) => exactUnit(n, ctx, () => pick(ctx, ctx.eval(valueOf(n)), ctx.index(n.units[0]!), valueOf(n).name)),
});

/** u_{αi}: indices written side by side, with a space after a control word (\\alpha i, not \\alphai). */
function joinIndices(parts: readonly string[]): string {
  return parts.reduce(
    (acc, p) => (acc && /\\[A-Za-z]+$/.test(acc) && /^[A-Za-z]/.test(p) ? `${acc} ${p}` : acc + p),
    '',
  );
}

function entryPosition(n: OpNode, index: (ix: Index) => number): [number, number] {
  return [index(n.units[0]!), n.units[1] ? index(n.units[1]) : 1];
}

defineOp({
  id: 'entry',
  domain: 'index-level',
  syntax: { special: 'entry-access', usage: 'W[i, j] (b[i] for a vector)' },
  placement: indexLevel,
  shape: () => SCALAR,
  print: (n, ctx) => `${symOf(n).name}[${n.units.map((u) => ctx.unit(u)).join(', ')}]`,
  latex: (n, ctx) => `${ctx.entryName(symOf(n).name)}_{${joinIndices(n.units.map((u) => ctx.unitIndex(u)))}}`,
  evaluate: (n, ctx) => {
    const name = symOf(n).name;
    const m = ctx.value(ctx.graphNode(symOf(n)));
    const [, cols] = ctx.nodeDims(name);
    const [r, c] = entryPosition(n, (ix) => ctx.index(ix));
    if (r < 1 || c < 1 || c > cols || (r - 1) * cols + c > m.length)
      return ctx.outside(`${name}[${r}, ${c}] is outside the matrix`, 'entries inside the matrix at every binding');
    return scalar(m[(r - 1) * cols + c - 1]!);
  },
  exact: (n, ctx) =>
    exactUnit(n, ctx, () => {
      const m = ctx.eval(symOf(n));
      const [r, c] = entryPosition(n, (ix) => ctx.index(ix));
      if (r < 1 || r > m.rows || c < 1 || c > m.cols)
        return ctx.unsupported(`${symOf(n).name}[${r},${c}] is outside the parameter`);
      return rscalar(m.data[(r - 1) * m.cols + c - 1]!);
    }),
});

defineOp({
  id: 'delta',
  domain: 'index-level',
  syntax: { call: ['delta'], args: ['unit', 'unit'], usage: 'delta(a, b)' },
  placement: indexLevel,
  symmetric: true,
  shape: () => SCALAR,
  print: (n, ctx) => `delta(${ctx.unit(n.units[0]!)}, ${ctx.unit(n.units[1]!)})`,
  latex: (n, ctx) => `\\delta\\left(${ctx.unitIndex(n.units[0]!)}, ${ctx.unitIndex(n.units[1]!)}\\right)`,
  evaluate: (n, ctx) => scalar(ctx.index(n.units[0]!) === ctx.index(n.units[1]!) ? 1 : 0),
  exact: (n, ctx) => {
    if (ctx.indices === 'concrete')
      return rscalar(ctx.index(n.units[0]!) === ctx.index(n.units[1]!) ? ctx.ring.one : ctx.ring.zero);
    // Symbolic indices: δ(a, a) = 1, two different numbers give 0, otherwise δ stays an atom (in a canonical order).
    const keyed = n.units
      .map((u) => ({ u, key: ctx.indexKey(u) }))
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const [a, b] = keyed.map((k) => k.key);
    if (a === b) return rscalar(ctx.ring.one);
    if (/^-?\d+$/.test(a!) && /^-?\d+$/.test(b!)) return rscalar(ctx.ring.zero);
    return ctx.unitAtom({ ...n, units: keyed.map((k) => k.u) });
  },
  // At a binding both indices are numbers (δ(k, 0) in a closed form over a lag).
  canonical: (n, ctx) => {
    const [a, b] = n.units;
    if (a?.kind !== 'affine' || b?.kind !== 'affine') return ctx.unsupported('δ over path positions');
    return nconst(ctx.int(a.a) === ctx.int(b.a) ? 1 : 0);
  },
});

/**
 * The Iverson bracket [a ≥ b] of two integers: a closed form summed over a
 * loss's time steps keeps only the steps at or after the seed (written by
 * the symbolic engine).
 */
defineOp({
  id: 'atleast',
  domain: 'index-level',
  syntax: { usage: '[a ≥ b] (written by the engine)' },
  placement: { equation: false, loss: false, claim: false, level: 'any' },
  entrywise: true,
  symmetric: true,
  shape: () => SCALAR,
  print: (n, ctx) => `[${ctx.int(n.ints[0]!)} >= ${ctx.int(n.ints[1]!)}]`,
  latex: (n, ctx) => `\\left[${ctx.index(n.ints[0]!)} \\geq ${ctx.index(n.ints[1]!)}\\right]`,
  evaluate: (n, ctx) => scalar(ctx.int(n.ints[0]!) >= ctx.int(n.ints[1]!) ? 1 : 0),
  exact: (n, ctx) => {
    if (ctx.indices !== 'concrete') return ctx.unsupported('[a ≥ b] with symbolic indices');
    return rscalar(ctx.int(n.ints[0]!) >= ctx.int(n.ints[1]!) ? ctx.ring.one : ctx.ring.zero);
  },
  canonical: (n, ctx) => nconst(ctx.int(n.ints[0]!) >= ctx.int(n.ints[1]!) ? 1 : 0),
  differentiate: () => null,
});

/** The sequence value dact reads, and the unit it picks (null: the whole vector). */
function dactParts(n: OpNode): { value: Seq; unit: Index | null } {
  const a = n.args[0]!;
  return a.kind === 'seq'
    ? { value: a, unit: null }
    : { value: (a as OpNode).args[0] as Seq, unit: (a as OpNode).units[0]! };
}

defineOp({
  id: 'dact',
  domain: 'index-level',
  syntax: { call: ['dact'], args: ['value'], usage: 'dact(h[t]) or dact(h[t, alpha])' },
  placement: { equation: false, loss: false, claim: true, level: 'any' },
  entrywise: true,
  shape: (n, ctx) => ctx.shapeOf(n.args[0]!),
  print: (n, ctx) => `dact(${ctx.expr(n.args[0]!)})`,
  latex: (n, ctx) => {
    const { value, unit } = dactParts(n);
    return unit
      ? `\\sigma_{${ctx.name(value.name)}}'\\left(${ctx.unitIndex(unit)}, ${ctx.index(value.time)}\\right)`
      : `\\sigma_{${ctx.name(value.name)}}'\\left(${ctx.index(value.time)}\\right)`;
  },
  evaluate: (n, ctx) => {
    const { value, unit } = dactParts(n);
    const t = ctx.int(value.time);
    const v = ctx.activationDerivative(value.name, t);
    if (!v)
      return ctx.outside(`dact(${value.name}[${t}]): ${value.name} is not defined as an activation f(z) at t = ${t}`);
    return unit ? scalar(vectorAt(ctx, v, ctx.index(unit), `dact(${value.name})`)) : dense(v.length, 1, v);
  },
  exact: (n, ctx) => {
    const { value, unit } = dactParts(n);
    if (!unit) return ctx.dactOf(value);
    return exactUnit(n, ctx, () => pick(ctx, ctx.dactOf(value), ctx.index(unit), `dact(${value.name})`));
  },
  canonical: (n, ctx) => entrywiseCanonical(n, ctx),
});

defineOp({
  id: 'unit',
  domain: 'index-level',
  syntax: { call: ['unit'], args: ['int', 'unit'], usage: 'unit(d, i)' },
  placement: indexLevel,
  shape: (n) => column(n.ints[0]!),
  print: (n, ctx) => `unit(${ctx.int(n.ints[0]!)}, ${ctx.unit(n.units[0]!)})`,
  latex: (n, ctx) => `e_{${ctx.unitIndex(n.units[0]!)}}`,
  evaluate: (n, ctx) => {
    const size = ctx.int(n.ints[0]!);
    const i = ctx.index(n.units[0]!);
    if (i < 1 || i > size)
      return ctx.outside(`unit(${size}, ${i}) is outside 1..${size}`, `units within 1..${size} at every binding`);
    return basis(size, i - 1);
  },
  exact: (n, ctx) => {
    if (ctx.indices === 'symbolic' || ctx.shapes === 'entries') return ctx.opaque(n);
    const i = ctx.index(n.units[0]!);
    return rfill(ctx.int(n.ints[0]!), 1, (a) => (a + 1 === i ? ctx.ring.one : ctx.ring.zero));
  },
});

/**
 * ∂h_t^α/∂w_ij as an entry of the matrix-level Jacobian ∂h_t/∂W: row α, column (j − 1)·rows + i (W's entries in
 * column-major order, vec(W), as `jac` orders them); null for an entry outside W. `index` reads the unit indices,
 * `dims` gives a parameter's rows and columns.
 */
export function unitDerivativeAsEntry(
  n: OpNode,
  index: (ix: Index) => number,
  dims: (name: string) => readonly [number, number],
): { of: Seq; wrt: Sym; row: number; col: number } | null {
  const { value, unit, param, entry } = unitDerivParts(n);
  const [rows, cols] = dims(param.name);
  const [r, c] = entryPosition(entry, index);
  if (r < 1 || r > rows || c < 1 || c > cols) return null;
  return { of: value, wrt: param, row: index(unit), col: (c - 1) * rows + r };
}

/** The unit and the entry of ∂h_t^α/∂w_ij. */
function unitDerivParts(n: OpNode): { value: Seq; unit: Index; param: Sym; entry: OpNode } {
  const [of, wrt] = n.args as [OpNode, OpNode];
  return { value: of.args[0] as Seq, unit: of.units[0]!, param: wrt.args[0] as Sym, entry: wrt };
}

defineOp({
  id: 'd',
  domain: 'index-level',
  syntax: { call: ['d'], args: ['unit-value', 'entry-value'], usage: 'd(h[t, alpha], W[i, j])' },
  placement: indexLevel,
  shape: () => SCALAR,
  print: (n, ctx) => `d(${ctx.expr(n.args[0]!)}, ${ctx.expr(n.args[1]!)})`,
  latex: (n, ctx) => `\\frac{\\partial ${ctx.expr(n.args[0]!)}}{\\partial ${ctx.expr(n.args[1]!)}}`,
  evaluate: (n, ctx) => {
    const { value, unit, param, entry } = unitDerivParts(n);
    const [rows, cols] = ctx.nodeDims(param.name);
    const [r, c] = entryPosition(entry, (ix) => ctx.index(ix));
    if (r < 1 || r > rows || c < 1 || c > cols)
      return ctx.outside(
        `${param.name}[${r}, ${c}] is outside the ${rows}×${cols} parameter`,
        'entries inside the parameter at every binding',
      );
    const of = ctx.graphNode(value);
    const tangent = ctx.sweep(
      'tan',
      { name: param.name, time: null },
      basis(rows * cols, (r - 1) * cols + c - 1),
      new Set(),
    )(of);
    return scalar(tangent ? vectorAt(ctx, tangent, ctx.index(unit), value.name) : 0);
  },
  exact: (n, ctx) => (ctx.indices === 'symbolic' ? ctx.unitAtom(n) : ctx.unitDerivative(n)),
});

/** How many terms a path sum may add: paths enumerated, or factors of its transfer-matrix form (length·d²). */
export const MAX_ENUMERATED_PATHS = 4_000_000;

/** Why a path sum cannot be summed at concrete sizes (a negative length, too many terms), or null. */
function pathSumProblem(at: { length: number; d: number }, chain: boolean): string | null {
  if (at.length < 0) return `pathsum over a path of length ${at.length} (the length must be 0 or more)`;
  const terms = chain ? at.length * at.d * at.d : at.d ** at.length;
  if (terms > MAX_ENUMERATED_PATHS)
    return `pathsum over ${at.d}^${at.length} paths is too many to ${chain ? 'sum' : 'enumerate'} (more than ${MAX_ENUMERATED_PATHS} terms)`;
  return null;
}

defineOp({
  id: 'pathsum',
  domain: 'index-level',
  syntax: {
    call: ['pathsum'],
    args: ['path-binder', 'int', 'unit', 'int', 'expr'],
    usage: 'pathsum(g, k, alpha, d, body) — Σ over g[1..k] in 1..d with g[0] = alpha',
  },
  placement: indexLevel,
  shape: (n, ctx) => {
    const s = ctx.shapeOf(n.args[0]!);
    if (!isScalar(s)) return ctx.fail(n, `a path sum adds scalars, got ${formatShape(s)}`);
    return SCALAR;
  },
  validate: (n, ctx) => {
    const length = pathSumParts(n).length;
    if (isConstant(length) && length.c < 0)
      ctx.fail(
        n,
        `a path sum's length cannot be negative, got ${length.c}`,
        'pathsum(g, k, alpha, d, body) with k ≥ 0',
      );
  },
  print: (n, ctx) =>
    `pathsum(${n.binder}, ${ctx.int(n.ints[0]!)}, ${ctx.unit(n.units[0]!)}, ${ctx.int(n.ints[1]!)}, ${ctx.expr(n.args[0]!)})`,
  latex: (n, ctx) => {
    const g = ctx.variable(n.binder!);
    const [length, range] = [ctx.index(n.ints[0]!), ctx.index(n.ints[1]!)];
    return `\\sum_{${g}_{1}=1}^{${range}} \\cdots \\sum_{${g}_{${length}}=1}^{${range}} ${ctx.expr(n.args[0]!, 3)}`;
  },
  evaluate: (n, ctx) => {
    const { path, length, range, start, body } = pathSumParts(n);
    const at = { length: ctx.int(length), d: ctx.int(range), start: ctx.index(start), env: ctx.env };
    const value = (x: Expr, env: Readonly<Record<string, number>>) => asDense(ctx.eval(x, env)).data[0]!;
    const shape = chainShape(n);
    const problem = pathSumProblem(at, shape !== null);
    if (problem)
      return ctx.outside(problem, 'a path length, start and unit range a sum over paths can take at every binding');
    if (shape) {
      const numbers = {
        zero: 0,
        add: (a: number, b: number) => a + b,
        mul: (a: number, b: number) => a * b,
        isZero: () => false,
      };
      return scalar(
        chainSum(
          n,
          shape,
          at,
          value,
          numbers,
          ctx.memo<number[]>('pathsum'),
          `${ctx.contentKey(body)}|${at.length}|${at.d}`,
        ),
      );
    }
    let total = 0;
    forEachPath(path, at.length, at.d, at.start, ctx.env, (assignment) => {
      total += value(body, { ...assignment });
    });
    return scalar(total);
  },
  exact: (n, ctx) => {
    const { path, length, range, start, body } = pathSumParts(n);
    const at = { length: ctx.int(length), d: ctx.int(range), start: ctx.index(start), env: ctx.env };
    const { ring } = ctx;
    const value = (x: Expr, env: Readonly<Record<string, number>>) => ctx.eval(x, env).data[0]!;
    const shape = chainShape(n);
    const problem = pathSumProblem(at, shape !== null);
    if (problem) return ctx.unsupported(problem);
    if (shape)
      return rscalar(
        chainSum(n, shape, at, value, ring, ctx.memo('pathsum'), `${ctx.contentKey(body)}|${at.length}|${at.d}`),
      );
    let total = ring.zero;
    // eval only reads its environment (binders copy it), so the shared assignment is passed as it is.
    forEachPath(path, at.length, at.d, at.start, ctx.env, (assignment) => {
      total = ring.add(total, value(body, assignment));
    });
    return rscalar(total);
  },
});
