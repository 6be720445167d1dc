/**
 * Evaluates claim expressions on one instance. Each operator's record
 * computes its value; derivatives come from the unrolled graph's exact
 * sweeps; products and Jacobians stay lazy operators; every value is
 * memoised by content key, so a quantifier sweep over lags reuses sweeps and
 * partial products instead of recomputing them.
 */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import { contentInfo, contentKey, indexValues, type NodeInfo } from '../ir/content-key.js';
import { type Expr, type Index, integerValue, type OpNode, refOf } from '../ir/expr.js';
import { pathKey } from '../ir/path-chain.js';
import { dimsIn } from '../ir/shape-of.js';
import { formatNodeRef } from '../ir/print.js';
import {
  bodyNodes,
  compileScalar,
  compileScalarLoss,
  LOSS_UNITS_PER_NODE,
  meteredScalar,
  VALUE_UNITS_PER_NODE,
} from '../ir/scalar-function.js';
import type { WatchedScalar } from './sup.js';
import { extendedScalar } from '../symbolic/domains/scalar-extended.js';
import type { Model } from '../model/model.js';
import { specOf } from '../ops/index.js';
import { epowExponent } from '../ops/arithmetic.js';
import type { OpSpec } from '../ops/registry.js';
import type { GraphNode, NumericContext } from '../ops/contexts.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import { type GraphNode as UnrolledNode, heldEverywhere, nodeKey, type Unrolled } from './unrolled.js';
import {
  asDense,
  dense,
  type Dense,
  type EntrywiseKernel,
  type ProductMemo,
  type KeptEntries,
  type ReadTracker,
  scalar,
  type Value,
} from './values.js';
import { mergedBindings, own } from '../ir/names.js';
import { keepResident } from './simd.js';
import { chargeWork } from './work-meter.js';
import { newVec } from './slab.js';
import {
  addedLoss,
  closedOwnPrecision,
  closeOwnRecord,
  lostPrecisionOf,
  magnifiedLoss,
  noteForwardLoss,
  noteLostPrecision,
  noteLostPrecisions,
  openOwnRecord,
  watchLostPrecision,
} from './lost-digits.js';

/** The cotangent of a scalar output; one shared object so gradient sweeps are memoised. */
const ONE = scalar(1);

/** A claim refers to a node that does not exist for this binding (e.g. h[-1]); `expected` when not a time. */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly expected?: string,
  ) {
    super(message);
  }
}

/** A derivative evaluated during a binding, resolved to graph nodes, for cross-checks. */
export interface ResolvedDeriv {
  readonly mode: string;
  readonly of: GraphNode;
  readonly wrt: GraphNode;
  readonly fixed: ReadonlySet<string>;
  readonly text: string;
}

function evalIndex(ix: Index, env: IntEnv): number {
  if (ix.kind === 'affine') return evalAffine(ix.a, env);
  const pos = evalAffine(ix.pos, env);
  const v = own(env, pathKey(ix.name, pos));
  // The parser cannot know a path's length: a position past it (g[k+1]) is found here.
  if (v === undefined)
    throw new DomainError(
      `the path position ${ix.name}[${pos}] is not on the path`,
      `positions 0..k of pathsum(${ix.name}, k, …)`,
    );
  return v;
}

const NOTHING_HELD: ReadonlySet<string> = new Set();

/** Held sets are built once per evaluation and never changed: their sorted text, computed once per set. */
const fixedKeys = new WeakMap<ReadonlySet<string>, string>();
function fixedKey(fixed: ReadonlySet<string>): string {
  let key = fixedKeys.get(fixed);
  if (key === undefined) fixedKeys.set(fixed, (key = [...fixed].sort().join()));
  return key;
}

const NO_READS: readonly ResolvedDeriv[] = [];
const EMPTY = new Float64Array(0);

/**
 * The entries one evaluator's value memo keeps at most (a pool's evaluators share POOL_VALUE_MEMO_ENTRIES): as
 * PRODUCT_MEMO_ENTRIES bounds the product chains (./values.ts). The shipped corpus's largest pool keeps 6.6·10⁶
 * (understanding-lstms-2023-index-level.yaml, 20 instances).
 */
export const VALUE_MEMO_ENTRIES = 2 ** 22;
export const POOL_VALUE_MEMO_ENTRIES = 2 ** 24;
/**
 * A kept value's own cost beyond its entries, in entries (as PARTIAL_RESULT_OVERHEAD): its slot in the table, the
 * value and its array; a lazy operator (a product, a Jacobian) counts this alone.
 */
