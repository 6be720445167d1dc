/**
 * A declared function's cost: each call's work (its callees' calls included) is known at load and bounded there,
 * and every call is charged to the work meter as it runs. Before, the closures were unmetered: ten functions each
 * calling the one before four times (4¹⁰ tanh a call) hung every command at load, and one body of 12 000 tanh at
 * d = 16, T = 200 checked for more than 300 s (a review's).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { declaredCosts } from '../../src/ir/scalar-function.js';
import { LIMITS } from '../../src/ir/limits.js';
import { withWorkLimit } from '../../src/numeric/work-meter.js';

const model = (top: string, functions: string[], sizes = 'd: 2, T: 3', claim = 'norm2(W) <= norm2(W)') => `gradproof: 1
title: declared functions' cost
model:
  name: RNN
  sizes: { ${sizes} }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = ${top}(W*h[t-1])
  loss: L = sum(h[T])
  functions:
${functions.map((f) => `    ${f}`).join('\n')}
claims:
  - id: a
    claim: ${claim}
`;

/** f0 = tanh, each f_k the mean of four calls of f_(k−1): one call of f_k is 4^k tanh. */
const nested = (levels: number) =>
  model(`f${levels}`, [
    'f0: { value: "tanh(x)", derivative: "1 - tanh(x)^2" }',
    ...Array.from(
      { length: levels },
      (_, i) => `f${i + 1}: { value: "(f${i}(x) + f${i}(x) + f${i}(x) + f${i}(x)) / 4", derivative: "1 - tanh(x)^2" }`,
    ),
  ]);

/** The file's claim stops at the `tight` work limit (a located error) and is consistent under the `roomy` one. */
function expectLimitBetween(
  text: string,
  file: string,
  instances: number,
  [tight, written]: [number, string],
  roomy: number,
): void {
  const options = { instances, search: 0 };
  expect(checkDerivation(parseDerivation(text, file), { ...options, workLimit: roomy }).map((r) => r.verdict)).toEqual([
    'consistent',
  ]);
  const errors: InputError[] = [];
  expect(checkDerivation(parseDerivation(text, file), { ...options, workLimit: tight }, errors)).toEqual([]);
  expect(errors.map((e) => e.message)).toEqual([expect.stringContaining(`${file}:`)]);
  expect(errors[0]!.message).toMatch(
    new RegExp(
      `:\\d+:5: claim 'a' needs more work than the limit of ${written.replace(/[.+]/g, (c) => `\\${c}`)} operations`,
    ),
  );
}

describe("a declared function's cost", () => {
  it('one call past the limit is refused at load, located at the body, before anything calls it', () => {
    const text = nested(10);
    let err: unknown;
    try {
      parseDerivation(text, 'nested.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    // f6 is the first whose watched value passes 2·10⁵: 4 units a node, 13 nodes a level plus four callees' value,
    // watch and derivative (see the next test's recursion)
    const line = text.split('\n').findIndex((l) => l.trimStart().startsWith('f6:')) + 1;
    const col = text.split('\n')[line - 1]!.indexOf('"(f5') + 1;
    expect((err as InputError).message).toBe(
      `nested.yaml:${line}:${col}: one call of f6's value with its lost-digit watch costs 4.33e+5 operations with the functions it calls, more than the limit of ${LIMITS.functionCall} (expected a smaller body, or fewer calls of costly functions)`,
    );
  });

  it("charges each call's work as it runs, callees included: the value's exactly what load computed", () => {
    const d = parseDerivation(nested(4), 'nested.yaml');
    // by hand: tanh(x) is 2 nodes, 1 - tanh(x)^2 is 6, a level's body 13 (3 adds, 4 calls, 4 x, a division, 4);
    // a node is 2 units in a value, 4 in a watch, and a watch calls each callee's value, watch and derivative
    const value = [4];
    const watch = [8];
    const derivative = 12;
    for (let k = 1; k <= 4; k++) {
      value.push(2 * 13 + 4 * value[k - 1]!);
      watch.push(4 * 13 + 4 * (value[k - 1]! + watch[k - 1]! + derivative));
    }
    expect(value[4]).toBe(3234);
    const f4 = d.model.functions.get('f4')!;
    const cost = declaredCosts(f4.value, f4.derivative, (name) => {
      const g = d.model.functions.get(name)!;
      return declaredCosts(g.value, g.derivative, () => undefined);
    });
    // with each callee's own callees left out only the top level is right: the recursion's numbers are the test
    expect(cost.derivative).toBe(derivative);
    const charged = (run: () => number) => withWorkLimit(Infinity, run).spent;
    expect(charged(() => f4.rule.value(0.3))).toBe(value[4]);
    expect(charged(() => f4.rule.derivative(0.3, f4.rule.value(0.3))) - value[4]!).toBe(derivative);
    // a watch reads a callee's derivative only where digits were lost below it: at most the static figure
    const watched = charged(() => f4.rule.lostAt!(0.3));
    expect(watched).toBeGreaterThanOrEqual(4 * 13 + 4 * (value[3]! + 8));
    expect(watched).toBeLessThanOrEqual(watch[4]!);
  });

  it("a costly body's forward pass is charged to the claim: its check stops at the work limit", () => {
    // 300 tanh a call, 1.2·10⁵ units a forward pass at d = 4, T = 10 (40 entries, value and watch); the claim itself
    // is cheap, so before the charge it was consistent well inside the limit
    const body = Array.from({ length: 300 }, () => 'tanh(x)').join(' + ');
    const text = model(
      'g',
      [`g: { value: "(${body}) / 300", derivative: "1 - tanh(x)^2" }`],
      'd: 4, T: 10',
      'normMax(h[T]) <= 1',
    );
    expectLimitBetween(text, 'big.yaml', 2, [2e5, '2.00e+5'], 1e9);
  });

  it("a claim's own scalar body (a supabs searched over thousands of points) is charged as it is computed", () => {
    // 300 tanh: ≈ 900 nodes, 2 units each a call, at ≈ 8000 grid points and their refinement: ≈ 1.5·10⁷ units.
    // Before the charge the search cost the claim nothing: consistent well inside 10⁶
    const body = Array.from({ length: 300 }, (_, i) => `tanh(x - ${i})`).join(' + ');
    const text = model('tanh', [], 'd: 2, T: 3', `norm2(W) <= 1000 + supabs(x, ${body})`).replace(
      '  functions:\n\n',
      '',
    );
    expectLimitBetween(text, 'sup.yaml', 1, [1e6, '1.00e+6'], 1e8);
  });
});
