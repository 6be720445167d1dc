/**
 * The symbolic side of checking a claim: replace every derivative by the
 * closed form derived from the model, then compare exact canonical forms for
 * every concrete T in a bounded range and every binding of the quantifiers
 * (`verified` over that range), with a randomized identity test in ℤ_p at a
 * larger T beside it. Mismatches are re-tested at random before they count.
 */
import type { Claim, Derivation } from '../derivation/derivation.js';
import { HORIZON } from '../model/model.js';
import { Canonicalizer, formatPoly, type NPoly, samePoly } from '../symbolic/canonical.js';
import { cpolyEqual, type CPoly, showPoly, withExactCoefficients } from '../symbolic/cpoly.js';
import { roundingUnsupported } from '../symbolic/exact-float.js';
import { PolyEvaluator } from '../symbolic/domains/polynomial.js';
import { type Expr, intVarsOf, isOp, mapChildren, type NodeRef, type OpNode, some, walk } from '../ir/expr.js';
import { type Affine, boundValue, type IntEnv } from '../ir/affine.js';
import { contentKey } from '../ir/content-key.js';
import { keptTextPrinter, printExpr } from '../ir/print.js';
import { nameRecord, own } from '../ir/names.js';
import { specOf } from '../ops/index.js';
import {
  derivParts,
  isGraphDerivative,
  SymbolicModel,
  substituteDerivations,
  substituteDerivationsAt,
} from '../symbolic/derive.js';
import { ExprError, InputError } from '../derivation/errors.js';
import { LIMITS } from '../ir/limits.js';
import { ExpansionTooLarge, SymbolicUnsupported, withExactBudget, withinExactWork } from '../symbolic/unsupported.js';
import { MAX_WORDS } from '../symbolic/words.js';
import { PRIME, RandomIdentity } from '../symbolic/domains/modular.js';
import { bindings } from './bindings.js';
import { entrywiseDefined } from '../symbolic/definitions.js';
import type { SizeSpan, SymbolicEvidence, SymbolicOutcome } from './evidence.js';

/** Exact verification runs for T up to this; the randomized test at RANDOM_T. */
export const VERIFY_MAX_T = 12;
/** Products of terms one comparison with derivatives opaque may spend: a side attempt, most often a failing one. */
const OPAQUE_WORK = LIMITS.exactWork / 16;
export const RANDOM_T = 48;

const unit = (outcome: SymbolicOutcome): SymbolicEvidence => ({ kind: 'symbolic', level: 'unit', outcome });

/**
 * An outcome as an attempt returns it: two differing forms are printed only when theirs is the outcome
 * reported (printed forms run to megabytes, and a reading with definitions written out that differs too
 * is not the one reported).
 */
type Draft =
  | SymbolicOutcome
  | { readonly status: 'differs'; readonly at: IntEnv; readonly print: () => { lhs: string; rhs: string } };

const shownEntries = (entries: readonly CPoly[]): string => entries.map((p) => showPoly(p)).join(' ; ');

/**
 * Built out here so the printing closure holds the two values alone, not the attempt's scope (its
 * canonicalizer and memos would stay alive while the next reading runs).
 */
const differs = <V>(at: IntEnv, a: V, b: V, show: (v: V) => string): Draft => ({
  status: 'differs',
  at,
  print: () => ({ lhs: show(a), rhs: show(b) }),
});

const finished = (draft: Draft): SymbolicOutcome =>
  draft.status === 'differs' ? { status: 'different', at: draft.at, ...draft.print() } : draft;
const matrix = (outcome: SymbolicOutcome): SymbolicEvidence => ({ kind: 'symbolic', level: 'matrix', outcome });

const models = new WeakMap<Derivation, SymbolicModel>();

function symbolicModel(d: Derivation): SymbolicModel {
  let sm = models.get(d);
  if (!sm) {
    sm = new SymbolicModel(d.model, 'explicit');
    models.set(d, sm);
  }
  return sm;
}

/** One canonicalizer per model and reading, shared by every claim checked against it (each attempt a session). */
const canonicalizers = new WeakMap<SymbolicModel, Map<boolean, Canonicalizer>>();

