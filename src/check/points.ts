/**
 * One claim at every binding of one instance: both sides evaluated on the
 * exact reference and compared (./compare.ts), with the reference itself
 * cross-checked at sampled bindings. Random instances and the adversarial
 * search's instances go through exactly this, so they are judged alike.
 */
import { type Claim, REGIMES } from '../derivation/derivation.js';
import { InputError } from '../derivation/errors.js';
import type { IntEnv } from '../ir/affine.js';
import { walk } from '../ir/expr.js';
import { specOf } from '../ops/index.js';
import { HORIZON } from '../model/model.js';
import { own } from '../ir/names.js';
import { DomainError, type Evaluator } from '../numeric/evaluate.js';
import type { Instance } from '../numeric/instance.js';
import { deriveSeed, Rng } from '../numeric/prng.js';
import { checkReference, type ReferenceCheck, vouchedWithin } from '../numeric/reference-check.js';
import { dense, type Value } from '../numeric/values.js';
import { ownLostPrecision, takeLostPrecision } from '../numeric/lost-digits.js';
import { bindings } from './bindings.js';
import { comparePoint, type PointOutcome, type Probes } from './compare.js';
import { extendedLook, type ExtendedScope, lookReason } from './extended-check.js';

export interface Point {
  readonly instance: Instance;
  readonly env: IntEnv;
  readonly outcome: PointOutcome;
  /**
   * a violation whose own reference was cross-checked: every derivative the claim read here was checked (dual numbers
   * against adjoints, and finite differences that resolved it and agreed), and the violation is larger than what those
   * differences could have missed (`vouchedWithin`). Such a point refutes the claim even where the reference failed
   * its cross-check at another point (src/check/verdict.ts). Absent otherwise.
   */
  readonly crossChecked?: true;
}

export interface InstanceEntry {
  readonly instance: Instance;
  readonly evaluator: Evaluator;
}

/** Reverse sweeps share work when every derivative's target is fixed across the quantifiers. */
function prefersRows(claim: Claim): boolean {
  const quantified = new Set(claim.forall.map((q) => q.name));
  let targetsFixed = true;
  let any = false;
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (e) => {
      if (e.kind !== 'op' || !specOf(e).graphDerivative) return;
      any = true;
      const of = e.args[0]!;
      if (of.kind === 'seq' && Object.keys(of.time.terms).some((v) => quantified.has(v))) targetsFixed = false;
    });
  return any && targetsFixed;
}

/**
 * A claim's two sides at `env` on an entry's evaluator, as its points evaluate them: with the claim's Jacobians
 * materialised by rows or columns as `prefersRows` says (rows and columns round differently, so a side evaluated the
 * other way is not the value that was compared). The exported counterexample (./export-instance.ts) evaluates them here
 * too: a fresh evaluator materialised by columns, and `norm2(jac(h[T], h[T-2]))` exported 4.14e-18 where the point's
 * was 2.66e-18 — the export could not replay the violation it was written for.
 */
export function claimSides(claim: Claim, entry: InstanceEntry, env: IntEnv): [Value, Value] {
  entry.evaluator.preferRows = prefersRows(claim);
  return entry.evaluator.evaluateSides(claim.lhs, claim.rhs, env);
}

/** A violation beyond what every cross-check of the derivatives its point read could have missed (Point.crossChecked). */
function crossCheckedViolation(outcome: PointOutcome, checks: readonly ReferenceCheck[]): boolean {
  if (outcome.status !== 'violate' || !checks.length) return false;
  const vouched = checks.map(vouchedWithin);
  return vouched.every((v) => v !== null && outcome.relError > v);
}

