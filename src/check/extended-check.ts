/**
 * A second look, in extended precision, at points float64 cannot decide: a
 * point that overflowed or underflowed (trouble) and a violation within
 * rounding distance of the tolerance (cancellation between terms of norm 1
 * leaves differences of 1e-9). Both sides are evaluated again from the same
 * instance with an unbounded exponent (src/symbolic/domains/extended.ts):
 * a point out of float64's range first in wide floats (float64 mantissas,
 * as accurate as float64 is in range), and with 40 significant digits where
 * that cannot decide it (no rule, or a result within rounding distance of the
 * tolerance), as a point near the tolerance always is. The point counts as
 * trouble only if that fails too, and a violation visible only beyond
 * float64's range refutes with the values shown as decimals.
 */
import type { Claim, Premise } from '../derivation/derivation.js';
import type { Model } from '../model/model.js';
import type { IntEnv } from '../ir/affine.js';
import { type Expr, type OpNode, walk } from '../ir/expr.js';
import { specOf } from '../ops/registry.js';
import { searchedSupLowerBound } from '../ops/index.js';
import { affine } from '../ir/affine.js';
import { own } from '../ir/names.js';
import { contentKey } from '../ir/content-key.js';
import { DomainError, type Evaluator } from '../numeric/evaluate.js';
import type { Instance } from '../numeric/instance.js';
import { norm2, relErr } from '../numeric/linalg.js';
import { asDense } from '../numeric/values.js';
import { ROUNDOFF, withLostPrecision } from '../numeric/lost-digits.js';
import { SymbolicModel, substituteDerivationsAt } from '../symbolic/derive.js';
import { substituteIndex } from '../symbolic/build.js';
import {
  DECIMAL_DIGITS,
  DECIMALS,
  type ExtendedArithmetic,
  type FloatValue,
  ExtendedInstance,
  INTERVALS,
  WIDE_FLOATS,
} from '../symbolic/domains/extended.js';
import {
  excessBound,
  type Interval,
  intervalFromNumber,
  intervalMidpoint,
  intervalPreview,
  relErrorBound,
} from '../symbolic/domains/interval.js';
import type { Ring, RMat } from '../symbolic/ring.js';
import { SymbolicUnsupported } from '../symbolic/unsupported.js';
import { type ExtendedValues, lazyExtendedValues, type PointOutcome, UNDERFLOW } from './compare.js';

/** the decimals' digits, as the evidence states them (the deeper decimals' are stated with their own count) */
export const EXTENDED_DIGITS = DECIMAL_DIGITS;

/**
 * An agreement is within reach of the digits lost on the way when its margin below the tolerance is less than this
 * many times the worst relative precision noted on the way (both sides may carry it, and a factor of 2 to spare).
 */
const LOST_DIGITS_REACH = 4;

/** Violations below this relative error (or 100× the tolerance) are within reach of rounding: look again. */
export const NEAR_TOLERANCE = 1e-4;

/**
 * Why float64 cannot decide this point (null: it can): the origins counted in the extended-precision evidence.
 * `lostPrecision`: the worst relative precision of a value on the way to the point, from the subnormals or
 * cancellation (src/numeric/lost-digits.ts; 0 when none).
 */
export function lookReason(outcome: PointOutcome, tolerance: number, lostPrecision = 0): ExtendedValues['was'] | null {
  if (outcome.status === 'trouble') return 'trouble';
  if (outcome.status === 'agree') {
    if (bothExactlyZero(outcome)) return 'zero';
    // Digits lost on the way can hide a violation as well as fake one: (1 + 1e-17) − σ(30) is 1 − σ(30) in float64.
    return lostPrecision > ROUNDOFF && outcome.relError + LOST_DIGITS_REACH * lostPrecision > tolerance
      ? 'lost-digits'
      : null;
  }
  if (violationRestsOnOneSidedZeros(outcome, tolerance)) return 'one-zero';
  if (lostPrecision > ROUNDOFF && nearTolerance(outcome, tolerance, lostPrecision / ROUNDOFF)) return 'lost-digits';
  return nearTolerance(outcome, tolerance) ? 'near-tolerance' : null;
}

/**
 * A violation within reach of rounding: NEAR_TOLERANCE (or 100× the tolerance) for float64's own rounding, and as
 * many times more as a value on the way had fewer digits (`coarser`: its relative precision over float64's) — a
 * subnormal value of 1e-320 keeps 10 bits, and cancellation after it can turn that into any relative error.
 */
const nearTolerance = (outcome: PointOutcome, tolerance: number, coarser = 1): boolean =>
  outcome.status === 'violate' && outcome.relError <= Math.max(NEAR_TOLERANCE, 100 * tolerance) * coarser;

/**
 * Both sides exactly 0 in float64: a true zero, or values that underflowed all the way without passing
 * through the subnormals (1e-300 · 1e-300 is 0), which would agree whatever the claim says.
 */
