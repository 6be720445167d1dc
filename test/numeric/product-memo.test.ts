/**
 * What an ordered product's walks keep (src/numeric/values.ts ProdOp, PRODUCT_MEMO_ENTRIES): partial results while
 * the instance's memo has room, none past it — a later walk recomputes them, to the same values — so that
 * `prod(i, 1, 1000000, W)` no longer keeps a million partial results per column on every pooled instance.
 */
import { describe, expect, it } from 'vitest';
import { mat, matVec } from '../../src/numeric/linalg.js';
import {
  dense,
  DenseOp,
  type Factor,
  PRODUCT_MEMO_ENTRIES,
  ProdOp,
  type ProductMemo,
} from '../../src/numeric/values.js';
import { withWorkLimit } from '../../src/numeric/work-meter.js';

const W = mat(3, 3, Float64Array.of(0.9, 0.1, 0, -0.2, 0.8, 0.3, 0.1, 0, 1.1));
const factor: Factor = { key: 'W', value: () => new DenseOp(dense(3, 3, W.data)) };
const newMemo = (entries = 0): ProductMemo => ({ chains: new WeakMap(), lost: new WeakMap(), kept: { entries } });
const x = dense(3, 1, Float64Array.of(1, -2, 0.5));

/** W^n·x by plain products, as the walk computes it (the same operations in the same order) */
function power(n: number): Float64Array {
  let v = x.data;
  for (let i = 0; i < n; i++) v = matVec(W, v);
  return v;
}

describe('the partial results a walk keeps', () => {
  it('while the memo has room: every one, reused by a longer product', () => {
    const memo = newMemo();
    expect(Array.from(new ProdOp(3, 1, 10, () => factor, memo).apply(x).data)).toEqual(Array.from(power(10)));
    // 10 partial results of 3 entries, each with its overhead (16 entries' worth)
    expect(memo.kept.entries).toBe(10 * (3 + 16));
    // twelve factors: only the last two are applied, the first ten read from the chain
    const longer = withWorkLimit(Infinity, () => new ProdOp(3, 1, 12, () => factor, memo).apply(x));
    expect(Array.from(longer.value!.data)).toEqual(Array.from(power(12)));
    expect(memo.kept.entries).toBe(12 * (3 + 16));
  });

  it('past the limit: none, and a later walk recomputes them to the same values', () => {
    // room for three partial results
    const memo = newMemo(PRODUCT_MEMO_ENTRIES - 3 * (3 + 16));
    const first = new ProdOp(3, 1, 10, () => factor, memo).apply(x);
    expect(Array.from(first.data)).toEqual(Array.from(power(10)));
    expect(memo.kept.entries).toBe(PRODUCT_MEMO_ENTRIES);
    expect([...memo.chains.get(x)!.values()].map((chain) => chain.length)).toEqual([3]);
    // the same product again: walked from the third partial result, the same numbers
    const cost = (n: number) => withWorkLimit(Infinity, () => new ProdOp(3, 1, n, () => factor, memo).apply(x));
    const again = cost(10);
    expect(Array.from(again.value!.data)).toEqual(Array.from(first.data));
    // and it costs what walking the seven steps past the kept ones costs on the work meter
    expect(again.spent).toBe(
      withWorkLimit(Infinity, () => new ProdOp(3, 1, 7, () => factor, newMemo()).apply(x)).spent,
    );
  });
});
