/**
 * The adversarial search for a violation of an inequality (≤, ≥), run after
 * the random instances found none. Random sampling misses violations that
 * live in a thin part of the instance space (a cancellation, a saturated
 * gate, an aligned matrix); the search goes looking there:
 *
 *  starts         the random instances where the claim came closest to
 *                 failing, and the best one redrawn at the smallest sizes
 *                 of at least 2 (short and long horizon);
 *  path           from each start: structured tight constructions, then an
 *                 evolution strategy over the instance's parameters, inputs
 *                 and initial states, inside its regime
 *                 (src/numeric/adversarial.ts); when the claim is scalar
 *                 arithmetic over norms of values affine in the read-out,
 *                 every construction and proposal has its read-out solved
 *                 on that model (./readout-solve.ts), so the strategy moves
 *                 the weights and the read-out is always the best for them;
 *  schedule       successive halving: every start runs its constructions and
 *                 a few steps, the closer half go on, the closest gets the rest
 *                 (equalities to rounding, as at d = 1 where a wrong bound may
 *                 coincide with the true one, ranked last); a closest path that
 *                 ends within CLOSE of a violation earns half the budget again;
 *  domains        inside the regimes first (the start's regime); then, for a
 *                 claim stated without `regimes:` (for every value), beyond
 *                 them from the starts that came closest inside, with a
 *                 budget of its own (src/numeric/adversarial.ts: laws 8×
 *                 as wide, recurrent norms up to 12);
 *  fitness        the largest closeness to a violation over every binding
 *                 (`closeness` below); each point judged exactly as the random
 *                 ones (./points.ts, ./compare.ts: the claim's tolerance,
 *                 trouble set aside).
 *
 * The path from a start is a function of that instance and the claim alone
 * (its rng derives from the instance's seed), never of the budget or of the
 * other starts. So a violation found after n steps from instance j replays
 * as `--instance j --size … --search n` (beyond the regimes: `--search 0
 * --beyond n`): that instance is then the only start, and its first n steps
 * are the same.
 */
import type { Claim, RegimeName, Relation } from '../derivation/derivation.js';
import { InputError } from '../derivation/errors.js';
import { boundValue, type IntEnv } from '../ir/affine.js';
import { type Expr, substituteInts, walk } from '../ir/expr.js';
import { nameRecord, own } from '../ir/names.js';
import { asDense } from '../numeric/values.js';
import { isColumn, isRow } from '../ir/shape.js';
import { shapeIn } from '../ir/shape-of.js';
import { HORIZON, type Model, type SizeRange, TIME_VAR } from '../model/model.js';
import { specOf } from '../ops/index.js';
import {
  BEYOND_GAIN,
  type Construction,
  constructions,
  ENTRY_PATTERN_COUNT,
  entryPatternConstructions,
  isolatingConstructions,
  EXTREME_CAP_TIMES,
  extremeRecurrentConstructions,
  VANISHING_CAP_TIMES,
  farOutConstructions,
  farOutCount,
  NEAR_ZERO_TIMES,
  nearZeroInputConstructions,
  nearZeroInputCount,
  ungatedInputs,
  VANISHING_SCALE,
  vanishingConstructions,
  vanishingCount,
  extremeRecurrentCount,
  isolatingCount,
  entrywiseAtCap,
  entrywiseCount,
  alignedAtPeak,
  alignsSeveral,
  gateLevelCount,
  gatesAtLevel,
  evolve,
  InstanceSpace,
  type Adjust,
  type LevelTarget,
  type MutableData,
  type PreActivation,
  type SearchDomain,
  type StateAt,
} from '../numeric/adversarial.js';
import { Evaluator } from '../numeric/evaluate.js';
import { inputConstructionCount, inputConstructions, inputDriveNames } from '../numeric/input-constructions.js';
import { headConstructionCount, headConstructions } from '../numeric/head-constructions.js';
import { steepestConstructionCount, steepestConstructions } from '../numeric/steepest-constructions.js';
import { type KinkArgument, kinkConstructionCount, kinkConstructions } from '../numeric/kink-constructions.js';
import { cancellingConstructionCount, cancellingConstructions } from '../numeric/cancelling-constructions.js';
import type { Instance } from '../numeric/instance.js';
import { deriveSeed, Rng } from '../numeric/prng.js';
import { type InstanceData, Unrolled } from '../numeric/unrolled.js';
import type { SearchEvidence } from './evidence.js';
import type { ValuedSequence } from './premise.js';
import { bindings } from './bindings.js';
import {
  type InstanceEntry,
  type Point,
  runPoints,
  smaller,
  roundingResidueCount,
  roundingResiduesField,
  undecidedViolationCount,
  undecidedViolationsField,
} from './points.js';
import { closenessOfSides, ReadoutModelShape, solveReadout } from './readout-solve.js';

export interface SearchRequest {
  /** instances the search may evaluate inside the regimes, each at every binding */
  readonly budget: number;
  /** instances it may evaluate beyond the regimes (0: not searched there, as for a claim with `regimes:`) */
  readonly beyond: number;
  /** the regimes the claim's instances are drawn from (the evidence names them) */
  readonly regimes: readonly RegimeName[];
  /** the claim's size ranges (the model's, or the claim's own narrower ones) */
  readonly sizeRanges: Readonly<Record<string, SizeRange>>;
  /** sizes fixed on the command line; the smaller starts keep them */
  readonly overrides: IntEnv;
  /** replaying one instance: it is the only start */
  readonly replay: boolean;
  /** instance `index` of this run at the given sizes (null: none satisfies the claim's premise there) */
  readonly draw: (index: number, sizes: IntEnv) => InstanceEntry | null;
  /**
   * Whether an instance is one the claim speaks of: its premise (`given:`) holds there. A proposal outside it is
   * evaluated no further (no points, fitness −∞): the path goes on from its best admissible instance. Absent: all are.
   */
  readonly admissible?: (entry: InstanceEntry) => boolean;
  /**
   * The instance moved to the premise's edges (./premise.ts premiseEdges: both, from inside; the nearest, from outside):
   * beyond the regimes, each start is also evaluated at the edge above and the edge below it, and a construction
   * outside the premise at its edge instead of not at all (an isolating construction built again at each scale tried,
   * `rebuild`: src/numeric/adversarial.ts Construction).
   */
  readonly toPremiseEdges?: (entry: InstanceEntry, rebuild?: Construction['rebuild']) => InstanceEntry[];
  /**
   * The parameters the premise bounds entrywise (./premise.ts entrywiseBounded): beyond the regimes, each start also
   * evaluates them with every entry at the premise's edge in a rank-one sign pattern, at the drives' peak
   * (src/numeric/adversarial.ts entrywiseAtCap).
   */
  readonly entrywiseBounded?: readonly string[];
  /**
   * The parameters the premise names (./premise.ts boundedParameters): beyond the regimes, where there are two or more,
   * each start also evaluates them aligned at the drives' peak (src/numeric/adversarial.ts alignedAtPeak) with each in
   * turn at its own edge of the premise (`toOwnEdge`), in their order and in the reverse one.
   */
  readonly jointlyBounded?: readonly string[];
  /** The instance with one parameter alone scaled up to the premise's edge (./premise.ts ownEdge); null: none. */
  readonly toOwnEdge?: (entry: InstanceEntry, parameter: string) => InstanceEntry | null;
  /**
   * The gates and states whose values the premise bounds, with the steps it reads them at (./premise.ts gatesValued):
   * beyond the regimes, each start also evaluates them at the premise's edge by their biases (a state by the inputs of
   * the steps read), every parameter they do not need at 0 (src/numeric/adversarial.ts gatesAtLevel), at the level
   * `toLevelEdge` finds.
   */
  readonly gatesValued?: readonly ValuedSequence[];
  /**
   * The instance `atLevel` builds at the level where the premise's edge is, the parameters the premise bounds alone at
   * theirs (./premise.ts levelEdge); null: none.
   */
  readonly toLevelEdge?: (
    entry: InstanceEntry,
    atLevel: (level: number, adjust?: Adjust) => InstanceData,
  ) => InstanceEntry | null;
}