export function runPoints(
  claim: Claim,
  entry: InstanceEntry,
  crossChecks: number,
  refChecks: ReferenceCheck[] | null,
): Point[] {
  const { instance, evaluator } = entry;
  evaluator.preferRows = prefersRows(claim);
  const probeCache = new Map<number, Probes>();
  const probesFor = (n: number) => (): Probes => {
    let p = probeCache.get(n);
    if (!p) {
      const rng = new Rng(deriveSeed(instance.seed, 'probe', claim.id));
      p = { vectors: [0, 1].map(() => dense(n, 1, rng.fillNormal(new Float64Array(n)))), left: evaluator.preferRows };
      probeCache.set(n, p);
    }
    return p;
  };
  const envs = bindings(claim, instance.sizes);
  // The first and last bindings (shortest and longest lag, typically), then the middle one.
  const sampledList =
    envs.length > 0 ? [0, envs.length - 1, Math.floor((envs.length - 1) / 2)].slice(0, crossChecks) : [];
  const sampled = new Set(sampledList);
  // Finite differences cost a re-run of the unrolled graph per evaluation: run them at the first
  // sampled binding of every instance, and at all sampled bindings of the first instance per regime.
  const fdEverywhere = instance.index < REGIMES.length;
  const refRng = new Rng(deriveSeed(instance.seed, 'reference', claim.id));
  const extendedScope: ExtendedScope = new Map();
  const point = (env: IntEnv, i: number): Point => {
    evaluator.clearTouched();
    // The record of digits lost on the way (subnormals, cancellation) covers both sides and the comparison (which applies lazy sides to probes).
    takeLostPrecision();
    const [lhs, rhs] = claimSides(claim, entry, env);
    const first = comparePoint(
      lhs,
      rhs,
      claim.relation,
      claim.tolerance,
      probesFor(evaluator.preferRows ? lhs.rows : lhs.cols),
    );
    // the claim's own part first: the take clears both
    const ownLost = ownLostPrecision();
    const lostPrecision = takeLostPrecision();
    const mine: ReferenceCheck[] = [];
    if (refChecks && sampled.has(i))
      for (const d of evaluator.touched.values())
        mine.push(checkReference(evaluator, d, refRng, fdEverywhere || i === sampledList[0]));
    refChecks?.push(...mine);
    // Overflow, underflow or a violation within rounding distance: decided again in extended precision
    // (after the cross-checks, which cover the derivatives the claim itself evaluated).
    const why = lookReason(first, claim.tolerance, lostPrecision);
    if (why === 'lost-digits' && first.status === 'agree') {
      agreements.push({ i, env, first, lostPrecision, ownLost, closeness: first.relError });
      return { instance, env, outcome: first };
    }
    const outcome = why ? extendedLook(claim, entry, env, first, lostPrecision, extendedScope) : first;
    return crossCheckedViolation(outcome, mine)
      ? { instance, env, outcome, crossChecked: true }
      : { instance, env, outcome };
  };
  // Agreements within reach of the digits lost on the way, decided again after the others: the ones that lost most.
  const agreements: {
    i: number;
    env: IntEnv;
    first: PointOutcome;
    lostPrecision: number;
    ownLost: number;
    closeness: number;
  }[] = [];
  const located = <T>(compute: () => T): T => {
    // Products and Jacobians are lazy: a factor outside the graph may first be read by the comparison.
    try {
      return compute();
    } catch (err) {
      if (err instanceof DomainError)
        throw new InputError(
          claim.pos,
          `claim '${claim.id}' leaves the unrolled graph: ${err.message}`,
          err.expected ?? 'quantifier ranges that keep every time index inside 0..T',
        );
      throw err;
    }
  };
  // A claim false everywhere by less than what rounding hides (1 + 1e-17 is 1 in float64) shows at any of its
  // points, so the few that lost most suffice. The decimals also simulate the whole instance again (about T × its
  // parameter entries products, tanh and σ in 40 digits): seconds at d = 64, T = 256, where 1 − h² cancels at
  // every saturated unit; above a size the agreements keep their float64 outcome. The evidence counts the rest.
  // They are a sample: where one of them is not confirmed as an agreement (a violation, or trouble), float64's word
  // for the others on this instance is no evidence either, and they are trouble too (the false
  // `(1 - sigma(100)) * x <= 1e-50 * x` at 23 bindings per instance was consistent on the 20 that stood).
  function decideAgainAgreements(points: Point[]): void {
    const forwardWork = decimalForwardWork(instance);
    // Ties broken by what the claim's own evaluation lost: a claim reading a value the forward pass lost every digit
    // of carries that figure at every binding, and its points would otherwise go in binding order (the false
    // `((exp(10^(-4*k)) - 1) * 10^(4*k)) * norm2(g[T]) <= 1.5 * exp(-(2^k)/23) * norm2(g[T])`, false from k = 4
    // where its own cancellation is total, was consistent on k = 1..3).
    const byLoss = spreadTies(
      [...agreements].sort((a, b) => b.lostPrecision - a.lostPrecision || b.ownLost - a.ownLost || a.i - b.i),
      instance.index + SEARCH_ROTATION * (instance.variant ?? 0),
    );
    // Beyond the sample, an instance of the claim's own draw (not the search's hundreds of variants) decides more
    // while what its looks have cost stays within the budget: every one on a small instance. Counted in the products
    // the looks spent, not estimated: a look may cost far more than the forward pass (W^j in decimals for j to 100).
    const budget = refChecks ? AGREEMENT_SAMPLE_WORK : 0;
    const spent = (): number => {
      let used = 0;
      for (const ext of extendedScope.values()) used += ext.workUsed;
      return used;
    };
    const before = spent();
    // the reasons an agreement stands, written once per instance (not once per agreement)
    const tooLarge = `the instance is too large for a second look at agreements: ≈ ${forwardWork} decimal products, more than ${AGREEMENT_LOOK_WORK}`;
    const notAmongDecided = `only some per instance are: the ${AGREEMENTS_DECIDED_AGAIN} that lost the most digits (among ties the closest to the tolerance, the first, middle and last, and one that moves by instance), and more while their looks cost under ${AGREEMENT_SAMPLE_WORK} products`;
    let sampleConfirmed = true;
    byLoss.forEach((a, rank) => {
      const first = a.first as PointOutcome & { status: 'agree' };
      const stands = (why: string): PointOutcome => ({ ...first, unsettled: { was: 'lost-digits', why } });
      let outcome: PointOutcome;
      if (forwardWork > AGREEMENT_LOOK_WORK) outcome = stands(tooLarge);
      else if (rank < AGREEMENTS_DECIDED_AGAIN || spent() - before < budget) {
        outcome = located(() => extendedLook(claim, entry, a.env, a.first, a.lostPrecision, extendedScope));
        if (outcome.status !== 'agree') sampleConfirmed = false;
      } else if (sampleConfirmed) outcome = stands(notAmongDecided);
      else
        outcome = {
          status: 'trouble',
          reason: `an agreement within reach of the digits values lost on the way, on an instance where those that lost the most were not confirmed in extended precision`,
          lhs: first.lhs,
          rhs: first.rhs,
          compared: first.compared,
        };
      points[a.i] = { instance, env: a.env, outcome };
    });
  }
  // The claim's points run with the parameters resident in the SIMD kernels' memory (no copy per product).
  return evaluator.graph.withResidentParams(() => {
    const points = envs.map((env, i) => located(() => point(env, i)));
    decideAgainAgreements(points);
    return points;
  });
}

