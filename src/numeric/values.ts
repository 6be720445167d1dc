/**
 * Runtime values of claim expressions: dense arrays, and lazy linear
 * operators for everything that must not be materialised (diag(v), ordered
 * products, Jacobians of the unrolled graph). Operators are applied to
 * vectors; results are memoised on (factor, vector) pairs by the vector's
 * identity — that is what shares work between lags.
 */
import { matMul, matTVec, matVec } from './linalg.js';
import {
  addedLoss,
  cancellationOf,
  closedOwnPrecision,
  closeOwnRecord,
  lostPrecisionOf,
  matMulCancellation,
  matTVecCancellation,
  matVecCancellation,
  noteCancellation,
  noteLostPrecision,
  noteLostPrecisions,
  openOwnRecord,
  sumMagnification,
  worstLoss,
} from './lost-digits.js';
import { newVec } from './slab.js';
import { chargeWork, needWork } from './work-meter.js';

export interface Dense {
  readonly kind: 'dense';
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export interface LinOp {
  readonly kind: 'op';
  readonly rows: number;
  readonly cols: number;
  /** y = A x for a column x */
  apply(x: Dense): Dense;
  /** z = Aᵀ y for a column y */
  applyT(y: Dense): Dense;
  /** the full matrix, built from columns (or rows) as the operator prefers */
  materialize(): Dense;
}

export type Value = Dense | LinOp;

/** What making one value costs on the work meter beyond its entries, in float64 multiply-adds (≈ 50 ns). */
const VALUE_OVERHEAD = 25;

/** Every value passes through here: its subnormal entries, if any, are noted (./lost-digits.ts). */
export function dense(rows: number, cols: number, data: Float64Array): Dense {
  // and charged to the claim's work meter: elementwise work is a value's entries, beside what making a value costs
  // (its node's lookup and memo entry, ≈ VALUE_OVERHEAD multiply-adds: on small matrices that is most of the time)
  chargeWork(data.length + VALUE_OVERHEAD);
  noteLostPrecision(lostPrecisionOf(data));
  return { kind: 'dense', rows, cols, data };
}

export const scalar = (x: number): Dense => dense(1, 1, Float64Array.of(x));
/** A plain boolean (not a type guard): its false branch must not rule out dense values. */
export const isScalarValue = (v: Value): boolean => v.kind === 'dense' && v.rows === 1 && v.cols === 1;

/** Basis vectors are cached so their ids are stable and memoised products are shared. */
const basisCache = new Map<string, Dense>();
export function basis(n: number, j: number): Dense {
  const key = `${n}:${j}`;
  let e = basisCache.get(key);
  if (!e) {
    const data = new Float64Array(n);
    data[j] = 1;
    e = dense(n, 1, data);
    basisCache.set(key, e);
  }
  return e;
}

export function columnsToDense(rows: number, cols: number, column: (j: number) => Float64Array): Dense {
  const data = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const c = column(j);
    for (let i = 0; i < rows; i++) data[i * cols + j] = c[i]!;
  }
  return dense(rows, cols, data);
}

export function rowsToDense(rows: number, cols: number, row: (i: number) => Float64Array): Dense {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) data.set(row(i), i * cols);
  return dense(rows, cols, data);
}

/** Shared default: an operator materialises by applying itself to basis columns. */
export abstract class BaseOp implements LinOp {
  readonly kind = 'op' as const;
  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {}
  abstract apply(x: Dense): Dense;
  abstract applyT(y: Dense): Dense;
  materialize(): Dense {
    return columnsToDense(this.rows, this.cols, (j) => this.apply(basis(this.cols, j)).data);
  }
}

export class DenseOp extends BaseOp {
  constructor(readonly m: Dense) {
    super(m.rows, m.cols);
  }
  // each noting what its dot products lost to cancellation (./lost-digits.ts productCancellationOf)
  apply(x: Dense): Dense {
    const y = matVec(this.m, x.data);
    noteLostPrecision(matVecCancellation(this.rows, this.cols, this.m.data, x.data, y));
    return dense(this.rows, 1, y);
  }
  applyT(y: Dense): Dense {
    const z = matTVec(this.m, y.data);
    noteLostPrecision(matTVecCancellation(this.rows, this.cols, this.m.data, y.data, z));
    return dense(this.cols, 1, z);
  }
  override materialize(): Dense {
    return this.m;
  }
}