const KEPT_VALUE_OVERHEAD = 40;
/**
 * What computing a value costs on the work meter beyond its kernels (as a product walk's step, WALK_STEP_OVERHEAD in
 * ./values.ts): its binding's key, the records of lost digits and of reads, the memo — 1.5–5 µs measured. Uncharged,
 * `norm2(sum(i, 1, 1000000, (1 + 0 * i) * W))` at d = 3 counted 94 units per term of 4.9 µs (17 a µs, where the limit
 * means ≈ 200) and ran 286 s before its limit stopped it.
 */
const VALUE_OVERHEAD = 300;

/**
 * A memoised value with what it brings beside it: the precision lost in the subnormals on the way to it, and the
 * derivatives it read. Only for the values that bring any (most bring nothing and are kept bare): fewer objects
 * kept per value, which the garbage collector copies while the instance lives.
 */
class Memo {
  readonly kind = 'memo' as const;
  constructor(
    readonly value: Value,
    readonly lost: number,
    /** `lost` without the forward pass's losses (./lost-digits.ts, ownLostPrecision) */
    readonly ownLost: number,
    readonly reads: readonly ResolvedDeriv[] | null,
  ) {}
}

/** A memo table's entry: the value itself, or the value with what it brings. */
type Slot = Value | Memo;

/**
 * What `eval` resolves once per expression node (not at every binding): its content key's info
 * (src/ir/content-key.ts: the structure and the index parts it reads), the memo table of that structure
 * (values keyed by the packed index values, or their text), and its operator record. A claim's nodes are
 * evaluated at every lag with the same structure; only the index values change.
 */
interface Plan {
  readonly info: NodeInfo;
  readonly table: Map<number | string, Slot>;
  readonly spec: OpSpec | null;
  readonly graphDerivative: boolean;
  /** the entrywise tree rooted here, run in one pass; null where the node is no such root */
  readonly fused: FusedTree | null;
}

/**
 * A tree of entrywise operators evaluated in one pass (1 − h.^2 in a product's factor at every lag, σ(z) .* (1 − σ(z))):
 * its leaves (whatever is not such an operator) evaluated and memoised as any value is, in the order the operators'
 * own `evaluate` reads them (postorder, left to right: the derivatives read are noted in the same order), each inner
 * operator's kernel (its record's `entrywiseKernel`, the loop its `evaluate` runs) into a scratch vector of the tree's
 * own. The same operations on the same numbers, and the same digits noted as lost (every inner value's subnormals,
 * every sum's cancellation), without a value, a context and a memo entry per inner node at every binding: only the
 * root's value is kept. A leaf that is not dense (a lazy operator) sends the whole tree back to the records.
 */
interface FusedTree {
  /** postorder, the root last: a leaf, or an operator on earlier entries (by their index here) */
  readonly entries: readonly FusedEntry[];
  /** each entry's values at the binding being evaluated (scratch vectors and leaves' data) */
  readonly data: Float64Array[];
  readonly rows: number[];
  readonly cols: number[];
  /** each entry's lost digits at that binding: a leaf's own record, an operator's with its operands' magnified */
  readonly carried: Float64Array;
  /** their part without the forward pass's losses (./lost-digits.ts, ownLostPrecision): a product adds both */
  readonly ownCarried: Float64Array;
}

/** One shape for both kinds (a leaf has no kernel): the loop over them stays monomorphic. */
interface FusedEntry {
  /** a leaf's expression (null for an operator) */
  readonly leaf: Expr | null;
  /** a number leaf's value, as `eval` would give it */
  readonly constant: Float64Array | null;
  readonly kernel: EntrywiseKernel | null;
  /** an operator's operands, by their index in the tree (the second −1 for a unary operator) */
  readonly a: number;
  readonly b: number;
  scratch: Float64Array | null;
}

/** The record of an operator that can run in a fused tree, or null. */
function fusible(e: Expr): OpSpec | null {
  if (e.kind !== 'op') return null;
  const spec = specOf(e);
  // a power beyond a square notes |k| times its base's lost digits (notePowerLoss): its record evaluates it
  // (an exponent not a number, `u .^ k` over k, is not fused: NaN here)
  if (e.op === 'epow' && !(Math.abs(epowExponent(e)) <= 2)) return null;
  return spec.entrywiseKernel && !spec.graphDerivative ? spec : null;
}

