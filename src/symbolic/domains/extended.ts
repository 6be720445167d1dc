/**
 * Extended precision: the exact evaluator over numbers of unbounded exponent,
 * either decimals with 40 significant digits and an exponent range of
 * ±9·10^15 (decimal.js, the library mathjs uses for its BigNumbers) or wide
 * floats (./wide-float.ts: a float64 mantissa and an integer exponent). A
 * point whose float64 evaluation overflowed, underflowed or came out within
 * rounding distance of the tolerance is evaluated again here, from the same
 * instance: the model is simulated forward, derivatives are replaced by their
 * closed forms (products of one-step Jacobians, which is where float64 runs
 * out of range; applied to a vector, they are walked from the vector and
 * memoised across lags, as the float engine's products are), and a derivative
 * without a closed form is taken from the float engine when its own value is
 * in range.
 */
import { Decimal } from 'decimal.js';
import { affineVar, boundValue, type IntEnv } from '../../ir/affine.js';
import { nameRecord } from '../../ir/names.js';
import { type Expr, type Leaf, node, type OpNode, type Seq, seq } from '../../ir/expr.js';
import { unitDerivativeAsEntry } from '../../ops/index-level.js';
import { dimsIn } from '../../ir/shape-of.js';
import type { ExactContext, ExactDomain } from '../../ops/contexts.js';
import { specOf } from '../../ops/index.js';
import { type Model, TIME_VAR, type UserFunction } from '../../model/model.js';
import type { InstanceData } from '../../numeric/unrolled.js';
import type { ActivationSpec } from '../../ops/registry.js';
import { ExactEvaluator } from '../exact.js';
import { KeptValues, rfill, type Ring, type RMat, rscalar } from '../ring.js';
import { SymbolicUnsupported, withExactBudget } from '../unsupported.js';
import { withExactCoefficients } from '../cpoly.js';
import { printExpr } from '../../ir/print.js';
import { PolyEvaluator } from './polynomial.js';
import { SMALLEST_NORMAL } from '../../numeric/lost-digits.js';
import { decimalElsnerBound, decimalSpectralRadius } from '../../numeric/decimal-eigen.js';
import { FACTORIZATION_SWEEPS } from '../../numeric/linalg.js';
import { chargeWork, WorkLimitExceeded } from '../../numeric/work-meter.js';
import {
  decimalOfDouble,
  nearOne,
  wideActivation,
  type WideFloat,
  wideFloatRing,
  wideToDecimal,
} from './wide-float.js';
import {
  type Interval,
  intervalActivation,
  intervalOf,
  intervalPreview,
  intervalRing,
  SUBNORMAL_PRODUCT_COST,
  isFiniteInterval,
} from './interval.js';

/** the decimals' significant digits (the evidence's EXTENDED_DIGITS, src/check/extended-check.ts) */
export const DECIMAL_DIGITS = 40;
/**
 * The deeper decimals' digits: a decision in 40 digits that rests on a sum cancelled to exactly 0 there, or that
 * cancellation brought within reach, is taken again with 64 (1 − σ(100) is 0 in 40 digits and 3.7e-44 in 64): near
 * the most src/numeric/decimal-exp.ts computes fast (decimal.js's own exp and tanh take 1–2 ms at 160 digits, and
 * looks at lossy agreements in the shipped derivations took 0.04–0.7 s each there).
 */
export const DEEP_DECIMAL_DIGITS = 64;
const decimalsOf = (digits: number) => Decimal.clone({ precision: digits, minE: -9e15, maxE: 9e15 });
export const BigDecimal = decimalsOf(DECIMAL_DIGITS);
export type Big = Decimal;
/** Enough digits for a wide float's preview, 17 at most (its 2^e costs far less than at 40). */
const PreviewDecimal = Decimal.clone({ precision: 20, minE: -9e15, maxE: 9e15 });

/** Decimal arithmetic costs far more than float64: the work one claim's re-evaluations on one instance may do, counted in products. */
export const EXTENDED_WORK_LIMIT = 4_000_000;
/** Wide floats cost a few float operations per product: the same budget in time allows a hundred times more. */
export const WIDE_WORK_LIMIT = 400_000_000;

/**
 * A product's cost against a float64 multiply-add (the claim's work meter's unit), measured on this machine's Node 20:
 * a 40-digit decimal product and sum ≈ 1.2 µs, a plain float multiply-add ≈ 2 ns; a wide float or an interval product a
 * few float operations (the budgets above: a hundred times a decimal's in the same time).
 */
const DECIMAL_PRODUCT_COST = 600;
export const WIDE_PRODUCT_COST = 6;

export class WorkCounter {
  used = 0;
  /** charges noted while a forward step is recorded (StepTrail), not counted against the limit; null: counting */
  private recorded: number | null = null;
  constructor(
    private readonly limit: number,
    private readonly what: string,
    /** what one unit costs on the claim's work meter (0: not charged there, as the plain rings comparing sides) */
    private readonly cost = 0,
  ) {}
  /**
   * `replayed`: charges of a recorded step stored again (StepTrail), which the claim's meter did not see done again;
   * `slower`: what these products cost on the meter against the arithmetic's usual one (interval.ts, subnormals)
   */
  spend(n = 1, replayed = false, slower = 1): void {
    if (this.cost && !replayed) chargeWork(n * this.cost * slower);
    if (this.recorded !== null) {
      this.recorded += n;
      return;
    }
    this.used += n;
    if (this.used > this.limit)
      throw new SymbolicUnsupported(
        `extended precision would take more than ${this.limit} ${this.what} products for one claim on one instance`,
      );
  }
  /**
   * The worst relative precision a cancellation left in a value of this arithmetic, over everything evaluated for
   * the claim on this instance: memoised values and product chains are reused across points, so a point's figure
   * must include theirs (a conservative figure: a loss at one point also counts at the points after it).
   */
  lost = 0;
  /**
   * A sum of nonzero terms came out exactly 0 (conservatively, over everything evaluated for the claim on this
   * instance): rounding may have made that 0 (1 − σ(100) in 40 digits) or it may be exact (x + |x| for x < 0).
   */
  cancelledToZero = false;
  /**
   * The largest decimal exponent of a value the rounding-tracked decimals computed (conservatively, over everything
   * evaluated for the claim on this instance): the size of the terms a difference may be a residue of.
   */
  peakExponent = -Infinity;
  notePeak(exponent: number): void {
    if (exponent > this.peakExponent) this.peakExponent = exponent;
  }
  /** losses noted while a forward step is recorded, for its trail */
  private recordedLoss: StepLoss = { lost: 0, cancelledToZero: false };
  noteLoss(precision: number): void {
    if (this.recorded !== null) this.recordedLoss.lost = Math.max(this.recordedLoss.lost, precision);
    else this.lost = Math.max(this.lost, precision);
  }
  /**
   * A value carries a doubt from this arithmetic's own rounding, not only from float64 values (ρ's, decimalRho): a
   * decision within its reach may be taken with more digits.
   */
  roundingDoubt = false;
  noteRoundingDoubt(): void {
    this.roundingDoubt = true;
  }
  noteCancelledToZero(): void {
    if (this.recorded !== null) this.recordedLoss.cancelledToZero = true;
    else this.cancelledToZero = true;
  }
  /** The losses noted while recording, cleared. */
  takeRecordedLoss(): StepLoss {
    const p = this.recordedLoss;
    this.recordedLoss = { lost: 0, cancelledToZero: false };
    return p;
  }
  /** A recorded step's losses noted again, as computing the step would. */
  noteStepLoss(loss: StepLoss): void {
    if (loss.lost) this.noteLoss(loss.lost);
    if (loss.cancelledToZero) this.noteCancelledToZero();
  }
  /** Start noting charges instead of counting them (not nested). */
  startRecording(): void {
    this.recorded = 0;
  }
  /** The charges noted since the last take (or the start), still recording. */
  takeRecorded(): number {
    const n = this.recorded!;
    this.recorded = 0;
    return n;
  }
  stopRecording(): void {
    this.recorded = null;
  }
}

