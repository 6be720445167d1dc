/**
 * Premises (`given: norm2(W) < 1 and …`): a claim is checked on instances where
 * every condition holds. An instance that violates the premise is moved toward
 * it (the parameters the premise reads rescaled, then a few steps of a (1+1)
 * evolution strategy on the total violation) and, failing that, redrawn with a
 * fresh seed. Every step is seeded by the instance's own seed, so `--instance j`
 * replays exactly the instance the run used. Nothing here decides a verdict: the
 * counts go into the evidence, and no satisfying instance means no point.
 */
import type { Claim, Condition, Premise } from '../derivation/derivation.js';
import { type Affine, affineEquals, type IntEnv } from '../ir/affine.js';
import { type Expr, isOp, walk } from '../ir/expr.js';
import type { Model } from '../model/model.js';
import { type Adjust, GATE_END } from '../numeric/adversarial.js';
import { Evaluator } from '../numeric/evaluate.js';
import { buildInstance, type Instance } from '../numeric/instance.js';
import { deriveSeed, Rng } from '../numeric/prng.js';
import { Unrolled, type InstanceData } from '../numeric/unrolled.js';
import { asDense } from '../numeric/values.js';
import type { InstancePool } from './check-claim.js';

/** How a satisfying instance was reached. */
export type PremiseRoute = 'as-drawn' | 'rescaled' | 'searched';

export interface InstanceEntry {
  readonly instance: Instance;
  readonly evaluator: Evaluator;
}

export interface PremiseDraw {
  /** null: no satisfying instance for this index within the search budget */
  readonly entry: InstanceEntry | null;
  readonly route: PremiseRoute | null;
  /** instances drawn for this index (1 + redraws) */
  readonly draws: number;
}

/** Fresh draws per instance index, and evolution-strategy steps per draw. */
export const PREMISE_BUDGET = { draws: 4, searchSteps: 60 } as const;
/** Scale factors tried on the premise's parameters, nearest to 1 first. */
const SCALES = [0.9, 1.1, 0.75, 1.33, 0.5, 2, 0.25, 4, 0.1, 10, 0.01, 100];
/** Halvings of the interval between a scale that meets the premise and one that does not (its edge to 2⁻²⁰ of it). */
const EDGE_BISECTIONS = 20;

/** The instance's scalars on each side of a condition; NaN when a side is not a finite scalar. */
function sides(evaluator: Evaluator, c: Condition, sizes: IntEnv): [number, number] {
  const value = (e: Condition['lhs']) => {
    const v = asDense(evaluator.evaluate(e, sizes));
    return v.data.length === 1 && Number.isFinite(v.data[0]!) ? v.data[0]! : NaN;
  };
  return [value(c.lhs), value(c.rhs)];
}

function conditionHolds(c: Condition, a: number, b: number): boolean {
  switch (c.relation) {
    case '<':
      return strictlyApart(a, b);
    case '<=':
      return a <= b;
    case '>':
      return strictlyApart(b, a);
    case '>=':
      return a >= b;
  }
}

/**
 * A strict condition a < b holds where b exceeds a by more than float64's rounding of the two may account for: a
 * strict premise is written to keep the instance off its edge, and a claim read there may divide by the difference.
 * `sum_k ‖∂h_T/∂h_{T−k}‖ ≤ 1/(1 − ‖W‖)` given `‖W‖ < 1`, true, came out unverifiable on a saturated instance drawn at
 * ‖W‖ = 1, which float64's SVD puts one unit of roundoff below 1: the decimals, with ‖W‖ known to float64's precision,
 * could not tell 1 − ‖W‖ from 0 or below (a review's, review149). Non-strict conditions keep their edge.
 */
const STRICT_MARGIN = 2 ** -40;
const strictlyApart = (a: number, b: number): boolean => b - a > STRICT_MARGIN * Math.max(Math.abs(a), Math.abs(b));

