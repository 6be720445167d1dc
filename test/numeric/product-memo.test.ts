/**
 * What an ordered product's walks keep (src/numeric/values.ts ProdOp, PRODUCT_MEMO_ENTRIES): partial results while
 * the instance's memo has room, none past it — a later walk recomputes them, to the same values — so that
 * `prod(i, 1, 1000000, W)` no longer keeps a million partial results per column on every pooled instance.
 */
import { describe, expect, it } from 'vitest';
import { mat, matMul, matVec } from '../../src/numeric/linalg.js';
import {
  dense,
  DenseOp,
  type Factor,
  PARTIAL_RESULT_OVERHEAD,
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
    // 10 partial results of 3 entries, each with its overhead (PARTIAL_RESULT_OVERHEAD entries' worth)
    expect(memo.kept.entries).toBe(10 * (3 + PARTIAL_RESULT_OVERHEAD));
    // twelve factors: only the last two are applied, the first ten read from the chain
    const longer = withWorkLimit(Infinity, () => new ProdOp(3, 1, 12, () => factor, memo).apply(x));
    expect(Array.from(longer.value!.data)).toEqual(Array.from(power(12)));
    expect(memo.kept.entries).toBe(12 * (3 + PARTIAL_RESULT_OVERHEAD));
  });

  it('past the limit: none, and a later walk recomputes them to the same values', () => {
    // room for three partial results
    const memo = newMemo(PRODUCT_MEMO_ENTRIES - 3 * (3 + PARTIAL_RESULT_OVERHEAD));
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

/** n distinct factors F_1 … F_n (seeded), each counting the factor applications walks make */
function countedFactors(n: number, size: number) {
  const applications = { count: 0 };
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.8;
  const matrices = Array.from({ length: n + 1 }, () =>
    mat(size, size, Float64Array.from({ length: size * size }, next)),
  );
  class Counted extends DenseOp {
    override apply(v: ReturnType<typeof dense>) {
      applications.count++;
      return super.apply(v);
    }
    override applyT(v: ReturnType<typeof dense>) {
      applications.count++;
      return super.applyT(v);
    }
  }
  const factors = matrices.map((m, i): Factor => ({
    key: `F${i}`,
    value: () => new Counted(dense(size, size, m.data)),
  }));
  return { applications, matrices, factorAt: (i: number) => factors[i]! };
}

describe('a product materialised for every lag', () => {
  const size = 3;
  const n = 30;
  /** F_lo ⋯ F_hi as plain matrix products */
  const plain = (matrices: readonly ReturnType<typeof mat>[], lo: number, hi: number) => {
    let p = matrices[lo]!;
    for (let i = lo + 1; i <= hi; i++) p = matMul(p, matrices[i]!);
    return p;
  };

  it('prod(i, 1, k, F_i) over k, by rows (its `prod` record asks where lo is fixed): one application per row and lag', () => {
    const { applications, matrices, factorAt } = countedFactors(n, size);
    const memo = newMemo();
    for (let k = 1; k <= n; k++) {
      const value = new ProdOp(size, 1, k, factorAt, memo, true).materialize();
      const expected = plain(matrices, 1, k);
      for (let e = 0; e < size * size; e++)
        expect(Math.abs(value.data[e]! - expected.data[e]!)).toBeLessThanOrEqual(
          1e-13 * (1 + Math.abs(expected.data[e]!)),
        );
    }
    // one step per row per lag: 3·30 — by columns, walking every lag's product from F_k, 3·(1 + 2 + … + 30) = 1395
    expect(applications.count).toBe(3 * n);
    const byColumns = countedFactors(n, size);
    const columnsMemo = newMemo();
    for (let k = 1; k <= n; k++) new ProdOp(size, 1, k, byColumns.factorAt, columnsMemo).materialize();
    expect(byColumns.applications.count).toBe((3 * n * (n + 1)) / 2);
  });

  it('materialises the same bits whatever was evaluated before it (the direction is the expression’s)', () => {
    const { matrices, factorAt } = countedFactors(n, size);
    const fresh = (k: number) => Array.from(new ProdOp(size, 1, k, factorAt, newMemo(), true).materialize().data);
    const warm = newMemo();
    // lags in descending order on one memo, then each against a fresh memo
    for (let k = n; k >= 1; k -= 7)
      expect(Array.from(new ProdOp(size, 1, k, factorAt, warm, true).materialize().data)).toEqual(fresh(k));
    expect(matrices.length).toBe(n + 1);
  });

  it('prod(i, k, n, F_i) over k: walked by columns from F_n, its shared end', () => {
    const { applications, matrices, factorAt } = countedFactors(n, size);
    const memo = newMemo();
    for (let k = n; k >= 1; k--) {
      const value = new ProdOp(size, k, n, factorAt, memo).materialize();
      const expected = plain(matrices, k, n);
      for (let e = 0; e < size * size; e++)
        expect(Math.abs(value.data[e]! - expected.data[e]!)).toBeLessThanOrEqual(
          1e-13 * (1 + Math.abs(expected.data[e]!)),
        );
    }
    expect(applications.count).toBe(3 * n);
  });

  it('hands each partial result it leaves behind to the memo (the evaluator drops its sweeps), never the start', () => {
    const passed: Float64Array[] = [];
    const memo: ProductMemo = { ...newMemo(), passed: (d) => passed.push(Float64Array.from(d.data)) };
    new ProdOp(3, 1, 5, () => factor, memo).apply(x);
    // the first four partial results (W·x … W⁴·x), in order; x itself and the result W⁵·x are not passed
    expect(passed.map((v) => Array.from(v))).toEqual([1, 2, 3, 4].map((k) => Array.from(power(k))));
  });
});

describe('the reads a product replays', () => {
  /** a tracker that notes what it is given, under one stamp or a stamp per call of `next` */
  function tracker() {
    const noted: unknown[] = [];
    let stamp = 1;
    let depth = 0;
    return {
      noted,
      newStamp: () => void stamp++,
      tracker: {
        capture: <T>(f: () => T): [T, readonly unknown[]] => [f(), []],
        open: () => depth++,
        close: (): readonly unknown[] => {
          depth--;
          return [];
        },
        replay: (reads: readonly unknown[]) => void noted.push(...reads),
        stamp: () => stamp,
      },
    };
  }

  it('a chain replayed for every column notes its steps once per stamp, and again under a new one', () => {
    const { noted, newStamp, tracker: t } = tracker();
    // factors that read something: each step's read captured by open/close
    const reading: Factor = { key: 'R', value: () => new DenseOp(dense(3, 3, W.data)) };
    const trails: NonNullable<ProductMemo['reads']>['trails'] = new Map();
    const memo: ProductMemo = { ...newMemo(), reads: { tracker: t, trails } };
    // close returns the step's read: one per step
    let step = 0;
    t.close = () => [`read ${step++}`];
    new ProdOp(3, 1, 4, () => reading, memo).materialize();
    // the first column walks 4 steps (reads 0–3), each later column walks its own 4 steps (their reads, new)
    expect(step).toBe(12);
    // the chain's trail is kept once for the head, by step: the first column's
    expect(trails.get('N|R')!.length).toBe(4);
    expect(noted).toEqual([]);
    // all three columns again, memoised, under the stamp their walks noted them in: nothing to note again
    new ProdOp(3, 1, 4, () => reading, memo).materialize();
    expect(noted).toEqual([]);
    // under a new stamp (another point's record): the trail once, for the first column, not once per column
    newStamp();
    new ProdOp(3, 1, 4, () => reading, memo).materialize();
    expect(noted).toEqual(['read 0', 'read 1', 'read 2', 'read 3']);
    noted.length = 0;
    // a longer product: what was noted is skipped, the new step's read noted (and the trail goes on from it)
    new ProdOp(3, 1, 5, () => reading, memo).materialize();
    expect(noted).toEqual([]);
    expect(step).toBe(15);
    expect(trails.get('N|R')!.length).toBe(5);
  });
});