/**
 * A built-in activation's own rounding in the rounding-tracked decimals, in halves of a unit in its last digit: exp,
 * tanh (../../numeric/decimal-exp.ts), log and √ are correctly rounded (one half), σ = 1/(1 + e^−x) rounds three
 * times; four halves cover each.
 */
const ACTIVATION_ROUNDING_UNITS = 4;

/** Cancellation in the decimals is noted from this many lost digits on (fewer leave 25 of 40: nothing to decide). */
const NOTED_DECIMAL_CANCELLATION = 15;
/**
 * The digits of a sum's operands taken as already uncertain when it cancels: each carries the rounding of the
 * operations before it (an exp, a quotient, products), not half a unit in its last digit alone. With one digit, the
 * true Σ_i ∂E/∂a_i = 0 of a softmax cross-entropy head (Σ_i (p_i·Σy − y_i)) came out −1e-64 in 64 digits, a hundred units
 * of its terms' last digit, noted as a relative precision of 0.1, and was refuted (a review's).
 */
const OPERAND_ERROR_DIGITS = 3;

/** What a recorded forward step's sums lost to cancellation (WorkCounter), noted again when a claim replays it. */
interface StepLoss {
  lost: number;
  cancelledToZero: boolean;
}

/**
 * x ± y = r in decimals of `digits` digits, its cancellation noted: r keeps `digits` − (lost digits) of them, the
 * lost digits being how far r's leading digit lies below the larger operand's (1 − σ(89) keeps one digit of 40).
 * A sum exactly 0 is noted apart: x + |x| for x < 0 is exactly 0 in any precision, a 0 that rounding made
 * (1 − σ(100), 3.7e-44) is not, and only a deeper precision tells them apart (lookWith in
 * src/check/extended-check.ts takes a decision resting on such a 0 again with more digits).
 */
function watchedSum(work: WorkCounter, digits: number, x: Big, y: Big, r: Big): Big {
  if (x.isZero() || y.isZero()) return r;
  if (r.isZero()) {
    work.noteCancelledToZero();
    return r;
  }
  const lost = Math.max(x.e, y.e) - r.e;
  if (lost >= NOTED_DECIMAL_CANCELLATION) work.noteLoss(Math.min(1, 10 ** (lost + OPERAND_ERROR_DIGITS - digits)));
  return r;
}

/**
 * The doubts of decimals (decimalRing), keyed by the decimal itself: decimal.js makes a new one for every result, so a
 * doubt is never shared by accident. One table for every ring: a forward step one claim simulated is replayed into
 * the next claim's (StepTrail) with its values, and their doubts must go with them.
 */
const decimalDoubts = new WeakMap<Big, Big>();

/**
 * The decimals, each value that rests on a float64 result (ring.fromInexact: a value of the float engine without a
 * rule here, a spectral norm from float64's SVD) carrying how far it may lie from the value it stands for: taken as
 * exact, two of them cancelling "confirmed" a violation of the size of float64's rounding (the true
 * `norm2(jac(h[T], h[T-k])) - norm2(W)^k <= 0` was refuted, the norms 1.9e-17 apart against the exact 0). The
 * bounds are absolute (a doubtful difference that cancels to exactly 0 still bounds what it may be) and carried
 * through every operation as interval arithmetic's radii are; a point's decision accounts for its sides' (lookWith).
 */
function decimalRing(work: WorkCounter, D: typeof Decimal, rounding = false): Ring<Big> {
  const zero = new D(0);
  const unbounded = new D(Infinity);
  const digits = D.precision;
  const doubts = decimalDoubts;
  const doubtOf = (a: Big): Big | null => doubts.get(a) ?? null;
  const carrying = (r: Big, doubt: Big | null): Big => {
    if (doubt !== null && !doubt.isZero()) doubts.set(r, doubt.isNaN() ? unbounded : doubt);
    return r;
  };
  const plus = (p: Big | null, q: Big | null): Big | null => (p && q ? p.add(q) : (p ?? q));
  // `units` halves of a unit in r's last digit: what correctly rounded operations on exact operands may leave in r
  // (an exact 0 is exact: x − y rounds to 0 only where x = y). Counted only by the rounding-tracked decimals.
  const halfUnits = (r: Big, units: number): Big | null =>
    rounding && !r.isZero() && r.isFinite() ? new D(`${5 * units}e${r.e - digits}`) : null;
  const rounded = (r: Big, doubt: Big | null): Big => {
    if (rounding && !r.isZero() && r.isFinite()) work.notePeak(r.e);
    return carrying(r, plus(doubt, halfUnits(r, 1)));
  };
  const sum = (x: Big, y: Big, r: Big): Big => {
    watchedSum(work, digits, x, y, r);
    return rounded(r, plus(doubtOf(x), doubtOf(y)));
  };
  return {
    zero,
    one: new D(1),
    add: (a, b) => sum(a, b, a.add(b)),
    sub: (a, b) => sum(a, b, a.sub(b)),
    neg: (a) => carrying(a.neg(), doubtOf(a)),
    mul: (a, b) => {
      work.spend();
      const [da, db] = [doubtOf(a), doubtOf(b)];
      const r = a.mul(b);
      if (!da && !db) return rounded(r, null);
      // |a|·db + |b|·da + da·db
      return rounded(r, plus(plus(db && db.mul(a.abs()), da && da.mul(b.abs())), da && db && da.mul(db)));
    },
    // an instance's value or a float engine's result: the double itself (where its binary fraction has more digits,
    // its mantissa times 2^e, both rounded: three halves of a unit bound that); a constant the claim writes: its text
    fromNumber: (x) => {
      if (!Number.isFinite(x)) throw new SymbolicUnsupported(`${x} has no decimal value`);
      const r = decimalOfDouble(x, D);
      return carrying(r, halfUnits(r, 3));
    },
    constant: (x) => {
      if (!Number.isFinite(x)) throw new SymbolicUnsupported(`${x} has no decimal value`);
      return new D(x);
    },
    fromInexact: (x, doubt) => {
      if (!Number.isFinite(x)) throw new SymbolicUnsupported(`${x} has no decimal value`);
      const r = decimalOfDouble(x, D);
      return carrying(r, plus(r.abs().mul(doubt), halfUnits(r, 3)));
    },
    doubtOf,
    withDoubt: (a, doubt) => carrying(a, plus(doubtOf(a), doubt)),
    ownRounding: (a, units) => halfUnits(a, units),
    isZero: (a) => a.isZero(),
    constantOf: (a) => a.toNumber(),
    div: (a, b) => {
      if (b.isZero()) return null;
      const [da, db] = [doubtOf(a), doubtOf(b)];
      const r = a.div(b);
      if (!da && !db) return rounded(r, null);
      // (da + |a/b|·db) / (|b| − db): unbounded once b's doubt reaches its size
      const room = db ? b.abs().sub(db) : b.abs();
      const doubt = room.gt(0) ? plus(da, db && db.mul(r.abs()))!.div(room) : unbounded;
      return rounded(r, doubt);
    },
    key: (a) => a.toString(),
    ordered: {
      abs: (a) => carrying(a.abs(), doubtOf(a)),
      // |√(a + e) − √a| ≤ min(e / √a, √e)
      sqrt: (a) => {
        const da = doubtOf(a);
        const r = a.sqrt();
        if (!da) return rounded(r, null);
        const small = da.sqrt();
        return rounded(r, r.isZero() ? small : D.min(da.div(r), small));
      },
      lt: (a, b) => a.lt(b),
      toNumber: (a) => a.toNumber(),
      // |max(a*, b*) − max(a, b)| ≤ max(da, db): the larger value carries the larger doubt, whichever wins (picking
      // one of the two kept only the winner's: the false `max(i, 1, 2, …) * x <= …` was consistent, a review found)
      max: (a, b) => carrying(D.max(a, b), larger(doubtOf(a), doubtOf(b))),
      min: (a, b) => carrying(D.min(a, b), larger(doubtOf(a), doubtOf(b))),
      spectralRadius: (m) => decimalRho(work, D, m, doubtOf, carrying),
    },
  };
}