function sharedCanonicalizer(sm: SymbolicModel, unfold: boolean): Canonicalizer {
  let byReading = canonicalizers.get(sm);
  if (!byReading) canonicalizers.set(sm, (byReading = new Map<boolean, Canonicalizer>()));
  let canon = byReading.get(unfold);
  if (!canon) byReading.set(unfold, (canon = new Canonicalizer(sm, unfold)));
  return canon;
}

/**
 * One ℤ_p tester per model, seed and reading, shared by every claim checked against it: a trial's atoms
 * are drawn from the seed and the atom's printed form, and values are memoised by content at fixed
 * sizes, so what one claim evaluated is what another would evaluate again. The tester spends no exact
 * work (its ring does not charge the budget), so sharing it cannot move a claim's budget.
 */
const testers = new WeakMap<SymbolicModel, Map<string, RandomIdentity>>();

function sharedTester(sm: SymbolicModel, seed: number, unfold: boolean): RandomIdentity {
  let bySetting = testers.get(sm);
  if (!bySetting) testers.set(sm, (bySetting = new Map<string, RandomIdentity>()));
  const key = `${seed}|${unfold}`;
  let tester = bySetting.get(key);
  if (!tester) bySetting.set(key, (tester = new RandomIdentity(sm, seed, { unfold })));
  return tester;
}

/** A claim about single units (h_t^α, u_{αγ}, δ, path sums): some operator in it is index-level. */
export function isIndexLevel(claim: Claim): boolean {
  return [claim.lhs, claim.rhs].some((side) =>
    some(side, (e) => e.kind === 'op' && specOf(e).placement.level === 'index'),
  );
}

/** Integer variables a claim reads anywhere: indices, times, bounds, sizes, scalar uses. */
const claimVars = (claim: Claim): Set<string> =>
  new Set([claim.lhs, claim.rhs].flatMap((side) => [...intVarsOf(side)]));

/** Largest sizes the exact unit-level expansion visits (d ≤ 4, t ≤ 6 as the issue asks; others ≤ 2). */
export const INDEX_SIZE_CAPS: Readonly<Record<string, number>> = { d: 4, T: 6 };

const mentionsHorizon = (claim: Claim): boolean => claimVars(claim).has(HORIZON);

/**
 * Unit-level claims: both sides expanded exactly into polynomials in opaque
 * atoms (weights, inputs, states, activation derivatives) for every size
 * combination up to the caps and every binding — ∂h_t^α/∂w_ij by forward mode
 * over the model's equations.
 */
/** Sizes a claim depends on: named in it, or in the shape of a symbol it reads (others stay at their minimum). */
function relevantSizes(derivation: Derivation, claim: Claim): Set<string> {
  const out = new Set<string>();
  const addAffine = (a: { terms: Readonly<Record<string, number>> }) => Object.keys(a.terms).forEach((v) => out.add(v));
  const addSymbol = (name: string) => {
    const s = derivation.model.symbols.get(name);
    if (s) [s.shape.rows, s.shape.cols].forEach(addAffine);
  };
  for (const q of claim.forall) [q.lo, q.hi].forEach(addAffine);
  for (const v of claimVars(claim)) out.add(v);
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (e: Expr) => {
      if (e.kind === 'sym' || e.kind === 'seq') addSymbol(e.name);
    });
  return out;
}

/** The graph derivatives a claim names, printed, each once. */
function derivativesIn(claim: Claim): string[] {
  const out = new Set<string>();
  for (const side of [claim.lhs, claim.rhs]) walk(side, (e) => void (isGraphDerivative(e) && out.add(printExpr(e))));
  return [...out];
}

