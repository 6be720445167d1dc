/**
 * Adversarial instances, for the search of src/check/search.ts: an
 * instance's data (every parameter, input and initial state) as blocks of
 * numbers kept inside its regime, structured tight constructions, and a
 * derivative-free optimiser over that space. Nothing here knows a claim: the
 * optimiser proposes instance data and is told how good each proposal was.
 *
 * Two domains. Inside the regime (the law the random instances are drawn
 * from, ./instance.ts): recurrent matrices keep exactly the regime's spectral
 * norm, every other entry stays within BOX standard deviations of its law's
 * mean. Beyond the regimes (for a claim stated without `regimes:`, which
 * asserts its relation for every parameter value, input and initial state):
 * every entry's spread is BEYOND_GAIN times its widest over the regimes, and
 * a recurrent matrix's spectral norm is free up to BEYOND_GAIN times the
 * largest regime's. Nothing in either refers to a claim.
 */
import type { RegimeName } from '../derivation/derivation.js';
import { affineEquals, affineVar, evalAffine, type IntEnv } from '../ir/affine.js';
import { type Expr, isOp, walk } from '../ir/expr.js';
import { own } from '../ir/names.js';
import { dimsIn } from '../ir/shape-of.js';
import { HORIZON, type InitKind, type Model, type SymbolDecl, TIME_VAR } from '../model/model.js';
import { specOf } from '../ops/index.js';
import { entryLaw, type EntryLaw, REGIME_SPECS } from './instance.js';
import { mat, matTVec, matVec, norm2, spectralNorm } from './linalg.js';
import type { Rng } from './prng.js';
import { gateSettings, type GateSetting } from './gate-settings.js';
import type { Vec } from './kernel.js';
import type { InstanceData } from './unrolled.js';

/** Entries stay within this many standard deviations of their law's mean. */
export const BOX = 4;

/** Where the search looks: inside the start instance's regime, or beyond every regime. */
export type SearchDomain = 'regime' | 'beyond';

/**
 * Beyond the regimes, every entry's law is this many times as wide as its widest over the regimes (input
 * weights 4 × 8 = 32 /√fan-in, biases 2 × 8 = 16, inputs 8, initial states 4: boxes of ±4 of those), and a
 * recurrent matrix's spectral norm may take any value up to this many times the largest regime's
 * (1.5 × 8 = 12): an order of magnitude past what is sampled, where a gate's slope times a weight exceeds
 * 1 and saturated units can be re-centred by their biases, while tanh′ and σ′ at the boxes' edges stay
 * above float64's underflow at the corpus's horizons.
 */
export const BEYOND_GAIN = 8;

/** An entry's law beyond the regimes: its widest spread over the regimes ×BEYOND_GAIN; a cap on spectral norms. */
function beyondLaw(s: SymbolDecl, cols: number): EntryLaw | null {
  const laws = Object.values(REGIME_SPECS).flatMap((r) => entryLaw(s, cols, r) ?? []);
  if (!laws.length) return null;
  const std = Math.max(...laws.map((l) => l.std)) * BEYOND_GAIN;
  const norms = laws.flatMap((l) => (l.spectralNorm === null ? [] : [l.spectralNorm]));
  return { mean: laws[0]!.mean, std, spectralNorm: norms.length ? Math.max(...norms) * BEYOND_GAIN : null };
}

/** One block of the search space: a parameter, an input at one time step, or an initial state. */
export interface Block {
  readonly role: 'parameter' | 'input' | 'state';
  readonly name: string;
  /** inputs: 1..T; otherwise 0 */
  readonly time: number;
  readonly rows: number;
  readonly cols: number;
  readonly init: InitKind;
  /**
   * The entries' law: mean and spread (the box is BOX spreads about the mean); for a recurrent matrix its
   * spectral norm — exactly that inside a regime, at most that beyond the regimes.
   */
  readonly law: EntryLaw;
}

/**
 * A gate of the model: an equation y[t] = f(…) whose f squashes (nondecreasing onto a bounded range: σ, tanh; steepest
 * at 0), with a lever that moves its pre-activation at step 1 and nothing else in it: a bias b its argument adds once,
 * or, for a gate with no bias, the input weights P of a term ±P x[t] (P read by that equation alone) against an input
 * x_1 fixed at 𝟙/√m, every later input at 0 (`peak`): P x_1 is then a bias of step 1 alone, one for each gate. (Solving
 * x_1 instead, W x_1 = −U h_0 for every gate at once, needs m ≥ d for one gate and leaves none to open the others.) A
 * gate on a concatenation W [h; x[t]] (W read by that equation alone) has for P the columns of W that multiply x[t].
 */
export interface Gate {
  /** the sequence the equation defines */
  readonly target: string;
  /** the bias b, or the input weights P (a gate without a bias) */
  readonly lever: Block;
  /** the input at step 1 that P multiplies; null for a bias */
  readonly input: Block | null;
  /**
   * where P starts in the lever: 0 for input weights of their own; for a matrix over a concatenation (W [h; x]) the
   * columns that multiply x, which the cap bounds with the rest of W (see `swing`)
   */
  readonly from: number;
  /** how the lever enters the argument: pre-activation = … + sign·b, or … + sign·P x[t] */
  readonly sign: 1 | -1;
  /** the recurrent matrices the argument reads */
  readonly recurrent: ReadonlySet<string>;
  /**
   * the input weights of the argument's terms ±P x[t] (P a parameter that is no recurrent matrix, x an input), with the
   * sign each enters with: for a gate with a bias, what moves its pre-activation at one step and not at another (the
   * inputs are the only drives that differ along the steps; see DRIVEN_THEN_CENTRED); none for a gate without a bias
   */
  readonly inputWeights: readonly { readonly block: Block; readonly sign: 1 | -1; readonly input: Block }[];
  /** the range of its squashing function (σ: [0, 1], tanh: [−1, 1]) */
  readonly range: readonly [number, number];
}

/** The terms of a sum (through +, − and unary −) with the sign each enters with. */
function addends(e: Expr, sign: 1 | -1 = 1): { term: Expr; sign: 1 | -1 }[] {
  if (isOp(e, 'add')) return e.args.flatMap((a) => addends(a, sign));
  if (isOp(e, 'sub')) return e.args.flatMap((a, i) => addends(a, i === 0 ? sign : (-sign as 1 | -1)));
  if (isOp(e, 'neg')) return addends(e.args[0]!, -sign as 1 | -1);
  return [{ term: e, sign }];
}

/** How many times each symbol (parameter, or sequence by name) occurs in an expression. */
function readCounts(exprs: readonly Expr[]): Map<string, number> {
  const reads = new Map<string, number>();
  for (const e of exprs)
    walk(e, (x) => (x.kind === 'sym' || x.kind === 'seq') && reads.set(x.name, (reads.get(x.name) ?? 0) + 1));
  return reads;
}

/**
 * The biases an activation's argument adds: terms ±b of a parameter initialised as a bias (a block of the search) that
 * the argument reads once, each with the sign it enters with — a lever that moves the pre-activation and nothing else.
 */
export function biasesOf(arg: Expr, blocks: readonly Block[]): { lever: Block; sign: 1 | -1 }[] {
  const reads = readCounts([arg]);
  return addends(arg).flatMap(({ term, sign }) => {
    if (term.kind !== 'sym' || reads.get(term.name) !== 1) return [];
    const bias = blocks.find((b) => b.name === term.name && (b.init === 'bias' || b.init === 'forget-bias'));
    return bias ? [{ lever: bias, sign }] : [];
  });
}

function gatesOf(model: Model, sizes: IntEnv, blocks: readonly Block[]): Gate[] {
  const gates: Gate[] = [];
  const readsInModel = readCounts(model.equations.map((eq) => eq.rhs));
  for (const eq of model.equations) {
    const f = eq.rhs.kind === 'op' ? specOf(eq.rhs).activation : undefined;
    const range = f?.increasing?.range;
    if (eq.rhs.kind !== 'op' || !range || !Number.isFinite(range[0]) || !Number.isFinite(range[1])) continue;
    const arg = eq.rhs.args[0]!;
    const reads = readCounts([arg]);
    const terms = addends(arg);
    const biases = biasesOf(arg, blocks).map((b) => ({ ...b, input: null, from: 0 }));
    const recurrent = new Set(
      blocks.filter((b) => b.law.spectralNorm !== null && reads.has(b.name)).map((b) => b.name),
    );
    // the block of input x[t] at step 1, for an operand that is x[t]
    const inputAt = (x: Expr): Block | undefined =>
      x.kind === 'seq' && affineEquals(x.time, affineVar(TIME_VAR))
        ? blocks.find((b) => b.name === x.name && b.role === 'input' && b.time === 1)
        : undefined;
    if (biases.length === 1) {
      const inputWeights = terms.flatMap(({ term, sign }) => {
        if (!isOp(term, 'mul') || term.args.length !== 2) return [];
        const [w, x] = term.args as [Expr, Expr];
        const block = w.kind === 'sym' ? blocks.find((b) => b.name === w.name && b.role === 'parameter') : undefined;
        const input = inputAt(x);
        return block && block.law.spectralNorm === null && input && block.cols === input.rows * input.cols
          ? [{ block, sign, input }]
          : [];
      });
      gates.push({ target: eq.target, ...biases[0]!, recurrent, inputWeights, range });
      continue;
    }
    if (biases.length) continue;
    // no bias: a term P x[t] whose P (not recurrent) no other term or equation reads, x an input; or W [… ; x[t]; …]
    // whose W no other term or equation reads, P its columns that multiply x[t]
    const drives = terms.flatMap(({ term, sign }) => {
      if (!isOp(term, 'mul') || term.args.length !== 2) return [];
      const [w, x] = term.args as [Expr, Expr];
      if (w.kind !== 'sym' || readsInModel.get(w.name) !== 1) return [];
      const matrix = blocks.find((b) => b.name === w.name && b.role === 'parameter');
      if (!matrix) return [];
      if (!isOp(x, 'concat')) {
        const input = inputAt(x);
        return matrix.law.spectralNorm === null && input && matrix.cols === input.rows * input.cols
          ? [{ lever: matrix, input, from: 0, sign }]
          : [];
      }
      const parts = x.args.map((part) => ({ input: inputAt(part), rows: dimsIn(model, part, sizes)[0] }));
      const found = parts.findIndex((p) => p.input);
      if (found < 0 || parts.slice(found + 1).some((p) => p.input)) return [];
      const from = parts.slice(0, found).reduce((k, p) => k + p.rows, 0);
      return [{ lever: matrix, input: parts[found]!.input!, from, sign }];
    });
    if (drives.length === 1) gates.push({ target: eq.target, ...drives[0]!, recurrent, inputWeights: [], range });
  }
  return gates;
}

/**
 * A parameter (not a recurrent matrix, not a gate's lever) read in a factor of an entrywise product that a gate's
 * argument adds: g ⊙ (W h_{t−1}), p_o ⊙ c_t, r_t ⊙ (U_n h_{t−1} + b_nh), (W h_{t−1}) ⊙ (U x_t). Each entry scales, by
 * f′ at the gate, every Jacobian through the other factor, so a bound that reads it is tightest where it is large and
 * the unit it feeds is centred, which the gate's lever can do, having cancelled what the product adds. A parameter the
 * argument only adds, or a matrix product reads alone (U x_t), moves the pre-activation and nothing else: the lever
 * sets that anyway. Beyond the regimes such an entry reaches 32σ, yet the search never put one there (the regimes draw
 * it N(0, 1)): bounds with 0.85 max|g| for max|g|, or 0.1|p_o| for ¼|p_o|, stayed consistent (a review's).
 */
export interface Multiplier {
  readonly block: Block;
  /** the sign the product enters the argument with, times P's within its factor (a factor that subtracts P) */
  readonly sign: 1 | -1;
  /** the inputs at step 1 read in P's factor: P x_t is as large as x_1 lets it be */
  readonly inputs: readonly Block[];
}

/** The factors of an entrywise product, through nested ones. */
const factors = (e: Expr): Expr[] => (isOp(e, 'emul') ? e.args.flatMap(factors) : [e]);

