/**
 * Compiles a model's equations (and its loss) for concrete sizes into flat op
 * lists over Float64Array values. Each op kind keeps its forward value, its
 * tangent (forward mode, i.e. dual numbers carried as value/tangent arrays)
 * and its adjoint (reverse mode) rule together, so the three stay consistent.
 * No user text is evaluated: ops are built from the typed IR.
 */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import type { Expr } from '../ir/expr.js';
import { ELEMENTWISE, type ElementwiseRule } from '../ir/functions.js';
import type { Model } from '../model/model.js';
import { TIME_VAR } from '../model/model.js';
import { matMul, matTVec, matVec, type Mat } from './linalg.js';

export type Op =
  | { readonly kind: 'param'; readonly name: string }
  /** a sequence value: at t+offset inside an equation, at absolute time `offset` in the loss */
  | { readonly kind: 'seq'; readonly name: string; readonly offset: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'matmul' | 'add' | 'sub' | 'emul' | 'div' | 'pow'; readonly a: number; readonly b: number }
  | { readonly kind: 'neg' | 'transpose' | 'sumall'; readonly a: number }
  | { readonly kind: 'epow'; readonly a: number; readonly p: number }
  | { readonly kind: 'fn'; readonly a: number; readonly name: string; readonly rule: ElementwiseRule }
  | { readonly kind: 'concat'; readonly items: readonly number[] };

export interface OpList {
  readonly ops: readonly Op[];
  /** rows/cols of every op's value */
  readonly dims: readonly (readonly [number, number])[];
  /** index of the op that yields the result (always the last) */
  readonly root: number;
}

export interface Program {
  readonly sizes: IntEnv;
  readonly equations: readonly { readonly target: string; readonly list: OpList }[];
  readonly loss: OpList | null;
  readonly dims: ReadonlyMap<string, readonly [number, number]>;
}

export type Vec = Float64Array;

export function compileProgram(model: Model, sizes: IntEnv): Program {
  const dims = new Map<string, readonly [number, number]>();
  for (const s of model.symbols.values()) dims.set(s.name, [evalAffine(s.shape.rows, sizes), evalAffine(s.shape.cols, sizes)]);
  const rules = (name: string): ElementwiseRule => model.functions.get(name)!.rule;
  const equations = model.equations.map((eq) => ({ target: eq.target, list: compileExpr(eq.rhs, dims, sizes, 'relative', rules) }));
  const loss = model.loss ? compileExpr(model.loss.rhs, dims, sizes, 'absolute', rules) : null;
  return { sizes, equations, loss, dims };
}

