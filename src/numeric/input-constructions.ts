/**
 * Inputs whose drive is cancelled, for the adversarial search's constructions (./adversarial.ts): a nonzero input x_t
 * while the pre-activation it feeds is 0. Every other construction either drives the units (inputs large, gates
 * saturated) or centres them with the inputs at 0 (`peak`); a bound on an input-weight gradient is tightest where both
 * hold at once — ∇_U L = Σ_t diag(1 − h_t²) δ_t x_tᵀ is largest against Σ_t ‖δ_t‖‖x_t‖ where every h_t = 0 and x_t ≠ 0 —
 * and such bounds, 1 % to 17 % too small, held on every instance the search tried (a review's fourteen):
 *
 *  - ‖∇_U L‖_F ≤ 0.99 Σ_t ‖∇_{h_t}L‖‖x_t‖ (1 is due), false at b = −U x with x the same at every step: h_t = 0;
 *  - ‖∇_U L‖_F ≤ ½‖c‖ Σ_t ‖x_t‖ given ‖W‖ ≤ ½, L = (1/T) Σ_t c·h_t, false at T = 3 only where the input comes at step 1
 *    alone, W = ½I, and h_0 = −W⁻¹U x_1 cancels it (h_1 = h_2 = h_3 = 0): δ_1 = (1 + ½ + ¼)c/3 against ½c.
 *
 * So, for a model whose gates add input weights times an input beside a bias: the drives at the peak, each multiplier of
 * a state (IndRNN's u ⊙ h_{t−1}) a positive constant, each recurrent matrix a multiple of I (so that the backward terms
 * δ_t line up, as the bounds' Σ_t ‖δ_t‖ needs), and either
 *  - the inputs one unit vector at every step, every gate centred at step 1 by its bias (the states then stay at 0:
 *    every step is the first), with the recurrent matrices a multiple of I or, beyond the regimes, shrunk; or
 *  - the input at step 1 alone, every bias 0, and the initial states solved so that each tanh-like gate the input
 *    drives is centred at step 1 (after which nothing drives the units and they stay at 0).
 * Each input's size is the largest (up to its box's edge) at which the biases or initial states that cancel it stay in
 * their boxes (the bounds read ‖x_t‖ linearly: the ratio does not depend on it).
 *
 * Nothing here knows a claim: src/check/search.ts evaluates these beside each path of a claim that reads the inputs or
 * their weights (inputDriveNames), where elsewhere they are `peak` again.
 */
import type { Vec } from './kernel.js';
import type { InstanceData } from './unrolled.js';
import {
  type Adjust,
  atCap,
  type Block,
  type Construction,
  fillClamped,
  type Gate,
  identity,
  type InstanceSpace,
  isolate,
  type MutableData,
  peak,
  type PreActivation,
  recurrent,
} from './adversarial.js';

/** The gates with a bias whose argument adds input weights times an input: the drives the constructions cancel. */
const drivenGates = (space: InstanceSpace): Gate[] =>
  space.gates.filter((g) => g.input === null && g.inputWeights.length > 0);

/**
 * The names of the inputs those gates read and of their input weights: a claim that reads none of them (a Jacobian
 * between states, a recurrent matrix's gradient) meets these constructions only as `peak` (every h_t = 0 with x = 0).
 */
export function inputDriveNames(space: InstanceSpace): ReadonlySet<string> {
  const names = new Set<string>();
  for (const g of drivenGates(space)) for (const w of g.inputWeights) names.add(w.block.name).add(w.input.name);
  return names;
}

/** How the constructions shape the recurrent matrices: a multiple of I, or (beyond the regimes) shrunk. */
type RecurrentShape = 'identity' | 'shrunk';

/** Where the input comes: the same at every step (the biases cancel it) or at step 1 alone (the initial states do). */
type InputTiming = 'every step' | 'first step';

interface InputSpec {
  readonly name: string;
  readonly shape: RecurrentShape;
  readonly timing: InputTiming;
}