function multipliersOf(model: Model, blocks: readonly Block[], gates: readonly Gate[]): Multiplier[] {
  const out: Multiplier[] = [];
  const levers = new Set(gates.map((g) => g.lever));
  for (const eq of model.equations) {
    if (eq.rhs.kind !== 'op' || !gates.some((g) => g.target === eq.target)) continue;
    for (const { term, sign } of addends(eq.rhs.args[0]!)) {
      if (!isOp(term, 'emul')) continue;
      for (const factor of factors(term)) {
        const reads = readCounts([factor]);
        const inputs = blocks.filter((b) => b.role === 'input' && b.time === 1 && reads.has(b.name));
        for (const block of blocks) {
          if (block.role !== 'parameter' || block.law.spectralNorm !== null || levers.has(block)) continue;
          if (!reads.has(block.name) || out.some((m) => m.block === block)) continue;
          const within = addends(factor).find((a) => a.term.kind === 'sym' && a.term.name === block.name)?.sign ?? 1;
          out.push({ block, sign: (sign * within) as 1 | -1, inputs });
        }
      }
    }
  }
  return out;
}

/** Instance data whose arrays may be written (every proposal is a fresh copy). */
export interface MutableData extends InstanceData {
  readonly params: Map<string, Vec>;
  readonly inputs: Map<string, Vec[]>;
  readonly initial: Map<string, Vec>;
}

export class InstanceSpace {
  readonly blocks: readonly Block[];
  /**
   * Parameters only the loss reads (no equation does): read-outs such as v in L = v·h_T. They fix the
   * direction of the loss's gradient at the last states, and every gradient a claim compares is linear
   * in it, so a cancellation between gradient paths often needs only the right read-out.
   */
  readonly readouts: readonly Block[];
  /**
   * the model's gates whose lever the instance sets, a bias or input weights (one fixed by an assumption is no block:
   * its gate is none)
   */
  readonly gates: readonly Gate[];
  /** the parameters that scale a product inside a gate's argument (see Multiplier) */
  readonly multipliers: readonly Multiplier[];
  /** the instance's horizon T */
  readonly horizon: number;

  constructor(
    model: Model,
    sizes: IntEnv,
    regime: RegimeName,
    readonly domain: SearchDomain = 'regime',
  ) {
    const blocks: Block[] = [];
    const T = own(sizes, HORIZON)!;
    this.horizon = T;
    for (const s of model.symbols.values()) {
      // values an assumption fixes (`assume: { zero: [b, h[0]] }`) stay what it fixes them to
      if (s.role === 'intermediate' || model.fixed?.has(s.name)) continue;
      const [rows, cols] = [evalAffine(s.shape.rows, sizes), evalAffine(s.shape.cols, sizes)];
      const law = domain === 'regime' ? entryLaw(s, cols, REGIME_SPECS[regime]) : beyondLaw(s, cols);
      if (!law) continue; // fixed zeros stay zero
      const block = { role: s.role, name: s.name, rows, cols, init: s.init, law };
      if (s.role === 'input') for (let t = 1; t <= T; t++) blocks.push({ ...block, time: t });
      else blocks.push({ ...block, time: 0 });
    }
    this.blocks = blocks;
    const read = new Set<string>();
    const note = (e: Expr) => walk(e, (x) => (x.kind === 'sym' || x.kind === 'seq') && read.add(x.name));
    for (const eq of model.equations) note(eq.rhs);
    for (const f of model.functions.values()) note(f.value);
    this.readouts = blocks.filter((b) => b.role === 'parameter' && !read.has(b.name));
    this.gates = gatesOf(model, sizes, blocks);
    this.multipliers = multipliersOf(model, blocks, this.gates);
  }

  copy(data: InstanceData): MutableData {
    return {
      params: new Map([...data.params].map(([k, v]) => [k, v.slice()])),
      inputs: new Map([...data.inputs].map(([k, seq]) => [k, seq.map((v) => v.slice())])),
      initial: new Map([...data.initial].map(([k, v]) => [k, v.slice()])),
    };
  }

  /** The live array of a block in `data`. */
  values(data: MutableData, b: Block): Vec {
    if (b.role === 'parameter') return data.params.get(b.name)!;
    if (b.role === 'input') return data.inputs.get(b.name)![b.time]!;
    return data.initial.get(b.name)!;
  }

  /**
   * Puts a block back inside the domain, in place: a recurrent matrix scaled to exactly the regime's
   * spectral norm (beyond the regimes: down to the cap, if above it; the exact SVD, so never above
   * it), other entries clipped to the box. False when that is impossible (a zero matrix inside a
   * regime, or a non-finite one).
   */
  /**
   * `capTimes`: beyond the regimes, a recurrent matrix may reach this many times the cap, and any other block this many
   * times its box (a construction's FAR_BEYOND).
   */
  project(data: MutableData, b: Block, capTimes = 1): boolean {
    const v = this.values(data, b);
    if (b.law.spectralNorm !== null) {
      const norm = spectralNorm(mat(b.rows, b.cols, v));
      if (!Number.isFinite(norm)) return false;
      if (this.domain === 'beyond' && norm <= capTimes * b.law.spectralNorm) return true;
      if (!(norm > 0)) return false;
      const factor = b.law.spectralNorm / norm;
      for (let i = 0; i < v.length; i++) v[i]! *= factor;
      return true;
    }
    const [lo, hi] = this.range(b, this.domain === 'beyond' ? capTimes : 1);
    for (let i = 0; i < v.length; i++) v[i] = Math.min(hi, Math.max(lo, v[i]!));
    return true;
  }

  /** A block's box; `times`: beyond the regimes, a far-out construction's box, that many times as wide about the mean. */
  range(b: Block, times = 1): [number, number] {
    return [b.law.mean - times * BOX * b.law.std, b.law.mean + times * BOX * b.law.std];
  }

  /** The same data with every block projected (constructions are built loosely, then projected). */
  projected(data: MutableData, capTimes = 1): MutableData | null {
    for (const b of this.blocks) if (!this.project(data, b, capTimes)) return null;
    return data;
  }
}

// ── structured constructions ───────────────────────────────────────────────

/** Drives (inputs, biases, initial states) the regime lets be closest to 0: pre-activations where σ′ and tanh′ peak. */
export function peak(space: InstanceSpace, data: MutableData): void {
  for (const b of space.blocks) {
    if (b.law.spectralNorm !== null || b.init === 'weight' || b.init === 'gaussian') continue;
    fillClamped(space, data, b, 0);
  }
}

/** A block's entries all at x, clipped to its box (±Infinity: at one end of it). */
export function fillClamped(space: InstanceSpace, data: MutableData, b: Block, x: number): void {
  const [lo, hi] = space.range(b);
  space.values(data, b).fill(Math.min(hi, Math.max(lo, x)));
}

/** Biases at one end of their range and inputs at the box's edge (same signs): saturated gates. */
function saturate(space: InstanceSpace, data: MutableData, end: 1 | -1): void {
  for (const b of space.blocks) {
    const v = space.values(data, b);
    const [lo, hi] = space.range(b);
    if (b.init === 'bias' || b.init === 'forget-bias') fillClamped(space, data, b, end * Infinity);
    else if (b.role === 'input') for (let i = 0; i < v.length; i++) v[i] = v[i]! >= 0 ? hi : lo;
  }
}

/** Leading singular vectors by power iteration on AᵀA (from a fixed start: constructions are deterministic). */
export function topSingularPair(rows: number, cols: number, a: Vec): { u: Vec; v: Vec } {
  const A = mat(rows, cols, a);
  // Two vectors for the whole iteration, products written into them and normalised in place (the search runs
  // this on every construction it tries).
  const v: Vec = Float64Array.from({ length: cols }, (_, j) => 1 / (j + 1));
  const u: Vec = new Float64Array(rows);
  for (let it = 0; it < 100; it++) {
    matVec(A, v, u);
    const nu = norm2(u);
    if (!(nu > 0)) break;
    for (let i = 0; i < rows; i++) u[i] = u[i]! / nu;
    matTVec(A, u, v);
    const nv = norm2(v);
    if (!(nv > 0)) break;
    for (let j = 0; j < cols; j++) v[j] = v[j]! / nv;
  }
  return { u, v };
}

/** Every recurrent matrix replaced by `shape(rows, cols, current)` (projected to the regime's norm later). */
export function recurrent(
  space: InstanceSpace,
  data: MutableData,
  shape: (rows: number, cols: number, a: Vec) => Vec,
): void {
  for (const b of space.blocks)
    if (b.law.spectralNorm !== null) space.values(data, b).set(shape(b.rows, b.cols, space.values(data, b)));
}

/** Rank one and aligned: u uᵀ for a square matrix (so ‖Wᵏ‖ = ‖W‖ᵏ), u vᵀ otherwise, from its leading pair. */
export const rankOne = (rows: number, cols: number, a: Vec): Vec => {
  const { u, v } = topSingularPair(rows, cols, a);
  const right = rows === cols ? u : v;
  return Float64Array.from({ length: rows * cols }, (_, k) => u[Math.floor(k / cols)]! * right[k % cols]!);
};

/** A Jordan block I + N (ones above the diagonal), the leading square part; highly non-normal. */
const jordan = (rows: number, cols: number): Vec =>
  Float64Array.from({ length: rows * cols }, (_, k) => {
    const [i, j] = [Math.floor(k / cols), k % cols];
    return j === i || j === i + 1 ? (j < rows ? 1 : 0) : 0;
  });

/**
 * Rank one and nilpotent: u wᵀ with w ⊥ u (u the leading left singular vector, w what of the leading right one, or of
 * a fixed vector, is orthogonal to u), so W² = 0 while W D W = u (wᵀ D u) wᵀ is not for a diagonal D that is not a
 * multiple of I: a bound through ‖Wᵏ‖ (0 from k = 2) against a product of Jacobians (a review's repair
 * ‖∂h_t/∂h_k‖_max ≤ ‖W^{t−k}‖₂ held on every random instance, false at W = [[½, ½], [−½, −½]]). A non-square
 * matrix, or a 1 × 1 (no nilpotent but 0), is left as it is.
 */
const nilpotent = (rows: number, cols: number, a: Vec): Vec => {
  if (rows !== cols || rows < 2) return a;
  const { u, v } = topSingularPair(rows, cols, a);
  const orthogonal = (x: Vec): Vec | null => {
    let along = 0;
    for (let i = 0; i < rows; i++) along += x[i]! * u[i]!;
    const w = x.map((xi, i) => xi - along * u[i]!);
    const n = norm2(w);
    return n > 1e-8 ? w.map((wi) => wi / n) : null;
  };
  const w = orthogonal(v) ?? orthogonal(Float64Array.from({ length: rows }, (_, j) => (j % 2 ? -1 : 1) / (j + 1)));
  if (!w) return a;
  return Float64Array.from({ length: rows * cols }, (_, k) => u[Math.floor(k / cols)]! * w[k % cols]!);
};

/** A multiple of the identity (normal, commutes with every diagonal): the leading square part. */
export const identity = (rows: number, cols: number): Vec =>
  Float64Array.from({ length: rows * cols }, (_, k) => (Math.floor(k / cols) === k % cols ? 1 : 0));

/**
 * A shift of the leading square part (ones above the diagonal, `lambda` on it), the rest 0: λI + N, a Jordan block whose
 * nilpotent part N has the full index n (Nⁿ⁻¹ ≠ 0), where `nilpotent` (u wᵀ) has index 2 and `jordan` (I + N) the
 * eigenvalue 1. Upper triangular, and so is its product with any diagonal D (D W, a Jacobian): every such product's
 * spectral radius is |∏ λ dᵢ|, its norm about ∏ dᵢ. At λ = 0, ρ = 0 with ‖W²‖ = ‖W‖² (n ≥ 3): a review's
 * ‖∂h_T/∂h_{T−2}‖ ≤ 10⁴ ρ(∂h_T/∂h_{T−2}) of a linear RNN was consistent on every seed; at λ = SMALL_EIGENVALUE ρ is
 * λ² ‖W‖² against about ‖W‖², a violation by far that no rounding of ρ near 0 can hide. A 1 × 1 (no shift) is left as it is.
 */
const shift =
  (lambda: number) =>
  (rows: number, cols: number, a: Vec): Vec => {
    const n = Math.min(rows, cols);
    if (n < 2) return a;
    return Float64Array.from({ length: rows * cols }, (_, k) => {
      const [i, j] = [Math.floor(k / cols), k % cols];
      return i >= n || j >= n ? 0 : j === i + 1 ? 1 : j === i ? lambda : 0;
    });
  };

/** The eigenvalue of the Jordan block `shift` builds beside the shift itself: ρ/‖·‖ about 1/512 at lag 1, 1/512ᵏ at lag k. */
const SMALL_EIGENVALUE = 1 / BEYOND_GAIN ** 3;

