/**
 * Agreements within reach of digits float64 lost on the way are decided again in 40-digit decimals, which simulate
 * the forward pass again in their own digits and watch every sum, dot products included. Wide floats must not take
 * that decision: they copy the forward steps from float64 (with its losses unseen), do not watch the dot products of
 * their matrix products, and judge each sum's cancellation alone, so sub-threshold losses compound unseen. Every
 * claim here is false, float64 agrees with it within reach of lost digits (a factor 1 − σ(30), or 1 − h² at a
 * saturated unit, is what loses them), and letting wide floats decide such agreements made each one `consistent`
 * (an independent review of that change found them; it was reverted).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const labModel = lab.slice(0, lab.indexOf('claims:'));

/** The lab's RNN with extra intermediate sequences (name → equation right-hand side at t). */
function modelWith(extra: Record<string, string>): string {
  let model = labModel;
  for (const [name, rhs] of Object.entries(extra)) {
    model = model
      .replace(
        '    h: { role: state, shape: [d] }\n',
        `    h: { role: state, shape: [d] }\n    ${name}: { role: intermediate, shape: [d] }\n`,
      )
      .replace(
        '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n',
        `    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n    - ${name}[t] = ${rhs}\n`,
      );
    expect(model).toContain(`${name}[t] = `);
  }
  return model;
}

function verdicts(model: string, claims: readonly string[], forall: Record<number, string> = {}): string[] {
  const yaml = claims
    .map((c, i) => `  - id: c${i}\n    claim: ${c}\n${forall[i] ? `    forall: ${forall[i]}\n` : ''}`)
    .join('');
  const file = parseDerivation(`${model}claims:\n${yaml}`, 'lost-digits.yaml');
  return checkDerivation(file, { instances: 2 }).map((r) => r.verdict);
}

describe('false claims whose float64 agreement lost digits are refuted, not passed', () => {
  it('compounding cancellations, each below what a sum notes (the true factor is 4e-12, above 3.99998e-12)', () => {
    expect(
      verdicts(labModel, [
        '(1 - sigma(30)) * (((1 + 3e-6) - 1 - 2.999996e-06) * norm2(h[T])) <= (1 - sigma(30)) * (3.99998e-12 * norm2(h[T]))',
        '((1 + 3e-6) - 1 - 2.999996e-06) * (1 - sigma(30)) * norm2(h[T]) <= 3.99998e-12 * (1 - sigma(30)) * norm2(h[T])',
      ]),
    ).toEqual(['refuted', 'refuted']);
  });

  it('cancellation inside dot products (the true [1; 3e-16; -1]·1 is 3e-16; float64 gives 2.2e-16 or 0)', () => {
    expect(
      verdicts(labModel, [
        "(1 - sigma(30)) * (([1; 3e-16; -1]' * ones(3)) * norm2(h[T])) <= (1 - sigma(30)) * (2.2205e-16 * norm2(h[T]))",
        "(1 - sigma(30)) * (((([1; 1e-17; -1]' * ones(3)) + 1e-17) * 1e17) * norm2(h[T])) <= (1 - sigma(30)) * (1.00001 * norm2(h[T]))",
        "(1 - sigma(30)) * ((ones(3)' * [1; 3e-16; -1]) * norm2(h[T])) <= (1 - sigma(30)) * (2.2205e-16 * norm2(h[T]))",
        "(([1; 3e-16; -1]' * ones(3)) * (1 - h[T] .^ 2)) = 2.220446049250313e-16 * (1 - h[T] .^ 2)",
      ]),
    ).toEqual(['refuted', 'refuted', 'refuted', 'refuted']);
  });

  it('a sum cancelled to exactly 0 on the way ((e^(1e-39) − 1)·1e39 + 1 is 2, 1 in float64)', () => {
    expect(verdicts(labModel, ['((exp(1e-39) - 1) * 1e39 + 1) * norm2(h[T]) <= 1.5 * norm2(h[T])'])).toEqual([
      'refuted',
    ]);
  });

  it('cancellation and absorption inside a model equation (g = 1 + h², 1 in float64)', () => {
    const model = modelWith({ g: '(((1 + 1e-17 * h[t] .* h[t]) - 1) + 1e-17 * ones(d)) * 1e17' });
    expect(
      verdicts(
        model,
        [
          '(1 - h[T] .^ 2) .* g[T] = (1 - h[T] .^ 2)',
          '(1 - h[T-k+1] .^ 2) .* g[T-k+1] = (1 - h[T-k+1] .^ 2)',
          '(1 - sigma(30)) * g[T] = (1 - sigma(30)) * ones(d)',
        ],
        { 1: 'k in 1..T' },
      ),
    ).toEqual(['refuted', 'refuted', 'refuted']);
  });

  it('a model equation through the subnormals (g and q differ by 1e-5, equal in float64)', () => {
    const model = modelWith({ g: '(1e-160 * (1e-160 * h[t])) * 1e300', q: '(1e-160 * (1.00001e-160 * h[t])) * 1e300' });
    expect(
      verdicts(model, [
        '(1 - sigma(30)) * g[T] = (1 - sigma(30)) * q[T]',
        '(1 - h[T] .^ 2) .* g[T] = (1 - h[T] .^ 2) .* q[T]',
      ]),
    ).toEqual(['refuted', 'refuted']);
  });

  it('a cancellation inside a model equation (g = 3e-16 · 1, 2.2e-16 in float64)', () => {
    const model = modelWith({ g: '(ones(d) + 3e-16 * ones(d)) - ones(d)' });
    expect(
      verdicts(model, [
        '(1 - sigma(30)) * g[T] = (1 - sigma(30)) * (2.220446049250313e-16 * ones(d))',
        '(1 - h[T] .^ 2) .* g[T] = 2.220446049250313e-16 * (1 - h[T] .^ 2)',
      ]),
    ).toEqual(['refuted', 'refuted']);
  });
});
