/**
 * A bound repair dominated by another one offered (the same form, a larger constant on the right of ≤) ranks after
 * it: `≤ 1.94*norm2(W)` was offered before `≤ norm2(W)`, both one edit, both proved (review141).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { repairWords } from '../../src/emit/repair-text.js';
import type { Verdict } from '../../src/derivation/derivation.js';
import { node, num, sym } from '../../src/ir/expr.js';
import { printExpr } from '../../src/ir/print.js';
import type { Repair } from '../../src/repair/result.js';
import { tighterBoundsFirst } from '../../src/repair/search.js';

describe('a dominated bound repair', () => {
  it('ranks after the tighter one (≤ norm2(W) before ≤ 1.94*norm2(W))', () => {
    const d = loadDerivationFile('test/fixtures/models/repair-missing-factors-rnn.yaml');
    const [r] = checkDerivation(d, { claims: ['bound-097'], instances: 1, repair: true });
    expect(r!.verdict).toBe('refuted');
    const offered = r!.repairs!.repairs;
    expect(offered.map((x) => [x.statement, x.verdict, repairWords(x)])).toEqual([
      ['norm2(jac(h[T], h[T-1])) <= norm2(W)', 'proved', 'holds without the factor 0.97'],
      ['norm2(jac(h[T], h[T-1])) <= 1.94*norm2(W)', 'proved', 'holds with the constant 1.94 in place of 0.97'],
    ]);
  });
});

describe('tighterBoundsFirst', () => {
  const norm = node('norm2', [sym('W')]);
  const lhs = node('norm2', [sym('A')]);
  const bound = (relation: '<=' | '>=', c: number | null, verdict: Verdict = 'proved') =>
    ({
      statement: `${relation} ${c ?? 1}`,
      lhs,
      relation,
      rhs: c === null ? norm : node('mul', [num(c), norm]),
      verdict,
    }) as unknown as Repair;
  const order = (rs: Repair[]) => {
    tighterBoundsFirst(rs, printExpr);
    return rs.map((r) => r.statement);
  };

  it('puts the smallest constant first under ≤, the largest under ≥, keeping the places of the group', () => {
    expect(order([bound('<=', 2), bound('<=', 0.5), bound('<=', null)])).toEqual(['<= 0.5', '<= 1', '<= 2']);
    expect(order([bound('>=', 0.5), bound('>=', 2)])).toEqual(['>= 2', '>= 0.5']);
  });

  it('leaves a tighter bound of a weaker verdict where it was', () => {
    expect(order([bound('<=', 2), bound('<=', 1, 'consistent')])).toEqual(['<= 2', '<= 1']);
  });
});
