/**
 * The dual-vs-adjoint cross-check in the subnormal zone: a derivative of
 * size ~1e-319 is computed through subnormal numbers whose rounding is far
 * coarser than float64's, so the two exact modes may differ by 10⁻¹ relative.
 * That is set aside (as the point comparison sets aside both sides below
 * 1e-280), never counted as a disagreement that makes a true claim
 * unverifiable. The speed issue's T = 1024 run of the lab's eq. (1) hit this.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';

const tiny = (factor: string) =>
  parseDerivation(
    modelFile({
      sizes: 'd: 2..3, T: 12',
      symbols: ['W', 'x: { role: input, shape: [d] }', 'h'],
      equations: [`h[t] = ${factor} * (W*h[t-1]) + x[t]`],
      claims:
        // the closed form written out: the chain rule with ∂h[t-1]/∂h[1] opaque would decide it without the exact forms
        `  - id: lag\n    claim: jac(h[t], h[1]) = prod(i, 2, t, ${factor} * W)\n    forall: t in 2..T\n    expect: verified\n`,
    }),
    'tiny.yaml',
  );

describe('cross-checks of derivatives in the subnormal zone', () => {
  it('a derivative of ~1e-319 (11 steps of 1e-29) is set aside, and the true claim holds', () => {
    const [r] = checkDerivation(tiny('0.00000000000000000000000000001'), { instances: 1 });
    const dual = evidenceOf(r!.evidence, 'dual-vs-adjoint')!;
    expect(dual.underflow).toBeGreaterThan(0);
    expect(dual.failures).toEqual([]);
    // consistent, not verified: the exact forms refuse (1e-29)^11, whose products round and then leave float64's
    // normal range (the first refusal stops them)
    expect(r!.verdict).toBe('consistent');
    expect(JSON.stringify(evidenceOf(r!.evidence, 'symbolic')!.outcome)).toMatch(
      /normal range|cannot hold exactly \(1e-29 · 1e-29\)/,
    );
  });

  it('above the zone (11 steps of 1e-20: ~1e-220) every check is compared', () => {
    const [r] = checkDerivation(tiny('0.00000000000000000001'), { instances: 1 });
    const dual = evidenceOf(r!.evidence, 'dual-vs-adjoint')!;
    expect(dual.underflow).toBe(0);
    expect(dual.failures).toEqual([]);
    // consistent: 1e-20 · 1e-20 rounds in float64, so the exact forms refuse the product (exact-coefficients.test.ts);
    // the ℤ_p test, exact on the doubles, agrees, which is no exact identity (it was `verified` on rounded forms)
    expect(r!.verdict).toBe('consistent');
    expect(JSON.stringify(evidenceOf(r!.evidence, 'symbolic')!.outcome)).toContain('"randomAgrees":true');
  });
});
