/**
 * The unrolled computation graph of one instance: the forward pass, and the
 * two exact derivative sweeps over it — tangents (forward mode, dual numbers)
 * and adjoints (reverse mode). A derivative is defined by perturbing one graph
 * node and recomputing everything downstream of it, except the nodes held
 * fixed; tangents, adjoints and finite differences all implement exactly that
 * definition, which is how partial and total derivatives stay distinct.
 */
import type { Model } from '../model/model.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import type { Kernel } from '../ops/contexts.js';
import type { OpList, Program, Vec } from './program.js';
import { withResident } from './simd.js';
import { chargeWork } from './work-meter.js';
import { copyVec, newVec } from './slab.js';
import { binary } from './kernel.js';
import {
  addedLoss,
  addIntoCancellation,
  derivativeLoss,
  lostPrecisionOf,
  magnifiedLoss,
  reductionCancellationOf,
  sumsCancellation,
} from './lost-digits.js';

export interface GraphNode {
  readonly name: string;
  /** null for parameters and the loss */
  readonly time: number | null;
}

export const nodeKey = (n: GraphNode): string => (n.time === null ? n.name : `${n.name}@${n.time}`);

/** The key under which a whole sequence is held fixed at every time step. */
export const heldEverywhere = (name: string): string => `${name}@*`;

/** Is `name` at time t held fixed (by its own key or as a whole sequence)? */
const isHeld = (fixed: ReadonlySet<string>, name: string, t: number) =>
  fixed.size > 0 && (fixed.has(`${name}@${t}`) || fixed.has(heldEverywhere(name)));

/** The single time steps held fixed, by sequence name (keys `name@t` of `fixed`). */
function heldTimesOf(fixed: ReadonlySet<string>): Map<string, Set<number>> {
  const times = new Map<string, Set<number>>();
  for (const key of fixed) {
    const at = key.lastIndexOf('@');
    if (at < 0 || key[at + 1] === '*') continue;
    const name = key.slice(0, at);
    let set = times.get(name);
    if (!set) times.set(name, (set = new Set()));
    set.add(Number(key.slice(at + 1)));
  }
  return times;
}

export interface InstanceData {
  readonly params: ReadonlyMap<string, Vec>;
  /** input sequences, indexed by time 1..T (index 0 unused) */
  readonly inputs: ReadonlyMap<string, readonly Vec[]>;
  /** state values at time 0 */
  readonly initial: ReadonlyMap<string, Vec>;
}

/** A leaf op resolved once: a parameter, or a sequence at t+offset (absolute `offset` in the loss). */
interface Leaf {
  readonly name: string;
  readonly param: boolean;
  readonly offset: number;
  /** a sequence's row in a tangent sweep's table (Unrolled.rowOf); -1 for a parameter */
  readonly row: number;
}

/** Values indexed by sequence name, then time. */
type Timeline = Map<string, (Vec | null)[]>;

/** Reusable arrays for evaluating one op list (kernels never keep them). */
interface ListScratch {
  /** its ops' tangents (tangentList) */
  readonly tangents: (Vec | null)[];
  /** its ops' adjoints (adjointList) */
  readonly adjoints: (Vec | null)[];
  /** per op, its inputs' values and tangents and which adjoints are wanted */
  readonly ops: readonly { values: Vec[]; tangents: (Vec | null)[]; wanted: boolean[] }[];
  /** per op, what its value lost on the way to it (a watched evaluation's, see Unrolled.evalList) */
  readonly lost: Float64Array;
  /** the same without what the sequences it reads lost (this list's own operations at this evaluation) */
  readonly ownLost: Float64Array;
  /** per op, what its derivatives read (`derivativeReadsOf`), by kind of sweep (`inputsOf`) */
  readonly reads: readonly (readonly DerivativeReads[])[];
  /** the same with every leaf carrying a derivative (`derivativeReadSequences`) */
  readonly readsEveryLeaf: readonly DerivativeReads[];
  /** what one evaluation of the list, or one tangent or adjoint step through it, costs on the work meter (`listWork`) */
  readonly work: number;
}

/**
 * A list's operations in float64 multiply-adds, as the work meter counts them (../numeric/work-meter.ts): each kernel
 * its output and its operands' entries, and a product of matrices its r·k·c (Kernel.multiplyAdds). Charged per
 * evaluation, tangent step and adjoint step: the sweeps ran through the kernels uncounted, and a claim of products of
 * one-step Jacobians over every lag at T = 2000 ran 404 s before its meter reached a limit meant for ≈ 100 s.
 */
function listWork(list: OpList): number {
  let work = 0;
  list.ops.forEach((op, i) => {
    if (op.kind !== 'kernel') return;
    const [r, c] = list.dims[i]!;
    work += r * c + (op.kernel.multiplyAdds ?? 0);
    for (const input of op.inputs) {
      const [ri, ci] = list.dims[input]!;
      work += ri * ci;
    }
  });
  return work;
}

/**
 * The kinds of derivative sweep, by the input sequences that carry a derivative in them (inputs are leaves: no
 * derivative flows into one unless a sweep starts or ends there): kind 0, none (a sweep between states, parameters and
 * the loss); kind 1 + i, input i alone (a sweep from or to it). A product's derivative toward an input operand — y .*
 * log(ŷ) toward y, which reads log(ŷ) — is taken in y's kind alone, not in a sweep to V or to x.
 */
const sweepInputs = new WeakMap<Program, readonly string[]>();

/** The sequences a program reads that no equation makes, its inputs, in a fixed order (sweep kind 1 + i is input i). */
function inputsOf(program: Program): readonly string[] {
  let inputs = sweepInputs.get(program);
  if (inputs) return inputs;
  const targets = new Set(program.equations.map((eq) => eq.target));
  const names = new Set<string>();
  for (const list of [...program.equations.map((e) => e.list), ...(program.loss ? [program.loss] : [])])
    for (const op of list.ops) if (op.kind === 'seq' && !targets.has(op.name)) names.add(op.name);
  sweepInputs.set(program, (inputs = [...names]));
  return inputs;
}

/**
 * The scratch arrays of a program's op lists, shared by every instance of it (a counterexample search builds
 * one per step): a list's evaluation fills them and reads them back before any other starts, as none nests
 * in another (kernels call nothing back), whichever instance runs it.
 */
const programScratch = new WeakMap<Program, Map<OpList, ListScratch>>();

