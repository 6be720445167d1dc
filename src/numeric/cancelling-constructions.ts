/**
 * A product of Jacobians that cancels, for the adversarial search's constructions (./adversarial.ts): each factor
 * diag(f′(z)) W is large, the spectral radius of W is not small, and yet the product over two steps is 0. With
 * W = u vᵀ rank one, D W D W = D u (vᵀ D u) vᵀ, which vanishes where vᵀ D u = 0 while ρ(W) = vᵀu is not 0: that takes
 * a D whose entries differ, so one unit off the activation's peak and the others at it. A review's (review149)
 * `‖∂h_T/∂h_0‖ ≥ ρ(W)^T ∏_i min(1 − h_i²)` of a tanh RNN, false by a factor of 200 on such instances, was consistent at
 * the default seed (random instances found it at seeds 1 and 2); every other construction puts every unit at the same
 * point of the activation (D a multiple of I) or shapes W from its own singular pairs, never against D.
 *
 * So, beyond the regimes (a bias moves a pre-activation by 1.5 against W h only there), for each state y[t] = f(W y[t−1]
 * + … + b) whose recurrent matrix W is square over it (d ≥ 2): the pre-activations z* = (OFF_PEAK, 0, …, 0), W = u vᵀ
 * at the cap with u = (1, 1, 0, …)/√2 and v ∝ (f′(0), −f′(OFF_PEAK), 0, …) (so vᵀ D u = 0 for D = diag(f′(z*))), the
 * state started at f(z*), the inputs at 0 and the bias solving the pre-activation at step 1 to z*: then every step is
 * the first, and the Jacobian from step t to any step two or more later is 0.
 *
 * Nothing here knows a claim: src/check/search.ts evaluates it beside each path of a claim that bounds a derivative
 * from below, where a product that cancels is what refutes it; no other claim's search moves.
 */
import type { Vec } from './kernel.js';
import type { InstanceData } from './unrolled.js';
import type { Model } from '../model/model.js';
import { atCap, type Block, type Construction, type InstanceSpace, peak, type PreActivation } from './adversarial.js';
import { type ActivatedEquation, activatedEquations, centre } from './steepest-constructions.js';

/** Where the unit off the peak sits: tanh′ is 0.18 there (1 at 0), σ′ 0.15 (¼ at 0). */
const OFF_PEAK = 1.5;

interface CancellingEquation extends ActivatedEquation {
  readonly state: Block;
  readonly matrix: Block;
  readonly lever: Block;
  readonly sign: 1 | -1;
}

/**
 * The states the construction shapes: an activation's equation with one bias, its target a state of d ≥ 2 units, its
 * argument reading one recurrent matrix, d × d, and f′ at OFF_PEAK unlike f′ at 0 (no cancellation for the identity).
 */
function cancellingEquations(model: Model, space: InstanceSpace): CancellingEquation[] {
  if (space.domain !== 'beyond') return [];
  return activatedEquations(model, space).flatMap((e) => {
    const state = space.blocks.find((b) => b.role === 'state' && b.name === e.target);
    const gate = space.gates.find((g) => g.target === e.target && g.input === null);
    const matrices = gate ? space.blocks.filter((b) => b.law.spectralNorm !== null && gate.recurrent.has(b.name)) : [];
    const matrix = matrices[0];
    if (!state || e.biases.length !== 1 || matrices.length !== 1 || !matrix) return [];
    const d = state.rows * state.cols;
    const [peakSlope, offSlope] = [slope(e, 0), slope(e, OFF_PEAK)];
    const square = matrix.rows === d && matrix.cols === d;
    if (d < 2 || !square || !(Math.abs(peakSlope - offSlope) > 1e-3 * Math.abs(peakSlope))) return [];
    return [{ ...e, state, matrix, ...e.biases[0]! }];
  });
}

const slope = (e: ActivatedEquation, x: number): number => e.rule.derivative(x, e.rule.value(x));

/** How many cancelling constructions a start of this space has: the same for every start. */
export const cancellingConstructionCount = (model: Model, space: InstanceSpace): number =>
  cancellingEquations(model, space).length ? 1 : 0;

/** The construction from a start (beyond the regimes, for a model with such a state), projected. */
export function cancellingConstructions(
  model: Model,
  space: InstanceSpace,
  start: InstanceData,
  pre: PreActivation,
): Construction[] {
  const equations = cancellingEquations(model, space);
  if (!equations.length) return [];
  const data = space.copy(start);
  peak(space, data);
  const targets = new Map<CancellingEquation, Vec>();
  for (const e of equations) {
    const d = e.state.rows * e.state.cols;
    const [p, q] = [slope(e, 0), slope(e, OFF_PEAK)];
    const u = Float64Array.from({ length: d }, (_, i) => (i < 2 ? Math.SQRT1_2 : 0));
    const size = Math.hypot(p, q);
    const v = Float64Array.from({ length: d }, (_, i) => (i === 0 ? p / size : i === 1 ? -q / size : 0));
    space.values(data, e.matrix).set(Float64Array.from({ length: d * d }, (_, k) => u[Math.floor(k / d)]! * v[k % d]!));
    const z = Float64Array.from({ length: d }, (_, i) => (i === 0 ? OFF_PEAK : 0));
    targets.set(e, z);
  }
  atCap(space, data);
  for (const e of equations) space.values(data, e.state).set(targets.get(e)!.map((x) => e.rule.value(x)));
  centre(
    space,
    data,
    pre,
    equations.map((e) => ({ ...e, at: targets.get(e)! })),
  );
  const where = equations.map((e) => `${e.target}`).join(', ');
  return [
    {
      name: `a product of Jacobians that cancels (${where}: one unit at ${OFF_PEAK}, the others at 0, the recurrent matrix u vᵀ with vᵀ D u = 0)`,
      data: space.projected(data) ?? space.copy(start),
    },
  ];
}
