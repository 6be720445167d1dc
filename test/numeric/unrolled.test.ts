/**
 * The exact reference on whole models: tangents (dual numbers), adjoints and
 * finite differences of the unrolled graph against each other and against
 * hand-derived closed forms on seeded instances.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { buildInstance, instanceSpec, type Instance } from '../../src/numeric/instance.js';
import { centralRichardson, defaultStep, fdResolves } from '../../src/numeric/finite-diff.js';
import { dot, matVec, relErr, spectralNorm } from '../../src/numeric/linalg.js';
import { Rng } from '../../src/numeric/prng.js';
import type { GraphNode } from '../../src/numeric/unrolled.js';

const rnn = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const lstm = loadDerivationFile('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml');
const NONE = new Set<string>();
const node = (name: string, time: number | null): GraphNode => ({ name, time });

function instance(model = rnn.model, index = 1, sizes: Record<string, number> = { d: 4, m: 3, T: 6 }): Instance {
  return buildInstance(model, instanceSpec(model, 7, index, undefined, sizes));
}

/** Column j of ∂of/∂wrt from tangent sweeps. */
function jacobian(inst: Instance, of: GraphNode, wrt: GraphNode, fixed = NONE): Float64Array[] {
  const n = inst.graph.value(wrt).length;
  return Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return inst.graph.tangents(wrt, e, fixed)(of) ?? new Float64Array(inst.graph.value(of).length);
  });
}

describe('tanh RNN', () => {
  it('one-step Jacobian equals diag(1 − h_t²)·W exactly', () => {
    const inst = instance();
    const W = { rows: 4, cols: 4, data: inst.graph.data.params.get('W')! };
    for (let t = 1; t <= 6; t++) {
      const h = inst.graph.value(node('h', t));
      const cols = jacobian(inst, node('h', t), node('h', t - 1));
      cols.forEach((col, j) => {
        const e = new Float64Array(4);
        e[j] = 1;
        const closed = matVec(W, e).map((x, i) => (1 - h[i]! ** 2) * x);
        expect(relErr(col, closed)).toBeLessThan(1e-15);
      });
    }
  });

  it('tangents, adjoints and finite differences agree on ∂h_T/∂h_s for random directions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 5 }), (seed, s) => {
        const inst = instance(rnn.model, seed);
        const rng = new Rng(seed);
        const u = rng.fillNormal(new Float64Array(4));
        const w = rng.fillNormal(new Float64Array(4));
        const Ju = inst.graph.tangents(node('h', s), u, NONE)(node('h', 6))!;
        const JTw = inst.graph.adjoints(node('h', 6), w, NONE)(node('h', s))!;
        expect(Math.abs(dot(w, Ju) - dot(JTw, u))).toBeLessThan(1e-13 * Math.max(1, Math.abs(dot(w, Ju))));
        const x = inst.graph.value(node('h', s));
        const fd = centralRichardson(
          (eps) =>
            inst.graph.perturbed(
              node('h', s),
              x.map((v, i) => v + eps * u[i]!),
              NONE,
              node('h', 6),
            ),
          defaultStep(1),
        );
        // FD may differ from the exact value by what it predicts for itself (the checker's criterion).
        const err = Math.hypot(...fd.estimate.map((v, i) => v - Ju[i]!));
        if (fdResolves(Ju, fd))
          expect(err).toBeLessThanOrEqual(
            Math.max(1e-6 * Math.hypot(...Ju), 10 * (fd.noiseFloor + fd.truncationError)),
          );
      }),
      { numRuns: 40 },
    );
  });

  it('the loss gradient with respect to W matches finite differences (parameter sweep)', () => {
    const inst = instance();
    const rng = new Rng(3);
    const dW = rng.fillNormal(new Float64Array(16));
    const grad = inst.graph.adjoints(node('L', null), Float64Array.of(1), NONE, true)(node('W', null))!;
    const W = inst.graph.value(node('W', null));
    const fd = centralRichardson(
      (eps) =>
        inst.graph.perturbed(
          node('W', null),
          W.map((v, i) => v + eps * dW[i]!),
          NONE,
          node('L', null),
        ),
      defaultStep(1),
    );
    const tangent = inst.graph.tangents(node('W', null), dW, NONE)(node('L', null))!;
    expect(Math.abs(dot(grad, dW) - tangent[0]!) / Math.abs(tangent[0]!)).toBeLessThan(1e-13);
    expect(Math.abs(fd.estimate[0]! - tangent[0]!) / Math.abs(tangent[0]!)).toBeLessThan(1e-7);
  });

  it('regimes give the recurrent matrix the stated spectral norm', () => {
    for (const [index, target] of [
      [0, 0.5],
      [1, 1],
      [2, 1.5],
    ] as const) {
      const inst = instance(rnn.model, index, { d: 6, m: 2, T: 4 });
      expect(inst.regime).toBe(['contracting', 'near-critical', 'expanding'][index]);
      expect(spectralNorm({ rows: 6, cols: 6, data: inst.graph.data.params.get('W')! })).toBeCloseTo(target, 6); // power iteration stops when it stalls: ≈, not =
    }
  });

  it('instances are reproducible from (master seed, index, sizes) alone', () => {
    const a = instance(rnn.model, 5);
    const b = instance(rnn.model, 5);
    const c = instance(rnn.model, 6);
    expect(a.seed).toBe(b.seed);
    expect(Array.from(a.graph.value(node('h', 6)))).toEqual(Array.from(b.graph.value(node('h', 6))));
    expect(a.seed).not.toBe(c.seed);
  });
});