/** Whether the premise holds, and by how much it is violated (0 when it holds; Infinity where a side is not finite). */
export function premiseViolation(evaluator: Evaluator, premise: Premise, sizes: IntEnv): number {
  let total = 0;
  for (const c of premise.conditions) {
    const [a, b] = sides(evaluator, c, sizes);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
    if (conditionHolds(c, a, b)) continue;
    // The gap, plus a margin so that the search steps strictly inside (a < b is not met at a = b).
    const gap = c.relation === '<' || c.relation === '<=' ? a - b : b - a;
    total += gap + 1e-9 * (1 + Math.abs(a) + Math.abs(b));
  }
  return total;
}

/** premiseViolation on an instance; Infinity where the premise cannot be evaluated there. */
function premiseViolationAt(entry: InstanceEntry, premise: Premise): number {
  try {
    return premiseViolation(entry.evaluator, premise, entry.instance.sizes);
  } catch {
    return Infinity; // e.g. inv of a singular matrix: this instance cannot satisfy it
  }
}

/** Whether the premise holds on an instance (the adversarial search's proposals: src/check/search.ts). */
export function premiseHolds(entry: InstanceEntry, premise: Premise): boolean {
  return premiseViolationAt(entry, premise) === 0;
}

/** The leaves the premise reads and a search may move: its parameters, inputs and initial states (else every parameter). */
function searchLeaves(model: Model, premise: Premise): { params: string[]; inputs: string[]; initial: string[] } {
  const params = new Set<string>();
  const inputs = new Set<string>();
  const initial = new Set<string>();
  let computed = false;
  for (const c of premise.conditions)
    for (const side of [c.lhs, c.rhs])
      walk(side, (e) => {
        if (e.kind === 'sym' && model.symbols.get(e.name)?.role === 'parameter') params.add(e.name);
        if (e.kind !== 'seq') return;
        const role = model.symbols.get(e.name)?.role;
        if (role === 'input') inputs.add(e.name);
        else if (role === 'state' && Object.keys(e.time.terms).length === 0 && e.time.c === 0) initial.add(e.name);
        else computed = true;
      });
  // A premise on computed values (h[T], a gate) moves with every parameter.
  if (computed || params.size + inputs.size + initial.size === 0)
    for (const s of model.symbols.values()) if (s.role === 'parameter') params.add(s.name);
  // A value an assumption fixes (`assume: { identity: [W] }`) is no part of what moves: scaled, W = I became 1.5·I and
  // `norm2(W) <= 1` under it was refuted (a review's; the adversarial search's space leaves them out alike).
  const free = (name: string) => !model.fixed?.has(name);
  return { params: [...params].filter(free), inputs: [...inputs], initial: [...initial].filter(free) };
}

/**
 * The parameters the premise bounds entrywise: a condition `normMax(P) <= c` (or `<`; |P_ij| ≤ c), or
 * `normMin(P) >= c` (or `>`, or of abs(P); |P_ij| ≥ c), either way round, with P a parameter no assumption fixes and c
 * reading no value of the model (a constant, a size). Such a premise's extreme matrices have every entry at ±c, where
 * ‖P‖₂ reaches c·√(rows·cols) in a rank-one sign pattern; scaling an instance to the premise's edge keeps whatever
 * structure it had, and `‖∂h_T/∂h_{T−1}‖ ≤ 0.1·d − 0.01` given `normMax(W) <= 0.1`, false at W = 0.1·𝟙𝟙ᵀ with the
 * drives at 0 (0.2 against 0.19 at d = 2), was consistent under three seeds (a review's). The search tries those
 * matrices (src/check/search.ts, src/numeric/adversarial.ts entrywiseAtCap).
 */
