/**
 * The repair search for a refuted claim: candidates from the edit records
 * (aimed ones, from the model's closed forms, first), a cheap screen on the
 * counterexample's instance, then the full check (the same as `check`'s) on
 * the survivors. Pairs of edits are tried only when no single edit holds.
 * Every step is counted against a budget of work, so the result does not
 * depend on the machine.
 */
import { type Claim, type Derivation, VERDICTS, type Verdict } from '../derivation/derivation.js';
import { InputError } from '../derivation/errors.js';
import { affine } from '../ir/affine.js';
import { own } from '../ir/names.js';
import { type Expr, type Num, walkOnce } from '../ir/expr.js';
import { nonnegative, productFactors } from '../symbolic/bounds/lemmas.js';
import type { PointOutcome } from '../check/compare.js';
import { evidenceOf } from '../check/evidence.js';
import {
  type CheckOptions,
  checkIfItHolds,
  claimDerivation,
  counterexampleEntry,
  InstancePool,
  workLimitOf,
} from '../check/check-claim.js';
import { chargeWork, WorkLimitExceeded, withWorkLimit } from '../numeric/work-meter.js';
import { pointsOn } from '../check/points.js';
import { strictTies } from '../check/search.js';
import type { ClaimResult, Counterexample } from '../check/result.js';
import { editContext } from './aim.js';
import { EDIT_BY_ID, EDITS, type EditContext } from './edits.js';
import {
  DEFAULT_REPAIR_BUDGET,
  FULL_CHECKS_WORK,
  type AppliedEdit,
  type Repair,
  type RepairBudget,
  type RepairSearch,
  type RepairWork,
} from './result.js';
import { changedNodes, changedNodesIn, indexTree, LONG_CHAIN, NODE_WORK, pathOf, replaceAt, sites } from './tree.js';
import { readerFor } from './validate.js';
import { tidyWritten } from './tidy.js';
import { vacuousDerivativeTest } from './vacuous.js';
import { keptTextPrinter } from '../ir/print.js';
import { LIMITS } from '../ir/limits.js';
import { deriveSeed } from '../numeric/prng.js';

/** What the second draw's master seed is derived from the run's with (a consistent candidate is checked on both). */
export const SECOND_DRAW_SEED = 'repair-second-draw';

export interface Candidate {
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly edits: readonly AppliedEdit[];
  readonly changed: readonly Expr[];
  readonly distance: number;
  readonly aimed: number;
}

/** Work units of one character of a candidate's text, printed and hashed for the dedup (a node's are NODE_WORK). */
const TEXT_WORK = 10;

/** The largest relative error (or violation) over the sound points. */
const worst = (points: readonly { outcome: PointOutcome }[]) =>
  points.reduce((m, p) => Math.max(m, p.outcome.status === 'trouble' ? 0 : p.outcome.relError), 0);

const strength = (v: Verdict) => VERDICTS.indexOf(v);

/** One single edit of a side: the side it makes, what it wrote and how far it moved (generation order). */
export interface SideEdit {
  readonly expr: Expr;
  readonly edit: AppliedEdit;
  readonly after: Expr;
  readonly distance: number;
}

