/** What checking a claim reports: the verdict and the evidence that backs it. */
import type { RegimeName, Verdict } from '../derivation/derivation.js';

/** One line of evidence: which method, on what, with what outcome. */
export interface Evidence {
  readonly method: string;
  readonly summary: string;
  readonly [detail: string]: unknown;
}

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
  readonly lhs: readonly number[];
  readonly rhs: readonly number[];
  readonly lhsNorm: number;
  readonly rhsNorm: number;
  readonly relError: number;
  /** the command line that replays exactly this counterexample */
  readonly replay: string;
}

export interface ClaimResult {
  readonly id: string;
  readonly file: string;
  readonly label: string | null;
  readonly statement: string;
  readonly verdict: Verdict;
  readonly expected: Verdict;
  readonly ok: boolean;
  /** worst relative error over the sound comparison points (relative violation for ≤/≥) */
  readonly relError: number | null;
  /** why the verdict is `unverifiable`, when it is */
  readonly reason: string | null;
  readonly evidence: readonly Evidence[];
  readonly counterexample: Counterexample | null;
  readonly corrects: string | null;
  readonly note: string | null;
  /** set when the claim is one step of a chain */
  readonly chain: { readonly id: string; readonly step: number; readonly by: string } | null;
  /** the induction proof, when the claim has the shape the prover knows */
  readonly proof: { readonly ok: boolean; readonly steps: readonly { rule: string; statement: string; ok: boolean; detail: string }[]; readonly latex: string } | null;
  /** the claim as written, in the file's notation */
  readonly latex: string;
}

export interface CheckReport {
  readonly claims: readonly ClaimResult[];
  readonly summary: { readonly total: number; readonly ok: number; readonly failed: number };
  readonly masterSeed: number;
}