function scratchFor(program: Program): Map<OpList, ListScratch> {
  let byList = programScratch.get(program);
  if (byList) return byList;
  byList = new Map();
  for (const list of [...program.equations.map((e) => e.list), ...(program.loss ? [program.loss] : [])])
    byList.set(list, {
      tangents: new Array<Vec | null>(list.ops.length).fill(null),
      adjoints: new Array<Vec | null>(list.ops.length).fill(null),
      lost: new Float64Array(list.ops.length),
      ownLost: new Float64Array(list.ops.length),
      reads: [null, ...inputsOf(program)].map((carried) =>
        derivativeReadsOf(list, new Set(inputsOf(program).filter((name) => name !== carried))),
      ),
      readsEveryLeaf: derivativeReadsOf(list, null),
      work: listWork(list),
      ops: list.ops.map((op) => {
        const n = op.kind === 'kernel' ? op.inputs.length : 0;
        return {
          values: new Array<Vec>(n),
          tangents: new Array<Vec | null>(n).fill(null),
          wanted: new Array<boolean>(n).fill(false),
        };
      }),
    });
  programScratch.set(program, byList);
  return byList;
}

/** The parameters a program's equations read (the forward pass reads no other), by program. */
const paramsOfEquations = new WeakMap<Program, readonly string[]>();

function equationParams(program: Program): readonly string[] {
  let names = paramsOfEquations.get(program);
  if (!names) {
    const set = new Set<string>();
    for (const eq of program.equations) for (const op of eq.list.ops) if (op.kind === 'param') set.add(op.name);
    paramsOfEquations.set(program, (names = [...set]));
  }
  return names;
}

/** Are a and b the same numbers bit for bit (a signed zero by its sign; a NaN only in the same array)? */
function sameBits(a: Vec | undefined, b: Vec | undefined): boolean {
  if (a === b) return a !== undefined;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x !== b[i]! || (x === 0 && 1 / x !== 1 / b[i]!)) return false;
  }
  return true;
}

/**
 * What an op's tangent and adjoint read of the forward values: its value ('value', which holds its operands'), the
 * listed operands alone (a product: each operand's derivative reads the others; a constant operand has none), or
 * nothing (an empty list: sums, reductions, rearrangements), by its kernel's `reads`. Null for a leaf or a constant.
 */
type DerivativeReads = 'value' | readonly number[] | null;

function derivativeReadsOf(list: OpList, held: ReadonlySet<string> | null): DerivativeReads[] {
  // whether each op reads no leaf (a parameter or a sequence) but `held` ones, directly or through its inputs: a
  // constant to the sweep
  const constant: boolean[] = [];
  for (const op of list.ops)
    constant.push(
      op.kind === 'const' ||
        (op.kind === 'seq' && held !== null && held.has(op.name)) ||
        (op.kind === 'kernel' && op.inputs.every((input) => constant[input])),
    );
  return list.ops.map((op) => {
    if (op.kind !== 'kernel') return null;
    const reads = op.kernel.reads;
    if (reads === undefined) return 'value';
    if (reads === 'nothing') return [];
    if (reads === 'operands') return op.inputs;
    const varying = op.inputs.filter((input) => !constant[input]).length;
    // an operand is read where another operand may carry a derivative
    return op.inputs.filter((input) => (constant[input] ? varying : varying - 1) > 0);
  });
}

/**
 * What the derivatives of the forward pass's steps read of its lost digits, in one kind of sweep: step[t], the worst
 * among the values the derivatives of step t's equations read (their tangents and adjoints: `readLoss`, and an
 * activation's derivative computed from its argument and value: 1 − y² at a saturated unit), what a sweep crossing
 * step t rests on — not a sum's value, which no derivative reads; from[t] the worst of it over steps t..T (a running
 * maximum from T down); byEquation[e][t] the same figure for equation e alone (a sweep that starts or ends at a step
 * crosses only some of its equations).
 */
interface StepReads {
  readonly step: Float64Array;
  readonly from: Float64Array;
  readonly byEquation: readonly Float64Array[];
}

/** What op i's derivatives read of the lost digits on the way (`lostOf`, per op of its list, see Unrolled.evalList). */
function readLoss(reads: DerivativeReads, lostOf: Float64Array, i: number): number {
  if (reads === null) return 0;
  if (reads === 'value') return lostOf[i]!;
  let worst = 0;
  for (const input of reads) if (lostOf[input]! > worst) worst = lostOf[input]!;
  return worst;
}

/**
 * The sequences whose values a program's derivatives read, directly or through the values they read (each read
 * value is a function of the sequences upstream of it at its step; an equation's own value, of its target): a
 * derivative sweep is float64's function of these sequences' values alone, by program.
 */
const derivativeReadsByProgram = new WeakMap<Program, ReadonlySet<string>>();

function derivativeReadSequences(program: Program): ReadonlySet<string> {
  let names = derivativeReadsByProgram.get(program);
  if (names) return names;
  const set = new Set<string>();
  const lists: { list: OpList; target: string | null }[] = [
    ...program.equations.map((eq) => ({ list: eq.list, target: eq.target })),
    ...(program.loss ? [{ list: program.loss, target: null }] : []),
  ];
  for (const { list, target } of lists) {
    const upstream: Set<string>[] = [];
    for (const op of list.ops)
      upstream.push(
        op.kind === 'seq'
          ? new Set([op.name])
          : op.kind === 'kernel'
            ? new Set(op.inputs.flatMap((input) => [...upstream[input]!]))
            : new Set(),
      );
    // what each op's derivatives read, as the list's scratch holds it (computed once per program)
    scratchFor(program)
      .get(list)!
      .readsEveryLeaf.forEach((reads, i) => {
        const read = reads === 'value' ? [i] : (reads ?? []);
        for (const r of read) for (const name of upstream[r]!) set.add(name);
        if (reads === 'value' && i === list.root && target !== null) set.add(target);
      });
  }
  derivativeReadsByProgram.set(program, (names = set));
  return names;
}

/**
 * A derivative sweep's lookup (null = zero), with what the sweep's own sums lost to cancellation (`ownLoss`): at each
 * step (the sums made there: an adjoint's contributions added at a node, a sum's or a product's parts of a tangent),
 * and, at null, in the loss's list. A tangent may cancel where the forward values do not (d((1 + ε)x + (2 − x)) =
 * (1 + ε) − 1), and an adjoint where paths meet again (L = Σ c h − 0.999999 Σ c h); the values the sweep reads
 * lost nothing there (Unrolled.sweepReadLoss).
 */
export type SweepLookup = ((n: GraphNode) => Vec | null) & { readonly ownLoss: (t: number | null) => number };

/** the figure of the last `watchedTangent`: what that tangent's own sums lost to cancellation */
let tangentLoss = 0;