describe('LSTM: partial versus total derivatives', () => {
  it('∂C_t/∂C_{t−1} with h_{t−1} held fixed is exactly diag(f_t)', () => {
    const inst = instance(lstm.model, 2, { d: 3, m: 2, T: 5 });
    for (let t = 1; t <= 5; t++) {
      const f = inst.graph.value(node('f', t));
      const cols = jacobian(inst, node('C', t), node('C', t - 1), new Set([`h@${t - 1}`]));
      cols.forEach((col, j) => expect(Array.from(col)).toEqual(Array.from(f, (fi, i) => (i === j ? fi : 0))));
    }
  });

  it('the total derivative differs from diag(f_t) once h_{t−1} depends on C_{t−1}', () => {
    const inst = instance(lstm.model, 2, { d: 3, m: 2, T: 5 });
    for (let t = 2; t <= 5; t++) {
      const f = inst.graph.value(node('f', t));
      const cols = jacobian(inst, node('C', t), node('C', t - 1));
      const offDiagonal = cols.flatMap((col, j) => Array.from(col).filter((_, i) => i !== j));
      expect(Math.max(...offDiagonal.map(Math.abs))).toBeGreaterThan(1e-4);
      // …and at t = 1 both are initial values, so the two readings coincide
      void f;
    }
    const first = jacobian(inst, node('C', 1), node('C', 0));
    const f1 = inst.graph.value(node('f', 1));
    first.forEach((col, j) => expect(Array.from(col)).toEqual(Array.from(f1, (fi, i) => (i === j ? fi : 0))));
  });

  it('holding fixed in finite differences matches holding fixed in tangents', () => {
    const inst = instance(lstm.model, 3, { d: 3, m: 2, T: 5 });
    const fixed = new Set(['h@2']);
    const u = new Rng(9).fillNormal(new Float64Array(3));
    const Ju = inst.graph.tangents(node('C', 2), u, fixed)(node('C', 3))!;
    const x = inst.graph.value(node('C', 2));
    const fd = centralRichardson(
      (eps) =>
        inst.graph.perturbed(
          node('C', 2),
          x.map((v, i) => v + eps * u[i]!),
          fixed,
          node('C', 3),
        ),
      defaultStep(1),
    );
    expect(relErr(fd.estimate, Ju)).toBeLessThan(1e-9);
  });
});

describe('held nodes in tangent sweeps', () => {
  const inst = instance(lstm.model, 5, { d: 3, m: 2, T: 6 });
  const u = new Rng(11).fillNormal(new Float64Array(3));
  const bits = (v: Float64Array | null) => (v ? Array.from(v) : null);

  it('holding a sequence at every step one by one is the same sweep as holding it whole, bit for bit', () => {
    const everyStep = new Set(Array.from({ length: 7 }, (_, t) => `h@${t}`));
    const byStep = inst.graph.tangents(node('C', 1), u, everyStep);
    const whole = inst.graph.tangents(node('C', 1), u, new Set(['h@*']));
    for (const name of ['C', 'h', 'f'])
      for (let t = 1; t <= 6; t++) expect(bits(byStep(node(name, t)))).toEqual(bits(whole(node(name, t))));
    expect(whole(node('h', 4))).toBeNull();
    expect(Array.from(whole(node('C', 4))!).some((x) => x !== 0)).toBe(true);
  });

  it('a hold before the seed changes nothing; a hold after it cuts only that step', () => {
    const free = inst.graph.tangents(node('C', 3), u, NONE);
    const early = inst.graph.tangents(node('C', 3), u, new Set(['h@2', 'C@1']));
    const cut = inst.graph.tangents(node('C', 3), u, new Set(['h@4']));
    for (let t = 3; t <= 6; t++) expect(bits(early(node('h', t)))).toEqual(bits(free(node('h', t))));
    expect(cut(node('h', 4))).toBeNull();
    expect(bits(cut(node('h', 3)))).toEqual(bits(free(node('h', 3))));
    expect(bits(cut(node('C', 4)))).toEqual(bits(free(node('C', 4))));
    expect(bits(cut(node('h', 5)))).not.toEqual(bits(free(node('h', 5))));
  });
});