/** Every single edit of one side of a claim, in generation order, and whether LONG_CHAIN left some out. */
export function sideEdits(
  expr: Expr,
  side: 'lhs' | 'rhs',
  claim: Claim,
  ctx: EditContext,
): { edits: SideEdit[]; capped: boolean } {
  const out: SideEdit[] = [];
  let capped = false;
  // an edit's distance is counted from what it wrote (a side holding a node at two places, as an inserted factor
  // reading one of the side's nodes makes, is walked whole)
  const index = indexTree(expr);
  let nodes: Set<Expr> | null = null;
  const asWritten = (x: Expr): boolean => {
    if (index) return index.has(x);
    if (!nodes) {
      nodes = new Set<Expr>();
      walkOnce(expr, (y) => nodes!.add(y));
    }
    return nodes.has(x);
  };
  // Each edit kind's applications within each long chain: a sum of 20 000 terms had a sign flipped at every term,
  // each candidate diffed against its site and kept as a text of 80 000 characters for the dedup (1.6·10⁹ in all).
  const appliedIn = new Map<Expr, Map<string, number>>();
  for (const site of sites(expr)) {
    let applied: Map<string, number> | null = null;
    if (site.longChain) {
      applied = appliedIn.get(site.longChain) ?? new Map<string, number>();
      appliedIn.set(site.longChain, applied);
    }
    for (const edit of EDITS) {
      if (edit.boundsOnly && claim.relation === '=') continue;
      chargeWork(NODE_WORK);
      let path: number[] | null = null;
      for (const r of edit.apply(site, ctx)) {
        const times = applied?.get(edit.id) ?? 0;
        if (times >= LONG_CHAIN) {
          capped = true;
          break;
        }
        applied?.set(edit.id, times + 1);
        path ??= pathOf(site);
        // the arithmetic the edit left undone, done in what it wrote (`1*norm2(W)` is norm2(W), as dropping the
        // factor writes it): compared with the other candidates and shown so
        const tidy = tidyWritten(replaceAt(expr, path, r.after), asWritten);
        out.push({
          expr: tidy.expr,
          edit: { edit: edit.id, side, detail: r.detail, aimed: r.aimed },
          after: tidy.placeOf(r.after),
          distance: index ? changedNodesIn(index, site.node, r.after) : changedNodes(site.node, r.after),
        });
      }
    }
  }
  return { edits: out, capped };
}

/** A side's single edits: `sideEdits`, or the same list kept from before. */
export type SideEditsOf = (expr: Expr, side: 'lhs' | 'rhs') => { edits: readonly SideEdit[]; capped: boolean };

/**
 * `sideEdits` for a claim's candidates, the claim's own sides' made once: a side as written has the same edits
 * wherever a candidate leaves it so (the singles, and every pair whose seed edited the other side: each of up to 12
 * seeds built, diffed and printed them anew). The trees are shared too, so their texts are printed once.
 */
export function sideEditsFor(claim: Claim, ctx: EditContext): SideEditsOf {
  const asWritten: Partial<Record<'lhs' | 'rhs', { edits: SideEdit[]; capped: boolean }>> = {};
  return (expr, side) =>
    expr === claim[side] ? (asWritten[side] ??= sideEdits(expr, side, claim, ctx)) : sideEdits(expr, side, claim, ctx);
}

/** Every single edit of `base`, in generation order, and whether LONG_CHAIN left some out. */
export function edited(base: Candidate, editsOf: SideEditsOf): { candidates: Candidate[]; capped: boolean } {
  const out: Candidate[] = [];
  let capped = false;
  for (const side of ['lhs', 'rhs'] as const) {
    const made = editsOf(base[side], side);
    capped ||= made.capped;
    for (const e of made.edits)
      out.push({
        ...base,
        [side]: e.expr,
        edits: [...base.edits, e.edit],
        changed: [...base.changed, e.after],
        distance: base.distance + e.distance,
        aimed: base.aimed + (e.edit.aimed ? 1 : 0),
      });
  }
  return { candidates: out, capped };
}

/** Aimed edits first, then the smallest change; the sort is stable, so generation order breaks ties. */
const byPromise = (a: Candidate, b: Candidate) => b.aimed - a.aimed || a.distance - b.distance;

/** Interleaves lists (round robin), so a budget spreads over every seed of the pairs. */
function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

/** The search's counters as it runs (every one, writable). */
type WorkCounts = { -readonly [K in keyof RepairWork]-?: number };

/**
 * The work record: `overLimit` only where a limit stopped a full check, `vacuous` only where a candidate held through
 * an empty range, `identityOrZero` only where one passed the screen through a derivative made I or 0, the second
 * draws only where a candidate was consistent (records without them read as before).
 */