/**
 * Agreements in the order they are decided again (`sorted`: ranked by loss, most lost first, then binding order):
 * first the one float64 saw closest to the tolerance, the one that lost most, the middle and the last binding, and
 * positions from the golden-ratio sequence over the bindings that start elsewhere on every instance (`rotation`), up
 * to AGREEMENTS_DECIDED_AGAIN; then, while the budget lasts, the next by loss and the next moving position in turn.
 * Ranking by loss alone decides only the few that lost most where the budget runs out: with every figure tied (a claim
 * reading a value the forward pass lost every digit of) that was the first bindings, and a claim false beyond them
 * stood (`norm2(g[T]) <= sqrt(d) * (2.5e-16 + 1e-13 * 10^(-k))` with g = (1 + 3e-16) − 1, false from k = 4); with
 * figures that grow along a product (k·ε at lag k, since 2026-12-05) it was the longest lags, and a claim false only
 * at k = 1, or only at k = 40 of 1..200, stood (`prod(i, 1, k, D) * x <= (1.0001^k − 1.5e-9·1.0001^k·[k = 40]) * x`,
 * reviews found both). The closest decides a claim false at one binding that float64 saw nearest the tolerance; the
 * moving positions, one per instance in the sample and more after it, reach every binding over the instances.
 */
export function spreadTies<
  T extends {
    readonly lostPrecision: number;
    readonly ownLost: number;
    readonly closeness: number;
    readonly i: number;
  },