/**
 * A rotation by a quarter turn in each pair of units of the leading square part ([[0, 1], [−1, 0]] blocks; an odd unit
 * out 0): skew-symmetric and normal, W² = −‖W‖² I on those pairs, where every other shape's W² has a non-negative
 * trace. With the drives at tanh′'s peak, ∂h_T/∂h_{T−2} = W², and a review's cᵀ ∂h_T/∂h_{T−2} c ≥ −0.9 ‖c‖²‖W‖² and
 * tr ∂h_T/∂h_{T−2} ≥ −1.5 ‖W‖² of a tanh RNN were consistent under several seeds (at W = [[0, 1], [−1, 0]],
 * b = x = h_0 = 0: ∇_{h_0}L = −c). A 1 × 1 is left as it is.
 */
const rotation = (rows: number, cols: number, a: Vec): Vec => {
  const n = Math.min(rows, cols);
  if (n < 2) return a;
  return Float64Array.from({ length: rows * cols }, (_, k) => {
    const [i, j] = [Math.floor(k / cols), k % cols];
    const pair = Math.floor(i / 2);
    if (2 * pair + 1 >= n || Math.floor(j / 2) !== pair || i === j) return 0;
    return i % 2 ? -1 : 1;
  });
};

export interface Construction {
  readonly name: string;
  readonly data: MutableData;
  /**
   * The construction built again with `adjust` applied where it has set its own values, before it centres its gates
   * (isolating constructions only): a premise's edge is sought on it (src/check/premise.ts premiseEdges), where scaling
   * the finished data would move the values the centring cancelled. A gain vector g ⊙ (W h) at its box's end (32)
   * under `given: normMax(g) <= 7`, scaled back to 7, left its units 4.6 from centre, and a bound false only near
   * max|g| = 7 at a centred unit was consistent (a review's K05).
   */
  readonly rebuild?: (adjust: Adjust) => MutableData;
}

/** A structured construction: its name, and how it sets a copy of the start's data (projected after). */
export interface ConstructionSpec {
  readonly name: string;
  readonly build: (space: InstanceSpace, data: MutableData) => void;
  /** beyond the regimes, how many times the cap its recurrent matrices may reach (1: the cap, as every path's) */
  readonly capTimes?: number;
}

const CONSTRUCTIONS: readonly ConstructionSpec[] = [
  { name: 'peak', build: peak },
  {
    name: 'peak, rank-one',
    build: (s, d) => {
      peak(s, d);
      recurrent(s, d, rankOne);
    },
  },
  { name: 'rank-one', build: (s, d) => recurrent(s, d, rankOne) },
  {
    name: 'peak, Jordan',
    build: (s, d) => {
      peak(s, d);
      recurrent(s, d, jordan);
    },
  },
  { name: 'Jordan', build: (s, d) => recurrent(s, d, jordan) },
  { name: 'identity', build: (s, d) => recurrent(s, d, identity) },
  { name: 'nilpotent', build: (s, d) => recurrent(s, d, nilpotent) },
  { name: 'saturated high', build: (s, d) => saturate(s, d, 1) },
  { name: 'saturated low', build: (s, d) => saturate(s, d, -1) },
  // after every one above, so that each of those is evaluated where it was (a path's refutation there stays): a
  // nilpotent shift (index n), a Jordan block with a small eigenvalue, a rotation, each at the drives' peak
  {
    name: 'peak, shift',
    build: (s, d) => {
      peak(s, d);
      recurrent(s, d, shift(0));
    },
  },
  {
    name: 'peak, Jordan with a small eigenvalue',
    build: (s, d) => {
      peak(s, d);
      recurrent(s, d, shift(SMALL_EIGENVALUE));
    },
  },
  {
    name: 'peak, rotation',
    build: (s, d) => {
      peak(s, d);
      recurrent(s, d, rotation);
    },
  },
];

/** Every entry moved BEYOND_GAIN times as far from its law's mean (then clipped to the box). */
function magnify(space: InstanceSpace, data: MutableData): void {
  for (const b of space.blocks) {
    const v = space.values(data, b);
    for (let i = 0; i < v.length; i++) v[i] = b.law.mean + BEYOND_GAIN * (v[i]! - b.law.mean);
  }
}

/** Every recurrent matrix scaled to the largest spectral norm the domain allows. */
export function atCap(space: InstanceSpace, data: MutableData): void {
  for (const b of space.blocks) {
    if (b.law.spectralNorm === null) continue;
    const v = space.values(data, b);
    const norm = spectralNorm(mat(b.rows, b.cols, v));
    if (norm > 0 && Number.isFinite(norm)) for (let i = 0; i < v.length; i++) v[i]! *= b.law.spectralNorm / norm;
  }
}

/**
 * Beyond the regimes: the start with its recurrent matrices at the cap and nothing else changed, the start
 * magnified, then each of the regime's constructions with its recurrent matrices at the cap (inside a
 * regime the projection puts them at the regime's norm; beyond, it only caps them, so a rank-one or
 * identity shape would otherwise stay at norm 1). The first is the one step past the regimes that keeps the
 * start's gates where they were: a bound that fails only where a large recurrent gain meets gates that are
 * neither shut nor saturated (a gradient one step earlier larger than the last one, with o_T near 1 and σ′
 * at its peak) is reached there, while magnifying every entry saturates the gates and every other
 * construction moves the drives or the matrices' shape as well.
 */
const BEYOND_CONSTRUCTIONS: typeof CONSTRUCTIONS = [
  { name: 'at the cap', build: atCap },
  { name: 'magnified', build: magnify },
  { name: 'magnified, at the cap', build: (s, d) => (magnify(s, d), atCap(s, d)) },
  ...CONSTRUCTIONS.map((c) => ({
    name: `${c.name}, at the cap`,
    build: (s: InstanceSpace, d: MutableData) => (c.build(s, d), atCap(s, d)),
  })),
];

/** How much `isolate` shrinks the recurrent matrices not at the cap (and EVERY_SHRUNK all of them): to 1/64 of their norms. */
const SHRUNK = 1 / BEYOND_GAIN ** 2;

/**
 * A gate's pre-activation at step t on instance data (the model's forward pass: the search's, src/check/search.ts);
 * null where the equation is no activation of its argument.
 */
export type PreActivation = (data: InstanceData, target: string, t: number) => Vec | null;

/** A state's value at step t on instance data (the model's forward pass); null where there is none. */
export type StateAt = (data: InstanceData, name: string, t: number) => Vec | null;

/**
 * A change made to a construction's data once it has set its own values and before it centres its gates (a premise's
 * values scaled to its edge, src/check/premise.ts): the centring then holds at the changed values.
 */
export type Adjust = (data: InstanceData) => void;

/** Builds a construction on `data`; one that centres gates calls `adjust` once, before it does (else it is applied after). */
type IsolatingBuild = (space: InstanceSpace, data: MutableData, pre: PreActivation, adjust?: Adjust) => void;
type Isolating = { name: string; build: IsolatingBuild };

/** The recurrent matrices of `capped` at the cap, every other recurrent one shrunk to SHRUNK of its norm. */
export const isolate =
  (...capped: Block[]) =>
  (s: InstanceSpace, d: MutableData): void => {
    for (const b of s.blocks) {
      if (b.law.spectralNorm === null) continue;
      const v = s.values(d, b);
      const norm = spectralNorm(mat(b.rows, b.cols, v));
      if (!(norm > 0 && Number.isFinite(norm))) continue;
      const factor = capped.includes(b) ? b.law.spectralNorm / norm : SHRUNK;
      for (let i = 0; i < v.length; i++) v[i]! *= factor;
    }
  };

/**
 * Beyond the regimes, one recurrent matrix at the cap and every other one shrunk to SHRUNK of its norm: the regimes
 * give every recurrent matrix one norm, and every other construction moves them together, so a bound that swaps two
 * of them (a GRU's ‖∂z_t/∂h_{t−1}‖ ≤ ¼‖U_n‖ for ¼‖U_z‖) held on every instance the search tried, where U_z large and
 * U_n small refutes it (a review's). Two per recurrent matrix (none with fewer than two): from the start, and with
 * the drives at σ′'s and tanh′'s peak. The search evaluates them beside its paths (src/check/search.ts searchFrom),
 * not among the constructions its evolution starts from: placed there, they took the evolution's budget and a miss
 * it used to find (test/check/search.test.ts row 5) stood.
 *
 * Then, for each such matrix that a gate reads, one more (`swing`): that gate at its steepest while the state swings.
 * The swings centre gates by their biases; for each such matrix that a gate without a bias reads, two more centre it
 * by its input weights (the lab LSTM's i, o, g; see Gate), or by the columns of its matrix that meet x_t (the 2024
 * LSTM's σ(W_f [h_{t−1}; x_t]) and the others).
 */
const ALONE_AT_CAP = (space: InstanceSpace): Isolating[] => {
  const recurrentBlocks = space.blocks.filter((b) => b.law.spectralNorm !== null);
  if (recurrentBlocks.length < 2) return [];
  const biased = space.gates.filter((g) => g.input === null);
  /** a swing for each recurrent matrix that one of `gates` reads (`feeding`: one of those gates, if given) */
  const swings = (
    gates: readonly Gate[],
    against: string,
    states: readonly number[],
    feeding: (g: Gate) => boolean = () => true,
    others: 1 | -1 = 1,
  ): Isolating[] =>
    recurrentBlocks.flatMap((alone): Isolating[] =>
      gates.some((g) => g.recurrent.has(alone.name) && feeding(g))
        ? [
            {
              name: `${alone.name} alone at the cap, its gates centred ${against}`,
              build: (s, d, pre, adjust) => swing(s, d, [alone], pre, isolate(alone), states, gates, others, adjust),
            },
          ]
        : [],
    );
  return [
    ...recurrentBlocks.flatMap((alone): Isolating[] => [
      { name: `${alone.name} alone at the cap`, build: isolate(alone) },
      { name: `peak, ${alone.name} alone at the cap`, build: (s, d) => (peak(s, d), isolate(alone)(s, d)) },
    ]),
    // after every one above, so that each of those is evaluated where it was (a path's refutation there stays); then
    // again with the states far out (after all the above, for the same reason)
    ...swings(biased, 'against swung states', [1]),
    ...swings(biased, 'against states far out', FAR_STATES),
    // then, for each recurrent matrix a gate without a bias reads, both again with every gate moved by its lever, the
    // input weights of those without a bias among them (after all the above, for the same reason)
    ...swings(space.gates, 'through the inputs against swung states', [1], (g) => g.input !== null),
    ...swings(space.gates, 'through the inputs against states far out', FAR_STATES, (g) => g.input !== null),
    // then two matrices at the cap together, each read by a gate (after all the above, for the same reason)
    ...recurrentBlocks.flatMap((a, i): Isolating[] =>
      recurrentBlocks.slice(i + 1).flatMap((b): Isolating[] =>
        [a, b].every((m) => space.gates.some((g) => g.recurrent.has(m.name)))
          ? [
              {
                name: `${a.name} and ${b.name} at the cap, their gates centred, the others shut`,
                build: (s, d, pre, adjust) => swing(s, d, [a, b], pre, isolate(a, b), [1], space.gates, -1, adjust),
              },
            ]
          : [],
      ),
    ),
    // then the swing mirrored, for each recurrent matrix a gate reads: the states at +1 and every other gate at the end
    // that drives it to 0 or −1 (the candidate at −1), where h_{t−1} − n_t is +2, not −2 — ½(I + U_z) for ½(I − U_z) —
    // and the sign of the gate's term against the start's matrix is the other one (after all the above, for the same
    // reason; at +1 only, not far out)
    ...swings(space.gates, 'against mirrored states (at +1, the other gates at their other end)', [-1], () => true, -1),
  ];
};

/**
 * How far out the far swing puts the states (−s): the farthest of these at which every centring lever stays inside its
 * box. Beyond the regimes an initial state may reach ±16, and a bound that holds only where |h_0| ≤ 1 — a GRU's
 * ‖∂h_t/∂h_{t−1}‖ ≤ 1 + ‖U_z‖ + ‖U_n‖(1 + ‖U_r‖), whose (h_{t−1} − n_t) σ′ U_z term is then ¼|h_0 + 1|·‖U_z‖ — was
 * consistent (a helper's finding: at h_0 = 4·𝟙, z_1 = ½, ‖U_z‖ = 12 it is 14.6 against 13.02).
 */
const FAR_STATES = [16, 8, 4, 2] as const;

