/**
 * Every pre-activation at the point where its activation is steepest, for the adversarial search's constructions
 * (./adversarial.ts): for an activation whose |f′| peaks away from 0 (src/ops/elementwise.ts steepestPoint — SiLU at
 * 2.39936, GELU at 1.41850). Every other construction puts the drives at 0 (`peak`), where tanh′ and σ′ peak; there
 * SiLU′ is ½, and a SiLU RNN's ‖∂h_T/∂h_{T−2}‖ ≤ (1.099‖W‖)², false by 0.15 % (1.09984² at W = I, every pre-activation
 * at 2.39936), was consistent at the default seed, tightest 0.9964 (a review's; test/check/steepest-constructions.test.ts,
 * numpy: test/fixtures/numpy/silu_steepest.py).
 *
 * Beyond the regimes, the recurrent matrices at the cap in two aligned shapes (a multiple of I; rank one u uᵀ along the
 * start's leading pair), the inputs at 0, each state an activation defines started at f(a*) 𝟙 (a* the maximiser), and
 * each such equation's bias set so that its pre-activation at step 1 is a* in every unit (in the equations' order, each
 * after those it may read; a fresh forward pass each). Then h_1 = f(a*) 𝟙 = h_0, so every step is the first: every
 * pre-activation is at a*, and a Jacobian product through k steps is ∏ diag(f′(a*)) W, of norm (max|f′|·‖W‖)ᵏ.
 *
 * None for a model without such an activation (a bias it adds being its lever): the constructions `peak` builds are
 * these where the maximiser is 0 — unless a state sits off 0 there (σ(0) = ½ fed back: `offCentreEquations`), where
 * these are built with every maximiser 0; no other model's search moves. Inside the regimes a bias stays within ±0.4
 * (±8 in the saturated one), too little to move a pre-activation to a* against W f(a*): none there either.
 */
import { affineEquals, affineVar } from '../ir/affine.js';
import type { Expr } from '../ir/expr.js';
import { TIME_VAR } from '../model/model.js';
import { specOf } from '../ops/index.js';
import { steepestPoint } from '../ops/elementwise.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import type { Model } from '../model/model.js';
import type { InstanceData } from './unrolled.js';
import type { Vec } from './kernel.js';
import {
  atCap,
  type Block,
  biasesOf,
  type Construction,
  fillClamped,
  identity,
  type InstanceSpace,
  type MutableData,
  peak,
  type PreActivation,
  rankOne,
  recurrent,
} from './adversarial.js';

/** An equation y[t] = f(… ± b …) whose f is steepest away from 0, and the bias that moves its pre-activation. */
interface SteepEquation {
  readonly target: string;
  readonly rule: ElementwiseRule;
  /** where |f′| is largest */
  readonly at: number;
  readonly lever: Block;
  readonly sign: 1 | -1;
}

/** An activation's argument: an intermediate of the same step (a[t] in h[t] = f(a[t])) read through its equation. */
export function argumentOf(model: Model, arg: Expr): Expr {
  if (arg.kind !== 'seq' || !affineEquals(arg.time, affineVar(TIME_VAR))) return arg;
  if (model.symbols.get(arg.name)?.role !== 'intermediate') return arg;
  return model.equations.find((q) => q.target === arg.name)?.rhs ?? arg;
}

/**
 * The model's equations whose activation is steepest away from 0 and whose argument adds a bias (one; written in the
 * argument, or in the equation of an intermediate the argument is).
 */
function steepEquations(model: Model, space: InstanceSpace): SteepEquation[] {
  return model.equations.flatMap((eq) => {
    const activation = eq.rhs.kind === 'op' ? specOf(eq.rhs).activation : undefined;
    if (eq.rhs.kind !== 'op' || !activation) return [];
    const rule = activation.rule(eq.rhs, (name) => model.functions.get(name)!.rule);
    const at = steepestPoint(rule);
    const biases = at === null ? [] : biasesOf(argumentOf(model, eq.rhs.args[0]!), space.blocks);
    return at === null || biases.length !== 1 ? [] : [{ target: eq.target, rule, at, ...biases[0]! }];
  });
}

/** The recurrent matrices' shapes: a multiple of I, and rank one along the start's leading pair. */
const SHAPES: readonly { readonly name: string; readonly shape: (rows: number, cols: number, a: Vec) => Vec }[] = [
  { name: 'recurrent at the cap ·I', shape: identity },
  { name: 'recurrent at the cap, rank-one', shape: rankOne },
];

/** An equation y[t] = f(…) of an activation: f's rule, its steepest point (0 where none is away from 0), its biases. */
export interface ActivatedEquation {
  readonly target: string;
  readonly rule: ElementwiseRule;
  readonly at: number;
  readonly biases: readonly { readonly lever: Block; readonly sign: 1 | -1 }[];
}

