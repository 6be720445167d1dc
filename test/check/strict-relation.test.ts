/**
 * A bound written strict in LaTeX (< or >) is read as its non-strict relation, with a note — and was then judged as
 * that one: `\|W\|_2 < \|W\|_2`, false at every point, came out *proved* (the rules prove ≤; every point agreed as ≤).
 * Now the claim keeps its strictness: refuted as the non-strict relation is, never proved, and unverifiable where the
 * sides are equal within the tolerance (floating point cannot tell < from its equality case there) — at the random
 * points or at any the adversarial search evaluated (searched in full: the proof of ≤ does not halve its budget).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { claimJson } from '../../src/emit/json-report.js';
import { evidenceSummary, reasonText } from '../../src/emit/evidence-text.js';
import { claimLatex, writtenStatement } from '../../src/emit/claim-latex.js';
import { repairLatex } from '../../src/emit/repair-text.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

/** The lab's model with these claims (YAML items) in place of its own. */
function lab(claims: string) {
  const text = readFileSync(LAB, 'utf8');
  return parseDerivation(`${text.slice(0, text.indexOf('\nclaims:'))}\nclaims:\n${claims}`, 'strict.yaml');
}

describe('a strict bound in LaTeX', () => {
  const d = lab(
    [
      `  - id: self\n    latex: '\\|W\\|_2 < \\|W\\|_2'`,
      `  - id: twice\n    latex: '\\|W\\|_2 < 2 \\|W\\|_2'`,
      `  - id: twice-greater\n    latex: '2 \\|W\\|_2 > \\|W\\|_2'`,
      `  - id: half\n    latex: '\\|W\\|_2 < \\frac{1}{2} \\|W\\|_2'`,
      `  - id: non-strict\n    latex: '\\|W\\|_2 \\le \\|W\\|_2'`,
      `  - id: chain\n    latex: '\\|W\\|_2 \\le 2 \\|W\\|_2 < 2 \\|W\\|_2'\n    expect: [proved, unverifiable]`,
      // false where a unit of h[τ] is 0, which no random instance draws and the search reaches (a review's)
      `  - id: diag\n    latex: '\\|\\mathrm{diag}(1 - h^{[\\tau]2})\\|_2 < 1'`,
      // false for every symmetric W
      `  - id: powers\n    latex: '\\|W\\|_2^k > \\|W^k\\|_2'\n    forall: k in 2..T`,
    ].join('\n'),
  );
  const results = new Map(checkDerivation(d, { repair: true }).map((r) => [r.id, r]));

  it('keeps the strictness it reads, and only there', () => {
    const strict = Object.fromEntries(d.claims.map((c) => [c.id, c.strict === true]));
    expect(strict).toEqual({
      self: true,
      twice: true,
      'twice-greater': true,
      half: true,
      'non-strict': false,
      'chain.1': false,
      'chain.2': true,
      diag: true,
      powers: true,
    });
    expect(d.claims.find((c) => c.id === 'self')!.relation).toBe('<=');
  });

  it('is unverifiable where its sides are equal at every point (it was proved), with the proof of ≤ beside it', () => {
    const r = results.get('self')!;
    expect(r.verdict).toBe('unverifiable');
    // (317 before the search's 8 driven constructions beside each of 3 starts beyond the regimes: 24 more ties)
    expect(r.reason).toEqual({ why: 'strict-ties', relation: '<', ties: 20, points: 20, searched: 341 });
    expect(evidenceOf(r.evidence, 'bound-proof')?.ok).toBe(true);
    const strict = evidenceOf(r.evidence, 'strict')!;
    expect(strict).toEqual({
      kind: 'strict',
      relation: '<',
      points: 20,
      ties: 20,
      searchedTies: 341,
      closest: 0,
      tolerance: 1e-9,
    });
    // searched in full: a proof of ≤ is no cross-check's reason to halve the search of a claim written <
    expect(evidenceOf(r.evidence, 'search')).toMatchObject({ evaluations: 250, ties: 248 });
    expect(evidenceOf(r.evidence, 'search')).not.toHaveProperty('crossCheckOfProof');
    expect(evidenceSummary(strict)).toBe(
      "written '<', checked as '<=': the sides are equal within 1e-9 at 20 of 20 agreeing points and at 341 points the adversarial search evaluated, where floating point cannot tell '<' from its equality case",
    );
    expect(reasonText(r.reason!)).toBe(
      "written strict ('<'): the sides are equal within the tolerance at 20 of 20 agreeing points and at 341 points the adversarial search evaluated, where floating point cannot tell the strict relation from its equality case",
    );
    const json = claimJson(d, r) as { verdict: string; evidence: { kind: string; method: string }[] };
    expect(json.verdict).toBe('unverifiable');
    expect(json.evidence.find((e) => e.kind === 'strict')?.method).toBe('strict relation');
  });

  it('is consistent, never proved, where the points are strictly apart (‖W‖ < 2‖W‖: −1/2 exactly at every point)', () => {
    for (const id of ['twice', 'twice-greater']) {
      const r = results.get(id)!;
      expect([id, r.verdict]).toEqual([id, 'consistent']);
      expect(evidenceOf(r.evidence, 'bound-proof')?.ok).toBe(true);
      expect(evidenceOf(r.evidence, 'strict')).toMatchObject({ ties: 0, points: 20, closest: -0.5 });
    }
    expect(evidenceSummary(evidenceOf(results.get('twice')!.evidence, 'strict')!)).toBe(
      "written '<', checked as '<=': at all 20 agreeing points the sides are apart by more than 1e-9 (closest 5.0e-1 apart, relative to the larger), and at every point the search evaluated; a proof of '<=' is no proof of '<'",
    );
  });

  it('is unverifiable where only the adversarial search finds the sides equal (they were consistent)', () => {
    for (const [id, relation, points, searched] of [
      // (137 and 596 before the search's 8 driven constructions beside each of 3 starts beyond the regimes and the shapes
      // appended to its constructions (shift, Jordan, rotation): W = ±12·I is
      // symmetric, so ‖W‖ᵏ = ‖Wᵏ‖ at each of its 24 evaluations' bindings, and h_T = 0 where the gate is centred at T;
      // 168 and 697 before 2026-12-06, when a path stopped climbing from an equality to rounding: fewer tied evaluations)
      ['diag', '<', 20, 104],
      ['powers', '>', 109, 258],
    ] as const) {
      const r = results.get(id)!;
      expect([id, r.verdict]).toEqual([id, 'unverifiable']);
      expect(r.reason).toEqual({ why: 'strict-ties', relation, ties: 0, points, searched });
    }
  });

  it('prints the relation as written: LaTeX, the statement in reports, and repairs (judged strictly)', () => {
    const self = d.claims.find((c) => c.id === 'self')!;
    expect(claimLatex(d, self)).toBe('\\left\\|\\mathbf{W}\\right\\|_{2} < \\left\\|\\mathbf{W}\\right\\|_{2}');
    expect(writtenStatement(results.get('self')!)).toBe('norm2(W) < norm2(W)');
    expect(results.get('self')!.statement).toBe('norm2(W) <= norm2(W)');
    expect(writtenStatement(results.get('non-strict')!)).toBe('norm2(W) <= norm2(W)');
    const repairs = results.get('half')!.repairs!;
    expect(repairs.status).toBe('found');
    for (const repair of repairs.repairs) {
      expect(repair.strict).toBe(true);
      expect(repairLatex(d, repair)).toContain(' < ');
    }
  });

  it('is refuted as its non-strict relation is; the non-strict claim and chain step keep their verdicts', () => {
    expect(results.get('half')!.verdict).toBe('refuted');
    expect(results.get('non-strict')!.verdict).toBe('proved');
    expect(evidenceOf(results.get('non-strict')!.evidence, 'strict')).toBeUndefined();
    expect([results.get('chain.1')!.verdict, results.get('chain.2')!.verdict]).toEqual(['proved', 'unverifiable']);
  });
});
