/** The typed form of a derivation file: a model and the claims made about it. */
import type { LatexReading } from './latex-source.js';
import type { Affine } from '../ir/affine.js';
import type { Expr } from '../ir/expr.js';
import type { Model, SizeRange } from '../model/model.js';
import type { DocumentLayout } from './document.js';
import type { InputError, SourcePos } from './errors.js';

export type Relation = '=' | '<=' | '>=';

/** Strongest first. */
export const VERDICTS = ['proved', 'verified', 'consistent', 'refuted', 'unverifiable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const REGIMES = ['contracting', 'near-critical', 'expanding', 'saturated'] as const;
export type RegimeName = (typeof REGIMES)[number];

export interface Quantifier {
  readonly name: string;
  readonly lo: Affine;
  readonly hi: Affine;
}

export type PremiseRelation = '<' | '<=' | '>' | '>=';

/** One scalar condition of a premise, on the instance (sizes, parameters, inputs, states). */
export interface Condition {
  readonly lhs: Expr;
  readonly relation: PremiseRelation;
  readonly rhs: Expr;
}

/** `given: rho(U) < 1 and normMin(abs(U)) > 1`: the claim is checked on instances where every condition holds. */
export interface Premise {
  readonly text: string;
  readonly conditions: readonly Condition[];
}

export interface Claim {
  readonly id: string;
  /** the source's own label, e.g. "eq. (1)" */
  readonly label: string | null;
  /** the claim as the source writes it (LaTeX or prose), shown beside ours */
  readonly sourceText: string | null;
  /** the claim as given in LaTeX (`latex:`) and how it was read; the statement is then the reading */
  readonly reading: LatexReading | null;
  readonly statement: string;
  readonly lhs: Expr;
  readonly relation: Relation;
  /**
   * written strict (< or >, LaTeX input only) and checked as `relation`: never proved (a proof of the non-strict bound
   * does not prove it), and unverifiable where the sides are equal within the tolerance (src/check/verdict.ts)
   */
  readonly strict?: boolean;
  readonly rhs: Expr;
  readonly forall: readonly Quantifier[];
  /** null: no expectation (exploring) — the verdict is reported and never counts as a failure */
  readonly expect: Verdict | null;
  /** null: every regime */
  readonly regimes: readonly RegimeName[] | null;
  readonly tolerance: number;
  /** id of the claim this one corrects */
  readonly corrects: string | null;
  readonly note: string | null;
  readonly pos: SourcePos;
  /** ranges narrower than the model's for this claim's instances and exact checks (null: the model's) */
  readonly sizes: Readonly<Record<string, SizeRange>> | null;
  /** set when the claim is one step of a chain */
  readonly chain: {
    readonly id: string;
    readonly step: number;
    readonly by: string;
    /** the step's relation (its claim's), for what the whole chain concludes (src/emit/chain-text.ts) */
    readonly relation: Relation;
    readonly strict?: true;
  } | null;
  /** a premise the instances must satisfy (null: none) */
  readonly given?: Premise | null;
  /** `assume:` — the model variant this claim alone is checked on, and the assumptions in words */
  readonly assume?: { readonly model: Model; readonly assumptions: readonly string[] } | null;
}

export interface Derivation {
  readonly file: string;
  readonly title: string;
  /** the source document this file reproduces, if any */
  readonly source: string | null;
  readonly notation: Readonly<Record<string, string>>;
  readonly model: Model;
  readonly claims: readonly Claim[];
  /** how renderers lay the claims out as a worked solution (the file's `document:` section), if it has one */
  readonly document?: DocumentLayout | null;
  /**
   * Claims that could not be read, each a located error of its own (set only when the file was loaded
   * with `perClaimErrors`; otherwise the first such error is thrown).
   */
  readonly claimErrors?: readonly InputError[];
}

export interface LoadOptions {
  /** an ill-formed claim is recorded in `claimErrors` and the file's other claims are kept */
  readonly perClaimErrors?: boolean;
}

export const DEFAULT_TOLERANCE = 1e-9;
