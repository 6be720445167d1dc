/**
 * A GELU(tanh) RNN (review146 r5b): ‖∂g_T/∂g_{T−1}‖ ≤ ‖V‖ and ≤ 1.128‖V‖ are false (gelu′ peaks at 1.128993), yet both
 * were `unverifiable`: the exact reference "failed its own cross-check" at one saturated point (jac|g@8|g@7|), where
 * finite differences missed the reference by 7.3e-5 while dual numbers and adjoints agreed to 1.3e-16. The reference
 * was right; the differences were rounding: the body 0.5x(1 + tanh(…)) at x ≈ −6 leaves 1 + tanh ≈ 3e-11 out of terms of
 * size 1, so each value of F is off by ≈ 1e-16 absolute, a million times the ε·|F| the noise floor assumed. The floor
 * now also takes the noise the values show (their fourth difference, src/numeric/finite-diff.ts observedNoise).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { decideVerdict } from '../../src/check/verdict.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';

const FILE = 'test/fixtures/models/gelu-slope.yaml';
const results = new Map(checkDerivation(loadDerivationFile(FILE)).map((r) => [r.id, r]));

describe('a GELU(tanh) RNN whose slope exceeds 1', () => {
  it('refutes both false bounds: the saturated point no longer fails the finite-difference cross-check', () => {
    for (const id of ['r5b-gelu-bdV-false', 'r5b-gelu-bd1128-false']) {
      const r = results.get(id)!;
      expect(r.verdict, id).toBe('refuted');
      const fd = evidenceOf(r.evidence, 'finite-differences')!;
      expect(fd.failures, id).toEqual([]);
      expect([fd.checks, fd.resolved], id).toEqual([20, 19]);
      expect(evidenceOf(r.evidence, 'dual-vs-adjoint')!.failures, id).toEqual([]);
    }
    // 4 of the 20 random points violate ≤ ‖V‖ (the review's count); ≤ 1.128‖V‖ (0.09 % off) only the search finds
    expect(evidenceOf(results.get('r5b-gelu-bdV-false')!.evidence, 'reference')).toMatchObject({
      points: 20,
      violated: 4,
    });
    expect(evidenceOf(results.get('r5b-gelu-bd1128-false')!.evidence, 'search')).toMatchObject({ found: true });
  });

  it('at numbers numpy recomputes: d = 1, ‖V‖ = 0.5, u_T = 0.8825, gelu′(u_T) = 1.0494', () => {
    const cx = results.get('r5b-gelu-bdV-false')!.counterexample!;
    expect([cx.instance, cx.regime, cx.sizes]).toEqual([8, 'contracting', { T: 3, d: 1, m: 2 }]);
    // test/fixtures/numpy/gelu_slope.py on this counterexample's export: u_T = 0.8825059077678902, gelu′(u_T) =
    // 1.0494147817196842 (closed form and complex step alike), lhs = 0.5247073908598421, rhs = ‖V‖₂ = 0.5
    expect(cx.lhs[0]! / 0.5247073908598421).toBeCloseTo(1, 14);
    expect(cx.rhs[0]).toBe(0.5);
    expect(cx.relError).toBeCloseTo((0.5247073908598421 - 0.5) / 0.5247073908598421, 14);
  });
});

/**
 * The verdict rule where the reference did fail its cross-check somewhere (src/check/verdict.ts): a violation at a
 * point whose own reference was cross-checked (every derivative read there, beyond what finite differences could miss)
 * refutes; the failure stays beside it in the evidence. Other violations do not count then, and nothing passes.
 */
describe('a violation at a cross-checked point, with the reference failing at another', () => {
  // The same file with a declared derivative wrong by a triangle of height 1.2e-3 on (−7.8, −5.4) (1e-3·(max(0, −x −
  // 5.4) − 2·max(0, −x − 6.6) + max(0, −x − 7.8))): right elsewhere, so between the loader's test points −5.3 and −7.9,
  // which accept it; wrong in the saturated tail the instances reach, where finite differences catch it.
  const broken = readFileSync(FILE, 'utf8').replace(
    'derivative: "0.5 * (1 + tanh',
    'derivative: "0.0005 * (abs(x + 5.4) - x - 5.4) - 0.001 * (abs(x + 6.6) - x - 6.6) + 0.0005 * (abs(x + 7.8) - x - 7.8) + 0.5 * (1 + tanh',
  );
  const checked = new Map(checkDerivation(parseDerivation(broken, 'gelu-broken.yaml')).map((r) => [r.id, r]));

  it('refutes ≤ ‖V‖ at the cross-checked violations; ≤ 1.128‖V‖, violated at none of them, stays unverifiable', () => {
    expect(broken).toContain('abs(x + 6.6)');
    const r = checked.get('r5b-gelu-bdV-false')!;
    expect(r.verdict).toBe('refuted');
    // the failures are real (the derivative is wrong there) and reported beside the refutation
    const fd = evidenceOf(r.evidence, 'finite-differences')!;
    expect(fd.failures.map((f) => f.derivative)).toEqual(['jac|g@5|g@4|', 'jac|g@8|g@7|', 'jac|g@7|g@6|']);
    expect(evidenceOf(r.evidence, 'reference')).toMatchObject({ points: 20, violated: 3, crossCheckedViolations: 3 });
    // the counterexample is a cross-checked violation as found (not shrunk): the one numpy recomputes above
    const cx = r.counterexample!;
    expect([cx.instance, cx.sizes]).toEqual([8, { T: 3, d: 1, m: 2 }]);
    expect(cx.lhs[0]! / 0.5247073908598421).toBeCloseTo(1, 14);
    const tight = checked.get('r5b-gelu-bd1128-false')!;
    expect(tight.verdict).toBe('unverifiable');
    expect(tight.reason).toMatchObject({ why: 'reference-broken', points: 3 });
  });

  it('decideVerdict: only cross-checked violations outweigh a failed cross-check, and never against exact evidence', () => {
    const reference = { kind: 'reference', points: 20, agreed: 16, violated: 4, troubled: 0 };
    const failed = { kind: 'finite-differences', failures: [{ check: 3, derivative: 'jac|g@8|g@7|' }] };
    const broken = { why: 'reference-broken', points: 1, derivative: 'jac|g@8|g@7|' };
    expect(decideVerdict([reference, failed] as never)).toEqual({ verdict: 'unverifiable', reason: broken });
    const vouched = { ...reference, crossCheckedViolations: 1 };
    expect(decideVerdict([vouched, failed] as never)).toEqual({ verdict: 'refuted', reason: null });
    // identical closed forms or a checked rule chain against it: the reference stays the suspect
    const identical = { kind: 'symbolic', outcome: { status: 'identical' } };
    expect(decideVerdict([vouched, failed, identical] as never).reason).toEqual(broken);
    expect(decideVerdict([vouched, failed, { kind: 'bound-proof', ok: true }] as never).reason).toEqual(broken);
  });
});
