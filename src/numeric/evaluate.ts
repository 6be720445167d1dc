/**
 * Evaluates claim expressions on one instance. Derivatives come from the
 * unrolled graph's exact sweeps; products and Jacobians stay lazy operators;
 * every value is memoised by content key, so a quantifier sweep over lags
 * reuses sweeps and partial products instead of recomputing them.
 */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import { contentKey } from '../ir/content-key.js';
import type { Expr, Index, NodeRef } from '../ir/expr.js';
import { evalIndex, pathKey } from '../ir/index-ref.js';
import { compileScalar } from '../ir/scalar-function.js';
import { chainShape, forEachPath } from '../ir/path-chain.js';
import { ELEMENTWISE } from '../ir/functions.js';
import { inferShape, shapeFromDims } from '../ir/shapes.js';
import { formatNodeRef } from '../ir/print.js';
import { frobenius, matMul, norm2, normInf, normInfVec, spectralNorm } from './linalg.js';
import { supAbs } from './sup.js';
import { type GraphNode, heldEverywhere, nodeKey, type Unrolled } from './unrolled.js';
import {
  asDense,
  asOp,
  BaseOp,
  basis,
  ComposeOp,
  columnsToDense,
  dense,
  type Dense,
  DiagOp,
  type Factor,
  type ProductMemo,
  IdentityOp,
  isScalarValue,
  type LinOp,
  ProdOp,
  rowsToDense,
  scalar,
  ScaledOp,
  SumOp,
  TransposeOp,
  type Value,
} from './values.js';

/** The cotangent of a scalar output; one shared object so gradient sweeps are memoised. */
const ONE = scalar(1);

/** A claim refers to a node that does not exist for this binding (e.g. h[-1]). */
export class DomainError extends Error {}

/** A derivative evaluated during a binding, resolved to graph nodes, for cross-checks. */
export interface ResolvedDeriv {
  readonly mode: 'grad' | 'jac' | 'partial';
  readonly of: GraphNode;
  readonly wrt: GraphNode;
  readonly fixed: ReadonlySet<string>;
  readonly text: string;
}

export class Evaluator {
  private readonly cache = new Map<string, Value>();
  private readonly sweeps = new Map<string, (n: GraphNode) => Float64Array | null>();
  private readonly productMemo: ProductMemo = { chains: new Map(), longest: new Map() };
  /** materialise Jacobians by rows (reverse sweeps) rather than columns (forward sweeps) */
  preferRows = false;
  /** derivatives touched since the last reset, for reference cross-checks */
  readonly touched = new Map<string, ResolvedDeriv>();

  constructor(
    readonly graph: Unrolled,
    readonly sizes: IntEnv,
  ) {}

  evaluate(e: Expr, env: IntEnv): Value {
    const full = { ...this.sizes, ...env };
    return this.eval(e, full);
  }

  private eval(e: Expr, env: IntEnv): Value {
    const key = contentKey(e, env);
    let v = this.cache.get(key);
    if (!v) {
      v = this.compute(e, env);
      this.cache.set(key, v);
    }
    if (e.kind === 'deriv') this.touch(e, env);
    return v;
  }

  private node(ref: NodeRef, env: IntEnv): GraphNode {
    const n: GraphNode = { name: ref.name, time: ref.time ? evalAffine(ref.time, env) : null };
    const problem = this.graph.nodeProblem(n);
    if (problem) throw new DomainError(`${formatNodeRef(ref)} with ${describeEnv(ref, env)}: ${problem}`);
    return n;
  }

  /** The held nodes of a partial derivative: single nodes, or whole sequences (`h` alone). */
  private heldSet(e: Extract<Expr, { kind: 'deriv' }>, env: IntEnv): Set<string> {
    return new Set(e.fixed.map((f) => (f.time === null ? heldEverywhere(f.name) : nodeKey(this.node(f, env)))));
  }

  private touch(e: Extract<Expr, { kind: 'deriv' }>, env: IntEnv): void {
    const of = this.node(e.of, env);
    const wrt = this.node(e.wrt, env);
    const fixed = this.heldSet(e, env);
    const key = `${e.mode}|${nodeKey(of)}|${nodeKey(wrt)}|${[...fixed].sort().join()}`;
    if (!this.touched.has(key)) this.touched.set(key, { mode: e.mode, of, wrt, fixed, text: key });
  }