export function entrywiseBounded(model: Model, premise: Premise): string[] {
  const readsModel = (e: Expr): boolean => {
    let reads = false;
    walk(e, (x) => {
      if (x.kind === 'seq' || (x.kind === 'sym' && model.symbols.has(x.name))) reads = true;
    });
    return reads;
  };
  /** P where e is `norm(P)` or `norm(abs(P))` of that norm, P a free parameter; else null */
  const bounded = (e: Expr, norm: 'normMax' | 'normMin'): string | null => {
    if (!isOp(e, norm) || e.args.length !== 1) return null;
    let inner = e.args[0]!;
    if (isOp(inner, 'abs') && inner.args.length === 1) inner = inner.args[0]!;
    if (inner.kind !== 'sym' || model.symbols.get(inner.name)?.role !== 'parameter') return null;
    return model.fixed?.has(inner.name) ? null : inner.name;
  };
  const names = new Set<string>();
  for (const c of premise.conditions) {
    // `a <= b` as `b >= a`: the capped side on the left, the relation read from it
    const upper = c.relation === '<' || c.relation === '<=';
    for (const [side, other, below] of [
      [c.lhs, c.rhs, upper],
      [c.rhs, c.lhs, !upper],
    ] as const) {
      if (readsModel(other)) continue;
      const name = bounded(side, below ? 'normMax' : 'normMin');
      if (name) names.add(name);
    }
  }
  return [...names];
}

function withData(instance: Instance, data: InstanceData): InstanceEntry {
  const graph = new Unrolled(instance.graph.model, instance.graph.program, data);
  const moved: Instance = { ...instance, graph };
  return { instance: moved, evaluator: new Evaluator(graph, instance.sizes) };
}

/** The instance with the leaves `moved` (parameters, inputs at every step, initial states) multiplied by s (a function of s). */
function scaledBy(base: InstanceEntry, moved: ReturnType<typeof searchLeaves>): (s: number) => InstanceEntry {
  const { data } = base.instance.graph;
  const parts = movable(data, moved);
  return (s) =>
    withData(
      base.instance,
      rebuild(
        data,
        moved,
        parts.map((p) => p.map((x) => x * s)),
      ),
    );
}

/**
 * The premise's edge between a scale where it holds (`inside`, its instance `insideEntry`) and one where it does not,
 * by EDGE_BISECTIONS halvings: the last scale found inside, and its instance.
 */
function edgeBetween(
  scaled: (s: number) => InstanceEntry,
  holds: (e: InstanceEntry) => boolean,
  inside: number,
  insideEntry: InstanceEntry,
  outside: number,
): [number, InstanceEntry] {
  let out = outside;
  for (let i = 0; i < EDGE_BISECTIONS; i++) {
    const mid = (inside + out) / 2;
    const midEntry = scaled(mid);
    if (holds(midEntry)) [inside, insideEntry] = [mid, midEntry];
    else out = mid;
  }
  return [inside, insideEntry];
}

/** Doublings (and halvings) of the scale tried, at most, for the premise's edge (2^±30: any norm within reach). */
const EDGE_DOUBLINGS = 30;
/**
 * Steps a doubling is cut into when the instance is outside the premise (a band narrower than a step is found by the
 * violation it leaves on the way: insideBracket).
 */
const EDGE_STEPS_PER_DOUBLING = 4;

/**
 * The instance moved to the edges of the premise by scaling what it reads together (its parameters, inputs and initial
 * states; every parameter for a premise on computed values, as the sampler's search moves them; never a value an
 * assumption fixes), from the side where it holds. Where it holds already: pushed up to where it would stop holding
 * (doubling, then bisecting the last step), and down likewise (halving) — both edges of `a < ‖W‖ < b`; where it does
 * not: drawn in, in steps of 2^(±1/4), to the first scale where it holds, and that step bisected — one edge (a band
 * stepped over in one step, where the violation fell and rose again, is found in between: insideBracket). A bound
 * stated under a premise is often tightest at its edge (`norm2(W) <= 1` given `norm2(W) < 1.05` is false only for
 * ‖W‖₂ in (1, 1.05), which neither the regimes' norms nor the search's cap reach). Empty where no scale tried moves
 * across an edge (a premise that scaling does not change, or one that holds at every scale). For the adversarial
 * search beyond the regimes (src/check/search.ts): each start, and each construction outside the premise — an isolating
 * one built again at each scale (`rebuild`), so that the gates it centres stay centred.
 */
