/** LaTeX of claims and proofs in each derivation file's own notation. */
import type { Claim, Derivation } from '../derivation/derivation.js';
import type { Proof } from '../symbolic/proof.js';
import { latexWriterFor } from './derive-report.js';

/**
 * A statement with its relation as written: a claim written strict (< or >) is read, checked and stated as ≤ or ≥
 * (its sides hold no relation, so the statement's one ` <= ` or ` >= ` is it).
 */
export const writtenStatement = (c: {
  readonly statement: string;
  readonly strict?: boolean;
  /** a repair's premise: it holds under it only */
  readonly given?: string;
}): string => {
  const written = c.strict ? c.statement.replace(/ ([<>])= /, ' $1 ') : c.statement;
  return c.given ? `${written}  given ${c.given}` : written;
};

export function claimLatex(d: Derivation, claim: Pick<Claim, 'lhs' | 'relation' | 'rhs' | 'strict'>): string {
  return latexWriterFor(d).relation(claim.lhs, claim.relation, claim.rhs, claim.strict);
}

/** The inductive step as an aligned chain: lhs at t+1 = the recurrence = … = the closed form at t+1. */
export function proofLatex(d: Derivation, proof: Proof): string {
  return latexWriterFor(d).chain(
    proof.stepLhs,
    proof.chain.map((c) => ({ relation: '=' as const, rhs: c.rhs })),
  );
}
