/**
 * Standard LaTeX the reader read, without a word, as another formula (a review of 2026-12-06, /tmp/review-latex):
 * each is asserted here by the reading a report prints (`read as: …`) and by its verdict on a small tanh RNN,
 * where the old reading's verdict was another.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { claimLatex } from '../../src/emit/claim-latex.js';
import { convert, fileContext } from './helpers.js';

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

describe('^T on a scalar is the T-th power where T is a size (a scalar has no transpose to take)', () => {
  const cases: Case[] = [
    // was read norm2(jac(h[T], h[0])) <= norm2(W)' and refuted; with T factors of |tanh′| ≤ 1 it holds
    { latex: '\\left\\|\\frac{\\partial h_T}{\\partial h_0}\\right\\| \\le \\|W\\|^{T}' },
    { latex: '\\left\\|\\frac{\\partial h_T}{\\partial h_0}\\right\\|_2 \\le \\|W\\|_2^T' },
    // one step bounded by the T-th power: false where ‖W‖ < 1 (it was read ≤ ‖W‖ and consistent)
    { latex: '\\left\\|\\frac{\\partial h_T}{\\partial h_{T-1}}\\right\\| \\le \\|W\\|^T' },
    // a matrix keeps its transpose, with the note that says which
    { latex: '\\|W^T\\|_2 \\le \\|W\\|_2' },
  ];

  it('reads the power on a norm, keeps the transpose on a matrix', () => {
    expect(readings(BLOG, cases)).toEqual([
      'norm2(jac(h[T], h[0])) <= norm2(W)^T',
      'norm2(jac(h[T], h[0])) <= norm2(W)^T',
      'norm2(jac(h[T], h[T-1])) <= norm2(W)^T',
      'norm2(W) <= norm2(W)',
    ]);
    const notes = claims(BLOG, cases).claims.map((c) => c.reading!.notes);
    expect(notes[0]).toContain(
      "20:72: ^T on a scalar read as the T-th power (T is a size here; a scalar's transpose is itself: ^\\top writes one)",
    );
    expect(notes[3]).toContain('26:17: ^T read as a transpose (a transpose letter here), not the T-th power');
  });

  it('proves the bound through T steps and refutes the one step bounded by the T-th power', () => {
    expect(verdicts(BLOG, cases)).toEqual(['proved', 'proved', 'refuted', 'proved']);
  });

  it("reads the emitter's own LaTeX of norm2(W)^T back as written", () => {
    const d = parseDerivation(`${BLOG}claims:\n  - id: p\n    claim: norm2(jac(h[T], h[0])) <= norm2(W)^T\n`, 'p.yaml');
    const latex = claimLatex(d, d.claims[0]!);
    expect(latex).toBe(
      '\\left\\|\\frac{\\partial h_{T}}{\\partial h_{0}}\\right\\|_{2} \\le \\left\\|W\\right\\|_{2}^{T}',
    );
    expect(readings(BLOG, [{ latex }])).toEqual(['norm2(jac(h[T], h[0])) <= norm2(W)^T']);
  });

  it('reads ρ(W)^T, a number^T, and ^T where T is the horizon of the lab (τ) alike', () => {
    expect(readings(BLOG, [{ latex: '\\rho(W)^T \\le 2^T' }])).toEqual(['rho(W)^T <= 2^T']);
    const lab = `${BLOG.replace('profile: blog', 'profile: lab\n  horizon: tau')}`;
    expect(
      readings(lab, [
        { latex: '\\left\\|\\frac{\\partial h^{[\\tau]}}{\\partial h^{[0]}}\\right\\| \\le \\|W\\|^T' },
        { latex: '\\left\\|\\frac{\\partial h^{[\\tau]}}{\\partial h^{[0]}}\\right\\| \\le \\|W\\|^\\tau' },
      ]),
    ).toEqual(['norm2(jac(h[T], h[0])) <= norm2(W)^T', 'norm2(jac(h[T], h[0])) <= norm2(W)^T']);
  });

  it('says what the text after a time bracket was read as (h^{(t-1)\\top} was noted "read as a power")', () => {
    const rnn = fileContext('how-does-lstm-avoid-gradient-explosion-2024-rnn', { forall: 't in 2..T' });
    const r = convert('h^{(t-1)\\top} W h^{(t)} \\le 1', rnn);
    expect(r.ascii).toBe("h[t-1]' * W * h[t] <= 1");
    expect(r.notes).toContain(
      'at 8: h^{(t)\\top}: the text after the time bracket read as a transpose of the sequence',
    );
    expect(convert('\\|h^{(t)2}\\|_2 \\le 1', rnn).notes).toContain(
      'at 8: h^{(t)2}: the text after the time bracket read as a power of the sequence',
    );
  });
});

describe("a script after a function's \\right) is the value's: \\tanh\\left(z\\right)^{2} is tanh(z)²", () => {
  const cases: Case[] = [
    // was read diag(1 - tanh((W * h[t-1] + U * x[t] + b).^2)) * W and refuted
    {
      latex:
        '\\frac{\\partial h_t}{\\partial h_{t-1}} = \\mathrm{diag}\\left(1 - \\tanh\\left(W h_{t-1} + U x_t + b\\right)^{2}\\right) W',
      forall: 't in 1..T',
    },
    // plain parentheses read so already
    {
      latex: '\\frac{\\partial h_t}{\\partial h_{t-1}} = \\mathrm{diag}(1 - \\tanh(W h_{t-1} + U x_t + b)^{2}) W',
      forall: 't in 1..T',
    },
    // the argument's own power stays inside
    {
      latex:
        '\\frac{\\partial h_t}{\\partial h_{t-1}} = \\mathrm{diag}\\left(1 - \\tanh\\left(\\left(W h_{t-1} + U x_t + b\\right)^{2}\\right)\\right) W',
      forall: 't in 1..T',
    },
  ];

  it('reads the power on the function value', () => {
    expect(readings(BLOG, cases)).toEqual([
      'jac(h[t], h[t-1]) = diag(1 - tanh(W * h[t-1] + U * x[t] + b).^2) * W',
      'jac(h[t], h[t-1]) = diag(1 - tanh(W * h[t-1] + U * x[t] + b).^2) * W',
      'jac(h[t], h[t-1]) = diag(1 - tanh((W * h[t-1] + U * x[t] + b).^2)) * W',
    ]);
  });

  it('verifies the step written with \\left( … \\right)^{2}, as written with ( … )^2', () => {
    expect(verdicts(BLOG, cases)).toEqual(['verified', 'verified', 'refuted']);
  });

  it('keeps the script of a function whose argument holds another function (\\tanh(\\sigma(z))^2 lost its ^2)', () => {
    const lstm = fileContext('how-does-lstm-avoid-gradient-explosion-2024-lstm', { forall: 't in 2..T' });
    expect(convert('\\tanh(\\sigma(C_t))^2 = 1', lstm).ascii).toBe('tanh(sigma(C[t])).^2 = 1');
    expect(convert('\\tanh\\left(\\sigma\\left(C_t\\right)\\right)^{2} = 1', lstm).ascii).toBe(
      'tanh(sigma(C[t])).^2 = 1',
    );
    expect(convert('\\sup_x \\left|1 - \\tanh\\left(x\\right)^{2}\\right| \\le 1', lstm).ascii).toBe(
      'supabs(x, 1 - tanh(x)^2) <= 1',
    );
  });

  // the emitter writes \tanh\left(…\right)^{2}: these shipped claims came back from their own LaTeX as other claims
  it.each([
    ['how-does-lstm-avoid-gradient-explosion-2024-eq5', 'eq5'],
    ['lab-10-5-vanilla-rnn', 'lab-eq2'],
    ['why-lstm-works-2018', 'eq3-one-step'],
    ['why-lstm-works-2018', 'eq4-norm-bound'],
    ['lab-10-5-lstm', 'lab-eq3-total-without-c'],
    // with the evaluation bar's ^{T} as well
    ['lab-10-5-lstm', 'lab-eq3-cell-path'],
  ])('%s %s reads back from its own LaTeX as its claim', (file, id) => {
    const path = `derivations/${file}.yaml`;
    const d = loadDerivationFile(path);
    const claim = d.claims.find((c) => c.id === id)!;
    const text = readFileSync(path, 'utf8');
    const forall = /forall: (.*)/.exec(text.slice(text.indexOf(`- id: ${id}\n`)).split('\n  - id:')[0]!)?.[1];
    const latex = claimLatex(d, claim);
    expect(latex).toMatch(/\\tanh\\left\(.*\\right\)\^\{2\}/);
    const back = parseDerivation(
      `${text.slice(0, text.indexOf('\nclaims:'))}\nclaims:\n  - id: back\n    latex: '${latex.replace(/'/g, "''")}'${forall ? `\n    forall: ${forall}` : ''}\n`,
      'back.yaml',
    );
    expect(back.claims[0]!.statement).toBe(claim.statement);
  });
});

describe('a vector after ∏ multiplies the product, not each factor (it made the product elementwise)', () => {
  const LAB = BLOG.replace('profile: blog', 'profile: lab\n  horizon: tau');
  const grad = "grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])";
  const cases: Case[] = [
    // the lab's eq. (1) with the factor in \left( … \right): was hprod(i, 1, k, W' * diag(…) * grad(L, h[T])), refuted
    {
      latex:
        '\\nabla_{h^{[\\tau-k]}} L = \\prod_{i=1}^{k} \\left(W^T \\mathrm{diag}(1 - (h^{[\\tau-k+i]})^2)\\right) \\nabla_{h^{[\\tau]}} L',
      forall: 'k in 1..T',
    },
    {
      latex:
        '\\nabla_{h^{[\\tau-k]}} L = \\prod_{i=1}^{k} \\left(W^T \\mathrm{diag}(1 - (h^{[\\tau-k+i]})^2)\\right) \\cdot \\nabla_{h^{[\\tau]}} L',
      forall: 'k in 1..T',
    },
    {
      latex:
        '\\nabla_{h^{[\\tau-k]}} L = \\prod_{i=1}^{k} (W^T \\mathrm{diag}(1 - (h^{[\\tau-k+i]})^2)) \\nabla_{h^{[\\tau]}} L',
      forall: 'k in 1..T',
    },
    // without a group: the body ends before the vector that does not read i
    {
      latex:
        '\\nabla_{h^{[\\tau-k]}} L = \\prod_{i=1}^{k} W^T \\mathrm{diag}(1 - (h^{[\\tau-k+i]})^2) \\nabla_{h^{[\\tau]}} L',
      forall: 'k in 1..T',
    },
    // a trailing matrix stays in the body: W is each step's factor
    {
      latex:
        '\\frac{\\partial h^{[\\tau]}}{\\partial h^{[\\tau-k]}} = \\prod_{i=1}^{k} \\mathrm{diag}(1 - h^{[\\tau-i+1]2}) W',
      forall: 'k in 1..T',
    },
    // a group followed by a factor that reads the index: the body runs to the end of its term, as before
    {
      latex:
        '\\nabla_{W} L = \\sum_{t=1}^{\\tau} \\left(\\mathrm{diag}(1 - h^{[t]2}) \\nabla_{h^{[t]}} L\\right) (h^{[t-1]})^T',
    },
  ];

  it('reads the product of the matrices times the vector', () => {
    expect(readings(LAB, cases)).toEqual([
      grad,
      grad,
      grad,
      grad,
      'jac(h[T], h[T-k]) = prod(i, 1, k, diag(1 - h[T-i+1].^2) * W)',
      "grad(L, W) = sum(t, 1, T, diag(1 - h[t].^2) * grad(L, h[t]) * h[t-1]')",
    ]);
  });

  it('verifies them', () => {
    expect(verdicts(LAB, cases)).toEqual(['verified', 'verified', 'verified', 'verified', 'verified', 'verified']);
  });

  it('looks ahead once per operator: sixty products of groups in a row are read at once (the look was exponential)', () => {
    const lab = fileContext('lab-10-5-vanilla-rnn', { forall: 'k in 1..T' });
    const products = (n: number) =>
      `${Array.from({ length: n }, () => '\\prod_{i=1}^{2} \\left(W\\right)').join(' ')} h^{[\\tau]} = h^{[\\tau]}`;
    expect(convert(products(2), lab).ascii).toBe('prod(i, 1, 2, W) * prod(i, 1, 2, W) * h[T] = h[T]');
    expect(convert(products(60), lab).ascii).toBe(
      `${Array.from({ length: 60 }, () => 'prod(i, 1, 2, W)').join(' * ')} * h[T] = h[T]`,
    );
  });

  it('says where the body ends', () => {
    const notes = claims(LAB, cases).claims.map((c) => c.reading!.notes);
    expect(notes[0]).toContain(
      '21:39: the body of prod is the group "\\left(W^T \\mathrm{diag}(1 - (h^{[\\tau-k+i]})^2)\\right)" after it: what follows does not read i and multiplies the product',
    );
    expect(notes[3]).toContain(
      '30:39: the body of prod is "W^T \\mathrm{diag}(1 - (h^{[\\tau-k+i]})^2)": "\\nabla_{h^{[\\tau]}} L" after it does not read i and multiplies the product of the matrices (in the body, each factor would be a vector and the product elementwise, ⨀)',
    );
    expect(notes[5]).toContain(
      '36:28: the body of sum runs to the end of its term: "\\left(\\mathrm{diag}(1 - h^{[t]2}) \\nabla_{h^{[t]}} L\\right) (h^{[t-1]})^T"',
    );
  });
});

describe('a ⊙ after a matrix product is read left to right, and says so', () => {
  const cases: Case[] = [
    { latex: '\\nabla_{h_{t-1}} L = W^T \\nabla_{h_t} L \\odot (1 - h_t^2)', forall: 't in 1..T' },
    { latex: '\\nabla_{h_{t-1}} L = W^T (1 - h_t^2) \\odot \\nabla_{h_t} L', forall: 't in 1..T' },
    // bracketed as meant: no note
    { latex: '\\nabla_{h_{t-1}} L = W^T (\\nabla_{h_t} L \\odot (1 - h_t^2))', forall: 't in 1..T' },
    // no matrix before it: no note
    { latex: 'c \\odot h_T = h_T \\odot c' },
  ];
  const NOTE = "'\\odot' after a matrix product read left to right";
  it('reads (A v) ⊙ s, notes it where a matrix product comes first, and not elsewhere', () => {
    const d = claims(BLOG, cases);
    expect(d.claims.map((c) => c.statement)).toEqual([
      "grad(L, h[t-1]) = W' * grad(L, h[t]) .* (1 - h[t].^2)",
      "grad(L, h[t-1]) = W' * (1 - h[t].^2) .* grad(L, h[t])",
      "grad(L, h[t-1]) = W' * (grad(L, h[t]) .* (1 - h[t].^2))",
      'c .* h[T] = h[T] .* c',
    ]);
    expect(d.claims.map((c) => c.reading!.notes.some((n) => n.includes(NOTE)))).toEqual([true, true, false, false]);
  });

  it('the bracketed form verifies, the two left-to-right readings are refuted', () => {
    expect(verdicts(BLOG, cases.slice(0, 3))).toEqual(['refuted', 'refuted', 'verified']);
  });
});

describe('^2k: the exponent TeX sets is the 2 alone, and the reading says so', () => {
  it('reads ‖W‖²·k as TeX sets it, with a note; ^{2k} and ^2 k (spaced) without one', () => {
    const d = claims(BLOG, [
      { latex: '\\|W^k\\| \\le \\|W\\|^2k', forall: 'k in 1..T' },
      { latex: '\\|W^k\\| \\le \\|W\\|^{2k}', forall: 'k in 1..T' },
      { latex: '\\|W^k\\| \\le \\|W\\|^2 k', forall: 'k in 1..T' },
    ]);
    expect(d.claims.map((c) => c.statement)).toEqual([
      'norm2(W^k) <= norm2(W)^2 * k',
      'norm2(W^k) <= norm2(W)^(2*k)',
      'norm2(W^k) <= norm2(W)^2 * k',
    ]);
    const NOTE = '^2 followed by k read as TeX sets it, the power 2 times k: write ^{2k} for the power';
    expect(d.claims.map((c) => c.reading!.notes.some((n) => n.includes(NOTE)))).toEqual([true, false, false]);
  });
});

describe('a derivative with respect to a parameter (review160: ∂h_t/∂b was noted as a 3-tensor)', () => {
  it('notes the 3-tensor for a matrix parameter only', () => {
    const cases: Case[] = [
      { latex: '\\frac{\\partial h_t}{\\partial b} = \\mathrm{diag}(1 - h_t^2)', forall: 't in 1..T' },
      { latex: '\\left\\|\\frac{\\partial h_t}{\\partial W}\\right\\|_F \\le d', forall: 't in 1..T' },
    ];
    const [vector, matrix] = claims(BLOG, cases).claims.map((c) => c.reading!.notes.join(' | '));
    expect(vector).not.toContain('3-tensor');
    expect(matrix).toContain('the derivative of a vector with respect to a matrix parameter (a 3-tensor)');
  });
});
