/**
 * Derivatives through the unrolled graph: ∇ (the gradient of a scalar, as a
 * column), the total Jacobian ∂of/∂wrt, and the partial Jacobian that holds
 * named nodes fixed (one node, or a whole sequence at every step). Their
 * values come from the exact sweeps (adjoints and dual-number tangents).
 */
import type { Expr, OpNode } from '../ir/expr.js';
import { formatShape, isColumn, isScalar } from '../ir/shape.js';
import { affineProduct } from '../ir/affine.js';
import { BaseOp, basis, type Dense, dense, rowsToDense } from '../numeric/values.js';
import { entrywiseCanonical } from './arithmetic.js';
import type { GraphNode, NumericContext, ValidateContext } from './contexts.js';
import { nword } from '../symbolic/words.js';
import { defineOp, type OpSpec } from './registry.js';

/** ∂of/∂wrt as an operator: columns from tangent sweeps, rows from adjoint sweeps. */
class JacobianOp extends BaseOp {
  constructor(
    private readonly ctx: NumericContext,
    private readonly of: GraphNode,
    private readonly wrt: GraphNode,
    private readonly fixed: ReadonlySet<string>,
    rows: number,
    cols: number,
    /** a matrix parameter's shape: columns are its entries in column-major (vec) order, storage is row-major */
    private readonly matrix: readonly [number, number] | null = null,
  ) {
    super(rows, cols);
  }
  apply(x: Dense): Dense {
    const direction = this.matrix ? dense(x.rows, 1, vecToStorage(x.data, ...this.matrix)) : x;
    return dense(
      this.rows,
      1,
      this.ctx.sweep('tan', this.wrt, direction, this.fixed)(this.of) ?? new Float64Array(this.rows),
    );
  }
  applyT(y: Dense): Dense {
    const g =
      this.ctx.sweep('adj', this.of, y, this.fixed, this.wrt.time === null)(this.wrt) ?? new Float64Array(this.cols);
    return dense(this.cols, 1, this.matrix ? storageToVec(g, ...this.matrix) : g);
  }
  override materialize(): Dense {
    if (!this.ctx.preferRows) return super.materialize();
    return rowsToDense(this.rows, this.cols, (i) => this.applyT(basis(this.rows, i)).data);
  }
}

/** vec(P) (column-major: entry (i, j) at i + j·rows) → row-major storage (at i·cols + j), and back. */
function vecToStorage(v: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = v[i + j * rows]!;
  return out;
}

function storageToVec(s: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i + j * rows] = s[i * cols + j]!;
  return out;
}

const size = (ctx: NumericContext, n: GraphNode) => {
  const [r, c] = ctx.nodeDims(n.name);
  return r * c;
};

/** What a derivative may be taken of and with respect to, and what may be held. */
function validate(n: OpNode, ctx: ValidateContext): void {
  const [of, wrt, ...held] = n.args as [
    Expr & { name: string },
    Expr & { name: string },
    ...(Expr & { name: string })[],
  ];
  if (ctx.roleOf(wrt.name) === 'loss') ctx.fail(n, 'cannot differentiate with respect to the loss');
  if (n.op === 'grad' && ctx.roleOf(of.name) !== 'loss' && !ctx.isScalar(of))
    ctx.fail(n, 'grad takes the loss (or a scalar) first', 'grad(L, h[t])');
  if (n.op !== 'grad' && ctx.roleOf(of.name) === 'loss') ctx.fail(n, 'use grad for the loss', 'grad(L, h[t])');
  for (const f of held) {
    const role = ctx.roleOf(f.name);
    if (role === 'loss' || role === 'parameter')
      ctx.fail(n, `only sequence values can be held fixed, not '${f.name}'`, 'partial(C[t], C[t-1], h[t-1])');
    if (f.kind === 'sym' && (f.name === of.name || f.name === wrt.name))
      ctx.fail(
        n,
        `'${f.name}' cannot be held at every step: the derivative is of or with respect to it`,
        'held values other than the two the derivative relates, e.g. partial(C[t], C[t-k], h)',
      );
  }
}