export class DiagOp extends BaseOp {
  constructor(readonly v: Dense) {
    super(v.rows, v.rows);
  }
  apply(x: Dense): Dense {
    const [v, out] = [this.v.data, newVec(this.rows)];
    for (let i = 0; i < out.length; i++) out[i] = x.data[i]! * v[i]!;
    return dense(this.rows, 1, out);
  }
  applyT(y: Dense): Dense {
    return this.apply(y);
  }
}

export class IdentityOp extends BaseOp {
  constructor(n: number) {
    super(n, n);
  }
  apply(x: Dense): Dense {
    return x;
  }
  applyT(y: Dense): Dense {
    return y;
  }
}

export class ScaledOp extends BaseOp {
  constructor(
    readonly factor: number,
    readonly op: LinOp,
  ) {
    super(op.rows, op.cols);
  }
  private scaled(v: Dense): Dense {
    const out = newVec(v.data.length);
    for (let i = 0; i < out.length; i++) out[i] = v.data[i]! * this.factor;
    return dense(v.rows, 1, out);
  }
  apply(x: Dense): Dense {
    return this.scaled(this.op.apply(x));
  }
  applyT(y: Dense): Dense {
    return this.scaled(this.op.applyT(y));
  }
}

export class SumOp extends BaseOp {
  constructor(
    readonly terms: readonly LinOp[],
    readonly signs: readonly number[],
  ) {
    super(terms[0]!.rows, terms[0]!.cols);
  }
  private combine(n: number, parts: Dense[]): Dense {
    const out = newVec(n);
    for (let k = 0; k < parts.length; k++) {
      const [s, p] = [this.signs[k]!, parts[k]!.data];
      for (let i = 0; i < n; i++) {
        const r = out[i]! + s * p[i]!;
        noteCancellation(out[i]!, p[i]!, r);
        out[i] = r;
      }
    }
    return dense(n, 1, out);
  }
  apply(x: Dense): Dense {
    return this.combine(
      this.rows,
      this.terms.map((t) => t.apply(x)),
    );
  }
  applyT(y: Dense): Dense {
    return this.combine(
      this.cols,
      this.terms.map((t) => t.applyT(y)),
    );
  }
}

export class TransposeOp extends BaseOp {
  constructor(readonly op: LinOp) {
    super(op.cols, op.rows);
  }
  apply(x: Dense): Dense {
    return this.op.applyT(x);
  }
  applyT(y: Dense): Dense {
    return this.op.apply(y);
  }
  override materialize(): Dense {
    const m = this.op.materialize();
    return columnsToDense(m.cols, m.rows, (j) => m.data.slice(j * m.cols, (j + 1) * m.cols));
  }
}

/** A lazily evaluated factor of an ordered product, keyed by its content. */
export interface Factor {
  readonly key: string;
  value(): LinOp;
}

