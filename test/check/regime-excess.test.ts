/**
 * How far a counterexample found beyond the regimes lies outside them (`regimeExcesses`), on an instance whose input
 * has more entries than a call may take as arguments: the largest deviation was taken by spreading every entry into
 * Math.max, and an input over T = 1100 steps of 128 entries (140 800) overflowed the stack — `check` ended in an
 * internal error where it had found the counterexample.
 */
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import { regimeExcesses } from '../../src/numeric/adversarial.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { modelFile } from '../support/model-file.js';

const model = (sizes: string) =>
  parseDerivation(
    modelFile({
      title: 'long input',
      sizes,
      symbols: ['W', 'U', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t])'],
      claims: '  - id: w\n    claim: norm2(W) <= 2\n',
    }),
    'long-input.yaml',
  ).model;

describe('regimeExcesses', () => {
  it('finds the largest deviation of an input of 140 800 entries (it overflowed the stack)', () => {
    const m = model('d: 2, m: 128, T: 1100');
    const sizes = { d: 2, m: 128, T: 1100 };
    const instance = buildInstance(m, instanceSpec(m, 7, 0, ['contracting'], sizes));
    // one entry of the last step's input pushed past the regimes' box (4 standard deviations of 1)
    const data = instance.graph.data;
    const last = data.inputs.get('x')![1100]!;
    last[127] = 9.5;
    const excesses = regimeExcesses(m, sizes, data);
    expect(excesses).toEqual([{ name: 'x', measure: 'max-deviation', value: 9.5, regimeLimit: 4 }]);
  });
});
