/** LaTeX of claims and proofs in each derivation file's own notation. */
import type { Claim, Derivation } from '../derivation/derivation.js';
import type { Proof } from '../symbolic/proof.js';
import { latexWriterFor } from './derive-report.js';

export function claimLatex(d: Derivation, claim: Pick<Claim, 'lhs' | 'relation' | 'rhs'>): string {
  return latexWriterFor(d).relation(claim.lhs, claim.relation, claim.rhs);
}

/** The inductive step as an aligned chain: lhs at t+1 = the recurrence = … = the closed form at t+1. */
export function proofLatex(d: Derivation, proof: Proof): string {
  return latexWriterFor(d).chain(
    proof.stepLhs,
    proof.chain.map((c) => ({ relation: '=' as const, rhs: c.rhs })),
  );
}