function derivative(id: 'grad' | 'jac' | 'partial'): OpSpec {
  const usage =
    id === 'partial'
      ? 'partial(y[t], x[s], h[t-1], …) or partial(C[t], C[t-k], h) to hold h at every step'
      : id === 'grad'
        ? 'grad(L, x[t]), or grad(L, h[t], h[t+1]) with h[t+1] held (the direct part ∂ℓ_t/∂h_t)'
        : `${id}(y, x[t])`;
  return {
    id,
    domain: 'derivatives',
    syntax: {
      call: [id],
      args: id === 'jac' ? ['node', 'node'] : ['node', 'node', 'held'],
      variadic: id !== 'jac',
      minArgs: id === 'grad' ? 2 : 3,
      usage,
    },
    placement: { equation: false, loss: false, claim: true, level: 'any' },
    graphDerivative: true,
    shape: (n, ctx) => {
      const [of, wrt] = [ctx.shapeOf(n.args[0]!), ctx.shapeOf(n.args[1]!)];
      if (id === 'grad') {
        if (!isScalar(of))
          return ctx.fail(n, `grad needs a scalar, got ${formatShape(of)}`, 'grad(L, h[t]) or jac(y, x)');
        return wrt;
      }
      if (!isColumn(of))
        return ctx.fail(
          n,
          `${id} takes a vector (or a scalar) first, got ${formatShape(of)}`,
          'jac(h[t], x[s]) or grad(L, W)',
        );
      if (isColumn(wrt)) return { rows: of.rows, cols: wrt.rows };
      // With respect to a matrix parameter: its entries in column-major order (vec), as matrix calculus writes it.
      try {
        return { rows: of.rows, cols: affineProduct(wrt.rows, wrt.cols) };
      } catch {
        return ctx.fail(
          n,
          `${id} with respect to ${formatShape(wrt)} needs a column count gradproof can write`,
          'a parameter whose shape is [d, m] or [d, 3]',
        );
      }
    },
    validate,
    print: (n, ctx) => `${id}(${n.args.map((a) => ctx.expr(a)).join(', ')})`,
    latex: (n, ctx) => {
      const [of, wrt, ...held] = n.args;
      const heldText = held.map((f) => ctx.node(f)).join(',\\,');
      if (id === 'grad')
        return held.length
          ? `\\left.\\nabla_{${ctx.node(wrt!)}} ${ctx.node(of!)}\\right|_{${heldText}}`
          : `\\nabla_{${ctx.node(wrt!)}} ${ctx.node(of!)}`;
      const frac = `\\frac{\\partial ${ctx.node(of!)}}{\\partial ${ctx.node(wrt!)}}`;
      if (id === 'jac') return frac;
      return `\\left.${frac}\\right|_{${heldText}}`;
    },
    evaluate: (n, ctx) => {
      const of = ctx.graphNode(n.args[0]!);
      const wrt = ctx.graphNode(n.args[1]!);
      const fixed = ctx.held(n.args.slice(2));
      if (id === 'grad') {
        const adj = ctx.sweep('adj', of, ctx.one, fixed, wrt.time === null)(wrt);
        const [r, c] = ctx.nodeDims(wrt.name);
        return dense(r, c, adj ?? new Float64Array(r * c));
      }
      const [rows, cols] = ctx.nodeDims(wrt.name);
      return new JacobianOp(ctx, of, wrt, fixed, size(ctx, of), rows * cols, cols > 1 ? [rows, cols] : null);
    },
    exact: (n, ctx) => ctx.opaque(n),
    canonical: (n, ctx) => (ctx.isVector(n) ? entrywiseCanonical(n, ctx) : nword({ kind: 'mat', key: ctx.key(n) })),
  };
}

for (const id of ['grad', 'jac', 'partial'] as const) defineOp(derivative(id));