/** Memo tables shared by all products evaluated on one instance. */
export interface ProductMemo {
  /**
   * vector → `${direction}|${key of the factor next to the vector}` → the results after 1, 2, … factors (entry
   * m − 1 after m): one key per walk, not one per factor. By the vector's identity, so walks from a passing
   * vector (a power iteration's) go with it rather than living as long as the instance.
   */
  readonly chains: WeakMap<Dense, Map<string, Dense[]>>;
  /** partial results whose walk passed through subnormals: the worst relative precision on the way */
  readonly lost: WeakMap<Dense, number>;
  /** a partial result's figure without the forward pass's losses, where it differs from `lost` (absent: the same) */
  readonly ownLost?: WeakMap<Dense, number>;
  /**
   * What the walk to each partial result read (the derivatives the evaluator cross-checks), noted again when
   * the memo serves it: a product another claim walked first must count its factors' derivatives as read, or
   * what a claim cross-checks would depend on which claims ran before it on the instance.
   */
  readonly reads?: { readonly tracker: ReadTracker; readonly trails: Map<string, (ReadTrail | null)[]> };
  /** what the chains keep, in entries (a vector's, plus PARTIAL_RESULT_OVERHEAD): see PRODUCT_MEMO_ENTRIES */
  readonly kept: KeptEntries;
  /**
   * Drops what the evaluator memoised for a partial result as a direction (its derivative sweeps): once the walk has
   * applied the next factor to it, the chain keeps that result, and nothing meets the sweep again — kept, the chain's
   * every vector held a sweep (`norm2(prod(i, 1, k, jac(h[T-i+1], h[T-i])))` over k at T = 40, d = 8: 87 000 sweeps).
   */
  readonly passed?: (direction: Dense) => void;
}

/**
 * The entries the chains of one memo (one instance's evaluator) keep at most: a walk past it goes on without keeping
 * its partial results, and a later walk recomputes them (the claim's work meter counts that). Kept, every partial
 * result of `prod(i, 1, 1000000, W)` at d = 5, for each column and each of the file's 20 pooled instances, took more
 * than 4 GB (and `norm2(prod(i, 1, k, jac(h[T-i+1], h[T-i])))` over k at T = 2000, d = 8, 11 GB). 2²² entries: the
 * lab's eq. (1) at T = 1024, d = 64 keeps 6.6·10⁴ a chain.
 */
export const PRODUCT_MEMO_ENTRIES = 2 ** 22;
/**
 * The entries the memos of one instance pool's evaluators keep together (src/check/check-claim.ts InstancePool: a
 * file's instances, 20 by default): each instance's own limit let a file keep 20 times PRODUCT_MEMO_ENTRIES —
 * `prod(i, 1, 1000000, W)` at d = 5, 0.89 GB. 2²⁴: the lab's eq. (1) at T = 1024, d = 64 keeps ≈ 4·10⁵ an instance.
 */
export const POOL_PRODUCT_MEMO_ENTRIES = 2 ** 24;

/** What product chains keep, in entries, against their limit (PRODUCT_MEMO_ENTRIES where none is given); shareable. */
export interface KeptEntries {
  entries: number;
  readonly limit?: number;
}

/**
 * One evaluator's share of a pool's ledger: what it adds is added to the pool's count (and held against the pool's
 * limit) and remembered as its own, so that the pool takes it back when it drops the evaluator (`own`).
 */
export function shareOf(pool: KeptEntries): KeptEntries & { readonly own: number } {
  let own = 0;
  return {
    get entries() {
      return pool.entries;
    },
    set entries(n: number) {
      own += n - pool.entries;
      pool.entries = n;
    },
    get own() {
      return own;
    },
    ...(pool.limit === undefined ? {} : { limit: pool.limit }),
  };
}
/**
 * What a walk's step costs on the work meter beyond its product: its factor read through the evaluator (binding record,
 * content key, memo lookup), its lost digits and reads noted — 1–3 µs measured on `prod(i, 1, 50000, W)` at d = 5,
 * where the product itself is 25 multiply-adds.
 */
const WALK_STEP_OVERHEAD = 500;
/**
 * A kept partial result's own cost beyond its entries, in entries: ≈ 330 bytes in a heap snapshot of `prod(i, 1,
 * 1000000, W)` at d = 5 (1.09 million kept: the Float64Array and its buffer, the value, its slot in the chain, two heap
 * numbers). Counted as 16 (130 bytes) before, a memo kept 2.5 times what its limit meant — 1.5 GB over a file's 20
 * pooled instances.
 */
export const PARTIAL_RESULT_OVERHEAD = 40;

