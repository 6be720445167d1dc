/**
 * Static shapes. A dimension is an affine expression in the size names
 * (`d`, `m`, `d+m`), so that `W_f * [h[t-1]; x[t]]` type-checks for every
 * size before any instance is drawn. Vectors are columns ([n, 1]); scalars
 * are [1, 1] and broadcast in +, −, .*.
 */
import { ExprError } from '../derivation/errors.js';
import { type Affine, affine, affineAdd, affineEquals, formatAffine } from './affine.js';
import type { Expr, NodeRef } from './expr.js';

export interface Shape {
  readonly rows: Affine;
  readonly cols: Affine;
}

const ONE = affine(1);
export const SCALAR: Shape = { rows: ONE, cols: ONE };

export const isScalar = (s: Shape): boolean => affineEquals(s.rows, ONE) && affineEquals(s.cols, ONE);
export const isColumn = (s: Shape): boolean => affineEquals(s.cols, ONE);
export const sameShape = (a: Shape, b: Shape): boolean => affineEquals(a.rows, b.rows) && affineEquals(a.cols, b.cols);
export const formatShape = (s: Shape): string =>
  isScalar(s) ? 'scalar' : isColumn(s) ? `vector[${formatAffine(s.rows)}]` : `matrix[${formatAffine(s.rows)}, ${formatAffine(s.cols)}]`;

export interface ShapeEnv {
  /** declared shape of a model symbol (parameter, sequence, loss) */
  shapeOf(name: string): Shape;
}

export function inferShape(expr: Expr, env: ShapeEnv, offsets: WeakMap<Expr, number>): Shape {
  const fail = (node: Expr, problem: string, expected?: string): never => {
    throw new ExprError(offsets.get(node) ?? 0, problem, expected);
  };
  const nodeShape = (ref: NodeRef): Shape => env.shapeOf(ref.name);

  const infer = (e: Expr): Shape => {
    switch (e.kind) {
      case 'num':
      case 'ivar':
      case 'rvar':
        return SCALAR;
      case 'sym':
      case 'seq':
        return env.shapeOf(e.name);
      case 'add':
      case 'sub':
      case 'emul': {
        const [l, r] = [infer(e.left), infer(e.right)];
        if (isScalar(l)) return r;
        if (isScalar(r) || sameShape(l, r)) return l;
        return fail(e, `shape mismatch in '${e.kind === 'emul' ? '.*' : e.kind === 'add' ? '+' : '-'}': ${formatShape(l)} and ${formatShape(r)}`, 'equal shapes or a scalar');
      }
      case 'mul': {
        const [l, r] = [infer(e.left), infer(e.right)];
        if (isScalar(l)) return r;
        if (isScalar(r)) return l;
        if (!affineEquals(l.cols, r.rows))
          return fail(e, `cannot multiply ${formatShape(l)} by ${formatShape(r)}`, 'inner dimensions to agree');
        return { rows: l.rows, cols: r.cols };
      }
      case 'div': {
        const [l, r] = [infer(e.left), infer(e.right)];
        if (!isScalar(r)) return fail(e, `cannot divide by ${formatShape(r)}`, 'a scalar divisor');
        return l;
      }
      case 'pow': {
        const [b, x] = [infer(e.base), infer(e.exponent)];
        if (!isScalar(b) || !isScalar(x)) return fail(e, "'^' is a scalar power", 'v.^2 for an elementwise power');
        return SCALAR;
      }
      case 'epow':
        return infer(e.base);
      case 'call':
      case 'ucall':
        return infer(e.arg);
      case 'neg':
        return infer(e.arg);
      case 'transpose': {
        const s = infer(e.arg);
        return { rows: s.cols, cols: s.rows };
      }
      case 'diag': {
        const s = infer(e.arg);
        if (!isColumn(s)) return fail(e, `diag takes a vector, got ${formatShape(s)}`, 'diag(v)');
        return { rows: s.rows, cols: s.rows };
      }
      case 'norm':
        infer(e.arg);
        return SCALAR;
      case 'sumall':
        infer(e.arg);
        return SCALAR;
      case 'concat': {
        let rows = affine(0);
        for (const item of e.items) {
          const s = infer(item);
          if (!isColumn(s)) return fail(item, `only vectors can be stacked, got ${formatShape(s)}`, '[u; v] of vectors');
          rows = affineAdd(rows, s.rows);
        }
        return { rows, cols: ONE };
      }
      case 'prod': {
        const s = infer(e.body);
        if (!affineEquals(s.rows, s.cols)) return fail(e, `an ordered product needs square factors, got ${formatShape(s)}`);
        return s;
      }
      case 'sum':
        return infer(e.body);
      case 'supabs':
        if (!isScalar(infer(e.body))) return fail(e, 'supabs takes a scalar expression', 'supabs(x, 1 - tanh(x)^2)');
        return SCALAR;
      case 'eye':
        return { rows: e.size, cols: e.size };
      case 'comp':
      case 'entry':
      case 'delta':
      case 'ideriv':
        return SCALAR;
      case 'dact':
        return e.index ? SCALAR : env.shapeOf(e.name);
      case 'pathsum': {
        const s = infer(e.body);
        if (!isScalar(s)) return fail(e, `a path sum adds scalars, got ${formatShape(s)}`);
        return SCALAR;
      }
      case 'unit':
        return { rows: e.size, cols: ONE };
      case 'cols': {
        const s = infer(e.arg);
        return { rows: s.rows, cols: affineAdd(affineAdd(e.to, e.from, -1), affine(1)) };
      }
      case 'hprod': {
        const s = infer(e.body);
        if (!isColumn(s)) return fail(e, `hprod multiplies vectors elementwise, got ${formatShape(s)}`, 'hprod(i, 1, k, f[i])');
        return s;
      }
      case 'deriv': {
        const [of, wrt] = [nodeShape(e.of), nodeShape(e.wrt)];
        if (e.mode === 'grad') {
          if (!isScalar(of)) return fail(e, `grad needs a scalar, got ${formatShape(of)}`, 'grad(L, h[t]) or jac(y, x)');
          return wrt;
        }
        if (!isColumn(of) || !isColumn(wrt))
          return fail(e, `${e.mode} relates vectors, got ${formatShape(of)} and ${formatShape(wrt)}`, 'grad(L, W) for matrix parameters');
        return { rows: of.rows, cols: wrt.rows };
      }
    }
  };
  return infer(expr);
}

/** Parses a declared shape such as `[d, d+m]`, `[d]` or `[]` (scalar). */
export function shapeFromDims(dims: readonly Affine[]): Shape {
  if (dims.length === 0) return SCALAR;
  if (dims.length === 1) return { rows: dims[0]!, cols: ONE };
  return { rows: dims[0]!, cols: dims[1]! };
}