  /** Memoised derivative sweep; shared by every quantity that needs the same seed. */
  sweep(kind: 'tan' | 'adj', from: GraphNode, dir: Dense, fixed: ReadonlySet<string>, withParams = false) {
    const key = `${kind}|${nodeKey(from)}|${[...fixed].sort().join()}|${dir.id}|${withParams}`;
    let s = this.sweeps.get(key);
    if (!s) {
      s = kind === 'tan' ? this.graph.tangents(from, dir.data, fixed) : this.graph.adjoints(from, dir.data, fixed, withParams);
      this.sweeps.set(key, s);
    }
    return s;
  }

  /**
   * Jᵀw for ∂of/∂wrt. For a scalar `of` this reuses the gradient sweep the
   * claim itself used, so the reference cross-check tests that very sweep.
   */
  cotangent(of: GraphNode, wrt: GraphNode, fixed: ReadonlySet<string>, w: Float64Array): Float64Array {
    const withParams = wrt.time === null;
    if (w.length === 1) {
      const g = this.sweep('adj', of, ONE, fixed, withParams)(wrt);
      return g ? g.map((x) => x * w[0]!) : new Float64Array(this.size(wrt));
    }
    return this.graph.adjoints(of, w, fixed, withParams)(wrt) ?? new Float64Array(this.size(wrt));
  }

  private ruleOf(e: Extract<Expr, { kind: 'call' | 'ucall' }>) {
    return e.kind === 'call' ? ELEMENTWISE[e.fn] : this.graph.model.functions.get(e.name)!.rule;
  }

  private readonly chains = new Map<string, Float64Array>();

  /** A chain-shaped path sum as a transfer-matrix product (see ir/path-chain.ts); null for other shapes. */
  private chainSum(e: Extract<Expr, { kind: 'pathsum' }>, env: IntEnv): number | null {
    const shape = chainShape(e);
    if (!shape) return null;
    const value = (x: Expr, en: IntEnv) => asDense(this.eval(x, en)).data[0]!;
    const [length, d, start] = [evalAffine(e.length, env), evalAffine(e.range, env), evalIndex(e.start, env)];
    const l = shape.prod.index;
    if (length === 0) return value(shape.tail, { ...env, [pathKey(e.path, 0)]: start });
    const key = `${contentKey(e.body, env)}|${length}|${d}`;
    let w = this.chains.get(key);
    if (!w) {
      w = new Float64Array(d);
      for (let b = 1; b <= d; b++) w[b - 1] = value(shape.tail, { ...env, [pathKey(e.path, length)]: b });
      for (let step = length - 1; step >= 1; step--) {
        const next = new Float64Array(d);
        for (let a = 1; a <= d; a++)
          for (let b = 1; b <= d; b++) next[a - 1]! += value(shape.prod.body, { ...env, [l]: step, [pathKey(e.path, step)]: a, [pathKey(e.path, step + 1)]: b }) * w[b - 1]!;
        w = next;
      }
      this.chains.set(key, w);
    }
    let total = 0;
    for (let b = 1; b <= d; b++) total += value(shape.prod.body, { ...env, [l]: 0, [pathKey(e.path, 0)]: start, [pathKey(e.path, 1)]: b }) * w[b - 1]!;
    return total;
  }

  /** Entry `index` (1-based) of a vector, with a located complaint when it is out of range. */
  private vectorAt(v: Float64Array, index: Index, env: IntEnv, what: string): number {
    const i = evalIndex(index, env);
    if (i < 1 || i > v.length) throw new DomainError(`${what}: unit ${i} is outside 1..${v.length}`);
    return v[i - 1]!;
  }

  /** An expression's dimensions from its static shape (an empty range's terms may not exist). */
  private shapeOf(e: Expr, env: IntEnv): [number, number] {
    const model = this.graph.model;
    const shape = inferShape(e, { shapeOf: (name) => (name === model.loss?.name ? shapeFromDims([]) : model.symbols.get(name)!.shape) }, new WeakMap());
    return [evalAffine(shape.rows, env), evalAffine(shape.cols, env)];
  }

  private rowsOf(e: Expr, env: IntEnv): number {
    return this.shapeOf(e, env)[0];
  }

  private size(n: GraphNode): number {
    const [r, c] = this.graph.dims(n.name);
    return r * c;
  }