export function premiseEdges(
  entry: InstanceEntry,
  premise: Premise,
  model: Model,
  rebuild?: (adjust: (data: InstanceData) => void) => InstanceData,
): InstanceEntry[] {
  const leaves = searchLeaves(model, premise);
  // nothing to scale (every value it reads fixed by an assumption): no scale moves it, so none is tried
  if (leaves.params.length + leaves.inputs.length + leaves.initial.length === 0) return [];
  const holds = (e: InstanceEntry) => premiseViolationAt(e, premise) === 0;
  // a construction built again with its leaves scaled before it centres its gates (src/numeric/adversarial.ts Adjust),
  // else the instance's leaves scaled
  const scaled = rebuild
    ? (s: number) =>
        withData(
          entry.instance,
          rebuild((data) => {
            for (const part of movable(data, leaves)) for (let i = 0; i < part.length; i++) part[i]! *= s;
          }),
        )
    : scaledBy(entry, leaves);
  if (holds(entry)) return [2, 0.5].flatMap((factor) => edgeToward(factor, entry, holds, scaled) ?? []);
  const last = [1, 1]; // the scale reached upward, and downward, on the far side of the edge
  // the last three (scale, violation) pairs met each way: a band narrower than a step (0.999 ≤ ‖W‖ ≤ 1.001 against
  // steps of 2^(1/4)) is stepped over, and shows as a violation that fell and rose again
  const start: [number, number] = [1, premiseViolationAt(entry, premise)];
  const met: [number, number][][] = [[start], [start]];
  for (let k = 1; k <= EDGE_DOUBLINGS * EDGE_STEPS_PER_DOUBLING; k++)
    for (const [way, s] of [
      [0, 2 ** (k / EDGE_STEPS_PER_DOUBLING)],
      [1, 2 ** (-k / EDGE_STEPS_PER_DOUBLING)],
    ] as const) {
      const at = scaled(s);
      const violation = premiseViolationAt(at, premise);
      if (violation === 0) return [edgeBetween(scaled, holds, s, at, last[way]!)[1]];
      last[way] = s;
      const seen = met[way]!;
      seen.push([s, violation]);
      if (seen.length > 3) seen.shift();
      const [before, low] = seen as [[number, number], [number, number]];
      if (seen.length === 3 && low[1] < before[1] && low[1] < violation) {
        const inside = insideBracket(scaled, (e) => premiseViolationAt(e, premise), before[0], s);
        // the edge on the side the steps came from, as for a premise reached without stepping over it
        if (inside) return [edgeBetween(scaled, holds, inside[0], inside[1], before[0])[1]];
      }
    }
  return [];
}

/**
 * From an instance where the premise holds, the scale `factor`^k (k = 1, 2, …, at most EDGE_DOUBLINGS) where it stops
 * holding, and the last step bisected: the instance at the premise's edge that way; null where it holds at every scale
 * tried.
 */
function edgeToward(
  factor: number,
  entry: InstanceEntry,
  holds: (e: InstanceEntry) => boolean,
  scaled: (s: number) => InstanceEntry,
): InstanceEntry | null {
  let last = 1;
  for (let k = 1; k <= EDGE_DOUBLINGS; k++) {
    const s = factor ** k;
    if (!holds(scaled(s))) return edgeBetween(scaled, holds, last, last === 1 ? entry : scaled(last), s)[1];
    last = s;
  }
  return null;
}

/**
 * The parameters the premise's conditions name (`norm2(W) * norm2(U) <= 1 and norm2(W) <= 1.05`: W, U), those no
 * assumption fixes, in the order they are first read. Under such a premise on several parameters the supremum of a
 * bound is often where each sits at its own edge (W = 1.05 and U = 1/1.05 there), which premiseEdges, scaling them
 * together, reaches only from the one ratio between them that meets every edge at once: from any other it stops where
 * the first condition binds, and ‖∂h_T/∂x_{T−2}‖ ≤ 1 under that premise (1.05 at the corner) was consistent under four
 * seeds and --search 2000 (a review's). The search takes each to its own edge in turn (ownEdge; src/check/search.ts).
 */
