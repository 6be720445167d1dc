/**
 * Randomized identity testing (Schwartz–Zippel): expressions evaluated
 * exactly in the field ℤ_p with random values for every atom — matrices,
 * sequence values, opaque function values — at small concrete sizes. Equal
 * polynomials always agree; different ones agree with probability at most
 * deg/p per trial. No expansion happens, so long products and sums of paths
 * cost what evaluating them costs.
 */
import type { IntEnv } from '../../ir/affine.js';
import type { Expr, Leaf, OpNode, Seq } from '../../ir/expr.js';
import { printExpr } from '../../ir/print.js';
import { dimsIn } from '../../ir/shape-of.js';
import { seq as seqLeaf } from '../../ir/expr.js';
import { specOf } from '../../ops/index.js';
import type { ExactContext, ExactDomain } from '../../ops/contexts.js';
import { deriveSeed, Rng } from '../../numeric/prng.js';
import { TIME_VAR } from '../../model/model.js';
import type { SymbolicModel } from '../derive.js';
import { ExactEvaluator } from '../exact.js';
import { requal, rmap, type Ring, type RMat } from '../ring.js';
import { SymbolicUnsupported } from '../unsupported.js';
import { writtenOut } from '../definitions.js';
import { own } from '../../ir/names.js';

/** A prime below 2^26, so products of two residues stay exact in a double. */
export const PRIME = 67108859;

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

/**
 * The residue of a double: every finite double is exactly m / 2^k with m an
 * integer, so its residue is m · (2^k)⁻¹ — exact, where a decimal reading of
 * 1e-13 would round to 0.
 */
export function residue(x: number): number {
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

/**
 * A·B in ℤ_p, one reduction per two products: residues are at most p − 1, so a partial sum below p plus two
 * products stays below p + 2(p − 1)² < 2^53 and is exact in a double. The residue of each entry is the one the
 * generic product (reducing after every product and sum) gives.
 */
function modMatmul(a: RMat<number>, b: RMat<number>): RMat<number> {
  const [rows, inner, cols] = [a.rows, a.cols, b.cols];
  const [x, y] = [a.data, b.data];
  const data = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      let k = 0;
      for (; k + 1 < inner; k += 2)
        acc = (acc + x[i * inner + k]! * y[k * cols + j]! + x[i * inner + k + 1]! * y[(k + 1) * cols + j]!) % PRIME;
      if (k < inner) acc = (acc + x[i * inner + k]! * y[k * cols + j]!) % PRIME;
      data[i * cols + j] = acc;
    }
  return { rows, cols, data };
}

export const MOD_RING: Ring<number> = {
  zero: 0,
  one: 1,
  add: (a, b) => (a + b) % PRIME,
  sub: (a, b) => mod(a - b),
  neg: (a) => mod(-a),
  mul: mulmod,
  fromNumber: residue,
  isZero: (a) => a === 0,
  constantOf: (a) => a,
  div: (a, b) => mulmod(a, inverse(b)),
  key: String,
  regroups: true,
  matmul: modMatmul,
};

class ModularDomain implements ExactDomain<number> {
  readonly ring = MOD_RING;
  readonly indices = 'concrete' as const;
  readonly shapes = 'concrete' as const;
  private readonly atoms = new Map<string, RMat<number>>();
  private readonly rhsIndex = new Map<number, Map<string, Seq>>();

  constructor(
    private readonly sm: SymbolicModel,
    private readonly seed: number,
    private readonly unfold: boolean,
  ) {}

  /** A random atom, the same every time its key comes back. */
  private atom(key: string, rows: number, cols: number): RMat<number> {
    let m = this.atoms.get(key);
    if (!m) {
      const rng = new Rng(deriveSeed(this.seed, key));
      m = { rows, cols, data: Array.from({ length: rows * cols }, () => rng.int(0, PRIME - 1)) };
      this.atoms.set(key, m);
    }
    return m;
  }

  /** The sequence value an activation expression defines, if it is an equation's right side at some τ ≤ T. */
  private sequenceFor(printed: string, env: IntEnv): Seq | null {
    const T = env.T ?? 0;
    let index = this.rhsIndex.get(T);
    if (!index) {
      index = new Map();
      for (let tau = 1; tau <= T; tau++)
        for (const eq of this.sm.model.equations) {
          if (eq.rhs.kind !== 'op' || !specOf(eq.rhs).activation) continue;
          index.set(printExpr(eq.rhs, { ...env, [TIME_VAR]: tau }), seqLeaf(eq.target, { c: tau, terms: {} }));
        }
      this.rhsIndex.set(T, index);
    }
    return index.get(printed) ?? null;
  }

