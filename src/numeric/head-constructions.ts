/**
 * Output heads and targets, for the adversarial search's constructions (./adversarial.ts): a model whose loss reads a
 * head — a parameter matrix applied to the states (y_t = V h_t, a_t = V h_t + c) — and target-like inputs (inputs no
 * state reads: yt_t in ½‖V h_t − yt_t‖², the labels y_t of a softmax cross-entropy). Every other construction sets the
 * inputs, targets among them, to 0 or leaves them random, and the head as it was drawn; a bound that is tight only where
 * the recurrent matrix, the head and the targets line up held on every instance the search tried (a review's):
 *
 *  - ‖∇_{h_{T−1}}L‖ ≤ ‖V‖‖e_{T−1}‖ + 0.999‖V‖‖e_T‖ (e_t = V h_t − yt_t, ‖W‖₂ = 1 is due), false at W = u uᵀ, V = uᵀ,
 *    b = x = h_0 = 0 and targets −0.1, −1 (1.1 against 1.099); with 0.9‖W‖ for the second factor under two seeds of three;
 *  - ‖∇_{h_T}L‖ ≤ 0.9‖V‖(|Σy_T| + ‖y_T‖) of a softmax cross-entropy head (1 is due), false at labels y_T = (1, −1),
 *    whose sum is 0 (∇_{a_T}L = p Σy − y = −y for every p), along V's leading left singular vector.
 *
 * So, for such a model, each recurrent matrix rank-one along one direction u (u uᵀ), the drives at the tanh and σ peak
 * (the states then stay at 0, every step's Jacobian is W), each head w uᵀ (unit norm: u to one output direction w, the
 * ±1 pattern whose sum is 0), and the targets along w: −w at the last step and 0.1 of w, with either sign, at the others
 * (paths that add up, and paths that cancel); and the same along the first unit, with the states there and the targets at 0
 * (`alongFirstUnit`). Three constructions, only for a model with a head and a target: each costs an evaluation on every
 * bound claim of such a model.
 *
 * Nothing here knows a claim or a model's name: a head is found by its form (a product P h[·] of a parameter that no
 * equation feeding a state reads, h a state) and a target by what reads it.
 */
import { isOp, walk, type Expr } from '../ir/expr.js';
import type { Model } from '../model/model.js';
import type { Vec } from './kernel.js';
import type { InstanceData } from './unrolled.js';
import {
  type Adjust,
  atCap,
  type Block,
  type Construction,
  type ConstructionSpec,
  fillClamped,
  type InstanceSpace,
  type MutableData,
  peak,
  rankOne,
  recurrent,
  topSingularPair,
} from './adversarial.js';

/** A model's output heads (parameter blocks applied to states outside the recurrence) and its targets' blocks. */
export interface OutputHeads {
  /** the heads' blocks (a matrix P in P h[·]) */
  readonly heads: readonly Block[];
  /** every step's block of each target-like input (an input no state reads, read by the loss or an equation beside it) */
  readonly targets: readonly Block[];
}

/** The names of the symbols and sequences an expression reads. */
function namesIn(e: Expr, into: Set<string>): Set<string> {
  walk(e, (x) => (x.kind === 'sym' || x.kind === 'seq') && into.add(x.name));
  return into;
}

/**
 * The heads and targets of a model among the search's blocks. The equations that feed a state are the states' own and,
 * through them, every equation whose sequence one of those reads; the rest (an output y_t, a softmax, a per-step loss)
 * and the loss read the states from outside the recurrence. A target is an input only those read; a head a parameter
 * (no recurrent matrix) only those read, as the left factor of a product with a state.
 */