/**
 * The fused tree rooted at `e`, or null where `e` is no entrywise operator on another one (nothing to fuse). An inner
 * operator joins the tree only where it reads every index the root reads: one that reads fewer is the same value
 * at bindings where the root is not (1 − W.^2 beside h[t]), and stays a leaf, memoised. Equal subtrees (by content:
 * the same structure reading the same indices, so the same value at one binding) are computed once, as the memo
 * would give the second one.
 */
function fusedTree(e: Expr, userRule: (name: string) => ElementwiseRule): FusedTree | null {
  const root = fusible(e);
  if (!root || integerValue(e, () => 0) !== null) return null;
  const rootInfo = contentInfo(e);
  const joins = (x: Expr): OpSpec | null => {
    const spec = fusible(x);
    if (!spec || x === e) return spec;
    // integer arithmetic stays a leaf, evaluated exactly (Evaluator.compute)
    if (integerValue(x, () => 0) !== null) return null;
    const info = contentInfo(x);
    const readsAll =
      info.partIds.length === rootInfo.partIds.length &&
      info.readsPaths === rootInfo.readsPaths &&
      info.pathsFixed === rootInfo.pathsFixed;
    return readsAll ? spec : null;
  };
  const operandsOf = (n: OpNode, kernel: EntrywiseKernel) => n.args.slice(0, kernel.arity);
  const rootKernel = root.entrywiseKernel!(e as OpNode, userRule);
  if (!operandsOf(e as OpNode, rootKernel).some((a) => joins(a))) return null;
  const entries: FusedEntry[] = [];
  const byContent = new Map<string, number>();
  const visit = (x: Expr): number => {
    const id = contentInfo(x).id;
    const seen = byContent.get(id);
    if (seen !== undefined) return seen;
    const spec = joins(x);
    if (!spec) {
      const constant = x.kind === 'num' ? Float64Array.of(x.value) : null;
      entries.push({ leaf: x, constant, kernel: null, a: -1, b: -1, scratch: null });
    } else {
      const kernel = x === e ? rootKernel : spec.entrywiseKernel!(x as OpNode, userRule);
      const [a, b = -1] = operandsOf(x as OpNode, kernel).map(visit);
      entries.push({ leaf: null, constant: null, kernel, a: a!, b, scratch: null });
    }
    byContent.set(id, entries.length - 1);
    return entries.length - 1;
  };
  visit(e);
  const n = entries.length;
  return {
    entries,
    data: new Array<Float64Array>(n),
    rows: new Array<number>(n).fill(0),
    cols: new Array<number>(n).fill(0),
    carried: new Float64Array(n),
    ownCarried: new Float64Array(n),
  };
}

export class Evaluator implements ReadTracker {
  /**
   * every value by content (src/ir/content-key.ts): structure id, then the values of the indices it reads (one
   * number when they pack) — no key text built per evaluation
   */
  private readonly tables = new Map<number, Map<number | string, Slot>>();
  /** each expression node's plan (its structure's table, its record), by identity */
  private readonly plans = new WeakMap<Expr, Plan>();
  /**
   * Memoised sweeps by their direction's identity, then the rest of their key: a sweep can only be met again
   * while its direction is alive, so one for a passing direction (an operator applied to a fresh vector, as
   * norm estimates and repairs do by the thousand) is dropped with it instead of living for the whole file.
   */
  private readonly sweeps = new WeakMap<Dense, Map<string, (n: UnrolledNode) => Float64Array | null>>();
  private readonly memos = new Map<string, Map<string, unknown>>();
  readonly productMemo: ProductMemo;
  /** materialise Jacobians by rows (reverse sweeps) rather than columns (forward sweeps) */
  preferRows = false;
  /** run entrywise trees in one pass (FusedTree); off, every node is evaluated by its record (tests compare the two) */
  fuseEntrywise = true;
  /** derivatives touched since the last reset (clearTouched), for reference cross-checks */
  private readonly touchedMap = new Map<string, ResolvedDeriv>();
  get touched(): ReadonlyMap<string, ResolvedDeriv> {
    return this.touchedMap;
  }
  /** Starts a point's record of touched derivatives afresh (and so a new stamp: nothing is noted in it yet). */
  clearTouched(): void {
    this.touchedMap.clear();
    this.currentStamp = ++this.stamps;
    // records still open (none between points) are not noted into the cleared one either
    for (let i = 0; i < this.outerStamps.length; i++) this.outerStamps[i] = ++this.stamps;
  }