/**
 * ρ(A) in decimals (../../numeric/decimal-eigen.ts), carrying as its doubt how far it may lie from the spectral radius
 * of the matrix the entries stand for: Elsner's bound (a nearly defective matrix's eigenvalues move as the n-th root
 * of an entry's change) for the computation's backward error, and for the entries' own — their doubts (float64 values
 * they rest on), and their rounding here: what cancellation was noted to leave of them, and at least what it may leave
 * unnoted (NOTED_DECIMAL_CANCELLATION digits, and the operands' OPERAND_ERROR_DIGITS). With 40 digits that is 10⁻²²
 * of ‖A‖, whose 4th root is 3·10⁻⁶: decisions within reach of the doubt are taken again with 64 digits
 * (`roundingDoubt`), and a nilpotent matrix's ρ = 0 stays known only to within it — never a refutation. Where the
 * iteration does not converge, no rule.
 */
function decimalRho(
  work: WorkCounter,
  D: typeof Decimal,
  m: RMat<Big>,
  doubtOf: (a: Big) => Big | null,
  carrying: (r: Big, doubt: Big | null) => Big,
): Big {
  const n = m.rows;
  work.spend(FACTORIZATION_SWEEPS * n * n * n);
  const ev = decimalSpectralRadius(m.data, n, D);
  if (!ev) throw new SymbolicUnsupported(`rho: the QR iteration did not converge in ${D.precision}-digit decimals`);
  let [squares, doubtSquares] = [new D(0), new D(0)];
  for (const x of m.data) {
    squares = squares.plus(x.times(x));
    const e = doubtOf(x);
    if (e) doubtSquares = doubtSquares.plus(e.times(e));
  }
  const norm = squares.sqrt();
  const unnoted = 10 ** (NOTED_DECIMAL_CANCELLATION + OPERAND_ERROR_DIGITS - D.precision);
  const entryError = doubtSquares.sqrt().plus(norm.times(Math.max(work.lost, unnoted)));
  const error = decimalElsnerBound(ev.norm, ev.backward, n, D).plus(decimalElsnerBound(norm, entryError, n, D));
  if (!error.isZero()) work.noteRoundingDoubt();
  return carrying(ev.rho, error);
}

/** the larger of two doubts (null: none) */
const larger = (p: Big | null, q: Big | null): Big | null => (p && q ? (p.lt(q) ? q : p) : (p ?? q));

/** A rigorous lower bound of a supabs node's sup (src/numeric/sup.ts supLowerBound), or null. */
export type SupLowerBound = (n: OpNode) => number | null;

/**
 * The value of an expression from the float engine (null when it is not finite and in range), and the worst relative
 * precision the float engine noted on the way to it (src/numeric/lost-digits.ts; 0: nothing noted).
 */
export type FloatValue = (e: Expr, env: IntEnv) => { readonly value: Float64Array; readonly lost: number } | null;

/**
 * The relative precision of a float engine's value where it noted nothing lost: it notes cancellation from 2⁻³³ on
 * (src/numeric/lost-digits.ts, NOTED_CANCELLATION), so less than that may have gone unnoted.
 */
export const FLOAT_VALUE_DOUBT = 2 ** -33;

/**
 * How far (relative) float64's forward pass may have drifted from the decimals' for its values of functions of that
 * pass to be taken with FLOAT_VALUE_DOUBT: a function magnifying the drift up to 2⁷ times stays within it.
 */
const FORWARD_DRIFT_LIMIT = 2 ** -40;

/**
 * How many times an operation without a rule in decimals is taken to magnify what float64 lost on the way to its
 * operand (a power x^p: |p| times): a figure, not a bound — one magnifying more is a known gap (README).
 */
const LOST_DIGITS_GAIN = 2 ** 10;

/** The argument z of an equation name[t] = f(z), as the float engine's forward pass computed it (null: no such f). */
export type ActivationInput = (name: string, t: number) => Float64Array | null;

/** The closed form of a Jacobian `jac(h[t], W)` at a binding (src/check/extended-check.ts), or null where it has none. */
export type UnitJacobian = (jacobian: Expr, env: IntEnv) => Expr | null;

/**
 * What the float engine's forward pass lost on the way to its values (src/numeric/unrolled.ts: cancellation in the
 * model's elementwise sums, values in the subnormals): by step, the worst of every sequence up to it (`forwardLoss`),
 * and by value read (`lostAt`: a sequence at a time, the loss; a parameter lost nothing). 0: nothing noted.
 */
export interface ForwardLost {
  forwardLoss(t: number | null): number;
  lostAt(n: GraphNodeRef): number;
  /** what a derivative sweep from `from` read at `n` rests on: the values its derivatives read (Unrolled.sweepReadLoss) */
  sweepReadLoss(kind: 'tan' | 'adj', from: GraphNodeRef, n: GraphNodeRef): number;
}

/** A node of the unrolled graph: a sequence at a time, or (time null) a parameter or the loss. */
interface GraphNodeRef {
  readonly name: string;
  readonly time: number | null;
}

/** Why float64's value may not be what extended precision should start from: a subnormal entry, an entry 0. */
function floatDoubt(v: Float64Array): 'subnormal' | 'zero' | null {
  let zero = false;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a === 0) zero = true;
    else if (a < SMALLEST_NORMAL) return 'subnormal';
  }
  return zero ? 'zero' : null;
}

/** per model and sizes: the exact polynomial evaluator and which printed expressions it found identically 0 */
interface ZeroTests {
  readonly poly: PolyEvaluator;
  readonly zero: Map<string, boolean>;
}
const zeroTests = new WeakMap<Model, Map<string, ZeroTests>>();

/**
 * e (a scalar, e.g. a unit derivative) is the zero polynomial in the instance's entries and activation values at
 * these sizes: 0 on every instance. Refused expansions (budget, inexact coefficients) count as not shown.
 */
function identicallyZero(model: Model, sizes: IntEnv, e: Expr, env: IntEnv): boolean {
  let bySizes = zeroTests.get(model);
  if (!bySizes) zeroTests.set(model, (bySizes = new Map<string, ZeroTests>()));
  const sizesKey = JSON.stringify(sizes);
  let tests = bySizes.get(sizesKey);
  if (!tests)
    bySizes.set(sizesKey, (tests = { poly: new PolyEvaluator(model, sizes), zero: new Map<string, boolean>() }));
  const key = printExpr(e, env);
  let zero = tests.zero.get(key);
  if (zero === undefined) {
    try {
      const refuse = () => {
        throw new SymbolicUnsupported('an inexact coefficient');
      };
      const value = withExactBudget(() => withExactCoefficients(refuse, () => tests.poly.evaluate(e, env)));
      zero = value.data.every((p) => p.size === 0);
    } catch (error) {
      if (!(error instanceof SymbolicUnsupported)) throw error;
      zero = false;
    }
    tests.zero.set(key, zero);
  }
  return zero;
}

