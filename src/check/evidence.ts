/**
 * Evidence as data: what each method did and found, with its numbers. The
 * verdict is decided from these records alone (./verdict.ts); every word a
 * reader sees is written from them by an emitter (src/emit/evidence-text.ts).
 */
import type { IntEnv } from '../ir/affine.js';
import type { RegimeName } from '../derivation/derivation.js';
import type { ProofStep } from '../symbolic/proof.js';
import type { BoundFailure, BoundRule, MonotoneRule } from '../symbolic/bounds/rules.js';
import type { ExtendedValues } from './compare.js';

export interface InstanceInfo {
  readonly index: number;
  readonly seed: number;
  readonly regime: RegimeName;
  readonly sizes: IntEnv;
}

/** Every binding on every instance compared against the exact reference. */
export interface ReferenceEvidence {
  readonly kind: 'reference';
  readonly masterSeed: number;
  readonly instances: readonly InstanceInfo[];
  readonly points: number;
  readonly agreed: number;
  readonly violated: number;
  /**
   * where a cross-check of the reference failed in the run, the violations at points whose own reference was
   * cross-checked (src/check/points.ts Point.crossChecked; absent: none, or no cross-check failed): they refute the
   * claim all the same
   */
  readonly crossCheckedViolations?: number;
  readonly troubled: number;
  /**
   * of the troubled points, those where float64 found a violation nothing could decide again (absent: none); a
   * claim with any is not `consistent`, whatever the agreements elsewhere
   */
  readonly undecidedViolations?: number;
  /** how values were compared: scalars, full vectors, full matrices, random probes */
  readonly compared: readonly string[];
  /** worst relative error over the sound points (relative violation for ≤/≥; ≤ 0 when they hold) */
  readonly worstRelError: number | null;
  readonly tolerance: number;
  /** inequalities: the largest lhs/rhs (≥: rhs/lhs) over the sound points */
  readonly tightness: number | null;
}

/** How far apart the two sides of a refuted equality are, regime by regime. */
export interface DistanceEvidence {
  readonly kind: 'distance';
  readonly byRegime: readonly {
    readonly regime: RegimeName;
    readonly points: number;
    readonly median: number;
    readonly max: number;
  }[];
}

/** Forward-mode tangents against reverse-mode adjoints of the same derivatives. */
export interface DualAdjointEvidence {
  readonly kind: 'dual-vs-adjoint';
  /** checks compared (those set aside for underflow or overflow not counted; those set aside for lost digits counted) */
  readonly checks: number;
  /** the worst disagreement among the checks compared and not set aside */
  readonly worstRelError: number;
  /** checks set aside: the derivative below UNDERFLOW along both probes (subnormal rounding) */
  readonly underflow: number;
  /** checks set aside: the derivative beyond float64's range in both modes (OVERFLOW: the sweeps overflowed) */
  readonly overflow: number;
  /**
   * checks that disagreed beyond the tolerance but within LOST_DIGITS_MARGIN times the digits their sweeps lost
   * (src/numeric/reference-check.ts): set aside, with the worst disagreement among them and the worst figure
   */
  readonly lostDigits: {
    readonly checks: number;
    readonly worstRelError: number;
    readonly lostPrecision: number;
  } | null;
  readonly tolerance: number;
  /** the checks (numbered as the reference cross-checks ran) that disagreed, with their derivative */
  readonly failures: readonly CrossCheckFailure[];
}

export interface CrossCheckFailure {
  readonly check: number;
  readonly derivative: string;
}

/** Central finite differences (Richardson) against the reference, with their own predicted error. */
export interface FiniteDifferenceEvidence {
  readonly kind: 'finite-differences';
  readonly checks: number;
  readonly resolved: number;
  readonly nonFinite: number;
  readonly worstRelError: number | null;
  readonly failures: readonly CrossCheckFailure[];
}

/** Points that could not be compared honestly (overflow, NaN, underflow). */
export interface TroubleEvidence {
  readonly kind: 'trouble';
  readonly points: number;
  readonly reasons: readonly { readonly reason: string; readonly count: number }[];
}