/**
 * The gates `alone` feeds at their steepest (pre-activation 0) at step 1 while the state swings: the drives at 0,
 * every initial state at −1 (the low end of tanh's range), every other gate's lever (of `gates`) at the end of its box
 * that drives it to 1 (σ, tanh → 1: a candidate or a cell's input at the other end), then each gate `alone` feeds
 * centred by its lever (exact at step 1, whose state the lever does not move; up to the box). There a GRU's ∂h_t/∂h_{t−1} has (h_{t−1} − n_t) ⊙ σ′ U_z of norm
 * ½‖U_z‖ = 6, which random drives rarely reach (z_t near ½ under the cap, h_{t−1} and n_t two apart): a bound with
 * ¼‖U_z‖ held on every instance the search tried (a review's). An LSTM's forget gate likewise: f_t = ½ under ‖U_f‖ at
 * the cap, c_{t−1} = −1 against g_t = 1. A gate without a bias, by its input weights: the lab LSTM's input gate i_1 = ½
 * under ‖U_i‖ = 12 against g_1 = 1, where ‖∂s_t/∂h_{t−1}‖ is ¼‖U_i‖ = 3 and a bound with 0.24‖U_i‖ (2.91) held on every
 * instance the search tried, tightest 0.9996 (test/fixtures/models/lstm-input-gate-tight.yaml). A gate on [h; x] under
 * one matrix W, by the columns of W that meet x: those are cleared, the rest of W goes to the cap, x_1 to its box's edge,
 * and the columns are set to the least that centres the gate (or opens another to OPEN): the 2024 LSTM's i_1 = ½ under
 * ‖W_i‖ = 12 against C̃_1 = tanh 3 with ‖W_C‖ = 0.08, where a bound with 0.24‖W_i‖ was consistent (tightest 0.61,
 * test/fixtures/models/lstm-concat-input-gate.yaml). `states`: where the
 * states go, −s for the first s that keeps the centring levers in their boxes (a single 1 for the swing above;
 * FAR_STATES for the one far out; −1 for the mirrored swing, with `others` −1: states at +1, candidates at −1, where a
 * one-unit GRU's signed ∂h_t/∂h_{t−1} with U_z ≥ 0 is ½ + ½U_z = 6.5 and a bound with ¼U_z (4.01) was consistent,
 * tightest 0.968, test/fixtures/models/gru-scalar-mirror.yaml; not far out).
 */
function swing(
  space: InstanceSpace,
  data: MutableData,
  capped: readonly Block[],
  pre: PreActivation,
  isolate: (space: InstanceSpace, data: MutableData) => void,
  states: readonly number[],
  gates: readonly Gate[],
  others: 1 | -1 = 1,
  adjust?: Adjust,
): void {
  peak(space, data);
  // a matrix's columns that are a lever cleared first: its other columns then go to the cap (or shrink), and the lever
  // is set below to the least that does its part
  for (const g of gates) if (columnLever(g)) clearColumns(space, data, g);
  isolate(space, data);
  // the inputs that input weights multiply, fixed at step 1 (x_1 = 𝟙/√m, so that P x_1 moves by what a row of P does);
  // one that columns of a matrix multiply at its box's edge instead: the cap bounds those columns with the rest of the
  // matrix, and the larger x_1, the less of its norm a centring or opening takes (at 𝟙/√m, opening the 2024 LSTM's C̃
  // to 0.995 took ‖W_C‖ ≥ 3, which its bounds read)
  const squared = new Map<Block, number>();
  for (const g of gates) {
    if (!g.input) continue;
    const n = g.input.rows * g.input.cols;
    const edge = gates.some((o) => o.input === g.input && columnLever(o));
    const x = edge ? space.range(g.input)[1] : 1 / Math.sqrt(n);
    space.values(data, g.input).fill(x);
    squared.set(g.input, edge ? n * x * x : 1);
  }
  const fed = gates.filter((g) => capped.some((m) => g.recurrent.has(m.name)));
  // (a lever filled with one value opens its gate alike — or shuts it, `others` −1 —: a bias, or input weights against
  // x_1 > 0; columns of a matrix are set in order below, the box's end would take the whole matrix's norm)
  for (const g of gates)
    if (!fed.includes(g) && !columnLever(g)) fillClamped(space, data, g.lever, others * g.sign * Infinity);
  // (a premise's values moved to its edge here, so that the centring below holds there: ./adversarial.ts Adjust)
  adjust?.(data);
  const before = fed.map((g) => space.values(data, g.lever).slice());
  // the first of `states` whose centring levers all stay in their boxes (the last as it comes, clipped by projection)
  for (const [k, state] of states.entries()) {
    fed.forEach((g, j) => space.values(data, g.lever).set(before[j]!));
    for (const b of space.blocks) if (b.role === 'state') fillClamped(space, data, b, -state);
    let inBox = true;
    // in the equations' order, each centred (or, columns of a matrix, opened) after those it may read were (a fresh
    // forward pass each)
    for (const g of gates) {
      const centre = fed.includes(g);
      if (!centre && !columnLever(g)) continue;
      if (columnLever(g)) clearColumns(space, data, g);
      const z = pre(data, g.target, 1);
      const lever = space.values(data, g.lever);
      // a bias moves row i's pre-activation by what it adds; input weights, row i of P against x_1 (by ‖x_1‖²)
      const x1 = g.input ? space.values(data, g.input) : UNIT;
      const norm2 = g.input ? squared.get(g.input)! : 1;
      if (!z || z.length !== g.lever.rows || g.from + x1.length > g.lever.cols) continue;
      const target = centre ? 0 : others * OPEN;
      const [lo, hi] = space.range(g.lever);
      for (let i = 0; i < z.length; i++)
        for (let j = 0; j < x1.length; j++) {
          const at = i * g.lever.cols + g.from + j;
          lever[at]! -= (g.sign * (z[i]! - target) * x1[j]!) / norm2;
          if (centre) inBox &&= lever[at]! >= lo && lever[at]! <= hi;
        }
    }
    if (inBox || k === states.length - 1) return;
  }
}

/**
 * The pre-activation a gate whose lever is columns of a matrix is opened to (σ 0.95, tanh 0.995): those columns cost
 * the matrix's norm OPEN/‖x_1‖ a row, which a bound through that norm reads (the 2024 LSTM's ‖W_C‖), so not the box's end.
 */
const OPEN = 3;

/** Whether a gate's lever is some columns of a matrix (over a concatenation) rather than all of a P or a bias. */
const columnLever = (g: Gate): boolean => g.input !== null && g.lever.cols !== g.input.rows * g.input.cols;

/** The lever columns of a gate at 0. */
function clearColumns(space: InstanceSpace, data: MutableData, g: Gate): void {
  const v = space.values(data, g.lever);
  const n = g.input!.rows * g.input!.cols;
  for (let i = 0; i < g.lever.rows; i++) v.fill(0, i * g.lever.cols + g.from, i * g.lever.cols + g.from + n);
}

/** A bias's "input": its pre-activation moves by exactly what it adds. */
const UNIT: Vec = Float64Array.of(1);

/**
 * How far out AT_THEIR_END puts the states (−s): the farthest at which every centring lever stays inside its box, down
 * to 0 (a product p ⊙ c_t the lever cancels only at small c, a (W h_0) ⊙ (U x_1) with U x_1 in the thousands only at
 * h_0 = 0, where the step's Jacobian is still diag(U x_1) W).
 */
const PRODUCT_STATES = [...FAR_STATES, 1, 0] as const;

/**
 * Beyond the regimes, for each multiplier (see Multiplier): it at the end of its box, every gate reading a recurrent
 * matrix centred at step 1 by its lever (`swing`, with every recurrent matrix shrunk: what U h_0 adds the lever need not
 * cancel) against states at −s, the farthest of PRODUCT_STATES that keeps the levers in their boxes. The end is the one
 * opposite the states (times the product's sign), so that p ⊙ c_0 is positive: a peephole forget gate's ∂c_t/∂c_{t−1}
 * entry f + c f(1 − f) p_f is then ½ + |p_f c_0|/4, not |p_f c_0|/4 − ½. Inputs read in its factor at their box's
 * upper edge (U x_1 large).
 */
const AT_THEIR_END = (space: InstanceSpace): Isolating[] => {
  const recurrentBlocks = space.blocks.filter((b) => b.law.spectralNorm !== null);
  return space.multipliers.map((m) => ({
    name: `${m.block.name} at the end of its box, the gates centred`,
    build: (s, d, pre, adjust) =>
      swing(
        s,
        d,
        // every recurrent matrix as `capped` (which only picks the gates to centre); `isolate()` shrinks them all
        recurrentBlocks,
        pre,
        (s, d) => {
          isolate()(s, d);
          fillClamped(s, d, m.block, -m.sign * Infinity);
          for (const x of m.inputs) fillClamped(s, d, x, Infinity);
        },
        PRODUCT_STATES,
        s.gates,
        1,
        adjust,
      ),
  }));
};

/** The isolating constructions of a start of this model: one recurrent matrix alone at the cap, then multipliers. */
/**
 * Every recurrent matrix shrunk to SHRUNK of its norm, from the start and at the drives' peak (two for any model with
 * one): the regimes' norms are 0.5 to 1.5 and every other construction keeps or raises them, so a bound that fails
 * only where the recurrent gain is small held everywhere the search went — a leaky RNN's ‖∂h_T/∂h_{T−1}‖ ≤ 2‖W‖ (the
 * Jacobian ½I + ½ diag(1 − h²) W tends to ½I as W → 0), offered as a repair and shown holding (a review's).
 */
const EVERY_SHRUNK = (space: InstanceSpace): Isolating[] => {
  if (!space.blocks.some((b) => b.law.spectralNorm !== null)) return [];
  // none at the cap: every one shrunk
  const shrunk = isolate();
  return [
    { name: 'every recurrent matrix shrunk', build: shrunk },
    { name: 'peak, every recurrent matrix shrunk', build: (s, d) => (peak(s, d), shrunk(s, d)) },
  ];
};

/**
 * The steps DRIVEN_THEN_CENTRED centres the gates at: the last, T (a claim that reads step T alone: every other
 * construction centres the gates at step 1, and by T they are elsewhere), then 2, the first whose state an instance
 * moves where h[0] is fixed by `assume:` (a claim at t = 2, which a construction at T leaves saturated there).
 */
const CENTRED_AT = (space: InstanceSpace): number[] => [...new Set([space.horizon, 2])].filter((s) => s >= 2);

/**
 * Beyond the regimes, for a model whose gates have biases and input weights: the states driven to one end of their
 * range over the steps before s, then every such gate centred at step s (`drivenThenCentred`), for each s of CENTRED_AT,
 * each end (−1, then +1) and each sign of the recurrent matrices. Every other construction acts at step 1, against the
 * initial states it sets, and two GRU bounds false only where h_{s−1} is at an end while the gates at s are centred held
 * on every instance the search tried (reviews'; test/check/driven-constructions.test.ts, numpy:
 * test/fixtures/numpy/gru_driven.py): ‖∂n_t/∂h_{t−1}‖ ≤ ‖U_n‖(1 + 0.05‖U_r‖) for t in 1..T with h_0 = 0 assumed, true at
 * t = 1 (h_0 = 0 removes the reset gate's term diag(h_{t−1} ⊙ r_t(1 − r_t)) U_r) and false from t = 2 (the search's
 * fitness, the largest closeness over every binding, kept its paths where t = 1 came closest; --beyond 2000 refuted it),
 * and ‖∂n_T/∂h_{T−1}‖ ≤ ‖U_n‖(1 + ⅛‖U_r‖) given ‖h_0‖_max ≤ 1 (¼ is due), which reads step T alone (consistent with
 * --beyond 2000 too).
 */
const DRIVEN_THEN_CENTRED = (space: InstanceSpace): Isolating[] => {
  const gates = space.gates.filter((g) => g.input === null && g.inputWeights.length);
  if (!gates.length || !space.blocks.some((b) => b.law.spectralNorm !== null)) return [];
  return CENTRED_AT(space).flatMap((step) =>
    ([-1, 1] as const).flatMap((end) =>
      ([1, -1] as const).map((shape): Isolating => ({
        name: `the states driven to ${end === 1 ? '+1' : '−1'} before step ${step}, every gate centred there, recurrent ${shape === 1 ? '' : '−'}12·I`,
        build: (s, d, pre) => drivenThenCentred(s, d, pre, gates, step, end, shape),
      })),
    ),
  );
};