/**
 * A kernel's tangent, with what it lost to cancellation in its own sums (left in `tangentLoss`): a sum's or a
 * reduction's (`lostDigits` on the tangents, as the forward pass notes it on the values; with one operand's tangent
 * alone an elementwise sum adds nothing); for any other kernel of two operands that both carry one, the sum of its two
 * parts (its tangent is linear in them: each is its tangent with that operand's alone — a product's dA·B and A·dB, a
 * quotient's da/b and −(a/b)·db/b; `out` is its value, which a quotient's tangent reads). A product's tangent is that
 * sum itself (its kernel adds the parts: `reads: 'others'`), made once here from the parts. A product of matrices notes
 * too what each part's dot products lost (Kernel.partLost): a sweep's W·dh at a nearly nilpotent W cancels as W·W does.
 */
function watchedTangent(
  kernel: Kernel,
  values: readonly Vec[],
  out: Vec,
  tangents: (Vec | null)[],
  carrying: number,
): Vec | null {
  tangentLoss = 0;
  if (!carrying) return null;
  const { partLost } = kernel;
  if (kernel.reads === 'nothing' || carrying < 2 || tangents.length !== 2) {
    const tangent = kernel.tangent(values, tangents, out);
    if (tangent && kernel.reads === 'nothing' && kernel.lostDigits && !(values.length > 1 && carrying < values.length))
      tangentLoss = kernel.lostDigits(tangents as Vec[], tangent);
    // a product of matrices' dot products, with one operand's tangent (its tangent is that part)
    if (tangent && partLost && carrying === 1) tangentLoss = Math.max(tangentLoss, partLost(values, tangents, tangent));
    return tangent;
  }
  // the two parts, each the kernel's tangent with one operand's tangent alone
  const [da, db] = tangents as [Vec, Vec];
  tangents[1] = null;
  const first = kernel.tangent(values, tangents, out);
  const firstLost = first && partLost ? partLost(values, tangents, first) : 0;
  tangents[0] = null;
  tangents[1] = db;
  const second = kernel.tangent(values, tangents, out);
  const secondLost = second && partLost ? partLost(values, tangents, second) : 0;
  tangents[0] = da;
  const tangent =
    kernel.reads === 'others' && first && second ? binary('add', first, second) : kernel.tangent(values, tangents, out);
  if (tangent && first && second) tangentLoss = sumsCancellation(first, second, tangent);
  tangentLoss = Math.max(tangentLoss, firstLost, secondLost);
  return tangent;
}

export class Unrolled {
  readonly T: number;
  /** every sequence's value by time: inputs, initial states, equation results (written by the forward pass only) */
  private readonly seq: Timeline;
  /** op values of equation e at time t: opValues[t][e][op] (written by the forward pass only) */
  private readonly opValues: Vec[][][];
  private lossValues: Vec[] | null = null;
  private readonly leaves: Map<OpList, (Leaf | null)[]>;
  /**
   * Each sequence's row in a tangent sweep's table: one array per step swept, not an array of T + 1 per
   * sequence and a map of them — a memoised sweep lives as long as its direction, so its size is what the
   * garbage collector copies.
   */
  private readonly rowOf: Map<string, number>;
  /** each equation's row (its target's) */
  private readonly targetRows: readonly number[];
  /**
   * The parameters, copied once per sweep into the vectorised kernels' memory (./simd.ts): nothing writes an
   * instance's parameters, and every step of a sweep reads them.
   */
  private readonly residentParams: readonly Vec[];
  /** per op list, its reusable arrays (the program's) */
  private readonly scratch: Map<OpList, ListScratch>;

  /**
   * `sameForwardAs`: a graph whose forward states this one may share. They are shared when its program is this
   * one's and its data differ from `data` at most in parameters no equation reads (a read-out, which only the
   * loss reads): the same kernels on the same values, so the same states. Otherwise they are computed.
   */
  constructor(
    readonly model: Model,
    readonly program: Program,
    readonly data: InstanceData,
    sameForwardAs?: Unrolled,
  ) {
    this.T = program.sizes.T!;
    this.scratch = scratchFor(program);
    this.watchedReadLoss = new Float64Array(1 + inputsOf(program).length);
    this.lossReadLost = new Float64Array(this.watchedReadLoss.length);
    if (sameForwardAs?.program === program && sameForwardAs.model === model && sameForwardAs.forwardReadsSame(data)) {
      // Nothing writes a graph's states once its forward pass is done: both graphs read the same arrays.
      ({
        seq: this.seq,
        opValues: this.opValues,
        leaves: this.leaves,
        rowOf: this.rowOf,
        forwardLost: this.forwardLost,
        seqLost: this.seqLost,
        stepReads: this.stepReads,
      } = sameForwardAs);
      this.targetRows = sameForwardAs.targetRows;
      // The shared steps hold the other graph's parameter arrays (equal to these): the sweeps read those too.
      const shared = equationParams(program).map((name) => sameForwardAs.data.params.get(name)!);
      this.residentParams = [...data.params.values(), ...shared];
      if (program.loss) withResident(this.residentParams, () => this.runLoss());
      return;
    }
    this.residentParams = [...data.params.values()];
    this.seq = new Map();
    this.opValues = [];
    this.leaves = new Map();
    this.rowOf = new Map();
    for (const [name, values] of data.inputs) this.seq.set(name, [...values]);
    for (const eq of program.equations) this.seq.set(eq.target, new Array<Vec | null>(this.T + 1).fill(null));
    for (const [name, value] of data.initial) this.seq.get(name)![0] = value;
    for (const name of this.seq.keys()) this.rowOf.set(name, this.rowOf.size);
    this.targetRows = program.equations.map((eq) => this.rowOf.get(eq.target)!);
    for (const list of [...program.equations.map((e) => e.list), ...(program.loss ? [program.loss] : [])])
      this.leaves.set(
        list,
        list.ops.map((op) =>
          op.kind === 'param'
            ? { name: op.name, param: true, offset: 0, row: -1 }
            : op.kind === 'seq'
              ? { name: op.name, param: false, offset: op.offset, row: this.rowOf.get(op.name)! }
              : null,
        ),
      );
    withResident(this.residentParams, () => this.runForward());
  }

  /**
   * Does the forward pass read the same values from `data` as from this graph's data? Every input and initial
   * state, and every parameter an equation reads, bit for bit (`sameBits`). Inputs the loss alone reads are
   * compared too, as the states' timeline holds them.
   */
  private forwardReadsSame(data: InstanceData): boolean {
    const mine = this.data;
    // the parameters first: where the data of a search's successive graphs most often differ
    for (const name of equationParams(this.program))
      if (!sameBits(data.params.get(name), mine.params.get(name))) return false;
    if (data.inputs.size !== mine.inputs.size || data.initial.size !== mine.initial.size) return false;
    for (const [name, values] of data.inputs) {
      const own = mine.inputs.get(name);
      if (!own || own.length !== values.length) return false;
      for (let t = 0; t < values.length; t++) if (!sameBits(values[t], own[t])) return false;
    }
    for (const [name, value] of data.initial) if (!sameBits(value, mine.initial.get(name))) return false;
    return true;
  }