/** The evaluator's record of what values read: `capture` notes as usual and returns what `f` read; `replay` notes it again. */
export interface ReadTracker {
  capture<T>(f: () => T): [T, readonly unknown[]];
  /** `capture` in two halves, without a closure: `close(open())` returns what was read in between, noted as usual */
  open(): unknown;
  close(opened: unknown): readonly unknown[];
  replay(reads: readonly unknown[]): void;
  /**
   * The records being noted into, as a stamp: it changes whenever they do (a record opened or closed, the point's
   * record of touched derivatives cleared) and comes back with them, so a trail stamped with it is noted there already.
   */
  stamp(): number;
}

/**
 * The reads of a walk's factors, newest first (each step's extends its predecessor's). A chain's trail is the same for
 * every vector walked from its head (a factor reads what it reads whatever it is applied to), so a product's n walks
 * (its columns or rows) share one, and one replay notes it for all of them.
 */
interface ReadTrail {
  readonly reads: readonly unknown[];
  readonly before: ReadTrail | null;
  /** the tracker's stamp when the trail was last noted: equal to the current one, it and all before it are noted */
  noted: number;
}

/**
 * A trail's reads noted again in the order the walk first made them (oldest factor first), down to the newest step
 * already noted under the current stamp: what is noted stays noted, so those and all before them are skipped (a
 * product over k lags replayed for each of its n columns noted k·n reads, at every lag, where k are new).
 */
function replayTrail(tracker: ReadTracker, trail: ReadTrail | null): void {
  const stamp = tracker.stamp();
  const steps: ReadTrail[] = [];
  for (let t = trail; t && t.noted !== stamp; t = t.before) steps.push(t);
  for (let i = steps.length - 1; i >= 0; i--) {
    tracker.replay(steps[i]!.reads);
    steps[i]!.noted = stamp;
  }
}

/**
 * An ordered product F_lo · … · F_hi, applied to vectors by walking the
 * factors outward from the vector. Partial results are memoised by the key
 * of the factor next to the vector and the number of factors applied: the
 * factors' keys are affine in the product index, so two walks that start at
 * the same key pass the same factors. Products for successive lags that
 * extend away from the vector therefore cost one factor each.
 */