/**
 * The states at `end` (±1) and kept there over the steps before `step`: the inputs of those steps at their box's upper
 * edge and each gate's input weights at the end of their box that drives it to `end` (σ to 1 or 0, tanh to ±1: a GRU's
 * z_t to 0 and n_t to −1 make h_t = −1 whatever h_0 was; z_t at 1 keeps h_0 = +1), every recurrent matrix `shape` (±1)
 * times the identity at the cap (U h_{t−1} is then ±12 h_{t−1} at a state at an end, and the step's products line up
 * instead of cancelling in a random alignment; both signs, as the state's sign and U's decide whether a term such as a
 * GRU's r_t I + r_t(1 − r_t) diag(h_{t−1}) U_r adds up or cancels); then, the inputs at `step` and after at 0, each gate
 * centred at `step` by its bias
 * (in the equations' order, each after those it may read; a fresh forward pass each). The drives of the earlier steps
 * (thousands) outweigh what the biases add there (at most the box, ±64), so the states the centring reads stay where
 * they were driven.
 */
function drivenThenCentred(
  space: InstanceSpace,
  data: MutableData,
  pre: PreActivation,
  gates: readonly Gate[],
  step: number,
  end: 1 | -1,
  shape: 1 | -1,
  level: (g: Gate) => number = () => 0,
  capped?: Block,
): void {
  peak(space, data);
  recurrent(space, data, (rows, cols) => identity(rows, cols).map((x) => shape * x));
  atCap(space, data);
  if (capped) isolate(capped)(space, data);
  for (const b of space.blocks)
    if (b.role === 'state') fillClamped(space, data, b, end);
    else if (b.role === 'input') fillClamped(space, data, b, b.time < step ? Infinity : 0);
  for (const g of gates) for (const w of g.inputWeights) fillClamped(space, data, w.block, end * w.sign * Infinity);
  for (const g of gates) {
    const z = pre(data, g.target, step);
    const lever = space.values(data, g.lever);
    if (!z || z.length !== lever.length) continue;
    const target = level(g);
    for (let i = 0; i < z.length; i++) lever[i]! -= g.sign * (z[i]! - target);
  }
}

/**
 * Beyond the regimes, for a model with gates of both kinds (σ-like, onto [0, 1], and tanh-like candidates, onto
 * [−1, 1]) that have biases and input weights: the states driven to `end` over the steps before T, as
 * DRIVEN_THEN_CENTRED drives them, one recurrent matrix alone at the cap (`end`·I; every other one shrunk), then at T
 * the σ-like gates centred and the candidates at the other end (−`end`·GATE_END). A gated update h_t = z ⊙ h_{t−1} +
 * (1 − z) ⊙ g has ∂h_t/∂h_{t−1} ∋ diag((h_{t−1} − g_t) ⊙ z(1 − z)) U_z, whose gap h_{t−1} − g_t reaches 2 only so: a
 * review's (review150) UGRNN bound 1 + ¼‖W_z‖ + ‖W_c‖ (½ is due) held on every instance the search tried, with
 * `--search 2000` too (tightest 0.9918); every other construction centres the candidates with the gates or leaves the
 * state at 0. Four per recurrent matrix: each end, and each sign of the matrix against it — whether the gap's term adds
 * to the rest depends on how the cell writes its update (z ⊙ h + (1 − z) ⊙ g, or (1 − f) ⊙ h + f ⊙ n: a review's MGU
 * repair 2 + ¼‖W_f‖ + … was offered as consistent, false at h = 1, n = −1, f = ½ with W_f = −8, review151).
 */
const DRIVEN_THEN_OPPOSED = (space: InstanceSpace): Isolating[] => {
  const gates = space.gates.filter((g) => g.input === null && g.inputWeights.length);
  const candidate = (g: Gate) => g.range[0] < 0;
  if (!gates.some(candidate) || gates.every(candidate)) return [];
  return space.blocks
    .filter((b) => b.law.spectralNorm !== null)
    .flatMap((alone) =>
      ([1, -1] as const).flatMap((end) =>
        ([1, -1] as const).map((sign): Isolating => {
          const shape = (end * sign) as 1 | -1;
          return {
            name: `the states driven to ${end === 1 ? '+1' : '−1'} before step T, ${alone.name} alone at the cap (${shape === 1 ? '' : '−'}12·I), the gates centred there and the candidates at the other end`,
            build: (s, d, pre) =>
              drivenThenCentred(
                s,
                d,
                pre,
                gates,
                s.horizon,
                end,
                shape,
                (g) => (candidate(g) ? -end * GATE_END : 0),
                alone,
              ),
          };
        }),
      ),
    );
};

/**
 * Beyond the regimes, for a model with gates that have biases: some gates at one end of their range and others at the
 * other, the candidates centred, by their biases, with one recurrent matrix alone at the cap (./gate-settings.ts
 * gateSettings: which gates, which matrix, and why), the states and inputs at 0 (`atGateSetting`).
 */
const GATE_SETTINGS = (space: InstanceSpace): Isolating[] => {
  const gates = space.gates.filter((g) => g.input === null);
  const matrices = space.blocks.filter((b) => b.law.spectralNorm !== null);
  if (!gates.length || !matrices.length) return [];
  const settable = gates.map((g) => ({ target: g.target, candidate: g.range[0] < 0, recurrent: g.recurrent }));
  const fixed = space.gates.filter((g) => g.input !== null).map((g) => g.recurrent);
  const names = matrices.map((m) => m.name);
  return gateSettings(settable, names, fixed).map((setting): Isolating => ({
    name: setting.name,
    build: (s, d, pre, adjust) => atGateSetting(s, d, pre, gates, matrices, setting, adjust),
  }));
};

/** How far from 0 GATE_SETTINGS puts a gate's pre-activation at an end: σ(±16) is 1.1e-7 from 0 or 1, tanh 2.5e-14. */
export const GATE_END = 16;

/**
 * The drives at their peak, the states and inputs at 0, the setting's matrix alone at the cap (every other one shrunk),
 * then each gate's bias set so that its pre-activation at step 1 is its level times GATE_END (in the equations' order,
 * each after those it may read; a fresh forward pass each). With the states at 0 and the candidates centred the states
 * stay at 0 over the steps (c_1 = i_1 ⊙ g_1 = 0; a GRU's h_1 = (1 − z_1) ⊙ n_1 = 0), so every step is the first.
 */
function atGateSetting(
  space: InstanceSpace,
  data: MutableData,
  pre: PreActivation,
  gates: readonly Gate[],
  matrices: readonly Block[],
  setting: GateSetting,
  adjust?: Adjust,
): void {
  peak(space, data);
  for (const b of space.blocks) if (b.role === 'state' || b.role === 'input') fillClamped(space, data, b, 0);
  isolate(...matrices.filter((m) => m.name === setting.capped))(space, data);
  adjust?.(data);
  for (const g of gates) {
    const z = pre(data, g.target, 1);
    const lever = space.values(data, g.lever);
    if (!z || z.length !== lever.length) continue;
    const target = setting.levels.get(g.target)! * GATE_END;
    for (let i = 0; i < z.length; i++) lever[i]! -= g.sign * (z[i]! - target);
  }
}

// each list after the ones before it, so that every construction is evaluated where it was before the next was added
const isolating = (space: InstanceSpace): Isolating[] => [
  ...ALONE_AT_CAP(space),
  ...AT_THEIR_END(space),
  ...EVERY_SHRUNK(space),
  ...DRIVEN_THEN_CENTRED(space),
  ...GATE_SETTINGS(space),
  ...DRIVEN_THEN_OPPOSED(space),
];

/** How many isolating constructions a start of this model has: the same for every start. */
export const isolatingCount = (space: InstanceSpace): number => isolating(space).length;

/** The isolating constructions from a start, beyond the regimes, each projected (one that cannot be is left as it is). */
export function isolatingConstructions(space: InstanceSpace, start: InstanceData, pre: PreActivation): Construction[] {
  if (space.domain !== 'beyond') return [];
  return isolating(space).map((c) => {
    const built = (adjust?: Adjust): MutableData => {
      const data = space.copy(start);
      let adjusted = false;
      c.build(space, data, pre, adjust && ((d) => ((adjusted = true), adjust(d))));
      if (adjust && !adjusted) adjust(data);
      return space.projected(data) ?? space.copy(start);
    };
    return { name: c.name, data: built(), rebuild: built };
  });
}

/** How many constructions entrywiseAtCap builds for each parameter a premise bounds entrywise. */
const ENTRYWISE_PATTERNS = 2;

/** How many constructions entrywiseAtCap builds from a start of this space: the same for every start. */
export const entrywiseCount = (space: InstanceSpace, names: readonly string[]): number =>
  ENTRYWISE_PATTERNS * space.blocks.filter((b) => b.role === 'parameter' && names.includes(b.name)).length;

/**
 * For each parameter `names` holds that a premise bounds entrywise (src/check/premise.ts entrywiseBounded: |P_ij| ≤ c,
 * or ≥ c), with the drives at σ′'s and tanh′'s peak: every entry of P at one magnitude (the start's largest |entry|,
 * 1 if it has none; the search moves it to the premise's edge, c, by `rebuild`), first all of one sign (𝟙𝟙ᵀ), then in
 * the rank-one sign pattern sign(u) sign(v)ᵀ of the start's leading singular pair. Under |P_ij| ≤ c those are the
 * matrices of the largest ‖P‖₂ (c·√(rows·cols)), which no other construction builds: scaling to the premise's edge
 * keeps the structure a matrix had, and ‖∂h_T/∂h_{T−1}‖ ≤ 0.1·d − 0.01 given normMax(W) <= 0.1, false at W = 0.1·𝟙𝟙ᵀ
 * with the drives at 0, was consistent (a review's). ENTRYWISE_PATTERNS for each such parameter the space holds.
 */
export function entrywiseAtCap(space: InstanceSpace, start: InstanceData, names: readonly string[]): Construction[] {
  const capped = space.blocks.filter((b) => b.role === 'parameter' && names.includes(b.name));
  return capped.flatMap((b) => {
    const a = space.values(space.copy(start), b);
    const size = a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const magnitude = size > 0 && Number.isFinite(size) ? size : 1;
    const { u, v } = topSingularPair(b.rows, b.cols, a);
    const sign = (x: number) => (x < 0 ? -1 : 1);
    const patterns: [string, (i: number, j: number) => number][] = [
      ['every entry +', () => 1],
      ['the signs of its leading singular pair', (i, j) => sign(u[i]!) * sign(v[j]!)],
    ];
    return patterns.map(([what, pattern]): Construction => {
      const built = (adjust?: Adjust): MutableData => {
        const data = space.copy(start);
        peak(space, data);
        const values = space.values(data, b);
        for (let k = 0; k < values.length; k++) values[k] = magnitude * pattern(Math.floor(k / b.cols), k % b.cols);
        adjust?.(data);
        return space.projected(data) ?? space.copy(start);
      };
      return { name: `peak, ${b.name} at its entrywise cap, ${what}`, data: built(), rebuild: built };
    });
  });
}

/** Where alignedAtPeak puts the drives: just above tanh′'s and σ′'s peak, every pre-activation positive (a kink at 0). */
const ABOVE_PEAK = 1e-6;
/** How small alignedAtPeak makes each parameter it aligns, for the search to take each to its own edge from there. */
const ALIGNED_NORM = 1 / BEYOND_GAIN ** 4;

/**
 * Whether alignedAtPeak builds anything from `names` in this space: two or more of them are blocks of it (a parameter
 * no assumption fixes).
 */
export const alignsSeveral = (space: InstanceSpace, names: readonly string[]): boolean =>
  space.blocks.filter((b) => b.role === 'parameter' && names.includes(b.name)).length >= 2;

/**
 * For a premise that bounds several parameters (src/check/premise.ts boundedParameters, `names`): each of them rank one
 * along one shared direction, 𝟙/√n for every dimension n (a P of rows × cols is ALIGNED_NORM · 𝟙𝟙ᵀ/√(rows·cols)), so
 * that a product of them along a chain of the model has the product of their norms (‖W W U‖₂ = ‖W‖²‖U‖ at W = w𝟙𝟙ᵀ/d,
 * U = u𝟙𝟙ᵀ/√(dm)); every drive (inputs, biases, initial states: what `peak` sets to 0) at ABOVE_PEAK, so that with those
 * non-negative matrices every pre-activation is positive and at most a few times ABOVE_PEAK over the steps: tanh′ and σ′
 * at their peak to about 10⁻¹¹, a leaky ReLU's slope on its linear side (its derivative at 0 is 0/0). The search takes
 * each of `names` in turn to its own edge of the premise from here, the others held (src/check/search.ts). Null where
 * fewer than two of `names` are blocks of the space (alignsSeveral).
 */
