/**
 * Pins the numeric kernels' values bit for bit on seeded instances: the draws, the forward pass, an adjoint
 * sweep (parameters included), a tangent sweep, and every point of eq. (1) with its cross-checks. A change of
 * these digests means some floating-point operation changed or moved (the kernels promise the same
 * operations in the same order); update them only with a change shown to be more accurate. eq. (1)'s digest also
 * covers which agreements were decided again in extended precision (a6de714 moved that sample on instance 3, where
 * the agreements tie: every status as before; so did the samples of 2026-12-05, every status again as before, and
 * the product walks' summed figures of be3d80c reorder it, and the spread sample of 2026-12-05 again: the same 32
 * agreements within reach, 5 decided again, every status as before). 2026-12-06: the regimes' recurrent matrices are
 * scaled by their norm to float64's precision (Lanczos, src/numeric/linalg.ts largestSingularValue) where a power
 * iteration left them 2e-9 to 8e-7 above the regime's norm: every draw after that scale moved in its last digits
 * (both digests), every status of eq. (1)'s points and cross-checks as before.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runPoints } from '../../src/check/points.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { Rng } from '../../src/numeric/prng.js';
import type { ReferenceCheck } from '../../src/numeric/reference-check.js';
import { broadcastKernel, matmulKernel, rowScaleKernel } from '../../src/ops/arithmetic.js';
import { binary } from '../../src/numeric/kernel.js';

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const lstm = loadDerivationFile('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml');

function hasher() {
  const h = createHash('sha256');
  const put = (x: Float64Array | number | string | null) => {
    if (x === null) h.update('null');
    else if (typeof x === 'number') h.update(new Uint8Array(Float64Array.of(x).buffer));
    else if (typeof x === 'string') h.update(x);
    else h.update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  };
  return { put, digest: () => h.digest('hex').slice(0, 16) };
}

const numbersAsText = (_k: string, v: unknown) =>
  v instanceof Float64Array ? [...v].map(String).join() : typeof v === 'number' ? String(v) : v;

describe('numeric kernels, pinned on seeded instances', () => {
  it('normal draws, one at a time and filled, with a spare carried across', () => {
    const { put, digest } = hasher();
    const [a, b] = [new Rng(11), new Rng(11)];
    const one = Array.from({ length: 7 }, () => a.normal());
    const filled = [...b.fillNormal(new Float64Array(3), 2), ...b.fillNormal(new Float64Array(4), 2)];
    expect(filled).toEqual(one.map((x) => 2 * x));
    for (const x of one) put(x);
    expect(digest()).toBe('8832f1aee6d5f4eb');
  });

  it('forward, adjoint and tangent sweeps of the tanh RNN and an LSTM', () => {
    const { put, digest } = hasher();
    for (const [model, seq, sizes] of [
      [lab.model, 'h', { d: 8, m: 3, T: 24 }],
      [lstm.model, 'h', undefined],
    ] as const) {
      for (let j = 0; j < 4; j++) {
        const inst = buildInstance(model, instanceSpec(model, 20261120, j, undefined, sizes));
        const g = inst.graph;
        for (let t = 0; t <= g.T; t++) put(g.value({ name: seq, time: t }));
        const adj = g.adjoints({ name: g.lossName!, time: null }, Float64Array.of(1), new Set(), true);
        for (const p of g.data.params.keys()) put(adj({ name: p, time: null }));
        for (let t = 0; t <= g.T; t++) put(adj({ name: seq, time: t }));
        const [p0, w0] = [...g.data.params.entries()][0]!;
        const tan = g.tangents({ name: p0, time: null }, w0, new Set());
        for (let t = 0; t <= g.T; t++) put(tan({ name: seq, time: t }));
        put(tan({ name: g.lossName!, time: null }));
      }
    }
    expect(digest()).toBe('93373e479f51ed27');
  });

  it("eq. (1)'s points and cross-checks at d = 16, T = 32", () => {
    const { put, digest } = hasher();
    const claim = lab.claims.find((c) => c.id === 'lab-eq1')!;
    for (let j = 0; j < 4; j++) {
      const instance = buildInstance(
        lab.model,
        instanceSpec(lab.model, 20261120, j, undefined, { d: 16, m: 4, T: 32 }),
      );
      const refs: ReferenceCheck[] = [];
      const points = runPoints(claim, { instance, evaluator: new Evaluator(instance.graph, instance.sizes) }, 2, refs);
      put(
        JSON.stringify(
          points.map((p) => p.outcome),
          numbersAsText,
        ),
      );
      put(JSON.stringify(refs, numbersAsText));
    }
    // 2026-12-05: ReferenceCheck gained `overflow` and `lostPrecision` (the numbers without them hash to 35ef8c33fe4e3d47, as before)
    // 2026-12-06: the decimals read the instance's binary values (not their shortest decimal strings): the values of
    // the points decided again in extended precision moved in their 15th digit (aca758be8a46cf9c before)
    // 2026-12-07: finite differences' noise floor counts the noise their values show (finite-diff.ts observedNoise):
    // three checks' noiseFloor and predicted moved (predicted 4.11e-8 → 4.13e-8, 2.66e-8 → 3.28e-8, 7.34e-8 → 7.38e-8),
    // every resolved/agrees flag and every point as before (93bdfe71dbd03893 before)
    expect(digest()).toBe('f2ba3023f060b2bc');
  });
});

describe("a product's tangent is the sum of its tangents for each operand alone (Kernel.reads 'others')", () => {
  // A derivative sweep makes a product's tangent from the two parts it watches for cancellation (unrolled.ts,
  // watchedTangent): the same bits only where the kernel's own tangent adds those parts as binary('add', …) does.
  const random = (n: number, seed: number) => {
    const rng = new Rng(seed);
    return rng.fillNormal(new Float64Array(n));
  };
  const same = (a: Float64Array | null, b: Float64Array | null) =>
    a !== null && b !== null && a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  it.each([
    ['emul, vectors', broadcastKernel('emul'), [5, 5]],
    ['emul, a scalar times a vector', broadcastKernel('emul'), [1, 5]],
    ['matmul 3×4 · 4×2', matmulKernel(3, 4, 2), [12, 8]],
    ['diag(v) · X, 3×4', rowScaleKernel(3, 4), [3, 12]],
  ] as const)('%s', (_, kernel, [la, lb]) => {
    for (let seed = 1; seed <= 50; seed++) {
      const values = [random(la, seed), random(lb, seed + 100)];
      const [da, db] = [random(la, seed + 200), random(lb, seed + 300)];
      const out = kernel.forward(values);
      const whole = kernel.tangent(values, [da, db], out);
      const parts = binary('add', kernel.tangent(values, [da, null], out)!, kernel.tangent(values, [null, db], out)!);
      expect(same(whole, parts)).toBe(true);
    }
  });
});