export interface SearchOutcome {
  readonly evidence: SearchEvidence;
  /**
   * the violating point, the steps of its start's path that reached it (0: the start itself), and the
   * domain of that path
   */
  readonly violation: { readonly point: Point; readonly steps: number; readonly domain: SearchDomain } | null;
}

/**
 * Random starts besides the smaller-size ones; below this budget only the best one is searched.
 * Several starts with a short path each kill more mutants than one long path (bench/mutants.mjs).
 */
export const RANDOM_STARTS = 6;
const MIN_BUDGET_FOR_MORE_STARTS = 20;
/** Steps every start gets before the worse half is dropped (its constructions and a few of the strategy's). */
const FIRST_ROUND_STEPS = 12;
/**
 * A search whose closest path ends within this closeness of a violation gets EXTENSION × its budget more
 * for that path: the misses of bench/search-misses.mjs that the search comes closest to are found a little
 * past the budget (row 8: a ratio of 0.99995 at 250 evaluations, refuted at 221 of 375).
 */
const CLOSE = 1e-3;
const EXTENSION = 0.5;

/** An instance a path starts from, and the closest its points came to violating the bound (fitnessOf). */
export interface Start {
  readonly instance: Instance;
  readonly fitness: number;
}

/** The random instances the search starts from (./point-tally.ts), and the largest ratio of their points. */
export interface RandomStarts {
  readonly starts: readonly Start[];
  readonly bestRatio: number | null;
}

/** How close a point comes to violating the bound (./readout-solve.ts: closenessOfSides); −∞ for trouble. */
export function closeness(p: Point, relation: Relation): number {
  if (p.outcome.status === 'trouble') return -Infinity;
  return closenessOfSides(p.outcome.lhs[0]!, p.outcome.rhs[0]!, relation);
}

/** The largest closeness to a violation over the sound points. */
const fitnessOf = (points: readonly Point[], relation: Relation): number =>
  points.reduce((m, p) => Math.max(m, closeness(p, relation)), -Infinity);

/**
 * Closeness within this of 0 is an equality to rounding: at those sizes the bound is often an identity
 * (a wrong bound that coincides with the true one at d = 1), which no step can get past.
 */
const EQUALITY_ROUNDING = 1e-12;
/** How promising a start is for the schedule: its fitness, with equalities to rounding put last. */
const promise = (fitness: number): number => (Math.abs(fitness) <= EQUALITY_ROUNDING ? -Infinity : fitness);

/** The order random starts are taken in: the most promising first, then the first drawn. */
export const startOrder = (a: Start, b: Start): number =>
  promise(b.fitness) - promise(a.fitness) || a.instance.index - b.instance.index;

const firstViolation = (points: readonly Point[]): Point | undefined =>
  points.filter((p) => p.outcome.status === 'violate').sort(smaller)[0];

/** Each size at its least value of at least 2 (1 where the range allows no more), the horizon at its least. */
export function smallestSizes(ranges: Readonly<Record<string, SizeRange>>): IntEnv {
  return nameRecord(
    Object.entries(ranges).map(([k, r]) => [k, k === HORIZON ? r.min : Math.min(r.max, Math.max(r.min, 2))]),
  );
}

export function searchViolation(claim: Claim, random: RandomStarts, request: SearchRequest): SearchOutcome {
  const regime = emptyPhase(request.budget);
  const beyond = request.beyond > 0 ? emptyPhase(request.beyond) : null;
  let startCount = 0;
  const finish = (violation: SearchOutcome['violation']): SearchOutcome => ({
    evidence: {
      kind: 'search',
      relation: claim.relation as Exclude<Relation, '='>,
      budget: regime.budget,
      evaluations: regime.evaluations,
      starts: startCount,
      constructions: regime.constructions,
      bestRatio: regime.bestRatio,
      found: violation !== null,
      ...(violation?.point.outcome.status === 'violate' && violation.point.outcome.exactTie
        ? { foundExactTie: true as const }
        : {}),
      ...undecidedViolationsField(regime.undecided),
      ...roundingResiduesField(regime.residues),
      ...kinkTiesField(regime.kinkTies),
      ...outsidePremiseField(regime.outsidePremise),
      ...tiesField(regime.ties),
      regimes: request.regimes,
      beyond: beyond && {
        budget: beyond.budget,
        evaluations: beyond.evaluations,
        starts: beyond.starts,
        constructions: beyond.constructions,
        bestRatio: beyond.bestRatio,
        found: violation?.domain === 'beyond',
        ...undecidedViolationsField(beyond.undecided),
        ...roundingResiduesField(beyond.residues),
        ...kinkTiesField(beyond.kinkTies),
        ...outsidePremiseField(beyond.outsidePremise),
        ...tiesField(beyond.ties),
        ...(beyond.extremeCapTimes ? { extremeCapTimes: beyond.extremeCapTimes } : {}),
        ...(beyond.vanishing ? { vanishing: beyond.vanishing } : {}),
        ...(beyond.farOut ? { farOut: beyond.farOut } : {}),
        ...(beyond.nearZero ? { nearZero: beyond.nearZero } : {}),
        gain: BEYOND_GAIN,
      },
    },
    violation,
  });
  regime.bestRatio = random.bestRatio;

  // The random instances, worst first.
  const ranked: Start[] = [...random.starts].sort(startOrder);
  if (!ranked.length) return finish(null);

  const starts: Start[] = [ranked[0]!];
  if (!request.replay && request.budget >= MIN_BUDGET_FOR_MORE_STARTS) {
    // The best start redrawn at the smallest sizes of at least 2, with the shortest and the longest horizon.
    // Not at size 1: there many wrong bounds coincide with true ones (a transpose, say) or come close to
    // them without a way past (two gradient paths that are scalars cannot cancel in part), so the search
    // spent its budget climbing toward an identity there; the random starts still include size 1.
    const best = ranked[0]!.instance;
    const two = smallestSizes(request.sizeRanges);
    const corners = [two, { ...two, [HORIZON]: own(request.sizeRanges, HORIZON)!.max }].map((c) => ({
      ...c,
      ...request.overrides,
    }));
    const sizesSeen = new Set([JSON.stringify(best.sizes)]);
    for (const sizes of corners) {
      const key = JSON.stringify(Object.fromEntries(Object.keys(best.sizes).map((k) => [k, own(sizes, k)])));
      if (sizesSeen.has(key)) continue;
      sizesSeen.add(key);
      let points: Point[];
      try {
        const entry = request.draw(best.index, sizes);
        if (!entry) continue; // no instance of these sizes satisfies the premise
        points = runPoints(claim, entry, 0, null);
      } catch (err) {
        if (err instanceof InputError) continue; // these sizes leave the claim's domain
        throw err;
      }
      regime.evaluations++;
      seen(regime, points);
      regime.undecided += undecidedViolationCount(points);
      regime.residues += roundingResidueCount(points);
      const violating = firstViolation(points);
      startCount = starts.length + 1;
      if (violating) return finish({ point: violating, steps: 0, domain: 'regime' });
      const fitness = fitnessOf(points, claim.relation);
      if (fitness > -Infinity) starts.push({ instance: points[0]!.instance, fitness });
    }
    starts.push(...ranked.slice(1, RANDOM_STARTS));
  } else if (!request.replay && request.budget === 0 && request.beyond >= MIN_BUDGET_FOR_MORE_STARTS)
    // Beyond the regimes alone (`--search 0 --beyond N`): the random starts, no redraws (those are inside).
    starts.push(...ranked.slice(1, RANDOM_STARTS));
  startCount = starts.length;

  // Inside the regimes first: the claim is checked where its instances are drawn.
  const inside = runPhase(claim, 'regime', starts, regime, request);
  if (inside.violation) return finish(inside.violation);
  if (!beyond) return finish(null);
  // Then beyond them (a claim stated without `regimes:`): from the starts whose paths came closest inside.
  const order = new Map(inside.leaders.map((p, i) => [p.start, i]));
  const beyondStarts = request.replay
    ? starts
    : [...starts].sort((a, b) => order.get(a)! - order.get(b)!).slice(0, BEYOND_STARTS);
  beyond.starts = beyondStarts.length;
  return finish(runPhase(claim, 'beyond', beyondStarts, beyond, request).violation);
}