/** The constructions this model and domain have (a function of them alone: runPhase counts them per start). */
function inputSpecs(space: InstanceSpace): readonly InputSpec[] {
  const gates = drivenGates(space);
  if (!gates.length) return [];
  const hasRecurrent = space.blocks.some((b) => b.law.spectralNorm !== null);
  const specs: InputSpec[] = [
    { name: 'inputs the same at every step, cancelled by the biases', shape: 'identity', timing: 'every step' },
  ];
  // inside a regime the projection puts every recurrent matrix back at the regime's norm: no shrunk one there
  if (hasRecurrent && space.domain === 'beyond')
    specs.push({
      name: 'inputs the same at every step, cancelled by the biases, every recurrent matrix shrunk',
      shape: 'shrunk',
      timing: 'every step',
    });
  if (gates.some(isCentredAtZero) && space.blocks.some((b) => b.role === 'state'))
    specs.push({
      name: 'an input at step 1 alone, cancelled by the initial states',
      shape: 'identity',
      timing: 'first step',
    });
  return specs;
}

/** A gate whose range is symmetric about 0 (tanh): at pre-activation 0 its output is 0, and so the state it feeds. */
const isCentredAtZero = (g: Gate): boolean => g.range[0] < 0;

/** How many input constructions a start of this model has in this domain (src/check/search.ts runPhase). */
export const inputConstructionCount = (space: InstanceSpace): number => inputSpecs(space).length;

/** An input block's unit direction: the start's own, or 𝟙/√m where it is 0. */
function unitDirection(start: Vec): Vec {
  const norm = Math.hypot(...start);
  return norm > 0 && Number.isFinite(norm) ? start.map((x) => x / norm) : start.map(() => 1 / Math.sqrt(start.length));
}

/** How far a block's entries lie past its box: the largest |entry| / |edge on its side| (≤ 1: inside). */
function overshoot(space: InstanceSpace, data: MutableData, b: Block): number {
  const [lo, hi] = space.range(b);
  let worst = 0;
  for (const x of space.values(data, b)) worst = Math.max(worst, x >= 0 ? x / hi : x / lo);
  return worst;
}

/** The Newton steps that solve an initial state for a gate (exact in one where the state enters linearly). */
const NEWTON_STEPS = 3;

/** How many times an input is shrunk to bring what cancels it into its box (exact at the second where all is linear). */
const SIZE_TRIES = 4;

/** The share of the box the cancelling values are brought to when the first try overshoots. */
const INSIDE = 0.9;

/**
 * Centres each tanh-like gate the input drives at step 1 by an initial state: the state block with the gate's rows whose
 * unit shift moves its pre-activation most (its recurrent matrix's, a multiple of I here), solved row by row by Newton's
 * method with the slope measured by that shift (a multiple of I and an IndRNN's constant u make it diagonal). Returns the
 * blocks it set.
 */
function cancelByInitialStates(
  space: InstanceSpace,
  data: MutableData,
  pre: PreActivation,
  gates: readonly Gate[],
): Block[] {
  const used: Block[] = [];
  const states = space.blocks.filter((b) => b.role === 'state');
  for (const g of gates.filter(isCentredAtZero)) {
    const z0 = pre(data, g.target, 1);
    if (!z0) continue;
    let best: { block: Block; slope: Float64Array; size: number } | null = null;
    for (const s of states) {
      if (used.includes(s) || s.rows * s.cols !== z0.length) continue;
      const v = space.values(data, s);
      for (let i = 0; i < v.length; i++) v[i]! += 1;
      const z1 = pre(data, g.target, 1);
      for (let i = 0; i < v.length; i++) v[i]! -= 1;
      if (!z1) continue;
      const slope = z1.map((x, i) => x - z0[i]!);
      const size = slope.reduce((a, x) => a + Math.abs(x), 0);
      if (size > (best?.size ?? 0)) best = { block: s, slope, size };
    }
    if (!best) continue;
    used.push(best.block);
    const v = space.values(data, best.block);
    for (let step = 0; step < NEWTON_STEPS; step++) {
      const z = step === 0 ? z0 : pre(data, g.target, 1);
      if (!z) break;
      for (let i = 0; i < v.length; i++) if (Math.abs(best.slope[i]!) > 1e-12) v[i]! -= z[i]! / best.slope[i]!;
    }
  }
  return used;
}

