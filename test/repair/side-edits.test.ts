/**
 * A claim's sides as written are edited once per search (sideEditsFor): the pairs whose seed edited the other side
 * take the singles' edits of it, trees and all, where each of up to 12 seeds built, diffed and printed them again.
 * What the search screens must not move: the same candidates, in the same order, as edits rebuilt for every seed.
 */
import { describe, expect, it } from 'vitest';
import { loadDerivationFile } from '../../src/derivation/load.js';
import type { Expr } from '../../src/ir/expr.js';
import { keptTextPrinter } from '../../src/ir/print.js';
import { editContext } from '../../src/repair/aim.js';
import { type Candidate, edited, sideEdits, type SideEditsOf, sideEditsFor } from '../../src/repair/search.js';

const FILES = [
  'derivations/lab-10-5-solution.yaml',
  'derivations/why-lstm-works-2018.yaml',
  'derivations/understanding-lstms-2023-index-level.yaml',
];

/** Each file's refuted claims with their edit contexts, the kept edits and edits rebuilt at every call. */
const searches = FILES.flatMap((file) => {
  const d = loadDerivationFile(file);
  return d.claims
    .filter((c) => c.expect === 'refuted')
    .map((claim) => {
      const text = keptTextPrinter();
      const ctx = editContext(d, claim, text);
      const rebuilt: SideEditsOf = (e, side) => sideEdits(e, side, claim, ctx);
      const original: Candidate = { lhs: claim.lhs, rhs: claim.rhs, edits: [], changed: [], distance: 0, aimed: 0 };
      return { id: `${file} ${claim.id}`, text, kept: sideEditsFor(claim, ctx), rebuilt, original };
    });
});

/** A candidate as the search reads it: its texts (the dedup's key), its edits, distance and aim. */
const view = (text: (e: Expr) => string) => (c: Candidate) => ({
  lhs: text(c.lhs),
  rhs: text(c.rhs),
  edits: c.edits,
  changed: c.changed.map(text),
  distance: c.distance,
  aimed: c.aimed,
});

/** A few singles of each side, as pair seeds. */
const seedsOf = (singles: readonly Candidate[]) =>
  (['lhs', 'rhs'] as const).flatMap((side) => singles.filter((c) => c.edits[0]!.side === side).slice(0, 3));

describe('the sides as written, edited once per search', () => {
  it('covers refuted claims with candidates on both sides', () => {
    expect(searches.length).toBeGreaterThan(20);
    const both = searches.filter((s) => seedsOf(edited(s.original, s.kept).candidates).length === 6);
    expect(both.length).toBeGreaterThan(15);
  });

  it.each(searches.map((s) => [s.id, s] as const))(
    '%s: singles and pairs are the candidates edits rebuilt for every seed give, in the same order',
    (_, s) => {
      const singles = edited(s.original, s.kept);
      expect(singles.candidates.map(view(s.text))).toEqual(edited(s.original, s.rebuilt).candidates.map(view(s.text)));
      for (const seed of seedsOf(singles.candidates)) {
        const [kept, rebuilt] = [edited(seed, s.kept), edited(seed, s.rebuilt)];
        expect(kept.capped).toBe(rebuilt.capped);
        expect(kept.candidates.map(view(s.text))).toEqual(rebuilt.candidates.map(view(s.text)));
      }
    },
  );

  it("a pair's edit of the side its seed left as written is the single's, the same tree", () => {
    let [shared, apart] = [0, 0];
    for (const s of searches) {
      const singles = edited(s.original, s.kept).candidates;
      for (const seed of seedsOf(singles)) {
        const other = seed.edits[0]!.side === 'lhs' ? 'rhs' : 'lhs';
        const ofOther = singles.filter((c) => c.edits[0]!.side === other);
        const keptPairs = edited(seed, s.kept).candidates.filter((c) => c.edits[1]!.side === other);
        const rebuiltPairs = edited(seed, s.rebuilt).candidates.filter((c) => c.edits[1]!.side === other);
        expect(keptPairs).toHaveLength(ofOther.length);
        keptPairs.forEach((c, k) => {
          expect(c[other]).toBe(ofOther[k]![other]);
          expect(c.changed[1]).toBe(ofOther[k]!.changed[0]);
          shared++;
          // rebuilt, an edit makes a tree of its own (but one that hands back a node of the side, as an edit of the
          // whole side may): what the search did for every seed
          if (rebuiltPairs[k]![other] !== ofOther[k]![other]) apart++;
        });
      }
    }
    expect(shared).toBeGreaterThan(1000);
    expect(apart).toBeGreaterThan(0.9 * shared);
  });
});
