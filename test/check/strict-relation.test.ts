/**
 * A bound written strict in LaTeX (< or >) is read as its non-strict relation, with a note — and was then judged as
 * that one: `\|W\|_2 < \|W\|_2`, false at every point, came out *proved* (the rules prove ≤; every point agreed as ≤).
 * Then the claim kept its strictness: refuted as the non-strict relation is, never proved, and unverifiable where the
 * sides are equal within the tolerance (floating point cannot tell < from its equality case there) — at the random
 * points or at any the adversarial search evaluated (searched in full: the proof of ≤ does not halve its budget). Now
 * also refuted where interval enclosures prove the sides exactly equal — every recurrent matrix 0, beside a path beyond
 * the regimes, makes ‖W‖ < 2‖W‖ read 0 < 0 — with the non-strict relation offered as the repair.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { claimJson } from '../../src/emit/json-report.js';
import { evidenceSummary, exactTieText, reasonText } from '../../src/emit/evidence-text.js';
import { claimLatex, writtenStatement } from '../../src/emit/claim-latex.js';
import { repairLatex, repairWords } from '../../src/emit/repair-text.js';

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

  it('is refuted at W = 0, where its sides are exactly equal (it was proved, then unverifiable), ≤ offered and proved', () => {
    const r = results.get('self')!;
    expect(r.verdict).toBe('refuted');
    expect(r.reason).toBeNull();
    expect(evidenceOf(r.evidence, 'bound-proof')?.ok).toBe(true);
    // every recurrent matrix 0 beside a path beyond the regimes (src/numeric/adversarial.ts ZERO_RECURRENT): 0 < 0,
    // which interval enclosures prove exactly; the random points tie within the tolerance, which proves nothing
    const cx = r.counterexample!;
    expect(cx).toMatchObject({ lhs: [0], rhs: [0], relError: 0, exactTie: true, extended: { lhs: ['0'], rhs: ['0'] } });
    expect(cx.replay.slice(-4)).toEqual(['--search', '0', '--beyond', '11']);
    const strict = evidenceOf(r.evidence, 'strict')!;
    expect(strict).toEqual({
      kind: 'strict',
      relation: '<',
      points: 20,
      ties: 20,
      searchedTies: 278,
      exactTies: 1,
      closest: 0,
      tolerance: 1e-9,
    });
    expect(evidenceOf(r.evidence, 'search')).toMatchObject({ found: true, foundExactTie: true, ties: 248 });
    expect(evidenceSummary(strict)).toBe(
      "written '<', checked as '<=': interval enclosures prove the sides exactly equal at 1 point, where '<' fails; elsewhere they are equal within 1e-9 at 20 of 20 agreeing points and at 278 points the adversarial search evaluated",
    );
    expect(exactTieText(strict.relation)).toBe(
      "the sides are exactly equal here (interval enclosures prove it), where the claim says '<'",
    );
    const json = claimJson(d, r) as { verdict: string; evidence: { kind: string; method: string }[] };
    expect(json.verdict).toBe('refuted');
    expect(json.evidence.find((e) => e.kind === 'strict')?.method).toBe('strict relation');
    // the repair: the non-strict relation, the sides as written, proved
    const [repair, ...others] = r.repairs!.repairs;
    expect(others).toEqual([]);
    expect([repair!.verdict, repair!.strict, repair!.statement]).toEqual(['proved', undefined, 'norm2(W) <= norm2(W)']);
    expect(repairWords(repair!)).toBe(
      "holds as '<=' in place of '<' (written strict, it fails where its sides are exactly equal)",
    );
    expect(repairLatex(d, repair!)).toBe(
      '\\left\\|\\mathbf{W}\\right\\|_{2} \\textcolor{#c0392b}{\\le} \\left\\|\\mathbf{W}\\right\\|_{2}',
    );
  });

  it('is refuted at W = 0 where the points are strictly apart (‖W‖ < 2‖W‖: −1/2 at every point; it was consistent)', () => {
    for (const [id, relation, statement] of [
      ['twice', '<', 'norm2(W) <= 2 * norm2(W)'],
      ['twice-greater', '>', '2 * norm2(W) >= norm2(W)'],
    ] as const) {
      const r = results.get(id)!;
      expect([id, r.verdict]).toEqual([id, 'refuted']);
      expect(evidenceOf(r.evidence, 'bound-proof')?.ok).toBe(true);
      expect(evidenceOf(r.evidence, 'strict')).toMatchObject({ ties: 0, exactTies: 1, points: 20, closest: -0.5 });
      expect(r.counterexample).toMatchObject({ lhs: [0], rhs: [0], exactTie: true });
      expect(r.repairs!.repairs.map((x) => [x.verdict, x.statement])).toEqual([['proved', statement]]);
      expect(evidenceSummary(evidenceOf(r.evidence, 'strict')!)).toBe(
        `written '${relation}', checked as '${relation}=': interval enclosures prove the sides exactly equal at 1 point, where '${relation}' fails`,
      );
    }
  });

  it('is unverifiable where only the adversarial search finds the sides equal, and not exactly (it was consistent)', () => {
    // (137 before the search's 8 driven constructions beside each of 3 starts beyond the regimes and the shapes appended
    // to its constructions (shift, Jordan, rotation); 168 before 2026-12-06, when a path stopped climbing from an
    // equality to rounding: fewer tied evaluations)
    const r = results.get('diag')!;
    expect(r.verdict).toBe('unverifiable');
    expect(r.reason).toEqual({ why: 'strict-ties', relation: '<', ties: 0, points: 20, searched: 104 });
    expect(reasonText(r.reason!)).toBe(
      "written strict ('<'): the sides are equal within the tolerance at 104 points the adversarial search evaluated, where floating point cannot tell the strict relation from its equality case",
    );
  });

  it('is refuted where the search reaches an exact tie: ‖W‖ᵏ > ‖Wᵏ‖ at W = 0 (it was unverifiable; W = ±12·I ties too)', () => {
    const r = results.get('powers')!;
    expect(r.verdict).toBe('refuted');
    expect(r.counterexample).toMatchObject({ bindings: { k: 2 }, lhs: [0], rhs: [0], exactTie: true });
    expect(evidenceOf(r.evidence, 'strict')).toMatchObject({ points: 109, ties: 0, searchedTies: 222, exactTies: 1 });
    // the non-strict relation holds (‖Wᵏ‖ ≤ ‖W‖ᵏ): consistent, as the rules have no chain for it
    expect(r.repairs!.repairs.map((x) => [x.verdict, x.statement])).toEqual([
      ['consistent', 'norm2(W)^k >= norm2(W^k)'],
    ]);
  });

  it('prints the relation as written: LaTeX, the statement in reports, and repairs (judged strictly)', () => {
    const self = d.claims.find((c) => c.id === 'self')!;
    expect(claimLatex(d, self)).toBe('\\left\\|\\mathbf{W}\\right\\|_{2} < \\left\\|\\mathbf{W}\\right\\|_{2}');
    expect(writtenStatement(results.get('self')!)).toBe('norm2(W) < norm2(W)');
    expect(results.get('self')!.statement).toBe('norm2(W) <= norm2(W)');
    expect(writtenStatement(results.get('non-strict')!)).toBe('norm2(W) <= norm2(W)');
    // 'half' is refuted at random points; any strict edit of it fails at W = 0 exactly (‖W‖ < c‖W‖ whatever c), so each
    // repair offered is an edit that held, checked again with the non-strict relation, and printed so
    const repairs = results.get('half')!.repairs!;
    expect(repairs.status).toBe('found');
    expect(repairs.repairs.map((x) => [x.verdict, x.strict, x.statement])).toEqual([
      ['proved', undefined, 'norm2(W) <= 1 / 0.5*norm2(W)'],
      ['proved', undefined, 'norm2(W) <= 4 / 2*norm2(W)'],
      ['consistent', undefined, 'norm2(W) <= 1 / 1*normF(W)'],
    ]);
    for (const repair of repairs.repairs) {
      expect(repair.edits.at(-1)!.edit).toBe('non-strict');
      expect(repairLatex(d, repair)).toContain('\\textcolor{#c0392b}{\\le}');
    }
  });

  it('is refuted as its non-strict relation is; the non-strict claim and chain step keep their verdicts', () => {
    expect(results.get('half')!.verdict).toBe('refuted');
    expect(results.get('non-strict')!.verdict).toBe('proved');
    expect(evidenceOf(results.get('non-strict')!.evidence, 'strict')).toBeUndefined();
    // the chain's second step, 2‖W‖ < 2‖W‖, is false everywhere: refuted at W = 0, where the tie is exact
    expect([results.get('chain.1')!.verdict, results.get('chain.2')!.verdict]).toEqual(['proved', 'refuted']);
  });
});

describe('a strict bound in ASCII', () => {
  // an ASCII `claim:` refused `<` and `>` until 2026-12-07 (review154: a coverage gap): now read as LaTeX's are
  const d = lab(
    [
      `  - id: twice\n    claim: norm2(W) < 2*norm2(W)`,
      `  - id: twice-greater\n    claim: 2*norm2(W) > norm2(W)`,
      `  - id: range\n    claim: normMax(h[T]) < 1`,
    ].join('\n'),
  );
  const results = new Map(checkDerivation(d).map((r) => [r.id, r]));

  it('is judged as the LaTeX one: refuted at the exact tie W = 0, and unverifiable where float64 ties it', () => {
    for (const id of ['twice', 'twice-greater']) {
      const r = results.get(id)!;
      expect([id, r.verdict, d.claims.find((c) => c.id === id)!.strict]).toEqual([id, 'refuted', true]);
      expect(r.counterexample).toMatchObject({ lhs: [0], rhs: [0], exactTie: true });
    }
    expect(writtenStatement(results.get('twice')!)).toBe('norm2(W) < 2*norm2(W)');
    expect(results.get('twice')!.statement).toBe('norm2(W) <= 2*norm2(W)');
    expect(writtenStatement(results.get('twice-greater')!)).toBe('2*norm2(W) > norm2(W)');
    // |tanh| < 1 holds, but tanh rounds to 1 in float64 at saturated units: no proof of < and ties, so unverifiable
    const range = results.get('range')!;
    expect(range.verdict).toBe('unverifiable');
    expect(evidenceOf(range.evidence, 'strict')!.relation).toBe('<');
  });
});