export function boundedParameters(model: Model, premise: Premise): string[] {
  const names = new Set<string>();
  for (const c of premise.conditions)
    for (const side of [c.lhs, c.rhs])
      walk(side, (e) => {
        if (e.kind === 'sym' && model.symbols.get(e.name)?.role === 'parameter' && !model.fixed?.has(e.name))
          names.add(e.name);
      });
  return [...names];
}

/**
 * The instance with the parameter `name` alone scaled up to the premise's edge (the others held: doubling, then the last
 * step bisected), from an instance where the premise holds; null where it does not hold there, or holds at every scale
 * tried (nothing bounds that parameter from above).
 */
export function ownEdge(entry: InstanceEntry, premise: Premise, name: string): InstanceEntry | null {
  const holds = (e: InstanceEntry) => premiseViolationAt(e, premise) === 0;
  if (!holds(entry)) return null;
  return edgeToward(2, entry, holds, scaledBy(entry, { params: [name], inputs: [], initial: [] }));
}

/** A sequence whose values a premise bounds, and the steps it reads them at (as written: `h[T-1]` at T − 1). */
export interface ValuedSequence {
  readonly name: string;
  readonly steps: readonly Affine[];
}

/**
 * The sequences the premise bounds the values of that are no input and no initial state: gates (`normMin(f[T]) >=
 * 0.99`) and states at a step the model computes (`normMin(abs(h[T])) >= 0.5`), in the order first read, each with the
 * steps it is read at. Under such a premise a bound is often tightest where the gate or the state sits at the premise's
 * edge and nothing else adds to the bound's right side, which scaling the parameters together (premiseEdges: each
 * construction keeps what it had of every other matrix) never reaches; the search builds that (src/numeric/adversarial.ts
 * gatesAtLevel) and moves the level to the edge (levelEdge).
 */
export function gatesValued(model: Model, premise: Premise): ValuedSequence[] {
  const found = new Map<string, Affine[]>();
  for (const c of premise.conditions)
    for (const side of [c.lhs, c.rhs])
      walk(side, (e) => {
        if (e.kind !== 'seq') return;
        const role = model.symbols.get(e.name)?.role;
        // a state at step 0 is an initial state, which the search sets itself (searchLeaves)
        const computed = role === 'state' && (Object.keys(e.time.terms).length > 0 || e.time.c !== 0);
        if (role !== 'intermediate' && !computed) return;
        const steps = found.get(e.name) ?? [];
        if (!steps.some((s) => affineEquals(s, e.time))) steps.push(e.time);
        found.set(e.name, steps);
      });
  return [...found].map(([name, steps]) => ({ name, steps }));
}

/** The levels (pre-activations) levelEdge tries first, high to low: a gate open, centred, shut (as gate settings put them). */
const LEVELS = [GATE_END, 0, -GATE_END] as const;

/** Whether an expression reads a sequence (a state, a gate, an input at some step). */
const readsSequence = (e: Expr): boolean => {
  let reads = false;
  walk(e, (x) => (reads ||= x.kind === 'seq'));
  return reads;
};

/**
 * The parameters the premise's conditions on parameters alone bound (`norm2(W) <= 0.8`), at those conditions' edge on
 * the construction `atLevel` builds (scaled together before it solves any level: premiseEdges with it as the rebuild),
 * as a change to apply to each level's construction; undefined where no such condition reads a parameter, or no edge is
 * found. Those conditions do not read the level, nor the level's conditions the parameters (the drives solve each level
 * whatever they are), so the two edges are met one after the other: the parameter where a bound is largest with it
 * (‖W‖ at its cap, or at its floor for `norm2(W) >= 1.5`), the level where its condition binds.
 */