  leaf(e: Leaf, ctx: ExactContext<number>): RMat<number> {
    if (e.kind === 'ivar') throw new SymbolicUnsupported(`unbound ${e.name}`);
    if (e.kind === 'seq' && this.unfold) {
      const written = writtenOut(this.sm.model, e, ctx);
      if (written) return written;
    }
    return this.atom(printExpr(e, ctx.env), ...ctx.dims(e));
  }
  opaque(n: OpNode, ctx: ExactContext<number>): RMat<number> {
    return this.atom(printExpr(n, ctx.env), ...ctx.dims(n));
  }
  uninterpreted(name: string, args: readonly RMat<number>[]): RMat<number> {
    return this.atom(`${name}(${args.map((a) => `${a.rows}×${a.cols}:${a.data.join(',')}`).join('; ')})`, 1, 1);
  }
  unitAtom(n: OpNode, ctx: ExactContext<number>): RMat<number> {
    return this.opaque(n, ctx);
  }
  activation(n: OpNode, ctx: ExactContext<number>, arg: () => RMat<number>): RMat<number> {
    // f(z) that is the right side of an equation at some time is that sequence's value (h[τ]), as in the model.
    const named = this.sequenceFor(printExpr(n, ctx.env), ctx.env);
    if (named) return ctx.eval(named);
    // Otherwise f is a random function of each entry's value: equal arguments, however written, agree.
    const name = n.name ?? n.op;
    return rmap(arg(), (x) => this.atom(`${name}(${x})`, 1, 1).data[0]!);
  }
  dactOf(value: Seq, ctx: ExactContext<number>): RMat<number> {
    return ctx.eval(this.sm.dactExpression(value.name, value.time));
  }
  unitDerivative(n: OpNode, ctx: ExactContext<number>): RMat<number> {
    return this.opaque(n, ctx);
  }
  dims(e: Expr, env: IntEnv): [number, number] {
    return dimsIn(this.sm.model, e, env);
  }
}

/** Both sides agree in ℤ_p on `trials` independent random assignments (`sizes` fixes the atoms' dimensions). */
export function randomIdentity(
  sm: SymbolicModel,
  lhs: Expr,
  rhs: Expr,
  env: IntEnv,
  sizes: IntEnv,
  seed: number,
  options: RandomOptions = {},
): boolean {
  return new RandomIdentity(sm, seed, options).agree(lhs, rhs, env, sizes);
}

export interface RandomOptions {
  readonly trials?: number;
  readonly unfold?: boolean;
}

/**
 * Randomized identity tests of one claim at many bindings: each trial's atoms and memoised values are
 * kept per sizes, so bindings that share sub-expressions (the same factors at another lag) evaluate
 * them once. Values are memoised by content (structure and the index values read), as in the
 * polynomial evaluator, so a later binding gets what evaluating again would give.
 */
export class RandomIdentity {
  private readonly evaluators = new Map<string, ExactEvaluator<number>[]>();
  constructor(
    private readonly sm: SymbolicModel,
    private readonly seed: number,
    private readonly options: RandomOptions = {},
  ) {}

  agree(lhs: Expr, rhs: Expr, env: IntEnv, sizes: IntEnv = env): boolean {
    const { trials = 2, unfold = false } = this.options;
    const key = Object.keys(sizes)
      .sort()
      .map((name) => `${name}=${own(sizes, name)}`)
      .join();
    let kept = this.evaluators.get(key);
    if (!kept) this.evaluators.set(key, (kept = []));
    for (let trial = 0; trial < trials; trial++) {
      const domain = () => new ModularDomain(this.sm, deriveSeed(this.seed, 'trial', trial), unfold);
      const ev = (kept[trial] ??= new ExactEvaluator(domain(), sizes));
      // A scalar side (0 for an empty sum, say) broadcasts against the other.
      if (!requal(MOD_RING, ev.evaluate(lhs, env), ev.evaluate(rhs, env))) return false;
    }
    return true;
  }
}