  private compute(e: Expr, env: IntEnv): Value {
    switch (e.kind) {
      case 'num':
        return scalar(e.value);
      case 'ivar': {
        const v = env[e.name];
        if (v === undefined) throw new Error(`unbound ${e.name}`);
        return scalar(v);
      }
      case 'rvar':
        throw new Error('a real variable outside supabs');
      case 'sym':
      case 'seq': {
        const n = this.node(e.kind === 'sym' ? { name: e.name, time: null } : { name: e.name, time: e.time }, env);
        const [r, c] = this.graph.dims(n.name);
        return dense(r, c, this.graph.value(n));
      }
      case 'add':
      case 'sub':
        return this.addSub(this.eval(e.left, env), this.eval(e.right, env), e.kind === 'add' ? 1 : -1);
      case 'mul':
        return this.mul(this.eval(e.left, env), this.eval(e.right, env));
      case 'emul':
      case 'div': {
        const [a, b] = [asDense(this.eval(e.left, env)), asDense(this.eval(e.right, env))];
        return zipDense(a, b, e.kind === 'emul' ? (x, y) => x * y : (x, y) => x / y);
      }
      case 'pow': {
        const [a, b] = [asDense(this.eval(e.base, env)), asDense(this.eval(e.exponent, env))];
        return scalar(a.data[0]! ** b.data[0]!);
      }
      case 'epow': {
        const a = asDense(this.eval(e.base, env));
        return dense(a.rows, a.cols, a.data.map((x) => x ** e.exponent));
      }
      case 'neg': {
        const a = this.eval(e.arg, env);
        return a.kind === 'op' ? new ScaledOp(-1, a) : dense(a.rows, a.cols, a.data.map((x) => -x));
      }
      case 'transpose': {
        const a = this.eval(e.arg, env);
        if (a.kind === 'op') return new TransposeOp(a);
        return columnsToDense(a.cols, a.rows, (j) => a.data.slice(j * a.cols, (j + 1) * a.cols));
      }
      case 'call':
      case 'ucall': {
        const a = asDense(this.eval(e.arg, env));
        return dense(a.rows, a.cols, a.data.map(this.ruleOf(e).value));
      }
      case 'diag':
        return new DiagOp(asDense(this.eval(e.arg, env)));
      case 'norm':
        return scalar(normOf(asDense(this.eval(e.arg, env)), e.which));
      case 'sumall':
        return scalar(asDense(this.eval(e.arg, env)).data.reduce((s, x) => s + x, 0));
      case 'concat': {
        const parts = e.items.map((i) => asDense(this.eval(i, env)));
        const data = new Float64Array(parts.reduce((n, p) => n + p.data.length, 0));
        let at = 0;
        for (const p of parts) {
          data.set(p.data, at);
          at += p.data.length;
        }
        return dense(data.length, 1, data);
      }
      case 'prod':
        return this.product(e, env);
      case 'sum': {
        const lo = evalAffine(e.lo, env);
        const hi = evalAffine(e.hi, env);
        if (hi < lo) {
          // The empty sum is the zero of the body's shape (its terms may not exist at lo).
          const [rows, cols] = this.shapeOf(e.body, env);
          return dense(rows, cols, new Float64Array(rows * cols));
        }
        let acc = this.eval(e.body, { ...env, [e.index]: lo });
        for (let i = lo + 1; i <= hi; i++) acc = this.addSub(acc, this.eval(e.body, { ...env, [e.index]: i }), 1);
        return acc;
      }
      case 'deriv':
        return this.derivative(e, env);
      case 'supabs': {
        const rules = new Map([...this.graph.model.functions].map(([name, f]) => [name, f.rule]));
        const f = compileScalar(e.body, e.variable, rules);
        return scalar(supAbs(e, (_body, x) => f(x)));
      }
      case 'eye': {
        const n = evalAffine(e.size, env);
        if (n < 1) throw new DomainError(`eye(${n}) has no rows`);
        return new IdentityOp(n);
      }
      case 'cols': {
        const m = asDense(this.eval(e.arg, env));
        const [from, to] = [evalAffine(e.from, env), evalAffine(e.to, env)];
        if (from < 1 || to > m.cols || to < from) throw new DomainError(`cols(…, ${from}, ${to}) outside the ${m.cols} columns`);
        const width = to - from + 1;
        const data = new Float64Array(m.rows * width);
        for (let i = 0; i < m.rows; i++) data.set(m.data.subarray(i * m.cols + from - 1, i * m.cols + to), i * width);
        return dense(m.rows, width, data);
      }
      case 'comp': {
        const v = this.vectorAt(this.graph.value(this.node({ name: e.name, time: e.time }, env)), e.index, env, e.name);
        return scalar(v);
      }
      case 'entry': {
        const m = this.graph.value(this.node({ name: e.name, time: null }, env));
        const [, cols] = this.graph.dims(e.name);
        const [r, c] = [evalIndex(e.row, env), e.col ? evalIndex(e.col, env) : 1];
        if (r < 1 || c < 1 || c > cols || (r - 1) * cols + c > m.length) throw new DomainError(`${e.name}[${r}, ${c}] is outside the matrix`);
        return scalar(m[(r - 1) * cols + c - 1]!);
      }
      case 'delta':
        return scalar(evalIndex(e.a, env) === evalIndex(e.b, env) ? 1 : 0);
      case 'dact': {
        const t = evalAffine(e.time, env);
        const v = this.graph.activationDerivative(e.name, t);
        if (!v) throw new DomainError(`dact(${e.name}[${t}]): ${e.name} is not defined as an activation f(z) at t = ${t}`);
        return e.index ? scalar(this.vectorAt(v, e.index, env, `dact(${e.name})`)) : dense(v.length, 1, v);
      }
      case 'unit': {
        const n = evalAffine(e.size, env);
        const i = evalIndex(e.index, env);
        if (i < 1 || i > n) throw new DomainError(`unit(${n}, ${i}) is outside 1..${n}`);
        return basis(n, i - 1);
      }
      case 'ideriv': {
        const [rows, cols] = this.graph.dims(e.wrt.name);
        const [r, c] = [evalIndex(e.wrt.row, env), e.wrt.col ? evalIndex(e.wrt.col, env) : 1];
        if (r < 1 || r > rows || c < 1 || c > cols) throw new DomainError(`${e.wrt.name}[${r}, ${c}] is outside the ${rows}×${cols} parameter`);
        const of = this.node({ name: e.of.name, time: e.of.time }, env);
        const tangent = this.sweep('tan', { name: e.wrt.name, time: null }, basis(rows * cols, (r - 1) * cols + c - 1), new Set())(of);
        return scalar(tangent ? this.vectorAt(tangent, e.of.index, env, e.of.name) : 0);
      }
      case 'pathsum': {
        const chain = this.chainSum(e, env);
        if (chain !== null) return scalar(chain);
        const k = evalAffine(e.length, env);
        const d = evalAffine(e.range, env);
        if (d ** k > 4_000_000) throw new DomainError(`pathsum over ${d}^${k} paths is too many to enumerate`);
        let total = 0;
        forEachPath(e.path, k, d, evalIndex(e.start, env), { ...env }, (assignment) => {
          total += asDense(this.eval(e.body, { ...assignment })).data[0]!;
        });
        return scalar(total);
      }
      case 'hprod': {
        const lo = evalAffine(e.lo, env);
        const hi = evalAffine(e.hi, env);
        const n = this.rowsOf(e.body, env);
        const out = new Float64Array(n).fill(1);
        for (let i = lo; i <= hi; i++) {
          const v = asDense(this.eval(e.body, { ...env, [e.index]: i })).data;
          for (let j = 0; j < n; j++) out[j]! *= v[j]!;
        }
        return dense(n, 1, out);
      }
    }
  }

