/** What checking a claim reports: the verdict, the evidence that backs it, and a counterexample when there is one. */
import type { Claim, Derivation, RegimeName, Verdict } from '../derivation/derivation.js';
import type { InputError } from '../derivation/errors.js';
import type { Proof } from '../symbolic/proof.js';
import type { BoundProof } from '../symbolic/bounds/rules.js';
import type { Evidence } from './evidence.js';
import type { UnverifiableReason } from './verdict.js';
import type { RepairSearch } from '../repair/result.js';
import type { RegimeExcess } from '../numeric/adversarial.js';

export type { Evidence } from './evidence.js';

export interface Counterexample {
  readonly masterSeed: number;
  readonly instance: number;
  readonly instanceSeed: number;
  readonly regime: RegimeName;
  readonly sizes: Readonly<Record<string, number>>;
  /** quantifier values, e.g. { k: 3 } */
  readonly bindings: Readonly<Record<string, number>>;
  /** what was compared: the full values, or the sides applied to a random probe */
  readonly compared: string;
  /** entries shown (the first 8) and how many there are */
  readonly lhs: readonly number[];
  readonly rhs: readonly number[];
  readonly entries: number;
  readonly lhsNorm: number;
  readonly rhsNorm: number;
  readonly relError: number;
  /** the sides' first entries as decimals (6 digits shown), when the point was decided in extended precision */
  readonly extended: { readonly lhs: readonly string[]; readonly rhs: readonly string[] } | null;
  /**
   * float64 could not decide the point (within rounding distance of the tolerance) and extended precision could not
   * evaluate it (why: its work budget, no rule): the values are float64's; absent otherwise
   */
  readonly unsettled?: string;
  /**
   * a claim written strict whose sides interval enclosures prove exactly equal here (the relation fails though the
   * relative error is within the tolerance); absent otherwise
   */
  readonly exactTie?: true;
  /** found at the instance nudged off a kink's tie (PointOutcome's offKinkTie): the replay repeats the nudge */
  readonly offKinkTie?: true;
  /**
   * found by the adversarial search: the steps from its start instance (replayed with `--search`, or for
   * one found beyond the regimes with `--search 0 --beyond`)
   */
  readonly searchSteps: number | null;
  /**
   * found by the search beyond the regimes (src/numeric/adversarial.ts): the instance lies outside every
   * sampled regime; the symbols whose magnitudes exceed what the regimes allow, largest excess first
   */
  readonly beyondRegimes: readonly RegimeExcess[] | null;
  /**
   * found by probing an equality whose closed forms differ beyond the regimes (src/check/search.ts equalityProbe): the
   * construction's index in the probe's list (its export rebuilds it) and its name; absent otherwise. Replayed as the
   * instance is: its points agree again, and the probe finds the construction again.
   */
  readonly probe?: { readonly index: number; readonly construction: string };
  /** the arguments of `gradproof check` that replay exactly this counterexample */
  readonly replay: readonly string[];
}

/** Something about a claim its reader should know beside the verdict (the words are in src/emit/evidence-text.ts). */
export type ClaimWarning =
  | {
      /** a relative tolerance at or above `threshold`: errors that large count as agreement */
      readonly kind: 'loose-tolerance';
      readonly tolerance: number;
      readonly threshold: number;
    }
  | {
      /** a sum/prod/hprod whose range is empty at every binding (bounds reversed?) */
      readonly kind: 'empty-range';
      readonly claim: string;
      /** the operator with its range, e.g. `prod(j, t, k + 1, …)` */
      readonly range: string;
    };

/** Tolerances from here on are reported beside the verdict. */
export const LOOSE_TOLERANCE = 1e-2;

export function claimWarnings(claim: Pick<Claim, 'tolerance'>): ClaimWarning[] {
  return claim.tolerance >= LOOSE_TOLERANCE
    ? [{ kind: 'loose-tolerance', tolerance: claim.tolerance, threshold: LOOSE_TOLERANCE }]
    : [];
}

export interface ClaimResult {
  readonly id: string;
  readonly file: string;
  readonly label: string | null;
  readonly statement: string;
  /** how a claim given in LaTeX was read (its statement is the reading) */
  readonly reading: Claim['reading'];
  /** written strict (< or >) and checked as the statement's ≤ or ≥ (absent otherwise) */
  readonly strict?: boolean;
  readonly verdict: Verdict;
  /** null: the file states no expectation */
  readonly expected: Verdict | null;
  /** the verdict is the expected one, or none was stated */
  readonly ok: boolean;
  /**
   * worst relative error over the sound comparison points and a refuted claim's counterexample (relative violation for
   * ≤/≥, 0 when they hold)
   */
  readonly relError: number | null;
  /** why the verdict is `unverifiable`, when it is */
  readonly reason: UnverifiableReason | null;
  readonly evidence: readonly Evidence[];
  readonly counterexample: Counterexample | null;
  /** the clearest violation found in the same run (largest relative error or ratio), beside the shrunk one */
  readonly clearest: Counterexample | null;
  readonly corrects: string | null;
  readonly note: string | null;
  /** set when the claim is one step of a chain */
  readonly chain: Claim['chain'];
  /** the induction proof, when the claim has the shape the prover knows */
  readonly proof: Proof | null;
  /** the bound proof attempt, for an inequality */
  readonly boundProof: BoundProof | null;
  readonly warnings: readonly ClaimWarning[];
  /** the repair search, when asked for (`check --repair`) and the claim is refuted */
  readonly repairs?: RepairSearch;
  /** the claim's `assume:` in words (replaced equations, fixed values); empty when it has none */
  readonly assumptions: readonly string[];
}

export interface CheckReport {
  readonly claims: readonly ClaimResult[];
  readonly summary: { readonly total: number; readonly ok: number; readonly failed: number };
  readonly masterSeed: number;
  /** the derivations checked, for emitters (LaTeX of the claims in each file's notation) */
  readonly derivations: readonly Derivation[];
  /** files that could not be read and ill-formed claims, each located; the rest was checked */
  readonly errors: readonly InputError[];
}