  /**
   * Runs `fn` with the parameters resident in the vectorised kernels' memory (./simd.ts): a claim's products
   * (Wᵀ at every lag) read them as the sweeps do, without a copy of the matrix per product.
   */
  withResidentParams<T>(fn: () => T): T {
    return withResident(this.residentParams, fn);
  }

  get lossName(): string | null {
    return this.model.loss?.name ?? null;
  }

  /** Checks a node exists on this instance; returns a reason when it does not. */
  nodeProblem(n: GraphNode): string | null {
    if (n.time === null)
      return this.data.params.has(n.name) || n.name === this.lossName ? null : `unknown node ${n.name}`;
    if (this.data.inputs.has(n.name))
      return n.time >= 1 && n.time <= this.T ? null : `${n.name}[${n.time}] is outside the inputs 1..${this.T}`;
    const lo = this.data.initial.has(n.name) ? 0 : 1;
    return n.time >= lo && n.time <= this.T ? null : `${n.name}[${n.time}] is outside ${lo}..${this.T}`;
  }

  value(n: GraphNode): Vec {
    if (n.time !== null) return this.seq.get(n.name)![n.time]!;
    if (n.name === this.lossName) return this.lossValues![this.program.loss!.root]!;
    return this.data.params.get(n.name)!;
  }

  dims(name: string): readonly [number, number] {
    return name === this.lossName ? [1, 1] : this.program.dims.get(name)!;
  }

  private leafTime(leaf: Leaf, t: number | null): number {
    return t === null ? leaf.offset : t + leaf.offset;
  }

  /**
   * Evaluates an op list; `read` supplies leaf values. With `base` (the list's stored values at this step),
   * an op whose inputs are all the stored ones keeps its stored value instead of being recomputed (the same
   * kernel on the same arrays: the same result): a perturbed run recomputes only what the seed reaches.
   */
  private evalList(
    list: OpList,
    t: number | null,
    read: (leaf: Leaf, time: number) => Vec,
    base?: Vec[],
    watched = false,
  ): Vec[] {
    const leaves = this.leaves.get(list)!;
    const vals = new Array<Vec>(list.ops.length);
    const { ops: scratch, lost: lostOf, ownLost: ownOf, reads, work } = this.scratch.get(list)!;
    chargeWork(work);
    const watchedRead = this.watchedReadLoss;
    for (let i = 0; i < list.ops.length; i++) {
      const leaf = leaves[i];
      const op = list.ops[i]!;
      if (leaf) {
        vals[i] = read(leaf, this.leafTime(leaf, t));
        // what the sequence read lost on the way to it (inputs, initial states and parameters lost nothing)
        if (watched) lostOf[i] = leaf.param ? 0 : (this.seqLost.get(leaf.name)?.[this.leafTime(leaf, t)] ?? 0);
        ownOf[i] = 0;
      } else if (op.kind === 'const') {
        vals[i] = base ? base[i]! : Float64Array.of(op.value);
        lostOf[i] = ownOf[i] = 0;
      } else if (op.kind === 'kernel') {
        const ins = scratch[i]!.values;
        let unchanged = base !== undefined;
        let below = 0;
        let ownBelow = 0;
        // a product's operands' figures add (Kernel.addsLosses): in the loss all of them; in an equation its own
        // operations' at this step, not the sequences'. Their figures are a vector's worst entry and include what
        // is upstream of them, so two operands reading the same state count it twice: added along the steps, a
        // GRU's z .* g (both read h[t−1]) doubled its figure at every step, to every digit by step 30 (a review
        // found it); `h[t] = D * h[t-1]` over 100 steps therefore carries D's figure as it is (README: known limits)
        const adds = watched && op.kernel.addsLosses === true;
        for (let k = 0; k < ins.length; k++) {
          const input = op.inputs[k]!;
          ins[k] = vals[input]!;
          if (unchanged && vals[input] !== base![input]) unchanged = false;
          if (!watched) continue;
          below = adds && t === null ? addedLoss(below, lostOf[input]!) : Math.max(below, lostOf[input]!);
          ownBelow = adds ? addedLoss(ownBelow, ownOf[input]!) : Math.max(ownBelow, ownOf[input]!);
        }
        vals[i] = unchanged ? base![i]! : op.kernel.forward(ins);
        if (watched) {
          // A sum notes its cancellation: a sum that lands in the subnormals is exact (both operands are multiples
          // of 2^-1074), so only the other operators' subnormal results have lost digits.
          const { lostDigits, magnifies } = op.kernel;
          const own = lostDigits ? lostDigits(ins, vals[i]!) : lostPrecisionOf(vals[i]!);
          // What the operands lost, magnified where the operation magnifies their errors (a sum that cancels, log near 1,
          // x^k): in the loss's list all of it; in an equation what its own operations lost at this step (`ownOf`), not
          // the sequences it reads. Their figures are a vector's worst entry and a maximum along the steps, so
          // worst-entry factors taken one operation after another compounded over T: a saturated GRU's 1 − z grew a
          // 1e-8 figure to every digit by step 18 while float64's h was good to 4e-15, and true claims on it went
          // unverifiable (a review found it); that needs figures per entry.
          const source = t === null ? below : ownBelow;
          const magnified = magnifies && source > 0 ? magnifiedLoss(magnifies(ins, vals[i]!), source) : 0;
          const mine = Math.max(own, magnified);
          lostOf[i] = Math.max(mine, below, ownBelow);
          ownOf[i] = Math.max(mine, ownBelow);
        }
      }
      if (watched) {
        if (lostOf[i]! > this.watchedLoss) this.watchedLoss = lostOf[i]!;
        if (op.kind === 'kernel') {
          // an activation's derivative is computed by the sweep from its argument and value: what that loses too
          const activation = op.kernel.activation;
          const computed = activation ? derivativeLoss(activation.derivativeLost, scratch[i]!.values[0]!, vals[i]!) : 0;
          for (let kind = 0; kind < reads.length; kind++) {
            const read = Math.max(readLoss(reads[kind]![i]!, lostOf, i), computed);
            if (read > watchedRead[kind]!) watchedRead[kind] = read;
          }
        }
      }
    }
    return vals;
  }

  /** the worst precision the op list evaluated with `watched` left, its operands' own included (reset by callers) */
  private watchedLoss = 0;
  /** the worst of it among the values the list's derivatives read (`readLoss`), by kind of sweep (reset by callers) */
  private readonly watchedReadLoss: Float64Array;

