/**
 * max and min in a model's equations and its loss: a ReLU RNN written h_t = max(0, z_t), a hinge loss, a hard tanh
 * max(−1, min(1, z)) (review154 found "max is not allowed in a model equation"). The sweeps take ½ of each side at a
 * tie, the central difference's slope there (src/ops/ordered.ts extremumKernel); the symbolic engine differentiates
 * max(a, b) as H(a − b) ⊙ da + H(b − a) ⊙ db with Heaviside's step H(0) = ½ (`step`), so BPTT through ReLU is proved
 * as the product of Wᵀ·diag(H(z)), the one-step bound ‖∂h_T/∂h_{T−1}‖ ≤ ‖W‖ by H's range, and a hard tanh's state
 * bound by the intervals of max and min. The missing-ReLU′ counterexample's sides are recomputed from its export by a
 * hand-written numpy BPTT (test/fixtures/numpy/relu_max.py: backpropagation and central differences).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { counterexampleExport, scriptPath } from '../../src/emit/export-script.js';
import { latexWriterFor } from '../../src/emit/derive-report.js';
import { node, seq, sym } from '../../src/ir/expr.js';
import { affine } from '../../src/ir/affine.js';
import { specOf } from '../../src/ops/index.js';
import type { Kernel } from '../../src/ops/contexts.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';
import { printExpr } from '../../src/ir/print.js';
import NUMPY from '../fixtures/numpy/relu-max.json' with { type: 'json' };

const RELU = loadDerivationFile('test/fixtures/models/relu-max.yaml');
const HARD_TANH = loadDerivationFile('test/fixtures/models/hardtanh-max-min.yaml');

describe('a ReLU RNN with a hinge loss, written with max', () => {
  const results = new Map(checkDerivation(RELU).map((r) => [r.id, r]));

  it('proves, verifies and refutes as a hand derivation does', () => {
    expect([...results].map(([id, r]) => [id, r.verdict])).toEqual([
      ['step-bound', 'proved'],
      ['step-bound-false', 'refuted'],
      ['lag-product', 'verified'],
      ['hinge-gradient', 'verified'],
      ['missing-step', 'refuted'],
    ]);
    // every unit active: ‖diag(1)·W‖ = ‖W‖ against 0.9‖W‖, an excess of exactly 1 − 0.9
    expect(results.get('step-bound-false')!.counterexample!.relError).toBeCloseTo(0.1, 12);
    const proof = evidenceOf(results.get('step-bound')!.evidence, 'bound-proof')!;
    expect(evidenceSummary(proof)).toContain('max |step(z[T])| ≤ 1');
  });

  it('proves BPTT through ReLU as the product of Wᵀ·diag(H(z)) at every lag', () => {
    const symbolic = evidenceOf(results.get('lag-product')!.evidence, 'symbolic')!;
    expect(symbolic.outcome).toMatchObject({ status: 'identical' });
    const [q] = deriveQuantities(RELU, 'jac(h[T], h[T-2])', null);
    expect(printExpr(q!.derived!)).toBe('diag(step(z[T]))*W*diag(step(z[T-1]))*W');
    expect(latexWriterFor(RELU).relation(q!.quantity, '=', q!.derived!)).toBe(
      '\\frac{\\partial h_{T}}{\\partial h_{T-2}} = \\operatorname{diag}\\left(H\\left(z_{T}\\right)\\right) W \\operatorname{diag}\\left(H\\left(z_{T-1}\\right)\\right) W',
    );
  });

  it('refutes the gradient without ReLU′ at numpy’s values', () => {
    const cx = results.get('missing-step')!.counterexample!;
    expect([cx.instance, cx.sizes]).toEqual([NUMPY.instance, NUMPY.sizes]);
    // a dead unit at T: numpy's backpropagation stops there, the claim's right side does not
    expect(NUMPY.deadUnitsAtT).toBeGreaterThan(0);
    cx.lhs.forEach((v, i) => {
      expect(v).toBeCloseTo(NUMPY.lhs[i]!, 14);
      expect(v).toBeCloseTo(NUMPY.lhsFiniteDifferences[i]!, 8);
    });
    cx.rhs.forEach((v, i) => expect(v).toBeCloseTo(NUMPY.rhs[i]!, 14));
  });

  const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  it.skipIf(numpy.status !== 0)('exports a script that writes max as np.maximum and reproduces the violation', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gradproof-max-'));
    try {
      const report = check(['test/fixtures/models/relu-max.yaml'], { claims: ['missing-step'] });
      const exported = counterexampleExport(report, 'cx.json')!;
      expect(exported.script).toContain('np.maximum(0, ');
      const path = join(tmp, 'cx.json');
      writeFileSync(path, exported.json);
      writeFileSync(scriptPath(path), exported.script);
      const run = spawnSync('python3', [scriptPath(path)], { encoding: 'utf8', timeout: 50_000 });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toMatch(/^missing-step: .*sides match gradproof's; violation reproduced$/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('a hard tanh written max(-1, min(1, z))', () => {
  const results = new Map(checkDerivation(HARD_TANH).map((r) => [r.id, r]));

  it('proves the step bound and the state bound, and refutes a state bound that is too tight', () => {
    expect([...results].map(([id, r]) => [id, r.verdict])).toEqual([
      ['step-bound', 'proved'],
      ['bounded-state', 'proved'],
      ['bounded-state-false', 'refuted'],
    ]);
    expect(evidenceSummary(evidenceOf(results.get('bounded-state')!.evidence, 'bound-proof')!)).toContain(
      'h[T] = max(…); max |h[T]| ≤ 1',
    );
    // a saturated unit sits at ±1: against 0.5 the excess is exactly 1 − 0.5 relative to 1
    expect(results.get('bounded-state-false')!.counterexample!.relError).toBeCloseTo(0.5, 12);
  });

  it('writes the derivative through a negative bound as a reader would (H(u + 1), not H(u - -1))', () => {
    const [q] = deriveQuantities(HARD_TANH, 'jac(h[t], h[t-1])', null);
    expect(printExpr(q!.derived!)).toBe(
      'diag(step(min(1, W*h[t-1] + U*x[t]) + 1))*diag(step(1 - (W*h[t-1] + U*x[t])))*W',
    );
  });
});

describe('the sweeps of max and min', () => {
  const kernelOf = (op: 'max2' | 'min2'): Kernel => {
    let kernel: Kernel | null = null;
    const [a, b] = [seq('a', affine(0, { t: 1 })), sym('b')];
    specOf(node(op, [a, b])).compile!(node(op, [a, b]), {
      compile: (e: unknown) => (e === a ? 0 : 1),
      dims: () => [3, 1] as const,
      push: (k: Kernel) => {
        kernel = k;
        return 2;
      },
    } as never);
    return kernel!;
  };
  // entries on a coarse grid, so that ties are frequent; directions and cotangents anywhere
  const grid = fc.integer({ min: -3, max: 3 }).map((k) => k / 2);
  const real = fc.double({ min: -4, max: 4, noNaN: true });
  const triple = <T>(a: fc.Arbitrary<T>) => fc.tuple(a, a, a);

  it('take the central difference’s slope at a tie and agree with the adjoints (property, 400 runs)', () => {
    for (const op of ['max2', 'min2'] as const) {
      const kernel = kernelOf(op);
      const pick = op === 'max2' ? Math.max : Math.min;
      fc.assert(
        fc.property(triple(grid), triple(grid), triple(real), triple(real), triple(real), (a, b, da, db, w) => {
          const [x, y] = [Float64Array.from(a), Float64Array.from(b)];
          const [dx, dy] = [Float64Array.from(da), Float64Array.from(db)];
          const out = kernel.forward([x, y]);
          expect([...out]).toEqual(a.map((v, i) => pick(v, b[i]!)));
          const tangent = kernel.tangent([x, y], [dx, dy], out)!;
          // the grid's entries differ by ½ or more, so a step of 1e-3 stays on one side or at the tie: the central
          // difference is exact up to rounding
          const eps = 1e-3;
          a.forEach((_, i) => {
            const central =
              (pick(a[i]! + eps * da[i]!, b[i]! + eps * db[i]!) - pick(a[i]! - eps * da[i]!, b[i]! - eps * db[i]!)) /
              (2 * eps);
            expect(tangent[i]!).toBeCloseTo(central, 9);
          });
          const [gx, gy] = kernel.adjoint([x, y], out, Float64Array.from(w), [true, true]);
          const dot = (u: ArrayLike<number>, v: ArrayLike<number>) =>
            Array.from(u).reduce((s, ui, i) => s + ui * v[i]!, 0);
          expect(dot(w, tangent)).toBeCloseTo(dot(gx!, dx) + dot(gy!, dy), 10);
        }),
        { numRuns: 400, seed: 20261207 },
      );
    }
  });

  it('keep NaN as NaN: trouble, not a branch', () => {
    const kernel = kernelOf('max2');
    const [x, y] = [Float64Array.of(NaN, 1, 2), Float64Array.of(0, 1, 3)];
    const out = kernel.forward([x, y]);
    const tangent = kernel.tangent([x, y], [Float64Array.of(1, 1, 1), null], out)!;
    expect([...out]).toEqual([NaN, 1, 3]);
    expect([...tangent]).toEqual([NaN, 0.5, 0]);
  });
});
