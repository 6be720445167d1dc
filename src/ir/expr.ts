/**
 * The matrix-level IR: what a derivation file's ASCII math becomes after
 * parsing. Every node is plain data so that the numeric evaluator, the shape
 * checker, the canonical printer and (later) the symbolic engine can each walk
 * it without owning it.
 */
import type { Affine } from './affine.js';

/** Elementwise scalar functions known to the engine (see functions.ts). */
export type ElementwiseFn = 'tanh' | 'sigma' | 'exp' | 'log' | 'abs' | 'identity';

/** spectral, Frobenius, max row sum, largest entry in absolute value */
export type NormKind = '2' | 'F' | 'inf' | 'max';

/** A node of the unrolled computation graph: a sequence at a time, a parameter, or the loss. */
export interface NodeRef {
  readonly name: string;
  /** null for parameters and the loss, which are not indexed by time */
  readonly time: Affine | null;
}

export type DerivMode = 'grad' | 'jac' | 'partial';

/**
 * An index at the level of single units (h_t^α, u_{αγ}): an integer affine
 * expression, or a position of an index path γ_0 … γ_k (`g[l]`).
 */
export type Index = { readonly kind: 'affine'; readonly a: Affine } | { readonly kind: 'path'; readonly name: string; readonly pos: Affine };

export type Expr =
  | { readonly kind: 'num'; readonly value: number }
  /** a parameter (matrix/vector) or the loss symbol */
  | { readonly kind: 'sym'; readonly name: string }
  /** a time-indexed sequence value, `h[t-1]` */
  | { readonly kind: 'seq'; readonly name: string; readonly time: Affine }
  /** an integer index variable or size used as a scalar, e.g. `k` in `norm2(W)^k` */
  | { readonly kind: 'ivar'; readonly name: string }
  /** the bound real variable of `supabs(x, …)` */
  | { readonly kind: 'rvar'; readonly name: string }
  | { readonly kind: 'add' | 'sub' | 'mul' | 'emul' | 'div'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'neg'; readonly arg: Expr }
  /** scalar power `a^b` */
  | { readonly kind: 'pow'; readonly base: Expr; readonly exponent: Expr }
  /** elementwise power with a constant exponent, `v.^2` */
  | { readonly kind: 'epow'; readonly base: Expr; readonly exponent: number }
  | { readonly kind: 'transpose'; readonly arg: Expr }
  | { readonly kind: 'call'; readonly fn: ElementwiseFn; readonly arg: Expr }
  /** a user function declared in the model (with its derivative), applied elementwise */
  | { readonly kind: 'ucall'; readonly name: string; readonly arg: Expr }
  | { readonly kind: 'diag'; readonly arg: Expr }
  | { readonly kind: 'norm'; readonly which: NormKind; readonly arg: Expr }
  /** sum of all entries, `sum(v)` */
  | { readonly kind: 'sumall'; readonly arg: Expr }
  /** vertical concatenation, `[h[t-1]; x[t]]` */
  | { readonly kind: 'concat'; readonly items: readonly Expr[] }
  /** ordered product (index increasing left to right) or sum over an integer range */
  | {
      readonly kind: 'prod' | 'sum';
      readonly index: string;
      readonly lo: Affine;
      readonly hi: Affine;
      readonly body: Expr;
    }
  /**
   * Derivatives of one graph node with respect to another. `grad` is the
   * gradient (a column) of a scalar; `jac` the total Jacobian ∂of/∂wrt through
   * the unrolled graph; `partial` the same with the `fixed` nodes held fixed.
   */
  | {
      readonly kind: 'deriv';
      readonly mode: DerivMode;
      readonly of: NodeRef;
      readonly wrt: NodeRef;
      readonly fixed: readonly NodeRef[];
    }
  /** sup over real x of |body(x)|, for bounds such as max_x |1 − tanh(x)²| */
  | { readonly kind: 'supabs'; readonly variable: string; readonly body: Expr }
  /** the n×n identity, `eye(d)` */
  | { readonly kind: 'eye'; readonly size: Affine }
  /**
   * columns from..to (1-based, inclusive) of a matrix: the block of a weight
   * that multiplies one part of a stacked input, `cols(W_f, 1, d)`; `label`
   * names that part (h for W_f·[h; x]) for rendering
   */
  | { readonly kind: 'cols'; readonly arg: Expr; readonly from: Affine; readonly to: Affine; readonly label: string | null }
  /** one unit of a sequence, h_t^α: `h[t, a]` */
  | { readonly kind: 'comp'; readonly name: string; readonly time: Affine; readonly index: Index }
  /** one entry of a parameter, u_{αγ}: `U[a, g]` (vectors: `b[a]`) */
  | { readonly kind: 'entry'; readonly name: string; readonly row: Index; readonly col: Index | null }
  /** the Kronecker δ(a, b) */
  | { readonly kind: 'delta'; readonly a: Index; readonly b: Index }
  /** f′(z) of the activation that defines a sequence, `dact(h[t])`, or one unit of it, `dact(h[t, a])` */
  | { readonly kind: 'dact'; readonly name: string; readonly time: Affine; readonly index: Index | null }
  /** Σ over index paths γ_1…γ_length ∈ [1..range], with γ_0 = start: `pathsum(g, k, a, d, body)` */
  | { readonly kind: 'pathsum'; readonly path: string; readonly length: Affine; readonly start: Index; readonly range: Affine; readonly body: Expr }
  /** ∂h_t^α/∂w_ij, a unit of a sequence with respect to one entry of a parameter: `d(h[t, a], W[i, j])` */
  | { readonly kind: 'ideriv'; readonly of: { readonly name: string; readonly time: Affine; readonly index: Index }; readonly wrt: { readonly name: string; readonly row: Index; readonly col: Index | null } }
  /** the unit column vector e_i of length size, `unit(d, i)` */
  | { readonly kind: 'unit'; readonly size: Affine; readonly index: Index }
  /** elementwise (Hadamard) product over an integer range, ⊙_{i=lo}^{hi} v_i */
  | { readonly kind: 'hprod'; readonly index: string; readonly lo: Affine; readonly hi: Affine; readonly body: Expr };

