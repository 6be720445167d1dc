/**
 * Bound proofs as data: a chain of expressions from one side of an
 * inequality to the other, each step naming the rule (a stable id) that
 * justifies it and carrying the values its check compared; the words are
 * written by src/emit/bound-text.ts.
 */
import type { Expr } from '../../ir/expr.js';

/** The rules a step may apply: equalities first, then inequalities. */
export const BOUND_RULES = [
  // ── equalities ──
  'closed-form',
  'backward-step',
  'backward-unrolled',
  'dact-expansion',
  'norm-transpose',
  'norm-diag',
  'norm-zero',
  'norm-scalar',
  'norm-homogeneous',
  'abs-multiplicative',
  'scalar-algebra',
  'sum-linear',
  // ── inequalities ──
  'triangle',
  'triangle-range',
  'reverse-triangle',
  'submultiplicative',
  'submultiplicative-mixed',
  'submultiplicative-range',
  'spectral-le-frobenius',
  'max-le-norm',
  'max-entrywise-product',
  'max-hprod',
  'activation-range',
  'activation-sup',
  'sup-lower-bound',
  'constant-order',
  'factor-at-least-one',
  'range-factors-at-most-one',
  'diag-range-factors-at-most-one',
] as const;
export type BoundRule = (typeof BOUND_RULES)[number];

export const EQUALITY_RULES: ReadonlySet<BoundRule> = new Set([
  'closed-form',
  'backward-step',
  'backward-unrolled',
  'dact-expansion',
  'norm-transpose',
  'norm-diag',
  'norm-zero',
  'norm-scalar',
  'norm-homogeneous',
  'abs-multiplicative',
  'scalar-algebra',
  'sum-linear',
]);

/** How a local inequality carries to the whole expression: the context is nondecreasing in the rewritten part. */
export const MONOTONE_RULES = [
  'mono-sum',
  'mono-product',
  'mono-power',
  'mono-range-product',
  'mono-range-sum',
] as const;
export type MonotoneRule = (typeof MONOTONE_RULES)[number];

export interface BoundStep {
  readonly rule: BoundRule;
  readonly relation: '=' | '<=';
  /** places rewritten by this rule in this step */
  readonly sites: number;
  /** the whole expression after the step */
  readonly expr: Expr;
  /** the monotonicity that carries a local ≤ to the whole (empty at the top, or for an equality) */
  readonly context: readonly MonotoneRule[];
  /** what the rule's check compared, by fixed names per rule (from, to, facts, at, …); one entry per site */
  readonly values: readonly Readonly<Record<string, string>>[];
}

/** Where the search stopped: the inequality no rule could justify. */
export interface BoundFailure {
  readonly goal: string;
  readonly target: string;
  readonly why: string;
  /**
   * the rules the search had applied on its way to that inequality, in order (absent: none; the goal is then the
   * claim's side as normalized): the furthest attempt is reported, and `norm2(v) ≤ 1` alone read as a misprint of the
   * claim's `normMax(v) ≤ 1` (a review's), where the search had taken normMax(v) ≤ norm2(v) first
   */
  readonly after?: readonly string[];
}

export interface BoundProof {
  readonly ok: boolean;
  readonly relation: '<=' | '>=';
  /** the side the chain starts from: the claim's lhs for ≤, its rhs for ≥ */
  readonly start: Expr;
  /** start = / ≤ steps[0].expr = / ≤ … ; the last expression is the other side */
  readonly steps: readonly BoundStep[];
  readonly failure: BoundFailure | null;
  /** the integer variables the proof keeps symbolic: the quantifiers and the sizes */
  readonly symbolic: readonly string[];
  /** sizes the claim fixes (n = 1 for a one-dimensional statement) */
  readonly fixed: Readonly<Record<string, number>>;
}
