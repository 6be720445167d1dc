/**
 * The symbolic side of checking a claim: replace every derivative by the
 * closed form derived from the model, then compare exact canonical forms for
 * every concrete T in a bounded range and every binding of the quantifiers
 * (`verified` over that range), with a randomized identity test in ℤ_p at a
 * larger T beside it. Mismatches are re-tested at random before they count.
 */
import type { Claim, Derivation } from '../derivation/derivation.js';
import type { IntEnv } from '../ir/affine.js';
import { HORIZON } from '../model/model.js';
import { Canonicalizer, formatPoly, samePoly } from '../symbolic/canonical.js';
import { SymbolicModel, substituteDerivations } from '../symbolic/derive.js';
import { SymbolicUnsupported } from '../symbolic/differentiate.js';
import { PRIME, randomIdentity } from '../symbolic/random-identity.js';
import { bindings } from './check-claim.js';
import type { Evidence } from './result.js';

/** Exact verification runs for T up to this; the randomized test at RANDOM_T. */
export const VERIFY_MAX_T = 12;
export const RANDOM_T = 48;

export type SymbolicOutcome =
  | { readonly status: 'identical'; readonly evidence: Evidence; readonly range: string }
  | { readonly status: 'different'; readonly evidence: Evidence; readonly at: IntEnv }
  | { readonly status: 'undecided'; readonly evidence: Evidence };

const models = new WeakMap<Derivation, SymbolicModel>();

function symbolicModel(d: Derivation): SymbolicModel {
  let sm = models.get(d);
  if (!sm) {
    sm = new SymbolicModel(d.model);
    models.set(d, sm);
  }
  return sm;
}

const describe = (env: IntEnv) =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

export function symbolicCheck(derivation: Derivation, claim: Claim, seed: number): SymbolicOutcome | null {
  if (claim.relation !== '=') return null;
  const sm = symbolicModel(derivation);
  let lhs, rhs;
  try {
    lhs = substituteDerivations(claim.lhs, sm);
    rhs = substituteDerivations(claim.rhs, sm);
  } catch (err) {
    if (!(err instanceof SymbolicUnsupported)) throw err;
    return { status: 'undecided', evidence: { method: 'symbolic', summary: `no closed form: ${err.message}` } };
  }
  const canon = new Canonicalizer(sm);
  const sizes = derivation.model.sizes;
  // Sizes other than T only enter through quantifier bounds: enumerate at their smallest values.
  const small: Record<string, number> = {};
  for (const [name, range] of Object.entries(sizes)) if (name !== HORIZON) small[name] = range.min;
  const tMin = Math.max(1, sizes[HORIZON]!.min);
  const started = performance.now();
  let cases = 0;
  try {
    for (let T = tMin; T <= VERIFY_MAX_T; T++) {
      for (const binding of bindings(claim, { ...small, [HORIZON]: T })) {
        const env = { ...small, [HORIZON]: T, ...binding };
        cases++;
        const [a, b] = [canon.expand(lhs, env), canon.expand(rhs, env)];
        if (samePoly(a, b)) continue;
        const where = { ...env };
        if (randomIdentity(sm, lhs, rhs, env, { ...small, ...env }, seed))
          return {
            status: 'undecided',
            evidence: { method: 'symbolic', summary: `canonical forms differ at ${describe(where)} but agree at random points in ℤ_p: undecided`, lhs: formatPoly(a), rhs: formatPoly(b) },
          };
        return {
          status: 'different',
          at: where,
          evidence: {
            method: 'symbolic',
            summary: `not identical: the derived closed forms differ at ${describe(where)} (exact canonical forms, confirmed in ℤ_p)`,
            lhs: formatPoly(a),
            rhs: formatPoly(b),
          },
        };
      }
    }
  } catch (err) {
    if (!(err instanceof SymbolicUnsupported)) throw err;
    return { status: 'undecided', evidence: { method: 'symbolic', summary: `no canonical form: ${err.message}` } };
  }
  if (cases === 0) return { status: 'undecided', evidence: { method: 'symbolic', summary: `no binding with T ≤ ${VERIFY_MAX_T}` } };
  const exactMs = performance.now() - started;
  // A larger horizon, where expansion would be costly: random evaluation in ℤ_p at the extreme bindings.
  const big = bindings(claim, { ...small, [HORIZON]: RANDOM_T });
  const sampled = [big[0], big[big.length - 1]].filter((b): b is IntEnv => b !== undefined);
  const randomOk = sampled.every((b) => randomIdentity(sm, lhs, rhs, { ...small, [HORIZON]: RANDOM_T, ...b }, { ...small, [HORIZON]: RANDOM_T, ...b }, seed));
  const range = `T = ${tMin}..${VERIFY_MAX_T}, every binding (${cases} cases)`;
  if (!randomOk)
    return { status: 'undecided', evidence: { method: 'symbolic', summary: `identical for ${range}, yet the randomized test at T = ${RANDOM_T} disagrees: undecided` } };
  return {
    status: 'identical',
    range,
    evidence: {
      method: 'symbolic',
      summary: `identical for ${range}: exact canonical forms of the derived closed forms; randomized test in ℤ_p (p = ${PRIME}, 2 trials) agrees at T = ${RANDOM_T}${claim.forall.length ? `, ${sampled.map(describe).join(' and ')}` : ''}`,
      range,
      cases,
      milliseconds: Math.round(exactMs),
      randomizedAt: RANDOM_T,
    },
  };
}