/** Evaluations beside each start's path beyond the regimes for a claim with a premise: the start at its two edges. */
const PREMISE_EDGE_EVALUATIONS = 2;

/**
 * Evaluations beside each start's path beyond the regimes for a premise that names several parameters: the aligned
 * construction with each parameter taken to its own edge in turn, in the premise's order and in the reverse one.
 */
const OWN_EDGE_ORDERS = 2;

/** How many starts the search beyond the regimes follows: the ones whose paths came closest inside them. */
const BEYOND_STARTS = 3;

interface PhaseTally {
  /** the evaluations allowed: the request's, plus an extension a close path earns */
  budget: number;
  evaluations: number;
  starts: number;
  constructions: number;
  bestRatio: number | null;
  /**
   * violations float64 found that nothing could decide again: trouble, so no counterexample, and the path goes on
   * (its fitness skips them); the verdict counts them (./verdict.ts), as it does the random points'
   */
  undecided: number;
  /** troubled points whose sides differ by no more than rounding leaves (SearchEffort.roundingResidues) */
  residues: number;
  /** violations only at a kink's exact tie, set aside (SearchEffort.kinkTies) */
  kinkTies: number;
  /** evaluations whose instance left the claim's premise (SearchRequest.admissible) */
  outsidePremise: number;
  /** for a claim written strict: agreeing points it evaluated whose sides are equal within the tolerance */
  ties: number;
  /** beside its paths, every recurrent matrix 0 and these many times the cap too (EXTREME_CAP_TIMES); null: not */
  extremeCapTimes: readonly number[] | null;
  /** beside its paths, the parameters the claim's norms read vanishing (vanishingConstructions); null: not */
  vanishing: {
    readonly names: readonly string[];
    readonly scale: number;
    readonly capTimes: number;
    readonly nilpotent?: true;
  } | null;
  /** beside its paths, initial states and input weights far out (farOutConstructions); null: not */
  farOut: {
    readonly states: readonly string[];
    readonly inputWeights: boolean;
    readonly lastInputs?: readonly string[];
    readonly times: readonly number[];
  } | null;
  /** beside its paths, at each gate setting the last step's inputs near 0 (nearZeroInputConstructions); null: not */
  nearZero: { readonly inputs: readonly string[]; readonly times: readonly number[] } | null;
}

const emptyPhase = (budget: number): PhaseTally => ({
  budget,
  evaluations: 0,
  starts: 0,
  constructions: 0,
  bestRatio: null,
  undecided: 0,
  residues: 0,
  kinkTies: 0,
  outsidePremise: 0,
  ties: 0,
  extremeCapTimes: null,
  vanishing: null,
  farOut: null,
  nearZero: null,
});

const outsidePremiseField = (n: number): { outsidePremise?: number } => (n ? { outsidePremise: n } : {});
const tiesField = (n: number): { ties?: number } => (n ? { ties: n } : {});
const kinkTiesField = (n: number): { kinkTies?: number } => (n ? { kinkTies: n } : {});
const kinkTieCount = (points: readonly Point[]): number =>
  points.filter((p) => p.outcome.status === 'trouble' && p.outcome.atKinkTie).length;

/**
 * Agreeing points whose sides are equal within the tolerance: where a claim written strict (< or >) cannot be told
 * from its equality case (a bound's relError is the relative excess of the side that must be smaller, ≤ 0 where it holds).
 */
export function strictTies(points: readonly Pick<Point, 'outcome'>[], tolerance: number): number {
  let n = 0;
  for (const p of points) if (p.outcome.status === 'agree' && p.outcome.relError > -tolerance) n++;
  return n;
}

function seen(tally: PhaseTally, points: readonly Point[]): void {
  for (const p of points)
    if (p.outcome.status !== 'trouble' && p.outcome.ratio !== undefined)
      tally.bestRatio = Math.max(tally.bestRatio ?? -Infinity, p.outcome.ratio);
}

/**
 * One domain's search: successive halving over the starts' paths (each path a function of its start alone,
 * so a violation replays from that start whatever the schedule was). Every start first runs its
 * constructions and a few steps of the evolution strategy; then the better half of the starts (by the
 * largest excess each reached) share half of what is left, and the best one gets the rest. The starts that
 * come closest to failing are followed furthest. Returns the paths best first.
 */
