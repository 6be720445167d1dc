/**
 * The bound prover's hook into checking: an inequality claim gets a proof
 * attempt (src/symbolic/bounds) and its evidence record. A failed attempt is
 * evidence too — where the chain stopped — and never counts against the claim.
 */
import type { Claim, Derivation } from '../derivation/derivation.js';
import { printExpr } from '../ir/print.js';
import { proveBound } from '../symbolic/bounds/prove.js';
import type { BoundProof } from '../symbolic/bounds/rules.js';
import { SymbolicModel } from '../symbolic/derive.js';
import type { BoundProofEvidence } from './evidence.js';

const models = new WeakMap<Derivation, SymbolicModel>();

function symbolicModel(d: Derivation): SymbolicModel {
  let sm = models.get(d);
  if (!sm) {
    sm = new SymbolicModel(d.model);
    models.set(d, sm);
  }
  return sm;
}

/** The proof attempt for an inequality claim (null for an equality or an index-level claim). */
export function boundProofFor(d: Derivation, claim: Claim): BoundProof | null {
  return proveBound(d, claim, symbolicModel(d));
}

export function boundEvidence(p: BoundProof): BoundProofEvidence {
  return {
    kind: 'bound-proof',
    ok: p.ok,
    relation: p.relation,
    steps: p.steps.map((s) => ({
      rule: s.rule,
      relation: s.relation,
      sites: s.sites,
      context: s.context,
      expr: printExpr(s.expr),
      values: s.values,
    })),
    failure: p.failure,
    symbolic: p.symbolic,
    fixed: p.fixed,
  };
}