/** Why the symbolic engine could not decide. */
export type Undecided =
  /** no closed form or exact expansion (the engine's message) */
  | { readonly why: 'unsupported'; readonly message: string }
  /** too large to expand; the randomized test alone ran there */
  | { readonly why: 'too-large'; readonly message: string; readonly at: IntEnv; readonly randomAgrees: boolean }
  /** the canonical forms differ, yet agree at random points in ℤ_p */
  | { readonly why: 'random-agrees'; readonly at: IntEnv }
  /** identical over the exact range, yet the randomized test at a larger horizon disagrees */
  | { readonly why: 'random-disagrees'; readonly range: string; readonly T: number }
  | { readonly why: 'no-binding'; readonly maxT: number };

export type SymbolicOutcome =
  | {
      readonly status: 'identical';
      /** the sizes and horizons the identity was checked for, e.g. "T = 3..12" */
      readonly range: string;
      /**
       * the same as data: each size the claim depends on with the values checked exactly (a size not listed is one the
       * forms do not depend on); the horizon of a randomized test (`random.T`) is checked besides
       */
      readonly sizes: readonly SizeSpan[];
      readonly cases: number;
      /** sequences written out by their entrywise equations (h = o ⊙ σ(C)) to decide it; empty when atoms sufficed */
      readonly unfolded: readonly string[];
      /**
       * unit level: derivatives (∂y_1/∂h_1) replaced at each binding by the closed forms the engine derives, with
       * activation derivatives then written by the model's rules (σ′ = σ ⊙ (1 − σ)); absent when there were none
       */
      readonly derivatives?: readonly string[];
      /** matrix level: of `cases`, those whose two closed forms were the same as at a smaller T, compared there */
      readonly repeated?: number;
      /** matrix level: of `cases`, those decided with every derivative an opaque matrix (for any value of them) */
      readonly opaqueDerivatives?: number;
      /** of those, cases decided with ∇_x L written as Σ_i (∂y_i/∂x)ᵀ ∇_{y_i} L over the values y_i the loss reads */
      readonly throughLossRead?: number;
      /** cases decided with only the derivatives whose closed forms are block products opaque, the others written out */
      readonly blockProductsOpaque?: number;
      /** of the opaque cases, those decided after a Jacobian written by one step of the chain rule over its value's reads */
      readonly throughReads?: number;
      /** of the opaque cases, those decided after a ∇_x L written by one step of the backward recurrence */
      readonly throughChildren?: number;
      /** of the opaque cases, those decided after a ∇_x L written by steps through the values that read x directly */
      readonly throughReaders?: number;
      /** of the opaque cases, those decided after a Jacobian written through the states at its value's step before */
      readonly throughStates?: number;
      /** of the opaque cases, those decided after a Jacobian unrolled through the states down to one-step factors */
      readonly throughStatesUnrolled?: number;
      /** of the opaque cases, those decided after a ∇_x L unrolled to the horizon through x's only later child, itself */
      readonly throughChildrenUnrolled?: number;
      /**
       * of `cases`, those where the exact expansion exceeds `words` monomials, decided by the randomized
       * identity test in ℤ_p alone (`from`: the first of them); null when every case was expanded exactly
       */
      readonly randomOnly: null | { readonly cases: number; readonly from: IntEnv; readonly words: number };
      /** matrix level: the randomized identity test at a larger horizon */
      readonly random: null | {
        readonly prime: number;
        readonly trials: number;
        readonly T: number;
        readonly bindings: readonly IntEnv[];
        /**
         * of `bindings`, those decided exactly with derivatives opaque, as every binding of `cases` was (no
         * randomized test ran there); absent when none was
         */
        readonly opaque?: number;
      };
    }
  | { readonly status: 'different'; readonly at: IntEnv; readonly lhs: string; readonly rhs: string }
  | { readonly status: 'undecided'; readonly undecided: Undecided };

/** The values lo..hi of one size. */
export interface SizeSpan {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
}

