/**
 * The 2019 text's ‖t_1‖ ≤ ‖L′_t(h_t)‖(‖K‖‖W_o‖)^{t−k+1} read with K the clubbed diagonal D(⊙_j σ(s_j) ⊙ o_j′) is false
 * (t1-bound-K-clubbed, shipped); the file's own correction, t1-bound-K-per-step, takes each step's diagonal:
 * ∏_j ‖D(σ(s_j) ⊙ o_j′)‖‖W_o‖. The repair search offered only the bound without the clubbed factor (true, 4^(T−k+1)
 * loose; review141). An edit now unclubs a power of a norm of an elementwise product over a range into the product
 * over that range of each step's factor (src/repair/edits.ts unclub-power): the file's correction, proved, first.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { repairWords } from '../../src/emit/repair-text.js';
import { printExpr } from '../../src/ir/print.js';

describe('a power of a clubbed product', () => {
  it("is repaired into the product of each step's factor: the file's own correction, proved, first", () => {
    const d = loadDerivationFile('derivations/how-lstms-solve-vanishing-gradients-2019.yaml');
    const [r] = checkDerivation(d, { claims: ['t1-bound-K-clubbed'], repair: true });
    expect(r!.verdict).toBe('refuted');
    const [first, second] = r!.repairs!.repairs;
    const correction = d.claims.find((c) => c.id === 't1-bound-K-per-step')!;
    expect(first!.verdict).toBe('proved');
    expect(printExpr(first!.rhs)).toBe(printExpr(correction.rhs));
    expect(printExpr(first!.lhs)).toBe(printExpr(correction.lhs));
    expect(repairWords(first!)).toBe(
      'holds with the product over j of each step’s factor in place of the power of ' +
        'norm2(diag(hprod(j, k, T, sigma(s[j]) .* o[j] .* (1 - o[j]))))',
    );
    expect([second!.verdict, repairWords(second!)]).toEqual([
      'proved',
      'holds without the factor norm2(diag(hprod(j, k, T, sigma(s[j]) .* o[j] .* (1 - o[j]))))',
    ]);
  });
});
