/**
 * Memoised values keyed by content (src/ir/content-key.ts) where a binder shares its name with another variable:
 * a path binder `g` beside a claim's integer `g`, a path sum inside a path sum over the same path name, and the
 * closed form ∏ over i read at a claim's own i (test/ir/content-key.test.ts). Each pair is a true claim and a false
 * one; keyed wrongly, the memo gave the false ones `verified` and the true ones `refuted` (found by reviews,
 * 2026-12-05; the nested path sums on every earlier build too).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';

const indexLevel = readFileSync('derivations/understanding-lstms-2023-index-level.yaml', 'utf8');
const model = indexLevel.slice(0, indexLevel.indexOf('\ndefinitions:') + 1);

function verdicts(claims: readonly [string, string, string?][]): string[] {
  const yaml = claims
    .map(([id, claim, forall]) => `  - id: ${id}\n    claim: ${claim}\n${forall ? `    forall: ${forall}\n` : ''}`)
    .join('');
  return checkDerivation(parseDerivation(`${model}claims:\n${yaml}`, 'binders.yaml'), {}).map((r) => r.verdict);
}

describe('a binder named like another variable', () => {
  it("a path g beside the claim's integer g", () => {
    expect(
      verdicts([
        ['int-true', 'pathsum(g, 1, 1, d, U[g[1], g]) = sum(c, 1, d, U[c, g])', 'g in 1..d'],
        ['int-false', 'pathsum(g, 1, 1, d, U[g[1], g]) = sum(c, 1, d, U[c, 1])', 'g in 1..d'],
        ['time-true', 'pathsum(g, 1, 1, d, h[g, g[1]]) = sum(c, 1, d, h[g, c])', 'g in 1..T'],
        ['time-false', 'pathsum(g, 1, 1, d, h[g, g[1]]) = sum(c, 1, d, h[1, c])', 'g in 1..T'],
      ]),
    ).toEqual(['verified', 'refuted', 'verified', 'refuted']);
  });

  it('a path sum over g inside a path sum over g', () => {
    const nested = 'pathsum(g, 1, 2, d, sum(r, 0, 1, pathsum(g, 1, 1, d, U[g[r], g[1]])))';
    expect(
      verdicts([
        ['nested-true', `${nested} = d * sum(c, 1, d, U[1, c] + U[c, c])`],
        ['nested-false', `${nested} = (d - 1) * sum(c, 1, d, U[1, c] + U[c, c]) + 2 * sum(c, 1, d, U[1, c])`],
      ]),
    ).toEqual(['verified', 'refuted']);
  });

  // A path sum over g inside one over g reads, past its own length, the outer path's positions (g[2] below): the key
  // holds the whole assignment for it, or the memo gave the first outer path's value to every path (a review).
  it('an inner path sum over g reading the outer g past its own length', () => {
    const leak = 'pathsum(g, 2, 1, d, pathsum(g, 1, 1, d, U[g[1], g[2]]))';
    expect(
      verdicts([
        ['leak-true', `${leak} = d * sum(a, 1, d, sum(b, 1, d, U[a, b]))`],
        ['leak-false', `${leak} = d * d * sum(a, 1, d, U[a, 1])`],
      ]),
    ).toEqual(['verified', 'refuted']);
  });
});