function runPhase(
  claim: Claim,
  domain: SearchDomain,
  starts: readonly Start[],
  tally: PhaseTally,
  request: SearchRequest,
): { violation: SearchOutcome['violation']; leaders: { start: Start }[] } {
  const nominal = tally.budget;
  // Each path first evaluates the head constructions and, beyond the regimes, the isolating ones (searchFrom), on top of
  // the budget: the schedule below is then what it was without them.
  const first = starts[0]?.instance;
  const entrywise = domain === 'beyond' && request.toPremiseEdges ? (request.entrywiseBounded ?? []) : [];
  const jointly =
    domain === 'beyond' && request.toPremiseEdges && request.toOwnEdge ? (request.jointlyBounded ?? []) : [];
  const valued =
    domain === 'beyond' && request.toLevelEdge && first ? levelTargets(request.gatesValued ?? [], first.sizes) : [];
  const firstSpace = first && new InstanceSpace(first.graph.model, first.sizes, first.regime, domain);
  // every recurrent matrix at 0 and far beyond the cap, beside each path (and said so in the evidence)
  const extreme = firstSpace && readsRecurrentNorm(claim, firstSpace) ? extremeRecurrentCount(firstSpace) : 0;
  // the parameters its norms read at 0 and nearly 0, beside each path (and said so in the evidence)
  const normRead = firstSpace ? normReadParameters(claim, firstSpace) : new Set<string>();
  const vanishing = firstSpace ? vanishingCount(firstSpace, normRead, takesRadius(claim)) : 0;
  // the initial states its norms read, and the input weights of a derivative with respect to an input, far out
  const farStates = firstSpace ? normReadStates(claim, firstSpace) : new Set<string>();
  const farWeights = firstSpace
    ? farOutCount(firstSpace, new Set(), normsInputDerivative(claim, firstSpace)) > 0
    : false;
  const farInputs = firstSpace ? farInputsOf(claim, firstSpace, first.graph.model) : new Set<string>();
  const farOut = firstSpace ? farOutCount(firstSpace, farStates, farWeights, farInputs) : 0;
  // at each gate setting, the last step's inputs the claim reads through a gate near 0
  const nearInputs = firstSpace ? nearInputsOf(claim, firstSpace) : new Set<string>();
  const nearZero = firstSpace ? nearZeroInputCount(firstSpace, nearInputs) : 0;
  const side =
    (domain === 'beyond' && firstSpace
      ? isolatingCount(firstSpace) +
        (request.toPremiseEdges ? PREMISE_EDGE_EVALUATIONS : 0) +
        entrywiseCount(firstSpace, entrywise) +
        (alignsSeveral(firstSpace, jointly) ? OWN_EDGE_ORDERS : 0) +
        gateLevelCount(firstSpace, valued)
      : 0) +
    (firstSpace ? headConstructionCount(first.graph.model, firstSpace) : 0) +
    (firstSpace && readsInputDrive(claim, firstSpace) ? inputConstructionCount(firstSpace) : 0) +
    (firstSpace ? steepestConstructionCount(first.graph.model, firstSpace) : 0) +
    (firstSpace && readsEntryNormOfMatrix(claim, first.graph.model) ? ENTRY_PATTERN_COUNT : 0) +
    (firstSpace && boundsDerivativeFromBelow(claim) ? cancellingConstructionCount(first.graph.model, firstSpace) : 0) +
    extreme +
    vanishing +
    farOut +
    nearZero +
    (firstSpace ? kinkConstructionCount(first.graph.model, firstSpace) : 0);
  if (extreme) tally.extremeCapTimes = EXTREME_CAP_TIMES;
  if (nearZero) tally.nearZero = { inputs: [...nearInputs], times: NEAR_ZERO_TIMES };
  if (farOut)
    tally.farOut = {
      states: [...farStates],
      inputWeights: farWeights,
      ...(farOutCount(firstSpace!, new Set(), false, farInputs) ? { lastInputs: [...farInputs] } : {}),
      times: EXTREME_CAP_TIMES,
    };
  if (vanishing)
    tally.vanishing = {
      names: [...normRead],
      scale: VANISHING_SCALE,
      capTimes: VANISHING_CAP_TIMES,
      ...(takesRadius(claim) ? { nilpotent: true as const } : {}),
    };
  tally.budget += side * starts.length;
  const paths = starts.map((start) => ({
    start,
    path: searchFrom(
      claim,
      start,
      domain,
      request.admissible,
      domain === 'beyond' ? request.toPremiseEdges : undefined,
      entrywise,
      jointly,
      request.toOwnEdge,
      valued,
      request.toLevelEdge,
    ),
    best: start.fitness,
    steps: 0,
  }));
  type Path = (typeof paths)[number];
  const advance = (p: Path): SearchOutcome['violation'] => {
    const { value } = p.path.next();
    if (!value) return null;
    p.steps++;
    tally.evaluations++;
    if (value.construction) tally.constructions++;
    if (value.outsidePremise) tally.outsidePremise++;
    seen(tally, value.points);
    // (an equality to rounding is no progress: promise)
    if (!value.side) p.best = Math.max(p.best, promise(fitnessOf(value.points, claim.relation)));
    tally.undecided += undecidedViolationCount(value.points);
    tally.residues += roundingResidueCount(value.points);
    tally.kinkTies += kinkTieCount(value.points);
    if (claim.strict) tally.ties += strictTies(value.points, claim.tolerance);
    const violating = firstViolation(value.points);
    return violating ? { point: violating, steps: p.steps, domain } : null;
  };
  const run = (group: readonly Path[], steps: number): SearchOutcome['violation'] => {
    for (let i = 0; i < steps; i++)
      for (const p of group) {
        if (tally.evaluations >= tally.budget) return null;
        const found = advance(p);
        if (found) return found;
      }
    return null;
  };
  const leaders = (): Path[] => [...paths].sort((a, b) => promise(b.best) - promise(a.best));
  const left = () => tally.budget - tally.evaluations;
  const half = Math.ceil(paths.length / 2);
  const found =
    run(
      paths,
      side + Math.max(1, Math.min(FIRST_ROUND_STEPS, Math.floor((left() - side * paths.length) / (2 * paths.length)))),
    ) ??
    run(leaders().slice(0, half), Math.floor(left() / 2 / half)) ??
    run(leaders().slice(0, 1), left());
  if (found) return { violation: found, leaders: leaders() };
  // A leader within CLOSE of a violation (not an equality to rounding) earns an extension of its path.
  const leader = leaders()[0];
  if (!request.replay && leader && promise(leader.best) >= -CLOSE) {
    tally.budget += Math.floor(nominal * EXTENSION);
    const late = run([leader], left());
    if (late) return { violation: late, leaders: leaders() };
  }
  return { violation: null, leaders: leaders() };
}

/**
 * The constructions from each start instance, by domain: a function of the instance alone (src/numeric/adversarial.ts
 * knows no claim), so the file's claims (and a repair's candidates) searched from the same start built the same ones
 * again (rank-one shapes by power iteration, projections by exact SVD). Built once; a claim evaluates a copy of each on
 * an unrolled graph of its own, so that nothing else is kept across claims (extended precision's forward steps are
 * kept while their instance data live).
 */
const constructedFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();

function constructionsFrom(start: Instance, space: InstanceSpace): readonly Construction[] {
  let byDomain = constructedFrom.get(start);
  if (!byDomain) constructedFrom.set(start, (byDomain = new Map<SearchDomain, readonly Construction[]>()));
  let built = byDomain.get(space.domain);
  if (!built) byDomain.set(space.domain, (built = constructions(space, start.graph.data)));
  return built.map((c) => ({ ...c, data: space.copy(c.data) }));
}

/** Where the variant numbers of the isolating constructions' instances start (a path's count from 1). */
const SIDE_VARIANTS = 2 ** 20;

const isolatedFrom = new WeakMap<Instance, readonly Construction[]>();

const headsFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();

const inputsFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();

const steepestFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();
const patternsFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();
const cancellingFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();
const extremeFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();
/** The far-out constructions from a start, by domain and what the claim's norms read, built once as the others are. */
const farOutBuilt = new WeakMap<Instance, Map<string, readonly Construction[]>>();
function farOutFrom(claim: Claim, start: Instance, space: InstanceSpace): readonly Construction[] {
  const states = normReadStates(claim, space);
  const weights = normsInputDerivative(claim, space);
  const inputs = farInputsOf(claim, space, start.graph.model);
  if (!farOutCount(space, states, weights, inputs)) return [];
  let byKey = farOutBuilt.get(start);
  if (!byKey) farOutBuilt.set(start, (byKey = new Map<string, readonly Construction[]>()));
  const key = `${space.domain} ${[...states].join(',')} ${weights} ${[...inputs].join(',')}`;
  let built = byKey.get(key);
  if (!built) byKey.set(key, (built = farOutConstructions(space, start.graph.data, states, weights, inputs)));
  return built;
}

/**
 * The inputs the model reads unsquashed (../numeric/adversarial.ts ungatedInputs), for an inequality that takes a norm
 * of an expression reading a state or a derivative: the last step's go far out (farOutConstructions). Empty otherwise.
 */
function farInputsOf(claim: Claim, space: InstanceSpace, model: Model): ReadonlySet<string> {
  const reads = normReads(claim);
  const readsState = space.blocks.some((b) => b.role === 'state' && reads.names.has(b.name));
  if (!readsState && reads.withRespectTo.size === 0) return new Set();
  let ungated = ungatedByModel.get(model);
  if (!ungated) ungatedByModel.set(model, (ungated = ungatedInputs(model)));
  return ungated;
}
const ungatedByModel = new WeakMap<Model, ReadonlySet<string>>();

/** by start, domain and the parameters made to vanish (a claim's), built once as the others are */
const vanishingFrom = new WeakMap<Instance, Map<string, readonly Construction[]>>();

/** A construction list built once per start and domain, as constructionsFrom's is. */
function builtOnce(
  cache: WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>,
  start: Instance,
  domain: SearchDomain,
  build: () => readonly Construction[],
): readonly Construction[] {
  let byDomain = cache.get(start);
  if (!byDomain) cache.set(start, (byDomain = new Map<SearchDomain, readonly Construction[]>()));
  let built = byDomain.get(domain);
  if (!built) byDomain.set(domain, (built = build()));
  return built;
}

/** The entry norms (largest row sum, largest and smallest |entry|): a matrix's meets its spectral norm at an entry pattern. */
const ENTRY_NORMS = new Set(['normInf', 'normMax', 'normMin']);
const entryNormReaders = new WeakMap<Claim, boolean>();

/**
 * Whether a claim (its sides or its premise) takes an entry norm of a matrix (neither a row nor a column): only such a
 * claim gets the entry-pattern constructions (../numeric/adversarial.ts entryPatternConstructions), so no other claim's
 * search moves — normMax of a gate vector, as the LSTM bounds read it, is no matrix.
 */
