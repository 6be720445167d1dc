/**
 * Three defects that came from operators being defined in many places (the
 * registry issue): each is pinned here with the verdict or error it must give.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';

const post = readFileSync('derivations/understanding-lstms-2023-index-level.yaml', 'utf8');
const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const withClaims = (text: string, claims: string) => `${text.slice(0, text.indexOf('claims:'))}claims:\n${claims}`;

function loadError(text: string): InputError {
  try {
    parseDerivation(text, 'bad.yaml');
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('defects fixed by the operator registry', () => {
  it("a claim false away from T = 6 is refuted: d(...)'s time and δ's indices count as places where T occurs", () => {
    const d = parseDerivation(
      withClaims(
        post,
        `  - id: only-at-6\n    claim: d(h[T, a], W[i, j]) = d(h[T, a], W[i, j]) * delta(T, 6)\n    forall: a in 1..d, i in 1..d, j in 1..n\n    expect: refuted\n`,
      ),
      'post.yaml',
    );
    const [r] = checkDerivation(d, { instances: 1 });
    expect(r!.verdict).toBe('refuted');
    const symbolic = evidenceOf(r!.evidence, 'symbolic')!;
    expect(symbolic).toMatchObject({ level: 'unit', outcome: { status: 'different', at: { T: 1 } } });
  });

  it('dact in a model equation is a located input error, not an internal one', () => {
    const text = lab.replace(
      'h[t] = tanh(W*h[t-1] + U*x[t] + b)',
      'h[t] = tanh(W*h[t-1] + U*x[t] + b) + 0 * dact(h[t-1])',
    );
    const err = loadError(text);
    const line = text.split('\n').findIndex((l) => l.includes('dact(h[t-1])')) + 1;
    expect(err.pos).toMatchObject({ line, col: text.split('\n')[line - 1]!.indexOf('dact') + 1 });
    expect(err.problem).toBe('dact is not allowed in a model equation');
    expect(err.expected).toBe(
      "an elementwise or matrix expression of the model's symbols (README, Expressions); derivatives, norms, sups and single units stand in claims only",
    );
  });

  it('one unit of a sequence in the loss is a located input error naming it', () => {
    const text = lab.replace('loss: L = sum(c .* h[T]) + 0.5 * sum(h[T] .^ 2)', 'loss: L = sum(c .* h[T]) + h[T, 1]');
    const err = loadError(text);
    expect(err.problem).toBe('h[T, 1] is not supported in the loss');
    expect(err.expected).toBe(
      "a scalar expression of the model's sequences: sums, products and elementwise functions (README, Expressions)",
    );
    expect(err.pos.col).toBe(text.split('\n')[err.pos.line - 1]!.indexOf('h[T, 1]') + 1);
  });

  it('the empty product is the identity in every evaluator, so eye + ∏∅ = 2·I is verified', () => {
    const d = parseDerivation(
      withClaims(
        post,
        `  - id: empty-product\n    claim: unit(d, a)' * (eye(d) + prod(l, 1, 0, U)) * unit(d, i) = 2 * delta(a, i)\n    forall: a in 1..d, i in 1..d\n    expect: verified\n`,
      ),
      'post.yaml',
    );
    const [r] = checkDerivation(d, { instances: 1 });
    expect(r!.verdict).toBe('verified');
  });
});
