/**
 * Exact expansion at concrete sizes: every entry of a value as a commutative
 * polynomial in opaque atoms — weights (U[2,3]), inputs (x[4,1]), states
 * (h[3,2]), activation derivatives (dact(h[3,2])). Unit-level quantities
 * ∂h_t^α/∂w_ij come from symbolic forward mode over the model's own
 * equations (polynomial dual numbers), so a closed form is compared with what
 * the model implies, not with a formula typed in by hand.
 */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import type { Expr } from '../ir/expr.js';
import { chainShape, forEachPath } from '../ir/path-chain.js';
import { contentKey } from '../ir/content-key.js';
import { evalIndex, pathKey } from '../ir/index-ref.js';
import type { Model } from '../model/model.js';
import { TIME_VAR } from '../model/model.js';
import { cadd, caddInto, cconst, cmul, cpolyKey, cpow, type CPoly, csym } from './canonical.js';
import { SymbolicUnsupported } from './differentiate.js';

export interface PolyValue {
  readonly rows: number;
  readonly cols: number;
  readonly data: CPoly[];
}

const scalarValue = (p: CPoly): PolyValue => ({ rows: 1, cols: 1, data: [p] });
const isScalar = (v: PolyValue) => v.rows === 1 && v.cols === 1;

function zip(a: PolyValue, b: PolyValue, f: (x: CPoly, y: CPoly) => CPoly): PolyValue {
  const big = a.data.length >= b.data.length ? a : b;
  return { rows: big.rows, cols: big.cols, data: big.data.map((_, i) => f(isScalar(a) ? a.data[0]! : a.data[i]!, isScalar(b) ? b.data[0]! : b.data[i]!)) };
}