/** The model's equations of an activation, in the equations' order. */
export function activatedEquations(model: Model, space: InstanceSpace): ActivatedEquation[] {
  return model.equations.flatMap((eq) => {
    const activation = eq.rhs.kind === 'op' ? specOf(eq.rhs).activation : undefined;
    if (eq.rhs.kind !== 'op' || !activation) return [];
    const rule = activation.rule(eq.rhs, (name) => model.functions.get(name)!.rule);
    const biases = biasesOf(argumentOf(model, eq.rhs.args[0]!), space.blocks);
    return [{ target: eq.target, rule, at: steepestPoint(rule) ?? 0, biases }];
  });
}

/**
 * A model whose steepest points are all at 0 but that has a state some activation is not 0 at there (σ(0) = ½ feeds
 * back): `peak` starts every state at 0, and by step 2 the pre-activation that reads the state is A·½𝟙, away from the
 * peak. Two reviewed bounds false only where every step sits at the peak held on every instance the search tried: a
 * sigmoid RNN's ‖∂r_T/∂r_0‖ ≤ (0.2499999‖A‖)^T (r_0 = ½𝟙, e = −½A𝟙: r_t = ½ at every step, (¼‖A‖)^T reached; the
 * one-step bound was refuted) and a Jordan network's ‖∂y_T/∂y_{T−1}‖ ≤ 0.2499999‖V‖‖W_y‖ (y = σ(V h + c), h fed by
 * W_y y_{t−1}: y_0 = ½, b = −½W_y𝟙). So each state an activation defines starts at f(a) (a its steepest point: 0 here)
 * and every equation with a bias is centred at a (0 for tanh and σ) by it, in the equations' order: then every step is
 * the first, the drives sit at the peak throughout, and a product over k steps is ∏ diag(f′(0)) W.
 */
function offCentreEquations(model: Model, space: InstanceSpace): SteepEquation[] {
  const activated = activatedEquations(model, space);
  const offCentre = activated.some(
    (e) => e.rule.value(e.at) !== 0 && space.blocks.some((b) => b.role === 'state' && b.name === e.target),
  );
  if (!offCentre || steepEquations(model, space).length) return [];
  return activated.flatMap(({ biases, ...e }) => (biases.length === 1 ? [{ ...e, ...biases[0]! }] : []));
}

/**
 * The equations steepestConstructions centres, beyond the regimes: those whose activation is steepest away from 0, or
 * (none such) every one with a bias where a state sits off 0 at the peak (`offCentreEquations`); none otherwise, and the
 * search of every other model stays as it was.
 */
function centredEquations(model: Model, space: InstanceSpace): SteepEquation[] {
  if (space.domain !== 'beyond') return [];
  const steep = steepEquations(model, space);
  return steep.length ? steep : offCentreEquations(model, space);
}

/** How many constructions steepestConstructions builds from a start of this space: the same for every start. */
export const steepestConstructionCount = (model: Model, space: InstanceSpace): number =>
  centredEquations(model, space).length ? SHAPES.length : 0;

/**
 * The constructions from a start (beyond the regimes, for a model with an activation steepest away from 0, or with a
 * state off 0 at the peak).
 */
export function steepestConstructions(
  model: Model,
  space: InstanceSpace,
  start: InstanceData,
  pre: PreActivation,
): Construction[] {
  const equations = centredEquations(model, space);
  if (!equations.length) return [];
  const where = equations.map((e) => `${e.target} at ${e.at.toPrecision(6)}`).join(', ');
  return SHAPES.map(({ name, shape }) => {
    const data = space.copy(start);
    peak(space, data);
    recurrent(space, data, shape);
    atCap(space, data);
    for (const e of equations) {
      const state = space.blocks.find((b) => b.role === 'state' && b.name === e.target);
      if (state) fillClamped(space, data, state, e.rule.value(e.at));
    }
    centre(space, data, pre, equations);
    return {
      name: `every pre-activation where f′ is largest (${where}), ${name}`,
      data: space.projected(data) ?? space.copy(start),
    };
  });
}

/**
 * Each equation's bias set so that its pre-activation at step 1 is `at` (a number for every unit, or one per unit), in
 * the equations' order (a fresh forward pass each).
 */
export function centre(
  space: InstanceSpace,
  data: MutableData,
  pre: PreActivation,
  equations: readonly {
    readonly target: string;
    readonly lever: Block;
    readonly sign: 1 | -1;
    readonly at: number | Vec;
  }[],
): void {
  for (const e of equations) {
    const z = pre(data, e.target, 1);
    const lever = space.values(data, e.lever);
    if (!z || z.length !== lever.length) continue;
    for (let i = 0; i < z.length; i++) lever[i]! -= e.sign * (z[i]! - (typeof e.at === 'number' ? e.at : e.at[i]!));
  }
}