function bothExactlyZero(outcome: { readonly lhs: Float64Array; readonly rhs: Float64Array }): boolean {
  for (const v of [outcome.lhs, outcome.rhs]) for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/**
 * A violation that disappears once the entries exactly 0 on one side only are set aside: such a 0 may be a
 * value that underflowed on the way (1e250 · (1e-250 · (1e-250 · g)) is 0 in float64, its true value
 * 1e-250 · g), so the difference may be float64's and not the claim's. For scalars (every inequality) this is
 * a side exactly 0. A true zero against a nonzero value still violates in extended precision.
 */
function violationRestsOnOneSidedZeros(
  outcome: { readonly lhs: Float64Array; readonly rhs: Float64Array },
  tolerance: number,
): boolean {
  const { lhs, rhs } = outcome;
  if (lhs.length !== rhs.length) return false;
  let oneSided = false;
  const [a, b] = [Float64Array.from(lhs), Float64Array.from(rhs)];
  for (let i = 0; i < a.length; i++)
    if ((a[i] === 0) !== (b[i] === 0)) {
      oneSided = true;
      a[i] = b[i] = 0;
    }
  return oneSided && relErr(a, b) <= tolerance;
}

const models = new WeakMap<Model, SymbolicModel>();
const explicitModels = new WeakMap<Model, SymbolicModel>();

/**
 * The extended evaluators of one claim on one instance, one per arithmetic: values and product chains are shared
 * by the claim's points there, and the work budget is spent by them alone. Scoped to the claim, not to the instance
 * (which a pool shares among claims): a budget, and what earlier looks left memoised, shared across claims would let
 * one claim's outcome depend on which claims were checked before it on the same instance.
 */
export type ExtendedScope = Map<string, ExtendedInstance<unknown>>;

/**
 * The model's closed forms. An arithmetic of enclosures takes ∇_y L written out from the loss (v + h_T): as an atom
 * its value would be float64's, which encloses nothing. The others keep the atom as the texts write it.
 */
function symbolicModel(model: Model, enclosures: boolean): SymbolicModel {
  const cache = enclosures ? explicitModels : models;
  let sm = cache.get(model);
  if (!sm) {
    sm = new SymbolicModel(model, enclosures ? 'explicit' : 'atom');
    cache.set(model, sm);
  }
  return sm;
}

/**
 * The trees `closedFormsWherePossible` built, by model, side and binding: every look (interval, wide float,
 * decimal), every instance and every repair candidate sharing a side asks again for the same binding, and a tree
 * built afresh is walked again for its content keys. The result is a function of these three alone (the model's
 * closed forms, and their absence, are memoised), so reusing it changes nothing.
 */
const closedFormTrees = new WeakMap<SymbolicModel, WeakMap<Expr, Map<string, Expr>>>();

function closedFormsWherePossible(e: Expr, sm: SymbolicModel, env: IntEnv): Expr {
  let bySide = closedFormTrees.get(sm);
  if (!bySide) closedFormTrees.set(sm, (bySide = new WeakMap<Expr, Map<string, Expr>>()));
  let byBinding = bySide.get(e);
  if (!byBinding) bySide.set(e, (byBinding = new Map<string, Expr>()));
  let binding = '';
  for (const name of Object.keys(env).sort()) binding += `${name}=${own(env, name)};`;
  let tree = byBinding.get(binding);
  if (!tree) byBinding.set(binding, (tree = closedFormsBuilt(e, sm, env)));
  return tree;
}

/** Every derivative replaced by its closed form at this binding where it has one; the others stay, with concrete times (the float engine supplies them). */
function closedFormsBuilt(e: Expr, sm: SymbolicModel, env: IntEnv): Expr {
  const go = (x: Expr): Expr => {
    if (x.kind !== 'op') return x;
    if (specOf(x).graphDerivative === true)
      try {
        return substituteDerivationsAt(x, sm, env);
      } catch (err) {
        if (!(err instanceof SymbolicUnsupported)) throw err;
        return Object.entries(env).reduce((acc, [name, value]) => substituteIndex(acc, name, affine(value)), x as Expr);
      }
    // A node whose children come back as they were is kept: content keys are found by node identity first.
    const args = x.args.map(go);
    return args.every((a, k) => a === x.args[k]) ? x : { ...x, args };
  };
  return go(e);
}

/** An arithmetic's evaluator in a claim's scope, by name, rounding tracked or not, and products chained or not. */
const scopeKey = (
  arithmetic: Pick<ExtendedArithmetic<unknown>, 'name' | 'tracksRounding'>,
  chainsProducts: boolean,
): string => `${arithmetic.name}${arithmetic.tracksRounding ? ' rounding' : ''}${chainsProducts ? '' : ' unchained'}`;

function extendedOf<R>(
  arithmetic: ExtendedArithmetic<R>,
  scope: ExtendedScope,
  instance: Instance,
  evaluator: Evaluator,
  sm: SymbolicModel,
  chainsProducts: boolean,
): ExtendedInstance<R> {
  // Enclosures take a rigorous lower bound of each sup: the loader admits a sup only where the claim's larger side grows
  // with it (src/derivation/check-expr.ts checkSupabs), and intervals only prove agreements, so proving the claim with
  // the lower bound proves it with the sup.
  const key = scopeKey(arithmetic, chainsProducts);
  let ext = scope.get(key) as ExtendedInstance<R> | undefined;
  if (!ext) {
    const floatValue: FloatValue = (e, env) => {
      try {
        const [value, lost] = withLostPrecision(() => asDense(evaluator.evaluate(e, env)).data);
        const size = norm2(value);
        return value.every(Number.isFinite) && (size === 0 || size > UNDERFLOW) ? { value, lost } : null;
      } catch (err) {
        if (err instanceof DomainError) return null;
        throw err;
      }
    };
    ext = new ExtendedInstance(
      arithmetic,
      instance.graph.model,
      instance.sizes,
      instance.graph.data,
      (name, time) => sm.dactExpression(name, time),
      floatValue,
      chainsProducts,
      (name, t) => instance.graph.activationInput(name, t),
      instance.graph.forwardLoss() > 0 || instance.graph.everyReadLoss() > 0 ? instance.graph : null,
      instance.graph.derivativeReadSequences(),
      (jacobian, env) => {
        const form = closedFormsWherePossible(jacobian, sm, env);
        return form === jacobian || (form.kind === 'op' && specOf(form).graphDerivative) ? null : form;
      },
      arithmetic.enclosures === true ? (n) => floatSupLowerBound(evaluator, instance, n) : null,
    );
    scope.set(key, ext as ExtendedInstance<unknown>);
  }
  return ext;
}

/**
 * A rigorous lower bound of a sup as the float engine searched it on this instance (its value first, so searched;
 * memoised there), or null.
 */
function floatSupLowerBound(evaluator: Evaluator, instance: Instance, n: OpNode): number | null {
  try {
    evaluator.evaluate(n, instance.sizes);
  } catch (err) {
    if (err instanceof DomainError) return null;
    throw err;
  }
  return searchedSupLowerBound(evaluator, contentKey(n, {}));
}

/**
 * Extended precision evaluates derivatives through the symbolic engine's closed forms, float64 through its own sweeps:
 * two engines. Where a side that reads a derivative has a float64 value (finite, in the normal range, compared entry
 * for entry) that differs from the extended one by more than ENGINE_MARGIN times what float64 noted it lost on the
 * way (and more than ENGINE_FLOOR, beyond what rounding under the noted threshold can do), one of them is wrong, and
 * the point is decided by neither: trouble, saying so — a violation neither may outvote where either side of the
 * disagreement is one (float64 may be the one that lost digits unnoted, in a dot product say, and the decimals right).
 * A side without derivatives is the same expression in both, and the decimals' value stands. A leaky RNN's closed
 * form wrote (0.5·I)ᵀ as 0.5 until 2026-12-05, and the decimals, which evaluate it, refuted its true gradients on
 * saturated instances (float64's sweep, 0.4 away, agreed). Null: no contradiction.
 */
export function engineTrouble(
  first: PointOutcome,
  look: PointOutcome,
  lostPrecision: number,
  readsDerivative: { readonly lhs: boolean; readonly rhs: boolean },
): PointOutcome | null {
  if (first.status === 'trouble' || look.status === 'trouble') return null;
  const allowed = Math.max(ENGINE_FLOOR, ENGINE_MARGIN * lostPrecision);
  if (allowed >= 1) return null;
  const apart = (f: Float64Array, x: Float64Array): number => {
    if (f.length !== x.length) return 0;
    let [diff, size, floatSize] = [0, 0, 0];
    for (let i = 0; i < f.length; i++) {
      if (!Number.isFinite(f[i]!) || !Number.isFinite(x[i]!)) return 0;
      diff = Math.max(diff, Math.abs(f[i]! - x[i]!));
      size = Math.max(size, Math.abs(f[i]!), Math.abs(x[i]!));
      floatSize = Math.max(floatSize, Math.abs(f[i]!));
    }
    // an underflowed float64 side (0 or subnormal, its digits gone unnoted where it skipped the subnormals) says nothing
    return floatSize < UNDERFLOW ? 0 : diff / size;
  };
  const worst = Math.max(
    readsDerivative.lhs ? apart(first.lhs, look.lhs) : 0,
    readsDerivative.rhs ? apart(first.rhs, look.rhs) : 0,
  );
  if (worst <= allowed) return null;
  return {
    status: 'trouble',
    // no figures in the reason: the evidence counts points by reason
    reason: `extended precision and float64 disagree on the value of a side that reads a derivative by more than float64's lost digits allow (${ENGINE_MARGIN} times them, at least ${ENGINE_FLOOR} relative): one of the two engines is wrong there (a closed form, or float64's record of what it lost)`,
    lhs: first.lhs,
    rhs: first.rhs,
    compared: first.compared,
    ...(first.status === 'violate' || look.status === 'violate' ? { undecidedViolation: true as const } : {}),
  };
}
/** Which sides of a claim read a derivative through the unrolled graph (a closed form in extended precision). */
function derivativeSides(claim: Claim): { lhs: boolean; rhs: boolean } {
  let sides = derivativeSidesOf.get(claim);
  if (!sides) {
    const reads = (e: Expr) => {
      let found = false;
      walk(e, (x) => {
        if (x.kind === 'op' && specOf(x).graphDerivative) found = true;
      });
      return found;
    };
    derivativeSidesOf.set(claim, (sides = { lhs: reads(claim.lhs), rhs: reads(claim.rhs) }));
  }
  return sides;
}
const derivativeSidesOf = new WeakMap<Claim, { lhs: boolean; rhs: boolean }>();

/** How many times float64's noted loss a side may move between the engines (rounding under the threshold included). */
const ENGINE_MARGIN = 100;
/** ... and at least this much: 2⁻³³ per operation goes unnoted (lost-digits.ts NOTED_CANCELLATION), times 10⁴. */
const ENGINE_FLOOR = 1e-6;

/**
 * The point decided in extended precision; where extended precision cannot evaluate it (no rule, out of budget):
 * trouble with the reason, except a violation within reach of float64's own rounding, which stands marked
 * unsettled.
 */
export function extendedLook(...at: Parameters<typeof decidedAgain>): PointOutcome {
  const [claim, entry, , , , scope] = at;
  const look = decidedAgain(...at);
  if (look.status !== 'trouble' || !look.undecidedViolation || !claim.given) return look;
  if (premiseIn(DECIMALS, claim.given, entry, scope) !== 'at its edge') return look;
  // The instance's premise was decided by float64 within its rounding of the edge (‖W‖ = 1 drawn, `norm2(W) <= 1`
  // given: the SVD's 1 may be the float64 matrix's 1 + 2⁻⁵²), and the decimals cannot decide it either: a violation
  // there may be one outside the premise. Trouble still, not counted against the claim: `log(norm2(W)) <= 0` given
  // `norm2(W) <= 1`, true, was unverifiable on every regime drawn at ‖W‖ = 1 (a review's, review150).
  const { undecidedViolation: _setAside, ...rest } = look;
  return { ...rest, reason: `${look.reason}; ${PREMISE_AT_EDGE}` };
}

/** Why an undecided violation is not counted: the point's own premise is undecided in extended precision. */
export const PREMISE_AT_EDGE =
  "the premise itself is within the float64 values' doubt of its edge on this instance in decimals (a violation there may lie outside it): not counted as one";

/**
 * The premise on this instance in `arithmetic`: every condition holding by more than the doubt of the float64 values
 * its sides rest on; 'at its edge' where one is within that doubt of its edge or fails; unknown where one cannot be
 * evaluated there (no rule: the float64 decision stands).
 */
function premiseIn<R>(
  arithmetic: ExtendedArithmetic<R>,
  premise: Premise,
  entry: { instance: Instance; evaluator: Evaluator },
  scope: ExtendedScope,
): 'held' | 'at its edge' | 'unknown' {
  const sm = symbolicModel(entry.instance.graph.model, arithmetic.plain.doubtOf !== undefined);
  const sizes = entry.instance.sizes;
  const ring = arithmetic.plain;
  const ordered = ring.ordered!;
  let atEdge = false;
  try {
    const ext = extendedOf(arithmetic, scope, entry.instance, entry.evaluator, sm, true);
    for (const c of premise.conditions) {
      const [a, b] = [c.lhs, c.rhs].map((e) => ext.evaluate(closedFormsWherePossible(e, sm, sizes), {}).data);
      if (a?.length !== 1 || b?.length !== 1 || !arithmetic.isFinite(a[0]!) || !arithmetic.isFinite(b[0]!))
        return 'unknown';
      // the margin by which it holds, less what the doubts of both sides allow
      const margin = c.relation === '<' || c.relation === '<=' ? ring.sub(b[0]!, a[0]!) : ring.sub(a[0]!, b[0]!);
      const least = ring.sub(margin, ordered.abs(ring.doubtOf?.(margin) ?? ring.zero));
      const strict = c.relation === '<' || c.relation === '>';
      atEdge ||= strict ? !ordered.lt(ring.zero, least) : ordered.lt(least, ring.zero);
    }
  } catch (err) {
    if (err instanceof SymbolicUnsupported || err instanceof DomainError) return 'unknown';
    throw err;
  }
  return atEdge ? 'at its edge' : 'held';
}

/** The point decided again in extended precision (extendedLook before its premise's look). */
function decidedAgain(
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  env: IntEnv,
  outcome: PointOutcome,
  lostPrecision: number,
  scope: ExtendedScope,
): PointOutcome {
  const why = lookReason(outcome, claim.tolerance, lostPrecision) ?? 'near-tolerance';
  // Wide floats cannot underflow, but they cancel as float64 does (a float64 mantissa): digits lost on the way
  // (to cancellation, or in the subnormals, where the decimals are as good) go to the decimals, and so does a
  // wide-float violation against an exact 0 (lookWith) — 1 − σ(40) is exactly 0 with a 53-bit mantissa (4.2e-18
  // in decimals). A float64 violation against an exact 0 ('one-zero') goes to the decimals directly: the wide
  // floats keep that 0 and are undecided there (4082 of 4086 such points in the shipped derivations). These tests
  // read only this point's values, so the arithmetic chosen never depends on what was evaluated before it.
  // Interval enclosures first where float64 agrees but cannot vouch for it (both sides exactly 0: underflow or a
  // true zero; digits lost on the way): an agreement they prove needs nothing more. Violations are left to the
  // arithmetics below, whose values the report shows.
  const wideLook = () => lookWith(WIDE_FLOATS, claim, entry, env, outcome, scope, true, why);
  const wideDecides = (wide: PointOutcome | Undecided): wide is PointOutcome =>
    !isUndecided(wide) && wide.status !== 'trouble' && !nearTolerance(wide, claim.tolerance);
  // Sides exactly 0 after values on the way went through the subnormals (a long product of Jacobians below 1e-308)
  // are an underflow, not a structural zero, as a rule: enclosures with float64 ends underflow at the same place and
  // prove nothing there (600 of 600 such points of the lab's eq. (1) at T = 1024, 1 s of its 2.4 s on an instance),
  // so wide floats look first. Only their agreement is taken here: a violation, or no decision, goes on as before
  // (enclosures first), so no point the enclosures prove agreeing is ever refuted by the order of the looks.
  // A decision whose values float64's own contradict by far more than float64 lost on the way is none (engineTrouble).
  const settled = (look: PointOutcome): PointOutcome =>
    engineTrouble(outcome, look, lostPrecision, derivativeSides(claim)) ?? look;
  let wide: PointOutcome | Undecided | null = null;
  // (not for a claim written strict: an exact tie there is a violation only the enclosures below can prove)
  if (outcome.status === 'agree' && why === 'zero' && lostPrecision > ROUNDOFF && !claim.strict) {
    wide = wideLook();
    if (wideDecides(wide) && wide.status === 'agree') return settled(wide);
  }
  if (outcome.status === 'agree' && (why === 'zero' || why === 'lost-digits')) {
    const enclosed = intervalLook(claim, entry, env, outcome, scope, why);
    if (!isUndecided(enclosed)) return settled(enclosed);
  }
  if (why === 'zero' || why === 'trouble') {
    wide ??= wideLook();
    if (wideDecides(wide)) return settled(wide);
  }
  const decided = deepestLook(DECIMALS, [claim, entry, env, outcome, scope, why]);
  if (!isUndecided(decided)) return settled(decided);
  // Trouble stays trouble, saying why the second look failed too (and whether the decimals' own values violate).
  if (outcome.status === 'trouble')
    return {
      ...outcome,
      reason: `${outcome.reason}; in extended precision: ${decided.why}`,
      ...(decided.violation ? { undecidedViolation: true } : {}),
    };
  // Digits lost on the way make float64's outcome, either way, no evidence: an agreement could hide a violation,
  // and a violation within their reach is as likely theirs as the claim's (a tight bound at equality, ‖t_0‖ − ‖rest‖
  // at k = 0 where the decimals have no rule, came out 2.3e-9 over a 1e-9 tolerance). Numeric trouble, not a verdict.
  // Such a violation still blocks `consistent` (./verdict.ts) where float64's excess is larger than the precision
  // lost: rounding alone would not put it there. One no larger is what a true bound tight at equality gets from
  // rounding half the time (the search drives toward equality), and says nothing either way.
  if (why === 'lost-digits')
    return {
      status: 'trouble',
      reason: `${outcome.status === 'agree' ? 'an agreement' : 'a violation'} within reach of the digits values lost on the way to subnormals or cancellation, and extended precision did not decide it (${decided.why})`,
      lhs: outcome.lhs,
      rhs: outcome.rhs,
      compared: outcome.compared,
      ...((outcome.status === 'violate' && outcome.relError > lostPrecision && !decided.withinRounding) ||
      decided.violation
        ? { undecidedViolation: true }
        : {}),
      ...(decided.atRounding ? { roundingResidue: true } : {}),
    };
  // Where the deepest decimals find the sides apart by no more than their own rounding can make, float64's violation,
  // with fewer digits, is rounding's too: trouble, not a violation left undecided (review156: five true identities
  // refuted, ten more unverifiable, on such residues against a structural 0).
  if (decided.withinRounding && !decided.violation && outcome.status === 'violate')
    return {
      status: 'trouble',
      reason: `a violation in float64 that extended precision finds within rounding (${decided.why})`,
      lhs: outcome.lhs,
      rhs: outcome.rhs,
      compared: outcome.compared,
      roundingResidue: true,
    };
  // A violation within reach of float64's own rounding (no digits lost on the way) stands where nothing can
  // re-evaluate it: setting real violations aside as trouble could let a false claim pass, the worse mistake.
  // Where the decimals evaluated both sides and only the float64 values they rest on leave it open, float64's
  // violation rests on those values too: no evidence either way (the true `(4^0.5 / 2) * ((1 + 1.91477e-06) - 1) * x
  // <= 1.914769998142673e-06 * x`, float64 1.03e-9 over against 9.7e-10 under, was refuted, a review found).
  if (why === 'near-tolerance' && decided.doubtful)
    return {
      status: 'trouble',
      reason: `a violation within rounding distance of the tolerance, and extended precision left open by the float64 values it rests on (${decided.why})`,
      lhs: outcome.lhs,
      rhs: outcome.rhs,
      compared: outcome.compared,
      undecidedViolation: true,
    };
  if (why === 'near-tolerance') return { ...outcome, unsettled: { was: why, why: decided.why } };
  // Exact zeros count (as an agreement, or as the difference) only once underflow is ruled out: unsound to assume it.
  return {
    status: 'trouble',
    reason: `${UNDECIDED[why as 'zero' | 'one-zero']} in float64, and extended precision did not rule out underflow (${decided.why})`,
    lhs: outcome.lhs,
    rhs: outcome.rhs,
    compared: outcome.compared,
    ...(outcome.status === 'violate' || decided.violation ? { undecidedViolation: true } : {}),
    ...(decided.atRounding ? { roundingResidue: true } : {}),
  };
}

/**
 * Why extended precision could not decide a point (no rule, its work budget, a value not finite there).
 * `deeper`: cancellation left it open, and the arithmetic's deeper precision may decide it.
 */
export interface Undecided {
  readonly status: 'undecided';
  readonly why: string;
  readonly deeper?: true;
  /**
   * the arithmetic's own values violate the claim, but not by more than the float64 values they rest on may move
   * them: a violation nothing decided, which must not be outvoted by agreements (./verdict.ts)
   */
  readonly violation?: true;
  /**
   * the arithmetic evaluated both sides, and only the float64 values they rest on leave the decision open: float64's
   * own outcome, resting on the same values, is no evidence either
   */
  readonly doubtful?: true;
  /**
   * the arithmetic's own difference between the sides is what the digits cancellation left there explain (both sides
   * exactly 0 after rounding, or a difference within their reach): an identity's rounding residue looks so, and
   * identical closed forms at the point's sizes decide it (./verdict.ts); a claim false by more shows a difference
   */
  readonly atRounding?: true;
  /**
   * in the deepest decimals the claim may hold within the running bound on their own rounding
   * (`mayHoldWithinRounding`): the sides differ by no more than rounding the terms they were computed from can make
   * (a residue of 2e-41 left by h_T − 0.999·h_{T−1} − 0.001·tanh(…) against a structural 0). Neither that difference
   * nor float64's, which has fewer digits, is evidence of a violation.
   */
  readonly withinRounding?: true;
}
const isUndecided = <T extends object>(x: T | Undecided): x is Undecided =>
  (x as { status?: string }).status === 'undecided';

/**
 * The point in `arithmetic`, and again in its deeper precisions while cancellation leaves it open there. Undecided
 * in the deepest: the reasons of each precision tried, in order.
 */
function deepestLook<R>(
  arithmetic: ExtendedArithmetic<R>,
  at: Parameters<typeof intervalLook>,
  shallower: ExtendedArithmetic<R> | null = null,
): PointOutcome | Undecided {
  const [claim, entry, env, outcome, scope, was] = at;
  const look = roundingChecked(
    arithmetic,
    lookWith(arithmetic, claim, entry, env, outcome, scope, true, was),
    at,
    shallower,
  );
  if (!isUndecided(look) || !look.deeper || !arithmetic.deeper) return look;
  const deeper = deepestLook(arithmetic.deeper, at, arithmetic);
  return isUndecided(deeper)
    ? {
        status: 'undecided',
        why: `${look.why}; in ${arithmetic.deeper.plural}: ${deeper.why}`,
        ...(look.violation || deeper.violation ? { violation: true } : {}),
        ...(deeper.doubtful ? { doubtful: true } : {}),
        ...(deeper.atRounding ? { atRounding: true } : {}),
        ...(deeper.withinRounding ? { withinRounding: true } : {}),
      }
    : deeper;
}

/**
 * A look's violation, or (in the deepest precision) its decision left open by the digits cancellation left, taken
 * again with the arithmetic's running bound on its own rounding: where the claim may hold within it, the violation is
 * rounding's and not the claim's — undecided, with more digits where there are more (a residue shrinks with them, a
 * violation does not). Noted cancellation alone missed such residues: h_T − 0.999·h_{T−1} − 0.001·tanh(Ux + b) at W = 0
 * is 2e-41 in 40 digits, the last 36 lost in one subtraction after 4 in the one before, and the true bound
 * `norm2(…) <= 0.001*norm2(W*h[T-1])` was refuted against the structural 0 (review156; likewise an absorbed
 * f·c_{T−1} of 1e-3557 left by c_T − f·c_{T−1} − i·g).
 */
function roundingChecked<R>(
  arithmetic: ExtendedArithmetic<R>,
  look: PointOutcome | Undecided,
  at: Parameters<typeof intervalLook>,
  shallower: ExtendedArithmetic<R> | null,
): PointOutcome | Undecided {
  const tracked = arithmetic.roundingTracked;
  if (!tracked) return look;
  const deepest = !arithmetic.deeper;
  const [claim, entry, env, , scope] = at;
  const open = isUndecided(look)
    ? deepest && look.atRounding === true && !look.violation
    : look.status === 'violate' && !clearOfRounding(look.relError, scope.get(scopeKey(arithmetic, true)));
  if (!open) return look;
  const within = mayHoldWithinRounding(arithmetic, tracked, claim, entry, env, scope);
  if (!within.mayHold) return look;
  // The running bound is a worst case: through W^T it grows as ρ(|W|)^T while the values and their rounding grow as
  // ρ(W)^T (10⁻¹⁰ of terms of size 1 at T = 300, against a true 64-digit error of 10⁻⁶⁵: review157). A violation whose
  // difference 24 more digits leave where it was, and which is no residue of its terms (above their size less
  // RESIDUE_DIGITS digits: an absorbed f·c of 1e-3557 stays too, at any precision short of 3557 digits), stands.
  if (!isUndecided(look) && deepest && shallower && within.gap) {
    const before = differenceIn(shallower, claim, entry, env, scope);
    if (before && stable(before, within.gap) && within.gap.log10 > within.peakExponent - RESIDUE_DIGITS) return look;
  }
  const why = `the claim may hold within the rounding of the ${arithmetic.plural}' own operations (a running bound on it)`;
  return {
    status: 'undecided',
    why: isUndecided(look) ? `${look.why}; ${why}` : `a violation, but ${why}`,
    atRounding: true,
    ...(deepest ? { withinRounding: true } : { deeper: true }),
  };
}

/** The sides' difference (an equality's: its norm) in `arithmetic`, its values memoised there; null where it has none. */
function differenceIn<R>(
  arithmetic: ExtendedArithmetic<R>,
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  env: IntEnv,
  scope: ExtendedScope,
): Magnitude | null {
  const sides = sidesIn(arithmetic, claim, entry, env, scope, true);
  return isUndecided(sides)
    ? null
    : magnitudeOf(arithmetic.preview(sideDifference(arithmetic.plain, claim, sides), 20));
}

/** x − y of a bound oriented as x ≤ y; ‖a − b‖ of an equality (scalars broadcast). */
function sideDifference<R>(ring: Ring<R>, claim: Claim, sides: { a: RMat<R>; b: RMat<R> }): R {
  const { a, b } = sides;
  if (claim.relation !== '=') {
    const [x, y] = claim.relation === '<=' ? [a.data[0]!, b.data[0]!] : [b.data[0]!, a.data[0]!];
    return ring.sub(x, y);
  }
  const n = Math.max(a.data.length, b.data.length);
  const at = (m: RMat<R>, i: number) => (m.data.length === 1 ? m.data[0]! : m.data[i]!);
  let squares = ring.zero;
  for (let i = 0; i < n; i++) {
    const d = ring.sub(at(a, i), at(b, i));
    squares = ring.add(squares, ring.mul(d, d));
  }
  return ring.ordered!.sqrt(squares);
}

/** A decimal's sign and log₁₀ of its size, read from its digits (its size may be past float64's range: 1e-3557). */
export interface Magnitude {
  readonly sign: -1 | 0 | 1;
  readonly log10: number;
}
function magnitudeOf(text: string): Magnitude {
  const [mantissa, exponent] = text.toLowerCase().split('e') as [string, string | undefined];
  const m = Number(mantissa);
  if (m === 0 || !Number.isFinite(m)) return { sign: 0, log10: -Infinity };
  return { sign: m < 0 ? -1 : 1, log10: Math.log10(Math.abs(m)) + (exponent === undefined ? 0 : Number(exponent)) };
}
/** Two differences the same to STABLE_DIGITS digits: what more digits do not move is no rounding residue. */
const stable = (a: Magnitude, b: Magnitude): boolean =>
  a.sign !== 0 && a.sign === b.sign && Math.abs(a.log10 - b.log10) <= 10 ** -STABLE_DIGITS;
const STABLE_DIGITS = 6;
/**
 * A difference this many digits below the largest value computed may be a residue of it, however stable: what a sum
 * absorbs in both 40 and 64 digits lies below 10⁻⁶⁴ of the term that absorbed it (one between 10⁻⁶⁴ and 10⁻⁴⁰ of it is
 * kept by the deeper digits, and moves), and no term exceeds the largest value.
 */
const RESIDUE_DIGITS = 60;

/**
 * A violation by more than ROUNDING_CLEAR where no sum lost NOTED_DECIMAL_CANCELLATION digits on the way (the
 * evaluator's noted loss 0) and none cancelled to exactly 0: each value then keeps most of its digits, and rounding
 * cannot make the difference. The running bound, a second evaluation of both sides, is taken only where cancellation
 * was noted or the violation is small: every residue review156 found had one or the other (an absorbed f·c of 1e-3557
 * is left when c − i·g cancels to 0 first), and a repair's screens, where most candidates violate at the
 * counterexample, would otherwise evaluate each violation twice.
 */
function clearOfRounding(relError: number, ext: ExtendedInstance<unknown> | undefined): boolean {
  return ext !== undefined && ext.lostPrecision === 0 && !ext.cancelledToZero && relError > ROUNDING_CLEAR;
}
const ROUNDING_CLEAR = 1e-12;

/**
 * Both sides again in `tracked` (the arithmetic's values, each with a bound on the rounding that made it), and whether
 * some values within those bounds satisfy the claim: a bound's smaller side less its doubt at most the larger side
 * plus its doubt (up to the tolerance of the largest values), an equality's entries apart by no more than their
 * doubts (likewise). False where it cannot be evaluated there (the look's decision stands).
 */
function mayHoldWithinRounding<R>(
  arithmetic: ExtendedArithmetic<R>,
  tracked: ExtendedArithmetic<R>,
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  env: IntEnv,
  scope: ExtendedScope,
): { mayHold: boolean; gap: Magnitude | null; peakExponent: number } {
  const sides = sidesIn(tracked, claim, entry, env, scope, true);
  if (isUndecided(sides) || !sides.doubtOf) return { mayHold: false, gap: null, peakExponent: -Infinity };
  const { a, b, doubtOf } = sides;
  const peakExponent =
    (scope.get(scopeKey(tracked, true)) as ExtendedInstance<R> | undefined)?.peakExponent ?? Infinity;
  // compared in the arithmetic without the bounds: its own operations here would add bounds to what is compared
  const ring = arithmetic.plain;
  const judged = (mayHold: boolean) => ({
    mayHold,
    gap: magnitudeOf(tracked.preview(sideDifference(ring, claim, sides), 20)),
    peakExponent,
  });
  const { abs, lt, sqrt } = ring.ordered!;
  const doubt = (x: R): R => doubtOf(x) ?? ring.zero;
  const larger = (p: R, q: R): R => (lt(p, q) ? q : p);
  const tolerance = ring.fromNumber(claim.tolerance);
  if (claim.relation === '=') {
    const n = Math.max(a.data.length, b.data.length);
    const at = (m: RMat<R>, i: number) => (m.data.length === 1 ? m.data[0]! : m.data[i]!);
    let [apart, sizeA, sizeB] = [ring.zero, ring.zero, ring.zero];
    for (let i = 0; i < n; i++) {
      const [x, y] = [at(a, i), at(b, i)];
      const gap = ring.sub(ring.sub(abs(ring.sub(x, y)), doubt(x)), doubt(y));
      if (lt(ring.zero, gap)) apart = ring.add(apart, ring.mul(gap, gap));
      const [wx, wy] = [ring.add(abs(x), doubt(x)), ring.add(abs(y), doubt(y))];
      sizeA = ring.add(sizeA, ring.mul(wx, wx));
      sizeB = ring.add(sizeB, ring.mul(wy, wy));
    }
    return judged(!lt(ring.mul(tolerance, sqrt(larger(sizeA, sizeB))), sqrt(apart)));
  }
  const [x, y] = claim.relation === '<=' ? [a.data[0]!, b.data[0]!] : [b.data[0]!, a.data[0]!];
  const least = ring.sub(ring.sub(ring.sub(x, y), doubt(x)), doubt(y));
  if (!lt(ring.zero, least)) return judged(true);
  const scale = larger(ring.add(abs(x), doubt(x)), ring.add(abs(y), doubt(y)));
  return judged(!lt(ring.mul(tolerance, scale), least));
}

const UNDECIDED: Record<'zero' | 'one-zero', string> = {
  zero: 'both sides exactly 0',
  'one-zero': 'a side exactly 0 where the sides differ',
};

const EXACT_ZERO: Undecided = { status: 'undecided', why: 'a violation against an exact 0 with a float64 mantissa' };

/**
 * A decision in an extended arithmetic within reach of the digits cancellation left there (`lost`, a relative
 * precision; ExtendedInstance.lostPrecision): an agreement whose margin below the tolerance, or a violation whose
 * margin above it, is less than LOST_DIGITS_REACH times it. (1 − σ(89) keeps one of 40 digits: the false
 * `(1 - sigma(89)) * x <= 0.9 * exp(-89) * x` agreed.)
 */
function withinReachOfLoss(status: 'agree' | 'violate', relError: number, tolerance: number, lost: number): boolean {
  if (lost === 0) return false;
  const reach = LOST_DIGITS_REACH * lost;
  return status === 'agree' ? relError + reach > tolerance : relError - reach <= tolerance;
}

/** A decision whose relative error may move by `reach` (the float64 values it rests on) across the tolerance. */
function withinReachOfDoubt(status: 'agree' | 'violate', relError: number, tolerance: number, reach: number): boolean {
  if (reach === 0) return false;
  return status === 'agree' ? relError + reach > tolerance : relError - reach <= tolerance;
}

/**
 * An agreement that rests on an exact 0 (both sides of an equality 0, a side of a bound 0) in wide floats or
 * decimals is no decision: they round, so a 0 there may be a cancellation (1 − σ(100) is 0 in 40-digit decimals,
 * its value 3.7e-44, and `(1 - sigma(100)) * x = 2 * ((1 - sigma(100)) * x)` agreed). Enclosures, where a
 * structural zero stays exactly [0, 0] and a cancelled one never does, decide such a point; after a cancellation
 * to 0 the deeper decimals may find the value that rounding hid (`deeper`).
 */
const zeroAgreement = <R>(arithmetic: ExtendedArithmetic<R>, cancelledToZero: boolean): Undecided => ({
  status: 'undecided',
  why: `an agreement on an exact 0 in ${arithmetic.plural}, which may be a cancellation there`,
  atRounding: true,
  ...(cancelledToZero && arithmetic.deeper ? { deeper: true } : {}),
});

/**
 * A violation in decimals against an entry exactly 0 after a sum of nonzero terms came out exactly 0 on the way:
 * that 0 may be rounding's (1 − σ(100) in 40 digits, where the true `(1 - sigma(100)) * x = exp(-100) / (1 +
 * exp(-100)) * x` was refuted) or exact (x + |x| for x < 0); the deeper decimals tell them apart. In the deepest,
 * the violation stands: the true value is then below 10^−64 of the terms that cancelled (a claim equating it with
 * something larger, as the true `(1 - sigma(200)) * x = exp(-200) / (1 + exp(-200)) * x` does, is still refuted: a
 * known false alarm, rarer by 24 orders of magnitude than at 40 digits).
 */
const CANCELLED_ZERO: Undecided = {
  status: 'undecided',
  why: 'a violation against an entry exactly 0 after a cancellation to 0',
  deeper: true,
};

/** Both sides of the claim at a point in one extended arithmetic; undecided where it cannot evaluate them. */
function sidesIn<R>(
  arithmetic: ExtendedArithmetic<R>,
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  env: IntEnv,
  scope: ExtendedScope,
  chainsProducts: boolean,
):
  | {
      a: RMat<R>;
      b: RMat<R>;
      lost: number;
      cancelledToZero: boolean;
      doubtOf: ((x: R) => R | null) | null;
      roundingDoubt: boolean;
    }
  | Undecided {
  const sm = symbolicModel(
    entry.instance.graph.model,
    arithmetic.enclosures === true || arithmetic.plain.doubtOf !== undefined,
  );
  const full = { ...entry.instance.sizes, ...env };
  let a: RMat<R>, b: RMat<R>, ext: ExtendedInstance<R>;
  try {
    ext = extendedOf(arithmetic, scope, entry.instance, entry.evaluator, sm, chainsProducts);
    a = ext.evaluate(closedFormsWherePossible(claim.lhs, sm, full), env);
    b = ext.evaluate(closedFormsWherePossible(claim.rhs, sm, full), env);
  } catch (err) {
    if (err instanceof SymbolicUnsupported || err instanceof DomainError)
      return { status: 'undecided', why: err.message };
    throw err;
  }
  // NaN (the log of a negative number, say) is as undecidable here as in floats.
  if (![...a.data, ...b.data].every(arithmetic.isFinite))
    return { status: 'undecided', why: `a value is not finite in ${arithmetic.plural}` };
  return {
    a,
    b,
    lost: ext.lostPrecision,
    cancelledToZero: ext.cancelledToZero,
    doubtOf: ext.ring.doubtOf ?? null,
    roundingDoubt: ext.roundingDoubt,
  };
}

/**
 * An agreement proved by interval enclosures of both sides: the relative error (an equality) or the excess (a
 * bound) is at most the tolerance for every value inside them. The values and relative error reported are
 * estimates, as the other arithmetics give: float64's where its values lie inside the enclosures, else the
 * midpoints' (the search steers by them; a bound, or a midpoint of bounds widened unevenly, would read as closer
 * to a violation than the values are). Anything else is undecided here: a violation is shown with values, which
 * the other arithmetics give.
 */
export function intervalLook(
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  env: IntEnv,
  outcome: PointOutcome,
  scope: ExtendedScope,
  was: ExtendedValues['was'],
): PointOutcome | Undecided {
  const sides = sidesIn(INTERVALS, claim, entry, env, scope, true);
  if (isUndecided(sides)) return sides;
  const { a, b } = sides;
  // The values shown: float64's own where they lie inside the enclosures (its best estimates, which the search
  // steers by), else the midpoints.
  const inside = (v: Float64Array, m: RMat<Interval>) =>
    v.length === m.data.length && m.data.every((x, i) => x.lo <= v[i]! && v[i]! <= x.hi);
  const keepsFloat = outcome.status === 'agree' && inside(outcome.lhs, a) && inside(outcome.rhs, b);
  const midpoints = (m: RMat<Interval>) => Float64Array.from(m.data, intervalMidpoint);
  const centred = (m: RMat<Interval>) => m.data.map((x) => intervalFromNumber(intervalMidpoint(x)));
  const extended = lazyExtendedValues(was, 'interval', a.data, b.data, intervalPreview);
  const notProved = { status: 'undecided', why: 'the enclosures do not prove an agreement' } as const;
  if (claim.relation === '=') {
    const bound = relErrorBound(a.data, b.data);
    if (!(bound <= claim.tolerance)) return notProved;
    if (keepsFloat) return { ...outcome, extended };
    const relError = relErrorBound(centred(a), centred(b));
    return { status: 'agree', relError, lhs: midpoints(a), rhs: midpoints(b), compared: outcome.compared, extended };
  }
  const [x, y] = claim.relation === '<=' ? [a.data[0]!, b.data[0]!] : [b.data[0]!, a.data[0]!];
  // A claim written strict fails where the enclosures prove its sides equal (x ≥ y): only a tie float64 agreed on
  // within the tolerance comes here, so it is one exactly (0 < 0 at W = 0). Rigorous, as the enclosures are; a tie
  // they cannot separate stays a tie (./verdict.ts: unverifiable).
  const [mx, my] = [intervalMidpoint(x), intervalMidpoint(y)];
  const ratio = my === 0 ? (mx === 0 ? 0 : Infinity) : mx / my;
  const midExcess = excessBound(intervalFromNumber(mx), intervalFromNumber(my));
  if (claim.strict && x.lo >= y.hi)
    return {
      status: 'violate',
      relError: Math.max(0, midExcess),
      lhs: midpoints(a),
      rhs: midpoints(b),
      compared: 'scalars',
      ratio,
      extended,
      ...(midExcess <= claim.tolerance ? { exactTie: true as const } : {}),
    };
  const bound = excessBound(x, y);
  if (!(bound <= claim.tolerance)) return notProved;
  if (keepsFloat) return { ...outcome, extended };
  return {
    status: 'agree',
    relError: midExcess,
    lhs: midpoints(a),
    rhs: midpoints(b),
    compared: 'scalars',
    ratio,
    extended,
  };
}

/**
 * Both sides in one extended arithmetic, compared as float points are; undecided where it cannot evaluate them.
 * Exported for tests, which also compare against products built in full (`chainsProducts` off).
 */
export function lookWith<R>(
  arithmetic: ExtendedArithmetic<R>,
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  env: IntEnv,
  outcome: PointOutcome,
  scope: ExtendedScope = new Map(),
  chainsProducts = true,
  was: ExtendedValues['was'] = lookReason(outcome, claim.tolerance) ?? 'near-tolerance',
): PointOutcome | Undecided {
  const sides = sidesIn(arithmetic, claim, entry, env, scope, chainsProducts);
  if (isUndecided(sides)) return sides;
  const { a, b, lost, cancelledToZero, doubtOf, roundingDoubt } = sides;
  const ring = arithmetic.plain;
  const what = (status: 'agree' | 'violate') => (status === 'agree' ? 'an agreement' : 'a violation');
  // `reach`: how far the relative error may move with the float64 values the sides rest on (their doubts), and with
  // the arithmetic's own rounding where a value's doubt carries it (ρ's: more digits may decide, `roundingDoubt`)
  const decided = (status: 'agree' | 'violate', relError: number, reach: number): Undecided | null =>
    withinReachOfLoss(status, relError, claim.tolerance, lost)
      ? {
          status: 'undecided',
          why: `${what(status)} within reach of the digits cancellation left in the ${arithmetic.plural} (relative precision ${lost.toPrecision(2)})`,
          atRounding: true,
          ...(arithmetic.deeper ? { deeper: true } : {}),
        }
      : withinReachOfDoubt(status, relError, claim.tolerance, reach)
        ? {
            status: 'undecided',
            why: `${what(status)} within reach of the float64 values it rests on (the relative error ${relError.toPrecision(3)} may be off by ${reach.toPrecision(2)})`,
            doubtful: true,
            ...(status === 'violate' ? { violation: true } : {}),
            ...(roundingDoubt && arithmetic.deeper ? { deeper: true } : {}),
          }
        : null;
  const doubtIn = (x: R): R => doubtOf?.(x) ?? ring.zero;
  /** the most D/S may move when D and S may each be off by eD and eS (unbounded once eS reaches S) */
  const reachOf = (rel: number, eD: R, eS: R, S: R): number => {
    if (ring.isZero(eD) && ring.isZero(eS)) return 0;
    const room = ring.sub(S, eS);
    return lt(ring.zero, room) ? toNumber(ring.div(ring.add(eD, ring.mul(ring.fromNumber(rel), eS)), room)!) : Infinity;
  };
  const someZero = a.data.some((x) => ring.isZero(x)) || b.data.some((x) => ring.isZero(x));
  // A float64 mantissa cancels as float64 does (1 − σ(40) is exactly 0 in wide floats too): a violation against
  // an exact 0 there is not a decision (undecided: the decimals take it), nor in decimals after a cancellation to 0
  // where deeper ones can look. An agreement stands.
  const exactZero: Undecided | null =
    arithmetic.name === 'wide-float' && someZero
      ? EXACT_ZERO
      : arithmetic.deeper && cancelledToZero && someZero
        ? CANCELLED_ZERO
        : null;
  const { abs, sqrt, lt, toNumber } = ring.ordered!;
  const larger = (p: R, q: R): R => (lt(p, q) ? q : p);
  const extended = lazyExtendedValues(was, arithmetic.name, a.data, b.data, arithmetic.preview);
  // a loop, not Float64Array.from's mapping (an iterator and a call through it per entry: 5× slower here)
  const numbers = (m: RMat<R>) => {
    const out = new Float64Array(m.data.length);
    for (let i = 0; i < out.length; i++) out[i] = toNumber(m.data[i]!);
    return out;
  };
  if (claim.relation === '=') {
    const n = Math.max(a.data.length, b.data.length);
    const at = (m: RMat<R>, i: number) => (m.data.length === 1 ? m.data[0]! : m.data[i]!);
    // The relative error from the squares' ratio: a square root in the arithmetic (a decimal's Newton iterations at
    // full precision) was 2 % of verify's time and 4 % of what it allocates, for a number read to float64's precision.
    const squares = (at: (i: number) => R) => {
      let sum = ring.zero;
      for (let i = 0; i < n; i++) sum = ring.add(sum, ring.mul(at(i), at(i)));
      return sum;
    };
    const size = (at: (i: number) => R) => sqrt(squares(at));
    const diffSquared = squares((i) => ring.sub(at(a, i), at(b, i)));
    const scaleSquared = larger(
      squares((i) => at(a, i)),
      squares((i) => at(b, i)),
    );
    // (the ratio is at most 4; below float64's normal range, where its square underflows, the roots are taken)
    const ratio = ring.isZero(scaleSquared) ? 0 : toNumber(ring.div(diffSquared, scaleSquared)!);
    const relError =
      ratio >= 1e-300 || ring.isZero(diffSquared)
        ? Math.sqrt(ratio)
        : toNumber(ring.div(sqrt(diffSquared), sqrt(scaleSquared))!);
    if (exactZero && relError > claim.tolerance) return exactZero;
    if (ring.isZero(scaleSquared)) return zeroAgreement(arithmetic, cancelledToZero);
    const status = relError <= claim.tolerance ? 'agree' : 'violate';
    const doubts = (m: RMat<R>) => Array.from({ length: n }, (_, i) => doubtIn(at(m, i)));
    const [ea, eb] = [doubts(a), doubts(b)];
    const doubted = doubtOf !== null && [...ea, ...eb].some((e) => !ring.isZero(e));
    const reach = doubted
      ? reachOf(
          relError,
          size((i) => ring.add(ea[i]!, eb[i]!)),
          larger(
            size((i) => ea[i]!),
            size((i) => eb[i]!),
          ),
          sqrt(scaleSquared),
        )
      : 0;
    const lossy = decided(status, relError, reach);
    if (lossy) return lossy;
    return {
      status,
      relError,
      lhs: numbers(a),
      rhs: numbers(b),
      compared: outcome.compared,
      extended,
    };
  }
  const [x, y] = claim.relation === '<=' ? [a.data[0]!, b.data[0]!] : [b.data[0]!, a.data[0]!];
  const scale = larger(abs(x), abs(y));
  const excess = ring.isZero(scale) ? 0 : toNumber(ring.div(ring.sub(x, y), scale)!);
  const ratio = ring.isZero(y) ? (ring.isZero(x) ? 0 : Infinity) : toNumber(ring.div(x, y)!);
  if (exactZero && excess > claim.tolerance) return exactZero;
  if (excess <= claim.tolerance && (ring.isZero(x) || ring.isZero(y)))
    return zeroAgreement(arithmetic, cancelledToZero);
  const status = excess <= claim.tolerance ? 'agree' : 'violate';
  const [ex, ey] = [doubtIn(x), doubtIn(y)];
  const lossy = decided(status, excess, reachOf(Math.abs(excess), ring.add(ex, ey), larger(ex, ey), scale));
  if (lossy) return lossy;
  return {
    status,
    relError: excess,
    lhs: numbers(a),
    rhs: numbers(b),
    compared: 'scalars',
    ratio,
    extended,
  };
}