/** One kind of extended number: its ring, its activations and its budget. */
export interface ExtendedArithmetic<R> {
  readonly name: 'decimal' | 'deep-decimal' | 'wide-float' | 'interval';
  /** the arithmetic's numbers in the plural, as messages name them */
  readonly plural: string;
  ring(work: WorkCounter): Ring<R>;
  /** f(x) of a built-in activation with an extended rule (throws SymbolicUnsupported where there is none) */
  activation(spec: ActivationSpec, n: OpNode, x: R): R;
  /** the decimals' significant digits (absent: not decimals), for what log near 1 loses of them (`activation`) */
  readonly digits?: number;
  /** what one activation value costs, in products of this arithmetic */
  readonly activationCost: number;
  /** more digits of the same kind, for decisions that cancellation leaves open here (absent: the deepest) */
  readonly deeper?: ExtendedArithmetic<R>;
  /**
   * the same numbers with every value carrying a bound on the rounding of the operations that made it (half a unit in
   * the last digit of each, accumulated as the doubts of float64 values are): a running error analysis, which tells a
   * difference between the sides that rounding can make from one it cannot (src/check/extended-check.ts
   * `mayHoldWithinRounding`); absent where the arithmetic has none, or is it
   */
  readonly roundingTracked?: ExtendedArithmetic<R>;
  /** this arithmetic counts its own rounding in doubts (the values are those of the arithmetic it tracks) */
  readonly tracksRounding?: true;
  readonly workLimit: number;
  /** what one of its products costs against a float64 multiply-add, charged to the claim's work meter (../../numeric/work-meter.ts) */
  readonly productCost: number;
  /** what one unit of work is, for the budget's message */
  readonly unit: string;
  /** sequence values from the float engine where they are in range (as precise as this arithmetic) */
  readonly floatSequences: boolean;
  /**
   * x with 1 − |x| known to be `complement` (a value near ±1 of tanh or σ, from its argument): where the arithmetic
   * can carry it (wide floats); absent, float64's value near ±1 is taken as it is.
   */
  readonly nearOne?: (x: R, complement: number) => R;
  /** a value as shown in reports (6 significant digits, as decimal.js prints them) */
  /** x with this many significant digits (at most what the numbers hold) */
  readonly preview: (x: R, digits: number) => string;
  readonly isFinite: (x: R) => boolean;
  /** the ring without a budget, for comparing the two sides once evaluated */
  readonly plain: Ring<R>;
  /** values are enclosures (intervals): nothing is taken from the float engine, whose values are only estimates */
  readonly enclosures?: true;
}

function decimalArithmetic(
  name: 'decimal' | 'deep-decimal',
  plural: string,
  D: typeof Decimal,
  activationCost: number,
  deeper?: ExtendedArithmetic<Big>,
  tracksRounding = false,
): ExtendedArithmetic<Big> {
  return {
    name,
    plural,
    ring: (work) => decimalRing(work, D, tracksRounding),
    ...(tracksRounding
      ? { tracksRounding: true as const }
      : { roundingTracked: decimalArithmetic(name, plural, D, activationCost, undefined, true) }),
    activation: (spec, _n, x) => spec.big!(x, D),
    digits: D.precision,
    activationCost,
    ...(deeper ? { deeper } : {}),
    workLimit: EXTENDED_WORK_LIMIT,
    productCost: DECIMAL_PRODUCT_COST,
    unit: name,
    floatSequences: false,
    preview: (x, digits) => x.toSignificantDigits(digits).toString(),
    isFinite: (x) => x.isFinite(),
    plain: decimalRing(new WorkCounter(Infinity, name), D, tracksRounding),
  };
}

/**
 * An activation at 64 digits costs about 1.5× what it does at 40 (tanh + exp: 100–120 → 150–160 µs); charged at
 * twice, so the budget's bound on time errs on the safe side.
 */
export const DEEP_DECIMALS = decimalArithmetic(
  'deep-decimal',
  `${DEEP_DECIMAL_DIGITS}-digit decimals`,
  decimalsOf(DEEP_DECIMAL_DIGITS),
  16,
);
export const DECIMALS = decimalArithmetic('decimal', 'decimals', BigDecimal, 8, DEEP_DECIMALS);

const noUserRule = (): never => {
  throw new SymbolicUnsupported('a user function has no wide-float rule');
};

export const WIDE_FLOATS: ExtendedArithmetic<WideFloat> = {
  name: 'wide-float',
  plural: 'wide-floats',
  activationCost: 8,
  ring: (work) =>
    wideFloatRing(
      (n) => work.spend(n),
      (precision) => work.noteLoss(precision),
    ),
  activation: (spec, n, x) => wideActivation(spec.rule(n, noUserRule).value, x, spec.complement),
  workLimit: WIDE_WORK_LIMIT,
  productCost: WIDE_PRODUCT_COST,
  unit: 'wide-float',
  floatSequences: true,
  nearOne,
  // a float64 mantissa holds 17 digits
  preview: (x, digits) => wideToDecimal(x, PreviewDecimal).toSignificantDigits(Math.min(digits, 17)).toString(),
  isFinite: (x) => Number.isFinite(x.m),
  plain: wideFloatRing(() => {}),
};

const noIntervalRule = (): never => {
  throw new SymbolicUnsupported('a user function has no interval rule');
};

/** Intervals (./interval.ts): enclosures at a few float operations per product, budgeted like the wide floats. */
export const INTERVALS: ExtendedArithmetic<Interval> = {
  name: 'interval',
  plural: 'intervals',
  activationCost: 8,
  ring: (work) => intervalRing((n, subnormal) => work.spend(n, false, subnormal ? SUBNORMAL_PRODUCT_COST : 1)),
  activation: (spec, n, x) => {
    if (spec.exactRange) return intervalOf(...spec.exactRange(x.lo, x.hi));
    if (!spec.increasing) throw new SymbolicUnsupported(`${n.op} has no interval rule`);
    return intervalActivation(spec.rule(n, noIntervalRule).value, spec.increasing.range, x);
  },
  workLimit: WIDE_WORK_LIMIT,
  productCost: WIDE_PRODUCT_COST,
  unit: 'interval',
  floatSequences: false,
  preview: intervalPreview,
  isFinite: isFiniteInterval,
  plain: intervalRing(() => {}),
  enclosures: true,
};

/**
 * One forward step as a claim simulating it met it: the charges to its work budget (numbers) and the values it
 * stored (in order), then the error that stopped the step, if one did. Recorded with the budget off; a claim
 * replays it (./extended.ts, ExtendedDomain.sequence) and pays, stores and fails exactly as computing it would.
 */
interface StepTrail<R> {
  readonly events: readonly (number | { readonly key: string; readonly value: RMat<R> })[];
  /** what cancellation left in the step's values (WorkCounter.lost, .cancelledToZero), noted again on replay */
  readonly loss: StepLoss;
  readonly failed: boolean;
  readonly error?: unknown;
}

/**
 * Forward steps shared by every claim on one instance (the pool's instances serve a file's claims, and repair
 * candidates): by instance data, then arithmetic (by name), whether products are chained and the sizes. Each claim
 * still pays its own budget for every step it reads (it replays the step's trail), so its outcome, budget failures
 * included, is the one it gets alone. Kept while the instance data lives, and only for instances of at most
 * 20,000 sequence entries (T × the equations' entries; a few MB of decimals): a larger one is simulated per claim,
 * charged as it goes, as before.
 */