export function alignedAtPeak(space: InstanceSpace, start: InstanceData, names: readonly string[]): MutableData | null {
  if (!alignsSeveral(space, names)) return null;
  const data = space.copy(start);
  for (const b of space.blocks) {
    const v = space.values(data, b);
    if (b.role === 'parameter' && names.includes(b.name)) v.fill(ALIGNED_NORM / Math.sqrt(b.rows * b.cols));
    else if (b.law.spectralNorm === null && b.init !== 'weight' && b.init !== 'gaussian')
      fillClamped(space, data, b, ABOVE_PEAK);
  }
  return data;
}

/**
 * Where gatesAtLevel puts the states: ±1, where a state's own slope through tanh, c tanh′(c), is 0.42 (its largest,
 * 0.45, at 0.77): far enough from 0 that what the gate multiplies carries its slope, not so far that tanh′ shuts it.
 */
const LEVEL_STATE = 1;
/** Passes of gatesAtLevel's bias corrections (each gate's step T reads the biases through the steps before it). */
const LEVEL_PASSES = 6;

/**
 * A sequence a premise bounds the values of (src/check/premise.ts gatesValued) and the steps it reads it at, at the
 * instance's sizes (none where a step is not known without a claim's quantified variable).
 */
export interface LevelTarget {
  readonly name: string;
  readonly steps: readonly number[];
}

/** The gates with a bias among `targets` (sequences a premise bounds the values of: src/check/premise.ts gatesValued). */
const levelGates = (space: InstanceSpace, targets: readonly LevelTarget[]): Gate[] =>
  space.gates.filter((g) => g.input === null && targets.some((t) => t.name === g.target));

/** How many constructions gatesAtLevel builds from a start of this space (one for each sign of the states, or none). */
export const gateLevelCount = (space: InstanceSpace, targets: readonly LevelTarget[]): number =>
  levelGates(space, targets).length ? 2 : 0;

/**
 * A premised gate that is a state's own equation (h_t = tanh(W h_{t−1} + U x_t + b)) with one input weight, and the
 * input blocks at the steps the premise reads it: each such step is driven by its own input (U = [I 0], x_t solved),
 * the first units of the state (as many as the input has) alone; the bias, shared by every step, keeps the rest.
 */
interface DrivenState {
  readonly gate: Gate;
  readonly weight: Gate['inputWeights'][number];
  readonly steps: readonly { readonly t: number; readonly input: Block }[];
  /** the units an input reaches: min(rows, cols) of U */
  readonly reach: number;
}

function drivenStates(space: InstanceSpace, gates: readonly Gate[], targets: readonly LevelTarget[]): DrivenState[] {
  const states = new Set(space.blocks.filter((b) => b.role === 'state').map((b) => b.name));
  return gates.flatMap((gate) => {
    const weight = gate.inputWeights.length === 1 ? gate.inputWeights[0]! : undefined;
    if (!states.has(gate.target) || !weight) return [];
    const at = [...new Set(targets.find((t) => t.name === gate.target)?.steps ?? [])].sort((a, b) => a - b);
    const steps = at.flatMap((t) => {
      const input = space.blocks.find((b) => b.role === 'input' && b.name === weight.input.name && b.time === t);
      return input ? [{ t, input }] : [];
    });
    return steps.length ? [{ gate, weight, steps, reach: Math.min(weight.block.rows, weight.block.cols) }] : [];
  });
}

/**
 * For a premise that bounds the value of gates (`normMin(f[T]) >= 0.99`) or of states at steps past the first
 * (`normMin(abs(h[T])) >= 0.5`; `targets`, src/check/premise.ts gatesValued): each of those with a bias set to a level,
 * the rest of the model out of the way. Every recurrent matrix those gates do
 * not read at 0 and every input weight at 0 (the drives at 0 besides: `peak`), so that parameters the premise does not
 * need add nothing to a bound's right side; the matrices those gates read at the cap (their slope times the state they
 * multiply is their Jacobian's part); the states at ±LEVEL_STATE; every other gate with a bias open (σ at its high end)
 * or, a candidate, centred, at step 1 (an LSTM's c_t = f_t c_{t−1}: the state stays far from 0); the premise's gates at
 * pre-activation `level` by their biases, at step 1 on the first pass, the initial states then moved to where step 1
 * takes them (`stateAt`), and at step T on each of LEVEL_PASSES − 1 more (the bias moves the steps before T too). Solved
 * at T from the states at ±1 as set, h_0 = 1 against W_f = −12 shut f_1, the state emptied, and the passes settled where
 * it stays empty (c_{T−1} = 0.001); from step 1's states every step is much like T (f_t within 0.01 of f_T). The search takes `level` to the premise's edge (src/check/premise.ts levelEdge): there an LSTM's
 * ∂c_T/∂c_{T−1} = diag(f_T) + diag(c_{T−1} f_T(1 − f_T)) W_f D is 0.99 − 0.05 against a bound 0.01 + ¼‖W_i‖ + ‖W_g‖
 * on its distance from I, and every other construction keeps W_i, W_g at 1/64 of their norms or more and f_T far from
 * 0.99, so that bound, false (a review's: 0.0166 against 0.01 at W_f = 1.5), was consistent under three seeds and
 * --search 2000 (test/check/gate-premise.test.ts). One builder for each sign of the states (+, then −): the sign of the
 * state against W_f decides whether that term adds to f_T or takes from it. None where no target is a gate with a bias.
 *
 * A state the premise reads (a tanh RNN's h_T, h_{T−1}) is set by the drive of each step it is read at, not by its bias:
 * its input weights U = [I 0] and x_t solved so that its pre-activation at step t is `level`, in the order of the steps
 * (h_t reads the drive at t and the states before it), so that every step read sits at the premise's edge at once. The
 * bias moves every step, and through W each step's pre-activation by Σ_k (W tanh′)^k of a change: corrections at T alone
 * overshoot (W = 0.8 at h = 0.5: by 0.96 of the change; W = 1.5: diverge). `adjust` is applied once the construction has
 * set its own values and before any level is solved (a premise's parameters at their edge, src/check/premise.ts
 * levelEdge): there ∂h_T/∂h_{T−2} = W² (1 − h_T²)(1 − h_{T−1}²) is 0.8² · 0.75² = 0.36 at ‖W‖ ≤ 0.8 with |h_T|, |h_{T−1}|
 * ≥ 0.5, where the paths and the other constructions stayed at 0.94 of it, and a bound of 0.35 was consistent under
 * three seeds and --search 2000 (a review's; test/check/state-premise.test.ts).
 */
export function gatesAtLevel(
  space: InstanceSpace,
  start: InstanceData,
  pre: PreActivation,
  stateAt: StateAt,
  targets: readonly LevelTarget[],
): ((level: number, adjust?: Adjust) => MutableData)[] {
  const gates = levelGates(space, targets);
  if (!gates.length) return [];
  const states = space.blocks.filter((b) => b.role === 'state');
  const read = new Set(gates.flatMap((g) => [...g.recurrent]));
  const others = space.gates.filter((g) => g.input === null && !gates.includes(g));
  const driven = drivenStates(space, gates, targets);
  return ([1, -1] as const).map((sign) => (level: number, adjust?: Adjust) => {
    const data = space.copy(start);
    peak(space, data);
    for (const b of space.blocks) {
      const v = space.values(data, b);
      if (b.law.spectralNorm !== null) {
        const norm = spectralNorm(mat(b.rows, b.cols, v));
        const factor = read.has(b.name) && norm > 0 && Number.isFinite(norm) ? b.law.spectralNorm / norm : 0;
        for (let i = 0; i < v.length; i++) v[i]! *= factor;
      } else if (b.init === 'weight') v.fill(0);
      else if (b.role === 'state') fillClamped(space, data, b, sign * LEVEL_STATE);
    }
    for (const d of driven) space.values(data, d.weight.block).set(identity(d.weight.block.rows, d.weight.block.cols));
    adjust?.(data);
    for (let pass = 0; pass < LEVEL_PASSES; pass++) {
      for (const g of space.gates) {
        const premised = gates.includes(g);
        if (!premised && !others.includes(g)) continue;
        // a state's units its inputs reach are set by them (below), the rest by the bias at the last step read
        const own = driven.find((d) => d.gate === g);
        const last = own ? own.steps[own.steps.length - 1]!.t : space.horizon;
        const z = pre(data, g.target, premised && pass > 0 ? last : 1);
        const lever = space.values(data, g.lever);
        if (!z || z.length !== lever.length) continue;
        const target = premised ? level : g.range[0] < 0 ? 0 : GATE_END;
        for (let i = own?.reach ?? 0; i < z.length; i++) lever[i]! -= g.sign * (z[i]! - target);
      }
      // then the initial states where step 1 takes them, so that the steps before T are much like T
      if (pass === 0) {
        const moved = states.map((b) => [b, stateAt(data, b.name, 1)] as const);
        for (const [b, v] of moved) if (v && v.length === b.rows * b.cols) space.values(data, b).set(v);
      }
      // each state read at a step by that step's input, in order: x_t moves step t's pre-activation and no earlier one
      for (const d of driven)
        for (const { t, input } of d.steps) {
          const z = pre(data, d.gate.target, t);
          const x = space.values(data, input);
          if (!z) continue;
          for (let i = 0; i < Math.min(d.reach, x.length, z.length); i++) x[i]! += d.weight.sign * (level - z[i]!);
        }
    }
    return space.projected(data) ?? space.copy(start);
  });
}

/**
 * Structured tight cases built from a start instance, each projected into its domain;
 * ones that change nothing, or repeat an earlier one, are left out.
 */
export function constructions(space: InstanceSpace, start: InstanceData): Construction[] {
  return built(space, start, space.domain === 'regime' ? CONSTRUCTIONS : BEYOND_CONSTRUCTIONS);
}

/** Each spec built on a copy of the start and projected; one that repeats the start or an earlier one is left out. */
function built(space: InstanceSpace, start: InstanceData, specs: readonly ConstructionSpec[]): Construction[] {
  const seen = new Set([fingerprint(space, space.copy(start))]);
  const out: Construction[] = [];
  for (const c of specs) {
    const data = space.copy(start);
    c.build(space, data);
    const projected = space.projected(data, c.capTimes);
    if (!projected) continue;
    const key = fingerprint(space, projected);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: c.name, data: projected });
  }
  return out;
}

/**
 * Entry patterns where the norms that sum entries meet the spectral norm at their constant: one column of ones
 * (‖A‖₂ = √rows·‖A‖∞, ‖A‖₂ = ‖A‖_F), one row of ones (‖A‖₂ = √cols·‖A‖₁) and every entry 1 (‖A‖₂ = √(rows·cols)·‖A‖_max,
 * ‖A‖∞ = cols·‖A‖_max). At the drives' peak a Jacobian is the matrix itself. A review's ‖J‖₂ ≤ 0.999·√d·‖J‖∞ and
 * ‖W‖₂ ≤ 0.999·√d·‖W‖∞ of a tanh RNN were consistent under several seeds and --search 2000 (W = ½·𝟙e₁ᵀ, U = 0, b = 0
 * refutes both at every d): the rank-one construction aligns W with its own leading pair, never with 𝟙.
 */
const oneColumn = (rows: number, cols: number): Vec =>
  Float64Array.from({ length: rows * cols }, (_, k) => (k % cols === 0 ? 1 : 0));
const oneRow = (rows: number, cols: number): Vec =>
  Float64Array.from({ length: rows * cols }, (_, k) => (k < cols ? 1 : 0));
const allOnes = (rows: number, cols: number): Vec => new Float64Array(rows * cols).fill(1);
const ENTRY_PATTERNS: readonly ConstructionSpec[] = (
  [
    ['one column', oneColumn],
    ['one row', oneRow],
    ['all ones', allOnes],
  ] as const
).map(([name, shape]) => ({
  name: `peak, ${name}`,
  build: (s: InstanceSpace, d: MutableData) => {
    peak(s, d);
    recurrent(s, d, shape);
  },
}));

/** How many entry-pattern constructions a path evaluates beside it (at most). */
export const ENTRY_PATTERN_COUNT = ENTRY_PATTERNS.length;

/**
 * The entry patterns from a start, at the drives' peak, projected (those the projection refuses, or that repeat the
 * start or another, left out): for a claim that compares an entry norm of a matrix (src/check/search.ts), evaluated
 * beside each path so that every other claim's search stays as it was.
 */
export function entryPatternConstructions(space: InstanceSpace, start: InstanceData): Construction[] {
  return built(space, start, ENTRY_PATTERNS);
}

