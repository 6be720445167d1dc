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
import { Canonicalizer, cpolyKey, formatPoly, samePoly, showPoly } from '../symbolic/canonical.js';
import { PolyEvaluator } from '../symbolic/poly-eval.js';
import { walk } from '../ir/expr.js';
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

const INDEX_KINDS = new Set(['comp', 'entry', 'delta', 'pathsum', 'ideriv', 'unit']);

export function isIndexLevel(claim: Claim): boolean {
  let found = false;
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (e) => {
      if (INDEX_KINDS.has(e.kind) || (e.kind === 'dact' && e.index)) found = true;
    });
  return found;
}

/** Largest sizes the exact unit-level expansion visits (d ≤ 4, t ≤ 6 as the issue asks; others ≤ 2). */
export const INDEX_SIZE_CAPS: Readonly<Record<string, number>> = { d: 4, T: 6 };

function mentionsHorizon(claim: Claim): boolean {
  let found = false;
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (e) => {
      if (e.kind === 'ivar' && e.name === HORIZON) found = true;
      const affines = e.kind === 'seq' || e.kind === 'comp' || e.kind === 'dact' ? [e.time] : e.kind === 'prod' || e.kind === 'sum' || e.kind === 'hprod' ? [e.lo, e.hi] : [];
      if (affines.some((a) => a.terms[HORIZON])) found = true;
    });
  return found;
}

/**
 * Unit-level claims: both sides expanded exactly into polynomials in opaque
 * atoms (weights, inputs, states, activation derivatives) for every size
 * combination up to the caps and every binding — ∂h_t^α/∂w_ij by forward mode
 * over the model's equations.
 */
/** Sizes a claim depends on: named in it, or in the shape of a symbol it reads (others stay at their minimum). */
function relevantSizes(derivation: Derivation, claim: Claim): Set<string> {
  const out = new Set<string>();
  const addAffine = (a: { terms: Readonly<Record<string, number>> }) => Object.keys(a.terms).forEach((v) => out.add(v));
  const addSymbol = (name: string) => {
    const s = derivation.model.symbols.get(name);
    if (s) [s.shape.rows, s.shape.cols].forEach(addAffine);
  };
  for (const q of claim.forall) [q.lo, q.hi].forEach(addAffine);
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (e) => {
      if ('name' in e && typeof e.name === 'string') addSymbol(e.name);
      if (e.kind === 'ideriv') [e.of.name, e.wrt.name].forEach(addSymbol);
      if (e.kind === 'pathsum') [e.length, e.range].forEach(addAffine);
    });
  return out;
}

export function indexCheck(derivation: Derivation, claim: Claim): SymbolicOutcome {
  const sizes = derivation.model.sizes;
  const relevant = relevantSizes(derivation, claim);
  const names = Object.keys(sizes).sort();
  const ranges = names.map((name) => {
    const { min, max } = sizes[name]!;
    const cap = relevant.has(name) || name === HORIZON ? Math.min(max, INDEX_SIZE_CAPS[name] ?? Math.max(min, 2)) : min;
    // T only enters through quantifier bounds when the claim never names it: its largest value covers the rest.
    const lo = name === HORIZON && !mentionsHorizon(claim) ? cap : min;
    return { name, lo: Math.min(lo, cap), hi: cap };
  });
  let cases = 0;
  const combos: Record<string, number>[] = [{}];
  for (const r of ranges) {
    const next: Record<string, number>[] = [];
    for (const c of combos) for (let v = r.lo; v <= r.hi; v++) next.push({ ...c, [r.name]: v });
    combos.splice(0, combos.length, ...next);
  }
  try {
    for (const sz of combos) {
      const pe = new PolyEvaluator(derivation.model, sz);
      for (const binding of bindings(claim, sz)) {
        cases++;
        const [a, b] = [pe.evaluate(claim.lhs, binding), pe.evaluate(claim.rhs, binding)];
        const differs = a.data.length !== b.data.length || a.data.some((p, k) => cpolyKey(p) !== cpolyKey(b.data[k]!));
        if (differs) {
          const at = { ...sz, ...binding };
          return {
            status: 'different',
            at,
            evidence: { method: 'symbolic (unit level)', summary: `not identical at ${describe(at)}: exact polynomials in the weights, inputs and activation derivatives differ`, lhs: a.data.map(showPoly).join(' ; '), rhs: b.data.map(showPoly).join(' ; ') },
          };
        }
      }
    }
  } catch (err) {
    if (!(err instanceof SymbolicUnsupported)) throw err;
    return { status: 'undecided', evidence: { method: 'symbolic (unit level)', summary: `no exact expansion: ${err.message}` } };
  }
  const range = ranges.map((r) => (r.lo === r.hi ? `${r.name} = ${r.lo}` : `${r.name} = ${r.lo}..${r.hi}`)).join(', ');
  return {
    status: 'identical',
    range,
    evidence: { method: 'symbolic (unit level)', summary: `identical for ${range}, every binding (${cases} cases): exact polynomials, ∂h/∂w by forward mode over the model's equations`, range, cases },
  };
}

export function symbolicCheck(derivation: Derivation, claim: Claim, seed: number): SymbolicOutcome | null {
  if (claim.relation !== '=') return null;
  if (isIndexLevel(claim)) return indexCheck(derivation, claim);
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