export function outputHeadsOf(model: Model, blocks: readonly Block[]): OutputHeads {
  const states = new Set([...model.symbols.values()].filter((s) => s.role === 'state').map((s) => s.name));
  const feeding = new Set(states);
  for (let changed = true; changed;) {
    changed = false;
    for (const eq of model.equations) {
      if (!feeding.has(eq.target)) continue;
      for (const name of namesIn(eq.rhs, new Set()))
        if (model.symbols.get(name)?.role === 'intermediate' && !feeding.has(name)) {
          feeding.add(name);
          changed = true;
        }
    }
  }
  const inside = new Set<string>();
  const outside: Expr[] = [];
  for (const eq of model.equations) {
    if (feeding.has(eq.target)) namesIn(eq.rhs, inside);
    else outside.push(eq.rhs);
  }
  if (model.loss) outside.push(model.loss.rhs);
  const readOutside = new Set<string>();
  for (const e of outside) namesIn(e, readOutside);
  const headNames = new Set<string>();
  for (const e of outside)
    walk(e, (x) => {
      if (!isOp(x, 'mul') || x.args.length !== 2) return;
      const [p, h] = x.args as [Expr, Expr];
      if (p.kind === 'sym' && h.kind === 'seq' && states.has(h.name) && !inside.has(p.name)) headNames.add(p.name);
    });
  const heads = blocks.filter(
    (b) => b.role === 'parameter' && b.law.spectralNorm === null && b.cols > 1 && headNames.has(b.name),
  );
  const targets = blocks.filter((b) => b.role === 'input' && !inside.has(b.name) && readOutside.has(b.name));
  return heads.length && targets.length ? { heads, targets } : { heads: [], targets: [] };
}

/** The ±1 pattern of length n whose sum is 0 (an odd last entry 0; n = 1: 1). */
function zeroSumPattern(n: number): Float64Array {
  if (n === 1) return Float64Array.of(1);
  return Float64Array.from({ length: n }, (_, i) => (i < 2 * Math.floor(n / 2) ? (i % 2 ? -1 : 1) : 0));
}

/** The targets' size before the last step, relative to the last step's: one step's target 10× another's. */
const EARLIER_TARGETS = 0.1;

/**
 * The alignment: drives at the peak, recurrent matrices u uᵀ, each head w uᵀ (unit spectral norm, w the zero-sum
 * pattern normalised, u the leading direction of the first square recurrent matrix on the head's states, else the
 * head's own), each target −pattern at the last step and `earlier` × pattern before it.
 */
function aligned(space: InstanceSpace, data: MutableData, found: OutputHeads, earlier: number): void {
  peak(space, data);
  recurrent(space, data, rankOne);
  for (const head of found.heads) {
    const square = space.blocks.find(
      (b) => b.law.spectralNorm !== null && b.rows === head.cols && b.cols === head.cols,
    );
    const u = square
      ? topSingularPair(square.rows, square.cols, space.values(data, square)).u
      : topSingularPair(head.rows, head.cols, space.values(data, head)).v;
    const w = zeroSumPattern(head.rows);
    const scale = Math.hypot(...w);
    space
      .values(data, head)
      .set(
        Float64Array.from(
          { length: head.rows * head.cols },
          (_, k) => (w[Math.floor(k / head.cols)]! / scale) * u[k % head.cols]!,
        ),
      );
  }
  for (const target of found.targets) {
    const size = target.time === space.horizon ? -1 : earlier;
    space.values(data, target).set(zeroSumPattern(target.rows * target.cols).map((x) => size * x));
  }
  if (space.domain === 'beyond') atCap(space, data);
}

/** Where the axis construction puts the initial states along the first unit (the regimes' spread of an initial state). */
const AXIS_STATE = 0.5;

/** e₁e₁ᵀ: the first unit feeds itself alone. */
const firstUnit = (rows: number, cols: number): Vec =>
  Float64Array.from({ length: rows * cols }, (_, k) => (k === 0 ? 1 : 0));

/**
 * The alignment along the first unit: drives and targets at 0, recurrent matrices e₁e₁ᵀ, each head e₁e₁ᵀ (the first
 * state unit to the first output), the initial states at AXIS_STATE e₁. Every state then lies along e₁ (h_t =
 * tanh(s h_{t−1,1}) e₁) and every error e_t = V h_t along e₁ in proportion to h_{t,1}: where a bound through the largest
 * entry (normMax) meets Cauchy–Schwarz over the steps, both are equalities — a repair normMax(∇_V L) ≤
 * 0.99 √(Σ‖e_t‖²) √(Σ‖h_t‖²) was offered as holding (a review's), which the directions above (u from W's leading
 * pair, w the ±1 pattern, the states at 0) cannot reach.
 */