function readsEntryNormOfMatrix(claim: Claim, model: Model): boolean {
  let reads = entryNormReaders.get(claim);
  if (reads === undefined) {
    reads = false;
    const note = (e: Expr) =>
      walk(e, (x) => {
        if (reads || x.kind !== 'op' || !ENTRY_NORMS.has(x.op)) return;
        const shape = shapeIn(model, x.args[0]!);
        reads = !isColumn(shape) && !isRow(shape);
      });
    for (const e of [claim.lhs, claim.rhs, ...(claim.given?.conditions ?? []).flatMap((c) => [c.lhs, c.rhs])]) note(e);
    entryNormReaders.set(claim, reads);
  }
  return reads;
}

/**
 * Whether a claim is a lower bound on a side that reads a derivative (lhs ≥ rhs with the lhs reading one, or lhs ≤ rhs
 * with the rhs): only such a claim gets the cancelling product (../numeric/cancelling-constructions.ts), so no other
 * claim's search moves.
 */
function boundsDerivativeFromBelow(claim: Claim): boolean {
  const readsDerivative = (e: Expr) => {
    let found = false;
    walk(e, (x) => (found ||= x.kind === 'op' && specOf(x).graphDerivative === true));
    return found;
  };
  if (claim.relation === '>=') return readsDerivative(claim.lhs);
  if (claim.relation === '<=') return readsDerivative(claim.rhs);
  return false;
}

/**
 * Whether an inequality takes a norm (or ρ) of an expression that reads a recurrent matrix, on either side (a bound's
 * constant term is tightest against it at 0 and its slope far out): only such a claim gets the extreme-recurrent
 * constructions (../numeric/adversarial.ts extremeRecurrentConstructions), so no other claim's search moves.
 */
function readsRecurrentNorm(claim: Claim, space: InstanceSpace): boolean {
  const { names } = normReads(claim);
  return space.blocks.some((b) => b.law.spectralNorm !== null && names.has(b.name));
}
const RECURRENT_NORMS = new Set(['norm2', 'normF', 'normInf', 'normMax', 'normMin', 'rho']);

/** Whether a claim's sides take a spectral radius (the vanishing constructions then build nilpotent matrices too). */
function takesRadius(claim: Claim): boolean {
  let found = false;
  for (const side of [claim.lhs, claim.rhs]) walk(side, (x) => (found ||= x.kind === 'op' && x.op === 'rho'));
  return found;
}

/** What an inequality's norms (or ρ) read, on either side: the names, and whether one takes a derivative with respect to a sequence's value. */
interface NormReads {
  readonly names: ReadonlySet<string>;
  /** the sequences derivatives inside a norm are taken with respect to (jac(h[T], x[T]): x) */
  readonly withRespectTo: ReadonlySet<string>;
}
const normReaders = new WeakMap<Claim, NormReads>();
const DERIVATIVES = new Set(['jac', 'grad', 'partial']);

function normReads(claim: Claim): NormReads {
  let reads = normReaders.get(claim);
  if (reads) return reads;
  const names = new Set<string>();
  const withRespectTo = new Set<string>();
  if (claim.relation !== '=')
    for (const side of [claim.lhs, claim.rhs])
      walk(side, (x) => {
        if (x.kind !== 'op' || !RECURRENT_NORMS.has(x.op)) return;
        walk(x.args[0]!, (y) => {
          if (y.kind === 'sym' || y.kind === 'seq') names.add(y.name);
          if (y.kind === 'op' && DERIVATIVES.has(y.op) && y.args[1]?.kind === 'seq') withRespectTo.add(y.args[1].name);
        });
      });
  normReaders.set(claim, (reads = { names, withRespectTo }));
  return reads;
}

/**
 * The parameters an inequality takes a norm (or ρ) of an expression reading, in the model's order: only a claim with
 * some gets the vanishing constructions (../numeric/adversarial.ts vanishingConstructions), so no other claim's search
 * moves.
 */
const normReadParameters = (claim: Claim, space: InstanceSpace): ReadonlySet<string> =>
  new Set(space.blocks.filter((b) => b.role === 'parameter' && normReads(claim).names.has(b.name)).map((b) => b.name));

/** The states an inequality takes a norm of an expression reading (their initial values go far out: farOutConstructions). */
const normReadStates = (claim: Claim, space: InstanceSpace): ReadonlySet<string> =>
  new Set(space.blocks.filter((b) => b.role === 'state' && normReads(claim).names.has(b.name)).map((b) => b.name));

/** Whether an inequality takes a norm of a derivative with respect to an input (its input weights go far out). */
const normsInputDerivative = (claim: Claim, space: InstanceSpace): boolean =>
  space.blocks.some((b) => b.role === 'input' && normReads(claim).withRespectTo.has(b.name));

/** Whether a claim (its sides or its premise) reads an input a gate's input weights multiply, or those weights. */
function readsInputDrive(claim: Claim, space: InstanceSpace): boolean {
  const names = inputDriveNames(space);
  if (!names.size) return false;
  let reads = false;
  const note = (e: Expr) => walk(e, (x) => (reads ||= (x.kind === 'sym' || x.kind === 'seq') && names.has(x.name)));
  for (const e of [claim.lhs, claim.rhs, ...(claim.given?.conditions ?? []).flatMap((c) => [c.lhs, c.rhs])]) note(e);
  return reads;
}

/** The gates' pre-activations, from the model's forward pass on the data a construction has set so far. */
const preActivationsOf =
  (start: Instance): PreActivation =>
  (data, target, t) =>
    new Unrolled(start.graph.model, start.graph.program, data).activationInput(target, t);

/**
 * The constructions evaluated beside a start's path: beyond the regimes its isolating constructions, then its head
 * constructions (../numeric/head-constructions.ts, in either domain), then, for a claim that reads the inputs or their
 * weights, its input constructions (../numeric/input-constructions.ts, in either domain), then, beyond the regimes for
 * a model with an activation steepest away from 0 (SiLU, GELU), every pre-activation at that point
 * (../numeric/steepest-constructions.ts), then, for a claim that takes an entry norm of a matrix, the entry patterns,
 * then, for a lower bound on a derivative, beyond the regimes, a product of Jacobians that cancels
 * (../numeric/cancelling-constructions.ts), each list after the ones before it so that every construction is evaluated
 * where it was before the next was added.
 */
function besideFrom(claim: Claim, start: Instance, space: InstanceSpace): readonly Construction[] {
  const heads = builtOnce(headsFrom, start, space.domain, () =>
    headConstructions(start.graph.model, space, start.graph.data),
  );
  const inputs = readsInputDrive(claim, space)
    ? builtOnce(inputsFrom, start, space.domain, () =>
        inputConstructions(space, start.graph.data, preActivationsOf(start)),
      )
    : [];
  const steepest = builtOnce(steepestFrom, start, space.domain, () =>
    steepestConstructions(start.graph.model, space, start.graph.data, preActivationsOf(start)),
  );
  const patterns = readsEntryNormOfMatrix(claim, start.graph.model)
    ? builtOnce(patternsFrom, start, space.domain, () => entryPatternConstructions(space, start.graph.data))
    : [];
  const cancelling = boundsDerivativeFromBelow(claim)
    ? builtOnce(cancellingFrom, start, space.domain, () =>
        cancellingConstructions(start.graph.model, space, start.graph.data, preActivationsOf(start)),
      )
    : [];
  const extreme = readsRecurrentNorm(claim, space)
    ? builtOnce(extremeFrom, start, space.domain, () => extremeRecurrentConstructions(space, start.graph.data))
    : [];
  return [...isolatingFrom(start, space), ...heads, ...inputs, ...steepest, ...patterns, ...cancelling, ...extreme].map(
    (c) => ({
      ...c,
      data: space.copy(c.data),
    }),
  );
}

/**
 * The constructions evaluated beside a start's path after every other beside it (those of besideFrom, the premise's
 * edges, the entrywise and aligned ones and the gates at a premise's level), so that each of those is evaluated where
 * it was: the parameters the claim's norms read vanishing, then the initial states it reads and the input weights of
 * a derivative with respect to an input far out (../numeric/adversarial.ts vanishingConstructions, farOutConstructions).
 */