export type ExprKind = Expr['kind'];

/** Immediate children, for generic walks (read off mapChildren, so the IR's structure is listed once). */
export function children(e: Expr): Expr[] {
  const out: Expr[] = [];
  mapChildren(e, (c) => {
    out.push(c);
    return c;
  });
  return out;
}

/** Rebuilds a node with transformed children (leaves are returned as they are). */
export function mapChildren(x: Expr, f: (child: Expr) => Expr): Expr {
  switch (x.kind) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'emul':
    case 'div':
      return { ...x, left: f(x.left), right: f(x.right) };
    case 'pow':
      return { ...x, base: f(x.base), exponent: f(x.exponent) };
    case 'epow':
      return { ...x, base: f(x.base) };
    case 'neg':
    case 'transpose':
    case 'call':
    case 'diag':
    case 'norm':
    case 'sumall':
    case 'cols':
    case 'ucall':
      return { ...x, arg: f(x.arg) } as Expr;
    case 'concat':
      return { ...x, items: x.items.map(f) };
    case 'prod':
    case 'sum':
    case 'hprod':
    case 'supabs':
    case 'pathsum':
      return { ...x, body: f(x.body) } as Expr;
    // Leaves, listed so that a new node kind fails to compile until it is placed here or above.
    case 'num':
    case 'sym':
    case 'seq':
    case 'ivar':
    case 'rvar':
    case 'deriv':
    case 'eye':
    case 'comp':
    case 'entry':
    case 'delta':
    case 'dact':
    case 'ideriv':
    case 'unit':
      return x;
  }
}

/** Pre-order walk. */
export function walk(e: Expr, visit: (node: Expr) => void): void {
  visit(e);
  for (const child of children(e)) walk(child, visit);
}
