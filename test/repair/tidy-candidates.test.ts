/**
 * Candidates a review found doubled or untidy: `1*norm2(W)^k` (the constant 0.5 doubled) was offered beside
 * `norm2(W)^k` (the factor 0.5 dropped), and an exponent shifted by one read `k - 1 + 1`. The claims are bounds on the
 * lab's tanh RNN (derivations/lab-10-5-vanilla-rnn.yaml), as the review's reproducers had.
 */
import { describe, expect, it } from 'vitest';
import { repairWords } from '../../src/emit/repair-text.js';
import { type Expr, ivar, node, num, sym } from '../../src/ir/expr.js';
import { printExpr } from '../../src/ir/print.js';
import { tidyWritten } from '../../src/repair/tidy.js';
import type { ClaimResult } from '../../src/check/result.js';
import { searchedRepairs } from '../support/top-repairs.js';

const offered = (r: ClaimResult) => r.repairs!.repairs.map((x) => x.statement);

describe('a candidate is tidied before it is compared and shown', () => {
  const [half, short] = searchedRepairs(
    'derivations/lab-10-5-vanilla-rnn.yaml',
    `  - id: half-bound
    claim: norm2(jac(h[T], h[T-k])) <= 0.5 * norm2(W)^k
    forall: k in 1..T
  - id: exponent-short
    claim: norm2(jac(h[T], h[T-k])) <= norm2(W)^(k-1)
    forall: k in 1..T
`,
  );

  it('the constant 0.5 doubled is the factor dropped: one repair, not 1*norm2(W)^k beside norm2(W)^k', () => {
    expect(half!.verdict).toBe('refuted');
    expect(offered(half!)).toEqual(['norm2(jac(h[T], h[T-k])) <= norm2(W)^k']);
    expect(repairWords(half!.repairs!.repairs[0]!)).toBe('holds without the factor 0.5');
  });

  it('an exponent shifted by one is written k, not k - 1 + 1', () => {
    expect(short!.verdict).toBe('refuted');
    expect(offered(short!)).toEqual([
      'norm2(jac(h[T], h[T-k])) <= norm2(W)^k',
      'norm2(jac(h[T-1], h[T-k])) <= norm2(W)^(k - 1)',
      'norm2(jac(h[T], h[T-k+1])) <= norm2(W)^(k - 1)',
    ]);
    expect(repairWords(short!.repairs!.repairs[0]!)).toBe('holds with the exponent k in place of k - 1');
  });

  it("tidies only what the edit wrote: the author's 1*x and integer expressions are kept", () => {
    const W = sym('W');
    const authors = node('mul', [num(1), W]);
    const exponent = node('sub', [ivar('k'), num(1)]);
    // the edit wrote `(k - 1) + 1` (its 1 new) inside the author's 1*W^…
    const edited = node('mul', [authors, node('pow', [W, node('add', [exponent, num(1)])])]);
    const kept = new Set<Expr>([authors, exponent, W, ...authors.args, ...exponent.args]);
    const { expr } = tidyWritten(edited, (x) => kept.has(x));
    expect(printExpr(expr)).toBe('1*W*W^k');
    // the edit's doubled constant, a 1 it wrote, is dropped; the changed part is the one standing in its place
    const one = num(1);
    const doubled = node('mul', [one, W]);
    const t = tidyWritten(doubled, (x) => x === W);
    expect(t.expr).toBe(W);
    expect(t.placeOf(one)).toBe(W);
  });
});
