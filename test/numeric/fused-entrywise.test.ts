/**
 * Entrywise trees run in one pass (src/numeric/evaluate.ts, FusedTree) against the same expressions evaluated node
 * by node through the operator records: the same bits, the same shape, the same record of digits lost (subnormals,
 * cancellation) and the same derivatives read, in the same order (the reference cross-checks consume a seeded
 * generator in that order). Random trees over vectors, scalars, constants (a subnormal one among them), graph
 * derivatives and a lazy operator (which sends the tree back to the records).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { scopeOf } from '../../src/symbolic/quantities.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { takeLostPrecision } from '../../src/numeric/lost-digits.js';
import type { Value } from '../../src/numeric/values.js';

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const scope = scopeOf(lab);
const parse = (text: string) => parseExpression(text, scope).expr;

/** vector leaves (k is bound to 1..3, T = 6): states, a parameter, graph derivatives, a vector through a lazy product */
const VECTOR_LEAVES = [
  'h[T-k]',
  'h[T-k-1]',
  'c',
  'b',
  'grad(L, h[T-k])',
  'grad(L, h[T])',
  'W * h[T-k]',
  '(W * diag(h[T])) * c',
];
/** scalars: constants (1e-320 is subnormal; 1e-300 squares into the subnormals), an index, a norm */
const SCALAR_LEAVES = ['1', '0.5', '2', '1e-300', '1e-320', 'k', 'norm2(h[T-k])'];

const vectorTree: fc.Memo<string> = fc.memo((depth) =>
  depth <= 1
    ? fc.constantFrom(...VECTOR_LEAVES)
    : fc.oneof(
        fc.constantFrom(...VECTOR_LEAVES),
        fc
          .tuple(vectorTree(depth - 1), fc.constantFrom('+', '-', '.*', './'), vectorTree(depth - 1))
          .map(([a, op, b]) => `(${a} ${op} ${b})`),
        fc
          .tuple(fc.constantFrom(...SCALAR_LEAVES), fc.constantFrom('+', '-', '.*'), vectorTree(depth - 1))
          .map(([a, op, b]) => `(${a} ${op} ${b})`),
        fc
          .tuple(vectorTree(depth - 1), fc.constantFrom('-', './', '/'), fc.constantFrom(...SCALAR_LEAVES))
          .map(([a, op, b]) => `(${a} ${op} ${b})`),
        vectorTree(depth - 1).map((a) => `(${a}).^2`),
        vectorTree(depth - 1).map((a) => `(${a}).^3`),
        vectorTree(depth - 1).map((a) => `-(${a})`),
        fc.tuple(fc.constantFrom('tanh', 'sigma', 'exp', 'abs'), vectorTree(depth - 1)).map(([f, a]) => `${f}(${a})`),
      ),
);

const bits = (v: Value) =>
  v.kind === 'dense' ? [v.rows, v.cols, ...new BigUint64Array(Float64Array.from(v.data).buffer)] : [v.kind];

/** the value, the digits noted as lost and the derivatives read, by an evaluator fusing or not */
function evaluateWith(fuse: boolean, j: number, texts: readonly string[], k: number) {
  const instance = buildInstance(lab.model, instanceSpec(lab.model, 11, j, undefined, { d: 3, m: 2, T: 6 }));
  const ev = new Evaluator(instance.graph, instance.sizes);
  ev.fuseEntrywise = fuse;
  takeLostPrecision();
  // several expressions on one evaluator: later ones meet memoised leaves and trees
  const values = texts.map((t) => bits(ev.evaluate(parse(t), { k })));
  return { values, lost: takeLostPrecision(), read: [...ev.touched.keys()] };
}

describe('entrywise trees in one pass', () => {
  it('give what the records give node by node: bits, lost digits, derivatives read and their order', () => {
    fc.assert(
      fc.property(
        fc.array(vectorTree(4), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        (texts, j, k) => {
          expect(evaluateWith(true, j, texts, k)).toEqual(evaluateWith(false, j, texts, k));
        },
      ),
      { numRuns: 300, seed: 20261204 },
    );
  });

  it('a tree the instance drives into the subnormals notes what they lost, as node by node', () => {
    const texts = ['1 - (1e-300 .* h[T-k]).^2', '(1e-300 .* h[T-k]) .* (1e-20 .* h[T-k-1]) + 1e-320'];
    const fused = evaluateWith(true, 2, texts, 1);
    expect(fused.lost).toBeGreaterThan(0);
    expect(fused).toEqual(evaluateWith(false, 2, texts, 1));
  });

  it('1 − σ(z) cancels as node by node: the record says so', () => {
    const texts = ['sigma(30 + h[T-k]) .* (1 - sigma(30 + h[T-k]))'];
    const fused = evaluateWith(true, 0, texts, 2);
    expect(fused.lost).toBeGreaterThan(2 ** -33);
    expect(fused).toEqual(evaluateWith(false, 0, texts, 2));
  });
});
