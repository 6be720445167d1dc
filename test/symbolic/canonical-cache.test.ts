/**
 * The canonicalizer keeps what it built for one binding (forms by content, the activation index by the
 * sizes, grids of blocks and the prefixes of products over ranges) and reuses it at the next: every
 * binding's form must be what a fresh canonicalizer builds.
 */
import { describe, expect, it } from 'vitest';
import { bindings } from '../../src/check/bindings.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { Canonicalizer, formatPoly } from '../../src/symbolic/canonical.js';
import { SymbolicModel, substituteDerivationsAt } from '../../src/symbolic/derive.js';
import { LIMITS } from '../../src/ir/limits.js';
import { remainingExactWork, withExactBudget } from '../../src/symbolic/unsupported.js';

const post = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const lstm2018 = loadDerivationFile('derivations/why-lstm-works-2018.yaml');
const lstm2019 = loadDerivationFile('derivations/how-lstms-solve-vanishing-gradients-2019.yaml');

/** Both sides of a claim at every binding for T in `horizons`: the shared canonicalizer's form and a fresh one's. */
function compareWithFresh(derivation: typeof post, claimId: string, unfold: boolean, horizons: readonly number[]) {
  const claim = derivation.claims.find((c) => c.id === claimId)!;
  const sm = new SymbolicModel(derivation.model, 'explicit');
  const shared = new Canonicalizer(sm, unfold);
  const sizes = Object.fromEntries(Object.entries(derivation.model.sizes).map(([name, range]) => [name, range.min]));
  const pairs: [string, string][] = [];
  for (const T of horizons)
    for (const binding of bindings(claim, { ...sizes, T })) {
      const env = { ...sizes, T, ...binding };
      for (const side of [claim.lhs, claim.rhs]) {
        const form = substituteDerivationsAt(side, sm, env);
        pairs.push([formatPoly(shared.expand(form, env)), formatPoly(new Canonicalizer(sm, unfold).expand(form, env))]);
      }
    }
  return pairs;
}

describe('canonical forms reused across bindings', () => {
  it.each([false, true])('equal a fresh canonicalizer’s at every binding (unfold %s)', (unfold) => {
    const pairs = compareWithFresh(post, 'lab-eq1', unfold, [3, 4, 5, 6]);
    for (const [shared, fresh] of pairs) expect(shared).toBe(fresh);
    // k = 1..T at T = 3..6; both sides of each.
    expect(pairs.length).toBe(2 * (3 + 4 + 5 + 6));
  });

  // ∏_{i=1}^{t−k} ∂x_{t−i+1}/∂x_{t−i}: at one t the products for k = t−1, t−2, … are prefixes of each other,
  // and the cached prefixes of one t must not stand in for another t's (its factors differ).
  it('equal a fresh canonicalizer’s where products over ranges share prefixes', () => {
    const pairs = compareWithFresh(lstm2018, 'eq3-product-decreasing-i', false, [4, 5]);
    for (const [shared, fresh] of pairs) expect(shared).toBe(fresh);
    expect(pairs.length).toBe(2 * (10 + 15));
    // the forms differ from binding to binding (a wrong cache hit would show as a repeated form)
    expect(new Set(pairs.map(([, fresh]) => fresh)).size).toBeGreaterThan(10);
  });

  // ∂h_t/∂h_{t−k} over the state (x, C, h): blocks picked from a product of block grids, whose prefixes
  // (and whole grids, picked once per block) are cached.
  it('equal a fresh canonicalizer’s where blocks are picked from products of grids', () => {
    // (T = 4 exceeds the exact expansion's size limit.)
    const pairs = compareWithFresh(lstm2018, 'eq5-recursion', false, [3]);
    for (const [shared, fresh] of pairs) expect(shared).toBe(fresh);
    // t = 2..3, k = 2..t: 3 bindings; both sides of each
    expect(pairs.length).toBe(2 * 3);
    expect(new Set(pairs.map(([, fresh]) => fresh)).size).toBeGreaterThanOrEqual(3);
  });
});

/** One claim's attempt on a canonicalizer (a session of its own): both sides at every binding, and the exact work charged. */
function attempt(canon: Canonicalizer, sm: SymbolicModel, derivation: typeof post, claimId: string, T: number) {
  const claim = derivation.claims.find((c) => c.id === claimId)!;
  const sizes = Object.fromEntries(Object.entries(derivation.model.sizes).map(([name, range]) => [name, range.min]));
  return withExactBudget(() => {
    canon.beginSession();
    const forms = bindings(claim, { ...sizes, T }).flatMap((binding) => {
      const env = { ...sizes, T, ...binding };
      return [claim.lhs, claim.rhs].map((side) =>
        formatPoly(canon.expand(substituteDerivationsAt(side, sm, env), env)),
      );
    });
    return { forms, work: LIMITS.exactWork - remainingExactWork() };
  });
}

describe('canonical forms shared by the claims of a model', () => {
  // eq1-as-written reads h = o ⊙ σ(s) back from the activations' index (built while it expands); the path claim
  // after it reads the same index and forms: it must be charged what it is charged alone, to the term product.
  it.each([
    [lstm2019, 'eq1-as-written', 't1-as-path-to-s', true, 3],
    [lstm2019, 'eq1-corrected', 't1-path-to-s', true, 4],
    [lstm2018, 'eq5-recursion-two-paths', 'eq5-recursion', false, 3],
  ] as const)(
    'charge a claim what a fresh canonicalizer charges, after another claim (%#)',
    (d, first, then, unfold, T) => {
      const sm = new SymbolicModel(d.model, 'explicit');
      const alone = attempt(new Canonicalizer(sm, unfold), sm, d, then, T);
      const shared = new Canonicalizer(sm, unfold);
      const before = attempt(shared, sm, d, first, T);
      expect(before.work).toBeGreaterThan(0);
      const after = attempt(shared, sm, d, then, T);
      expect(after).toEqual(alone);
      expect(alone.work).toBeGreaterThan(0);
      // and again in the same session's order reversed: the first claim alone costs what it cost first
      expect(attempt(shared, sm, d, first, T)).toEqual(before);
    },
  );
});