  private resetWatched(): void {
    this.watchedLoss = 0;
    this.watchedReadLoss.fill(0);
  }
  /**
   * seqLost.get(name)[t]: the worst relative precision any value the forward pass made on the way to name[t] was
   * left with, by cancellation in an elementwise sum or in the subnormals (./lost-digits.ts): its own equation's
   * values at t and, through the sequences it reads, everything upstream of it (a maximum along the dependencies).
   * Only equation targets have an entry; inputs and initial states lost nothing. The claim evaluator notes it where
   * it reads a forward value (./evaluate.ts): it watches only what it computes itself.
   */
  private seqLost!: Map<string, Float64Array>;
  /** forwardLost[t]: the worst of seqLost over every sequence and every step up to t (a running maximum) */
  private forwardLost!: Float64Array;
  /** the same for the loss's value: its own list, and every sequence it reads */
  private lossLost = 0;
  /** what the derivatives of the forward pass's steps read of its lost digits (`StepReads`), by kind of sweep */
  private stepReads!: readonly StepReads[];
  /** the same for the loss's list (this graph's own: a graph sharing another's steps runs its own loss) */
  private lossReadLost!: Float64Array;

  /**
   * The worst relative precision the forward pass left at any sequence up to step t (0: nothing noted), or
   * (t null) up to T and the loss's value.
   */
  forwardLoss(t: number | null = null): number {
    if (t === null) return Math.max(this.forwardLost[this.T]!, this.lossLost);
    return this.forwardLost[Math.min(this.T, Math.max(0, t))]!;
  }

  /**
   * What a value read from the forward pass lost on the way to it: a sequence at a time (everything upstream of
   * it), the loss (everything it reads), a parameter nothing.
   */
  lostAt(n: GraphNode): number {
    if (n.time === null) return n.name === this.lossName ? this.lossLost : 0;
    return this.seqLost.get(n.name)?.[n.time] ?? 0;
  }

  /**
   * What a derivative sweep (`kind`: adjoints or tangents) from `from` read at `n` rests on of the forward pass's lost
   * digits: the worst figure among the forward values the derivatives of the steps it crossed read (`StepReads`),
   * and of the loss's list where it crosses it, among the derivatives its kind takes (`inputsOf`: toward an input only
   * in a sweep from or to that input). Not what its start or `n` lost on the way to their values: a sweep reads no
   * value its derivatives do not (a loss `sum(…)` that cancels leaves every gradient exact). An adjoint
   * sweep from the loss to n at time t crosses the loss's list, step t's equations after n's (only they read it) and
   * steps t+1..T; from a state at t0, down to t0's equations up to its own; a tangent sweep the same steps forward.
   * The seed ∇_{h_T} L of a saturated h_T crosses no 1 − h_T². A parameter (time null) is read at every step.
   */
  sweepReadLoss(kind: 'tan' | 'adj', from: GraphNode, n: GraphNode): number {
    const [fromInput, toInput] = [this.inputKind(from), this.inputKind(n)];
    // from one input to another (a zero derivative) both kinds; from or to one, its kind; else kind 0
    if (fromInput > 0 && toInput > 0 && fromInput !== toInput)
      return Math.max(this.sweepReadLossIn(fromInput, kind, from, n), this.sweepReadLossIn(toInput, kind, from, n));
    return this.sweepReadLossIn(Math.max(fromInput, toInput), kind, from, n);
  }

  /** sweepReadLoss in one kind of sweep (`inputsOf`) */
  private sweepReadLossIn(leaves: number, kind: 'tan' | 'adj', from: GraphNode, n: GraphNode): number {
    const fromLoss = from.time === null && from.name === this.lossName;
    const toLoss = n.time === null && n.name === this.lossName;
    const steps = this.stepReads[leaves]!;
    const lossRead = this.lossReadLost[leaves]!;
    if (kind === 'adj') {
      // adjoints flow from `from` back to n: the tangent sweep's steps, the other way round
      // to a parameter: every step up to the sweep's start
      if (n.time === null)
        return fromLoss || from.time === null ? this.everyReadLoss(leaves) : this.readLossBetween(steps, null, from);
      if (fromLoss) return Math.max(lossRead, this.readLossAfter(steps, n));
      if (from.time === null) return this.everyReadLoss(leaves);
      return this.readLossBetween(steps, n, from);
    }
    if (from.time === null && !fromLoss) {
      // a parameter's tangent: every step up to the one read
      if (toLoss) return this.everyReadLoss(leaves);
      return n.time === null ? this.stepsReadLoss(steps, 1, this.T) : this.readLossBetween(steps, null, n);
    }
    if (fromLoss) return lossRead;
    if (toLoss) return Math.max(lossRead, this.readLossAfter(steps, from));
    return n.time === null
      ? this.stepsReadLoss(steps, Math.max(1, from.time!), this.T)
      : this.readLossBetween(steps, from, n);
  }

  /** The kind of sweep that carries a derivative into n (`inputsOf`): 1 + i for input i at a time, else 0. */
  private inputKind(n: GraphNode): number {
    return n.time === null ? 0 : inputsOf(this.program).indexOf(n.name) + 1;
  }

  /** The index of the equation that makes `name` (-1: an input or an initial state, which no equation makes). */
  private equationOf(name: string): number {
    return this.program.equations.findIndex((q) => q.target === name);
  }

  /** the worst read figure of step t's equations after `after` and up to `upTo` (equation indices, -1: none) */
  private equationsReadLoss(steps: StepReads, t: number, after: number, upTo: number): number {
    if (t < 1 || t > this.T) return 0;
    let worst = 0;
    for (let e = after + 1; e <= upTo; e++) worst = Math.max(worst, steps.byEquation[e]![t]!);
    return worst;
  }

  /**
   * What a sweep between `from` (null: before step 1) and `to` (a later node, both at a time) crosses: at from's
   * step the equations after from's (only they read it), the steps between whole, at to's step the equations up to
   * to's own (the later ones do not make it). A node at time 0 or before is an initial value: every step from 1.
   */
  private readLossBetween(steps: StepReads, from: GraphNode | null, to: GraphNode): number {
    const last = this.program.equations.length - 1;
    const t0 = from === null || from.time! < 1 ? 0 : from.time!;
    const t1 = Math.min(to.time!, this.T);
    if (t1 < 1 || t1 < t0) return 0;
    const fromEq = t0 === 0 ? -1 : this.equationOf(from!.name);
    const toEq = this.equationOf(to.name);
    if (t0 === t1) return this.equationsReadLoss(steps, t1, fromEq, toEq);
    return Math.max(
      this.equationsReadLoss(steps, t0, fromEq, last),
      this.stepsReadLoss(steps, t0 + 1, t1 - 1),
      this.equationsReadLoss(steps, t1, -1, toEq),
    );
  }

