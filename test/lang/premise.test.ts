/**
 * `given:` premises: only instances that satisfy them are checked. Satisfiable
 * by most draws, reachable only by rescaling or by a search, and unsatisfiable
 * (then the verdict is `unverifiable`, never a pass). A refutation under a
 * premise comes from an instance that satisfies it.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InstancePool } from '../../src/check/check-claim.js';
import { evidenceOf } from '../../src/check/evidence.js';
import type { ClaimResult } from '../../src/check/result.js';
import { PremiseSampler, premiseViolation } from '../../src/check/premise.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { evidenceSummary, reasonText } from '../../src/emit/evidence-text.js';
import { spectralNorm, mat } from '../../src/numeric/linalg.js';
import { rnnWith } from './model.js';

const text = rnnWith(`  - id: contraction-unconditional
    claim: norm2(jac(h[T], h[T-1])) <= 1
  - id: contraction-given
    claim: norm2(jac(h[T], h[T-1])) <= 1
    given: norm2(W) < 1
  - id: half-given-small
    claim: norm2(jac(h[T], h[T-1])) <= 0.5
    given: norm2(W) < 0.9
  - id: rescaled
    claim: norm2(jac(h[T], h[T-1])) <= 0.3
    given: norm2(W) < 0.3
  - id: rare
    claim: norm2(jac(h[T], h[T-1])) <= norm2(W)
    given: rho(W) < 1 and normMin(abs(W)) > 1
  - id: never
    claim: norm2(jac(h[T], h[T-1])) <= 1
    given: normF(W) < norm2(W)
  - id: proved-unconditionally
    claim: norm2(jac(h[T], h[T-k])) <= norm2(W)^k * supabs(x, 1 - tanh(x)^2)^k
    forall: k in 1..T
    given: norm2(W) > 1.2
`);
const d = parseDerivation(text, 'premise.yaml');
const results = new Map(checkDerivation(d, { instances: 2 }).map((r) => [r.id, r]));
const premise = (r: ClaimResult) => evidenceOf(r.evidence, 'premise')!;
const claim = (id: string) => d.claims.find((c) => c.id === id)!;

describe('premises', () => {
  it('are parsed into scalar conditions joined by `and`', () => {
    expect(claim('rare').given!.conditions.map((c) => c.relation)).toEqual(['<', '>']);
    expect(claim('rare').given!.text).toBe('rho(W) < 1 and normMin(abs(W)) > 1');
  });

  it('decide a claim false without them and true with them (only satisfying instances are checked)', () => {
    expect(results.get('contraction-unconditional')!.verdict).toBe('refuted');
    const r = results.get('contraction-given')!;
    expect(r.verdict).toBe('consistent');
    expect(premise(r)).toMatchObject({ slots: 8, satisfied: 8 });
    // contracting instances satisfy ‖W‖ < 1 as drawn; expanding ones (‖W‖ ≈ 1.5) need rescaling
    expect(premise(r).asDrawn).toBeGreaterThanOrEqual(2);
    expect(premise(r).rescaled).toBeGreaterThanOrEqual(2);
    expect(evidenceSummary(premise(r))).toMatch(
      /^norm2\(W\) < 1: held on 8 of 8 instance slots \(\d+ instances drawn; \d+ after rescaling/,
    );
  });

  it('refute from an instance that satisfies the premise', () => {
    const r = results.get('half-given-small')!;
    expect(r.verdict).toBe('refuted');
    const cx = r.counterexample!;
    // Rebuild the counterexample's instance through the same sampler: it satisfies the premise.
    const c = claim('half-given-small');
    const sampler = new PremiseSampler(d.model, c, c.given!, new InstancePool(d));
    const draw = sampler.get(cx.masterSeed, cx.instance, cx.sizes);
    const W = draw.entry!.instance.graph.data.params.get('W')!;
    const n = cx.sizes.d!;
    expect(spectralNorm(mat(n, n, W))).toBeLessThan(0.9);
    expect(premiseViolation(draw.entry!.evaluator, c.given!, draw.entry!.instance.sizes)).toBe(0);
  });

  it('that no regime meets are reached by rescaling', () => {
    const r = results.get('rescaled')!;
    expect(premise(r).satisfied).toBe(8);
    expect(premise(r).rescaled).toBeGreaterThanOrEqual(6);
  });

  it('that rescaling cannot meet (ρ < 1 with every |w_ij| > 1) are reached by the search', () => {
    const r = results.get('rare')!;
    expect(premise(r).satisfied).toBeGreaterThan(0);
    expect(premise(r).searched).toBe(premise(r).satisfied);
    expect(premise(r).asDrawn + premise(r).rescaled).toBe(0);
    // (the bound itself is proved: ∂h_T/∂h_{T−1} = diag(1 − h_T²) W for every T ≥ 1)
    expect(r.verdict).toBe('proved');
  });

  it('that nothing satisfies make the claim unverifiable, with the reason', () => {
    const r = results.get('never')!;
    expect(r.verdict).toBe('unverifiable');
    expect(premise(r)).toMatchObject({ satisfied: 0, slots: 8, draws: 32 });
    expect(r.reason).toEqual({ why: 'premise-never-held', premise: 'normF(W) < norm2(W)', draws: 32 });
    expect(reasonText(r.reason!)).toMatch(/^no instance satisfies the premise normF\(W\) < norm2\(W\)/);
  });

  it('leave a proof of the unconditional claim standing', () => {
    const r = results.get('proved-unconditionally')!;
    expect(r.verdict).toBe('proved');
    expect(premise(r).satisfied).toBe(8);
  });

  it('are refused when not a comparison of scalars, located', () => {
    expect(() => parseDerivation(rnnWith(`  - id: x\n    claim: L = L\n    given: W < 1\n`), 'f.yaml')).toThrow(
      /f\.yaml:19:12: a premise compares scalars, this side is matrix\[d, d\]/,
    );
    expect(() => parseDerivation(rnnWith(`  - id: x\n    claim: L = L\n    given: norm2(W) = 1\n`), 'f.yaml')).toThrow(
      /f\.yaml:19:12: a premise is a comparison of scalars/,
    );
    expect(() => parseDerivation(rnnWith(`  - id: x\n    claim: L = L\n    given: norm2(W) < k\n`), 'f.yaml')).toThrow(
      /f\.yaml:19:23: unknown symbol 'k'/,
    );
    // the claim's quantifier, in a time or as a number: said so (it read "'t' is not an index variable in scope (expected
    // a size, quantifier or …)", a review's)
    const quantified = (given: string) =>
      rnnWith(`  - id: x\n    claim: normMax(h[t]) <= 1\n    forall: t in 1..T\n    given: ${given}\n`);
    for (const [given, col] of [
      ['normMax(h[t]) <= 0.5', 22],
      ['t <= 3', 12],
    ] as const)
      expect(() => parseDerivation(quantified(given), 'f.yaml')).toThrow(
        new RegExp(
          `f\\.yaml:20:${col}: 't' is the claim's quantifier: a premise holds for the whole instance and may not read it`,
        ),
      );
  });
});

describe('premise figures (printed, not asserted)', () => {
  it('prints how each premise was met', () => {
    for (const r of results.values())
      if (evidenceOf(r.evidence, 'premise')) console.log(`${r.id}: ${r.verdict}; ${evidenceSummary(premise(r))}`);
  });
});