  constructor(
    readonly graph: Unrolled,
    readonly sizes: IntEnv,
    /**
     * Off, nothing notes what values read (touched stays empty): for an evaluator whose points are not cross-checked
     * (the adversarial search's, hundreds per claim), where noting a product's k reads at each of T lags was a
     * tenth of the run (`norm2(prod(i, 1, k, jac(h[T-i+1], h[T-i])))` over k at T = 400).
     */
    readonly tracksReads = true,
    /** what its product chains keep, shared with the other evaluators of an instance pool (its own otherwise) */
    kept: KeptEntries = { entries: 0 },
    /**
     * what its value memo keeps, in entries, shared like `kept` with the other evaluators of an instance pool
     * (VALUE_MEMO_ENTRIES where none is given): past it, a value is computed and returned but not kept
     */
    private readonly keptValues: KeptEntries = { entries: 0 },
  ) {
    this.productMemo = {
      chains: new WeakMap(),
      lost: new WeakMap(),
      ownLost: new WeakMap(),
      ...(tracksReads ? { reads: { tracker: this, trails: new Map() } } : {}),
      kept,
      passed: (direction) => this.sweeps.delete(direction),
    };
  }

  evaluate(e: Expr, env: IntEnv): Value {
    return this.eval(e, mergedBindings(this.sizes, env));
  }

  /** Both sides of a claim at one binding, in one environment with the sizes (one copy per point, not two). */
  evaluateSides(lhs: Expr, rhs: Expr, env: IntEnv): [Value, Value] {
    const full = mergedBindings(this.sizes, env);
    return [this.eval(lhs, full), this.eval(rhs, full)];
  }

  private eval(e: Expr, env: IntEnv): Value {
    const plan = this.plans.get(e) ?? this.planOf(e);
    const values = indexValues(plan.info, env);
    const slot = plan.table.get(values);
    if (slot === undefined) return this.computeAndKeep(e, env, plan, values);
    if (slot.kind !== 'memo') return slot;
    // a memo hit brings again the digits lost on the way to it, and what it read
    noteLostPrecisions(slot.lost, slot.ownLost);
    if (slot.reads) for (const d of slot.reads) this.noteRead(d);
    return slot.value;
  }

  private planOf(e: Expr): Plan {
    const info = contentInfo(e);
    let table = this.tables.get(info.structure);
    if (!table) this.tables.set(info.structure, (table = new Map<number | string, Slot>()));
    const spec = e.kind === 'op' ? specOf(e) : null;
    const fused = spec?.entrywiseKernel && this.fuseEntrywise ? fusedTree(e, this.userRule) : null;
    const plan: Plan = { info, table, spec, graphDerivative: spec?.graphDerivative === true, fused };
    this.plans.set(e, plan);
    return plan;
  }

  private computeAndKeep(e: Expr, env: IntEnv, plan: Plan, values: number | string): Value {
    // The derivatives this value reads are kept beside it: a later read of the memoised value (another
    // binding, another claim of the file) touches them too, so what is cross-checked at a point depends
    // on the point alone, not on what was evaluated before it.
    const outer = this.openReads();
    let lost: number;
    let ownLost: number;
    let reads: Map<string, ResolvedDeriv>;
    let v: Value;
    chargeWork(VALUE_OVERHEAD);
    // the record of this value's own lost digits, without a closure per value (./lost-digits.ts)
    const outerLost = openOwnRecord();
    try {
      v = plan.fused ? this.computeFused(e, env, plan.fused, plan.spec) : this.compute(e, env, plan.spec);
      if (plan.graphDerivative) this.touch((e as OpNode).op, (e as OpNode).args, env);
    } finally {
      lost = closeOwnRecord(outerLost);
      ownLost = closedOwnPrecision();
      reads = this.closeReads(outer);
    }
    // A memoised matrix is read again by every product it is a factor of (Wᵀ at every lag of a claim).
    if (v.kind === 'dense' && v.rows > 1 && v.cols > 1) keepResident(v.data);
    const read = reads.size ? [...reads.values()] : null;
    // Kept within the budget only: a value read again after it is computed again (the work meter counts that). Every
    // value kept, `norm2(sum(i, 1, 1000000, (1 + 0 * i) * W))` kept two per i and ran out of memory (5.6 GB, 87 s).
    const cost = (v.kind === 'dense' ? v.data.length : 0) + KEPT_VALUE_OVERHEAD;
    if (this.keptValues.entries + cost <= (this.keptValues.limit ?? VALUE_MEMO_ENTRIES)) {
      this.keptValues.entries += cost;
      plan.table.set(values, read || lost ? new Memo(v, lost, ownLost, read) : v);
    }
    if (read) for (const d of read) this.noteRead(d);
    return v;
  }