function matmul(a: PolyValue, b: PolyValue): PolyValue {
  if (a.cols !== b.rows) throw new SymbolicUnsupported(`shape mismatch ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  const data: CPoly[] = [];
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      const acc: CPoly = new Map();
      for (let k = 0; k < a.cols; k++) {
        const x = a.data[i * a.cols + k]!;
        const y = b.data[k * b.cols + j]!;
        if (x.size && y.size) caddInto(acc, cmul(x, y));
      }
      data.push(acc);
    }
  return { rows: a.rows, cols: b.cols, data };
}

interface Dual {
  readonly value: PolyValue;
  readonly tangent: PolyValue | null;
}

export class PolyEvaluator {
  private readonly tangents = new Map<string, Map<string, PolyValue>>();

  constructor(
    private readonly model: Model,
    private readonly sizes: IntEnv,
  ) {}

  private dims(name: string): [number, number] {
    const s = this.model.symbols.get(name)!.shape;
    return [evalAffine(s.rows, this.sizes), evalAffine(s.cols, this.sizes)];
  }

  private readonly params = new Map<string, PolyValue>();

  private paramValue(name: string): PolyValue {
    const known = this.params.get(name);
    if (known) return known;
    const [rows, cols] = this.dims(name);
    const data: CPoly[] = [];
    for (let r = 1; r <= rows; r++) for (let c = 1; c <= cols; c++) data.push(csym(cols === 1 ? `${name}[${r}]` : `${name}[${r},${c}]`));
    const value = { rows, cols, data };
    this.params.set(name, value);
    return value;
  }

  private seqValue(name: string, t: number): PolyValue {
    const [rows] = this.dims(name);
    const init = this.model.symbols.get(name)!;
    if (t === 0 && init.role === 'state' && init.init === 'zero') return { rows, cols: 1, data: Array.from({ length: rows }, () => new Map()) };
    return { rows, cols: 1, data: Array.from({ length: rows }, (_, a) => csym(`${name}[${t},${a + 1}]`)) };
  }

  /** Tangents of every sequence value for the seed `param[r, c]`, by forward mode over the equations. */
  private tangentsFor(param: string, r: number, c: number): Map<string, PolyValue> {
    const key = `${param}[${r},${c}]`;
    const cached = this.tangents.get(key);
    if (cached) return cached;
    const [rows, cols] = this.dims(param);
    const seed: PolyValue = { rows, cols, data: Array.from({ length: rows * cols }, (_, k) => (k === (r - 1) * cols + (c - 1) ? cconst(1) : new Map())) };
    const store = new Map<string, PolyValue>();
    const T = this.sizes.T!;
    for (let t = 1; t <= T; t++) {
      for (const eq of this.model.equations) {
        const dual = this.dual(eq.rhs, t, eq.target, true, (name, time) => store.get(`${name}@${time}`) ?? null, param, seed);
        if (dual.tangent) store.set(`${eq.target}@${t}`, dual.tangent);
      }
    }
    this.tangents.set(key, store);
    return store;
  }

  /** Value and tangent of an equation's right side at time t; the root activation is named after its target. */
  private dual(
    e: Expr,
    t: number,
    target: string,
    root: boolean,
    tangentOf: (name: string, time: number) => PolyValue | null,
    param: string,
    seed: PolyValue,
  ): Dual {
    const go = (x: Expr, isRoot = false): Dual => this.dual(x, t, target, isRoot, tangentOf, param, seed);
    const plus = (a: PolyValue | null, b: PolyValue | null) => (a && b ? zip(a, b, cadd) : (a ?? b));
    switch (e.kind) {
      case 'num':
        return { value: scalarValue(cconst(e.value)), tangent: null };
      case 'ivar':
        return { value: scalarValue(cconst(e.name === TIME_VAR ? t : this.sizes[e.name]!)), tangent: null };
      case 'sym':
        return { value: this.paramValue(e.name), tangent: e.name === param ? seed : null };
      case 'seq': {
        const time = evalAffine(e.time, { [TIME_VAR]: t });
        return { value: this.seqValue(e.name, time), tangent: tangentOf(e.name, time) };
      }
      case 'add':
      case 'sub': {
        const [a, b] = [go(e.left), go(e.right)];
        const sign = e.kind === 'add' ? 1 : -1;
        const f = (x: CPoly, y: CPoly) => cadd(x, y, sign);
        return { value: zip(a.value, b.value, f), tangent: a.tangent || b.tangent ? zip(a.tangent ?? zeros(a.value), b.tangent ?? zeros(b.value), f) : null };
      }
      case 'neg': {
        const a = go(e.arg);
        const n = (x: CPoly) => cadd(new Map(), x, -1);
        return { value: { ...a.value, data: a.value.data.map(n) }, tangent: a.tangent ? { ...a.tangent, data: a.tangent.data.map(n) } : null };
      }
      case 'mul':
      case 'emul': {
        const [a, b] = [go(e.left), go(e.right)];
        const product = (x: PolyValue, y: PolyValue) => (e.kind === 'emul' || isScalar(x) || isScalar(y) ? zip(x, y, cmul) : matmul(x, y));
        return { value: product(a.value, b.value), tangent: plus(a.tangent ? product(a.tangent, b.value) : null, b.tangent ? product(a.value, b.tangent) : null) };
      }
      case 'concat': {
        const parts = e.items.map((i) => go(i));
        const stack = (vs: PolyValue[]) => ({ rows: vs.reduce((n, v) => n + v.rows, 0), cols: 1, data: vs.flatMap((v) => v.data) });
        const anyTangent = parts.some((p) => p.tangent);
        return { value: stack(parts.map((p) => p.value)), tangent: anyTangent ? stack(parts.map((p) => p.tangent ?? zeros(p.value))) : null };
      }
      case 'call':
      case 'ucall': {
        const z = go(e.arg);
        const fname = e.kind === 'call' ? e.fn : e.name;
        if (fname === 'identity') return z;
        // The activation that defines the target is named by it: h[t,a], dact(h[t,a]).
        const label = (a: number, which: 'value' | 'deriv') =>
          root ? csym(which === 'value' ? `${target}[${t},${a + 1}]` : `dact(${target}[${t},${a + 1}])`) : csym(`${which === 'value' ? '' : 'd'}${fname}(${cpolyKey(z.value.data[a]!)})`);
        const value = { ...z.value, data: z.value.data.map((_, a) => label(a, 'value')) };
        return { value, tangent: z.tangent ? { ...z.tangent, data: z.tangent.data.map((dz, a) => cmul(label(a, 'deriv'), dz)) } : null };
      }
      case 'epow': {
        const a = go(e.base);
        if (!Number.isInteger(e.exponent) || e.exponent < 0) throw new SymbolicUnsupported('a non-integer power in an equation');
        const value = { ...a.value, data: a.value.data.map((x) => cpow(x, e.exponent)) };
        const tangent = a.tangent ? { ...a.tangent, data: a.tangent.data.map((dx, i) => cmul(cmul(cconst(e.exponent), cpow(a.value.data[i]!, e.exponent - 1)), dx)) } : null;
        return { value, tangent };
      }
      default:
        throw new SymbolicUnsupported(`no exact expansion of ${e.kind} in a model equation`);
    }
  }

  private readonly chains = new Map<string, CPoly[]>();
  private readonly memo = new Map<string, PolyValue>();

  /**
   * Σ_{γ_1…γ_k} ∏_{ℓ=0}^{k−1} F(γ_ℓ, γ_{ℓ+1}) · G(γ_k), evaluated as the
   * transfer-matrix product (F_0 ⋯ F_{k−1} G)[γ_0] — exactly the same
   * polynomial as enumerating the d^k paths, by distributivity — for every
   * γ_0 at once. Null when the body does not have that chain shape.
   */
  private chainSum(x: Extract<Expr, { kind: 'pathsum' }>, en: IntEnv, go: (e: Expr, env: IntEnv) => PolyValue): PolyValue | null {
    const shape = chainShape(x);
    if (!shape) return null;
    const { prod } = shape;
    const body = { right: shape.tail };
    const l = prod.index;
    const length = evalAffine(x.length, en);
    const d = evalAffine(x.range, en);
    const start = evalIndex(x.start, en);
    const env: Record<string, number> = { ...en };
    if (length === 0) return scalarValue(go(body.right, { ...env, [pathKey(x.path, 0)]: start }).data[0]!);
    // w[b] = Σ over γ_2…γ_k of the product from position 1 on, with γ_1 = b: keyed without γ_0, so it serves every start.
    const key = `${contentKey(x.body, en)}|${length}|${d}`;
    let w = this.chains.get(key);
    if (!w) {
      let acc: CPoly[] = [];
      for (let b = 1; b <= d; b++) acc.push(go(body.right, { ...env, [pathKey(x.path, length)]: b }).data[0]!);
      for (let step = length - 1; step >= 1; step--) {
        const next: CPoly[] = [];
        for (let a = 1; a <= d; a++) {
          const sum: CPoly = new Map();
          for (let b = 1; b <= d; b++) {
            if (acc[b - 1]!.size === 0) continue;
            const f = go(prod.body, { ...env, [l]: step, [pathKey(x.path, step)]: a, [pathKey(x.path, step + 1)]: b }).data[0]!;
            if (f.size) caddInto(sum, cmul(f, acc[b - 1]!));
          }
          next.push(sum);
        }
        acc = next;
      }
      w = acc;
      this.chains.set(key, w);
    }
    const result: CPoly = new Map();
    for (let b = 1; b <= d; b++) {
      if (w[b - 1]!.size === 0) continue;
      const f = go(prod.body, { ...env, [l]: 0, [pathKey(x.path, 0)]: start, [pathKey(x.path, 1)]: b }).data[0]!;
      if (f.size) caddInto(result, cmul(f, w[b - 1]!));
    }
    return scalarValue(result);
  }

  /** The exact value of an expression at concrete indices (env binds sizes, quantifiers and path positions). */
  evaluate(e: Expr, env: IntEnv): PolyValue {
    const full = { ...this.sizes, ...env };
    // Products and sums recur across bindings (∏ over ℓ does not depend on α): memoise them by content key.
    const go = (x: Expr, en: IntEnv): PolyValue => {
      if (x.kind !== 'prod' && x.kind !== 'sum' && x.kind !== 'mul') return compute(x, en);
      const key = contentKey(x, en);
      let v = this.memo.get(key);
      if (!v) {
        v = compute(x, en);
        this.memo.set(key, v);
      }
      return v;
    };
    const compute = (x: Expr, en: IntEnv): PolyValue => {
      switch (x.kind) {
        case 'num':
          return scalarValue(cconst(x.value));
        case 'ivar':
          return scalarValue(cconst(en[x.name]!));
        case 'sym':
          return this.paramValue(x.name);
        case 'seq':
          return this.seqValue(x.name, evalAffine(x.time, en));
        case 'comp': {
          const v = this.seqValue(x.name, evalAffine(x.time, en));
          return scalarValue(at(v, evalIndex(x.index, en), x.name));
        }
        case 'entry': {
          const [rows, cols] = this.dims(x.name);
          void rows;
          const [r, c] = [evalIndex(x.row, en), x.col ? evalIndex(x.col, en) : 1];
          if (r < 1 || r > rows || c < 1 || c > cols) throw new SymbolicUnsupported(`${x.name}[${r},${c}] is outside the parameter`);
          return scalarValue(this.paramValue(x.name).data[(r - 1) * cols + c - 1]!);
        }
        case 'delta':
          return scalarValue(cconst(evalIndex(x.a, en) === evalIndex(x.b, en) ? 1 : 0));
        case 'dact': {
          const t = evalAffine(x.time, en);
          const [rows] = this.dims(x.name);
          const v: PolyValue = { rows, cols: 1, data: Array.from({ length: rows }, (_, a) => csym(`dact(${x.name}[${t},${a + 1}])`)) };
          return x.index ? scalarValue(at(v, evalIndex(x.index, en), `dact(${x.name})`)) : v;
        }
        case 'unit': {
          const n = evalAffine(x.size, en);
          const i = evalIndex(x.index, en);
          return { rows: n, cols: 1, data: Array.from({ length: n }, (_, a) => cconst(a + 1 === i ? 1 : 0)) };
        }
        case 'ideriv': {
          const [, cols] = this.dims(x.wrt.name);
          const [r, c] = [evalIndex(x.wrt.row, en), x.wrt.col ? evalIndex(x.wrt.col, en) : 1];
          if (c > cols) throw new SymbolicUnsupported(`${x.wrt.name} has ${cols} columns`);
          const t = evalAffine(x.of.time, en);
          const tangent = this.tangentsFor(x.wrt.name, r, c).get(`${x.of.name}@${t}`);
          return scalarValue(tangent ? at(tangent, evalIndex(x.of.index, en), x.of.name) : new Map());
        }
        case 'add':
        case 'sub':
          return zip(go(x.left, en), go(x.right, en), (a, b) => cadd(a, b, x.kind === 'add' ? 1 : -1));
        case 'neg': {
          const a = go(x.arg, en);
          return { ...a, data: a.data.map((p) => cadd(new Map(), p, -1)) };
        }
        case 'mul': {
          const [a, b] = [go(x.left, en), go(x.right, en)];
          return isScalar(a) || isScalar(b) ? zip(a, b, cmul) : matmul(a, b);
        }
        case 'emul':
          return zip(go(x.left, en), go(x.right, en), cmul);
        case 'div': {
          const d = go(x.right, en).data[0]!;
          const c = d.size === 1 && d.has('') ? d.get('')! : null;
          if (!c) throw new SymbolicUnsupported('division by a non-constant');
          return zip(go(x.left, en), scalarValue(cconst(1 / c)), cmul);
        }
        case 'epow': {
          if (!Number.isInteger(x.exponent) || x.exponent < 0) throw new SymbolicUnsupported('a non-integer power');
          const a = go(x.base, en);
          return { ...a, data: a.data.map((p) => cpow(p, x.exponent)) };
        }
        case 'pow': {
          const n = go(x.exponent, en).data[0]!;
          const k = n.size === 0 ? 0 : n.size === 1 && n.has('') ? n.get('')! : NaN;
          if (!Number.isInteger(k) || k < 0) throw new SymbolicUnsupported('a non-integer power');
          return scalarValue(cpow(go(x.base, en).data[0]!, k));
        }
        case 'transpose': {
          const a = go(x.arg, en);
          const data: CPoly[] = new Array(a.data.length);
          for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) data[j * a.rows + i] = a.data[i * a.cols + j]!;
          return { rows: a.cols, cols: a.rows, data };
        }
        case 'diag': {
          const v = go(x.arg, en);
          const n = v.data.length;
          return { rows: n, cols: n, data: Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? v.data[k / (n + 1)]! : new Map())) };
        }
        case 'eye': {
          const n = evalAffine(x.size, en);
          return { rows: n, cols: n, data: Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? cconst(1) : new Map())) };
        }
        case 'call':
        case 'ucall': {
          const a = go(x.arg, en);
          const name = x.kind === 'call' ? x.fn : x.name;
          return { ...a, data: a.data.map((p) => csym(`${name}(${cpolyKey(p)})`)) };
        }
        case 'sum':
        case 'prod':
        case 'hprod': {
          const [lo, hi] = [evalAffine(x.lo, en), evalAffine(x.hi, en)];
          let acc: PolyValue | null = null;
          for (let i = lo; i <= hi; i++) {
            const f = go(x.body, { ...en, [x.index]: i });
            if (!acc) acc = x.kind === 'sum' ? { ...f, data: f.data.map((p) => new Map(p)) } : f;
            else if (x.kind === 'sum') acc.data.forEach((p, k) => caddInto(p, f.data[isScalar(f) ? 0 : k]!));
            else acc = x.kind === 'hprod' || isScalar(acc) || isScalar(f) ? zip(acc, f, cmul) : matmul(acc, f);
          }
          if (acc) return acc;
          if (x.kind === 'sum') return scalarValue(new Map());
          return scalarValue(cconst(1));
        }
        case 'pathsum': {
          const chain = this.chainSum(x, en, go);
          if (chain) return chain;
          const k = evalAffine(x.length, en);
          const d = evalAffine(x.range, en);
          const total: CPoly = new Map();
          // go() only reads its environment (binders copy it), so the shared assignment is passed as it is.
          forEachPath(x.path, k, d, evalIndex(x.start, en), { ...en }, (assignment) => caddInto(total, go(x.body, assignment).data[0]!));
          return scalarValue(total);
        }
        default:
          throw new SymbolicUnsupported(`no exact expansion of ${x.kind}`);
      }
    };
    return go(e, full);
  }
}


function zeros(v: PolyValue): PolyValue {
  return { ...v, data: v.data.map(() => new Map()) };
}

function at(v: PolyValue, i: number, what: string): CPoly {
  if (i < 1 || i > v.data.length) throw new SymbolicUnsupported(`${what}: unit ${i} is outside 1..${v.data.length}`);
  return v.data[i - 1]!;
}
