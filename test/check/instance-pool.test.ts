/**
 * A file's instance pool keeps at most an estimated budget of instances (src/check/check-claim.ts
 * POOL_INSTANCE_BYTES), the least recently drawn dropped and built again when drawn again. Every instance was
 * kept: `--instances 10000` at d = 16, T = 60 (≈ 120 KB an instance) aborted out of memory at 4.9 GB (a review's).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InstancePool } from '../../src/check/check-claim.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { POOL_VALUE_MEMO_ENTRIES } from '../../src/numeric/evaluate.js';
import { POOL_PRODUCT_MEMO_ENTRIES } from '../../src/numeric/values.js';
import { runPoints } from '../../src/check/points.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

describe('the instance pool', () => {
  const lab = loadDerivationFile(LAB);
  const sizes = { T: 6, d: 3, m: 2 };
  // at these sizes an instance's estimate is its graph's 16 bytes a number and 128 KB: room for three
  const budget = (n: number) => {
    const probe = new InstancePool(lab);
    probe.get(1, 0, sizes);
    const one = (probe as unknown as { bytes: number }).bytes;
    return n * one;
  };
  const claim = lab.claims.find((c) => c.id === 'lab-eq1')!;

  it('keeps the most recently drawn within its budget, and builds a dropped instance again the same', () => {
    const pool = new InstancePool(lab, POOL_PRODUCT_MEMO_ENTRIES, POOL_VALUE_MEMO_ENTRIES, budget(3));
    const first = pool.get(1, 0, sizes);
    const firstPoints = runPoints(claim, first, 0, null).map((p) => [
      p.env,
      p.outcome.status,
      Array.from(p.outcome.lhs),
      Array.from(p.outcome.rhs),
    ]);
    const heldBefore = pool.memoEntries;
    expect(heldBefore.values).toBeGreaterThan(0);
    for (let j = 1; j < 10; j++) runPoints(claim, pool.get(1, j, sizes), 0, null);
    expect(pool.size).toBe(3);
    // the dropped evaluators' memos are given back to the pool's budgets: three instances' worth is held
    expect(pool.memoEntries.values).toBeLessThanOrEqual(3 * heldBefore.values);
    const again = pool.get(1, 0, sizes);
    expect(again).not.toBe(first);
    expect(again.instance.graph.data.params.get('W')).toEqual(first.instance.graph.data.params.get('W'));
    expect(
      runPoints(claim, again, 0, null).map((p) => [
        p.env,
        p.outcome.status,
        Array.from(p.outcome.lhs),
        Array.from(p.outcome.rhs),
      ]),
    ).toEqual(firstPoints);
    // drawing one again makes it the most recent: instance 9 stays, 7 is dropped next
    pool.get(1, 9, sizes);
    pool.get(1, 10, sizes);
    expect(pool.size).toBe(3);
  });

  it('a file checked through a pool that drops instances reaches the verdicts and evidence of one that keeps them all', () => {
    const options = { claims: ['lab-eq1', 'lab-eq1-W-for-WT', 'lab-eq2'], instances: 2, search: 20 };
    const all = checkDerivation(lab, options);
    const small = checkDerivation(
      lab,
      options,
      [],
      new InstancePool(lab, POOL_PRODUCT_MEMO_ENTRIES, POOL_VALUE_MEMO_ENTRIES, budget(2)),
    );
    expect(small.map((r) => [r.id, r.verdict, r.evidence])).toEqual(all.map((r) => [r.id, r.verdict, r.evidence]));
  });
});
