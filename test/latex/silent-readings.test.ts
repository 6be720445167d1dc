/**
 * Standard LaTeX the reader read, without a word, as another formula (a review of 2026-12-06, /tmp/review-latex):
 * each is asserted here by the reading a report prints (`read as: …`) and by its verdict on a small tanh RNN,
 * where the old reading's verdict was another.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';

/** A tanh RNN in the blog profile (h_t, W^T; T is also the horizon's size), small enough to check quickly. */
const BLOG = `gradproof: 1
title: silent readings
notation:
  profile: blog
model:
  name: tanh RNN
  sizes: { d: 2..3, m: 1..2, T: 3..4 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    b: { role: parameter, shape: [d], init: bias }
    c: { role: parameter, shape: [d], init: gaussian }
    x: { role: input, shape: [m] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1] + U*x[t] + b)
  loss: L = sum(c .* h[T]) + 0.5 * sum(h[T] .^ 2)
`;

interface Case {
  readonly latex: string;
  readonly forall?: string;
}

/** The file with these claims (ids c0, c1, …): what each is read as, and, with `check`, its verdict. */
function claims(head: string, cases: readonly Case[]) {
  const yaml = cases
    .map(
      (c, i) =>
        `  - id: c${i}\n    latex: '${c.latex.replace(/'/g, "''")}'${c.forall ? `\n    forall: ${c.forall}` : ''}`,
    )
    .join('\n');
  return parseDerivation(`${head}claims:\n${yaml}\n`, 'silent.yaml');
}

function readings(head: string, cases: readonly Case[]): string[] {
  return claims(head, cases).claims.map((c) => c.statement);
}

function verdicts(head: string, cases: readonly Case[]): string[] {
  return checkDerivation(claims(head, cases), { instances: 6 }).map((r) => r.verdict);
}

describe('the superscript of an evaluation bar (\\right|_{x}^{T}) is read, not dropped', () => {
  // the Jacobian of the step is diag(1 − h_t²) W; its transpose is Wᵀ diag(1 − h_t²)
  const cases: Case[] = [
    // was read partial(h[t], h[t-1], x) = diag(1 - h[t].^2) * W (the ^T lost) and verified
    {
      latex: '\\left.\\frac{\\partial h_t}{\\partial h_{t-1}}\\right|_{x}^{T} = \\mathrm{diag}(1 - h_t^2) W',
      forall: 't in 1..T',
    },
    // the true transpose was refuted
    {
      latex: '\\left.\\frac{\\partial h_t}{\\partial h_{t-1}}\\right|_{x}^{T} = W^T \\mathrm{diag}(1 - h_t^2)',
      forall: 't in 1..T',
    },
    {
      latex: '\\left.\\frac{\\partial h_t}{\\partial h_{t-1}}\\right|_{x}^{\\top} = W^\\top \\mathrm{diag}(1 - h_t^2)',
      forall: 't in 1..T',
    },
    // without a superscript, as before
    {
      latex: '\\left.\\frac{\\partial h_t}{\\partial h_{t-1}}\\right|_{x} = \\mathrm{diag}(1 - h_t^2) W',
      forall: 't in 1..T',
    },
  ];

  it('reads the transpose', () => {
    expect(readings(BLOG, cases)).toEqual([
      "partial(h[t], h[t-1], x)' = diag(1 - h[t].^2) * W",
      "partial(h[t], h[t-1], x)' = W' * diag(1 - h[t].^2)",
      "partial(h[t], h[t-1], x)' = W' * diag(1 - h[t].^2)",
      'partial(h[t], h[t-1], x) = diag(1 - h[t].^2) * W',
    ]);
  });

  it('refutes the untransposed right side and verifies the transposed one', () => {
    expect(verdicts(BLOG, cases)).toEqual(['refuted', 'verified', 'verified', 'verified']);
  });

  it('notes the transpose letter on the bar as on any matrix', () => {
    const [c] = claims(BLOG, cases.slice(0, 1)).claims;
    // line 20 of the file, column 68: the T after \right|_{x}^
    expect(c!.reading!.notes).toContain('20:68: ^T read as a transpose (a transpose letter here), not the T-th power');
  });
});
