/**
 * Proofs as data: each step names a rule by a stable id and carries the
 * values its check compared (printed templates, ranges); the sentences are
 * written by src/emit/proof-text.ts.
 */
import type { Expr } from '../ir/expr.js';

/** The rules of the induction on t (see ./induction.ts). */
export const INDUCTION_RULES = [
  'path-sum-shape',
  'recurrence-from-model',
  'path-range',
  'base-case',
  'induction-hypothesis',
  'distribute-sum',
  'extend-first-factor',
  'reindex-later-factors',
  'reindex-last-factor',
  'shift-sum-index',
  'split-off-first-term',
] as const;
export type InductionRule = (typeof INDUCTION_RULES)[number];

/** Lines of the inductive step as rendered: the recurrence, the hypothesis, then the rearrangement. */
export type ChainRule = 'recurrence-from-model' | 'induction-hypothesis' | 'rearrange-paths';

export interface ProofStep {
  readonly rule: InductionRule;
  readonly ok: boolean;
  /** what the rule's check compared, by name (fixed per rule) */
  readonly values: Readonly<Record<string, string>>;
}

export interface Proof {
  readonly ok: boolean;
  readonly steps: readonly ProofStep[];
  /** the lines of the inductive step, for rendering as an aligned chain */
  readonly chain: readonly { readonly rhs: Expr; readonly rule: ChainRule }[];
  readonly stepLhs: Expr;
}
