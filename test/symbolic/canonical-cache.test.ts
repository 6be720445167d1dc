/**
 * The canonicalizer keeps what it built for one binding (forms by content, the activation index by the
 * sizes) and reuses it at the next: every binding's form must be what a fresh canonicalizer builds.
 */
import { describe, expect, it } from 'vitest';
import { bindings } from '../../src/check/bindings.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { Canonicalizer, formatPoly } from '../../src/symbolic/canonical.js';
import { SymbolicModel, substituteDerivationsAt } from '../../src/symbolic/derive.js';

const post = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');

describe('canonical forms reused across bindings', () => {
  it.each([false, true])('equal a fresh canonicalizer’s at every binding (unfold %s)', (unfold) => {
    const claim = post.claims.find((c) => c.id === 'lab-eq1')!;
    const sm = new SymbolicModel(post.model, 'explicit');
    const shared = new Canonicalizer(sm, unfold);
    const sizes = Object.fromEntries(Object.entries(post.model.sizes).map(([name, range]) => [name, range.min]));
    let compared = 0;
    for (let T = 3; T <= 6; T++)
      for (const binding of bindings(claim, { ...sizes, T })) {
        const env = { ...sizes, T, ...binding };
        for (const side of [claim.lhs, claim.rhs]) {
          const form = substituteDerivationsAt(side, sm, env);
          expect(formatPoly(shared.expand(form, env))).toBe(
            formatPoly(new Canonicalizer(sm, unfold).expand(form, env)),
          );
          compared++;
        }
      }
    // k = 1..T at T = 3..6; both sides of each.
    expect(compared).toBe(2 * (3 + 4 + 5 + 6));
  });
});