export class ProdOp extends BaseOp {
  constructor(
    n: number,
    readonly lo: number,
    readonly hi: number,
    readonly factorAt: (i: number) => Factor,
    readonly memo: ProductMemo,
    /** materialised by rows: F_lo is the end the claim's products share (see materialize) */
    readonly byRows = false,
  ) {
    super(n, n);
  }
  /** The factor applied m-th (from 0) when walking outward from the vector. */
  private factorFrom(m: number, transposed: boolean): Factor {
    return this.factorAt(transposed ? this.lo + m : this.hi - m);
  }
  /** One factor applied to w, its lost digits kept apart from the caller's record (as `withLostPrecision`). */
  private stepOnce(w: Dense, m: number, transposed: boolean): Dense {
    chargeWork(WALK_STEP_OVERHEAD);
    const op = this.factorFrom(m, transposed).value();
    return transposed ? op.applyT(w) : op.apply(w);
  }
  private walk(x: Dense, transposed: boolean): Dense {
    const count = this.hi - this.lo + 1;
    const head = `${transposed ? 'T' : 'N'}|${this.factorFrom(0, transposed).key}`;
    let walks = this.memo.chains.get(x);
    if (!walks) this.memo.chains.set(x, (walks = new Map<string, Dense[]>()));
    let chain = walks.get(head);
    if (!chain) walks.set(head, (chain = []));
    let m = Math.min(chain.length, count);
    let w = m > 0 ? chain[m - 1]! : x;
    // a memoised partial result brings the digits lost on its way (its own walk noted them then), and what it read
    let lost = m > 0 ? (this.memo.lost.get(w) ?? 0) : 0;
    let ownLost = m > 0 ? (this.memo.ownLost?.get(w) ?? lost) : 0;
    noteLostPrecisions(lost, ownLost);
    const reads = this.memo.reads;
    // the chain's trails by step, shared by every vector walked from its head (a step kept in a chain has its trail)
    let trails: (ReadTrail | null)[] | undefined;
    if (reads) {
      trails = reads.trails.get(head);
      if (!trails) reads.trails.set(head, (trails = []));
    }
    let trail = m > 0 && trails ? trails[m - 1]! : null;
    if (reads) replayTrail(reads.tracker, trail);
    // every step charges at least its overhead: a walk the limit cannot take is stopped before its first step
    needWork((count - m) * WALK_STEP_OVERHEAD);
    const kept = this.memo.kept;
    let keeping = true;
    // Each step as `withLostPrecision` and `capture` would run it, without a closure or a tuple per step: its
    // own lost digits apart from the caller's record (then raising it), its reads noted and returned.
    for (; m < count; m++) {
      const outerLost = openOwnRecord();
      let next: Dense, own: number;
      if (reads) {
        const opened = reads.tracker.open();
        let read: readonly unknown[];
        try {
          next = this.stepOnce(w, m, transposed);
        } finally {
          own = closeOwnRecord(outerLost);
          read = reads.tracker.close(opened);
        }
        // noted just now (close notes what it returns), under the stamp the walk is in again
        if (read.length) trail = { reads: read, before: trail, noted: reads.tracker.stamp() };
      } else {
        try {
          next = this.stepOnce(w, m, transposed);
        } finally {
          own = closeOwnRecord(outerLost);
        }
      }
      // the vector just left behind: a partial result (not the walk's own start) that no walk applies a factor to again
      if (w !== x) this.memo.passed?.(w);
      w = next;
      // A product's relative errors add (to first order): each factor's figure, not the largest one —
      // prod(i, 1, 100, D) with D good to 1.2e-10 is good to 1.2e-8, not 1.2e-10 (the false `prod(i, 1, 100,
      // (1e6 + 1.0001) - 1e6) * x <= 1.01004966 * x`, truly 1.0100496621, was consistent until 2026-12-05).
      lost = addedLoss(lost, own);
      ownLost = addedLoss(ownLost, closedOwnPrecision());
      // kept while the memo has room (the chain stays contiguous: once one is not kept, none after it is)
      if (keeping && kept.entries + w.data.length + PARTIAL_RESULT_OVERHEAD <= (kept.limit ?? PRODUCT_MEMO_ENTRIES)) {
        kept.entries += w.data.length + PARTIAL_RESULT_OVERHEAD;
        if (lost) this.memo.lost.set(w, lost);
        if (ownLost !== lost) this.memo.ownLost?.set(w, ownLost);
        // The step's trail as the chain's head keeps it: the first walk's, the same reads as this one's — except where
        // a power and a product of one factor share the head (A^k walks a factor built once, which reads nothing in
        // the walk; prod(i, 1, k, A) reads A at each step): harmless, as a product notes its first factor's reads
        // when it is built (the `prod` record's factorAt(lo)), and every factor of such a chain is that one.
        if (trails) {
          if (trails[m] === undefined) trails[m] = trail;
          else trail = trails[m]!;
        }
        chain[m] = w;
      } else keeping = false;
    }
    noteLostPrecisions(lost, ownLost);
    return w;
  }
  apply(x: Dense): Dense {
    return this.walk(x, false);
  }
  applyT(y: Dense): Dense {
    return this.walk(y, true);
  }
  /**
   * By rows (walks from F_lo, transposed) where the product says so (`byRows`), else by columns (walks from F_hi):
   * the products a claim's lags ask for share one end — prod(i, k+1, T, …) its F_T, prod(i, 1, k, …) its F_1 — and
   * only walks from that end share their partial results (from the other, every lag walks all its factors again:
   * k²/2 steps). The end is read off the expression (the `prod` record), never off what the memo holds: rows and
   * columns round differently, and a value must not depend on which claims or points were evaluated before it.
   */
  override materialize(): Dense {
    if (!this.byRows) return super.materialize();
    return rowsToDense(this.rows, this.cols, (i) => this.applyT(basis(this.rows, i)).data);
  }
}

