/**
 * Extended precision: the exact evaluator over decimal numbers with 40
 * significant digits and an exponent range of ±9·10^15 (decimal.js, the
 * library mathjs uses for its BigNumbers). A point whose float64 evaluation
 * overflowed, underflowed or came out within rounding distance of the
 * tolerance is evaluated again here, from the same instance: the model is
 * simulated forward in decimals, derivatives are replaced by their closed
 * forms (products of one-step Jacobians, which is where float64 runs out of
 * range), and a derivative without a closed form is taken from the float
 * engine when its own value is in range.
 */
import { Decimal } from 'decimal.js';
import type { IntEnv } from '../../ir/affine.js';
import type { Expr, Leaf, OpNode, Seq } from '../../ir/expr.js';
import { dimsIn } from '../../ir/shape-of.js';
import type { ExactContext, ExactDomain } from '../../ops/contexts.js';
import { specOf } from '../../ops/index.js';
import { type Model, TIME_VAR } from '../../model/model.js';
import type { InstanceData } from '../../numeric/unrolled.js';
import { ExactEvaluator } from '../exact.js';
import { rfill, type Ring, type RMat } from '../ring.js';
import { SymbolicUnsupported } from '../unsupported.js';

/** 40 significant digits (see EXTENDED_DIGITS in src/check/extended-check.ts). */
export const BigDecimal = Decimal.clone({ precision: 40, minE: -9e15, maxE: 9e15 });
export type Big = Decimal;

/** Decimal arithmetic costs far more than float64: the work one re-evaluation may do, counted in products. */
export const EXTENDED_WORK_LIMIT = 4_000_000;

class WorkCounter {
  used = 0;
  spend(n = 1): void {
    this.used += n;
    if (this.used > EXTENDED_WORK_LIMIT)
      throw new SymbolicUnsupported(`extended precision would take more than ${EXTENDED_WORK_LIMIT} decimal products`);
  }
}

function decimalRing(work: WorkCounter): Ring<Big> {
  const zero = new BigDecimal(0);
  return {
    zero,
    one: new BigDecimal(1),
    add: (a, b) => a.add(b),
    sub: (a, b) => a.sub(b),
    neg: (a) => a.neg(),
    mul: (a, b) => {
      work.spend();
      return a.mul(b);
    },
    fromNumber: (x) => {
      if (!Number.isFinite(x)) throw new SymbolicUnsupported(`${x} has no decimal value`);
      return new BigDecimal(x);
    },
    isZero: (a) => a.isZero(),
    constantOf: (a) => a.toNumber(),
    div: (a, b) => (b.isZero() ? null : a.div(b)),
    key: (a) => a.toString(),
    ordered: { abs: (a) => a.abs(), sqrt: (a) => a.sqrt(), lt: (a, b) => a.lt(b), toNumber: (a) => a.toNumber() },
  };
}

/** The value of an expression from the float engine (null when it is not finite and in range). */
export type FloatValue = (e: Expr, env: IntEnv) => Float64Array | null;

class ExtendedDomain implements ExactDomain<Big> {
  readonly indices = 'concrete' as const;
  readonly shapes = 'concrete' as const;
  readonly ring: Ring<Big>;
  private readonly values = new Map<string, RMat<Big>>();
  private computedUpTo = 0;

  constructor(
    private readonly model: Model,
    private readonly sizes: IntEnv,
    private readonly data: InstanceData,
    private readonly dactExpression: (name: string, time: Seq['time']) => Expr,
    private readonly floatValue: FloatValue,
    private readonly work: WorkCounter,
  ) {
    this.ring = decimalRing(work);
  }

  private vector(v: Float64Array, rows: number, cols = 1): RMat<Big> {
    return rfill(rows, cols, (i, j) => this.ring.fromNumber(v[i * cols + j]!));
  }

  private symbolDims(name: string): [number, number] {
    return dimsIn(this.model, { kind: 'sym', name }, this.sizes);
  }