export function indexCheck(derivation: Derivation, claim: Claim): SymbolicEvidence {
  const sizes = derivation.model.sizes;
  const relevant = relevantSizes(derivation, claim);
  const names = Object.keys(sizes).sort();
  const ranges = names.map((name) => {
    const { min, max } = own(sizes, name)!;
    // The cap never goes below the size's own minimum (a model with T: 8..8 is checked at 8, not 6).
    const cap =
      relevant.has(name) || name === HORIZON ? Math.min(max, Math.max(min, own(INDEX_SIZE_CAPS, name) ?? 2)) : min;
    // T only enters through quantifier bounds when the claim never names it: its largest value covers the rest.
    const lo = name === HORIZON && !mentionsHorizon(claim) ? cap : min;
    return { name, lo: Math.min(lo, cap), hi: cap };
  });
  checkCombinations(ranges.map((r) => r.hi - r.lo + 1));
  const combos: Record<string, number>[] = [{}];
  for (const r of ranges) {
    const next: Record<string, number>[] = [];
    for (const c of combos) for (let v = r.lo; v <= r.hi; v++) next.push({ ...c, [r.name]: v });
    combos.splice(0, combos.length, ...next);
  }
  const range = ranges.map((r) => (r.lo === r.hi ? `${r.name} = ${r.lo}` : `${r.name} = ${r.lo}..${r.hi}`)).join(', ');
  // the sizes the units depend on (the others stay at their minimum, as any value of theirs would do); a horizon the
  // claim never names is checked at its largest value alone, which covers every smaller one (a review found a
  // violation at T = 4 called past the check's T = 6)
  const checkedSizes = ranges
    .filter((r) => relevant.has(r.name) || r.name === HORIZON)
    .map((r) => (r.name === HORIZON && !mentionsHorizon(claim) ? { ...r, lo: own(sizes, HORIZON)!.min } : r));
  // Graph derivatives among the units (eᵀ_k · ∂y_1/∂h_1 · e_i · ∂h_1^i/∂w_ij) are written out at each binding by
  // the closed forms the matrix-level check reads (the unit-level evaluator has no value for them otherwise), and
  // activation derivatives then as those forms write them (σ′ = σ ⊙ (1 − σ)), in the units' own as well.
  const sm = [claim.lhs, claim.rhs].some((side) => some(side, isGraphDerivative)) ? symbolicModel(derivation) : null;
  const atBinding = (side: Expr, env: IntEnv): Expr => (sm ? substituteDerivationsAt(side, sm, env) : side);
  const attempt = (unfold: boolean): Draft => {
    let cases = 0;
    for (const sz of combos) {
      const pe = new PolyEvaluator(
        derivation.model,
        sz,
        unfold,
        sm ? (name, time) => sm.dactExpression(name, time) : undefined,
      );
      for (const binding of bindings(claim, sz)) {
        cases++;
        const env = { ...sz, ...binding };
        const [a, b] = [
          pe.evaluate(atBinding(claim.lhs, env), binding),
          pe.evaluate(atBinding(claim.rhs, env), binding),
        ];
        const different = a.data.length !== b.data.length || a.data.some((p, k) => !cpolyEqual(p, b.data[k]!));
        if (different) return differs({ ...sz, ...binding }, a.data, b.data, shownEntries);
      }
    }
    return {
      status: 'identical',
      range,
      sizes: checkedSizes,
      cases,
      random: null,
      unfolded: unfold ? entrywiseDefined(derivation.model) : [],
      randomOnly: null,
      ...(sm ? { derivatives: derivativesIn(claim) } : {}),
    };
  };
  try {
    return unit(withDefinitionsWrittenOut(derivation, attempt));
  } catch (err) {
    if (!(err instanceof SymbolicUnsupported)) throw err;
    return unit({ status: 'undecided', undecided: { why: 'unsupported', message: err.message } });
  }
}

/**
 * Sequence values are opaque atoms first; when the sides differ and the
 * model defines some values entrywise, the comparison runs again with those
 * written out (a claim restating `h = o ⊙ σ(C)`). A difference that remains
 * is reported from the first, shorter reading.
 */
function withDefinitionsWrittenOut(derivation: Derivation, attempt: (unfold: boolean) => Draft): SymbolicOutcome {
  const first = attempt(false);
  if (first.status === 'identical' || entrywiseDefined(derivation.model).length === 0) return finished(first);
  let second: Draft;
  try {
    second = attempt(true);
  } catch (err) {
    if (!(err instanceof SymbolicUnsupported)) throw err;
    return finished(first);
  }
  return second.status === 'identical' ? second : finished(first);
}

/** Sizes named in a matrix-level claim (as scalars or in index bounds), besides T. */
function namedSizes(derivation: Derivation, claim: Claim): string[] {
  const sizes = new Set(Object.keys(derivation.model.sizes));
  const out = new Set<string>();
  const affine = (a: { terms: Readonly<Record<string, number>> }) =>
    Object.keys(a.terms).forEach((v) => sizes.has(v) && out.add(v));
  for (const q of claim.forall) [q.lo, q.hi].forEach(affine);
  for (const v of claimVars(claim)) if (sizes.has(v)) out.add(v);
  out.delete(HORIZON);
  return [...out].sort();
}