/**
 * Whether A^k (n × n) is cheaper by repeated squaring than by walking its factors: ≈ 2·log₂ k products of n³, against
 * k steps of n² and their overhead for a single vector (the walk materialises n of them). Only past KEPT_FACTORS
 * factors, where a walk's factors are not kept between walks: a shorter power is walked, and its partial results
 * shared with the products and powers of the same factor at other lags (a claim's bindings), as before.
 */
export function squaringPays(n: number, k: number): boolean {
  return k > SQUARED_POWERS_FROM && 2 * Math.ceil(Math.log2(k)) * n ** 3 <= k * (n * n + WALK_STEP_OVERHEAD);
}

/** The shortest power taken by repeated squaring (src/ops/ordered.ts keeps a product's factors up to 4096). */
const SQUARED_POWERS_FROM = 4096;

/**
 * A^k for a square A and an integer k ≥ 1, by repeated squaring: at most 2·⌈log₂ k⌉ products, each charged as it is
 * made (`norm2(W^999999)` walked 999999 factors per column, ≈ 2.5·10⁹ operations an instance at d = 5, until the
 * claim's work limit stopped it after 80 s). Each product is a value, its subnormal entries noted; what A carried is
 * the caller's to note, k times (`powerLoss`).
 */
export function powerBySquaring(a: Dense, k: number): Dense {
  // ⌊log₂ k⌋ squarings at least, each n³
  needWork(Math.floor(Math.log2(k)) * a.rows ** 3);
  let result: Dense | null = null;
  let square = a;
  for (let e = k; ;) {
    if (e % 2 === 1) result = result ? matMulDense(result, square) : square;
    e = Math.floor(e / 2);
    if (e === 0) return result!;
    square = matMulDense(square, square);
  }
}

/** A·B as a value, noting what its dot products lost to cancellation (./lost-digits.ts productCancellationOf). */
const matMulDense = (a: Dense, b: Dense): Dense => {
  const m = matMul(a, b);
  noteLostPrecision(matMulCancellation(a.rows, a.cols, b.cols, a.data, b.data, m.data));
  return dense(m.rows, m.cols, m.data);
};

export class ComposeOp extends BaseOp {
  constructor(
    readonly left: LinOp,
    readonly right: LinOp,
  ) {
    super(left.rows, right.cols);
  }
  apply(x: Dense): Dense {
    // A·diag(v)·x (a factor W' * diag(…) of a product walk, at every lag): v ⊙ x made in a scratch vector that
    // the product reads and nothing keeps, its subnormals noted as DiagOp's value would note them — the same
    // operations in the same order, without a vector and a value per application.
    if (this.left instanceof DenseOp && this.right instanceof DiagOp && x.data.length === this.right.rows) {
      const [v, xs, n] = [this.right.v.data, x.data, this.right.rows];
      const scaled = scratchOf(n);
      for (let i = 0; i < n; i++) scaled[i] = xs[i]! * v[i]!;
      noteLostPrecision(lostPrecisionOf(scaled));
      const y = matVec(this.left.m, scaled);
      noteLostPrecision(matVecCancellation(this.left.rows, this.left.cols, this.left.m.data, scaled, y));
      return dense(this.left.rows, 1, y);
    }
    return this.left.apply(this.right.apply(x));
  }
  applyT(y: Dense): Dense {
    return this.right.applyT(this.left.applyT(y));
  }
}

/** Scratch vectors by length, for values read at once and never kept (ComposeOp.apply); matVec calls nothing back. */
const scratches = new Map<number, Float64Array>();
function scratchOf(n: number): Float64Array {
  let s = scratches.get(n);
  if (!s) scratches.set(n, (s = new Float64Array(n)));
  return s;
}

export const asOp = (v: Value): LinOp => (v.kind === 'op' ? v : new DenseOp(v));
export const asDense = (v: Value): Dense => (v.kind === 'dense' ? v : v.materialize());

