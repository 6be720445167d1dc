/**
 * `check --export` writes the sides the report shows: it evaluates them as the check's points do (points.ts
 * claimSides: the claim's preference for materialising a Jacobian by rows, then both sides). A fresh evaluator built
 * them by columns, which round differently: a review's counterexample (140, lin-W2-ge-true) was reported with lhs
 * 2.6585e-18 and exported with 4.1384e-18 (its rhs), so the exported replay could not show the violation. Here two false
 * claims whose check materialises the Jacobian by rows (their targets fixed) on matrices of 3 and 4: the exported sides
 * equal the report's bit for bit (before the fix trace-false's lhs was exported as -0.0033204150772872297 against the
 * reported -0.003320415077287235).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { exportCounterexample } from '../../src/check/export-instance.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { JACOBIAN_ROWS_FILE } from '../support/model-file.js';

const ROWS = parseDerivation(JACOBIAN_ROWS_FILE, 'rows.yaml');

describe('the exported counterexample', () => {
  it('has the sides the report shows, bit for bit', () => {
    const results = checkDerivation(ROWS, { masterSeed: 20261120 });
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['trace-false', 'refuted'],
      ['normF-false', 'refuted'],
    ]);
    for (const r of results) {
      const cx = r.counterexample!;
      const exported = exportCounterexample(ROWS, r, cx);
      expect([r.id, exported.lhs.values.flat(), exported.rhs.values.flat()]).toEqual([r.id, [...cx.lhs], [...cx.rhs]]);
    }
  });
});
