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

const eye = (n: number): ModMat => ({ rows: n, cols: n, data: Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)) });

export class ModularEvaluator {
  private readonly atoms = new Map<string, ModMat>();

  /** `sizes` fixes the small concrete dimensions used for every atom. */
  constructor(
    private readonly sm: SymbolicModel,
    private readonly sizes: IntEnv,
    private readonly seed: number,
  ) {}

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
        case 'num': {
          if (!Number.isInteger(x.value)) {
            // A decimal constant p/q: its residue p·q⁻¹ keeps identities such as 0.5·2 = 1 exact.
            const q = 10 ** (String(x.value).split('.')[1]?.length ?? 0);
            return { rows: 1, cols: 1, data: [mulmod(mod(Math.round(x.value * q)), inverse(q))] };
          }
          return { rows: 1, cols: 1, data: [mod(x.value)] };
        }
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
    const bData = b.data.length === 1 && a.data.length > 1 ? new Array(a.data.length).fill(b.data[0]) : b.data;
    if (a.data.length !== bData.length || a.data.some((v, i) => v !== bData[i])) return false;
  }
  return true;
}