const sharedSteps = new WeakMap<InstanceData, Map<string, StepTrail<unknown>[]>>();
let sharedForwardValues = 20_000;

/** Set the size limit of shared forward steps (tests: 0 simulates every step per claim, live); returns the previous one. */
export function shareForwardStepsUpTo(values: number): number {
  const previous = sharedForwardValues;
  sharedForwardValues = values;
  return previous;
}

class ExtendedDomain<R> implements ExactDomain<R> {
  readonly indices = 'concrete' as const;
  readonly shapes = 'concrete' as const;
  readonly ring: Ring<R>;
  /** sequence values by name@time, simulated (or read from the float engine) once */
  private readonly values: KeptValues<R>;
  private computedUpTo = 0;
  /** the forward steps every claim on this instance shares (null: too large to keep) */
  private readonly steps: StepTrail<R>[] | null;
  /** values of the step being recorded, before its trail is replayed into `values` */
  private recording: Map<string, RMat<R>> | null = null;

  constructor(
    private readonly arithmetic: ExtendedArithmetic<R>,
    private readonly model: Model,
    private readonly sizes: IntEnv,
    private readonly data: InstanceData,
    private readonly dactExpression: (name: string, time: Seq['time']) => Expr,
    private readonly floatValue: FloatValue,
    private readonly work: WorkCounter,
    readonly chainsProducts: boolean,
    private readonly activationInput: ActivationInput | null,
    private readonly forwardLost: ForwardLost | null,
    /** the sequences whose values the float engine's derivatives read (null: take every sequence as read) */
    private readonly derivativeReads: ReadonlySet<string> | null,
    /** a Jacobian's closed form at a binding (null: none), for unit-level derivatives (absent: from float64) */
    private readonly unitJacobian: UnitJacobian | null,
    /** a rigorous lower bound of a supabs node's sup where the claim may use one (null: none) */
    private readonly supBound: SupLowerBound | null,
  ) {
    this.ring = arithmetic.ring(work);
    this.values = new KeptValues(this.ring);
    this.steps = this.sharedSteps();
  }

  private sharedSteps(): StepTrail<R>[] | null {
    const T = this.sizes.T ?? 0;
    let entries = 0;
    for (const eq of this.model.equations) entries += this.symbolDims(eq.target)[0] * this.symbolDims(eq.target)[1];
    if (T * entries > sharedForwardValues) return null;
    let byKey = sharedSteps.get(this.data);
    if (!byKey) sharedSteps.set(this.data, (byKey = new Map<string, StepTrail<unknown>[]>()));
    // The arithmetic by name (its ring and rules; not its budget, which trails leave to the claim replaying them),
    // and whether steps from the float engine get complements (their values differ by them).
    const complements = this.activationInput ? 'complements' : '';
    const rounding = this.arithmetic.tracksRounding ? 'rounding' : '';
    const key = `${this.arithmetic.name}|${rounding}|${this.chainsProducts}|${complements}|${JSON.stringify(this.sizes)}`;
    let steps = byKey.get(key);
    if (!steps) byKey.set(key, (steps = []));
    return steps as StepTrail<R>[];
  }

  /**
   * Step `step` of the forward pass, with the budget off: what it charges and stores, in order (the values go to
   * `recording`, where the step's later equations read them, not to `values`).
   */
  private recordStep(step: number): StepTrail<R> {
    const events: (number | { key: string; value: RMat<R> })[] = [];
    const charged = () => {
      const n = this.work.takeRecorded();
      if (n) events.push(n);
    };
    const store = (key: string, value: RMat<R>) => {
      charged();
      events.push({ key, value });
      this.recording!.set(key, value);
    };
    this.recording = new Map();
    this.work.startRecording();
    try {
      this.simulateStep(step, store);
      charged();
      return { events, loss: this.work.takeRecordedLoss(), failed: false };
    } catch (error) {
      // A claim's work limit is that claim's, not the step's: no trail is kept (a trail replays its error to every later
      // reader of the instance — another claim, a repair candidate — which then failed with this claim's limit).
      if (error instanceof WorkLimitExceeded) throw error;
      charged();
      return { events, loss: this.work.takeRecordedLoss(), failed: true, error };
    } finally {
      this.work.stopRecording();
      this.recording = null;
    }
  }

  /** Every equation's value at this step, stored in order (charged to the budget as it goes, unless recording). */
  private simulateStep(step: number, store: (key: string, value: RMat<R>) => void): void {
    const floats = this.arithmetic.floatSequences ? this.floatStep(step) : null;
    let ev: ExactEvaluator<R> | null = null;
    const simulated = (eq: Model['equations'][number]) =>
      (ev ??= new ExactEvaluator<R>(this, { ...this.sizes, [TIME_VAR]: step })).evaluate(eq.rhs);
    const outer = this.simulating;
    this.simulating = step;
    try {
      // In order: an equation simulated here reads the step's earlier values, taken or simulated, as they are stored.
      this.model.equations.forEach((eq, e) => store(`${eq.target}@${step}`, floats?.[e] ?? simulated(eq)));
    } finally {
      this.simulating = outer;
    }
  }

  /** the step being simulated (null: none): the drift of float64's pass is known only before it (forwardDrift) */
  private simulating: number | null = null;

  /** A step's trail charged to this claim's budget and its values stored, as computing the step would. */
  private replay(trail: StepTrail<R>): void {
    for (const e of trail.events) {
      if (typeof e === 'number') this.work.spend(e, true);
      else this.values.set(e.key, e.value);
    }
    this.work.noteStepLoss(trail.loss);
    if (trail.failed) throw trail.error;
  }

  private vector(v: Float64Array, rows: number, cols = 1): RMat<R> {
    return rfill(rows, cols, (i, j) => this.ring.fromNumber(v[i * cols + j]!));
  }

  /** each symbol's dimensions at this domain's sizes, inferred once: every leaf read asks again */
  private readonly dimsBySymbol = new Map<string, [number, number]>();
  private symbolDims(name: string): [number, number] {
    let dims = this.dimsBySymbol.get(name);
    if (!dims) this.dimsBySymbol.set(name, (dims = dimsIn(this.model, { kind: 'sym', name }, this.sizes)));
    return dims;
  }

  /**
   * Sequence values at time t, simulating the model forward as far as needed. Wide floats take a step's
   * values from the float engine's forward pass where they are all in range there: they carry float64's
   * precision either way, and only products of Jacobians leave the range.
   */
  private sequence(name: string, t: number): RMat<R> {
    const input = this.data.inputs.get(name);
    const [rows] = this.symbolDims(name);
    // A time the instance has no value for (an intermediate at 0, an input outside 1..T) is not a value
    // this arithmetic can supply: the point stays undecided, as the float engine's would.
    if (input) {
      if (!input[t]?.length) throw new SymbolicUnsupported(`${name}[${t}] is outside the inputs`);
      return this.vector(input[t], rows);
    }
    if (t === 0) {
      const initial = this.data.initial.get(name);
      if (!initial) throw new SymbolicUnsupported(`${name}[0] has no initial value`);
      return this.vector(initial, rows);
    }
    const T = this.sizes.T!;
    if (t < 0 || t > T) throw new SymbolicUnsupported(`${name}[${t}] is outside the unrolled graph`);
    const known = this.recording?.get(`${name}@${t}`) ?? this.values.get(`${name}@${t}`);
    if (known) return known;
    if (this.recording) throw new SymbolicUnsupported(`${name}[${t}] is read before its step is simulated`);
    // Equations are in dependency order: each step's values are stored as they are computed, so a
    // same-step read (h[t] = o[t] .* tanh(C[t])) finds the earlier ones. Steps are recorded once per instance
    // (where it is small enough to keep them) and replayed by every claim that reads them.
    while (this.computedUpTo < t) {
      const step = this.computedUpTo + 1;
      if (!this.steps) this.simulateStep(step, (key, value) => this.values.set(key, value));
      else {
        let trail = this.steps[step];
        if (!trail) this.steps[step] = trail = this.recordStep(step);
        this.replay(trail);
      }
      this.computedUpTo = step;
    }
    return this.values.get(`${name}@${t}`)!;
  }