function parametersAtEdge(
  entry: InstanceEntry,
  premise: Premise,
  model: Model,
  atLevel: (level: number, adjust?: Adjust) => InstanceData,
): Adjust | undefined {
  const conditions = premise.conditions.filter((c) => !readsSequence(c.lhs) && !readsSequence(c.rhs));
  const onParameters: Premise = { ...premise, conditions };
  const names = boundedParameters(model, onParameters);
  if (!names.length) return undefined;
  const base = withData(entry.instance, atLevel(LEVELS[1]));
  const [edge] = premiseEdges(base, onParameters, model, (adjust) => atLevel(LEVELS[1], adjust));
  if (!edge) return undefined;
  const { params } = edge.instance.graph.data;
  return (data) => {
    for (const name of names) {
      const at = params.get(name);
      if (at) data.params.get(name)?.set(at);
    }
  };
}

/**
 * The instance `atLevel` builds (its gates' or states' pre-activation at a level: src/numeric/adversarial.ts
 * gatesAtLevel) at the premise's edge: the parameters the premise bounds alone first at their edge (parametersAtEdge),
 * then the first two neighbours of LEVELS where the premise holds at one and not at the other, their interval bisected
 * (EDGE_BISECTIONS halvings) to the last level inside — the edge nearest 0 from above, where tanh′ and a gate's slope are
 * largest (|h_T| = 0.5 under |h_T| ≥ 0.5, and under |h_T| ≤ 0.5); `entry` the instance whose other values it keeps.
 * Null where the premise holds at every level tried, or at none.
 */
export function levelEdge(
  entry: InstanceEntry,
  premise: Premise,
  model: Model,
  atLevel: (level: number, adjust?: Adjust) => InstanceData,
): InstanceEntry | null {
  const holds = (e: InstanceEntry) => premiseViolationAt(e, premise) === 0;
  const adjust = parametersAtEdge(entry, premise, model, atLevel);
  const at = (level: number) => withData(entry.instance, atLevel(level, adjust));
  let [level, levelEntry]: [number, InstanceEntry] = [LEVELS[0], at(LEVELS[0])];
  let inside = holds(levelEntry);
  for (const next of LEVELS.slice(1)) {
    const nextEntry = at(next);
    const nextInside = holds(nextEntry);
    if (nextInside !== inside)
      return nextInside
        ? edgeBetween(at, holds, next, nextEntry, level)[1]
        : edgeBetween(at, holds, level, levelEntry, next)[1];
    [level, levelEntry, inside] = [next, nextEntry, nextInside];
  }
  return null;
}

/** Golden-section steps on a bracket of the violation (its width to 0.618^40 ≈ 4·10⁻⁹ of the bracket's, in log scale). */
const BAND_SECTIONS = 40;

/**
 * A scale between `a` and `c` where the premise holds, by a golden-section search (in log scale) for the least violation
 * in the bracket: the violation fell from `a` and rose again before `c`, so a band it holds on, if any, lies between.
 * Null where none is met (the violation's least is above 0 there).
 */
function insideBracket(
  scaled: (s: number) => InstanceEntry,
  violationOf: (e: InstanceEntry) => number,
  a: number,
  c: number,
): [number, InstanceEntry] | null {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [lo, hi] = [Math.log(Math.min(a, c)), Math.log(Math.max(a, c))];
  const at = (x: number): [number, InstanceEntry, number] => {
    const entry = scaled(Math.exp(x));
    return [Math.exp(x), entry, violationOf(entry)];
  };
  let left = at(hi - ratio * (hi - lo));
  let right = at(lo + ratio * (hi - lo));
  for (let i = 0; i < BAND_SECTIONS; i++) {
    for (const p of [left, right]) if (p[2] === 0) return [p[0], p[1]];
    // the least lies on the side of the smaller violation (not finite on either side: nothing to follow)
    if (!Number.isFinite(left[2]) && !Number.isFinite(right[2])) return null;
    if (left[2] <= right[2]) {
      hi = Math.log(right[0]);
      right = left;
      left = at(hi - ratio * (hi - lo));
    } else {
      lo = Math.log(left[0]);
      left = right;
      right = at(lo + ratio * (hi - lo));
    }
  }
  for (const p of [left, right]) if (p[2] === 0) return [p[0], p[1]];
  return null;
}