  /** derivatives read by the value being computed (innermost first on the stack of evaluations) */
  private reading: Map<string, ResolvedDeriv> | null = null;
  /** the read maps of the evaluations in progress, by nesting depth */
  private readonly readMaps: Map<string, ResolvedDeriv>[] = [];
  private depth = 0;

  /**
   * Starts a record of what is read, inside the current one (one map per nesting depth, emptied and reused:
   * the caller copies out what it keeps before anything else is evaluated at that depth). Returns the enclosing
   * record, for closeReads.
   */
  private openReads(): Map<string, ResolvedDeriv> | null {
    this.outerStamps.push(this.currentStamp);
    this.currentStamp = ++this.stamps;
    const outer = this.reading;
    const reads = (this.readMaps[this.depth++] ??= new Map<string, ResolvedDeriv>());
    // V8's Map.clear() allocates a new table even when the map is empty (most records are: nothing was read)
    if (reads.size) reads.clear();
    this.reading = reads;
    return outer;
  }

  /** Ends the innermost record (back to `outer`) and returns what it holds. */
  private closeReads(outer: Map<string, ResolvedDeriv> | null): Map<string, ResolvedDeriv> {
    const reads = this.readMaps[--this.depth]!;
    this.reading = outer;
    this.currentStamp = this.outerStamps.pop()!;
    return reads;
  }

  /** ReadTracker (./values.ts): the records being noted into, as a stamp — new with each record opened, back when it closes. */
  stamp(): number {
    return this.currentStamp;
  }
  private currentStamp = 0;
  private stamps = 0;
  /** the stamps of the records open around the current one, innermost last */
  private readonly outerStamps: number[] = [];

  /** ReadTracker (./values.ts): what `f` reads, noted as any read is and returned, for a product's memo to replay. */
  capture<T>(f: () => T): [T, readonly ResolvedDeriv[]] {
    const opened = this.open();
    let out: T;
    let read: readonly ResolvedDeriv[];
    try {
      out = f();
    } finally {
      read = this.close(opened);
    }
    return [out, read];
  }

  /** ReadTracker: the start of a capture (what `close` takes). */
  open(): Map<string, ResolvedDeriv> | null {
    return this.openReads();
  }

  /** ReadTracker: the end of a capture: what was read since `open`, noted as any read is. */
  close(opened: unknown): readonly ResolvedDeriv[] {
    const reads = this.closeReads(opened as Map<string, ResolvedDeriv> | null);
    if (!reads.size) return NO_READS;
    const read = [...reads.values()];
    for (const d of read) this.noteRead(d);
    return read;
  }

  replay(reads: readonly unknown[]): void {
    for (const d of reads as readonly ResolvedDeriv[]) this.noteRead(d);
  }

  private noteRead(d: ResolvedDeriv): void {
    if (!this.tracksReads) return;
    if (this.reading && !this.reading.has(d.text)) this.reading.set(d.text, d);
    if (!this.touchedMap.has(d.text)) this.touchedMap.set(d.text, d);
  }

  private node(e: Expr, env: IntEnv): GraphNode {
    // the node's name and time read off the expression (refOf's record, made only for a message)
    const n: GraphNode =
      e.kind === 'seq'
        ? { name: e.name, time: e.time ? evalAffine(e.time, env) : null }
        : e.kind === 'sym'
          ? { name: e.name, time: null }
          : { name: refOf(e).name, time: null }; // refOf throws: no other expression is a graph node
    const problem = this.graph.nodeProblem(n);
    if (problem) {
      const ref = refOf(e);
      const vars = ref.time ? Object.keys(ref.time.terms) : [];
      throw new DomainError(
        `${formatNodeRef(ref)} with ${vars.map((v) => `${v}=${own(env, v)}`).join(', ') || 'no variables'}: ${problem}`,
      );
    }
    return n;
  }

  /** The held nodes of a partial derivative: single nodes, or whole sequences (`h` alone). */
  private heldSet(held: readonly Expr[], env: IntEnv): ReadonlySet<string> {
    // Nothing held (most derivatives): one shared set, so its sorted text is computed once.
    if (held.length === 0) return NOTHING_HELD;
    return new Set(held.map((f) => (f.kind === 'sym' ? heldEverywhere(f.name) : nodeKey(this.node(f, env)))));
  }

