/**
 * The evaluator's per-node plans (src/numeric/evaluate.ts): resolved once per expression node and evaluator.
 * A plan's memo table is its evaluator's (another instance's evaluator computes its own values), is shared by
 * structurally equal nodes (equal content keys, one memoised value), and is keyed by the index values at each
 * binding (another lag, another value).
 */
import { describe, expect, it } from 'vitest';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { scopeOf } from '../../src/symbolic/quantities.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense } from '../../src/numeric/values.js';

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const scope = scopeOf(lab);
const evaluatorOn = (j: number) => {
  const instance = buildInstance(lab.model, instanceSpec(lab.model, 7, j, undefined, { d: 4, m: 2, T: 6 }));
  return new Evaluator(instance.graph, instance.sizes);
};
const parse = (text: string) => parseExpression(text, scope).expr;

describe("the evaluator's per-node plans", () => {
  it('one node on two instances: each evaluator its own value', () => {
    const e = parse('1 - h[T-k].^2');
    const [a, b] = [evaluatorOn(0), evaluatorOn(1)];
    const [va, vb] = [asDense(a.evaluate(e, { k: 1 })), asDense(b.evaluate(e, { k: 1 }))];
    expect([...va.data]).not.toEqual([...vb.data]);
    // and each is what a fresh evaluator on the same instance computes
    expect([...asDense(evaluatorOn(1).evaluate(parse('1 - h[T-k].^2'), { k: 1 })).data]).toEqual([...vb.data]);
  });

  it('structurally equal nodes (parsed twice) share one memoised value; another binding is another value', () => {
    const ev = evaluatorOn(2);
    const first = ev.evaluate(parse('W * h[T-k]'), { k: 2 });
    expect(ev.evaluate(parse('W * h[T-k]'), { k: 2 })).toBe(first);
    const other = ev.evaluate(parse('W * h[T-k]'), { k: 3 });
    expect(other).not.toBe(first);
    expect([...asDense(other).data]).toEqual([...asDense(evaluatorOn(2).evaluate(parse('W * h[T-k]'), { k: 3 })).data]);
  });
});
