/**
 * The product chains of one instance pool's evaluators keep their partial results under one limit together
 * (src/numeric/values.ts POOL_PRODUCT_MEMO_ENTRIES, src/check/check-claim.ts InstancePool): with a limit per instance,
 * a file's 20 pooled instances kept 20 times as much (`prod(i, 1, 1000000, W)` at d = 5: 0.89 GB).
 */
import { describe, expect, it } from 'vitest';
import { InstancePool } from '../../src/check/check-claim.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { asDense, PARTIAL_RESULT_OVERHEAD, POOL_PRODUCT_MEMO_ENTRIES } from '../../src/numeric/values.js';
import { scopeOf } from '../../src/symbolic/quantities.js';

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const product = parseExpression('prod(p, 1, 30, W)', scopeOf(lab)).expr;
const sizes = { T: 6, d: 3, m: 2 };

describe("an instance pool's product memo", () => {
  it('is shared by its evaluators, under one limit: past it a product is recomputed, to the same values', () => {
    // room for 2.5 products' partial results: 30 per column, 3 columns, each 3 entries and its overhead
    const perProduct = 30 * 3 * (3 + PARTIAL_RESULT_OVERHEAD);
    const pool = new InstancePool(lab, 2.5 * perProduct);
    const entries = [0, 1, 2, 3].map((i) => pool.get(1, i, sizes));
    // each evaluator holds its share of the pool's ledger (given back when the pool drops it): every share reads the
    // pool's count
    const kept = entries[0]!.evaluator.productMemo.kept;
    const keptAfter: number[] = [];
    const values = entries.map((e) => {
      const v = Array.from(asDense(e.evaluator.evaluate(product, {})).data);
      keptAfter.push(kept.entries);
      for (const other of entries) expect(other.evaluator.productMemo.kept.entries).toBe(kept.entries);
      return v;
    });
    // two products whole, the third's first column and half its second (a chain stops at the limit), the fourth nothing
    const column = 30 * (3 + PARTIAL_RESULT_OVERHEAD);
    expect(keptAfter).toEqual([perProduct, 2 * perProduct, 2 * perProduct + 1.5 * column, 2.5 * perProduct]);
    expect(keptAfter[3]).toBe(keptAfter[2]);
    // the same numbers as an evaluator of its own, with all the room it wants
    entries.forEach((e, i) =>
      expect(values[i]).toEqual(
        Array.from(asDense(new Evaluator(e.instance.graph, e.instance.sizes).evaluate(product, {})).data),
      ),
    );
  });

  it('defaults to POOL_PRODUCT_MEMO_ENTRIES for the pool, not per instance', () => {
    const pool = new InstancePool(lab);
    const [a, b] = [pool.get(1, 0, sizes), pool.get(1, 1, sizes)];
    asDense(a.evaluator.evaluate(product, {}));
    expect(a.evaluator.productMemo.kept.entries).toBeGreaterThan(0);
    expect(b.evaluator.productMemo.kept.entries).toBe(a.evaluator.productMemo.kept.entries);
    expect(pool.memoEntries.products).toBe(a.evaluator.productMemo.kept.entries);
    expect(a.evaluator.productMemo.kept.limit).toBe(POOL_PRODUCT_MEMO_ENTRIES);
  });
});