  private touch(mode: string, args: readonly Expr[], env: IntEnv): void {
    if (!this.tracksReads) return;
    const of = this.node(args[0]!, env);
    const wrt = this.node(args[1]!, env);
    const fixed = this.heldSet(args.slice(2), env);
    const key = `${mode}|${nodeKey(of)}|${nodeKey(wrt)}|${fixedKey(fixed)}`;
    this.reading?.set(key, this.reading.get(key) ?? { mode, of, wrt, fixed, text: key });
  }

  /** the sequences a sweep's lost digits are watched in (one list per evaluator, not one per sweep) */
  private sequenceNames: readonly string[] | null = null;

  /** Memoised derivative sweep; shared by every quantity that needs the same seed. */
  sweep(kind: 'tan' | 'adj', from: GraphNode, dir: Dense, fixed: ReadonlySet<string>, withParams = false) {
    // A claim's bindings ask for the same sweep at every lag: the last one answered is checked first, by its
    // parts, before a key text is built (held sets are never changed once built, so the same set is the same key).
    const last = this.lastSweep;
    if (
      last &&
      last.dir === dir &&
      last.kind === kind &&
      last.fixed === fixed &&
      last.withParams === withParams &&
      last.from.name === from.name &&
      last.from.time === from.time
    )
      return last.sweep;
    const key = `${kind}|${nodeKey(from)}|${fixedKey(fixed)}|${withParams}`;
    let byKey = this.sweeps.get(dir);
    if (!byKey) this.sweeps.set(dir, (byKey = new Map<string, (n: UnrolledNode) => Float64Array | null>()));
    let s = byKey.get(key);
    if (!s) {
      const { graph } = this;
      const lookup =
        kind === 'tan' ? graph.tangents(from, dir.data, fixed) : graph.adjoints(from, dir.data, fixed, withParams);
      const watched = watchLostPrecision(
        lookup,
        kind === 'tan' ? 'forward' : 'backward',
        graph.T,
        (this.sequenceNames ??= [...graph.program.equations.map((eq) => eq.target), ...graph.data.inputs.keys()]),
        lookup.ownLoss,
        // a sweep from a step starts there (one from the loss or a parameter: at T backwards, 0 forwards)
        from.time ?? (kind === 'tan' ? 0 : graph.T),
      );
      // A sweep rests on the forward values its derivatives read at the steps it crosses: what the forward pass lost on
      // the way to those (./unrolled.ts, sweepReadLoss), not what its start lost — a loss `sum(…)` that cancels
      // leaves every gradient exact. Nothing to note where no step's derivatives lose anything.
      s =
        graph.everyReadLoss() > 0
          ? (n: UnrolledNode) => {
              const v = watched(n);
              if (v) noteForwardLoss(graph.sweepReadLoss(kind, from, n));
              return v;
            }
          : watched;
      byKey.set(key, s);
    }
    this.lastSweep = { kind, from, dir, fixed, withParams, sweep: s };
    return s;
  }

  /** the sweep `sweep` answered last, and what it was asked (see there): keeps one direction alive past its use, no more */
  private lastSweep: {
    readonly kind: 'tan' | 'adj';
    readonly from: GraphNode;
    readonly dir: Dense;
    readonly fixed: ReadonlySet<string>;
    readonly withParams: boolean;
    readonly sweep: (n: UnrolledNode) => Float64Array | null;
  } | null = null;

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

  private size(n: GraphNode): number {
    const [r, c] = this.graph.dims(n.name);
    return r * c;
  }

  /** An expression's dimensions from its static shape (an empty range's terms may not exist). */
  private dimsOf(e: Expr, env: IntEnv): [number, number] {
    return dimsIn(this.graph.model, e, env);
  }

  private compute(e: Expr, env: IntEnv, spec: OpSpec | null): Value {
    switch (e.kind) {
      case 'num':
        return scalar(e.value);
      case 'ivar': {
        const v = own(env, e.name);
        if (v === undefined) throw new Error(`unbound ${e.name}`);
        return scalar(v);
      }
      case 'rvar':
        throw new Error('a real variable outside supabs');
      case 'sym':
      case 'seq': {
        const n = this.node(e, env);
        const [r, c] = this.graph.dims(n.name);
        // what the forward pass lost on the way to it (a parameter: nothing)
        noteForwardLoss(this.graph.lostAt(n));
        return dense(r, c, this.graph.value(n));
      }
      case 'op': {
        // integer arithmetic (T − t + 1) as the exact number it is: no sum noted as cancelled (ir/expr.ts integerValue)
        const exact = integerValue(e, (name) => own(env, name));
        return exact !== null ? scalar(exact) : spec!.evaluate(e, this.context(env));
      }
    }
  }