  /** What a sweep from `n` (at a time) to the end of the forward pass crosses: n's step after its equation, then every step. */
  private readLossAfter(steps: StepReads, n: GraphNode): number {
    const t = n.time!;
    if (t < 1) return steps.from[1]!;
    if (t > this.T) return 0;
    return Math.max(
      this.equationsReadLoss(steps, t, this.equationOf(n.name), this.program.equations.length - 1),
      steps.from[t + 1]!,
    );
  }

  /**
   * the worst read figure over every step and the loss's list: what any sweep may rest on (beside the values' own
   * losses, an activation's derivative computed from them: 1 − y² at a saturated unit, with every value exact)
   */
  everyReadLoss(leaves?: number): number {
    if (leaves === undefined) return Math.max(...this.stepReads.map((_, kind) => this.everyReadLoss(kind)));
    return Math.max(this.lossReadLost[leaves]!, this.stepReads[leaves]!.from[1] ?? 0);
  }

  /** the worst read figure over steps lo..hi (clamped to 1..T; nothing where the range is empty) */
  private stepsReadLoss(steps: StepReads, lo: number, hi: number): number {
    let worst = 0;
    for (let t = Math.max(1, lo); t <= Math.min(hi, this.T); t++) if (steps.step[t]! > worst) worst = steps.step[t]!;
    return worst;
  }

  private readonly baseRead = (leaf: Leaf, time: number): Vec =>
    leaf.param ? this.data.params.get(leaf.name)! : this.seq.get(leaf.name)![time]!;

  /**
   * f′(z_t) for a sequence defined as y[t] = f(z): the activation's derivative
   * at the pre-activation, from the stored forward values. Null when the
   * equation is not a single activation of something.
   */
  activationDerivative(name: string, t: number): Vec | null {
    const at = this.activationAt(name, t);
    if (!at) return null;
    const { rule, z, y } = at;
    const out = newVec(z.length);
    for (let i = 0; i < out.length; i++) out[i] = rule.derivative(z[i]!, y[i]!);
    return out;
  }

  /** What float64 loses computing activationDerivative(name, t) itself (0: nothing; see ElementwiseRule.derivativeLost). */
  activationDerivativeLoss(name: string, t: number): number {
    const at = this.activationAt(name, t);
    return at ? derivativeLoss(at.rule.derivativeLost, at.z, at.y) : 0;
  }

  /** The sequences whose values this graph's derivatives read (`derivativeReadSequences`): what a sweep rests on. */
  derivativeReadSequences(): ReadonlySet<string> {
    return derivativeReadSequences(this.program);
  }

  /** z_t for a sequence defined as y[t] = f(z), from the stored forward values; null as activationDerivative. */
  activationInput(name: string, t: number): Vec | null {
    return this.activationAt(name, t)?.z ?? null;
  }

  private activationAt(name: string, t: number): { rule: ElementwiseRule; z: Vec; y: Vec } | null {
    const e = this.program.equations.findIndex((q) => q.target === name);
    if (e < 0 || t < 1 || t > this.T) return null;
    const list = this.program.equations[e]!.list;
    const root = list.ops[list.root]!;
    if (root.kind !== 'kernel' || !root.kernel.activation) return null;
    const vals = this.opValues[t]![e]!;
    return { rule: root.kernel.activation, z: vals[root.inputs[0]!]!, y: vals[list.root]! };
  }

  // ── forward ──────────────────────────────────────────────────────────────
  private runForward(): void {
    this.seqLost = new Map(this.program.equations.map((eq) => [eq.target, new Float64Array(this.T + 1)]));
    this.forwardLost = new Float64Array(this.T + 1);
    const newSteps = (): StepReads => ({
      step: new Float64Array(this.T + 2),
      from: new Float64Array(this.T + 2),
      byEquation: this.program.equations.map(() => new Float64Array(this.T + 1)),
    });
    const steps = (this.stepReads = Array.from(this.watchedReadLoss, newSteps));
    for (let t = 1; t <= this.T; t++) {
      const step: Vec[][] = [];
      this.opValues[t] = step;
      let worst = this.forwardLost[t - 1]!;
      this.program.equations.forEach((eq, e) => {
        this.resetWatched();
        const vals = this.evalList(eq.list, t, this.baseRead, undefined, true);
        step.push(vals);
        this.seq.get(eq.target)![t] = vals[eq.list.root]!;
        this.seqLost.get(eq.target)![t] = this.watchedLoss;
        if (this.watchedLoss > worst) worst = this.watchedLoss;
        steps.forEach((kind, k) => {
          const read = this.watchedReadLoss[k]!;
          kind.byEquation[e]![t] = read;
          if (read > kind.step[t]!) kind.step[t] = read;
        });
      });
      this.forwardLost[t] = worst;
    }
    for (const { step, from } of steps) for (let t = this.T; t >= 1; t--) from[t] = Math.max(step[t]!, from[t + 1]!);
    this.resetWatched();
    if (this.program.loss) this.runLoss();
  }

  private runLoss(): void {
    this.resetWatched();
    this.lossValues = this.evalList(this.program.loss!, null, this.baseRead, undefined, true);
    this.lossLost = this.watchedLoss;
    this.lossReadLost = this.watchedReadLoss.slice();
    this.resetWatched();
  }