/** Flattens an expression into ops (children first). Ranges in the loss are unrolled for the concrete T. */
function compileExpr(expr: Expr, dims: Map<string, readonly [number, number]>, sizes: IntEnv, time: 'relative' | 'absolute', userRule: (name: string) => ElementwiseRule): OpList {
  const ops: Op[] = [];
  const shapes: [number, number][] = [];
  const push = (op: Op, shape: [number, number]): number => {
    ops.push(op);
    shapes.push(shape);
    return ops.length - 1;
  };
  const dimOf = (i: number): [number, number] => shapes[i]!;
  const scalarShape = (a: number, b: number): [number, number] => (dimOf(a)[0] * dimOf(a)[1] === 1 ? dimOf(b) : dimOf(a));

  const go = (e: Expr, env: IntEnv): number => {
    switch (e.kind) {
      case 'num':
        return push({ kind: 'const', value: e.value }, [1, 1]);
      case 'ivar':
        return push({ kind: 'const', value: env[e.name] ?? sizes[e.name]! }, [1, 1]);
      case 'sym':
        return push({ kind: 'param', name: e.name }, [...dims.get(e.name)!] as [number, number]);
      case 'seq': {
        const offset = time === 'relative' ? e.time.c : evalAffine(e.time, { ...sizes, ...env });
        if (time === 'relative' && Object.keys(e.time.terms).some((v) => v !== TIME_VAR)) throw new Error('equation index must be t+c');
        return push({ kind: 'seq', name: e.name, offset }, [...dims.get(e.name)!] as [number, number]);
      }
      case 'add':
      case 'sub':
      case 'emul': {
        const a = go(e.left, env);
        const b = go(e.right, env);
        return push({ kind: e.kind, a, b }, scalarShape(a, b));
      }
      case 'mul': {
        if (e.left.kind === 'diag') {
          // diag(v)*x is v .* x: never materialise the diagonal matrix.
          const a = go(e.left.arg, env);
          const b = go(e.right, env);
          return push({ kind: 'emul', a, b }, dimOf(b));
        }
        const a = go(e.left, env);
        const b = go(e.right, env);
        const [ra, ca] = dimOf(a);
        const [rb, cb] = dimOf(b);
        if (ra * ca === 1 || rb * cb === 1) return push({ kind: 'emul', a, b }, scalarShape(a, b));
        return push({ kind: 'matmul', a, b }, [ra, cb]);
      }
      case 'div': {
        const a = go(e.left, env);
        return push({ kind: 'div', a, b: go(e.right, env) }, dimOf(a));
      }
      case 'pow': {
        const a = go(e.base, env);
        return push({ kind: 'pow', a, b: go(e.exponent, env) }, [1, 1]);
      }
      case 'neg': {
        const a = go(e.arg, env);
        return push({ kind: 'neg', a }, dimOf(a));
      }
      case 'transpose': {
        const a = go(e.arg, env);
        return push({ kind: 'transpose', a }, [dimOf(a)[1], dimOf(a)[0]]);
      }
      case 'sumall':
        return push({ kind: 'sumall', a: go(e.arg, env) }, [1, 1]);
      case 'epow': {
        const a = go(e.base, env);
        return push({ kind: 'epow', a, p: e.exponent }, dimOf(a));
      }
      case 'call':
      case 'ucall': {
        const a = go(e.arg, env);
        const [name, rule] = e.kind === 'call' ? [e.fn, ELEMENTWISE[e.fn]] : [e.name, userRule(e.name)];
        return push({ kind: 'fn', a, name, rule }, dimOf(a));
      }
      case 'concat': {
        const items = e.items.map((i) => go(i, env));
        return push({ kind: 'concat', items }, [items.reduce((n, i) => n + dimOf(i)[0], 0), 1]);
      }
      case 'sum':
      case 'prod': {
        const full = { ...sizes, ...env };
        const lo = evalAffine(e.lo, full);
        const hi = evalAffine(e.hi, full);
        if (hi < lo) return push({ kind: 'const', value: e.kind === 'sum' ? 0 : 1 }, [1, 1]);
        let acc = go(e.body, { ...env, [e.index]: lo });
        for (let i = lo + 1; i <= hi; i++) {
          const next = go(e.body, { ...env, [e.index]: i });
          acc = e.kind === 'sum' ? push({ kind: 'add', a: acc, b: next }, scalarShape(acc, next)) : push({ kind: 'matmul', a: acc, b: next }, [dimOf(acc)[0], dimOf(next)[1]]);
        }
        return acc;
      }
      case 'diag':
      case 'norm':
      case 'deriv':
      case 'supabs':
      case 'rvar':
      case 'eye':
      case 'cols':
      case 'hprod':
      case 'comp':
      case 'entry':
      case 'delta':
      case 'dact':
      case 'pathsum':
      case 'ideriv':
      case 'unit':
        throw new Error(`${e.kind} cannot be compiled into a model equation or loss`);
    }
  };
  const root = go(expr, {});
  return { ops, dims: shapes, root };
}

// ── op semantics ───────────────────────────────────────────────────────────
// Plain loops with a stride of 0 for broadcast scalars: these kernels run once
// per op per time step in every sweep, so no per-element closures.
const asMat = (rows: number, cols: number, data: Vec): Mat => ({ rows, cols, data });

type Binary = 'add' | 'sub' | 'mul' | 'div';

function binary(kind: Binary, a: Vec, b: Vec): Vec {
  const n = Math.max(a.length, b.length);
  const [sa, sb] = [a.length === 1 ? 0 : 1, b.length === 1 ? 0 : 1];
  const out = new Float64Array(n);
  switch (kind) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! + b[i * sb]!;
      break;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! - b[i * sb]!;
      break;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! * b[i * sb]!;
      break;
    case 'div':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! / b[i * sb]!;
      break;
  }
  return out;
}

function scale(a: Vec, factor: number): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * factor;
  return out;
}

/** out[i] = g[i] · f′(x[i]) with f′ from the rule, given y = f(x). */
function chain(rule: ElementwiseRule, x: Vec, y: Vec, g: Vec): Vec {
  const deriv = rule.derivative;
  const out = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i]! * deriv(x[i]!, y[i]!);
  return out;
}

