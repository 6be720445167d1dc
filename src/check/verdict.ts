/**
 * The verdict ladder, as one pure function of the evidence:
 *
 *   unverifiable  no instance satisfied the premise; the reference failed its own cross-check (and no cross-checked
 *                 point violates the claim); no point; trouble dominates;
 *                 a violation float64 found is left undecided where the numbers are all the evidence;
 *                 or numbers refute what the closed forms show identical at the same sizes
 *   refuted       a sound point (random, or found by a guided or adversarial search) violates the claim; where the
 *                 reference failed its cross-check at some point, only a random point whose own reference was
 *                 cross-checked (every derivative it read, beyond what finite differences could miss there) refutes
 *   consistent    every sound point agrees, they outnumber the troubled ones, and no troubled point (random, or
 *                 evaluated by a search) is a violation float64 found that nothing could decide again (else
 *                 unverifiable, unless exact evidence below)
 *   verified      consistent, and the closed forms are identical at every size their exact check reaches (T = 3..12,
 *                 other sizes the claim names up to 5, the randomized test's T = 48): a claim false only at sizes past
 *                 those is refuted where the draws reach such sizes, and passes where they do not. Points float64 could
 *                 not compare whose difference extended precision found to be what cancellation left (`lhs - rhs = 0`
 *                 on an identity: exact zeros less rounding) count with the agreements there, at those sizes
 *   proved        verified, and an induction proves it for every t; or, for a bound, consistent
 *                 and a chain of checked rules proves it with the indices symbolic (its points at rounding level, as
 *                 an identity's, counting with the agreements)
 *
 * A bound written strict (< or >) is checked as its non-strict relation: refuted as that one is, never proved (the
 * rules prove the non-strict bound), and unverifiable where its sides are equal within the tolerance at some point.
 */
import type { Verdict } from '../derivation/derivation.js';
import { type Evidence, evidenceOf } from './evidence.js';

/** Why a claim is unverifiable, as data (the emitter writes the sentence). */
export type UnverifiableReason =
  | { readonly why: 'reference-broken'; readonly points: number; readonly derivative: string }
  | { readonly why: 'no-point' }
  | { readonly why: 'premise-never-held'; readonly premise: string; readonly draws: number }
  | { readonly why: 'trouble-everywhere' }
  | { readonly why: 'trouble-dominates'; readonly troubled: number; readonly points: number; readonly agreed: number }
  | {
      readonly why: 'violations-undecided';
      /** all of them: at the random points, and at the instances the searches evaluated */
      readonly violations: number;
      /** the random points */
      readonly points: number;
      /** how many of the violations the searches (adversarial, guided) found; absent when none */
      readonly searched?: number;
    }
  | { readonly why: 'engines-disagree' }
  | { readonly why: 'bound-contradicted' }
  /** a strict claim (< or >) whose sides are equal within the tolerance at some points */
  | {
      readonly why: 'strict-ties';
      readonly relation: '<' | '>';
      /** at the random points (of `points` that agree) */
      readonly ties: number;
      readonly points: number;
      /** at the points the adversarial search evaluated; absent when none */
      readonly searched?: number;
    };

export interface Decision {
  readonly verdict: Verdict;
  readonly reason: UnverifiableReason | null;
}