function counted(work: WorkCounts): RepairWork {
  const { overLimit, vacuous, identityOrZero, secondDraws, failedSecondDraw, unproved, ...rest } = work;
  return {
    ...rest,
    ...(overLimit ? { overLimit } : {}),
    ...(vacuous ? { vacuous } : {}),
    ...(identityOrZero ? { identityOrZero } : {}),
    ...(secondDraws ? { secondDraws } : {}),
    ...(failedSecondDraw ? { failedSecondDraw } : {}),
    ...(unproved ? { unproved } : {}),
  };
}

/**
 * A bound repair `lhs ≤ c·X` its search also offered as `lhs ≤ c′·X` with c′ < c (X nonnegative by its form) is
 * dominated: the other says more. `≤ 1.94·‖W‖` was offered first and `≤ ‖W‖` second, both proved, both one edit (a
 * review's). Each such group (the same verdict, the same side and X) keeps its places in the ranking, the tightest
 * bound at the first (≥: the largest c).
 */
export function tighterBoundsFirst(repairs: Repair[], text: (e: Expr) => string): void {
  const groups = new Map<string, { at: number; coefficient: number }[]>();
  repairs.forEach((r, at) => {
    if (r.relation === '=') return;
    const factors = productFactors(r.rhs);
    const numbers = factors.filter((f): f is Num => f.kind === 'num');
    const rest = factors.filter((f) => f.kind !== 'num');
    if (!rest.length || !rest.every(nonnegative)) return;
    // the same verdict too: a tighter bound only consistent does not go before a looser one proved
    const key = `${r.verdict}: ${text(r.lhs)} ${r.relation}${r.strict ? ' strict' : ''} ${rest.map(text).join(' * ')}`;
    const coefficient = numbers.reduce((c, f) => c * f.value, 1);
    if (!(coefficient > 0)) return;
    groups.set(key, [...(groups.get(key) ?? []), { at, coefficient }]);
  });
  const lower = (rel: string) => rel === '>=' || rel === '>';
  const original = [...repairs];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const upper = !lower(original[members[0]!.at]!.relation);
    const tightest = [...members].sort((a, b) =>
      upper ? a.coefficient - b.coefficient : b.coefficient - a.coefficient,
    );
    members.forEach((m, k) => {
      repairs[m.at] = original[tightest[k]!.at]!;
    });
  }
}

