/**
 * Adjoint sweeps keep a node's first contribution as it is and add later ones into a vector of their own (copy
 * on write). An equation s[t] = h[t] hands s[t]'s adjoint (a sum the sweep owns: s is read twice) on unchanged
 * to h[t], which then gets a second contribution from r[t] = tanh(h[t]): were the two nodes to share one vector,
 * adding to h[t] would change s[t]'s adjoint too. Every adjoint is checked against tangents
 * (⟨w, J u⟩ = ⟨Jᵀw, u⟩) at every step, and the sweep is read again after to see nothing was overwritten.
 */
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { dot } from '../../src/numeric/linalg.js';
import { Rng } from '../../src/numeric/prng.js';
import type { GraphNode } from '../../src/numeric/unrolled.js';

const model = parseDerivation(
  `gradproof: 1
title: a state passed on unchanged
model:
  name: residual
  sizes: { d: 3..4, m: 1..2, T: 5..6 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    c: { role: parameter, shape: [d], init: gaussian }
    x: { role: input, shape: [m] }
    h: { role: state, shape: [d] }
    r: { role: state, shape: [d] }
    s: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*s[t-1] + U*x[t]) + s[t-1]
    - r[t] = tanh(h[t])
    - s[t] = h[t]
  loss: L = sum(c .* s[T]) + 0.5 * sum(r[T] .^ 2) + 0.5 * sum(s[T] .^ 2)
claims: []
`,
  'residual.yaml',
);
const NONE = new Set<string>();
const STATES = ['h', 'r', 's'];
const node = (name: string, time: number | null): GraphNode => ({ name, time });

describe('adjoint sweeps with nodes passed on unchanged (copy on write)', () => {
  it('every state adjoint matches tangents, and reading the sweep again gives the same vectors', () => {
    let checked = 0;
    for (let index = 0; index < 8; index++) {
      const inst = buildInstance(model.model, instanceSpec(model.model, 11, index));
      const T = inst.sizes.T!;
      const d = inst.sizes.d!;
      const rng = new Rng(index);
      for (const target of [node('L', null), node('s', T), node('h', T), node('r', T)]) {
        const cot = target.time === null ? Float64Array.of(1) : rng.fillNormal(new Float64Array(d));
        const sweep = inst.graph.adjoints(target, cot, NONE);
        const read = (n: GraphNode) => Float64Array.from(sweep(n) ?? new Float64Array(d));
        const first = STATES.map((name) => Array.from({ length: T + 1 }, (_, t) => read(node(name, t))));
        STATES.forEach((name, k) => {
          for (let t = 1; t <= T; t++) {
            const seed = node(name, t);
            if (seed.name === target.name && seed.time === target.time) continue;
            const u = rng.fillNormal(new Float64Array(d));
            const Ju = inst.graph.tangents(seed, u, NONE)(target) ?? new Float64Array(cot.length);
            const lhs = dot(cot, Ju);
            expect(Math.abs(lhs - dot(first[k]![t]!, u))).toBeLessThan(1e-12 * Math.max(1, Math.abs(lhs)));
            checked++;
          }
        });
        // reading the sweep again gives the same values: no vector was written after it was handed out
        STATES.forEach((name, k) => {
          for (let t = 0; t <= T; t++) expect(read(node(name, t))).toEqual(first[k]![t]);
        });
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