/** Centres every gate with a bias at step 1 by it (in the equations' order, each after those it may read). */
function cancelByBiases(space: InstanceSpace, data: MutableData, pre: PreActivation): Block[] {
  const levers: Block[] = [];
  for (const g of space.gates) {
    if (g.input !== null) continue;
    const z = pre(data, g.target, 1);
    const lever = space.values(data, g.lever);
    if (!z || z.length !== lever.length) continue;
    for (let i = 0; i < z.length; i++) lever[i]! -= g.sign * z[i]!;
    levers.push(g.lever);
  }
  return levers;
}

/** Builds one input construction on `data` (the start's copy), `adjust` (a premise's edge) applied before it cancels. */
function build(
  space: InstanceSpace,
  data: MutableData,
  start: InstanceData,
  spec: InputSpec,
  pre: PreActivation,
  adjust?: Adjust,
): void {
  const gates = drivenGates(space);
  peak(space, data);
  // a state's multiplier (IndRNN's u ⊙ h_{t−1}) one positive constant, so that its powers line the δ_t up as I's do:
  // inside a regime its largest entry (a premise on it that the start meets still holds), beyond them its box's edge
  // (a premise on it then brings it to the premise's edge, where such a bound is tightest)
  for (const m of space.multipliers) {
    const v = space.values(data, m.block);
    const size = space.domain === 'beyond' ? Infinity : Math.max(...v.map(Math.abs));
    fillClamped(space, data, m.block, m.sign * (size > 0 ? size : m.block.law.std));
  }
  if (spec.shape === 'shrunk') isolate()(space, data);
  else {
    recurrent(space, data, identity);
    if (space.domain === 'beyond') atCap(space, data);
    // inside a regime, at the regime's norm now: the final projection would rescale what the cancelling reads
    else for (const b of space.blocks) if (b.law.spectralNorm !== null) space.project(data, b);
  }
  adjust?.(data);
  const inputs = [
    ...new Map(gates.flatMap((g) => g.inputWeights.map((w) => [w.input.name, w.input] as const))).values(),
  ];
  const directions = new Map(inputs.map((x) => [x.name, unitDirection(start.inputs.get(x.name)![1]!)]));
  const prepared = space.copy(data);
  let size = Math.min(...inputs.map((x) => space.range(x)[1]));
  for (let attempt = 0; attempt < SIZE_TRIES; attempt++) {
    const trial = space.copy(prepared);
    for (const b of space.blocks) {
      if (b.role !== 'input' || !directions.has(b.name)) continue;
      const on = spec.timing === 'every step' || b.time === 1;
      space.values(trial, b).set(directions.get(b.name)!.map((x) => (on ? size * x : 0)));
    }
    const set =
      spec.timing === 'every step'
        ? cancelByBiases(space, trial, pre)
        : cancelByInitialStates(space, trial, pre, gates);
    for (const b of space.blocks) space.values(data, b).set(space.values(trial, b));
    const past = Math.max(0, ...set.map((b) => overshoot(space, trial, b)));
    if (!(past > 1) || !Number.isFinite(past)) return;
    size *= INSIDE / past;
  }
}

/**
 * The input constructions from a start, in either domain, each projected (one that cannot be is the start's copy, so
 * that every start yields inputConstructionCount of them), with `rebuild` for a premise's edge (the cancelling done at
 * the edge's values). The search evaluates them beside each path, after the head constructions.
 */
export function inputConstructions(space: InstanceSpace, start: InstanceData, pre: PreActivation): Construction[] {
  return inputSpecs(space).map((spec) => {
    const built = (adjust?: Adjust): MutableData => {
      const data = space.copy(start);
      build(space, data, start, spec, pre, adjust);
      return space.projected(data) ?? space.copy(start);
    };
    return { name: spec.name, data: built(), rebuild: built };
  });
}