export function decideVerdict(evidence: readonly Evidence[]): Decision {
  const reference = evidenceOf(evidence, 'reference');
  const symbolic = evidenceOf(evidence, 'symbolic')?.outcome.status ?? null;
  const guided = evidenceOf(evidence, 'guided-search');
  const search = evidenceOf(evidence, 'search');
  const induction = evidenceOf(evidence, 'induction');
  const strict = evidenceOf(evidence, 'strict');
  const bound = evidenceOf(evidence, 'bound-proof');
  const unverifiable = (reason: UnverifiableReason): Decision => ({ verdict: 'unverifiable', reason });
  // No instance satisfied the premise: nothing was checked, whatever a proof of the unconditional claim says.
  const premise = evidenceOf(evidence, 'premise');
  if (premise && premise.satisfied === 0)
    return unverifiable({ why: 'premise-never-held', premise: premise.text, draws: premise.draws });

  // A cross-check that failed (either way) at some point: nothing can rest on the reference there, nor at the points
  // no cross-check vouched for. A violation at a point whose own reference was cross-checked (every derivative it
  // read, beyond what the finite differences there could miss) still refutes: the failure elsewhere cannot make that
  // point's numbers wrong, and it stays in the evidence beside the refutation. It never passes.
  const failures = [
    ...(evidenceOf(evidence, 'dual-vs-adjoint')?.failures ?? []),
    ...(evidenceOf(evidence, 'finite-differences')?.failures ?? []),
  ].sort((a, b) => a.check - b.check);
  if (failures.length && (reference?.crossCheckedViolations ?? 0) > 0 && symbolic !== 'identical' && !bound?.ok)
    return { verdict: 'refuted', reason: null };
  if (failures.length)
    return unverifiable({
      why: 'reference-broken',
      points: new Set(failures.map((f) => f.check)).size,
      derivative: failures[0]!.derivative,
    });
  const points = reference?.points ?? 0;
  const agreed = reference?.agreed ?? 0;
  const troubled = reference?.troubled ?? 0;
  const violated = (reference?.violated ?? 0) + (guided?.violations ?? 0) + (search?.found ? 1 : 0);
  // Identical forms contradict only violations at sizes their exact check reached (d = 2..5 says nothing of d = 12).
  const beyondExact = evidenceOf(evidence, 'symbolic')?.violationsBeyondItsSizes ?? 0;
  // A proof of ≤ is no proof of <: a strict claim's violations at exact ties (0 < 0 at W = 0) do not contradict it.
  const exactTies = strict?.exactTies ?? 0;
  if (violated > 0)
    return symbolic === 'identical' && beyondExact < violated
      ? unverifiable({ why: 'engines-disagree' })
      : bound?.ok && exactTies < violated
        ? unverifiable({ why: 'bound-contradicted' })
        : { verdict: 'refuted', reason: null };
  // Identical closed forms, or a proof of the (non-strict) bound, decide the troubled points whose difference extended
  // precision found at rounding level.
  const residues =
    symbolic === 'identical'
      ? (evidenceOf(evidence, 'symbolic')?.roundingResiduesDecided ?? 0)
      : bound?.ok && !strict
        ? (bound.roundingResiduesDecided ?? 0)
        : 0;
  if (agreed + residues === 0) return unverifiable(points === 0 ? { why: 'no-point' } : { why: 'trouble-everywhere' });
  if (troubled - residues > agreed + residues)
    return unverifiable({ why: 'trouble-dominates', troubled, points, agreed });
  if (strict && strict.ties + (strict.searchedTies ?? 0) > 0)
    return unverifiable({
      why: 'strict-ties',
      relation: strict.relation,
      ties: strict.ties,
      points: strict.points,
      ...(strict.searchedTies ? { searched: strict.searchedTies } : {}),
    });
  if (symbolic !== 'identical') {
    // (a proof of the non-strict bound is no proof of the strict one)
    if (bound?.ok && !strict) return { verdict: 'proved', reason: null };
    // Where the numbers are all the evidence, a violation float64 found that nothing could decide again is not
    // outvoted by agreements elsewhere: the claim may be false exactly there. (Identical closed forms or a checked
    // rule chain are exact evidence, which such a point cannot contradict.)
    // The searches' count too: a search that finds only such points has not found the claim true there.
    const searched =
      (guided?.undecidedViolations ?? 0) +
      (search?.undecidedViolations ?? 0) +
      (search?.beyond?.undecidedViolations ?? 0);
    const undecided = (reference?.undecidedViolations ?? 0) + searched;
    if (undecided > 0)
      return unverifiable({
        why: 'violations-undecided',
        violations: undecided,
        points,
        ...(searched ? { searched } : {}),
      });
    return { verdict: 'consistent', reason: null };
  }
  return { verdict: induction?.ok ? 'proved' : 'verified', reason: null };
}