export interface SymbolicEvidence {
  readonly kind: 'symbolic';
  /** matrix: closed forms in canonical word form; unit: exact polynomials with ∂h/∂w by forward mode */
  readonly level: 'matrix' | 'unit';
  readonly outcome: SymbolicOutcome;
  /**
   * identical forms, yet the numbers found violations: how many lie at sizes the exact check did not reach (d = 12
   * where it stopped at 5), which its identity says nothing about; absent when none
   */
  readonly violationsBeyondItsSizes?: number;
  /**
   * identical forms, and points float64 could not compare where extended precision found the sides' difference to be
   * what cancellation left (both sides of `lhs - rhs = 0` exactly 0 after rounding, say): how many of those lie at
   * sizes the exact check reached, which the identity decides (./verdict.ts); absent when none
   */
  readonly roundingResiduesDecided?: number;
}

/** Instances drawn at the sizes where the closed forms differ. */
export interface GuidedSearchEvidence {
  readonly kind: 'guided-search';
  readonly sizes: IntEnv;
  readonly violations: number;
  /** violations float64 found there that nothing could decide again (trouble, as in ReferenceEvidence); absent when none */
  readonly undecidedViolations?: number;
  /**
   * where those instances agree too: the structured constructions beyond the regimes evaluated from each
   * (src/check/search.ts equalityProbe), how many, and how many of their points violate; absent where not run
   */
  readonly probe?: { readonly constructions: number; readonly violations: number };
  /**
   * what aimed it: the sizes where the closed forms differ (absent), or, for an equality of a model with a kink that the
   * engine has no closed form for (|·| is not differentiable at 0), the smallest sizes of at least 2 (`no-closed-form`)
   */
  readonly aim?: 'no-closed-form';
}

/** What one part of the adversarial search spent and saw (inside the regimes, or beyond them). */
export interface SearchEffort {
  /** instances it may evaluate (each at every binding) */
  readonly budget: number;
  readonly evaluations: number;
  /** instances it started from: the worst random ones, and the same at the smallest sizes */
  readonly starts: number;
  /** structured constructions among the evaluations */
  readonly constructions: number;
  /** the largest lhs/rhs (≥: rhs/lhs) over every sound point it saw, its starts included */
  readonly bestRatio: number | null;
  /** a violation found */
  readonly found: boolean;
  /**
   * violations float64 found at the instances it evaluated (its starts' random points not counted again) that
   * nothing could decide again (trouble, as in ReferenceEvidence); absent when none
   */
  readonly undecidedViolations?: number;
  /**
   * troubled points it evaluated whose sides differ by no more than rounding leaves (a violation in float64 that the
   * deepest decimals find within their own rounding, say): no evidence either way, and no violation; absent when none
   */
  readonly roundingResidues?: number;
  /**
   * violations it found only at a kink's exact tie (max(a, b) at a = b, |x| or a step at 0, where the sweeps take a
   * convention, not a derivative) that no nudge of every value by 1e-7 repeats: set aside, no violation; absent when none
   */
  readonly kinkTies?: number;
  /**
   * evaluations whose instance left the claim's premise (`given:`): no instance of the claim, so no points (the
   * path goes on from its best admissible one); absent when none
   */
  readonly outsidePremise?: number;
  /**
   * for a claim written strict (< or >): agreeing points it evaluated whose sides are equal within the tolerance,
   * where the strict relation cannot be told from its equality case (its starts' random points not counted again);
   * absent when none
   */
  readonly ties?: number;
}

/**
 * The adversarial search for a violation of an inequality, after the random
 * instances: structured constructions and an optimiser over each start's
 * parameters, inputs and initial states, inside its regime, then (for a claim
 * stated without `regimes:`) beyond the regimes (src/check/search.ts). Its own
 * effort fields are the part inside the regimes; `found` is true when either
 * part found a violation.
 */