function lastBesideFrom(claim: Claim, start: Instance, space: InstanceSpace): readonly Construction[] {
  const normRead = normReadParameters(claim, space);
  let vanishing: readonly Construction[] = [];
  if (vanishingCount(space, normRead, takesRadius(claim))) {
    let byKey = vanishingFrom.get(start);
    if (!byKey) vanishingFrom.set(start, (byKey = new Map<string, readonly Construction[]>()));
    const key = `${space.domain} ${[...normRead].join(',')} ${takesRadius(claim)}`;
    vanishing = byKey.get(key) ?? [];
    if (!byKey.has(key))
      byKey.set(key, (vanishing = vanishingConstructions(space, start.graph.data, normRead, takesRadius(claim))));
  }
  const nearInputs = nearInputsOf(claim, space);
  const nearZero = nearZeroInputCount(space, nearInputs)
    ? builtOnce(nearZeroFrom, start, space.domain, () =>
        nearZeroInputConstructions(space, start.graph.data, preActivationsOf(start), nearInputs),
      )
    : [];
  const kinks = builtOnce(kinksFrom, start, space.domain, () =>
    kinkConstructions(start.graph.model, space, start.graph.data, kinkArgumentsOf(start), statesAt(start)),
  );
  return [...vanishing, ...farOutFrom(claim, start, space), ...nearZero, ...kinks].map((c) => ({
    ...c,
    data: space.copy(c.data),
  }));
}

/** by start and domain, built once as the others are (the kinks are the model's: the same for every claim) */
const kinksFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();

/** by start and domain, built once as the others are (the inputs are the model's: the same for every claim) */
const nearZeroFrom = new WeakMap<Instance, Map<SearchDomain, readonly Construction[]>>();

/**
 * The inputs a gate's input weights multiply, for a claim that reads them or those weights (readsInputDrive): at each
 * gate setting their last step goes near 0 (../numeric/adversarial.ts nearZeroInputConstructions). Empty otherwise.
 */
function nearInputsOf(claim: Claim, space: InstanceSpace): ReadonlySet<string> {
  if (!readsInputDrive(claim, space)) return new Set();
  const names = inputDriveNames(space);
  return new Set(space.blocks.filter((b) => b.role === 'input' && names.has(b.name)).map((b) => b.name));
}

/** The isolating constructions from a start (beyond the regimes), built once as constructionsFrom's are. */
function isolatingFrom(start: Instance, space: InstanceSpace): readonly Construction[] {
  if (space.domain !== 'beyond') return [];
  let built = isolatedFrom.get(start);
  if (!built)
    isolatedFrom.set(start, (built = isolatingConstructions(space, start.graph.data, preActivationsOf(start))));
  return built;
}

/**
 * The sequences a premise bounds the values of at the steps it reads them, at the instance's sizes: a step that reads a
 * claim's quantified variable (h[T-k]), or falls outside 1..T, is left out (a gate is then solved at T).
 */
const levelTargets = (valued: readonly ValuedSequence[], sizes: IntEnv): LevelTarget[] =>
  valued.map(({ name, steps }) => ({
    name,
    steps: steps.flatMap((a) => {
      const t = boundValue(a, sizes);
      return t !== undefined && t >= 1 && t <= (own(sizes, HORIZON) ?? 0) ? [t] : [];
    }),
  }));

/** A kink's argument at a step on a construction's data (../numeric/kink-constructions.ts): the model's expression there. */
const kinkArgumentsOf =
  (start: Instance): KinkArgument =>
  (data, argument, t) => {
    const graph = new Unrolled(start.graph.model, start.graph.program, data);
    const at = substituteInts(argument, nameRecord([[TIME_VAR, t]]));
    return asDense(new Evaluator(graph, start.sizes, false).evaluate(at, start.sizes)).data;
  };

/** A state's values at a step, from the model's forward pass on a construction's data. */
const statesAt =
  (start: Instance): StateAt =>
  (data, name, t) =>
    new Unrolled(start.graph.model, start.graph.program, data).value({ name, time: t });

/**
 * The path from one start: the structured constructions, then the evolution strategy from the best
 * instance so far, one evaluated instance per step (a function of the start and the claim alone).
 */