>(sorted: readonly T[], rotation = 0): T[] {
  const n = sorted.length;
  if (n <= AGREEMENTS_DECIDED_AGAIN) return [...sorted];
  let closest = 0;
  for (let j = 1; j < n; j++) if (sorted[j]!.closeness > sorted[closest]!.closeness) closest = j;
  // positions in `sorted` of the bindings in binding order
  const byBinding = sorted.map((_, j) => j).sort((p, q) => sorted[p]!.i - sorted[q]!.i);
  const order = new Set([closest, 0, byBinding[Math.floor((n - 1) / 2)]!, byBinding[n - 1]!]);
  // Moving positions, from the golden-ratio sequence over the bindings (r·φ mod 1, scaled to n), from position
  // `from` on: none already taken, null once 4n positions are read.
  const movingFrom = (from: number) => {
    let r = from;
    return (): number | null => {
      for (const last = from + 4 * n; r < last;) {
        const j = byBinding[Math.floor(((r++ * GOLDEN_FRACTION) % 1) * n)]!;
        if (!order.has(j)) return j;
      }
      return null;
    };
  };
  // The sample's: instance r's stretch starts where instance r − 1's stopped, so over instances 0, 1, 2, … they join
  // into one sequence, which leaves no binding out.
  const sampleMoving = movingFrom((rotation % 2 ** 20) * (AGREEMENTS_DECIDED_AGAIN - 4));
  while (order.size < AGREEMENTS_DECIDED_AGAIN) {
    const j = sampleMoving();
    if (j === null) break;
    order.add(j);
  }
  // Then the next by loss and the next moving position in turn, these from a stretch of n positions of the
  // instance's own (one starting one further on would repeat the last instance's almost entirely: a claim false
  // only at k = 100 of 1..200 stood with 70 of each instance's 200 decided again).
  const tailMoving = movingFrom(2 ** 21 + (rotation % 2 ** 20) * n);
  for (let next = 0; order.size < n;) {
    while (order.has(next)) next++;
    order.add(next);
    const j = tailMoving();
    if (j !== null) order.add(j);
  }
  return [...order].map((j) => sorted[j]!);
}
const GOLDEN_FRACTION = (Math.sqrt(5) - 1) / 2;
/** The search's variants rotate far from the draws' stretches (instance indices stay small). */
const SEARCH_ROTATION = 7919;

/** Per claim and instance: how many agreements within reach of lost digits are decided again at least. */
export const AGREEMENTS_DECIDED_AGAIN = 5;
/** The decimal products more second looks may spend on an instance of the claim's draw (a small instance: all of them). */
export const AGREEMENT_SAMPLE_WORK = 20_000;
/** The largest instance (in decimal products of a forward pass) whose agreements are decided again. */
export const AGREEMENT_LOOK_WORK = 100_000;

/** About what simulating the instance again in decimals costs: every parameter entry read once per step. */
function decimalForwardWork(instance: Instance): number {
  let entries = 0;
  for (const v of instance.graph.data.params.values()) entries += v.length;
  return entries * (own(instance.sizes, HORIZON) ?? 1);
}

/** The sum of a record's values (for…in: no array of them per comparison; an inherited key is no binding). */
function total(record: IntEnv): number {
  let s = 0;
  for (const name in record) if (Object.hasOwn(record, name)) s += own(record, name)!;
  return s;
}
const sizeWeight = (p: Point) => total(p.instance.sizes);
const bindWeight = (p: Point) => total(p.env);

/** How many of the points are violations float64 found that nothing could decide again (trouble, not refutations). */
export const undecidedViolationCount = (points: readonly Point[]): number =>
  points.filter((p) => p.outcome.status === 'trouble' && p.outcome.undecidedViolation).length;

/**
 * How many of the points are trouble whose sides differ by no more than rounding leaves (PointOutcome's
 * roundingResidue, and no violation left undecided): a residue against a structural 0, say.
 */
export const roundingResidueCount = (points: readonly Point[]): number =>
  points.filter((p) => p.outcome.status === 'trouble' && p.outcome.roundingResidue && !p.outcome.undecidedViolation)
    .length;

/** A search's count of such points, present only where there are some (fixtures keep their shape). */
export const roundingResiduesField = (count: number): { roundingResidues?: number } =>
  count ? { roundingResidues: count } : {};

/** An evidence's count of undecided violations, present only where there are some (fixtures keep their shape). */
export const undecidedViolationsField = (count: number): { undecidedViolations?: number } =>
  count ? { undecidedViolations: count } : {};

/** The order counterexamples are chosen in: smallest sizes, then smallest binding, then first instance. */
export const smaller = (a: Point, b: Point): number =>
  sizeWeight(a) - sizeWeight(b) || bindWeight(a) - bindWeight(b) || a.instance.index - b.instance.index;

/**
 * The claim at every binding of one instance, without cross-checks: the cheap
 * screen a repair candidate passes before it is checked in full.
 */
export function pointsOn(
  claim: Claim,
  entry: InstanceEntry,
): readonly { readonly env: IntEnv; readonly outcome: PointOutcome }[] {
  return runPoints(claim, entry, 0, null);
}