/**
 * Every recurrent matrix 0, from the start and at the drives' peak: beyond the regimes a recurrent matrix may be as
 * small as it likes, but no other construction sets one to 0 (EVERY_SHRUNK scales to 1/64 of the norm), and a bound
 * whose constant term is a little low is false only there. A review (review151) found repairs offered as consistent
 * that fail exactly so — `0.4999999 + 0.5‖W_z‖ + 0.5‖W‖` of a coupled oscillator, false at W = W_z = 0 — and a user's
 * claim of that form is the same false pass. Then, at the peak, every recurrent matrix FAR_BEYOND and FAR_BEYOND² times
 * the cap (its own shape kept): a bound whose slope in a norm is a little low is false only where that norm is large —
 * `2 + 0.99‖W‖` of a residual RNN, whose ‖J‖ is 1 + ‖W‖ at the peak, only beyond ‖W‖ = 100, past the cap of 12 every
 * other construction and path keeps to (a review, review153, found 14 repairs offered as consistent so). For a claim
 * that takes a norm of an expression reading a recurrent matrix (src/check/search.ts), evaluated beside each path;
 * none inside a regime, whose norm is fixed.
 */
const FAR_BEYOND = 100;
/** The multiples of the cap EXTREME_RECURRENT puts every recurrent matrix at (the evidence says so). */
export const EXTREME_CAP_TIMES: readonly number[] = [FAR_BEYOND, FAR_BEYOND ** 2];
const EXTREME_RECURRENT: readonly ConstructionSpec[] = [
  { name: 'every recurrent matrix 0', build: (s, d) => recurrent(s, d, (rows, cols) => new Float64Array(rows * cols)) },
  {
    name: 'peak, every recurrent matrix 0',
    build: (s, d) => {
      peak(s, d);
      recurrent(s, d, (rows, cols) => new Float64Array(rows * cols));
    },
  },
  ...EXTREME_CAP_TIMES.map((times) => ({
    name: `peak, every recurrent matrix ${times}× the cap`,
    capTimes: times,
    build: (s: InstanceSpace, d: MutableData) => {
      peak(s, d);
      atCap(s, d);
      recurrent(s, d, (_rows, _cols, a) => a.map((x) => x * times));
    },
  })),
];

/** How many extreme-recurrent constructions a path evaluates beside it: beyond the regimes, for a model with one. */
export const extremeRecurrentCount = (space: InstanceSpace): number =>
  space.domain === 'beyond' && space.blocks.some((b) => b.law.spectralNorm !== null) ? EXTREME_RECURRENT.length : 0;

/** The extreme-recurrent constructions from a start (beyond the regimes), projected; those that repeat another left out. */
export function extremeRecurrentConstructions(space: InstanceSpace, start: InstanceData): Construction[] {
  return extremeRecurrentCount(space) ? built(space, start, EXTREME_RECURRENT) : [];
}

/**
 * The parameters a bound's norms read (src/check/search.ts normReadParameters), beside each path beyond the regimes: all
 * of them 0 together, from the start; then all of them at VANISHING_SCALE times the start's values with every other
 * recurrent matrix VANISHING_CAP_TIMES times the cap; then each alone at its end — a recurrent matrix at the cap as a
 * multiple of I, any other parameter at its box's edge with the start's signs — at the drives' peak, every other one 0;
 * and, for a claim that takes a spectral radius, each square recurrent one alone nilpotent at the cap, both signs, every
 * other one at VANISHING_SCALE of the start's.
 *
 * A bound whose larger side is a multiple of their norms says the other vanishes with them, false where they vanish and
 * something else keeps it up — a review's (review154) IndRNN ‖h_T‖ ≤ 1000(‖W‖ + ‖b‖), h_T = tanh(u ⊙ h_{T−1}) ≠ 0 at
 * W = b = 0, and a JANET's ‖h_T‖ ≤ 100(‖W_g‖ + ‖b_g‖ + ‖U_g‖), h_T = (∏ f) ⊙ h_0 at a zero candidate — or where they
 * are small and a gain they multiply is large: an MI-RNN's ‖h_T − tanh(b)‖_max ≤ 1000‖W x_T‖_max, false at W = 10⁻⁴,
 * ‖U‖ = 2000, where at W = 0 both sides are 0. A bound c + Σ aᵢ‖Pᵢ‖ is tightest where one Pᵢ is large and the others
 * vanish: a Lipschitz RNN's ‖I + ε(A + D W)‖ ≤ 1 + ‖A‖ + 0.0999‖W‖ (ε = 0.1), false at A = 0, W = 12·I. And a spectral
 * radius grows like the square root of a small coupling of a nilpotent matrix: ρ(I + ε(A + D W)) ≤ 1 + 0.2(ρ(A) + ‖W‖),
 * false at A = [[0, 1], [0, 0]], W = [[0, 0], [0.005, 0]] (1.00707 against 1.001). Every other construction keeps a
 * parameter that is no recurrent matrix where its law draws it and moves the recurrent ones together; all five were
 * consistent with `--search 2000` (the last two offered as repairs).
 */
export const VANISHING_SCALE = 1e-4;
/** The multiple of the cap the second vanishing construction puts every other recurrent matrix at (the evidence says so). */
export const VANISHING_CAP_TIMES = FAR_BEYOND ** 2;

/** The blocks of the parameters `names` (the model's order), beyond the regimes; none inside them. */
const vanishingBlocks = (space: InstanceSpace, names: ReadonlySet<string>): Block[] =>
  space.domain === 'beyond' ? space.blocks.filter((b) => b.role === 'parameter' && names.has(b.name)) : [];
/** Of those, the square recurrent matrices: what the nilpotent ones are built of, for a claim with a spectral radius. */
const nilpotentBlocks = (read: readonly Block[]): Block[] =>
  read.filter((b) => b.law.spectralNorm !== null && b.rows === b.cols && b.rows >= 2);

/**
 * How many vanishing constructions a path evaluates beside it (at most): beyond the regimes, for a claim whose norms read
 * parameters; `radius`: the claim takes a spectral radius.
 */
export const vanishingCount = (space: InstanceSpace, names: ReadonlySet<string>, radius: boolean): number => {
  const read = vanishingBlocks(space, names);
  return read.length ? 2 + read.length + (radius ? 2 * nilpotentBlocks(read).length : 0) : 0;
};

/** The vanishing constructions from a start (beyond the regimes) of the parameters `names`, projected; repeats left out. */
export function vanishingConstructions(
  space: InstanceSpace,
  start: InstanceData,
  names: ReadonlySet<string>,
  radius: boolean,
): Construction[] {
  const read = vanishingBlocks(space, names);
  if (!read.length) return [];
  const listed = read.map((b) => b.name).join(', ');
  const scale = (s: InstanceSpace, d: MutableData, blocks: readonly Block[], by: number) => {
    for (const b of blocks) {
      const v = s.values(d, b);
      for (let i = 0; i < v.length; i++) v[i]! *= by;
    }
  };
  const others = (alone: Block) => read.filter((b) => b !== alone);
  const specs: ConstructionSpec[] = [
    { name: `${listed} at 0`, build: (s, d) => scale(s, d, read, 0) },
    {
      name: `${listed} at ${VANISHING_SCALE} of the start's, every other recurrent matrix ${VANISHING_CAP_TIMES}× the cap`,
      capTimes: VANISHING_CAP_TIMES,
      build: (s, d) => {
        atCap(s, d);
        scale(
          s,
          d,
          s.blocks.filter((b) => b.law.spectralNorm !== null && !read.includes(b)),
          VANISHING_CAP_TIMES,
        );
        scale(s, d, read, VANISHING_SCALE);
      },
    },
    ...read.map((alone): ConstructionSpec => ({
      name: `peak, ${alone.name} alone at its end, ${
        others(alone)
          .map((b) => b.name)
          .join(', ') || 'nothing else'
      } at 0`,
      build: (s, d) => {
        peak(s, d);
        const v = s.values(d, alone);
        if (alone.law.spectralNorm !== null)
          v.set(identity(alone.rows, alone.cols).map((x) => x * alone.law.spectralNorm!));
        else {
          const [lo, hi] = s.range(alone);
          for (let i = 0; i < v.length; i++) v[i] = v[i]! < 0 ? lo : hi;
        }
        scale(s, d, others(alone), 0);
      },
    })),
    ...(radius ? nilpotentBlocks(read) : []).flatMap((alone) =>
      ([1, -1] as const).map((sign): ConstructionSpec => ({
        name: `${sign < 0 ? '−' : ''}${alone.name} nilpotent at the cap, ${
          others(alone)
            .map((b) => b.name)
            .join(', ') || 'nothing else'
        } at ${VANISHING_SCALE} of the start's`,
        build: (s, d) => {
          const v = s.values(d, alone);
          const shaped = nilpotent(alone.rows, alone.cols, v);
          const norm = spectralNorm(mat(alone.rows, alone.cols, shaped));
          if (norm > 0) v.set(shaped.map((x) => (sign * x * alone.law.spectralNorm!) / norm));
          scale(s, d, others(alone), VANISHING_SCALE);
        },
      })),
    ),
  ];
  return built(space, start, specs);
}

/**
 * Far out, beside each path beyond the regimes: the initial states a bound's norms read at FAR_BEYOND and FAR_BEYOND²
 * times the edge of their box (the start's signs), and, for a bound on a derivative with respect to an input, at the
 * drives' peak every input weight (a gate's ±P x_t) FAR_BEYOND times the edge of its box. A state's initial value is
 * any value a claim for every value allows, and an input weight scales the derivative with respect to its input; the
 * box (8 spreads of the widest regime's law) held both where a review (review154) found `normMax(h[T-k]) <= 20` over
 * k in 0..T offered as a consistent repair (h_0 = 30 refutes it: the box stops at 16) and `norm2(jac(h[T], x[T])) <= 50`
 * of an IndRNN consistent with `--search 2000` (W = 100 with the units centred refutes it). And, for a bound on states or
 * derivatives of a model that reads an input outside every squashing activation (`ungatedInputs`), at the drives' peak
 * with every gate's input weights 0 (the gates stay at their peak), the last step's such inputs FAR_BEYOND and
 * FAR_BEYOND² times the edge of their box.
 */
export const farOutCount = (
  space: InstanceSpace,
  states: ReadonlySet<string>,
  inputDerivative: boolean,
  ungated: ReadonlySet<string> = new Set(),
): number =>
  space.domain !== 'beyond'
    ? 0
    : (space.blocks.some((b) => b.role === 'state' && states.has(b.name)) ? EXTREME_CAP_TIMES.length : 0) +
      (inputDerivative && inputWeightBlocks(space).length ? 1 : 0) +
      (lastInputBlocks(space, ungated).length ? EXTREME_CAP_TIMES.length : 0);

/** The input weights of the gates (their ±P x_t terms), each block once. */
const inputWeightBlocks = (space: InstanceSpace): Block[] => [
  ...new Set(space.gates.flatMap((g) => g.inputWeights.map((w) => w.block))),
];

/** The far-out constructions from a start (beyond the regimes), projected; those that repeat another left out. */
export function farOutConstructions(
  space: InstanceSpace,
  start: InstanceData,
  states: ReadonlySet<string>,
  inputDerivative: boolean,
  ungated: ReadonlySet<string> = new Set(),
): Construction[] {
  if (!farOutCount(space, states, inputDerivative, ungated)) return [];
  const initial = space.blocks.filter((b) => b.role === 'state' && states.has(b.name));
  const weights = inputDerivative ? inputWeightBlocks(space) : [];
  const last = lastInputBlocks(space, ungated);
  return built(space, start, [
    ...(initial.length ? EXTREME_CAP_TIMES : []).map((times): ConstructionSpec => ({
      name: `${initial.map((b) => `${b.name}[0]`).join(', ')} ${times}× the edge of the box`,
      capTimes: times,
      build: (s, d) => initial.forEach((b) => toEdge(s, d, b, times)),
    })),
    ...(weights.length
      ? [
          {
            name: `peak, ${weights.map((b) => b.name).join(', ')} ${FAR_BEYOND}× the edge of the box`,
            capTimes: FAR_BEYOND,
            build: (s: InstanceSpace, d: MutableData) => {
              peak(s, d);
              weights.forEach((b) => toEdge(s, d, b, FAR_BEYOND));
            },
          },
        ]
      : []),
    ...(last.length ? EXTREME_CAP_TIMES : []).map((times): ConstructionSpec => ({
      name: `peak, ${last.map((b) => `${b.name}[${b.time}]`).join(', ')} ${times}× the edge of the box, the gates' input weights 0`,
      capTimes: times,
      build: (s, d) => {
        peak(s, d);
        zeroGateInputWeights(s, d);
        last.forEach((b) => toEdge(s, d, b, times));
      },
    })),
  ]);
}