export interface SearchEvidence extends SearchEffort {
  readonly kind: 'search';
  /** the violation found is a strict claim's exact tie (PointOutcome's exactTie); absent otherwise */
  readonly foundExactTie?: true;
  readonly relation: '<=' | '>=';
  /** the regimes searched inside: the claim's (`regimes:`), or all of them */
  readonly regimes: readonly RegimeName[];
  /**
   * The search beyond the regimes (src/numeric/adversarial.ts: every law `gain` times as wide as its widest
   * over the regimes, recurrent spectral norms up to `gain` times the largest regime's); null when the claim
   * is restricted to regimes or that part was not run.
   */
  readonly beyond:
    | (SearchEffort & {
        readonly gain: number;
        /**
         * beside each path (a claim taking a norm of a recurrent matrix), every recurrent matrix also 0 and these many
         * times the cap (src/numeric/adversarial.ts EXTREME_RECURRENT); absent otherwise
         */
        readonly extremeCapTimes?: readonly number[];
        /**
         * beside each path (a claim taking a norm of parameters), those parameters also 0, each alone at its end with
         * the others 0, and `scale` times the start's with every other recurrent matrix `capTimes` times the cap; with
         * `nilpotent` (a claim with a spectral radius), each square recurrent one nilpotent at the cap with the others
         * at `scale` (src/numeric/adversarial.ts vanishingConstructions); absent otherwise
         */
        readonly vanishing?: {
          readonly names: readonly string[];
          readonly scale: number;
          readonly capTimes: number;
          readonly nilpotent?: true;
        };
        /**
         * beside each path, the initial values of the `states` a claim's norms read also `times` times the edge of
         * their box, and with `inputWeights` (a norm of a derivative with respect to an input), at the drives' peak
         * every input weight `times[0]` times the edge of its box; the `lastInputs` (read outside every squashing
         * activation) at the last step `times` times the edge of their box, at the peak with every gate's input weights
         * 0 (src/numeric/adversarial.ts farOutConstructions); absent when none
         */
        readonly farOut?: {
          readonly states: readonly string[];
          readonly inputWeights: boolean;
          readonly lastInputs?: readonly string[];
          readonly times: readonly number[];
        };
        /**
         * beside each path, at each gate setting (some gates shut among open ones, the candidates centred), the last
         * step's `inputs` (read through a gate's input weights) `times` times the start's (src/numeric/adversarial.ts
         * nearZeroInputConstructions); absent when none
         */
        readonly nearZero?: { readonly inputs: readonly string[]; readonly times: readonly number[] };
      })
    | null;
  /** the claim's bound is proved: the search cross-checks the proof with this share of its budgets (absent otherwise) */
  readonly crossCheckOfProof?: number;
}

/** Points float64 could not decide (trouble, or a violation within rounding distance), decided again with an unbounded exponent. */
export interface ExtendedPrecisionEvidence {
  readonly kind: 'extended-precision';
  readonly digits: number;
  /** per origin: how many of them agree and how many violate in extended precision */
  readonly fromTrouble: { readonly agree: number; readonly violate: number };
  readonly nearTolerance: { readonly agree: number; readonly violate: number };
  /** points whose two sides were exactly 0 in float64 (underflow to 0 ruled out or found); absent when none */
  readonly fromZero?: { readonly agree: number; readonly violate: number };
  /** violations only at entries exactly 0 on one side in float64 (a value that may have underflowed on the way); absent when none */
  readonly fromOneZero?: { readonly agree: number; readonly violate: number };
  /** violations and agreements within reach of the digits a value lost on the way, in the subnormals or to cancellation (src/numeric/lost-digits.ts); absent when none */
  readonly fromLostDigits?: { readonly agree: number; readonly violate: number };
  /** how many of those were decided in wide floats (float64 mantissas, unbounded exponent), the rest in decimals; absent when none */
  readonly wideFloat?: number;
  /** how many agreements interval enclosures proved (src/symbolic/domains/interval.ts), before any other arithmetic; absent when none */
  readonly intervals?: number;
  /**
   * how many of the decimals' decisions were taken with more digits, where cancellation left the `digits`-digit one
   * open (a sum cancelled to exactly 0, or within reach of the digits it lost); absent when none
   */
  readonly deepDecimals?: { readonly digits: number; readonly points: number };
  /**
   * points float64 could not decide that extended precision could not evaluate either, by origin and reason (its
   * work budget, no rule for a function): their float64 outcome stands; absent when none
   */
  readonly unsettled?: readonly {
    readonly was: ExtendedValues['was'];
    readonly why: string;
    readonly points: number;
  }[];
}