function powChain(p: number, x: Vec, g: Vec): Vec {
  const out = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i]! * p * x[i]! ** (p - 1);
  return out;
}

function transposeData(rows: number, cols: number, a: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

function multiply(ra: number, ca: number, a: Vec, cb: number, b: Vec): Vec {
  return cb === 1 ? matVec(asMat(ra, ca, a), b) : matMul(asMat(ra, ca, a), asMat(ca, cb, b)).data;
}

function sum(a: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** Sums an adjoint that was broadcast from a scalar back to that scalar. */
function reduceTo(adj: Vec, len: number): Vec {
  return len === 1 && adj.length !== 1 ? Float64Array.of(sum(adj)) : adj;
}

const zeros = (n: number): Vec => new Float64Array(n);

export function forwardOp(op: Op, dims: readonly [number, number], v: (i: number) => Vec, inputDims: (i: number) => readonly [number, number]): Vec {
  switch (op.kind) {
    case 'param':
    case 'seq':
      throw new Error('leaves are resolved by the caller');
    case 'const':
      return Float64Array.of(op.value);
    case 'matmul': {
      const [ra, ca] = inputDims(op.a);
      return multiply(ra, ca, v(op.a), dims[1], v(op.b));
    }
    case 'add':
    case 'sub':
    case 'div':
      return binary(op.kind, v(op.a), v(op.b));
    case 'emul':
      return binary('mul', v(op.a), v(op.b));
    case 'pow':
      return Float64Array.of(v(op.a)[0]! ** v(op.b)[0]!);
    case 'neg':
      return scale(v(op.a), -1);
    case 'transpose':
      return transposeData(inputDims(op.a)[0], inputDims(op.a)[1], v(op.a));
    case 'sumall':
      return Float64Array.of(sum(v(op.a)));
    case 'epow': {
      const a = v(op.a);
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = a[i]! ** op.p;
      return out;
    }
    case 'fn': {
      const f = op.rule.value;
      const a = v(op.a);
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
      return out;
    }
    case 'concat': {
      const out = new Float64Array(dims[0]);
      let at = 0;
      for (const i of op.items) {
        out.set(v(i), at);
        at += v(i).length;
      }
      return out;
    }
  }
}

/** Tangent of an op's value given its inputs' tangents (null = zero); returns null when zero. */
export function tangentOp(
  op: Op,
  dims: readonly [number, number],
  v: (i: number) => Vec,
  dv: (i: number) => Vec | null,
  out: Vec,
  inputDims: (i: number) => readonly [number, number],
): Vec | null {
  switch (op.kind) {
    case 'param':
    case 'seq':
      throw new Error('leaves are resolved by the caller');
    case 'const':
      return null;
    case 'matmul': {
      const [ra, ca] = inputDims(op.a);
      const [da, db] = [dv(op.a), dv(op.b)];
      const left = da ? multiply(ra, ca, da, dims[1], v(op.b)) : null;
      const right = db ? multiply(ra, ca, v(op.a), dims[1], db) : null;
      return left && right ? binary('add', left, right) : (left ?? right);
    }
    case 'add':
    case 'sub': {
      const [da, db] = [dv(op.a), dv(op.b)];
      if (!da && !db) return null;
      return binary(op.kind, da ?? zeros(out.length), db ?? zeros(out.length));
    }
    case 'emul': {
      const [da, db] = [dv(op.a), dv(op.b)];
      const left = da ? binary('mul', da, v(op.b)) : null;
      const right = db ? binary('mul', v(op.a), db) : null;
      return left && right ? binary('add', left, right) : (left ?? right);
    }
    case 'div': {
      // d(a/b) = (da − out·db) / b
      const [da, db] = [dv(op.a), dv(op.b)];
      if (!da && !db) return null;
      const num = db ? binary('sub', da ?? zeros(out.length), binary('mul', out, db)) : da!;
      return binary('div', num, v(op.b));
    }
    case 'pow': {
      const [da, db] = [dv(op.a), dv(op.b)];
      if (!da && !db) return null;
      const [a, b] = [v(op.a)[0]!, v(op.b)[0]!];
      const viaBase = da ? b * a ** (b - 1) * da[0]! : 0;
      const viaExp = db ? out[0]! * Math.log(a) * db[0]! : 0;
      return Float64Array.of(viaBase + viaExp);
    }
    case 'neg': {
      const da = dv(op.a);
      return da ? scale(da, -1) : null;
    }
    case 'transpose': {
      const da = dv(op.a);
      return da ? transposeData(inputDims(op.a)[0], inputDims(op.a)[1], da) : null;
    }
    case 'sumall': {
      const da = dv(op.a);
      return da ? Float64Array.of(sum(da)) : null;
    }
    case 'epow': {
      const da = dv(op.a);
      return da ? powChain(op.p, v(op.a), da) : null;
    }
    case 'fn': {
      const da = dv(op.a);
      return da ? chain(op.rule, v(op.a), out, da) : null;
    }
    case 'concat': {
      const parts = op.items.map((i) => dv(i));
      if (parts.every((p) => !p)) return null;
      const res = new Float64Array(dims[0]);
      let at = 0;
      op.items.forEach((item, k) => {
        const p = parts[k];
        if (p) res.set(p, at);
        at += v(item).length;
      });
      return res;
    }
  }
}

/** Adjoint contributions to an op's inputs given the adjoint of its value. */
export function adjointOp(
  op: Op,
  dims: readonly [number, number],
  v: (i: number) => Vec,
  out: Vec,
  adj: Vec,
  inputDims: (i: number) => readonly [number, number],
  /** inputs whose adjoint nobody reads (parameters in a state sweep, constants) */
  skip: (i: number) => boolean = () => false,
): [number, Vec][] {
  const len = (i: number) => v(i).length;
  const res: [number, Vec][] = [];
  const give = (i: number, g: () => Vec) => {
    if (!skip(i)) res.push([i, reduceTo(g(), len(i))]);
  };
  switch (op.kind) {
    case 'param':
    case 'seq':
    case 'const':
      break;
    case 'matmul': {
      const [ra, ca] = inputDims(op.a);
      const cb = dims[1];
      const a = asMat(ra, ca, v(op.a));
      const b = v(op.b);
      // dA = adj · Bᵀ (an outer product per step: skipped unless a parameter gradient is wanted)
      give(op.a, () => {
        const dA = new Float64Array(ra * ca);
        for (let i = 0; i < ra; i++)
          for (let k = 0; k < cb; k++) {
            const g = adj[i * cb + k]!;
            if (g === 0) continue;
            for (let j = 0; j < ca; j++) dA[i * ca + j]! += g * b[j * cb + k]!;
          }
        return dA;
      });
      // dB = Aᵀ · adj
      give(op.b, () => (cb === 1 ? matTVec(a, adj) : matMul(asMat(ca, ra, transposeData(ra, ca, a.data)), asMat(ra, cb, adj)).data));
      break;
    }
    case 'add':
    case 'sub':
      give(op.a, () => adj);
      give(op.b, () => (op.kind === 'add' ? adj : scale(adj, -1)));
      break;
    case 'emul':
      give(op.a, () => binary('mul', adj, v(op.b)));
      give(op.b, () => binary('mul', adj, v(op.a)));
      break;
    case 'div':
      give(op.a, () => binary('div', adj, v(op.b)));
      give(op.b, () => scale(binary('div', binary('mul', adj, out), v(op.b)), -1));
      break;
    case 'pow': {
      const [a, b] = [v(op.a)[0]!, v(op.b)[0]!];
      give(op.a, () => Float64Array.of(adj[0]! * b * a ** (b - 1)));
      give(op.b, () => Float64Array.of(adj[0]! * out[0]! * Math.log(a)));
      break;
    }
    case 'neg':
      give(op.a, () => scale(adj, -1));
      break;
    case 'transpose':
      give(op.a, () => transposeData(dims[0], dims[1], adj));
      break;
    case 'sumall':
      give(op.a, () => new Float64Array(len(op.a)).fill(adj[0]!));
      break;
    case 'epow':
      give(op.a, () => powChain(op.p, v(op.a), adj));
      break;
    case 'fn':
      give(op.a, () => chain(op.rule, v(op.a), out, adj));
      break;
    case 'concat': {
      let at = 0;
      for (const i of op.items) {
        const from = at;
        give(i, () => adj.slice(from, from + len(i)));
        at += len(i);
      }
      break;
    }
  }
  return res;
}