  // ── tangents (forward mode) ──────────────────────────────────────────────
  /**
   * Tangents of every node downstream of `seed` for the seed direction `u`,
   * with `fixed` nodes held at zero tangent. Returns a lookup (null = zero).
   * Steps are swept when a read first needs them: a Jacobian's column reads one node, often a step or two
   * past the seed, and a memoised sweep then keeps only the steps read — the same steps, in the same order,
   * as sweeping to T at once. `u` and `fixed` are read while the lookup lives (nothing writes them).
   */
  tangents(seed: GraphNode, u: Vec, fixed: ReadonlySet<string>): SweepLookup {
    // tan[t][r]: sequence r at time t, a step's column made when the sweep reaches it; a hole reads as a zero tangent
    // By step from the seed (tan[t − base]), filled as the sweep reaches steps: T + 1 slots up front, or an array
    // indexed by t itself (it grows to t slots at its first write), were O(T) per memoised sweep — one per direction
    // at each of T seeds for a product of Jacobians across single steps (`jac(h[t], h[t-1])`).
    const base = seed.time ?? 0;
    const tan: (Vec | null)[][] = [];
    const rows = this.rowOf.size;
    const paramTangent = seed.time === null ? u : null;
    if (seed.time !== null) (tan[0] = new Array<Vec | null>(rows))[this.rowOf.get(seed.name)!] = u;
    const read = (leaf: Leaf, time: number): Vec | null =>
      leaf.param
        ? leaf.name === seed.name
          ? paramTangent
          : null
        : time < base
          ? null
          : (tan[time - base]?.[leaf.row] ?? null);

    const equations = this.program.equations;
    const { targetRows } = this;
    // Whether each equation's whole sequence is held, and the single steps held, looked up once per sweep
    // (most sweeps hold nothing).
    const heldWhole = fixed.size ? equations.map((eq) => fixed.has(heldEverywhere(eq.target))) : null;
    const heldTimes = fixed.size ? heldTimesOf(fixed) : null;
    /** the first step not swept yet */
    let next = seed.time === null ? 1 : Math.max(1, seed.time);
    /** what the sums of each step swept lost to cancellation (SweepLookup.ownLoss), and of the loss's list */
    const stepLoss: number[] = [];
    let lossListLoss = 0;
    const sweepThrough = (last: number) => {
      for (; next <= last; next++) {
        const t = next;
        const step = this.opValues[t]!;
        const column = (tan[t - base] ??= new Array<Vec | null>(rows));
        for (let e = 0; e < equations.length; e++) {
          const eq = equations[e]!;
          if ((eq.target === seed.name && t === seed.time) || heldWhole?.[e] || heldTimes?.get(eq.target)?.has(t))
            continue;
          column[targetRows[e]!] = this.tangentList(eq.list, t, step[e]!, read);
          if (this.sweepSumLoss > (stepLoss[t - base] ?? 0)) stepLoss[t - base] = this.sweepSumLoss;
        }
      }
    };
    /** undefined until the loss is read (after every step) */
    let lossTangent: Vec | null | undefined;
    const sweepLoss = (): Vec | null => {
      sweepThrough(this.T);
      if (!this.program.loss || this.lossName === seed.name) return null;
      const tangent = this.tangentList(this.program.loss, null, this.lossValues!, read);
      lossListLoss = this.sweepSumLoss;
      return tangent;
    };
    const lookup = (n: GraphNode): Vec | null => {
      if (n.time !== null) {
        if (isHeld(fixed, n.name, n.time) && nodeKey(n) !== nodeKey(seed)) return null;
        const row = this.rowOf.get(n.name);
        if (row === undefined || n.time < 0 || n.time > this.T) return null;
        if (next <= n.time) withResident(this.residentParams, () => sweepThrough(Math.min(n.time!, this.T)));
        return n.time < base ? null : (tan[n.time - base]?.[row] ?? null);
      }
      if (n.name === this.lossName) {
        if (lossTangent === undefined) lossTangent = withResident(this.residentParams, sweepLoss);
        return lossTangent;
      }
      return n.name === seed.name ? paramTangent : null;
    };
    const ownLoss = (t: number | null): number =>
      t === null ? lossListLoss : t < base ? 0 : (stepLoss[t - base] ?? 0);
    return Object.assign(lookup, { ownLoss });
  }

  /** what the sums of the last list a sweep ran lost to cancellation (set by tangentList and adjointList) */
  private sweepSumLoss = 0;

  private tangentList(
    list: OpList,
    t: number | null,
    vals: Vec[],
    read: (leaf: Leaf, time: number) => Vec | null,
  ): Vec | null {
    const leaves = this.leaves.get(list)!;
    const { ops: scratch, tangents: dvals, work } = this.scratch.get(list)!;
    chargeWork(work);
    let lost = 0;
    // dvals: one array per list, reused: every slot is written below before it is read
    for (let i = 0; i < list.ops.length; i++) {
      const leaf = leaves[i];
      const op = list.ops[i]!;
      if (leaf) dvals[i] = read(leaf, this.leafTime(leaf, t));
      else if (op.kind === 'kernel') {
        const { values, tangents } = scratch[i]!;
        let carrying = 0;
        for (let k = 0; k < values.length; k++) {
          const input = op.inputs[k]!;
          values[k] = vals[input]!;
          tangents[k] = dvals[input] ?? null;
          if (tangents[k]) carrying++;
        }
        dvals[i] = watchedTangent(op.kernel, values, vals[i]!, tangents, carrying);
        if (tangentLoss > lost) lost = tangentLoss;
      } else dvals[i] = null;
    }
    this.sweepSumLoss = lost;
    return dvals[list.root] ?? null;
  }

  // ── adjoints (reverse mode) ──────────────────────────────────────────────
  /**
   * Adjoints of every node upstream of `target` for the cotangent `w`
   * (a row applied to the target), not propagating through `fixed` nodes.
   * Each node's adjoint is complete once the sweep passes it. Parameter
   * adjoints (outer products at every step) are accumulated only on request.
   */
  adjoints(target: GraphNode, w: Vec, fixed: ReadonlySet<string>, withParams = true): SweepLookup {
    return withResident(this.residentParams, () => this.adjointSweep(target, w, fixed, withParams));
  }

