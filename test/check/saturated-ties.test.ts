/**
 * Saturated tanh units are ±1 in float64, so normMax/normMin over them (and max/min over entries) tie there; wide floats
 * carry each value's complement 1 − |h| (src/symbolic/domains/wide-float.ts), and the tie took whichever unit came
 * first, with its complement: `1 - normMax(h)^2 = 1 - normMin(h)^2`, false wherever the two |z| differ, agreed at every
 * point under a premise saturating both units, and true bounds through normMin(h) were refuted (a review's). The
 * order of wide floats now tells such values apart by their complements.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { node, num } from '../../src/ir/expr.js';
import { specOf } from '../../src/ops/registry.js';
import { nearOne, wideFloatRing, wideFromNumber } from '../../src/symbolic/domains/wide-float.js';

const FILE = 'test/fixtures/models/saturated-norm-ties.yaml';

describe('saturated units in normMax and normMin', () => {
  const tanh = specOf(node('tanh', [num(0)])).activation!;
  const order = wideFloatRing(() => {}).ordered!;
  const saturated = (z: number) => nearOne(wideFromNumber(Math.tanh(z)), tanh.complement!(z));

  // (to z = 350: beyond ≈ 354 the complement is below the normal doubles and is not carried, and the decimals decide)
  it('wide floats order tanh(z) by z where float64 ties them at ±1', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20, max: 350, noNaN: true }),
        fc.double({ min: 20, max: 350, noNaN: true }),
        (a, b) => {
          // both 1 in float64; the larger z, the smaller complement, the larger value (and the reverse for −z)
          expect(Math.tanh(a)).toBe(Math.tanh(b));
          const [x, y] = [saturated(a), saturated(b)];
          expect(order.lt(x, y)).toBe(tanh.complement!(a) > tanh.complement!(b));
          expect(order.lt(saturated(-a), saturated(-b))).toBe(tanh.complement!(a) < tanh.complement!(b));
        },
      ),
    );
  });

  const results = new Map(checkDerivation(loadDerivationFile(FILE)).map((r) => [r.id, r]));

  it('refutes 1 − max|h|² = 1 − min|h|² on saturated units, at the values mpmath computes (it agreed everywhere)', () => {
    const r = results.get('max-min-complements-false')!;
    expect(r.verdict).toBe('refuted');
    // test/fixtures/numpy/saturated_ties.py on this counterexample's export, 150 digits: z = (−21.2748, −65.8825),
    // 1 − max|h|² = 2.3835751941781664e-57, 1 − min|h|² = 1.3274316490442554e-18 (since the premise's rescaling reaches
    // ×100: z = (−24.0211, −24.3159), 3.0305032612065859e-21 against 5.4654684120074409e-21 before). At 60 digits the
    // script kept only a few digits of 2.4e-57 and was 2.0e-6 off; the wide floats' complement was right.
    const cx = r.counterexample!;
    expect(cx.lhs[0]! / 2.3835751941781665e-57).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / 1.3274316490442554e-18).toBeCloseTo(1, 12);
  });

  it('leaves the true claims through normMin/normMax of saturated units consistent (they were refuted)', () => {
    for (const id of ['min-of-complements', 'step-bound-least-saturated'])
      expect(results.get(id)!.verdict, id).toBe('consistent');
  });
});