/** Up to `count` bindings spread evenly over the list (always the first and the last). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, k) => items[Math.round((k * (items.length - 1)) / (count - 1))]!);
}

/** Other sizes a matrix-level claim names are enumerated up to this. */
export const MATRIX_SIZE_CAP = 5;

/** Every combination of sizes is expanded exactly: a claim naming many sizes has too many. */
function checkCombinations(counts: readonly number[]): void {
  const total = counts.reduce((p, n) => p * Math.max(1, n), 1);
  if (total > LIMITS.exactSizeCombinations)
    throw new SymbolicUnsupported(
      `${total} combinations of sizes to expand, more than the limit of ${LIMITS.exactSizeCombinations}`,
    );
}

export function symbolicCheck(derivation: Derivation, claim: Claim, seed: number): SymbolicEvidence | null {
  if (claim.relation !== '=') return null;
  try {
    // Coefficients combine exactly or the form is refused: equal forms are an identity only so (exact-float.ts).
    // A binding refused for it is decided as any unexpandable one: by the ℤ_p test, which reads each double exactly.
    return withExactBudget(() =>
      withExactCoefficients(roundingUnsupported, () =>
        isIndexLevel(claim) ? indexCheck(derivation, claim) : matrixCheck(derivation, claim, seed),
      ),
    );
  } catch (err) {
    // A budget reached here (bindings at the larger exact horizons, size combinations) leaves the claim undecided.
    if (!(err instanceof SymbolicUnsupported) && !(err instanceof ExprError) && !(err instanceof InputError)) throw err;
    return matrix({
      status: 'undecided',
      undecided: {
        why: 'unsupported',
        message: err instanceof SymbolicUnsupported ? err.message : err.problem,
      },
    });
  }
}

