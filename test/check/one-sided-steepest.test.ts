/**
 * An activation whose |f′| rises to its supremum only as the pre-activation tends to 0 from one side: a scaled ELU the
 * file declares, f′ = 1.68 eᶻ below 0 and 1.05 at 0 and above (src/ops/elementwise.ts steepestPoint). The search's
 * steepest constructions put every pre-activation at 0 — the right-hand slope — and `‖J‖ ≤ 1.679998‖W‖`, 1.2e-6 under
 * λα, was consistent at three master seeds and with `--search 2000` (review152). numpy:
 * test/fixtures/numpy/selu_left_limit.py (0.83999998 against 0.839999 at W = ½, b = −1e-8).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { steepestPoint } from '../../src/ops/elementwise.js';

describe('a supremum of |f′| approached at 0 from one side', () => {
  const d = loadDerivationFile('test/fixtures/models/selu-left-limit.yaml');

  it('is where the steepest constructions put the pre-activations: 2⁻⁴⁰ below 0', () => {
    const rule = d.model.functions.get('selu')!.rule;
    expect(steepestPoint(rule)).toBe(-(2 ** -40));
    expect(Math.abs(rule.derivative(-(2 ** -40), rule.value(-(2 ** -40))))).toBeCloseTo(1.68, 11);
  });

  it('refutes the bound 1.2e-6 under λα and leaves λα consistent', () => {
    const results = checkDerivation(d);
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['left-limit-false', 'refuted'],
      ['left-limit-true', 'consistent'],
    ]);
    const cx = results[0]!.counterexample!;
    // every pre-activation at −2⁻⁴⁰: ‖J‖ = 1.68‖W‖ to 1e-12, against 1.679998‖W‖
    expect(cx.lhs[0]! / cx.rhs[0]!).toBeCloseTo(1.68 / 1.679998, 10);
  });
});