  /** Sequence values at time t, simulating the model forward in decimals as far as needed. */
  private sequence(name: string, t: number): RMat<Big> {
    const input = this.data.inputs.get(name);
    const [rows] = this.symbolDims(name);
    if (input) return this.vector(input[t]!, rows);
    if (t === 0) return this.vector(this.data.initial.get(name)!, rows);
    const T = this.sizes.T!;
    if (t < 0 || t > T) throw new SymbolicUnsupported(`${name}[${t}] is outside the unrolled graph`);
    const known = this.values.get(`${name}@${t}`);
    if (known) return known;
    // Equations are in dependency order: each step's values are stored as they are computed, so a
    // same-step read (h[t] = o[t] .* tanh(C[t])) finds the earlier ones.
    while (this.computedUpTo < t) {
      const step = this.computedUpTo + 1;
      const ev = new ExactEvaluator<Big>(this, { ...this.sizes, [TIME_VAR]: step });
      for (const eq of this.model.equations) this.values.set(`${eq.target}@${step}`, ev.evaluate(eq.rhs));
      this.computedUpTo = step;
    }
    return this.values.get(`${name}@${t}`)!;
  }

  leaf(e: Leaf, ctx: ExactContext<Big>): RMat<Big> {
    if (e.kind === 'seq') return this.sequence(e.name, ctx.int(e.time));
    if (e.kind === 'sym') {
      const p = this.data.params.get(e.name);
      if (p) {
        const [rows, cols] = this.symbolDims(e.name);
        return this.vector(p, rows, cols);
      }
    }
    return this.fromFloat(e, ctx);
  }

  /** What has no rule here (a derivative without a closed form, a sup, a user function) comes from the float engine, if it is in range there. */
  private fromFloat(e: Expr, ctx: ExactContext<Big>): RMat<Big> {
    const v = this.floatValue(e, ctx.env);
    if (!v)
      throw new SymbolicUnsupported(
        `${e.kind === 'op' ? e.op : e.kind} is out of float range and has no rule in extended precision`,
      );
    const [rows, cols] = dimsIn(this.model, e, ctx.env);
    this.work.spend(v.length);
    return this.vector(v, rows, cols);
  }

  opaque(n: OpNode, ctx: ExactContext<Big>): RMat<Big> {
    return this.fromFloat(n, ctx);
  }
  unitAtom(n: OpNode, ctx: ExactContext<Big>): RMat<Big> {
    return this.fromFloat(n, ctx);
  }
  activation(n: OpNode, ctx: ExactContext<Big>, arg: () => RMat<Big>): RMat<Big> {
    const big = specOf(n).activation?.big;
    if (!big) return this.fromFloat(n, ctx);
    const z = arg();
    this.work.spend(z.data.length * 8);
    return { ...z, data: z.data.map((x) => big(x, BigDecimal)) };
  }
  dactOf(value: Seq, ctx: ExactContext<Big>): RMat<Big> {
    return ctx.eval(this.dactExpression(value.name, value.time));
  }
  unitDerivative(n: OpNode, ctx: ExactContext<Big>): RMat<Big> {
    return this.fromFloat(n, ctx);
  }
  dims(e: Expr, env: IntEnv): [number, number] {
    return dimsIn(this.model, e, env);
  }
}

/** Everything extended-precision evaluation of one instance needs, shared by its points. */
export class ExtendedInstance {
  private readonly work = new WorkCounter();
  private readonly evaluator: ExactEvaluator<Big>;
  constructor(
    model: Model,
    sizes: IntEnv,
    data: InstanceData,
    dactExpression: (name: string, time: Seq['time']) => Expr,
    floatValue: FloatValue,
  ) {
    this.evaluator = new ExactEvaluator(
      new ExtendedDomain(model, sizes, data, dactExpression, floatValue, this.work),
      sizes,
    );
  }
  /** The value of an expression (derivatives already replaced by closed forms where they have them). */
  evaluate(e: Expr, env: IntEnv): RMat<Big> {
    return this.evaluator.evaluate(e, env);
  }
  get workUsed(): number {
    return this.work.used;
  }
}