/** A block's entries at the edge of its box widened `times`, each on the side of the law's mean it lies on. */
function toEdge(space: InstanceSpace, data: MutableData, b: Block, times: number): void {
  const [lo, hi] = space.range(b, times);
  const v = space.values(data, b);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! < b.law.mean ? lo : hi;
}

/**
 * The inputs some equation reads outside every squashing activation: an SRU's c_t = f ⊙ c_{t−1} + (1 − f) ⊙ (W x_t), a
 * highway's (1 − r) ⊙ x_t. Their size reaches states and Jacobians unsquashed, by as much as the input is large: the
 * SRU's ∂c_T/∂c_{T−1} = f + (c_{T−1} − W x_T) ⊙ f(1 − f) ⊙ v_f is 250 at x_T = −1000 with f at ½, and a review
 * (review154) found `norm2(jac(c[T], c[T-1])) <= 1 + 100*normMax(v_f)` consistent with --search 2000 (the box stops x at
 * 16, where it holds).
 */
export function ungatedInputs(model: Model): ReadonlySet<string> {
  const inputs = new Set([...model.symbols.values()].filter((s) => s.role === 'input').map((s) => s.name));
  const found = new Set<string>();
  const squashes = (e: Expr) => {
    const range = e.kind === 'op' ? specOf(e).activation?.increasing?.range : undefined;
    return range !== undefined && Number.isFinite(range[0]) && Number.isFinite(range[1]);
  };
  const go = (e: Expr): void => {
    if (squashes(e)) return;
    if (e.kind === 'seq' && inputs.has(e.name)) found.add(e.name);
    if (e.kind === 'op') e.args.forEach(go);
  };
  model.equations.forEach((eq) => go(eq.rhs));
  return found;
}

/** The blocks of the last step's ungated inputs (what a claim at T reads of them last). */
function lastInputBlocks(space: InstanceSpace, ungated: ReadonlySet<string>): Block[] {
  const inputs = space.blocks.filter((b) => b.role === 'input' && ungated.has(b.name));
  const last = Math.max(0, ...inputs.map((b) => b.time));
  return inputs.filter((b) => b.time === last);
}

/** How far toward 0 nearZeroInputConstructions takes the last step's inputs: these times the start's. */
export const NEAR_ZERO_TIMES: readonly number[] = [1e-2, 1e-4];

/** How many constructions nearZeroInputConstructions builds from a start of this space (none without such inputs). */
export const nearZeroInputCount = (space: InstanceSpace, inputs: ReadonlySet<string>): number =>
  space.domain === 'beyond' && lastInputBlocks(space, inputs).length
    ? GATE_SETTINGS(space).length * NEAR_ZERO_TIMES.length
    : 0;

/**
 * Beyond the regimes, at each gate setting (GATE_SETTINGS: some gates shut among open ones, the candidates centred, the
 * states and inputs 0), the last step's `inputs` at NEAR_ZERO_TIMES of the start's: nonzero, and small enough that every
 * unit stays where the setting put it. A bound whose right side vanishes with the input is tightest in that limit: a
 * GRU's ‖h_T − z ⊙ h_{T−1} − (1 − z) ⊙ tanh(U_n(r ⊙ h_{T−1}) + b_n)‖ ≤ 0.999999‖W_n x_T‖ is (1 − z)·tanh(δ)/δ of its right
 * side at δ = W_n x_T, 1 − 4.4e-7 with z shut (σ(−16)) at δ = 1e-4, and was consistent (review157's lip-0999999-false,
 * seed 1): at the setting itself (x = 0) both sides are 0, at the start's inputs the candidate bends away.
 */
export function nearZeroInputConstructions(
  space: InstanceSpace,
  start: InstanceData,
  pre: PreActivation,
  inputs: ReadonlySet<string>,
): Construction[] {
  if (!nearZeroInputCount(space, inputs)) return [];
  const last = lastInputBlocks(space, inputs);
  const origin = space.copy(start);
  const named = last.map((b) => `${b.name}[${b.time}]`).join(', ');
  return built(
    space,
    start,
    GATE_SETTINGS(space).flatMap((setting) =>
      NEAR_ZERO_TIMES.map((times): ConstructionSpec => ({
        name: `${setting.name}, ${named} ${times}× the start's`,
        build: (s, d) => {
          setting.build(s, d, pre);
          for (const b of last) {
            const [from, to] = [s.values(origin, b), s.values(d, b)];
            for (let i = 0; i < to.length; i++) to[i] = times * from[i]!;
          }
        },
      })),
    ),
  );
}

/** Every gate's input weights at 0 (a gate without a bias: the columns of its lever that multiply the input). */
function zeroGateInputWeights(space: InstanceSpace, data: MutableData): void {
  for (const g of space.gates) {
    const weights = [
      ...g.inputWeights.map((w) => ({ block: w.block, from: 0, width: w.input.rows * w.input.cols })),
      ...(g.input ? [{ block: g.lever, from: g.from, width: g.input.rows * g.input.cols }] : []),
    ];
    for (const { block, from, width } of weights) {
      const v = space.values(data, block);
      for (let r = 0; r < block.rows; r++) v.fill(0, r * block.cols + from, r * block.cols + from + width);
    }
  }
}

function fingerprint(space: InstanceSpace, data: MutableData): string {
  return space.blocks.map((b) => Array.from(space.values(data, b)).join(',')).join(';');
}

// ── the optimiser ──────────────────────────────────────────────────────────

/** Step size relative to each entry's standard deviation: start, bounds, and the 1/5th rule's factors. */
const SIGMA_START = 0.5;
const SIGMA_MIN = 0.01;
const SIGMA_MAX = 2;
const GROW = Math.exp(1 / 3);
const SHRINK = Math.exp(-1 / 12);

/**
 * A (1+1)-evolution strategy with the 1/5th success rule, maximising a fitness
 * over the instance space. A quarter of the proposals mirror one unit of one
 * block (`mirrorRow`: a jump between saturated corners, the step size left as
 * it was); the others perturb either one random block (half the time a
 * read-out, if the model has one) or all of them (Gaussian, scaled by each
 * entry's regime deviation). Each projects what it touched back into the regime. The caller sends back each
 * proposal's fitness (−∞ for one it could not judge); only a strict
 * improvement replaces the parent, so rounding noise on a plateau is never
 * followed. Deterministic for a given rng; it never ends (the caller stops).
 *
 * Why this optimiser: the fitness (a relative excess through norms, maxima,
 * spectral norms) is non-smooth and has no cheap gradient with respect to
 * the instance; the budget is small (tens of proposals per start); and
 * projecting one perturbed block is cheap. The success rule adapts the step
 * from coarse (escape a flat start) to fine (climb to a tight ridge).
 */
export function* evolve(
  space: InstanceSpace,
  start: InstanceData,
  startFitness: number,
  rng: Rng,
  refine?: (data: MutableData) => MutableData | null,
): Generator<MutableData, never, number> {
  let parent = space.copy(start);
  let best = startFitness;
  let sigma = SIGMA_START;
  // After the start and after every improvement, one proposal is the parent refined (the caller's
  // solve of the read-out, say), if that proposes anything.
  let refineNext = refine !== undefined;
  // With a refinement (the read-out solved), a step that moves only a read-out would be undone by it.
  const blocks = refine ? space.blocks.filter((b) => !space.readouts.includes(b)) : space.blocks;
  // Otherwise half of the one-block steps go to a read-out, when there is one (see InstanceSpace.readouts).
  const readouts = refine ? [] : space.readouts;
  const oneBlock = (): Block =>
    readouts.length && rng.uniform() < 0.5
      ? readouts[rng.int(0, readouts.length - 1)]!
      : blocks[rng.int(0, blocks.length - 1)]!;
  for (;;) {
    if (refineNext) {
      refineNext = false;
      const refined = refine!(parent);
      if (refined) {
        const fitness: number = yield refined;
        if (fitness > best) [parent, best] = [refined, fitness];
        continue;
      }
    }
    const child = space.copy(parent);
    // Some proposals mirror one unit instead of taking a Gaussian step (see `mirrorRow`): a jump
    // between the corners where that unit's gates are open or shut, which small steps do not make.
    const mirror = rng.uniform() < MIRROR_SHARE;
    let ok = true;
    if (mirror) {
      const b = blocks[rng.int(0, blocks.length - 1)]!;
      ok = mirrorRow(space, child, b, rng.int(0, b.rows - 1));
    } else
      for (const b of rng.uniform() < 0.5 ? [oneBlock()] : blocks) {
        const v = space.values(child, b);
        for (let i = 0; i < v.length; i++) v[i]! += sigma * b.law.std * rng.normal();
        ok &&= space.project(child, b);
      }
    const proposal = ok ? (refine?.(child) ?? child) : child;
    const fitness = ok ? yield proposal : -Infinity;
    if (fitness > best) {
      [parent, best] = [proposal, fitness];
      if (!mirror) sigma = Math.min(SIGMA_MAX, sigma * GROW);
      refineNext = refine !== undefined;
    } else if (!mirror) sigma = Math.max(SIGMA_MIN, sigma * SHRINK);
  }
}

/** The share of the strategy's proposals that mirror one unit (`mirrorRow`) rather than take a Gaussian step. */
const MIRROR_SHARE = 0.25;

/**
 * Mirrors row `row` of a block about its law's mean, in place, and projects the block: one unit's
 * incoming weights (a matrix row), or one entry of a bias, input or initial state. Where the
 * pre-activations are large (saturated drives) this moves that unit's gate from one saturated corner to
 * the other and leaves every other unit as it was; the search then reaches per-unit patterns (one unit's
 * forget and input gates shut while the next one's are open) that the constructions, which treat every
 * unit alike, and the Gaussian steps, which move every unit a little, do not. Stays in the regime: a
 * recurrent matrix's mean is 0, and negating a row keeps its singular values.
 */
function mirrorRow(space: InstanceSpace, data: MutableData, b: Block, row: number): boolean {
  const v = space.values(data, b);
  for (let j = row * b.cols; j < (row + 1) * b.cols; j++) v[j] = 2 * b.law.mean - v[j]!;
  return space.project(data, b);
}

// ── how far an instance lies outside the regimes ───────────────────────────

/** One symbol's magnitude in an instance against the largest any regime draws. */
export interface RegimeExcess {
  readonly name: string;
  /** a recurrent matrix: its spectral norm; anything else: its largest distance from its law's mean */
  readonly measure: 'spectral-norm' | 'max-deviation';
  readonly value: number;
  /** the largest the regimes allow: the largest regime's spectral norm, or BOX times the widest spread */
  readonly regimeLimit: number;
}

/**
 * The symbols of an instance (found beyond the regimes) whose magnitudes exceed what every regime
 * allows, largest excess first: what a reader needs to see that the counterexample lies outside them.
 */
export function regimeExcesses(model: Model, sizes: IntEnv, data: InstanceData): RegimeExcess[] {
  const out: RegimeExcess[] = [];
  const beyond = new InstanceSpace(model, sizes, 'saturated', 'beyond');
  const byName = new Map<string, Block[]>();
  for (const b of beyond.blocks) byName.set(b.name, [...(byName.get(b.name) ?? []), b]);
  const copy = beyond.copy(data);
  for (const [name, blocks] of byName) {
    const b = blocks[0]!;
    const s = model.symbols.get(name)!;
    const laws = Object.values(REGIME_SPECS).flatMap((r) => entryLaw(s, b.cols, r) ?? []);
    if (b.law.spectralNorm !== null) {
      const value = spectralNorm(mat(b.rows, b.cols, beyond.values(copy, b)));
      const regimeLimit = Math.max(...laws.map((l) => l.spectralNorm ?? 0));
      if (value > regimeLimit * (1 + 1e-9)) out.push({ name, measure: 'spectral-norm', value, regimeLimit });
      continue;
    }
    // a fold, not Math.max(...entries): an input over T = 2000 steps of 128 entries overflowed the stack
    let value = -Infinity;
    for (const block of blocks)
      for (const x of beyond.values(copy, block)) value = Math.max(value, Math.abs(x - block.law.mean));
    const regimeLimit = BOX * Math.max(...laws.map((l) => l.std));
    if (value > regimeLimit * (1 + 1e-9)) out.push({ name, measure: 'max-deviation', value, regimeLimit });
  }
  return out.sort((a, b) => b.value / b.regimeLimit - a.value / a.regimeLimit);
}
