/**
 * Randomized identity testing (Schwartz–Zippel): both sides are evaluated
 * exactly in the field ℤ_p with random values for every atom — matrices,
 * sequence values, opaque function values — at small concrete sizes. Equal
 * polynomials always agree; different ones agree with probability at most
 * deg/p per trial. No expansion happens, so long products and sums of paths
 * cost what evaluating them costs.
 */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import type { Expr } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import { deriveSeed, Rng } from '../numeric/prng.js';
import type { SymbolicModel } from './derive.js';
import { SymbolicUnsupported } from './differentiate.js';

/** A prime below 2^26, so products of two residues stay exact in a double. */
export const PRIME = 67108859;

interface ModMat {
  readonly rows: number;
  readonly cols: number;
  readonly data: number[];
}

const mod = (x: number) => ((x % PRIME) + PRIME) % PRIME;
const mulmod = (a: number, b: number) => (a * b) % PRIME;

function powmod(a: number, e: number): number {
  let result = 1;
  let base = mod(a);
  let n = e;
  while (n > 0) {
    if (n & 1) result = mulmod(result, base);
    base = mulmod(base, base);
    n = Math.floor(n / 2);
  }
  return result;
}

const inverse = (a: number) => {
  if (mod(a) === 0) throw new SymbolicUnsupported('division by zero in ℤ_p');
  return powmod(a, PRIME - 2);
};

function matmul(a: ModMat, b: ModMat): ModMat {
  const out = new Array<number>(a.rows * b.cols).fill(0);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const x = a.data[i * a.cols + k]!;
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] = (out[i * b.cols + j]! + mulmod(x, b.data[k * b.cols + j]!)) % PRIME;
    }
  return { rows: a.rows, cols: b.cols, data: out };
}

function zip(a: ModMat, b: ModMat, f: (x: number, y: number) => number): ModMat {
  const big = a.data.length >= b.data.length ? a : b;
  const data = big.data.map((_, i) => f(a.data.length === 1 ? a.data[0]! : a.data[i]!, b.data.length === 1 ? b.data[0]! : b.data[i]!));
  return { rows: big.rows, cols: big.cols, data };
}

/**
 * The residue of a double: every finite double is exactly m / 2^k with m an
 * integer, so its residue is m · (2^k)⁻¹ — exact, where a decimal reading of
 * 1e-13 would round to 0.
 */
function residue(x: number): number {
  if (!Number.isFinite(x)) throw new SymbolicUnsupported(`the constant ${x} has no residue`);
  let k = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    k++;
  }
  const big = BigInt(m) % BigInt(PRIME);
  const r = Number(big < 0n ? big + BigInt(PRIME) : big);
  return k === 0 ? r : mulmod(r, inverse(powmod(2, k)));
}

const eye = (n: number): ModMat => ({ rows: n, cols: n, data: Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)) });

export class ModularEvaluator {
  private readonly atoms = new Map<string, ModMat>();

  /** `sizes` fixes the small concrete dimensions used for every atom. */
  constructor(
    private readonly sm: SymbolicModel,
    private readonly sizes: IntEnv,
    private readonly seed: number,
  ) {}

  private readonly rhsIndex = new Map<number, Map<string, Expr>>();

  /** The sequence value an activation expression defines, if it is an equation's right side at some τ ≤ T. */
  private sequenceFor(printed: string, env: IntEnv): Expr | null {
    const T = env.T ?? 0;
    let index = this.rhsIndex.get(T);
    if (!index) {
      index = new Map();
      for (let tau = 1; tau <= T; tau++)
        for (const eq of this.sm.model.equations) {
          if (eq.rhs.kind !== 'call' && eq.rhs.kind !== 'ucall') continue;
          index.set(printExpr(eq.rhs, { ...env, t: tau }), { kind: 'seq', name: eq.target, time: { c: tau, terms: {} } });
        }
      this.rhsIndex.set(T, index);
    }
    return index.get(printed) ?? null;
  }

  /** A random atom, the same every time its key comes back. */
  private atom(key: string, rows: number, cols: number): ModMat {
    let m = this.atoms.get(key);
    if (!m) {
      const rng = new Rng(deriveSeed(this.seed, key));
      m = { rows, cols, data: Array.from({ length: rows * cols }, () => rng.int(0, PRIME - 1)) };
      this.atoms.set(key, m);
    }
    return m;
  }

  private dims(e: Expr): [number, number] {
    const s = this.sm.shape(e);
    return [evalAffine(s.rows, this.sizes), evalAffine(s.cols, this.sizes)];
  }

