/**
 * A graph built with `sameForwardAs` shares the other graph's forward states when its data differ at most in
 * parameters no equation reads (a read-out, such as c below, which only the loss reads), and computes them
 * otherwise. Either way every value it gives — the loss, adjoint and tangent sweeps, perturbed runs — must be
 * the one a graph built on its own gives, bit for bit: the adversarial search's read-out solve builds its graphs
 * this way (src/check/search.ts), and a difference in the last bit would change the search's path.
 */
import { describe, expect, it } from 'vitest';
import { bindings } from '../../src/check/bindings.js';
import { ReadoutModelShape, solveReadout } from '../../src/check/readout-solve.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { InstanceSpace, type MutableData } from '../../src/numeric/adversarial.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { Rng } from '../../src/numeric/prng.js';
import { type GraphNode, Unrolled } from '../../src/numeric/unrolled.js';

const model = parseDerivation(
  `gradproof: 1
title: a read-out and a target only the loss reads
model:
  name: readout
  sizes: { d: 3..4, m: 1..2, T: 4..5 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    c: { role: parameter, shape: [d], init: gaussian }
    x: { role: input, shape: [m] }
    y: { role: input, shape: [d] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1] + U*x[t])
  loss: L = sum(c .* h[T]) + 0.5 * sum((h[T] - y[T]) .^ 2)
claims: []
`,
  'readout.yaml',
).model;
const NONE = new Set<string>();
const node = (name: string, time: number | null): GraphNode => ({ name, time });

/**
 * Every value the graph gives that a check reads (the loss, its adjoints, tangents into it, perturbed runs), as
 * their bits: a signed zero or a last bit apart is a difference.
 */
function valuesOf(graph: Unrolled, seed: number): bigint[][] {
  const rng = new Rng(seed);
  const T = graph.T;
  const out: Float64Array[] = [Float64Array.from(graph.value(node('L', null)))];
  const sweep = graph.adjoints(node('L', null), Float64Array.of(1), NONE);
  for (const name of ['W', 'U', 'c']) out.push(Float64Array.from(sweep(node(name, null))!));
  for (let t = 0; t <= T; t++) out.push(Float64Array.from(sweep(node('h', t)) ?? []));
  for (const seed of [node('W', null), node('c', null), node('h', 1), node('h', T - 1)]) {
    const u = rng.fillNormal(new Float64Array(graph.value(seed).length));
    out.push(Float64Array.from(graph.tangents(seed, u, NONE)(node('L', null)) ?? []));
    const moved = Float64Array.from(graph.value(seed), (v, i) => v + 1e-3 * u[i]!);
    out.push(Float64Array.from(graph.perturbed(seed, moved, NONE, node('L', null))));
  }
  return out.map((v) => Array.from(new BigUint64Array(v.buffer, v.byteOffset, v.length)));
}

const copy = (data: Unrolled['data']): MutableData => ({
  params: new Map([...data.params].map(([k, v]) => [k, v.slice()])),
  inputs: new Map([...data.inputs].map(([k, seq]) => [k, seq.map((v) => v.slice())])),
  initial: new Map([...data.initial].map(([k, v]) => [k, v.slice()])),
});

describe('graphs that share their forward states', () => {
  it('give the values of graphs built on their own, bit for bit, and share only when the equations read the same data', () => {
    for (let index = 0; index < 6; index++) {
      const base = buildInstance(model, instanceSpec(model, 5, index)).graph;
      const T = base.T;
      const change = (name: string, time?: number) => {
        const d = copy(base.data);
        const v = time === undefined ? d.params.get(name)! : d.inputs.get(name)![time]!;
        v[0]! += 0.25;
        return d;
      };
      // the read-out moved (shared); an equation's parameter, an input it reads, and an input the loss alone
      // reads moved (not shared); nothing moved (shared)
      for (const [data, shares] of [
        [change('c'), true],
        [change('W'), false],
        [change('x', 2), false],
        [change('y', T), false],
        [copy(base.data), true],
      ] as const) {
        const shared = new Unrolled(model, base.program, data, base);
        const alone = new Unrolled(model, base.program, data);
        expect(shared.value(node('h', T)) === base.value(node('h', T))).toBe(shares);
        expect(valuesOf(shared, index)).toEqual(valuesOf(alone, index));
        // and sharing never changed the graph it shares with
        expect(valuesOf(base, index)).toEqual(valuesOf(new Unrolled(model, base.program, base.data), index));
      }
    }
  });

  it('a signed zero in an equation parameter is a difference: nothing is shared', () => {
    const base = buildInstance(model, instanceSpec(model, 5, 0)).graph;
    const zero = copy(base.data);
    const minus = copy(base.data);
    zero.params.get('U')![0] = 0;
    minus.params.get('U')![0] = -0;
    const first = new Unrolled(model, base.program, zero);
    const T = first.T;
    expect(new Unrolled(model, base.program, minus, first).value(node('h', T)) === first.value(node('h', T))).toBe(
      false,
    );
  });

  it('the read-out solve proposes the same read-out whether its graphs share the forward states or not', () => {
    const d2019 = loadDerivationFile('derivations/how-lstms-solve-vanishing-gradients-2019.yaml');
    const claim = d2019.claims.find((c) => c.id === 'one-path-minus-the-rest')!;
    const shape = ReadoutModelShape.of(claim, 'L', new Set(['v']))!;
    for (let index = 0; index < 3; index++) {
      const spec = instanceSpec(d2019.model, 7, index, undefined, { d: 3, T: 4 });
      const instance = buildInstance(d2019.model, spec);
      const space = new InstanceSpace(d2019.model, spec.sizes, spec.regime);
      const solve = (share: boolean) => {
        const graphs: Unrolled[] = [];
        const evaluatorFor = (data: MutableData) => {
          const graph = new Unrolled(d2019.model, instance.graph.program, data, share ? graphs.at(-1) : undefined);
          graphs.push(graph);
          return new Evaluator(graph, spec.sizes);
        };
        const data = space.copy(instance.graph.data);
        const solved = solveReadout(shape, claim, space, data, bindings(claim, spec.sizes), evaluatorFor, new Rng(3), {
          checked: false,
        });
        return { solved, graphs };
      };
      const [shared, alone] = [solve(true), solve(false)];
      const bits = (v: Float64Array) => Array.from(new BigUint64Array(v.buffer, v.byteOffset, v.length));
      expect(bits(shared.solved!.params.get('v')!)).toEqual(bits(alone.solved!.params.get('v')!));
      // the solve's graphs (d + 2 of them) did share the first one's states
      const h = node('h', 4);
      expect(shared.graphs).toHaveLength(5);
      for (const g of shared.graphs) expect(g.value(h)).toBe(shared.graphs[0]!.value(h));
      for (const g of alone.graphs.slice(1)) expect(g.value(h)).not.toBe(alone.graphs[0]!.value(h));
    }
  });
});