  /**
   * Every equation's value at this step from the float engine, or null when one is out of its range or has an
   * entry float64 may have rounded to 0 or to a subnormal (a gate σ(−800) is 0 there, e^-800 here).
   */
  private floatStep(step: number): (RMat<R> | null)[] | null {
    const out: (RMat<R> | null)[] = [];
    const at = nameRecord([[TIME_VAR, step]]);
    for (const eq of this.model.equations) {
      // A value the float engine's forward pass lost digits on the way to (its own equation's cancellation or
      // subnormals at this step, or any upstream of it: ForwardLost) is simulated here instead (null): wide floats
      // copying float64's g = (1 + 3e-16) − 1 = 2.2e-16 passed a false claim. What does not depend on it is taken.
      if (this.forwardLost && this.forwardLost.lostAt({ name: eq.target, time: step }) > 0) {
        out.push(null);
        continue;
      }
      const v = this.floatValue(this.stepValue(eq.target), at)?.value;
      if (!v || floatDoubt(v)) return null;
      this.work.spend(v.length);
      out.push(this.withComplements(eq, step, v, this.vector(v, this.symbolDims(eq.target)[0])));
    }
    return out;
  }

  /**
   * Does float64's value of `e` at `env` rest on a forward value that lost digits (ForwardLost)? It does where it
   * reads a sequence, or the loss, that lost any, and where a derivative through the unrolled graph does: its
   * sweeps rest on the values their steps' derivatives read (either way, rows or columns: `sweepReadLoss`), not on
   * its `of` and `wrt` nodes' values (a loss `sum(…)` that cancels leaves its gradient exact). A sequence at a time
   * not bound here (a variable of a sum inside `e`) counts the whole forward pass's. A parameter, a number, a sup over
   * a real variable: nothing.
   */
  private readsLostForward(e: Expr, env: IntEnv): boolean {
    const lost = this.forwardLost;
    if (!lost) return false;
    const nodeAt = (x: Expr): GraphNodeRef | null => {
      if (x.kind === 'sym') return { name: x.name, time: null };
      if (x.kind !== 'seq') return null;
      const t = boundValue(x.time, env);
      return t === undefined ? null : { name: x.name, time: t };
    };
    const stack: Expr[] = [e];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.kind === 'op' && specOf(x).graphDerivative) {
        const [of, wrt] = [nodeAt(x.args[0]!), nodeAt(x.args[1]!)];
        // a node at a time not bound here: the whole forward pass's figure
        if (!of || !wrt) return true;
        if (Math.max(lost.sweepReadLoss('adj', of, wrt), lost.sweepReadLoss('tan', wrt, of)) > 0) return true;
        continue;
      }
      if (x.kind === 'seq') {
        const t = boundValue(x.time, env);
        if ((t === undefined ? lost.forwardLoss(null) : lost.lostAt({ name: x.name, time: t })) > 0) return true;
      }
      if (x.kind === 'sym' && lost.lostAt({ name: x.name, time: null }) > 0) return true;
      if (x.kind === 'op') for (const c of x.args) stack.push(c);
    }
    return false;
  }

  /**
   * `name[t]`, one expression per sequence for every step (bound to the step when read): the float engine plans an
   * expression once (its content key, its memo table), so a new `name[step]` at every step would be planned again.
   */
  private readonly stepValues = new Map<string, Expr>();
  private stepValue(name: string): Expr {
    let e = this.stepValues.get(name);
    if (!e) this.stepValues.set(name, (e = seq(name, affineVar(TIME_VAR))));
    return e;
  }

  /**
   * A step's value of an equation h = f(z) whose f has a complement rule (tanh, σ), each entry near ±1 carrying
   * 1 − |h| from z where the arithmetic can carry it: 1 − h² is then known where h is ±1 in float64. z is the
   * forward pass's own, and only where f(z) is float64's h to the bit, so the complement is that of the value it
   * goes with.
   */
  private withComplements(eq: Model['equations'][number], step: number, v: Float64Array, value: RMat<R>): RMat<R> {
    const { rhs } = eq;
    const mark = this.arithmetic.nearOne;
    const spec = rhs.kind === 'op' ? specOf(rhs).activation : undefined;
    if (!mark || !spec?.complement || rhs.kind !== 'op' || !this.activationInput) return value;
    const z = this.activationInput(eq.target, step);
    if (!z || z.length !== v.length) return value;
    const f = spec.rule(rhs, noUserRule).value;
    const complement = spec.complement;
    return { ...value, data: value.data.map((x, i) => (f(z[i]!) === v[i] ? mark(x, complement(z[i]!)) : x)) };
  }

  /**
   * The parameters in this arithmetic, converted once: the forward pass reads W at every step, and a decimal from a
   * double goes through its text (4.4 s of the 14.8 s of a saturated instance of the lab's eq. (1) at T = 1024,
   * d = 64). Values here are never changed in place; converting charges no work, so reading again charges none either.
   */
  private readonly paramValues = new Map<string, RMat<R>>();

  leaf(e: Leaf, ctx: ExactContext<R>): RMat<R> {
    if (e.kind === 'seq') return this.sequence(e.name, ctx.int(e.time));
    if (e.kind === 'rvar' && this.real?.name === e.name) return rscalar(this.real.value);
    if (e.kind === 'sym') {
      const p = this.data.params.get(e.name);
      if (p) {
        let value = this.paramValues.get(e.name);
        if (!value) {
          const [rows, cols] = this.symbolDims(e.name);
          this.paramValues.set(e.name, (value = this.vector(p, rows, cols)));
        }
        return value;
      }
    }
    return this.fromFloat(e, ctx);
  }

  /**
   * What has no rule here (a derivative without a closed form, a sup, a user function) comes from the float
   * engine, if it is in range there and every entry carries float64's precision. An entry exactly 0 may be a
   * value that underflowed or cancelled on the way (σ′(40) = σ(1 − σ) is 0 in float64, its value 4.2e-18): it is
   * taken only where `vouchedZero` shows it is 0 whatever the instance; a subnormal entry has lost digits.
   */
  private fromFloat(e: Expr, ctx: ExactContext<R>, vouchedZero?: () => boolean): RMat<R> {
    const what = e.kind === 'op' ? e.op : e.kind;
    // inside a declared function's body (declaredFunction) the float engine has no value: it does not bind x
    if (this.real)
      throw new SymbolicUnsupported(`${what} in the body of a declared function has no rule in extended precision`);
    if (this.arithmetic.enclosures) {
      // A value 0 on every instance is its own exact enclosure; any other float64 value encloses nothing.
      if (vouchedZero?.()) {
        const [rows, cols] = dimsIn(this.model, e, ctx.env);
        return rfill(rows, cols, () => this.ring.zero);
      }
      throw new SymbolicUnsupported(`${what} has no interval rule (a float64 value is no enclosure)`);
    }
    if (this.readsLostForward(e, ctx.env)) {
      // A value 0 on every instance is exact whatever float64's forward pass computed.
      if (vouchedZero?.()) {
        const [rows, cols] = dimsIn(this.model, e, ctx.env);
        return rfill(rows, cols, () => this.ring.zero);
      }
      throw new SymbolicUnsupported(
        `${what} has no rule in extended precision, and float64's value rests on forward values that lost digits (to cancellation or the subnormals)`,
      );
    }
    const float = this.floatValue(e, ctx.env);
    if (!float) throw new SymbolicUnsupported(`${what} is out of float range and has no rule in extended precision`);
    const { value: v, lost } = float;
    const doubt = floatDoubt(v);
    if (doubt === 'subnormal')
      throw new SymbolicUnsupported(
        `${what} is subnormal in float64 (digits lost) and has no rule in extended precision`,
      );
    if (doubt === 'zero' && !vouchedZero?.())
      throw new SymbolicUnsupported(
        `${what} is 0 in float64, which may be an underflow or a cancellation, and has no rule in extended precision`,
      );
    const [rows, cols] = dimsIn(this.model, e, ctx.env);
    this.work.spend(v.length);
    const { fromInexact } = this.ring;
    // Float64's value is good to 2⁻³³ where the float engine noted nothing lost: the decimals carry that beside it, an
    // arithmetic that cannot (wide floats) counts it as precise as its own values and takes it only there.
    if (fromInexact) {
      // float64's value is of float64's own forward pass: taken only where that pass is still the decimals' one (for a
      // derivative, the pass of the sequences its sweeps read: a sum that cancels elsewhere drifts only itself)
      const { horizon, derivativesOnly } = this.horizonOf(e, ctx.env);
      const drift = horizon > 0 ? this.forwardDrift(horizon, derivativesOnly ? this.derivativeReads : null) : 0;
      if (drift > FORWARD_DRIFT_LIMIT)
        throw new SymbolicUnsupported(
          `${what} has no rule in extended precision, and float64's value of it rests on float64's forward pass, which is ${drift.toPrecision(2)} away from the decimals' by step ${horizon} (relative)`,
        );
      // What float64 noted lost on the way is a figure of the values on the way, not of this one: an operation without
      // a rule here may magnify it (((1 + 1e-12) − 1)^4.5 is 4.5 times as coarse as the difference; the false
      // `((1 + 1e-12) - 1)^4.5 * x >= 1.0001e-54 * x` was consistent, taken with the figure itself)
      // (magnified past its own size, the value bounds nothing: unbounded)
      const magnified = LOST_DIGITS_GAIN * lost;
      const doubt = magnified >= 1 ? Infinity : Math.max(FLOAT_VALUE_DOUBT, magnified);
      return rfill(rows, cols, (i, j) => fromInexact(v[i * cols + j]!, doubt));
    }
    if (lost > 0)
      throw new SymbolicUnsupported(
        `${what} has no rule in extended precision, and float64's value of it lost digits on the way (relative precision ${lost.toPrecision(2)})`,
      );
    return this.vector(v, rows, cols);
  }

  /**
   * The last step of the forward pass float64's value of `e` rests on: a sequence's time, T where a time is not bound
   * here or the value is a derivative or the loss (they read the pass up to T); 0 where it reads none (parameters).
   * `derivativesOnly`: what it reads of the pass it reads through derivatives alone (their sweeps read the sequences
   * `derivativeReads` names), not a sequence's or the loss's value.
   */
  private horizonOf(e: Expr, env: IntEnv): { horizon: number; derivativesOnly: boolean } {
    const T = this.sizes.T ?? 0;
    let horizon = 0;
    let derivativesOnly = true;
    const stack: Expr[] = [e];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.kind === 'op' && specOf(x).graphDerivative) {
        // its `of` and `wrt` are nodes its sweeps start and end at, not values they read
        horizon = T;
        continue;
      }
      if (x.kind === 'seq') {
        horizon = Math.max(horizon, boundValue(x.time, env) ?? T);
        derivativesOnly = false;
      } else if (x.kind === 'sym' && x.name === this.model.loss?.name) {
        horizon = T;
        derivativesOnly = false;
      } else if (x.kind === 'op') for (const c of x.args) stack.push(c);
    }
    return { horizon: Math.min(horizon, T), derivativesOnly };
  }

  /**
   * driftUpTo[e][t]: the largest relative gap between float64's values of equation e and the decimals' at steps 1..t
   * (equations in the model's order)
   */
  private readonly driftUpTo: number[][] = [];

  /**
   * How far float64's forward pass has drifted from this arithmetic's own by step t: the largest relative gap of any
   * entry of any equation's value at steps 1..t (each step simulated here as for any read; a value float64 cannot
   * give counts as unbounded), among the sequences `names` (null: every one). On a chaotic trajectory (a Lyapunov
   * exponent of 0.48 a step) the two passes are unrelated by T = 150, and float64's value of a function of its own
   * pass says nothing of the decimals'.
   */
  private forwardDrift(t: number, names: ReadonlySet<string> | null): number {
    const { toNumber } = this.ring.ordered!;
    const equations = this.model.equations;
    // inside a step's simulation only the steps before it are known (reading the step itself would simulate it again)
    if (this.simulating !== null) t = Math.min(t, this.simulating - 1);
    if (!this.driftUpTo.length) for (let e = 0; e < equations.length; e++) this.driftUpTo.push([0]);
    for (let step = this.driftUpTo[0]?.length ?? t + 1; step <= t; step++) {
      const at = nameRecord([[TIME_VAR, step]]);
      let failed = false;
      equations.forEach((eq, e) => {
        const upTo = this.driftUpTo[e]!;
        let worst = upTo[step - 1]!;
        // a value float64 cannot give leaves it, and the equations after it at this step, unbounded
        const exact = failed ? null : this.sequence(eq.target, step).data;
        const float = exact && this.floatValue(this.stepValue(eq.target), at)?.value;
        if (!exact || !float || float.length !== exact.length) {
          failed = true;
          worst = Infinity;
        } else
          for (let i = 0; i < float.length; i++) {
            const x = toNumber(exact[i]!);
            const gap = x === float[i] ? 0 : Math.abs(float[i]! - x) / Math.abs(x);
            if (!(gap <= worst)) worst = Number.isNaN(gap) ? Infinity : gap;
          }
        upTo.push(worst);
      });
    }
    let drift = 0;
    equations.forEach((eq, e) => {
      if (!names || names.has(eq.target)) drift = Math.max(drift, this.driftUpTo[e]![t] ?? 0);
    });
    return drift;
  }

  opaque(n: OpNode, ctx: ExactContext<R>): RMat<R> {
    return this.fromFloat(n, ctx);
  }
  supLowerBound(n: OpNode): number | null {
    return this.supBound?.(n) ?? null;
  }
  unitAtom(n: OpNode, ctx: ExactContext<R>): RMat<R> {
    return this.fromFloat(n, ctx);
  }
  activation(n: OpNode, ctx: ExactContext<R>, arg: () => RMat<R>): RMat<R> {
    const spec = specOf(n).activation;
    const declared = n.name ? this.model.functions.get(n.name) : undefined;
    if (!spec?.big && declared) return this.declaredFunction(declared, arg());
    if (!spec?.big) return this.fromFloat(n, ctx);
    const z = arg();
    this.work.spend(z.data.length * this.arithmetic.activationCost);
    const { doubtOf, withDoubt, ownRounding } = this.ring;
    const { digits } = this.arithmetic;
    const { magnification } = spec.rule(n, noUserRule);
    return {
      ...z,
      data: z.data.map((x) => {
        const y = this.arithmetic.activation(spec, n, x);
        if (digits !== undefined && magnification) this.noteMagnifiedRounding(magnification, x, y, digits);
        const doubt = doubtOf?.(x);
        const own = ownRounding?.(y, ACTIVATION_ROUNDING_UNITS) ?? null;
        if (!withDoubt || (!doubt && !own)) return y;
        if (!doubt) return withDoubt(y, own!);
        this.work.spend(2 * this.arithmetic.activationCost);
        const swing = this.swing(spec, n, x, y, doubt);
        return withDoubt(y, own ? this.ring.add(swing, own) : swing);
      }),
    };
  }

  /**
   * How far f may move over x ± e: every activation with a rule here is monotone (|x| is, on each side of 0, and moves
   * by at most e), so its farthest value lies at an end; refused where an end leaves f's domain (log, √ below 0).
   */
  /**
   * What x's rounding in the decimals becomes through a function that magnifies it (log near 1: 1/|log x| times),
   * noted as a sum's cancellation is (watchedSum), so that a decision resting on it is taken again with more digits:
   * log(1 + e^-70) keeps 10 of 40 digits, and the true `logsumexp([0; -70]) * c = exp(-70) * c` was refuted, a review
   * found.
   */
  private noteMagnifiedRounding(magnification: (x: number, y: number) => number, x: R, y: R, digits: number): void {
    const { toNumber } = this.ring.ordered!;
    const factor = magnification(toNumber(x), toNumber(y));
    const lostDigits = Math.log10(factor) + 1;
    if (!(lostDigits >= NOTED_DECIMAL_CANCELLATION)) return;
    this.work.noteLoss(Math.min(1, 10 ** (lostDigits - digits)));
  }

  private swing(spec: ActivationSpec, n: OpNode, x: R, y: R, e: R): R {
    const plain = this.arithmetic.plain;
    const { abs, lt } = plain.ordered!;
    const ends = [plain.sub(x, e), plain.add(x, e)].map((t) => this.arithmetic.activation(spec, n, t));
    if (!ends.every(this.arithmetic.isFinite))
      throw new SymbolicUnsupported(`${n.op}'s argument, known to within its float64 doubt, may leave its domain`);
    const [below, above] = ends.map((f) => abs(plain.sub(f, y)));
    return lt(below!, above!) ? above! : below!;
  }

  /**
   * A function the file declares, entry by entry through its body in this arithmetic (f(x) = 1 − tanh(x) at x = 14
   * keeps its digits here; float64's value, 8e-5 off, refuted a true claim when it was taken instead). Each entry is
   * evaluated afresh: the exact evaluator memoises by content key, which does not see the real variable's value.
   */
  private declaredFunction(f: UserFunction, z: RMat<R>): RMat<R> {
    const outer = this.real;
    try {
      return {
        ...z,
        data: z.data.map((x) => {
          this.real = { name: f.variable, value: x };
          return new ExactEvaluator(this, this.sizes).evaluate(f.value).data[0]!;
        }),
      };
    } finally {
      this.real = outer;
    }
  }

  /** the real variable of the declared function being evaluated, and its value (null: none) */
  private real: { readonly name: string; readonly value: R } | null = null;

  dactOf(value: Seq, ctx: ExactContext<R>): RMat<R> {
    return ctx.eval(this.dactExpression(value.name, value.time));
  }
  unitDerivative(n: OpNode, ctx: ExactContext<R>): RMat<R> {
    // Where float64's value lost digits on the way (its sweep read σ′ = σ(1 − σ) at a saturated gate, good to 2
    // digits there), the entry of the Jacobian's closed form, computed here: it has its digits.
    const closed = this.unitJacobian && (this.floatValue(n, ctx.env)?.lost ?? 1) > 0 ? this.closedUnit(n, ctx) : null;
    if (closed) return closed;
    // ∂h_c[t]/∂W_ij with c ≠ i is 0 for every instance: the exact polynomial says so (not float64's rounding).
    return this.fromFloat(n, ctx, () => identicallyZero(this.model, this.sizes, n, ctx.env));
  }

  /** ∂h_t^α/∂w_ij as its entry of ∂h_t/∂W's closed form (unitDerivativeAsEntry), or null where there is none. */
  private closedUnit(n: OpNode, ctx: ExactContext<R>): RMat<R> | null {
    const at = unitDerivativeAsEntry(
      n,
      (ix) => ctx.index(ix),
      (name) => this.symbolDims(name),
    );
    if (!at) return null;
    const { of, wrt, row, col } = at;
    const form = this.unitJacobian!(node('jac', [of, wrt]), ctx.env);
    if (!form) return null;
    const J = ctx.eval(form);
    if (row < 1 || row > J.rows || col < 1 || col > J.cols) return null;
    return rscalar(J.data[(row - 1) * J.cols + col - 1]!);
  }
  dims(e: Expr, env: IntEnv): [number, number] {
    return dimsIn(this.model, e, env);
  }
}

