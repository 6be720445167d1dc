/**
 * A product's partial results are memoised per instance (src/numeric/values.ts, ProdOp) and served to later
 * points and claims; the derivatives their factors read must count as read there too, or what a point
 * cross-checks against the reference would depend on what was evaluated before it (the 2018 file's
 * eq6-item-partial checked 246 derivatives alone and 226 after eq6-item-total, so `verify`'s pool, which
 * splits a file's claims over workers, drifted from the fixtures when the split changed).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { bindings } from '../../src/check/bindings.js';
import { InstancePool } from '../../src/check/check-claim.js';
import { runPoints } from '../../src/check/points.js';
import type { ReferenceCheck } from '../../src/numeric/reference-check.js';

const FILE = 'derivations/why-lstm-works-2018.yaml';
const REQUEST = { instances: 2 };

describe('derivatives read through memoised products', () => {
  it('a claim cross-checks the same derivatives alone and after a claim that walked its products first', () => {
    const alone = checkDerivation(loadDerivationFile(FILE), { ...REQUEST, claims: ['eq6-item-partial'] })[0]!;
    const after = checkDerivation(loadDerivationFile(FILE), {
      ...REQUEST,
      claims: ['eq6-item-total', 'eq6-item-partial'],
    })[1]!;
    expect(after.id).toBe('eq6-item-partial');
    expect(JSON.stringify(after.evidence)).toBe(JSON.stringify(alone.evidence));
    expect(JSON.stringify(after)).toBe(JSON.stringify(alone));
  });

  it("a product's value does not depend on the products evaluated before it (rows or columns: the expression's)", () => {
    // b-lags's products prod(i, 1, k, …) are walked by rows (F_1 is the end its lags share); a-first's, a fixed
    // product of the same factors, walked first, once decided whether b-lags went by rows or columns, and its values'
    // rounding with it (a review found the relative error moving with --jobs and the claims selected; at the default
    // instances, as here, this test failed then)
    const file = loadDerivationFile('test/fixtures/models/shared-product-ends.yaml');
    const alone = checkDerivation(file, { claims: ['b-lags'] })[0]!;
    const after = checkDerivation(file, { claims: ['a-first', 'b-lags'] })[1]!;
    expect(alone.verdict).toBe('verified');
    expect(JSON.stringify(after)).toBe(JSON.stringify(alone));
  });

  it('every sampled point cross-checks every derivative its sides read, however warm the memo', () => {
    // eq6-item-partial at (t, k) reads ∂h_j/∂C_j and ∂C_j/∂h_{j−1} for j = t−k+1..t (left side) and the k − 1
    // partials ∂C_j/∂C_{j−1}|h (right side; its two outer factors are the left's): 3k − 1 distinct derivatives.
    const d = loadDerivationFile(FILE);
    const claim = d.claims.find((c) => c.id === 'eq6-item-partial')!;
    const entry = new InstancePool(d).get(1, 0, { T: 8, d: 2 });
    const envs = bindings(claim, entry.instance.sizes);
    const sampled = [0, envs.length - 1, Math.floor((envs.length - 1) / 2)].map((i) => envs[i]!);
    const expected = sampled.reduce((n, env) => n + 3 * env.k! - 1, 0);
    expect(expected).toBe(5 + 23 + 3 * sampled[2]!.k! - 1);
    // three times on one instance: the second and third find every product walked already
    for (let run = 0; run < 3; run++) {
      const refChecks: ReferenceCheck[] = [];
      runPoints(claim, entry, 3, refChecks);
      expect(refChecks.length).toBe(expected);
    }
  });
});