  /** The value of a fused tree's root (see FusedTree); a leaf that is not dense: the records' own evaluation. */
  private computeFused(e: Expr, env: IntEnv, tree: FusedTree, spec: OpSpec | null): Value {
    const { entries, data, rows, cols, carried, ownCarried } = tree;
    const last = entries.length - 1;
    for (let i = 0; i <= last; i++) {
      const entry = entries[i]!;
      const kernel = entry.kernel;
      if (kernel === null) {
        if (entry.constant) {
          // a number as `eval` would give it (a 1 × 1 value, its subnormal noted)
          noteLostPrecision((carried[i] = ownCarried[i] = lostPrecisionOf(entry.constant)));
          data[i] = entry.constant;
          rows[i] = cols[i] = 1;
          continue;
        }
        // the leaf's own record (what it lost on the way), which the operators above it carry
        const outerLost = openOwnRecord();
        let v: Value;
        try {
          v = this.eval(entry.leaf!, env);
        } finally {
          carried[i] = closeOwnRecord(outerLost);
          ownCarried[i] = closedOwnPrecision();
        }
        if (v.kind !== 'dense') {
          data.fill(EMPTY);
          return this.compute(e, env, spec);
        }
        data[i] = v.data;
        rows[i] = v.rows;
        cols[i] = v.cols;
        continue;
      }
      const { a, b } = entry;
      // the shape of the longer operand (a one-entry operand is broadcast), as the records' dense loops take it
      const shaped = b >= 0 && data[b]!.length > data[a]!.length ? b : a;
      const length = data[shaped]!.length;
      let out: Float64Array;
      if (i === last) out = newVec(length);
      else {
        if (entry.scratch?.length !== length) entry.scratch = new Float64Array(length);
        out = entry.scratch;
      }
      const [x, y] = [data[a]!, b >= 0 ? data[b]! : null];
      // a product's operands' figures add (both parts), as the records' productOperands notes them; others' the largest
      const adds = kernel.addsLosses === true;
      const [lostA, lostB] = [carried[a]!, b >= 0 ? carried[b]! : 0];
      const [ownA, ownB] = [ownCarried[a]!, b >= 0 ? ownCarried[b]! : 0];
      const below = adds ? addedLoss(lostA, lostB) : Math.max(lostA, lostB);
      const ownBelow = adds ? addedLoss(ownA, ownB) : Math.max(ownA, ownB);
      let own = Math.max(kernel.run(out, x, y), lostPrecisionOf(out));
      // what the operands lost, magnified where the operator magnifies it (a sum that cancels, a power), is the
      // claim's own doing, as the records note it; what they lost as it is was noted with them (a product's sum here)
      if (below > 0 && kernel.magnifies) own = Math.max(own, magnifiedLoss(kernel.magnifies(out, x, y), below));
      noteLostPrecision(own);
      if (adds && lostA > 0 && lostB > 0) noteLostPrecisions(below, ownBelow);
      carried[i] = Math.max(own, below);
      ownCarried[i] = Math.max(own, ownBelow);
      data[i] = out;
      rows[i] = rows[shaped]!;
      cols[i] = cols[shaped]!;
    }
    const value = dense(rows[last]!, cols[last]!, data[last]!);
    // the tree's leaves are not kept past the evaluation (nor past a fallback; after an error, until the next one)
    data.fill(EMPTY);
    return value;
  }

  private context(env: IntEnv): NumericContext {
    return new BindingContext(this, env);
  }

  /** @internal what a binding's context reads */
  memo<T>(table: string): Map<string, T> {
    let m = this.memos.get(table);
    if (!m) {
      m = new Map();
      this.memos.set(table, m);
    }
    return m as Map<string, T>;
  }

  /** @internal */
  evalAt(e: Expr, env: IntEnv): Value {
    return this.eval(e, env);
  }

  /** @internal a user function's elementwise rule, by name */
  readonly userRule = (name: string): ElementwiseRule => this.graph.model.functions.get(name)!.rule;

  /** @internal */
  nodeAt(e: Expr, env: IntEnv): GraphNode {
    return this.node(e, env);
  }

  /** @internal */
  heldAt(es: readonly Expr[], env: IntEnv): ReadonlySet<string> {
    return this.heldSet(es, env);
  }