/** Everything extended-precision evaluation of one instance needs, shared by one claim's points on it (src/check/extended-check.ts, ExtendedScope). */
export class ExtendedInstance<R> {
  private readonly work: WorkCounter;
  private readonly evaluator: ExactEvaluator<R>;
  constructor(
    readonly arithmetic: ExtendedArithmetic<R>,
    model: Model,
    sizes: IntEnv,
    data: InstanceData,
    dactExpression: (name: string, time: Seq['time']) => Expr,
    floatValue: FloatValue,
    /** products times vectors walked from the vector and memoised across lags (off: each built in full, for tests) */
    chainsProducts = true,
    /** where the float engine's steps are taken, tanh and σ values near ±1 get complements from it (absent: none) */
    activationInput: ActivationInput | null = null,
    /**
     * what the float engine's forward pass lost (absent: nothing): no value resting on lost digits is taken from it,
     * such steps are simulated here, and such a value without a rule here has none
     */
    forwardLost: ForwardLost | null = null,
    /** the sequences whose values the float engine's derivatives read (absent: every sequence counts as read) */
    derivativeReads: ReadonlySet<string> | null = null,
    /** a Jacobian's closed form at a binding (absent: unit-level derivatives come from float64 alone) */
    unitJacobian: UnitJacobian | null = null,
    /**
     * a rigorous lower bound of a supabs node's sup, for a claim nondecreasing in its sups (absent: a sup other than an
     * activation's has no interval rule)
     */
    supLowerBound: SupLowerBound | null = null,
  ) {
    this.work = new WorkCounter(arithmetic.workLimit, arithmetic.unit, arithmetic.productCost);
    this.evaluator = new ExactEvaluator(
      new ExtendedDomain(
        arithmetic,
        model,
        sizes,
        data,
        dactExpression,
        floatValue,
        this.work,
        chainsProducts,
        activationInput,
        forwardLost,
        derivativeReads,
        unitJacobian,
        supLowerBound,
      ),
      sizes,
    );
  }
  /** The value of an expression (derivatives already replaced by closed forms where they have them). */
  evaluate(e: Expr, env: IntEnv): RMat<R> {
    return this.evaluator.evaluate(e, env);
  }
  get workUsed(): number {
    return this.work.used;
  }
  /** the worst relative precision cancellation left in any value evaluated so far (0: none noted) */
  get lostPrecision(): number {
    return this.work.lost;
  }
  /** a value carries a doubt from the arithmetic's own rounding (WorkCounter.roundingDoubt) */
  get roundingDoubt(): boolean {
    return this.work.roundingDoubt;
  }
  /** the largest decimal exponent of a value computed so far (rounding-tracked decimals; −∞ otherwise) */
  get peakExponent(): number {
    return this.work.peakExponent;
  }
  /** a sum of nonzero terms came out exactly 0 in anything evaluated so far */
  get cancelledToZero(): boolean {
    return this.work.cancelledToZero;
  }
  get ring(): Ring<R> {
    return this.evaluator.domain.ring;
  }
}