// ── arithmetic on values, shared by the operator records ───────────────────
/**
 * An entrywise operator on dense data, as its record's `evaluate` computes it on dense operands: `out` from one
 * operand or two (a one-entry operand broadcast), returning the precision lost to cancellation on the way (only
 * sums lose any; 0 for none). zipDense, mapDense, powDense and sumDense run these very loops; the evaluator runs a
 * tree of such operators in one pass (src/numeric/evaluate.ts), so both give the same values bit for bit.
 */
export interface EntrywiseKernel {
  readonly arity: 1 | 2;
  run(out: Float64Array, a: Float64Array, b: Float64Array | null): number;
  /** how many times `out` magnifies its operands' relative errors (Kernel.magnifies; absent: not at all) */
  magnifies?(out: Float64Array, a: Float64Array, b: Float64Array | null): number;
  /** a product or a quotient: its operands' figures add, as their relative errors do (lost-digits.ts addedLoss) */
  readonly addsLosses?: true;
}

function zipInto(out: Float64Array, a: Float64Array, b: Float64Array, f: (x: number, y: number) => number): void {
  const [aScalar, bScalar] = [a.length === 1, b.length === 1];
  for (let i = 0; i < out.length; i++) out[i] = f(aScalar ? a[0]! : a[i]!, bScalar ? b[0]! : b[i]!);
}

function mapInto(out: Float64Array, a: Float64Array, f: (x: number) => number): void {
  for (let i = 0; i < out.length; i++) out[i] = f(a[i]!);
}

/**
 * a ± b entrywise (a one-entry operand broadcast), returning the worst any entry loses to cancellation
 * (./lost-digits.ts). zipInto's loop written out: the same operations in the same order, without a closure called
 * per entry (1 − h.^2 at every lag of a claim).
 */
function sumInto(out: Float64Array, a: Float64Array, b: Float64Array, sign: number): number {
  const [aStep, bStep] = [a.length === 1 ? 0 : 1, b.length === 1 ? 0 : 1];
  let cancelled = 0;
  for (let i = 0; i < out.length; i++) {
    const x = a[i * aStep]!;
    const y = b[i * bStep]!;
    const r = x + sign * y;
    const lost = cancellationOf(x, y, r);
    if (lost > cancelled) cancelled = lost;
    out[i] = r;
  }
  return cancelled;
}

/**
 * a.^k entrywise, without a closure per entry. A square is x·x: what x ** 2 gives, bit for bit (fdlibm's pow,
 * which V8's follows, returns x·x for y = 2; test/numeric/elementwise-fast.test.ts checks it), without a call to
 * pow per entry.
 */
function powInto(out: Float64Array, a: Float64Array, k: number): void {
  if (k === 2)
    for (let i = 0; i < out.length; i++) {
      const x = a[i]!;
      out[i] = x * x;
    }
  else for (let i = 0; i < out.length; i++) out[i] = a[i]! ** k;
}

export const sumKernel = (sign: 1 | -1): EntrywiseKernel => ({
  arity: 2,
  run: (out, a, b) => sumInto(out, a, b!, sign),
  magnifies: (out, a, b) => sumMagnification(a, b!, out),
});
export const zipKernel = (f: (x: number, y: number) => number): EntrywiseKernel => ({
  arity: 2,
  run: (out, a, b) => {
    zipInto(out, a, b!, f);
    return 0;
  },
});
export const productKernel = (f: (x: number, y: number) => number): EntrywiseKernel => ({
  ...zipKernel(f),
  addsLosses: true,
});
export const mapKernel = (f: (x: number) => number): EntrywiseKernel => ({
  arity: 1,
  run: (out, a) => {
    mapInto(out, a, f);
    return 0;
  },
});
/** mapKernel for a function that says what float64 loses computing it at x (a declared function's body): its worst. */
export const watchedMapKernel = (f: (x: number) => number, lostAt: (x: number) => number): EntrywiseKernel => ({
  arity: 1,
  run: (out, a) => {
    mapInto(out, a, f);
    return worstLoss(lostAt, a);
  },
});
export const entrywisePowKernel = (k: number): EntrywiseKernel => ({
  arity: 1,
  run: (out, a) => {
    powInto(out, a, k);
    return 0;
  },
  // x.^k: |k| times x's relative error (a chain of squares doubles it each time)
  ...(Math.abs(k) > 1 ? { magnifies: () => Math.abs(k) } : {}),
});