/** The moving parts of an instance as one list of arrays (parameters, then inputs by time, then initial states). */
function movable(data: InstanceData, leaves: ReturnType<typeof searchLeaves>): Float64Array[] {
  return [
    ...leaves.params.map((n) => data.params.get(n)!),
    ...leaves.inputs.flatMap((n) => data.inputs.get(n)!.slice(1)),
    ...leaves.initial.map((n) => data.initial.get(n)!),
  ];
}

function rebuild(data: InstanceData, leaves: ReturnType<typeof searchLeaves>, parts: Float64Array[]): InstanceData {
  const params = new Map(data.params);
  const inputs = new Map(data.inputs);
  const initial = new Map(data.initial);
  let k = 0;
  for (const n of leaves.params) params.set(n, parts[k++]!);
  for (const n of leaves.inputs) {
    const seq = [data.inputs.get(n)![0]!];
    for (let t = 1; t < data.inputs.get(n)!.length; t++) seq.push(parts[k++]!);
    inputs.set(n, seq);
  }
  for (const n of leaves.initial) initial.set(n, parts[k++]!);
  return { params, inputs, initial };
}

/** Instances of one claim that satisfy its premise (memoised by index and sizes, since shrinking asks again). */
export class PremiseSampler {
  private readonly memo = new Map<string, PremiseDraw>();
  private readonly leaves: ReturnType<typeof searchLeaves>;

  constructor(
    private readonly model: Model,
    private readonly claim: Claim,
    private readonly premise: Premise,
    private readonly pool: InstancePool,
  ) {
    this.leaves = searchLeaves(model, premise);
  }

  get(masterSeed: number, index: number, overrides: IntEnv): PremiseDraw {
    const key = `${masterSeed}|${index}|${JSON.stringify(overrides)}`;
    let draw = this.memo.get(key);
    if (!draw) {
      draw = this.draw(masterSeed, index, overrides);
      this.memo.set(key, draw);
    }
    return draw;
  }

  private holds(entry: InstanceEntry): number {
    return premiseViolationAt(entry, this.premise);
  }

  private draw(masterSeed: number, index: number, overrides: IntEnv): PremiseDraw {
    for (let r = 0; r < PREMISE_BUDGET.draws; r++) {
      const base = r === 0 ? this.pool.get(masterSeed, index, overrides) : this.redraw(masterSeed, index, overrides, r);
      const violation = this.holds(base);
      if (violation === 0) return { entry: base, route: 'as-drawn', draws: r + 1 };
      const rescaled = this.rescale(base);
      if (rescaled) return { entry: rescaled, route: 'rescaled', draws: r + 1 };
      const searched = this.search(base, violation, r);
      if (searched) return { entry: searched, route: 'searched', draws: r + 1 };
    }
    return { entry: null, route: null, draws: PREMISE_BUDGET.draws };
  }

