/** What a repair search returns: data only (the words and LaTeX are written by src/emit/repair-text.ts). */
import type { Relation, Verdict } from '../derivation/derivation.js';
import type { Evidence } from '../check/evidence.js';
import type { Expr } from '../ir/expr.js';
import type { EditDetail } from './edits.js';

export interface AppliedEdit {
  /** the id of the edit's record (src/repair/edits.ts) */
  readonly edit: string;
  readonly side: 'lhs' | 'rhs';
  readonly detail: EditDetail;
  /** proposed by the model's true closed form */
  readonly aimed: boolean;
}

export interface Repair {
  /** the repaired claim, as read back and checked */
  readonly statement: string;
  readonly lhs: Expr;
  readonly relation: Relation;
  /** the claim was written strict (< or >): the repair is too, and was judged so */
  readonly strict?: boolean;
  readonly rhs: Expr;
  /** the edited trees before reading back: the nodes in `changed` are the parts an edit wrote (for highlighting) */
  readonly marked: { readonly lhs: Expr; readonly rhs: Expr; readonly changed: readonly Expr[] };
  readonly edits: readonly AppliedEdit[];
  readonly verdict: Verdict;
  readonly evidence: readonly Evidence[];
  /** nodes an edit removed or wrote: smaller is closer to the original */
  readonly distance: number;
  /**
   * a repair `consistent` on the run's draw, checked again on instances of a second master seed (SECOND_DRAW_SEED
   * of the first) and offered only where it held there too: that master seed and the verdict there; absent for a
   * repair verified or proved
   */
  readonly secondDraw?: { readonly masterSeed: number; readonly verdict: Verdict };
  /**
   * the claim's premise (`given:`) it was checked under, as written; absent without one. The repaired statement holds
   * under it only: printed without it, a repair of `… <= 0.5` given ‖W‖ ≤ ½ read as a false unconditional claim (a
   * review's)
   */
  readonly given?: string;
}

/** Work counters, not wall clock: the same claim gets the same repairs on every machine. */
export interface RepairBudget {
  /** candidates read back and evaluated on the counterexample's instance */
  readonly screens: number;
  /** candidates that pass the screen and are then checked in full */
  readonly fullChecks: number;
  /** edits combined at most (2: pairs are tried only when no single edit holds) */
  readonly maxEdits: 1 | 2;
  /** single edits (closest on the screen) that pairs start from */
  readonly pairSeeds: number;
  /** stop once this many repairs hold */
  readonly repairs: number;
}

/** What the full checks of one claim's repair search may do together, in claims' work limits (src/repair/search.ts). */
export const FULL_CHECKS_WORK = 2;

export const DEFAULT_REPAIR_BUDGET: RepairBudget = {
  screens: 1000,
  fullChecks: 6,
  maxEdits: 2,
  pairSeeds: 12,
  repairs: 3,
};

/**
 * `verify`'s budget: the repairs in the fixtures are searched on every CI run, so they get less work than
 * `check --repair` — fewer candidates screened and checked in full, and the search stops at the first two
 * repairs that hold. The budget is stored beside the repairs in each fixture (a changed budget is drift).
 */
export const VERIFY_REPAIR_BUDGET: RepairBudget = {
  screens: 400,
  fullChecks: 3,
  maxEdits: 2,
  pairSeeds: 12,
  repairs: 2,
};

export interface RepairWork {
  readonly generated: number;
  readonly screened: number;
  /** not a claim a file could state (shapes, roles, a node off the graph) */
  readonly invalid: number;
  /** candidates the engine failed on (an error other than bad input): counted, never a repair */
  readonly failed: number;
  /** read back as a claim already screened (or as the claim itself): not screened again */
  readonly duplicates: number;
  readonly passedScreen: number;
  readonly fullChecks: number;
  /** the most edits combined in a candidate that was screened */
  readonly editsTried: number;
  /** candidates whose full check passed the claim's work limit (not shown to hold); absent when none did */
  readonly overLimit?: number;
  /** candidates that held only through a sum or product empty at every binding (not offered); absent when none */
  readonly vacuous?: number;
  /**
   * candidates that passed the screen through a derivative an edit made identically the identity or zero (its
   * closed form) where the claim's was not (`jac(h[t-1], h[t-1])`, `jac(f[T-1], h[T-1])`): not checked in full nor
   * offered; absent when none
   */
  readonly identityOrZero?: number;
  /** consistent candidates checked again under a second master seed; absent when none */
  readonly secondDraws?: number;
  /** of those, the ones that did not hold there (not offered); absent when none */
  readonly failedSecondDraw?: number;
  /** candidates with an edit offered only where proved (a fitted constant) whose full check did not prove them */
  readonly unproved?: number;
}

export interface RepairSearch {
  /** found: at least one repair holds; none: none within the budget; no-counterexample: nothing to screen on */
  readonly status: 'found' | 'none' | 'no-counterexample';
  /** holding repairs, best first: fewest edits, strongest evidence, closest */
  readonly repairs: readonly Repair[];
  readonly budget: RepairBudget;
  readonly work: RepairWork;
  /** the budget ran out before every candidate was screened */
  readonly exhausted: boolean;
  /**
   * present when the screens spent their shared work limit (one claim's: `--work-limit`, default
   * LIMITS.claimOperations) before the screen budget: that limit, in operations
   */
  readonly screenWorkLimit?: number;
  /**
   * present when the full checks spent their shared work limit (FULL_CHECKS_WORK claims') before their budget: that
   * limit, in operations
   */
  readonly fullCheckWorkLimit?: number;
  /**
   * present when building the candidates (sites, edits, distances, texts) spent its work limit (one default claim's,
   * LIMITS.claimOperations) before every candidate was built: that limit, in operations; nothing further was searched
   */
  readonly buildWorkLimit?: number;
  /**
   * present when a chain of more than LONG_CHAIN terms or factors (src/repair/tree.ts) had an edit kind applicable at
   * more of its places than that: LONG_CHAIN, the places each kind was applied at (the first ones, in the order of
   * the claim's sites)
   */
  readonly longChainEdits?: number;
}