export interface InductionEvidence {
  readonly kind: 'induction';
  readonly ok: boolean;
  readonly steps: readonly ProofStep[];
}

/** A bound proved (or not) by a chain of checked rules with the indices symbolic (src/symbolic/bounds). */
export interface BoundProofEvidence {
  readonly kind: 'bound-proof';
  readonly ok: boolean;
  readonly relation: '<=' | '>=';
  /** the chain from the claim's smaller side: each rule, where it applied, and the expression after it */
  readonly steps: readonly {
    readonly rule: BoundRule;
    readonly relation: '=' | '<=';
    readonly sites: number;
    readonly context: readonly MonotoneRule[];
    readonly expr: string;
    readonly values: readonly Readonly<Record<string, string>>[];
  }[];
  /** for a failed attempt: the inequality no rule could justify */
  readonly failure: BoundFailure | null;
  /** the integer variables kept symbolic (quantifiers and sizes), and the sizes the claim fixes */
  readonly symbolic: readonly string[];
  readonly fixed: Readonly<Record<string, number>>;
  /**
   * troubled points the proof decides (a proved, non-strict bound): where float64 could not compare and extended
   * precision found the sides' difference to be what cancellation left, as `roundingResiduesDecided` of identical
   * closed forms; absent when none
   */
  readonly roundingResiduesDecided?: number;
}

/**
 * A claim written strict (< or >, read as ≤ or ≥): how close its sound random points came to the equality case.
 * A tie — the sides equal within the tolerance — is a point where floating point cannot tell the strict relation
 * from its failure (norm2(W) < norm2(W) is false at every point, and agrees as ≤ at every point).
 */
export interface StrictEvidence {
  readonly kind: 'strict';
  /** as written */
  readonly relation: '<' | '>';
  /** the random points that agree (as the non-strict relation) */
  readonly points: number;
  /** of them, the ones whose sides are equal within the tolerance (relative excess above −tolerance) */
  readonly ties: number;
  /** the same at the points the adversarial search evaluated (inside and beyond the regimes); absent when none */
  readonly searchedTies?: number;
  /**
   * violations where interval enclosures prove the sides exactly equal (0 < 0 at W = 0): the random points', and the
   * search's violation when it is one — the strict relation fails there, its non-strict one holds; absent when none
   */
  readonly exactTies?: number;
  /** the largest relative excess of the smaller side over the larger among the agreeing points (≤ 0: strictly apart) */
  readonly closest: number;
  readonly tolerance: number;
}

/** A premise (`given:`): how many instance slots found an instance satisfying it, and how. */
export interface PremiseEvidence {
  readonly kind: 'premise';
  readonly text: string;
  /** instance slots (indices) asked for */
  readonly slots: number;
  /** slots that found a satisfying instance */
  readonly satisfied: number;
  /** instances drawn in all (first draws and redraws with fresh seeds) */
  readonly draws: number;
  /** of the satisfied slots: met as drawn, after rescaling the premise's parameters, after a search */
  readonly asDrawn: number;
  readonly rescaled: number;
  readonly searched: number;
}

export type Evidence =
  | PremiseEvidence
  | ReferenceEvidence
  | DistanceEvidence
  | DualAdjointEvidence
  | FiniteDifferenceEvidence
  | TroubleEvidence
  | SymbolicEvidence
  | GuidedSearchEvidence
  | SearchEvidence
  | ExtendedPrecisionEvidence
  | InductionEvidence
  | BoundProofEvidence
  | StrictEvidence;

export type EvidenceKind = Evidence['kind'];

/** The record of one kind in a list, if present. */
export function evidenceOf<K extends EvidenceKind>(
  list: readonly Evidence[],
  kind: K,
): Extract<Evidence, { kind: K }> | undefined {
  return list.find((e): e is Extract<Evidence, { kind: K }> => e.kind === kind);
}