export function searchRepairs(
  derivation: Derivation,
  claim: Claim,
  refuted: ClaimResult,
  options: CheckOptions,
  budget: RepairBudget = DEFAULT_REPAIR_BUDGET,
  buildWorkLimit: number = LIMITS.claimOperations,
): RepairSearch {
  const work: WorkCounts = {
    generated: 0,
    screened: 0,
    invalid: 0,
    failed: 0,
    duplicates: 0,
    passedScreen: 0,
    fullChecks: 0,
    editsTried: 0,
    overLimit: 0,
    vacuous: 0,
    identityOrZero: 0,
    secondDraws: 0,
    failedSecondDraw: 0,
    unproved: 0,
  };
  const cx: Counterexample | null = refuted.counterexample;
  if (!cx) return { status: 'no-counterexample', repairs: [], budget, work: counted(work), exhausted: false };
  // A claim may narrow the sizes; its counterexample's instance is replayed with every size fixed.
  const narrowed = claim.sizes
    ? { ...derivation, model: { ...derivation.model, sizes: { ...derivation.model.sizes, ...claim.sizes } } }
    : derivation;
  // Instances of its own: candidates evaluated on the file's instances would memoise values there, and the
  // cross-checks of the file's later claims would then depend on which claims were searched before them.
  const pool = new InstancePool(narrowed);
  // Screened on the counterexample's own instance: under the claim's model (`assume:`), as its premise drew it, or as
  // the search reached it — the file model's draw at that index screened an assumed claim on another model, and
  // the one-edit repair of such a claim never passed the screen (a review found it).
  const entry = counterexampleEntry(derivation, claim, cx);
  if (!entry) return { status: 'no-counterexample', repairs: [], budget, work: counted(work), exhausted: false };
  // Candidates' texts, each subtree printed once: an edit path-copies one site, the rest is shared.
  const printedText = keptTextPrinter();
  const ratio = cx.lhs.length === 1 && cx.rhs.length === 1 ? cx.lhs[0]! / cx.rhs[0]! : NaN;
  const ctx = {
    ...editContext(derivation, claim, printedText),
    ...(Number.isFinite(ratio) && ratio > 0 ? { worstRatio: ratio } : {}),
  };
  const keyOf = (c: { lhs: Expr; rhs: Expr }) => `${printedText(c.lhs)} ${claim.relation} ${printedText(c.rhs)}`;
  const seen = new Set<string>([keyOf(claim)]);
  const readBack = readerFor(derivation, claim, printedText);
  const vacuousDerivative = vacuousDerivativeTest(claimDerivation(derivation, claim).model, claim, printedText);
  // Two edits can read back as the same claim (a transpose dropped twice over): it is screened and checked once.
  const readStatements = new Set<string>();
  const asRead = readBack(claim.lhs, claim.relation, claim.rhs);
  if (asRead) readStatements.add(asRead.statement);
  const fresh = (cs: readonly Candidate[]) =>
    cs.filter((c) => {
      const k = keyOf(c);
      chargeWork(TEXT_WORK * k.length);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });

  const screenedOut: { candidate: Candidate; score: number }[] = [];
  const survivors: { candidate: Candidate; claim: Claim; score: number }[] = [];
  let counter = 0;
  const screen = (c: Candidate): void => {
    work.screened++;
    work.editsTried = Math.max(work.editsTried, c.edits.length);
    let back;
    try {
      back = readBack(c.lhs, claim.relation, c.rhs);
    } catch (err) {
      if (err instanceof WorkLimitExceeded) throw err;
      work.failed++;
      return;
    }
    if (!back) {
      work.invalid++;
      return;
    }
    if (readStatements.has(back.statement)) {
      work.duplicates++;
      return;
    }
    readStatements.add(back.statement);
    const trial: Claim = {
      ...claim,
      id: `${claim.id}.repair-${++counter}`,
      statement: back.statement,
      lhs: back.lhs,
      rhs: back.rhs,
      expect: 'consistent',
      corrects: claim.id,
      chain: null,
    };
    // First at the counterexample's binding alone (most candidates fail there), then at every binding.
    const atCounterexample: Claim = {
      ...trial,
      forall: trial.forall.map((q) => {
        const v = own(cx.bindings, q.name)!;
        return { ...q, lo: affine(v), hi: affine(v) };
      }),
    };
    let points;
    try {
      const first = pointsOn(atCounterexample, entry);
      if (first.some((p) => p.outcome.status === 'violate')) {
        screenedOut.push({ candidate: c, score: worst(first) });
        return;
      }
      points = pointsOn(trial, entry);
    } catch (err) {
      // the screens' shared limit reached: the search stops (run, below), this candidate is not counted
      if (err instanceof WorkLimitExceeded) throw err;
      // A generated candidate the engine cannot evaluate is no repair; it must not end the user's check.
      if (err instanceof InputError) work.invalid++;
      else work.failed++;
      return;
    }
    const sound = points.filter((p) => p.outcome.status !== 'trouble');
    const score = worst(points);
    // a claim written strict keeps its strictness (the trial is the claim edited): a tie fails its screen as a violation does
    const ties = claim.strict ? strictTies(points, claim.tolerance) : 0;
    if (sound.length && sound.every((p) => p.outcome.status === 'agree') && !ties) {
      work.passedScreen++;
      // passing through a derivative the edit made identically I or 0 (`norm2(jac(C[t-1], C[t-1])) <= 1`): no
      // correction of anything, not checked in full nor offered (a review found 9 of 105 offered repairs so)
      if (vacuousDerivative(c)) {
        work.identityOrZero++;
        return;
      }
      survivors.push({ candidate: c, claim: trial, score });
    } else screenedOut.push({ candidate: c, score });
  };

  /** A survivor with the non-strict relation in place of the strict one it was written with (the 'non-strict' edit). */
  const nonStrict = (s: { candidate: Candidate; claim: Claim; score: number }) => {
    const written = evidenceOf(refuted.evidence, 'strict')?.relation ?? (claim.relation === '>=' ? '>' : '<');
    const edit = { edit: 'non-strict', side: 'rhs', detail: { written, meant: `${written}=` }, aimed: true } as const;
    return {
      candidate: { ...s.candidate, edits: [...s.candidate.edits, edit], distance: s.candidate.distance + 1 },
      claim: {
        ...s.claim,
        id: `${claim.id}.repair-${++counter}`,
        strict: false,
        expect: 'consistent' as const,
        corrects: claim.id,
        chain: null,
      },
      score: s.score,
    };
  };

  const repairs: Repair[] = [];
  // one candidate with a fitted constant is checked in full: each that is not proved costs one of the few full checks
  let fittedChecked = false;
  let exhausted = false;
  let screenWorkLimited = false;
  // The full checks (a consistent candidate's second draw included) share FULL_CHECKS_WORK claims' work: each may do one
  // claim's, but together no more. Each with a limit of its own, one refuted claim's 6 full checks and their second
  // draws could do 14 claims' work: 485 s CPU for lab eq. (2) × 0.5 at d ≤ 32, T ≤ 300 (a review's).
  let fullWorkLeft = FULL_CHECKS_WORK * workLimitOf(options);
  let fullCheckWorkLimited = false;
  const fullLimit = () => Math.min(workLimitOf(options), fullWorkLeft);
  const spend = (units: number) => {
    fullWorkLeft -= units;
  };
  const onLhs = (r: Pick<Repair, 'edits'>) => r.edits.filter((e) => e.side === 'lhs').length;
  // A repair is checked on the whole draw, whatever instance the claim's own check was asked for (`--instance J`): on
  // one instance, with a search of one start, both full checks passed a false bound (a review).
  const fullCheckOptions: CheckOptions = { ...options, instance: undefined };
  const fullCheck = () => {
    // A bound's usual slips (a constant, an exponent, a norm) are checked first: the closed forms aim equalities.
    const boundEdits = (c: Candidate) =>
      claim.relation === '=' ? 0 : c.edits.filter((e) => EDIT_BY_ID.get(e.edit)!.family === 'bound').length;
    const ordered = survivors.splice(0).sort(
      (a, b) =>
        boundEdits(b.candidate) - boundEdits(a.candidate) ||
        b.candidate.aimed - a.candidate.aimed ||
        // as in the ranking, a repair of the formula before one of the quantity it is about
        onLhs(a.candidate) - onLhs(b.candidate) ||
        a.candidate.distance - b.candidate.distance ||
        a.score - b.score,
    );
    for (let s = ordered.shift(); s; s = ordered.shift()) {
      const fitted = s.candidate.edits.some((e) => EDIT_BY_ID.get(e.edit)!.provedOnly);
      if (fitted && fittedChecked) continue;
      fittedChecked ||= fitted;
      if (work.fullChecks >= budget.fullChecks || repairs.length >= budget.repairs) {
        exhausted ||= work.fullChecks >= budget.fullChecks;
        return;
      }
      if (fullWorkLeft <= 0) {
        fullCheckWorkLimited = exhausted = true;
        return;
      }
      work.fullChecks++;
      let r;
      try {
        // A candidate its drawn instances already refute is not checked further (no symbolic stage, no shrinking).
        r = checkIfItHolds(derivation, s.claim, pool, fullCheckOptions, fullLimit(), spend);
      } catch (err) {
        // checkIfItHolds meters its own check: a limit error escaping it is an enclosing scope's, which ends the search
        if (err instanceof WorkLimitExceeded) throw err;
        // On another instance the candidate leaves the graph (an index beyond T): not a claim a file could state.
        if (err instanceof InputError) work.invalid++;
        else work.failed++;
        continue;
      }
      if (r === 'over-limit') work.overLimit++;
      // Strict, and refuted only at an exact tie: the same edit with the non-strict relation is checked next.
      if (r === 'exact-tie' && s.claim.strict) ordered.unshift(nonStrict(s));
      if (!r || r === 'over-limit' || r === 'exact-tie') continue;
      // Holding because a sum or product it wrote is empty at every binding (sum(t, T+1, 1, …) for a spurious term):
      // no correction a reader can use, and the warning the claim would carry was not shown (a review found three).
      if (r.warnings.some((w) => w.kind === 'empty-range')) {
        work.vacuous++;
        continue;
      }
      if (r.verdict !== 'proved' && fitted) {
        work.unproved++;
        continue;
      }
      // A candidate the draw found consistent is one of many screened, kept because none of its instances failed:
      // the search selects for violations the draw misses. A second draw, independent of the first, must hold too
      // (a review's peephole-LSTM repair, `prod(normF(f[l]))` for `prod(normMax(f[l]))`, was consistent under the
      // default seed and refuted under seeds 1..4; numpy confirms it false).
      let secondDraw: Repair['secondDraw'];
      if (r.verdict === 'consistent') {
        const masterSeed = deriveSeed(options.masterSeed, SECOND_DRAW_SEED);
        work.secondDraws++;
        let again;
        try {
          again = checkIfItHolds(derivation, s.claim, pool, { ...fullCheckOptions, masterSeed }, fullLimit(), spend);
        } catch (err) {
          if (err instanceof WorkLimitExceeded) throw err;
          // an instance of the second draw leaves the graph, or the engine fails there (counted as the first check
          // counts it): not a repair shown to hold
          if (!(err instanceof InputError)) work.failed++;
          again = null;
        }
        if (!again || again === 'over-limit' || again === 'exact-tie') {
          work.failedSecondDraw++;
          continue;
        }
        secondDraw = { masterSeed, verdict: again.verdict };
      }
      repairs.push({
        ...(claim.given ? { given: claim.given.text } : {}),
        statement: s.claim.statement,
        lhs: s.claim.lhs,
        relation: s.claim.relation,
        ...(s.claim.strict ? { strict: true } : {}),
        rhs: s.claim.rhs,
        marked: { lhs: s.candidate.lhs, rhs: s.candidate.rhs, changed: s.candidate.changed },
        edits: s.candidate.edits,
        verdict: r.verdict,
        evidence: r.evidence,
        distance: s.candidate.distance,
        ...(secondDraw ? { secondDraw } : {}),
      });
    }
  };
  // The screens share one claim's work limit (each full check has its own, as a claim's check): screening stops where
  // it is spent, so a large model cannot make a thousand screens cost a thousand checks' points.
  let screenWorkLeft = workLimitOf(options);
  const run = (cs: readonly Candidate[]) => {
    for (const c of cs) {
      if (work.screened >= budget.screens || screenWorkLimited) {
        exhausted = true;
        break;
      }
      const editsTried = work.editsTried;
      const metered = withWorkLimit(screenWorkLeft, () => screen(c));
      screenWorkLeft -= metered.spent;
      if (metered.exceeded) {
        // the candidate cut short is neither screened out nor a survivor: not counted as screened (nor its edits)
        work.screened--;
        work.editsTried = editsTried;
        screenWorkLimited = true;
        exhausted = true;
        break;
      }
    }
    fullCheck();
  };

  // Building the candidates (their sites, edits, distances and texts) is charged as it is done, against a limit of its
  // own: one default claim's work, whatever `--work-limit` (that scales with the model's sizes, this with the claim's
  // text, and the screens' small limits would stop the building first). Past it nothing further is searched.
  let buildWorkLeft = buildWorkLimit;
  let buildWorkLimited = false;
  let longChainCapped = false;
  /** The fresh candidates `build` makes from its edited candidates (none once the limit is passed). */
  const built = (build: () => { candidates: Candidate[]; capped: boolean }[]): Candidate[][] => {
    const metered = withWorkLimit(buildWorkLeft, () =>
      build().map(({ candidates, capped }) => {
        longChainCapped ||= capped;
        return fresh(candidates);
      }),
    );
    buildWorkLeft -= metered.spent;
    if (!metered.exceeded) return metered.value!;
    buildWorkLimited = exhausted = true;
    return [];
  };

  // A strict claim refuted at an exact tie (0 < 0 at W = 0; Counterexample's exactTie) is first tried as its non-strict
  // relation, the sides as written: the smallest correction there is, and no edit of a side can make an exact tie
  // strict (‖W‖ < c‖W‖ fails at W = 0 whatever c).
  if (claim.strict && cx.exactTie) {
    const original: Candidate = { lhs: claim.lhs, rhs: claim.rhs, edits: [], changed: [], distance: 0, aimed: 0 };
    survivors.push(nonStrict({ candidate: original, claim, score: 0 }));
    fullCheck();
  }

  const editsOf = sideEditsFor(claim, ctx);

  const original: Candidate = { lhs: claim.lhs, rhs: claim.rhs, edits: [], changed: [], distance: 0, aimed: 0 };
  const singles = built(() => [edited(original, editsOf)]).flat();
  work.generated += singles.length;
  run([...singles].sort(byPromise));

  if (
    !repairs.length &&
    budget.maxEdits >= 2 &&
    work.screened < budget.screens &&
    !screenWorkLimited &&
    !buildWorkLimited
  ) {
    // Seeds from every family in turn (aimed edits first, then the closest on the screen), so that one
    // family's many variants cannot crowd out the order or index slip a pair needs.
    const family = (c: Candidate) => EDIT_BY_ID.get(c.edits[0]!.edit)!.family;
    const byFamily = new Map<string, typeof screenedOut>();
    for (const s of [...screenedOut].sort((a, b) => b.candidate.aimed - a.candidate.aimed || a.score - b.score))
      byFamily.set(family(s.candidate), [...(byFamily.get(family(s.candidate)) ?? []), s]);
    const seeds = interleave([...byFamily.values()]).slice(0, budget.pairSeeds);
    // The second edit: the smallest change first.
    const pairs = built(() => seeds.map((s) => edited(s.candidate, editsOf))).map((p) =>
      p.sort((a, b) => a.distance - b.distance || b.aimed - a.aimed),
    );
    work.generated += pairs.reduce((n, p) => n + p.length, 0);
    run(interleave(pairs));
  }

  // Ties: a repair of the formula (the right side) before one of the quantity it is about (the left side).
  repairs.sort(
    (a, b) =>
      a.edits.length - b.edits.length ||
      strength(a.verdict) - strength(b.verdict) ||
      onLhs(a) - onLhs(b) ||
      a.distance - b.distance,
  );
  tighterBoundsFirst(repairs, printedText);
  return {
    status: repairs.length ? 'found' : 'none',
    repairs,
    budget,
    work: counted(work),
    exhausted,
    ...(screenWorkLimited ? { screenWorkLimit: workLimitOf(options) } : {}),
    ...(fullCheckWorkLimited ? { fullCheckWorkLimit: FULL_CHECKS_WORK * workLimitOf(options) } : {}),
    ...(buildWorkLimited ? { buildWorkLimit } : {}),
    ...(longChainCapped ? { longChainEdits: LONG_CHAIN } : {}),
  };
}