  private addSub(a: Value, b: Value, sign: number): Value {
    if (a.kind === 'dense' && b.kind === 'dense') return zipDense(a, b, (x, y) => x + sign * y);
    if (isScalarValue(a) || isScalarValue(b)) return zipDense(asDense(a), asDense(b), (x, y) => x + sign * y);
    return new SumOp([asOp(a), asOp(b)], [1, sign]);
  }

  private mul(a: Value, b: Value): Value {
    if (a.kind === 'dense' && isScalarValue(a)) return b.kind === 'op' ? new ScaledOp(a.data[0]!, b) : zipDense(a, b, (x, y) => x * y);
    if (b.kind === 'dense' && isScalarValue(b)) return a.kind === 'op' ? new ScaledOp(b.data[0]!, a) : zipDense(a, b, (x, y) => x * y);
    if (a.kind === 'dense' && b.kind === 'dense') {
      const m = matMul(a, b);
      return dense(m.rows, m.cols, m.data);
    }
    if (a.kind === 'op' && b.kind === 'dense') {
      if (b.cols === 1) return a.apply(b);
      return columnsToDense(a.rows, b.cols, (j) => a.apply(dense(b.rows, 1, column(b, j))).data);
    }
    if (a.kind === 'dense' && b.kind === 'op' && a.rows === 1) return transposeVector(b.applyT(dense(a.cols, 1, a.data)));
    return new ComposeOp(asOp(a), asOp(b));
  }