  /** The same index, sizes and regime with values from a fresh seed. */
  private redraw(masterSeed: number, index: number, overrides: IntEnv, r: number): InstanceEntry {
    const first = this.pool.get(masterSeed, index, overrides).instance;
    const instance = buildInstance(this.model, { ...first, seed: deriveSeed(first.seed, 'premise-redraw', r) });
    return { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
  }

  /**
   * The premise's parameters scaled together (a norm or spectral-radius premise is met by scale alone), to a scale
   * drawn between the first one tried that meets the premise and the edge of the premise found by bisection, nearer
   * the edge (u² of the way from it), or on half the instances anywhere on the premise's side of the edge. Taking
   * the first scale that met it left every instance at the scales' own points: with `given: norm2(W) < 0.6` the
   * regimes' ‖W‖ = 1 and 1.5 went to 0.5 and 0.375, no instance lay in (0.5, 0.6), and
   * `norm2(jac(h[T], h[T-1])) <= 0.5`, false there (0.577 at ‖W‖ = 0.58), was consistent.
   */
  private rescale(base: InstanceEntry): InstanceEntry | null {
    if (this.leaves.params.length === 0) return null;
    // Conditions on parameters apart (`normMax(b) >= 3 and norm2(W) <= 0.2`) are met each by its own scale, in turn:
    // one scale for both pulls them the same way, and such a premise held on 2 of 20 slots (a review's).
    const parts = this.premise.conditions.map((c) => ({
      premise: { ...this.premise, conditions: [c] },
      params: [] as string[],
    }));
    for (const part of parts) part.params = searchLeaves(this.model, part.premise).params;
    const apart =
      parts.length > 1 &&
      parts.every(
        (p, i) => p.params.length > 0 && parts.slice(i + 1).every((q) => !q.params.some((n) => p.params.includes(n))),
      );
    if (!apart) return this.rescaleOver(base, this.leaves.params, this.premise, this.claim.id);
    let entry = base;
    for (const [k, part] of parts.entries()) {
      if (premiseViolationAt(entry, part.premise) === 0) continue;
      const moved = this.rescaleOver(entry, part.params, part.premise, `${this.claim.id} condition ${k}`);
      if (!moved) return null;
      entry = moved;
    }
    return this.holds(entry) === 0 ? entry : null;
  }

  /**
   * `params` scaled together until `premise` holds, to a scale between the first one tried that meets it and its
   * edge (rescale); `tag` seeds the draw of that scale.
   */
  private rescaleOver(
    base: InstanceEntry,
    params: readonly string[],
    premise: Premise,
    tag: string,
  ): InstanceEntry | null {
    // the parameters alone: inputs and initial states keep the regime's law
    const scaled = scaledBy(base, { params: [...params], inputs: [], initial: [] });
    const holds = (e: InstanceEntry) => premiseViolationAt(e, premise) === 0;
    const failed = [1]; // the instance as drawn violates the premise
    for (const s of SCALES) {
      const entry = scaled(s);
      if (!holds(entry)) {
        failed.push(s);
        continue;
      }
      // the failing scale nearest to s on its side of 1 (1 itself at worst), and the edge between them
      const outside = s < 1 ? Math.min(...failed.filter((f) => f > s)) : Math.max(...failed.filter((f) => f < s));
      const [inside, insideEntry] = edgeBetween(scaled, holds, s, entry, outside);
      // half the instances near the edge, half anywhere inside: between 0.05 and 1 of the edge's scale (a premise met
      // by scaling down), or between it and 4 times it (met by scaling up). Near the edge alone, `norm2(W) >= 0.35`
      // under `norm2(W) < 0.6` was consistent: no instance had ‖W‖ below 0.375 (a review).
      const rng = new Rng(deriveSeed(base.instance.seed, 'premise-scale', tag));
      const [u, nearEdge] = [rng.uniform(), rng.uniform() < 0.5];
      const interior = s < 1 ? inside * (0.05 + 0.95 * u) : inside * (1 + 3 * u);
      const target = scaled(nearEdge ? inside + (s - inside) * u * u : interior);
      return holds(target) ? target : insideEntry;
    }
    return null;
  }

  /** A (1+1) evolution strategy on the total violation, step size adapted by the 1/5 rule. */
  private search(base: InstanceEntry, violation: number, r: number): InstanceEntry | null {
    const rng = new Rng(deriveSeed(base.instance.seed, 'premise-search', this.claim.id, r));
    let data = base.instance.graph.data;
    let parts = movable(data, this.leaves);
    const rms = Math.sqrt(
      parts.reduce((s, p) => s + p.reduce((a, x) => a + x * x, 0), 0) /
        Math.max(
          1,
          parts.reduce((n, p) => n + p.length, 0),
        ),
    );
    let sigma = 0.3 * (rms || 1);
    let best = violation;
    for (let step = 0; step < PREMISE_BUDGET.searchSteps; step++) {
      const trial = parts.map((p) => p.map((x) => x + sigma * rng.normal()));
      const trialData = rebuild(data, this.leaves, trial);
      const entry = withData(base.instance, trialData);
      const v = this.holds(entry);
      if (v === 0) return entry;
      if (v < best) {
        best = v;
        parts = trial;
        data = trialData;
        sigma *= 1.5;
      } else sigma *= 0.9;
    }
    return null;
  }
}