function* searchFrom(
  claim: Claim,
  start: Start,
  domain: SearchDomain,
  admissible: SearchRequest['admissible'],
  toPremiseEdges: SearchRequest['toPremiseEdges'],
  entrywise: readonly string[] = [],
  jointly: readonly string[] = [],
  toOwnEdge?: SearchRequest['toOwnEdge'],
  valued: readonly LevelTarget[] = [],
  toLevelEdge?: SearchRequest['toLevelEdge'],
): Generator<{ points: Point[]; construction: boolean; outsidePremise: boolean; side?: true }, void, void> {
  const { instance } = start;
  const { model, program } = instance.graph;
  const space = new InstanceSpace(model, instance.sizes, instance.regime, domain);
  // The graph built last: a read-out solve's graphs, and the proposal it returns, differ from it in the read-out
  // alone, and share its forward states (the graph checks that its data allow it, and computes them otherwise).
  let lastGraph: Unrolled | undefined;
  // (the variant numbers which agreements are decided again, ./points.ts spreadTies: the isolating constructions beside
  // the path count apart, so that the path's are what they were without them)
  let variants = 0;
  let sideVariants = SIDE_VARIANTS;
  const entryFor = (data: MutableData, side = false): InstanceEntry => {
    const graph = (lastGraph = new Unrolled(model, program, data, lastGraph));
    // its points are not cross-checked (runPoints without reference checks): nothing notes what they read
    const evaluator = new Evaluator(graph, instance.sizes, false);
    return { instance: { ...instance, graph, variant: side ? ++sideVariants : ++variants }, evaluator };
  };
  /** the proposal's points; none where it left the premise (`outside` then says so) */
  let outside = false;
  /** the claim's points at an instance, a violation only at a kink's exact tie set aside (tieChecked) */
  const pointsAt = (entry: InstanceEntry): Point[] =>
    tieChecked(claim, entry, runPoints(claim, entry, 0, null), admissible);
  const evaluate = (data: MutableData, side = false): Point[] => {
    const entry = entryFor(data, side);
    outside = admissible !== undefined && !admissible(entry);
    return outside ? [] : pointsAt(entry);
  };
  /**
   * A construction's points: where it left the premise, at the premise's edge (beyond the regimes, with a premise;
   * its data then what the path goes on from), else none. Returns the data evaluated.
   */
  const evaluateConstruction = (
    data: MutableData,
    side = false,
    rebuild?: Construction['rebuild'],
  ): { points: Point[]; data: MutableData } => {
    const points = evaluate(data, side);
    if (!outside || !toPremiseEdges) return { points, data };
    // built again at each scale where it can be (its centring kept); where no such scale meets the premise (one on the
    // states the construction sets itself), its data scaled as any instance's
    const entry = entryFor(data, side);
    let [moved] = rebuild ? toPremiseEdges(entry, rebuild) : [];
    moved ??= toPremiseEdges(entry)[0];
    if (!moved) return { points, data };
    outside = false;
    return { points: pointsAt(moved), data: moved.instance.graph.data as MutableData };
  };
  // The read-out solved on the model of the claim over it (./readout-solve.ts), when the claim has that form.
  const shape = ReadoutModelShape.of(claim, model.loss?.name ?? null, new Set(space.readouts.map((b) => b.name)));
  const envs = shape ? bindings(claim, instance.sizes) : [];
  // The in-regime path's seeds are the ones it always had (replays of earlier counterexamples stay valid).
  const tag = (what: string) => (domain === 'regime' ? what : `${what} ${domain}`);
  const solveRng = new Rng(deriveSeed(instance.seed, tag('readout'), claim.id, JSON.stringify(instance.sizes)));
  const affinity = { checked: false };
  const refine = shape
    ? (data: MutableData) =>
        solveReadout(shape, claim, space, data, envs, (d) => entryFor(d).evaluator, solveRng, affinity)
    : undefined;
  // Beside the path: the head and isolating constructions, whose fitness the path does not start from (runPhase), their
  // read-outs solved with a generator and a record of their own, so that the path is what it was without them.
  const sideRng = new Rng(
    deriveSeed(instance.seed, tag('readout isolating'), claim.id, JSON.stringify(instance.sizes)),
  );
  const sideAffinity = { checked: false };
  /** side constructions, each evaluated with its read-out solved (by the side's generator and record) */
  function* beside(list: readonly Construction[]) {
    for (const c of list) {
      const data = shape
        ? (solveReadout(shape, claim, space, c.data, envs, (d) => entryFor(d, true).evaluator, sideRng, sideAffinity) ??
          c.data)
        : c.data;
      const { points } = evaluateConstruction(data, true, c.rebuild);
      yield { points, construction: true, outsidePremise: outside, side: true as const };
    }
  }
  yield* beside(besideFrom(claim, instance, space));
  // Beside the path too, with a premise: the start at the premise's edge above and below it, where a bound under it is
  // often tightest (where an edge is missing, the start itself: every evaluation counted is one).
  if (toPremiseEdges) {
    const start = entryFor(instance.graph.data as MutableData, true);
    const edges = toPremiseEdges(start);
    for (let k = 0; k < PREMISE_EDGE_EVALUATIONS; k++)
      yield {
        points: pointsAt(edges[k] ?? start),
        construction: true,
        outsidePremise: false,
        side: true,
      };
  }
  // Beside the path too, for a premise that bounds parameters entrywise: each at the premise's edge with every entry
  // there in a rank-one sign pattern, the drives at their peak (the edge a construction reaches first; where scaling
  // finds none, the construction as built if the premise holds there).
  if (toPremiseEdges && entrywise.length)
    for (const c of entrywiseAtCap(space, instance.graph.data, entrywise)) {
      const entry = entryFor(c.data, true);
      const target = toPremiseEdges(entry, c.rebuild)[0] ?? (!admissible || admissible(entry) ? entry : null);
      yield {
        points: target ? pointsAt(target) : [],
        construction: true,
        outsidePremise: !target,
        side: true,
      };
    }
  // Beside the path too, for a premise that names several parameters: them aligned at the drives' peak, brought into the
  // premise (its nearest edge, scaling them together) where they are not in it, then each in turn alone to its own edge,
  // the others held — in the premise's order, then in the reverse one. Scaled together they stop where the first
  // condition binds; the supremum is often where each binds (W at ‖W‖ ≤ 1.05 and U at ‖W‖‖U‖ ≤ 1), which coordinate by
  // coordinate from small values reaches (after the entrywise ones, so that each of those is evaluated where it was).
  const aligned = toPremiseEdges && toOwnEdge ? alignedAtPeak(space, instance.graph.data, jointly) : null;
  if (aligned)
    for (const order of [jointly, [...jointly].reverse()]) {
      let entry: InstanceEntry | null = entryFor(space.copy(aligned), true);
      if (admissible && !admissible(entry)) entry = toPremiseEdges!(entry)[0] ?? null;
      for (const name of order) if (entry) entry = toOwnEdge!(entry, name) ?? entry;
      yield {
        points: entry ? pointsAt(entry) : [],
        construction: true,
        outsidePremise: !entry,
        side: true,
      };
    }
  // Beside the path too, for a premise on gates' values: those gates at the premise's edge by their biases, every
  // parameter they do not need at 0, the states at +1 and at −1 (after the aligned ones, for the same reason).
  if (toLevelEdge)
    for (const atLevel of gatesAtLevel(
      space,
      instance.graph.data,
      preActivationsOf(instance),
      statesAt(instance),
      valued,
    )) {
      const entry = toLevelEdge(entryFor(instance.graph.data as MutableData, true), atLevel);
      yield {
        points: entry ? pointsAt(entry) : [],
        construction: true,
        outsidePremise: !entry,
        side: true,
      };
    }
  // Beside the path last: the parameters the claim's norms read vanishing, states and input weights far out
  yield* beside(lastBesideFrom(claim, instance, space));
  let best = { data: instance.graph.data, fitness: start.fitness };
  for (const c of constructionsFrom(instance, space)) {
    // A construction shapes the weights; the read-out that suits them is solved for.
    const { points, data } = evaluateConstruction(refine?.(c.data) ?? c.data);
    yield { points, construction: true, outsidePremise: outside };
    const fitness = fitnessOf(points, claim.relation);
    // an equality to rounding is no place to climb from (promise): with the drives at their peak h ≡ 0, and
    // ‖∇_W L‖ ≤ Σ_t ‖∇_{h_t} L‖ given ‖h_0‖_max ≤ 1 was 0 against 0 there, exact once the enclosures took ‖0‖₂ as 0;
    // the strategy started from it, where no step gets past the equality, and the claim, false, was consistent
    if (promise(fitness) > promise(best.fitness)) best = { data, fitness };
  }
  const rng = new Rng(deriveSeed(instance.seed, tag('search'), claim.id, JSON.stringify(instance.sizes)));
  const proposals = evolve(space, best.data, best.fitness, rng, refine);
  let proposal = proposals.next().value;
  for (;;) {
    const points = evaluate(proposal);
    yield { points, construction: false, outsidePremise: outside };
    // (an equality to rounding as no step forward, as a construction at one is no start: see above)
    proposal = proposals.next(promise(fitnessOf(points, claim.relation))).value;
  }
}

/** What probing an equality found (equalityProbe): counts, and the smallest violation with its construction. */
export interface ProbeOutcome {
  readonly constructions: number;
  readonly violations: number;
  /** violations float64 found that nothing could decide again (trouble, as the drawn points count them) */
  readonly undecided: number;
  readonly violation: { readonly point: Point; readonly index: number; readonly construction: string } | null;
}

/**
 * For an equality whose closed forms differ (the symbolic stage's `different`) where every drawn point agrees: from an
 * instance, the structured constructions beyond the regimes (../numeric/adversarial.ts `constructions`: the drives'
 * peak, gates and units saturated at the ends of laws 8× as wide, …), and the initial states and the last step's inputs
 * read outside every squashing activation 100× and 10⁴× the edge of their box (`farOutConstructions`), each evaluated
 * once (no path: an equality has no ratio to climb). An equality false only where a unit passes a kink the regimes
 * never reach held at every drawn point: a ReLU6's `jac(h[T], h[T-1]) = diag(step(z[T]))*W` (its clip at 6 dropped),
 * `jac(g[T], g[T-1]) = W` of a clip at ±30 or ±100 (review158, consistent at 200 instances). Points outside a premise
 * (`admissible`) are left out. Only the counts and the smallest violation are kept: a point holds its instance's graph,
 * and a claim over large forms kept every construction's (out of a 250 MB heap: test/check/shared-structure.test.ts).
 * `only`: that construction alone (a counterexample's export rebuilds it).
 */