  evaluate(e: Expr, env: IntEnv): ModMat {
    const full = { ...this.sizes, ...env };
    const go = (x: Expr, en: IntEnv): ModMat => {
      const opaque = () => this.atom(printExpr(x, en), ...this.dims(x));
      switch (x.kind) {
        case 'num':
          return { rows: 1, cols: 1, data: [residue(x.value)] };
        case 'ivar':
          return { rows: 1, cols: 1, data: [mod(en[x.name]!)] };
        case 'sym':
        case 'seq':
        case 'deriv':
          return opaque();
        case 'add':
        case 'sub': {
          const sign = x.kind === 'add' ? 1 : -1;
          return zip(go(x.left, en), go(x.right, en), (a, b) => mod(a + sign * b));
        }
        case 'neg':
          return zip(go(x.arg, en), { rows: 1, cols: 1, data: [0] }, (a) => mod(-a));
        case 'mul': {
          const [a, b] = [go(x.left, en), go(x.right, en)];
          return a.data.length === 1 || b.data.length === 1 ? zip(a, b, mulmod) : matmul(a, b);
        }
        case 'emul':
          return zip(go(x.left, en), go(x.right, en), mulmod);
        case 'div': {
          const b = go(x.right, en);
          if (b.data.length !== 1) throw new SymbolicUnsupported('division by a non-scalar');
          const inv = inverse(b.data[0]!);
          return zip(go(x.left, en), { rows: 1, cols: 1, data: [inv] }, mulmod);
        }
        case 'epow': {
          const a = go(x.base, en);
          if (!Number.isInteger(x.exponent)) return opaque();
          return { ...a, data: a.data.map((v) => (x.exponent >= 0 ? powmod(v, x.exponent) : powmod(inverse(v), -x.exponent))) };
        }
        case 'pow': {
          const e = go(x.exponent, en);
          const n = x.exponent.kind === 'num' ? x.exponent.value : x.exponent.kind === 'ivar' ? en[x.exponent.name]! : NaN;
          if (!Number.isInteger(n) || n < 0 || e.data.length !== 1) return opaque();
          const b = go(x.base, en);
          return { ...b, data: b.data.map((v) => powmod(v, n)) };
        }
        case 'dact':
          return x.index ? opaque() : go(this.sm.dactExpression(x.name, x.time), en);
        case 'call':
        case 'ucall': {
          // f(z) that is the right side of an equation at some time is that sequence's value (h[τ]), as in the model.
          const named = this.sequenceFor(printExpr(x, en), en);
          return named ? go(named, en) : opaque();
        }
        case 'transpose': {
          const a = go(x.arg, en);
          const data = new Array<number>(a.data.length);
          for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) data[j * a.rows + i] = a.data[i * a.cols + j]!;
          return { rows: a.cols, cols: a.rows, data };
        }
        case 'diag': {
          const v = go(x.arg, en);
          const n = v.data.length;
          const data = new Array<number>(n * n).fill(0);
          v.data.forEach((value, i) => (data[i * (n + 1)] = value));
          return { rows: n, cols: n, data };
        }
        case 'eye':
          return eye(evalAffine(x.size, en));
        case 'cols': {
          const a = go(x.arg, en);
          const [from, to] = [evalAffine(x.from, en), evalAffine(x.to, en)];
          const width = to - from + 1;
          const data: number[] = [];
          for (let i = 0; i < a.rows; i++) data.push(...a.data.slice(i * a.cols + from - 1, i * a.cols + to));
          return { rows: a.rows, cols: width, data };
        }
        case 'concat': {
          const parts = x.items.map((i) => go(i, en));
          return { rows: parts.reduce((n, p) => n + p.rows, 0), cols: 1, data: parts.flatMap((p) => p.data) };
        }
        case 'prod':
        case 'sum':
        case 'hprod': {
          const [lo, hi] = [evalAffine(x.lo, en), evalAffine(x.hi, en)];
          let acc: ModMat | null = null;
          for (let i = lo; i <= hi; i++) {
            const f = go(x.body, { ...en, [x.index]: i });
            acc = !acc ? f : x.kind === 'sum' ? zip(acc, f, (a, b) => (a + b) % PRIME) : x.kind === 'hprod' ? zip(acc, f, mulmod) : matmul(acc, f);
          }
          if (acc) return acc;
          if (x.kind === 'sum') return { rows: 1, cols: 1, data: [0] };
          return x.kind === 'prod' ? eye(this.dims(x)[0]) : { rows: this.dims(x)[0], cols: 1, data: new Array(this.dims(x)[0]).fill(1) };
        }
        default:
          // tanh, σ, norms, sups: opaque values keyed by their (index-substituted) text.
          return opaque();
      }
    };
    return go(e, full);
  }
}

/** Both sides agree in ℤ_p on `trials` independent random assignments. */
export function randomIdentity(sm: SymbolicModel, lhs: Expr, rhs: Expr, env: IntEnv, sizes: IntEnv, seed: number, trials = 2): boolean {
  for (let trial = 0; trial < trials; trial++) {
    const ev = new ModularEvaluator(sm, sizes, deriveSeed(seed, 'trial', trial));
    const [a, b] = [ev.evaluate(lhs, env), ev.evaluate(rhs, env)];
    // A scalar side (0 for an empty sum, say) broadcasts against the other.
    const n = Math.max(a.data.length, b.data.length);
    const at = (m: { data: number[] }, i: number) => (m.data.length === 1 ? m.data[0] : m.data[i]);
    if ((a.data.length !== n && a.data.length !== 1) || (b.data.length !== n && b.data.length !== 1)) return false;
    for (let i = 0; i < n; i++) if (at(a, i) !== at(b, i)) return false;
  }
  return true;
}