  /** @internal */
  dimsAt(e: Expr, env: IntEnv): [number, number] {
    return this.dimsOf(e, env);
  }
}

/**
 * Scalar functions (sup bodies) compiled once per model's user functions, variable and body structure: the
 * closures are pure, so one serves every instance, claim and repair candidate, and `supAbs` searches each
 * once. Keyed by the functions' record itself (two models' `f` are different functions); bounded.
 */
const compiledScalars = new WeakMap<Model['functions'], Map<string, WatchedScalar>>();
const MAX_COMPILED_SCALARS = 4096;

/** The context an operator record evaluates in: one binding of one evaluator (a small object per node, methods shared). */
class BindingContext implements NumericContext {
  constructor(
    private readonly ev: Evaluator,
    readonly env: IntEnv,
  ) {}
  eval(x: Expr, inner: IntEnv = this.env): Value {
    return this.ev.evalAt(x, inner);
  }
  dense(x: Expr, inner: IntEnv = this.env): Dense {
    return asDense(this.ev.evalAt(x, inner));
  }
  dims(x: Expr, inner: IntEnv = this.env): [number, number] {
    return this.ev.dimsAt(x, inner);
  }
  int(a: Parameters<NumericContext['int']>[0], inner: IntEnv = this.env): number {
    return evalAffine(a, inner);
  }
  index(ix: Index, inner: IntEnv = this.env): number {
    return evalIndex(ix, inner);
  }
  graphNode(x: Expr): GraphNode {
    return this.ev.nodeAt(x, this.env);
  }
  held(xs: readonly Expr[]): ReadonlySet<string> {
    return this.ev.heldAt(xs, this.env);
  }
  value(n: GraphNode): Float64Array {
    // a value of the forward pass brings what the forward pass lost on the way to it
    noteForwardLoss(this.ev.graph.lostAt(n));
    return this.ev.graph.value(n);
  }
  nodeDims(name: string): readonly [number, number] {
    return this.ev.graph.dims(name);
  }
  activationDerivative(name: string, t: number): Float64Array | null {
    noteForwardLoss(this.ev.graph.lostAt({ name, time: t }));
    // and what computing the derivative from those values loses (1 − y² at a saturated unit)
    noteLostPrecision(this.ev.graph.activationDerivativeLoss(name, t));
    return this.ev.graph.activationDerivative(name, t);
  }
  sweep(kind: 'tan' | 'adj', from: GraphNode, dir: Dense, fixed: ReadonlySet<string>, withParams?: boolean) {
    return this.ev.sweep(kind, from, dir, fixed, withParams);
  }
  get one(): Dense {
    return ONE;
  }
  get preferRows(): boolean {
    return this.ev.preferRows;
  }
  isSize(name: string): boolean {
    return own(this.ev.sizes, name) !== undefined;
  }
  get productMemo(): ProductMemo {
    return this.ev.productMemo;
  }
  memo<T>(table: string): Map<string, T> {
    return this.ev.memo<T>(table);
  }
  contentKey(x: Expr, inner: IntEnv = this.env): string {
    return contentKey(x, inner);
  }
  /** one function per evaluator, not one per context (a context is made for every value computed) */
  get userRule(): (name: string) => ElementwiseRule {
    return this.ev.userRule;
  }
  scalarFunction(body: Expr, variable: string): WatchedScalar {
    const functions = this.ev.graph.model.functions;
    let compiled = compiledScalars.get(functions);
    if (!compiled) compiledScalars.set(functions, (compiled = new Map<string, WatchedScalar>()));
    // A scalar function reads no index: its content key is its structure (equal keys, equal trees).
    const key = `${variable}|${contentKey(body, {})}`;
    let f = compiled.get(key);
    if (!f) {
      const rules = new Map([...functions].map(([name, fn]) => [name, fn.rule]));
      // charged a call by its body's nodes (the declared functions it calls charge for theirs)
      const nodes = bodyNodes(body);
      f = {
        value: meteredScalar(compileScalar(body, variable, rules), VALUE_UNITS_PER_NODE * nodes),
        lost: meteredScalar(compileScalarLoss(body, variable, rules), LOSS_UNITS_PER_NODE * nodes),
        extended: extendedScalar(body, variable),
      };
      if (compiled.size >= MAX_COMPILED_SCALARS) compiled.clear();
      compiled.set(key, f);
    }
    return f;
  }
  outside(message: string, expected?: string): never {
    throw new DomainError(message, expected);
  }
}
