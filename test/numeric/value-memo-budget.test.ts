/**
 * What an evaluator's value memo keeps (src/numeric/evaluate.ts VALUE_MEMO_ENTRIES, a pool's shared budget): values
 * while the budget has room, none past it — computed and returned, and computed again when read again, to the same
 * numbers. Every value kept, `norm2(sum(i, 1, 1000000, (1 + 0 * i) * W))` kept two per term on each pooled instance
 * and ran out of memory (5.6 GB, 87 s) instead of stopping at its work limit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InstancePool } from '../../src/check/check-claim.js';
import { REGIMES } from '../../src/derivation/derivation.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense, type KeptEntries } from '../../src/numeric/values.js';
import { withWorkLimit } from '../../src/numeric/work-meter.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const derivation = parseDerivation(
  `${lab.slice(0, lab.indexOf('claims:'))}claims:
  - id: many-terms
    claim: "norm2(sum(i, 1, 3000, (1 + 0 * i) * W)) <= 3000 * norm2(W)"
`,
  'value-memo-budget.yaml',
);
const claim = derivation.claims[0]!;
const instance = buildInstance(derivation.model, instanceSpec(derivation.model, 5, 0, REGIMES, {}));
const evaluate = (kept: KeptEntries) => {
  const ev = new Evaluator(instance.graph, instance.sizes, true, undefined, kept);
  return withWorkLimit(Infinity, () => asDense(ev.evaluate(claim.lhs, {})).data[0]!);
};

describe('the values an evaluator keeps', () => {
  it('while the budget has room: every one; past it: none more, and the same numbers', () => {
    const roomy: KeptEntries = { entries: 0 };
    const all = evaluate(roomy);
    // two values a term at least (1 + 0 * i and the scaled W), each with its overhead
    expect(roomy.entries).toBeGreaterThan(2 * 3000 * 40);
    const tight: KeptEntries = { entries: 0, limit: 20_000 };
    const some = evaluate(tight);
    expect(tight.entries).toBeLessThanOrEqual(20_000);
    expect(tight.entries).toBeGreaterThan(20_000 - 200);
    expect(some.value).toBe(all.value);
  });

  it('a value not kept is computed again when read again, and the meter counts it', () => {
    const ev = new Evaluator(instance.graph, instance.sizes, true, undefined, { entries: 0, limit: 0 });
    const once = withWorkLimit(Infinity, () => ev.evaluate(claim.lhs, {}));
    const twice = withWorkLimit(Infinity, () => ev.evaluate(claim.lhs, {}));
    expect(twice.spent).toBe(once.spent);
    const kept = new Evaluator(instance.graph, instance.sizes);
    withWorkLimit(Infinity, () => kept.evaluate(claim.lhs, {}));
    expect(withWorkLimit(Infinity, () => kept.evaluate(claim.lhs, {})).spent).toBe(0);
  });

  it("a pool's evaluators share one budget, and a check within it gives the same verdict and figures", () => {
    const check = (pool: InstancePool) => {
      const [r] = checkDerivation(derivation, { search: 0 }, undefined, pool);
      return { verdict: r!.verdict, evidence: JSON.stringify(r!.evidence) };
    };
    const unbounded = check(new InstancePool(derivation, undefined, Infinity));
    // room for a few hundred values over the whole pool of 20 instances
    expect(check(new InstancePool(derivation, undefined, 30_000))).toEqual(unbounded);
    expect(unbounded.verdict).toBe('consistent');
  });
});
