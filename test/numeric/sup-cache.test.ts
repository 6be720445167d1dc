/**
 * sup bodies are compiled once per model's user functions, variable and body structure, and each compiled
 * function is searched once: a wrong share (two models' `f`, two variables, two bodies) would give one
 * claim another's supremum.
 */
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense } from '../../src/numeric/values.js';

const file = (f: string, claims: readonly string[], derivative = '1 - tanh(x)^2') => `gradproof: 1
title: tanh RNN
notation: { profile: lab }
model:
  sizes:
    d: 2..3
    T: 3..5
  functions:
    f: { value: "${f}", derivative: "${derivative}" }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    c: { role: parameter, shape: [d] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1])
  loss: L = sum(c .* h[T])
claims:${claims.length ? '' : ' []'}
${claims.map((c, i) => `  - id: c${i}\n    claim: ${c}\n    expect: consistent\n`).join('')}`;

/** A fresh evaluator on instance 0 of the file: no memo shared between calls but the caches under test. */
function evaluatorOf(text: string) {
  const d = parseDerivation(text, 'sup.yaml');
  const spec = instanceSpec(d.model, 17, 0);
  return { d, ev: new Evaluator(buildInstance(d.model, spec).graph, spec.sizes) };
}

const rightSides = (text: string): number[] => {
  const { d, ev } = evaluatorOf(text);
  return d.claims.map((c) => asDense(ev.evaluate(c.rhs, {})).data[0]!);
};

describe('sup of a scalar function, shared across evaluations', () => {
  it("keeps each model's user functions apart", () => {
    // The same body text, supabs(x, f(x)), in two files whose f differ: the cache is keyed on the model's rules.
    const supIn = (f: string, df: string) => rightSides(file(f, ['norm2(W) <= supabs(x, f(x))'], df))[0]!;
    expect(supIn('tanh(x)', '1 - tanh(x)^2')).toBeCloseTo(1, 12);
    expect(supIn('2*tanh(x)', '2 - 2*tanh(x)^2')).toBeCloseTo(2, 12);
    expect(supIn('tanh(x)', '1 - tanh(x)^2')).toBeCloseTo(1, 12);
  });

  it("a file's supabs may call the file's own functions (and not unknown ones: a located error)", () => {
    expect(rightSides(file('2*tanh(x)', ['norm2(W) <= supabs(x, f(x)^2)'], '2 - 2*tanh(x)^2'))[0]).toBeCloseTo(4, 12);
    expect(() => parseDerivation(file('tanh(x)', ['norm2(W) <= supabs(x, g(x))']), 'sup.yaml')).toThrow(
      /sup\.yaml:\d+:\d+/,
    );
  });

  it('keeps bodies and variables apart within a model', () => {
    const [a, b, c, d] = rightSides(
      file('tanh(x)', [
        'norm2(W) <= supabs(x, 1 - tanh(x)^2)',
        'norm2(W) <= supabs(x, (1 - tanh(x - 1)^2) / 2)',
        'norm2(W) <= supabs(y, 3 * tanh(y))',
        'norm2(W) <= supabs(x, 1 - tanh(x)^2)',
      ]),
    );
    expect(a).toBeCloseTo(1, 12);
    expect(b).toBeCloseTo(0.5, 12);
    expect(c).toBeCloseTo(3, 12);
    expect(d).toBe(a);
    const [e] = rightSides(file('tanh(x)', ['norm2(W) <= supabs(y, 3 * tanh(y)^2)']));
    expect(e).toBeCloseTo(3, 12);
    const [g] = rightSides(file('tanh(x)', ['norm2(W) <= supabs(y, tanh(y)^2 / 4)']));
    expect(g).toBeCloseTo(0.25, 12);
  });
});