/** The operand whose shape an entrywise result takes: the longer (a broadcast one-entry operand is the shorter). */
const broadcastShape = (a: Dense, b: Dense): Dense => (a.data.length >= b.data.length ? a : b);

export function zipDense(a: Dense, b: Dense, f: (x: number, y: number) => number): Dense {
  const big = broadcastShape(a, b);
  const out = newVec(big.data.length);
  zipInto(out, a.data, b.data, f);
  return dense(big.rows, big.cols, out);
}

export function mapDense(a: Dense, f: (x: number) => number): Dense {
  const out = newVec(a.data.length);
  mapInto(out, a.data, f);
  return dense(a.rows, a.cols, out);
}

/** a ± b entrywise, noting what each entry loses to cancellation (see sumInto). */
function sumDense(a: Dense, b: Dense, sign: number): Dense {
  const big = broadcastShape(a, b);
  const out = newVec(big.data.length);
  // the worst cancellation noted once, after the loop
  noteLostPrecision(sumInto(out, a.data, b.data, sign));
  return dense(big.rows, big.cols, out);
}

export function powDense(a: Dense, k: number): Dense {
  const out = newVec(a.data.length);
  powInto(out, a.data, k);
  return dense(a.rows, a.cols, out);
}

export function addValues(a: Value, b: Value, sign: number): Value {
  if (a.kind === 'dense' && b.kind === 'dense') return sumDense(a, b, sign);
  if (isScalarValue(a) || isScalarValue(b)) return sumDense(asDense(a), asDense(b), sign);
  return new SumOp([asOp(a), asOp(b)], [1, sign]);
}

export function columnOf(m: Dense, j: number): Float64Array {
  const out = newVec(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}

export function mulValues(a: Value, b: Value): Value {
  // a 1×1 operator (diag of a 1×1, eye(1)) is a number, which a product broadcasts as the shapes do: applied as an
  // operator, `diag(1 - h' * h) * W` took W's first column, d entries against the claim's d² (an internal error)
  if (a.kind === 'op' && a.rows === 1 && a.cols === 1 && b.rows !== 1) return mulValues(operatorEntry(a), b);
  if (b.kind === 'op' && b.rows === 1 && b.cols === 1 && a.cols !== 1) return mulValues(a, operatorEntry(b));
  if (a.kind === 'dense' && isScalarValue(a))
    return b.kind === 'op' ? new ScaledOp(a.data[0]!, b) : zipDense(a, b, (x, y) => x * y);
  if (b.kind === 'dense' && isScalarValue(b))
    return a.kind === 'op' ? new ScaledOp(b.data[0]!, a) : zipDense(a, b, (x, y) => x * y);
  if (a.kind === 'dense' && b.kind === 'dense') return matMulDense(a, b);
  if (a.kind === 'op' && b.kind === 'dense') {
    if (b.cols === 1) return a.apply(b);
    return columnsToDense(a.rows, b.cols, (j) => a.apply(dense(b.rows, 1, columnOf(b, j))).data);
  }
  if (a.kind === 'dense' && b.kind === 'op' && a.rows === 1) {
    const v = b.applyT(dense(a.cols, 1, a.data));
    return dense(v.cols, v.rows, v.data);
  }
  return new ComposeOp(asOp(a), asOp(b));
}

/** A 1×1 operator's one entry, as a 1×1 dense value. */
const operatorEntry = (op: LinOp): Dense => op.apply(dense(1, 1, Float64Array.of(1)));

export function transposeValue(a: Value): Value {
  if (a.kind === 'op') return new TransposeOp(a);
  // entry (i, j) of the transpose is a's (j, i), copied in one pass (no column copied out per column)
  const { rows, cols, data } = a;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) out[i * rows + j] = data[j * cols + i]!;
  return dense(cols, rows, out);
}