  private product(e: Extract<Expr, { kind: 'prod' | 'sum' }>, env: IntEnv): LinOp {
    const lo = evalAffine(e.lo, env);
    const hi = evalAffine(e.hi, env);
    const factorAt = (i: number): Factor => {
      const inner = { ...env, [e.index]: i };
      return { key: contentKey(e.body, inner), value: () => asOp(this.eval(e.body, inner)) };
    };
    if (hi < lo) return new IdentityOp(this.rowsOf(e.body, env));
    return new ProdOp(factorAt(lo).value().rows, lo, hi, factorAt, this.productMemo);
  }

  private derivative(e: Extract<Expr, { kind: 'deriv' }>, env: IntEnv): Value {
    const of = this.node(e.of, env);
    const wrt = this.node(e.wrt, env);
    const fixed = this.heldSet(e, env);
    const nOf = this.size(of);
    const nWrt = this.size(wrt);
    if (e.mode === 'grad') {
      const adj = this.sweep('adj', of, ONE, fixed, wrt.time === null)(wrt);
      const [r, c] = this.graph.dims(wrt.name);
      return dense(r, c, adj ?? new Float64Array(nWrt));
    }
    return new JacobianOp(this, of, wrt, fixed, nOf, nWrt);
  }
}

/** ∂of/∂wrt as an operator: columns from tangent sweeps, rows from adjoint sweeps. */
class JacobianOp extends BaseOp {
  constructor(
    private readonly ev: Evaluator,
    private readonly of: GraphNode,
    private readonly wrt: GraphNode,
    private readonly fixed: ReadonlySet<string>,
    rows: number,
    cols: number,
  ) {
    super(rows, cols);
  }
  apply(x: Dense): Dense {
    return dense(this.rows, 1, this.ev.sweep('tan', this.wrt, x, this.fixed)(this.of) ?? new Float64Array(this.rows));
  }
  applyT(y: Dense): Dense {
    return dense(this.cols, 1, this.ev.sweep('adj', this.of, y, this.fixed)(this.wrt) ?? new Float64Array(this.cols));
  }
  override materialize(): Dense {
    if (!this.ev.preferRows) return super.materialize();
    return rowsToDense(this.rows, this.cols, (i) => this.applyT(basis(this.rows, i)).data);
  }
}

function describeEnv(ref: NodeRef, env: IntEnv): string {
  const vars = ref.time ? Object.keys(ref.time.terms) : [];
  return vars.map((v) => `${v}=${env[v]}`).join(', ') || 'no variables';
}

function column(m: Dense, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}

function transposeVector(v: Dense): Dense {
  return dense(v.cols, v.rows, v.data);
}

function zipDense(a: Dense, b: Dense, f: (x: number, y: number) => number): Dense {
  const [big, aScalar, bScalar] = [a.data.length >= b.data.length ? a : b, a.data.length === 1, b.data.length === 1];
  const out = new Float64Array(big.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(aScalar ? a.data[0]! : a.data[i]!, bScalar ? b.data[0]! : b.data[i]!);
  return dense(big.rows, big.cols, out);
}

export function normOf(m: Dense, which: '2' | 'F' | 'inf' | 'max'): number {
  if (which === 'max') return m.data.reduce((best, x) => Math.max(best, Math.abs(x)), 0);
  // ‖·‖₂ of a row or a column is Euclidean; the induced ∞-norm of a row is its 1-norm (the max row sum).
  if (which === 'F' || (which === '2' && (m.cols === 1 || m.rows === 1))) return which === 'F' ? frobenius(m) : norm2(m.data);
  if (which === 'inf') return m.cols === 1 ? normInfVec(m.data) : normInf(m);
  return spectralNorm(m);
}

