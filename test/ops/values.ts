/** Test helper: an expression's value on a small model whose parameters are set to given numbers. */
import { parseDerivation } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense, type Value } from '../../src/numeric/values.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { inferShape } from '../../src/ir/infer-shape.js';

/** A square parameter A (n×n), a vector v (m), and a state h; the expression is parsed in that scope. */
export function valueOf(
  text: string,
  values: { A?: number[][]; v?: number[] },
  extraIndex: Record<string, number> = {},
): Float64Array {
  const n = values.A?.length ?? 2;
  const m = values.v?.length ?? 2;
  const d = parseDerivation(
    `gradproof: 1
model:
  sizes: { n: ${n}, m: ${m}, T: 2 }
  symbols:
    A: { role: parameter, shape: [n, n] }
    v: { role: parameter, shape: [m] }
    h: { role: state, shape: [n] }
  equations:
    - h[t] = tanh(A * h[t-1])
claims:
  - id: c
    claim: v = v
    expect: consistent
`,
    'values.yaml',
  );
  const inst = buildInstance(d.model, instanceSpec(d.model, 1, 0));
  if (values.A) inst.graph.data.params.get('A')!.set(values.A.flat());
  if (values.v) inst.graph.data.params.get('v')!.set(values.v);
  const scope = {
    sequences: new Set(['h']),
    parameters: new Set(['A', 'v']),
    loss: null,
    indexVars: new Set(['n', 'm', 'T', ...Object.keys(extraIndex)]),
    realVars: new Set<string>(),
  };
  const parsed = parseExpression(text, scope);
  const expr = parsed.expr;
  inferShape(expr, { shapeOf: (name) => d.model.symbols.get(name)!.shape }, parsed.offsets);
  const value: Value = new Evaluator(inst.graph, inst.sizes).evaluate(expr, extraIndex);
  return asDense(value).data;
}

export const numpy = (await import('node:fs')).readFileSync('test/fixtures/numpy/operators.json', 'utf8');