  private adjointSweep(target: GraphNode, w: Vec, fixed: ReadonlySet<string>, withParams: boolean): SweepLookup {
    const adj: Timeline = new Map();
    /**
     * what the sums made while each step's lists ran lost to cancellation (SweepLookup.ownLoss): the contributions
     * added at a node, there or at a node of an earlier step, and the sums inside the lists; the loss's list at null
     */
    const stepLoss: number[] = [];
    let lossListLoss = 0;
    /** the figure of the list running now (the accumulations its contributions make included) */
    let running = 0;
    // Filled as the sweep goes down, as the tangents' are (T + 1 slots per sequence up front were O(T) per sweep).
    for (const name of this.seq.keys()) adj.set(name, []);
    const paramAdj = new Map<string, Vec>();
    // Copy on write: a node's first contribution is kept as it is (nothing writes a kernel's result afterwards),
    // a second one makes the sum in a vector of the sweep's own, which later ones are added to in place — the
    // same sums in the same order as copying the first, without a copy per node (most nodes get one). A vector
    // the sweep owns belongs to one slot: passed on unchanged to another node (an equation whose root adds a
    // node as it is), that node gets a copy, so adding to one never changes the other.
    const owned = new Set<Vec>();
    const accumulate = (slot: Vec | null | undefined, g: Vec): Vec => {
      if (!slot) {
        if (!owned.has(g)) return g;
        const copy = copyVec(g);
        owned.add(copy);
        return copy;
      }
      if (owned.has(slot)) {
        const lost = addIntoCancellation(slot, g);
        if (lost > running) running = lost;
        return slot;
      }
      const sum = newVec(g.length);
      for (let i = 0; i < g.length; i++) sum[i] = slot[i]! + g[i]!;
      const lost = sumsCancellation(slot, g, sum);
      if (lost > running) running = lost;
      owned.add(sum);
      return sum;
    };
    const add = (leaf: Leaf, time: number, g: Vec) => {
      if (leaf.param) paramAdj.set(leaf.name, accumulate(paramAdj.get(leaf.name), g));
      else {
        const row = adj.get(leaf.name)!;
        row[top - time] = accumulate(row[top - time], g);
      }
    };
    let top = this.T;
    if (target.time === null && target.name === this.lossName) {
      running = 0;
      this.adjointList(this.program.loss!, null, this.lossValues!, w, add, withParams);
      lossListLoss = Math.max(running, this.sweepSumLoss);
    } else if (target.time !== null) {
      const start = copyVec(w);
      owned.add(start);
      top = target.time;
      adj.get(target.name)![0] = start;
    } else throw new Error('adjoint sweeps start at the loss or a sequence node');
    /**
     * The sweep goes down as far as a read needs (a node at step t is complete once step t is swept; a parameter's
     * sum once every step is): `jac(h[t], h[t-1])` by rows read one step below its seed, and swept all of them
     * (T² vectors over the seeds of a product of T such Jacobians). The same steps in the same order as at once.
     */
    let next = top;
    const sweepDownTo = (low: number) => {
      for (; next >= Math.max(1, low); next--) {
        const t = next;
        running = 0;
        for (let e = this.program.equations.length - 1; e >= 0; e--) {
          const eq = this.program.equations[e]!;
          const g = adj.get(eq.target)![top - t];
          if (!g || isHeld(fixed, eq.target, t)) continue;
          this.adjointList(eq.list, t, this.opValues[t]![e]!, g, add, withParams);
          if (this.sweepSumLoss > running) running = this.sweepSumLoss;
        }
        stepLoss[top - t] = running;
      }
    };
    const sweptTo = (low: number) => {
      if (next >= Math.max(1, low)) withResident(this.residentParams, () => sweepDownTo(low));
    };
    const lookup = (n: GraphNode): Vec | null => {
      sweptTo(n.time ?? 1);
      if (n.time === null) return paramAdj.get(n.name) ?? null;
      return n.time > top ? null : (adj.get(n.name)?.[top - n.time] ?? null);
    };
    const ownLoss = (t: number | null): number => {
      if (t !== null) sweptTo(t);
      return t === null ? lossListLoss : t > top ? 0 : (stepLoss[top - t] ?? 0);
    };
    return Object.assign(lookup, { ownLoss });
  }

  private adjointList(
    list: OpList,
    t: number | null,
    vals: Vec[],
    g: Vec,
    add: (leaf: Leaf, time: number, g: Vec) => void,
    withParams: boolean,
  ): void {
    const leaves = this.leaves.get(list)!;
    const { ops: scratch, adjoints, work } = this.scratch.get(list)!;
    chargeWork(work);
    // one array per list, reused (adjointList is not reentrant): cleared, then filled from the root down
    const adj = adjoints.fill(null);
    adj[list.root] = g;
    let lost = 0;
    for (let i = list.ops.length - 1; i >= 0; i--) {
      const a = adj[i];
      if (!a) continue;
      const leaf = leaves[i];
      if (leaf) {
        add(leaf, this.leafTime(leaf, t), a);
        continue;
      }
      const op = list.ops[i]!;
      if (op.kind !== 'kernel') continue;
      const { values, wanted: want } = scratch[i]!;
      for (let k = 0; k < values.length; k++) {
        values[k] = vals[op.inputs[k]!]!;
        const kind = list.ops[op.inputs[k]!]!.kind;
        want[k] = !(kind === 'const' || (kind === 'param' && !withParams));
      }
      const contributions = op.kernel.adjoint(values, vals[i]!, a, want);
      // a product of matrices' dot products (Kernel.adjointLost)
      if (op.kernel.adjointLost) {
        const own = op.kernel.adjointLost(values, a, contributions);
        if (own > lost) lost = own;
      }
      for (let k = 0; k < op.inputs.length; k++) {
        const contrib = contributions[k];
        if (!contrib) continue;
        // an elementwise operator's adjoint for an operand it broadcast (a scalar) sums its entries' adjoints
        if (contrib.length === 1 && a.length > 1 && op.kernel.adjointEntries) {
          const own = reductionCancellationOf(op.kernel.adjointEntries(values, vals[i]!, a, k), contrib[0]!);
          if (own > lost) lost = own;
        }
        const input = op.inputs[k]!;
        const prev = adj[input];
        if (!prev) adj[input] = contrib;
        else {
          const sum = newVec(prev.length);
          for (let k = 0; k < prev.length; k++) sum[k] = prev[k]! + contrib[k]!;
          const own = sumsCancellation(prev, contrib, sum);
          if (own > lost) lost = own;
          adj[input] = sum;
        }
      }
    }
    this.sweepSumLoss = lost;
  }

  // ── perturbed re-evaluation (for finite differences) ─────────────────────
  /**
   * The value of `target` after replacing `seed` by `seedValue` and
   * recomputing everything downstream, holding `fixed` nodes at their values.
   */
  perturbed(seed: GraphNode, seedValue: Vec, fixed: ReadonlySet<string>, target: GraphNode): Vec {
    return withResident(this.residentParams, () => this.perturbedRun(seed, seedValue, fixed, target));
  }

  private perturbedRun(seed: GraphNode, seedValue: Vec, fixed: ReadonlySet<string>, target: GraphNode): Vec {
    const changed: Timeline = new Map();
    for (const name of this.seq.keys()) changed.set(name, []);
    if (seed.time !== null) changed.get(seed.name)![seed.time] = seedValue;
    const read = (leaf: Leaf, time: number): Vec => {
      if (leaf.param) return leaf.name === seed.name ? seedValue : this.data.params.get(leaf.name)!;
      return changed.get(leaf.name)![time] ?? this.seq.get(leaf.name)![time]!;
    };
    const start = seed.time === null ? 1 : Math.max(1, seed.time);
    const stop = target.time ?? this.T;
    for (let t = start; t <= stop; t++) {
      for (let e = 0; e < this.program.equations.length; e++) {
        const eq = this.program.equations[e]!;
        if ((eq.target === seed.name && t === seed.time) || isHeld(fixed, eq.target, t)) continue;
        const vals = this.evalList(eq.list, t, read, this.opValues[t]![e]);
        changed.get(eq.target)![t] = vals[eq.list.root]!;
      }
    }
    if (target.time === null && target.name === this.lossName) {
      const vals = this.evalList(this.program.loss!, null, read, this.lossValues!);
      return vals[this.program.loss!.root]!;
    }
    if (target.time === null) return read({ name: target.name, param: true, offset: 0, row: -1 }, 0);
    return read({ name: target.name, param: false, offset: 0, row: this.rowOf.get(target.name)! }, target.time);
  }
}
