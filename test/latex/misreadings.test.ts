/**
 * Constructs an audit of the LaTeX reader found read silently as another formula (2026-12-05): each is now read as
 * meant, or refused at its place with what to write instead. Before, `\|W\| \not\le 1` was read ‖W‖ ≤ 1 (the
 * opposite claim), `a \ne b` as a * b, `\frac{dL}{dh_t}` as d·L/(d·h_t), `\tanh W h` as tanh(W)·h, `\tanh^{-1}` as
 * 1/tanh, `\binom{k}{2}` as k/2, `h_t''` as h_t′, `2^10` as 2¹·0, and `W_f^{+}` crashed with a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { LatexInputError } from '../../src/latex/errors.js';
import { convert, errorOf, fileContext } from './helpers.js';

const lab = fileContext('lab-10-5-vanilla-rnn', { forall: 'k in 1..T' });
const lstm = fileContext('how-does-lstm-avoid-gradient-explosion-2024-lstm', { forall: 't in 2..T, k in 1..T' });

describe('refused at their place, with what to write', () => {
  it.each([
    ['\\|W\\|_2 \\not\\le 1', lab, '\\not', "'\\not' (a negated or composite relation) is not supported"],
    ['\\|W\\|_2 \\ne 0', lab, '\\ne', "'\\ne' (a negated or composite relation) is not supported"],
    [
      'L \\coloneqq c^T h^{[\\tau]}',
      lab,
      '\\coloneqq',
      "'\\coloneqq' (a negated or composite relation) is not supported",
    ],
    [
      '\\binom{k}{2} \\|W\\|_2 \\le 1',
      lab,
      '\\binom{k}{2}',
      "'\\binom{k}{2}' (a binomial coefficient or a stacked pair) is not supported",
    ],
    ['\\tanh^{-1}(k) \\le 1', lab, '{-1}', 'tanh^{-1}: the inverse function, which has no reading here'],
    [
      'h^{[\\tau]} = \\tanh W h^{[\\tau-1]}',
      lab,
      '\\tanh W',
      '\\tanh without parentheses before a product: how far does its argument reach?',
    ],
    ["\\|h_t''\\| \\le 1", lstm, "''", 'a second derivative (′′)'],
    ['2^10 \\|W\\|_2 \\le 1', lab, '2^10', "'2^10' is 2^1·0 in LaTeX (a script takes one token)"],
    ['\\|W_f^{+}\\|_2 \\le 1', lstm, '+', "nothing after '+' in an index"],
    // any scripted base (a review's): k^10 was k^1 * 0
    ['k^10 \\le 1', lab, 'k^10', "'k^10' is k^1·0 in LaTeX (a script takes one token)"],
    ['\\frac{d}{dW} L \\le 1', lab, '\\frac{d}{dW}', 'the operator form d/dx applied to what follows'],
    // two equations stacked were one formula: h[t] = o[t] .* tanh(C[t]) .* C[t] = f[t] .* C[t-1]
    [
      '\\begin{aligned} h_t &= o_t \\odot \\tanh(C_t) \\\\ C_t &= f_t \\odot C_{t-1} \\end{aligned}',
      lstm,
      'C_t',
      "a row of the aligned block starts another formula ('C_t' after ')')",
    ],
    ['\\frac{d^2 L}{d h_t^2} \\le 1', lstm, '\\frac{d^2 L}{d h_t^2}', 'a second derivative (d²/dx²)'],
    // h_t[2] was the product h_t · 2; a script on a closing norm bar was ^1 · 0
    [
      '\\|h_t[2]\\|_2 \\le 1',
      lstm,
      '[2]',
      "'[2]' right after a value: an entry (as code indexes) or a product with 2?",
    ],
    ['\\|W_f\\|_2^10 \\le 1', lstm, '^10', "'\\|_2^10' is \\|_2^1·0 in LaTeX (a script takes one token)"],
    ['\\sqrt[3]{d} \\le d', lab, '\\sqrt[3]{d}', "an n-th root '\\sqrt[3]{d}'"],
    // h_t-1 is h_t − 1 in LaTeX, surely meant as the step before (a review's: read silently, the model's own equation
    // written so was refuted)
    ['h_t = o_t \\odot \\tanh(C_t-1)', lstm, 'C_t-1', "'C_t-1' is C_t - 1 in LaTeX (a script takes one token)"],
    // σ′ W: the texts' diag(σ′(z)) W with z left unsaid, or σ′(W)? It was read as σ′(W) (a review's)
    [
      "\\sigma' W_f \\le 1",
      lstm,
      "\\sigma'",
      "\\sigma' without parentheses: the derivative at the factor after it, or times it?",
    ],
    // a review's: spaces render as nothing, code's negative and variable indices
    [
      '\\|h_t [2]\\|_2 \\le 1',
      lstm,
      '[2]',
      "'[2]' right after a value: an entry (as code indexes) or a product with 2?",
    ],
    [
      '\\|h_t[-1]\\|_2 \\le 1',
      lstm,
      '[-1]',
      "'[-1]' right after a value: an entry (as code indexes) or a product with -1?",
    ],
    [
      '\\|h_t[k]\\|_2 \\le 1',
      lstm,
      '[k]',
      "'[k]' right after a value: an entry (as code indexes) or a product with k?",
    ],
    // e^{W} and \\sqrt{W^T W} on a matrix mean the matrix function
    [
      '\\|e^{W}\\|_2 \\le 1',
      lab,
      'e^{W}',
      'e^{…} of a matrix: the matrix function has no reading here (only the entrywise one)',
    ],
    [
      '\\|\\sqrt{W^T W}\\|_2 \\le 1',
      lab,
      '\\sqrt{W^T W}',
      '\\sqrt{…} of a matrix: the matrix function has no reading here (only the entrywise one)',
    ],
    // e^T (a unit vector transposed) and e^{[t]} (the lab's time) are not exponents: e stays unknown
    ['e^T h^{[\\tau]} \\le 1', lab, 'e', "unknown symbol 'e'"],
    ['e^{[\\tau]} \\le 1', lab, 'e', "unknown symbol 'e'"],
    // a script with no base (KaTeX's empty base): an internal error until a review found it
    ['^2 \\le 1', lab, '2', 'a superscript or prime with nothing before it'],
    ['_{t} = 1', lab, 't', 'a subscript with nothing before it'],
    ["' \\le 1", lab, "'", 'a superscript or prime with nothing before it'],
  ])('%s', (latex, ctx, token, problem) => {
    const e = errorOf(() => convert(latex, ctx));
    expect(e).toBeInstanceOf(LatexInputError);
    expect(e.problem).toBe(problem);
    expect(latex.slice(e.offset, e.end)).toContain(token);
  });

  it('places a script with no base at its ^ or _ (KaTeX spans only its argument)', () => {
    expect(errorOf(() => convert('^2 \\le 1', lab)).offset).toBe(0);
    expect(errorOf(() => convert('\\|W\\| \\le \\frac{^ {2}}{1}', lab)).offset).toBe(16);
  });
});

describe('read as meant', () => {
  it.each([
    ['\\frac{dL}{dh^{[\\tau]}} = c + h^{[\\tau]}', lab, 'grad(L, h[T]) = c + h[T]'],
    [
      '\\frac{d h_t}{d h_{t-1}} = \\frac{\\partial h_t}{\\partial h_{t-1}}',
      lstm,
      'jac(h[t], h[t-1]) = jac(h[t], h[t-1])',
    ],
    // a function of one factor, parenthesised or alone, as before
    ['h^{[\\tau]} = \\tanh(W h^{[\\tau-1]})', lab, 'h[T] = tanh(W * h[T-1])'],
    ['o_t \\odot \\tanh C_t = h_t', lstm, 'o[t] .* tanh(C[t]) = h[t]'],
    ['2^{10} \\|W\\|_2 \\le 1', lab, '2^10 * norm2(W) <= 1'],
    // an activation's derivative of a matrix is entry by entry (a review's false pass: σ′(W) was σ(W)(1 − σ(W)), a
    // matrix product, and `\\sigma'(W) = \\sigma(W)(1 - \\sigma(W))` was verified)
    [
      "\\sigma'(W) = \\sigma(W) \\odot (1 - \\sigma(W))",
      lab,
      'sigma(W) .* (1 - sigma(W)) = sigma(W) .* (1 - sigma(W))',
    ],
    ["\\tanh'(W_f) = 1 - \\tanh(W_f) \\odot \\tanh(W_f)", lstm, '1 - tanh(W_f).^2 = 1 - tanh(W_f) .* tanh(W_f)'],
    // spaced, it is the difference as written
    ['h_t = o_t \\odot \\tanh(C_t - 1)', lstm, 'h[t] = o[t] .* tanh(C[t] - 1)'],
    // a scalar's: the scalar product
    ["\\sigma'(k) \\le 1", lab, 'sigma(k) * (1 - sigma(k)) <= 1'],
    // e^{…} where the file gives e no meaning (it was "unknown symbol 'e'")
    ['\\|W\\|_2^k \\le e^{k}', lab, 'norm2(W)^k <= exp(k)'],
    ['\\frac{1}{1 + e^{-k}} \\le 1', lab, '1 / (1 + exp(-k)) <= 1'],
    // \sqrt: the registry's sqrt (it was "unsupported construct (sqrt)")
    ['\\|W\\|_2 \\le \\sqrt{d} \\|W\\|_2', lab, 'norm2(W) <= sqrt(d) * norm2(W)'],
    ['\\|\\sqrt{h^{[\\tau]}}\\|_2^{2} \\le \\sqrt{d}^{2}', lab, 'norm2(sqrt(h[T]))^2 <= sqrt(d)^2'],
    // a row ending its clause with a comma (it was "unexpected ','")
    [
      '\\begin{aligned} h_t &= o_t \\odot \\tanh(C_t), \\\\ &= o_t \\odot \\tanh(f_t \\odot C_{t-1}). \\end{aligned}',
      lstm,
      'h[t] = o[t] .* tanh(C[t]) = o[t] .* tanh(f[t] .* C[t-1])',
    ],
    // a comma ending a row inside a bracket the row leaves open is the list's (a review's: it was dropped)
    [
      '\\begin{aligned} f_t &= \\sigma(W_f [h_{t-1}, \\\\ &\\qquad x_t]) \\end{aligned}',
      lstm,
      'f[t] = sigma(W_f * [h[t-1]; x[t]])',
    ],
    // rows that continue the formula: with a relation, with an operator, after a relation
    [
      '\\begin{aligned} h_t &= o_t \\odot \\tanh(C_t) \\\\ &= o_t \\odot \\tanh(f_t \\odot C_{t-1}) \\end{aligned}',
      lstm,
      'h[t] = o[t] .* tanh(C[t]) = o[t] .* tanh(f[t] .* C[t-1])',
    ],
    [
      '\\begin{aligned} C_t = {} & f_t \\odot C_{t-1} \\\\ & + i_t \\odot o_t \\end{aligned}',
      lstm,
      'C[t] = f[t] .* C[t-1] + i[t] .* o[t]',
    ],
    // quotients of the size d stay quotients (a review found the first differential rule refusing them)
    ['\\frac{d-1}{d+1} \\le 1', lab, '(d - 1) / (d + 1) <= 1'],
    ['\\frac{d k}{d T} \\le 1', lab, 'd * k / (d * T) <= 1'],
    // diag's argument is a vector: the types settle where it ends
    ['\\text{diag}\\, h^{[\\tau]} W = W', lab, 'diag(h[T]) * W = W'],
    // a display that ends its sentence: the punctuation is the prose's (it was "nothing after '.'")
    ['h_t = o_t \\odot \\tanh(C_t).', lstm, 'h[t] = o[t] .* tanh(C[t])'],
    ['h_t = o_t \\odot \\tanh(C_t),', lstm, 'h[t] = o[t] .* tanh(C[t])'],
  ])('%s', (latex, ctx, ascii) => {
    expect(convert(latex, ctx).ascii).toBe(ascii);
  });

  it('notes a quotient followed by a product, read left to right (a/2k is (a/2)·k)', () => {
    const r = convert('\\|W\\|_2/2k \\le 1', lab);
    expect(r.ascii).toBe('norm2(W) / 2 * k <= 1');
    expect(r.notes.join('\n')).toContain("'/' followed by a product read left to right, (a/b)·c");
  });

  it("notes the differential d, which is also the model's size d", () => {
    expect(convert('\\frac{dL}{dh^{[\\tau]}} = c + h^{[\\tau]}', lab).notes.join('\n')).toContain(
      "'d' in numerator and denominator read as the differential",
    );
  });
});