function alongFirstUnit(space: InstanceSpace, data: MutableData, found: OutputHeads): void {
  peak(space, data);
  recurrent(space, data, firstUnit);
  for (const head of found.heads) space.values(data, head).set(firstUnit(head.rows, head.cols));
  for (const b of space.blocks) if (b.role === 'state') space.values(data, b).fill(0)[0] = AXIS_STATE;
  if (space.domain === 'beyond') atCap(space, data);
}

/**
 * The states saturated, every step's targets the zero-sum pattern: each bias at the high end of its box and the initial
 * states at +1 (a state then runs to 1 or stays there: tanh of a large drive, a GRU whose update gate keeps h_0), each
 * head w uᵀ along u = 𝟙/√d, and every target the pattern at every step. Then ∇_{a_t}L = p Σy − y = −y whatever p, and
 * ∇_V L = −Σ_t y_t h_tᵀ is T‖y‖‖h‖, the most the triangle inequality allows: a GRU softmax head's
 * ‖∇_V L‖_F ≤ 0.9√d Σ_t(|Σy_t| + ‖y_t‖) given ‖h_0‖_max ≤ 1 (1 is due) held at two seeds of three (review162), where
 * the other constructions put the states at 0 (the drives at the peak) or leave them random.
 */
function saturatedStates(space: InstanceSpace, data: MutableData, found: OutputHeads): void {
  peak(space, data);
  for (const b of space.blocks)
    if (b.init === 'bias' || b.init === 'forget-bias') fillClamped(space, data, b, Infinity);
    else if (b.role === 'state') fillClamped(space, data, b, 1);
  for (const head of found.heads) {
    const w = zeroSumPattern(head.rows);
    const scale = Math.hypot(...w) * Math.sqrt(head.cols);
    space
      .values(data, head)
      .set(Float64Array.from({ length: head.rows * head.cols }, (_, k) => w[Math.floor(k / head.cols)]! / scale));
  }
  for (const target of found.targets) space.values(data, target).set(zeroSumPattern(target.rows * target.cols));
  if (space.domain === 'beyond') atCap(space, data);
}

/** The head constructions' specifications for a model with an output head and targets; none otherwise. */
function headSpecs(model: Model, space: InstanceSpace): readonly ConstructionSpec[] {
  const found = outputHeadsOf(model, space.blocks);
  if (!found.heads.length) return [];
  return [
    { name: 'peak, rank-one, head and targets aligned', build: (s, d) => aligned(s, d, found, -EARLIER_TARGETS) },
    {
      name: 'peak, rank-one, head and targets aligned, the earlier targets of the other sign',
      build: (s, d) => aligned(s, d, found, EARLIER_TARGETS),
    },
    { name: 'peak, head and states along the first unit, targets at 0', build: (s, d) => alongFirstUnit(s, d, found) },
    {
      name: 'states saturated at +1, head along them, every target the zero-sum pattern',
      build: (s, d) => saturatedStates(s, d, found),
    },
  ];
}

/** How many head constructions a start of this model has: the same for every start (src/check/search.ts runPhase). */
export const headConstructionCount = (model: Model, space: InstanceSpace): number => headSpecs(model, space).length;

/**
 * The head constructions from a start, in either domain, each projected (one that cannot be is the start's copy, so
 * that every start yields headConstructionCount of them). The search evaluates them beside each path, as it does the
 * isolating constructions (src/check/search.ts searchFrom): on top of its budget, and not as a place the path climbs
 * from. In the path's list they took evaluations from the strategy, and a false bound it refuted with them was
 * consistent (‖∇_W L‖ ≤ Σ_t ‖∇_{h_t}L‖ given ‖h_0‖_max ≤ 1, at the default seed).
 */
export function headConstructions(model: Model, space: InstanceSpace, start: InstanceData): Construction[] {
  return headSpecs(model, space).map((c) => {
    const built = (adjust?: Adjust): MutableData => {
      const data = space.copy(start);
      c.build(space, data);
      adjust?.(data);
      return space.projected(data) ?? space.copy(start);
    };
    return { name: c.name, data: built(), rebuild: built };
  });
}