export function equalityProbe(
  claim: Claim,
  instance: Instance,
  admissible?: SearchRequest['admissible'],
  only?: number,
): ProbeOutcome {
  const { model, program } = instance.graph;
  if (!hasKinks(model)) return { constructions: 0, violations: 0, undecided: 0, violation: null };
  const space = new InstanceSpace(model, instance.sizes, instance.regime, 'beyond');
  const start = instance.graph.data;
  const states = new Set(space.blocks.filter((b) => b.role === 'state').map((b) => b.name));
  let ungated = ungatedByModel.get(model);
  if (!ungated) ungatedByModel.set(model, (ungated = ungatedInputs(model)));
  const list = [
    ...constructions(space, start),
    ...farOutConstructions(space, start, new Set(), false, ungated),
    ...farOutConstructions(space, start, states, false),
    // last, so that a replay's index of every other stays what it was
    ...kinkConstructions(model, space, start, kinkArgumentsOf(instance), statesAt(instance)),
  ];
  let [evaluated, violations, undecided] = [0, 0, 0];
  let violation: ProbeOutcome['violation'] = null;
  list.forEach((c, index) => {
    if (only !== undefined && index !== only) return;
    evaluated++;
    const graph = new Unrolled(model, program, c.data);
    const entry: InstanceEntry = {
      instance: { ...instance, graph, variant: PROBE_VARIANTS + index },
      evaluator: new Evaluator(graph, instance.sizes, false),
    };
    const points = admissible && !admissible(entry) ? [] : runPoints(claim, entry, 0, null);
    undecided += undecidedViolationCount(points);
    // a violation that a nudge of every value makes vanish sits on a tie (a = b in a max), where no derivative exists
    // and the sweeps' ½ is a convention: not evidence against the claim
    if (!points.some((p) => p.outcome.status === 'violate')) return;
    const nearby = violationNearby(claim, entry, admissible);
    if (!nearby) return;
    const violating = counterexamplePoints(points, nearby).filter((p) => p.outcome.status === 'violate');
    violations += violating.length;
    for (const point of violating)
      if (!violation || smaller(point, violation.point) < 0) violation = { point, index, construction: c.name };
  });
  return { constructions: evaluated, violations, undecided, violation };
}

/**
 * Whether the model reads a kink (max, min, |·|, a step, or a declared function, which may have one): only there does
 * a region past the regimes hold what they cannot show. Where every operation is smooth, what lies beyond is
 * saturation, where an equality's two forms differ only by what float64 and the decimals lose (1 − tanh²(81) is 0
 * in both, its sech² form 1e-70: review159's 21 false alarms on true identities).
 */
export function hasKinks(model: Model): boolean {
  let kinked = kinkedModels.get(model);
  if (kinked === undefined) {
    kinked = false;
    for (const e of [...model.equations.map((q) => q.rhs), ...(model.loss ? [model.loss.rhs] : [])])
      walk(e, (x) => (kinked ||= x.kind === 'op' && KINKS.has(x.op)));
    kinkedModels.set(model, kinked);
  }
  return kinked;
}
const KINKS = new Set(['max2', 'min2', 'abs', 'step', 'ufn']);
const kinkedModels = new WeakMap<Model, boolean>();

/**
 * How far violationNearby moves each value: this much of its magnitude, and this much absolutely. Off any exact tie, and
 * inside a violation one side of a kink holds in a sliver: a SELU's `‖J‖ ≤ 1.679998‖W‖` fails only for pre-activations
 * in (−1.2e-6, 0) (test/check/one-sided-steepest.test.ts), which a nudge of 1e-7 left.
 */
const NUDGE = 1e-9;
/** The nudges tried: every value up, every value down, and two sign patterns drawn from the instance's seed. */
const NUDGE_PATTERNS = 4;
/** Where the variant numbers of nudged instances start (apart from the paths', the sides' and the probe's). */
const NUDGE_VARIANTS = 2 ** 22;

/**
 * The claim's points at the first nudge where it also fails (null: at none), every value moved by NUDGE·(|v| + 1): up, down, or in a sign pattern
 * drawn from the instance's seed (NUDGE_PATTERNS). A ReLU past a clip stays past it; a unit at a tie (z = 0 exactly,
 * where every drive is 0) leaves it, and so does the ½ the sweeps take there, which is a convention where no derivative
 * exists, not evidence: min(max(0, z), z) is z, yet its ½ and ½ compose to ¾ at z = 0 (review159's false alarm on
 * `jac = W`), and ReLU′ − ReLU′² is 0 everywhere but ¼ at the drives' peak, where the search's first construction puts
 * every unit. Several nudges: a claim false on one side of a kink only is false at some nudge.
 */
function violationNearby(claim: Claim, entry: InstanceEntry, admissible?: SearchRequest['admissible']): Point[] | null {
  const { instance } = entry;
  const { model, program, data } = instance.graph;
  const space = new InstanceSpace(model, instance.sizes, instance.regime, 'beyond');
  const rng = new Rng(deriveSeed(instance.seed, 'probe nudge', claim.id, String(instance.variant ?? 0)));
  for (let pattern = 0; pattern < NUDGE_PATTERNS; pattern++) {
    const nudged = space.copy(data);
    for (const b of space.blocks) {
      const v = space.values(nudged, b);
      for (let i = 0; i < v.length; i++) {
        const sign = pattern === 0 ? 1 : pattern === 1 ? -1 : rng.uniform() < 0.5 ? -1 : 1;
        v[i]! += sign * NUDGE * (Math.abs(v[i]!) + 1);
      }
    }
    const graph = new Unrolled(model, program, nudged);
    const near: InstanceEntry = {
      instance: { ...instance, graph, variant: NUDGE_VARIANTS + pattern },
      evaluator: new Evaluator(graph, instance.sizes, false),
    };
    if (admissible && !admissible(near)) continue;
    const points = runPoints(claim, near, 0, null);
    if (points.some((p) => p.outcome.status === 'violate')) return points;
  }
  return null;
}

/**
 * How far a violating point's sides may move under the nudge, relative to their largest entry, and still be the tie's
 * own values: a smooth claim moves by about the nudge (1e-9) times its condition; a value read at a tie (the sweeps' ½)
 * jumps to a side's slope. The sides, not the relative error: against a right side of 0 both are 1 whatever the left
 * side was (review163: 11 counterexamples printed at z_T = 0 exactly, the left side the ½ convention).
 */
const TIE_SENSITIVE = 1e-6;

/** Whether two values of one side differ by more than TIE_SENSITIVE of their largest entry. */
function moved(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return true;
  let [scale, apart] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]!), Math.abs(b[i]!));
    apart = Math.max(apart, Math.abs(a[i]! - b[i]!));
  }
  return !(apart <= TIE_SENSITIVE * scale);
}

/**
 * Where the nudged instance's violation is not the tie's own (a violating point's sides moved past TIE_SENSITIVE), the
 * nudged points stand for the counterexample, marked `offKinkTie`: they fail with derivatives that exist, where the
 * tie's values were a convention a reader cannot check by hand.
 */
function counterexamplePoints(points: Point[], nearby: Point[]): Point[] {
  const tieMatters =
    points.length !== nearby.length ||
    points.some(
      (p, i) =>
        p.outcome.status === 'violate' &&
        (moved(p.outcome.lhs, nearby[i]!.outcome.lhs) || moved(p.outcome.rhs, nearby[i]!.outcome.rhs)),
    );
  if (!tieMatters) return points;
  return nearby.map((p) =>
    p.outcome.status === 'violate' ? { ...p, outcome: { ...p.outcome, offKinkTie: true } } : p,
  );
}

/**
 * A search's points with each violation of a model that reads a kink confirmed nearby (violationNearby): where no nudge
 * violates, the violation lies on a kink's exact tie and is set aside as trouble (`atKinkTie`), and the search goes on;
 * where one does, and the tie moved it, the nudged points stand (counterexamplePoints).
 */
function tieChecked(
  claim: Claim,
  entry: InstanceEntry,
  points: Point[],
  admissible?: SearchRequest['admissible'],
): Point[] {
  if (!hasKinks(entry.instance.graph.model) || !points.some((p) => p.outcome.status === 'violate')) return points;
  const nearby = violationNearby(claim, entry, admissible);
  if (nearby) return counterexamplePoints(points, nearby);
  return points.map((p) =>
    p.outcome.status !== 'violate'
      ? p
      : {
          ...p,
          outcome: {
            status: 'trouble' as const,
            reason: 'violated only at a kink’s exact tie (a nudge of every value by 1e-9 removes it)',
            lhs: p.outcome.lhs,
            rhs: p.outcome.rhs,
            compared: p.outcome.compared,
            atKinkTie: true as const,
          },
        },
  );
}

/** The variants an equality's probe numbers its instances from (apart from the search's paths and sides). */
const PROBE_VARIANTS = 2 ** 21;