function matrixCheck(derivation: Derivation, claim: Claim, seed: number): SymbolicEvidence {
  const sm = symbolicModel(derivation);
  const hasDerivatives = [claim.lhs, claim.rhs].some((side) => some(side, isGraphDerivative));
  // Derivable at all? (The per-binding forms below are derived from the same rules.)
  substituteDerivations(claim.lhs, sm);
  substituteDerivations(claim.rhs, sm);
  const sizes = derivation.model.sizes;
  const named = namedSizes(derivation, claim);
  const fixed = nameRecord<number>();
  for (const [name, range] of Object.entries(sizes))
    if (name !== HORIZON && !named.includes(name)) fixed[name] = range.min;
  checkCombinations(
    named.map(
      (n) => Math.min(own(sizes, n)!.max, Math.max(own(sizes, n)!.min, MATRIX_SIZE_CAP)) - own(sizes, n)!.min + 1,
    ),
  );
  const grids: Record<string, number>[] = [{}];
  for (const name of named) {
    const { min, max } = own(sizes, name)!;
    const next: Record<string, number>[] = [];
    for (const g of grids)
      for (let v = min; v <= Math.min(max, Math.max(min, MATRIX_SIZE_CAP)); v++) next.push({ ...g, [name]: v });
    grids.splice(0, grids.length, ...next);
  }
  const tMin = Math.max(1, own(sizes, HORIZON)!.min);
  // T may go past the model's range here: the identity is structural, and a longer horizon only checks more.
  const tMax = Math.max(VERIFY_MAX_T, tMin);
  // the sizes the forms depend on (a matrix's dimensions are symbolic: only sizes the claim names as numbers)
  const checkedSizes: SizeSpan[] = [
    ...named.map((name) => {
      const { min, max } = own(sizes, name)!;
      return { name, lo: min, hi: Math.min(max, Math.max(min, MATRIX_SIZE_CAP)) };
    }),
    { name: HORIZON, lo: tMin, hi: tMax },
  ];
  const sizeText = checkedSizes.map((s) => `${s.name} = ${s.lo}..${s.hi}`).join(', ');
  const attempt = (unfold: boolean): Draft => {
    const canon = sharedCanonicalizer(sm, unfold);
    canon.beginSession();
    // Bindings (and claims) at the same sizes share each trial's atoms and memoised values.
    const tester = sharedTester(sm, seed, unfold);
    const random = (l: Expr, r: Expr, env: Record<string, number>) =>
      tester.agree(l, r, env, nameRecord(Object.keys(sizes).map((name) => [name, own(env, name)!])));
    let cases = 0;
    // Bindings whose expansion exceeded MAX_WORDS: one at least as large in every variable is not expanded again.
    const tooLarge: Record<string, number>[] = [];
    const randomCases: Record<string, number>[] = [];
    const seen = new Set<string>();
    let exactCases = 0;
    // Bindings whose two forms were compared at a smaller T already (the evidence says how many).
    let repeatedCases = 0;
    // The sides may be one identity with every derivative an opaque matrix (‖J‖ = ‖(J − P) + P‖, a restated
    // chain): equal for every value of the derivatives, so for theirs, where the closed forms' expansions can be
    // long or stop (a norm of a product too long to expand is an atom of its expression). Tried at the first
    // binding, and wherever the closed forms differ; first again at the next binding while it decides them.
    let opaqueFirst = true;
    let opaqueCases = 0;
    // Then with ∇L written through the values the loss reads, ∇_x L = Σ_i (∂y_i/∂x)ᵀ ∇_{y_i} L (a chain step "L reads
    // the network only through h[T]"), the Jacobians still opaque.
    const [lhsThroughLoss, rhsThroughLoss] = [sm.throughLossRead(claim.lhs), sm.throughLossRead(claim.rhs)];
    const throughLoss =
      lhsThroughLoss || rhsThroughLoss ? [lhsThroughLoss ?? claim.lhs, rhsThroughLoss ?? claim.rhs] : null;
    let throughLossCases = 0;
    const sameOpaque = (env: Record<string, number>, [lhs, rhs]: readonly Expr[]): boolean => {
      try {
        return withinExactWork(OPAQUE_WORK, () => samePoly(canon.expand(lhs!, env), canon.expand(rhs!, env)));
      } catch (err) {
        if (err instanceof SymbolicUnsupported) return false;
        throw err;
      }
    };
    // Last, only the derivatives whose closed forms are block products kept opaque (∂s_T/∂s_{T−k} across two states),
    // the others by their forms at the binding (a cell path's ∏ diag(e)): an identity for any value of the opaque ones.
    let partlyOpaqueCases = 0;
    type Reading = { sides: Expr[]; loss: boolean } & Partial<Steps>;
    /** How a binding was decided with derivatives opaque: the reading (null: the sides as written), and whether only block products were opaque. */
    type OpaqueDecision = { reading: Reading | null; partly: boolean };
    const decideWithDerivativesOpaque = (env: Record<string, number>): OpaqueDecision | null => {
      if (!hasDerivatives) return null;
      const raw = [claim.lhs, claim.rhs];
      if (sameOpaque(env, raw)) return { reading: null, partly: false };
      // The readings in turn, each rewritten by exact steps of the chain rule: through the loss's reads; one step
      // through a derivative's value's reads or children (of the sides as written, then through the loss's reads).
      const readings: Reading[] = [];
      if (throughLoss) readings.push({ sides: throughLoss, loss: true });
      const stepped = throughParents(raw, env);
      if (stepped) readings.push({ ...stepped, loss: false });
      const lossStepped = throughLoss && throughParents(throughLoss, env);
      if (lossStepped) readings.push({ ...lossStepped, loss: true });
      for (const r of readings) if (sameOpaque(env, r.sides)) return { reading: r, partly: false };
      // Then with only block products opaque: the last reading, then steps that also write derivatives the other
      // side does not name but that have closed forms other than block products (∂h_t/∂h_{t−1}, written out).
      const partlyReadings = [readings[readings.length - 1] ?? { sides: raw, loss: false }];
      const written = throughParents(raw, env, true);
      if (written?.wroteOut) partlyReadings.push({ ...written, loss: false });
      const lossWritten = throughLoss && throughParents(throughLoss, env, true);
      if (lossWritten?.wroteOut) partlyReadings.push({ ...lossWritten, loss: true });
      for (const r of partlyReadings) {
        const partly = blockProductsOpaque(r.sides, env);
        if (partly && sameOpaque(env, partly)) return { reading: r, partly: true };
      }
      return null;
    };
    /** Decided with derivatives opaque, counted for the evidence. */
    const sameWithDerivativesOpaque = (env: Record<string, number>): boolean => {
      const decision = decideWithDerivativesOpaque(env);
      if (!decision) return false;
      const r = decision.reading;
      if (decision.partly) partlyOpaqueCases++;
      else opaqueCases++;
      if (r?.loss) throughLossCases++;
      if (r?.reads) throughReadsCases++;
      if (r?.children) throughChildrenCases++;
      if (r?.readers) throughReadersCases++;
      if (r?.states) throughStatesCases++;
      if (r?.unrolled) unrolledCases++;
      if (r?.backwardUnrolled) backwardUnrolledCases++;
      return true;
    };
    // A Jacobian one side has and the other writes through its value's reads (h̄ = o ⊙ tanh(s): ∂h̄/∂x =
    // D(tanh s)·∂o/∂x + D(o ⊙ tanh′ s)·∂s/∂x, the product rule): that side's jac(a, x) by one step of the chain rule
    // over a's equation, where every jac(p, x) the step writes is one the other side has.
    let [throughReadsCases, throughChildrenCases, throughReadersCases, throughStatesCases] = [0, 0, 0, 0];
    let [unrolledCases, backwardUnrolledCases] = [0, 0];
    type Steps = {
      reads: boolean;
      children: boolean;
      readers: boolean;
      states: boolean;
      unrolled: boolean;
      backwardUnrolled: boolean;
    };
    // Sides and steps recur at every binding: their derivatives' texts are kept.
    const print = keptTextPrinter();
    const throughParents = (
      sides: readonly Expr[],
      env: Record<string, number>,
      writeOut = false,
    ): ({ sides: Expr[]; wroteOut: boolean } & Steps) | null => {
      const used: Steps = {
        reads: false,
        children: false,
        readers: false,
        states: false,
        unrolled: false,
        backwardUnrolled: false,
      };
      let wroteOut = false;
      const atoms = sides.map((side) => {
        const found = new Set<string>();
        walk(side, (e) => void (isGraphDerivative(e) && found.add(print(e))));
        return found;
      });
      const unrolls = sides.map((side) => some(side, (e) => isOp(e, 'prod', 'rsum') && some(e, isGraphDerivative)));
      const horizon = own(env, HORIZON)!;
      const timeAt = (t: Affine | null) => (t ? (boundValue(t, env) ?? null) : null);
      let changed = false;
      const out = sides.map((side, i) => {
        const other = atoms[1 - i]!;
        // A step is used only where every derivative it writes is one the other side has (with writeOut, or one
        // that blockProductsOpaque writes out: a closed form other than a block product).
        const named = (step: Expr | null): step is Expr => {
          if (step === null) return false;
          let writes = false;
          const refused = some(step, (e) => {
            if (!isGraphDerivative(e) || other.has(print(e))) return false;
            writes = true;
            return !(writeOut && blockProduct(e) === false);
          });
          if (!refused && writes) wroteOut = true;
          return !refused;
        };
        const go = (x: Expr): Expr => {
          const grad = isOp(x, 'grad') && x.args.length === 2;
          if (!(isOp(x, 'jac') || grad) || x.args.length !== 2) return mapChildren(x, go);
          if (other.has(print(x))) return x;
          const { of, wrt } = derivParts(x);
          const [ofAt, wrtAt] = [timeAt(of.time), timeAt(wrt.time)];
          const use = (step: Expr, how: keyof Steps) => {
            changed = used[how] = true;
            return step;
          };
          if (grad) {
            // ∇_x L by one step of the backward recurrence, where x is computed (time ≥ 1) and its children exist (≤ T)
            const backward = wrtAt !== null && wrtAt >= 1 ? sm.backwardStep(wrt) : null;
            if (backward?.terms.every((t) => (timeAt(t.child.time) ?? Infinity) <= horizon) && named(backward.expr))
              return use(backward.expr, 'children');
            // else by steps through the values that read x, until every ∇_c L is one the other side names
            const isState = sm.model.symbols.get(wrt.name)?.role === 'state';
            if (wrtAt === null || wrtAt > horizon || wrtAt < (isState ? 0 : 1)) return x;
            const computed = (child: NodeRef) => {
              const at = timeAt(child.time);
              return at === null ? null : at >= 1 && at <= horizon;
            };
            const readers = sm.gradientThroughReaders(wrt, (g) => other.has(print(g)), computed);
            if (named(readers)) return use(readers, 'readers');
            // else, against a side that sums derivatives over a bound index, unrolled to the horizon (a state whose
            // only later child is itself): Σ_{j=τ}^{T} (∏ A_lᵀ) b_j, with binders of its own
            if (!unrolls[1 - i] || wrtAt < 1) return x;
            const unrolled = sm.backwardUnrolled(wrt, 'j__', 'l__');
            return unrolled ? use(unrolled, 'backwardUnrolled') : x;
          }
          // jac(a, x) through a's reads, where a is computed by its equation at this binding (time 0 holds initial values)
          const forward = ofAt !== null && ofAt >= 1 ? sm.forwardStep(of, wrt) : null;
          if (named(forward)) return use(forward, 'reads');
          // else through the states at a's step before, where those are computed and x is no later
          if (ofAt === null || wrtAt === null || ofAt < 2 || wrtAt < 0 || wrtAt > ofAt - 1) return x;
          const lag = (s: NodeRef) => {
            const at = timeAt(s.time);
            return at === null ? null : at - wrtAt;
          };
          const states = sm.forwardThroughStates(of, wrt, lag);
          if (named(states)) return use(states, 'states');
          // else, against a side that sums or multiplies derivatives over a bound index (whose texts name no
          // single Jacobian), unrolled through the states down to one-step factors
          if (!unrolls[1 - i]) return x;
          const unrolled = sm.forwardUnrolled(of, wrt, lag);
          return unrolled && unrolled !== x ? use(unrolled, 'unrolled') : x;
        };
        return go(side);
      });
      return changed ? { sides: out, wroteOut, ...used } : null;
    };
    /** Whether a derivative's closed form is a block product; null where it has none. */
    const blockProduct = (x: OpNode): boolean | null => {
      let form: Expr;
      try {
        form = sm.derive(x);
      } catch (err) {
        if (!(err instanceof SymbolicUnsupported)) throw err;
        return null;
      }
      return some(form, (e) => isOp(e, 'block', 'blockpick'));
    };
    /** The sides with the derivatives whose closed forms are not block products written out at `env`; null when none is (or all are). */
    const blockProductsOpaque = (sides: readonly Expr[], env: Record<string, number>): Expr[] | null => {
      let [kept, written] = [0, 0];
      // Each node once, however often it is shared: a declared derivative's body reads its argument at every x, and
      // the tree walked node by node was the body's size times the argument's (20 000 × 20 000: out of memory, a
      // review's); the counts say whether any was kept and any written, which sharing does not change.
      const done = new Map<Expr, Expr>();
      const go = (x: Expr): Expr => {
        let out = done.get(x);
        if (out) return out;
        if (!isGraphDerivative(x)) out = mapChildren(x, go);
        else if (blockProduct(x) !== false) {
          kept++;
          out = x;
        } else {
          written++;
          out = substituteDerivationsAt(x, sm, env);
        }
        done.set(x, out);
        return out;
      };
      const out = sides.map(go);
      return kept && written ? out : null;
    };
    const dominates = (env: Record<string, number>) =>
      tooLarge.some((small) => Object.entries(small).every(([k, v]) => (env[k] ?? -Infinity) >= v));
    for (const grid of grids)
      for (let T = tMin; T <= tMax; T++) {
        for (const binding of bindings(claim, { ...fixed, ...grid, [HORIZON]: T })) {
          const env = { ...fixed, ...grid, [HORIZON]: T, ...binding };
          cases++;
          const [l, r] = [substituteDerivationsAt(claim.lhs, sm, env), substituteDerivationsAt(claim.rhs, sm, env)];
          // The same two forms at another T (a claim about t and k alone) were compared already.
          const seenKey = `${contentKey(l, env)} = ${contentKey(r, env)} @ ${Object.entries(grid).join()}`;
          if (seen.has(seenKey)) {
            repeatedCases++;
            continue;
          }
          seen.add(seenKey);
          let a: NPoly, b: NPoly;
          if (opaqueFirst) {
            if (sameWithDerivativesOpaque(env)) {
              exactCases++;
              continue;
            }
            opaqueFirst = false;
          }
          try {
            if (dominates(env)) throw new ExpansionTooLarge(`the exact expansion exceeds ${MAX_WORDS} words`);
            [a, b] = [canon.expand(l, env), canon.expand(r, env)];
          } catch (err) {
            if (!(err instanceof SymbolicUnsupported)) throw err;
            const agrees = random(l, r, env);
            // Past the size limit, once smaller bindings were exact, the randomized test decides this binding.
            if (err instanceof ExpansionTooLarge && agrees && exactCases > 0) {
              if (!dominates(env)) tooLarge.push(env);
              randomCases.push(env);
              continue;
            }
            // No exact expansion at all (or the random test disagrees): evidence, but not an exact identity.
            return {
              status: 'undecided',
              undecided: { why: 'too-large', message: err.message, at: env, randomAgrees: agrees },
            };
          }
          exactCases++;
          if (samePoly(a, b)) continue;
          if (sameWithDerivativesOpaque(env)) {
            opaqueFirst = true;
            continue;
          }
          return random(l, r, env)
            ? { status: 'undecided', undecided: { why: 'random-agrees', at: env } }
            : differs(env, a, b, formatPoly);
        }
      }
    if (cases === 0) return { status: 'undecided', undecided: { why: 'no-binding', maxT: tMax } };
    // A larger horizon, where expansion would be costly: random evaluation in ℤ_p at up to 8 bindings spread over the range.
    const bigGrid = grids[grids.length - 1]!;
    const bigEnv = { ...fixed, ...bigGrid, [HORIZON]: RANDOM_T };
    const sampled = spread(bindings(claim, bigEnv), 8);
    // Where every binding above was decided with derivatives opaque, each one here is tried so first: exact, and
    // the closed forms at this horizon (products of 48 block steps) are not built.
    const allOpaque = exactCases > 0 && opaqueCases + partlyOpaqueCases === exactCases && randomCases.length === 0;
    let opaqueAtLarge = 0;
    const randomOk = sampled.every((b) => {
      const env = { ...bigEnv, ...b };
      if (allOpaque && decideWithDerivativesOpaque(env)) {
        opaqueAtLarge++;
        return true;
      }
      return random(substituteDerivationsAt(claim.lhs, sm, env), substituteDerivationsAt(claim.rhs, sm, env), env);
    });
    if (!randomOk)
      return {
        status: 'undecided',
        undecided: { why: 'random-disagrees', range: `${sizeText}, every binding (${cases} cases)`, T: RANDOM_T },
      };
    return {
      status: 'identical',
      range: sizeText,
      sizes: checkedSizes,
      cases,
      random: {
        prime: PRIME,
        trials: 2,
        T: RANDOM_T,
        bindings: sampled,
        ...(opaqueAtLarge ? { opaque: opaqueAtLarge } : {}),
      },
      unfolded: unfold ? entrywiseDefined(derivation.model) : [],
      randomOnly: randomCases.length ? { cases: randomCases.length, from: randomCases[0]!, words: MAX_WORDS } : null,
      ...(repeatedCases ? { repeated: repeatedCases } : {}),
      ...(opaqueCases ? { opaqueDerivatives: opaqueCases } : {}),
      ...(throughLossCases ? { throughLossRead: throughLossCases } : {}),
      ...(partlyOpaqueCases ? { blockProductsOpaque: partlyOpaqueCases } : {}),
      ...(throughReadsCases ? { throughReads: throughReadsCases } : {}),
      ...(throughChildrenCases ? { throughChildren: throughChildrenCases } : {}),
      ...(throughReadersCases ? { throughReaders: throughReadersCases } : {}),
      ...(throughStatesCases ? { throughStates: throughStatesCases } : {}),
      ...(unrolledCases ? { throughStatesUnrolled: unrolledCases } : {}),
      ...(backwardUnrolledCases ? { throughChildrenUnrolled: backwardUnrolledCases } : {}),
    };
  };
  return matrix(withDefinitionsWrittenOut(derivation, attempt));
}
