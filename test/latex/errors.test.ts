/** Located errors: the offset (and end) of the offending token, and the source map from ASCII back to LaTeX. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseDerivation } from '../../src/derivation/load.js';
import { latexSpanOf } from '../../src/latex/convert.js';
import { LatexInputError, lineColAt } from '../../src/latex/errors.js';
import { claimErrorAt, convert, errorOf, fileContext } from './helpers.js';

const lab = fileContext('lab-10-5-vanilla-rnn', { forall: 'k in 1..T' });
const labLstm = fileContext('lab-10-5-lstm', { forall: 'k in 1..T' });
const lstm = fileContext('how-does-lstm-avoid-gradient-explosion-2024-lstm', { forall: 't in 2..T' });
const rnn = fileContext('how-does-lstm-avoid-gradient-explosion-2024-rnn', { forall: 't in 2..T' });
const s2018 = fileContext('why-lstm-works-2018', { forall: 't in 1..T, k in 1..t' });

/** Asserts the error covers exactly `token`, found at its `nth` occurrence in the LaTeX. */
function at(latex: string, ctx: Parameters<typeof convert>[1], token: string, nth = 0) {
  const e = errorOf(() => convert(latex, ctx));
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = latex.indexOf(token, offset + 1);
  expect(e).toBeInstanceOf(LatexInputError);
  expect(latex.slice(e.offset, e.end)).toBe(token);
  expect(e.offset).toBe(offset);
  return e;
}

describe('located errors', () => {
  it('an unknown symbol: η, named only in the text', () => {
    const e = at(
      '\\frac{\\partial x_t}{\\partial x_k} = \\prod_{k < i \\leq t} \\frac{\\partial x_i}{\\partial x_{i-1}} \\leq \\eta^{t-k} < 1',
      s2018,
      '\\eta',
    );
    expect(e.offset).toBe(100);
    expect(e.problem).toBe("unknown symbol '\\eta'");
  });
  it("an unsupported construct names itself, not '[object Object]' (\\mathchoice carries its branches as its text)", () => {
    const e = errorOf(() => convert('\\mathchoice{W}{W}{W}{W} = W', lstm));
    expect(e.problem).toBe("unsupported construct (mathchoice): '\\mathchoice'");
  });
  it('an implicit argument σ′(·)', () => {
    const e = at('\\frac{\\partial C_t}{\\partial C_{t-1}} = C_{t-1} \\sigma^{\\prime}(\\cdot) W_f', lstm, '\\cdot');
    expect(e.problem).toContain('left implicit');
  });
  it('tanh′ with no argument', () => {
    const e = errorOf(() => convert('\\prod_{j=2}^{t} \\tanh^\\prime \\cdot W', rnn));
    expect('\\prod_{j=2}^{t} \\tanh^\\prime \\cdot W'.slice(e.offset, e.end)).toBe('\\tanh^\\prime');
    expect(e.problem).toContain('at which point is the derivative taken');
  });
  it("a prime on a parameter (W' for Wᵀ): located, and the transpose suggested", () => {
    const e = at("\\frac{\\partial h_T}{\\partial h_{T-1}} = W' \\operatorname{diag}(1 - h_T^2)", lab, "'");
    expect(e.problem).toBe(
      'a prime on the parameter W: a prime is read as a derivative, and W is no function of anything',
    );
    expect(e.expected).toBe('W^\\top (or W^T) for its transpose');
  });
  it('h^T in a subscript notation: no reading, both readings named', () => {
    const e = at('\\|h^T\\| \\le 1', lstm, 'h^T');
    expect(e.readings).toHaveLength(2);
    expect(e.readings![0]).toContain('transpose');
    expect(e.readings![1]).toContain('at time T');
  });
  it('\\cdot between two vectors: both readings named', () => {
    const e = at('h_t \\cdot o_t = 1', lstm, '\\cdot');
    expect(e.readings?.join(' ')).toContain('dot product');
  });
  it("a vector added to a matrix (the lab's c beside ∏ diag)", () => {
    const e = at(
      '\\nabla_{s^{[\\tau-k]}} L = [c + \\prod_{i=1}^k \\mathrm{diag}(e^{[\\tau-k+i]})] \\nabla_{h^{[\\tau]}} L',
      labLstm,
      '+',
    );
    expect(e.readings?.[0]).toBe('c is a col');
  });
  it('a sequence without its time', () => at('\\|h\\| \\le 1', lab, 'h'));
  it('prose: located at its first word', () => {
    const e = at('in each LSTM cell, there are two paths that h_{i-1} could affect h_{i}', s2018, 'in');
    expect(e.problem).toContain('reads as prose');
  });
  it('prose in \\text', () => at('\\text{the gradients vanish} \\le 1', lab, '\\text{the gradients vanish}'));
  it('a limit is not a relation', () => {
    const e = at('||f_t|| \\to 0', lstm, '\\to');
    expect(e.problem).toContain('limit');
  });
  it('a continuation that starts with =', () => at('= \\frac{\\partial h_t}{\\partial C_t}', s2018, '='));
  it('a sum without its range', () => at('\\sum_{\\gamma} W', lab, '{\\gamma}'));
  it('a sum over an index path', () => at('\\sum_{\\gamma_1=1}^{n} W', lab, '\\gamma_1'));
  it('a bad index', () => at('h^{[\\tau - W]}', lab, 'W'));
  it('an unbalanced delimiter', () => at('(W + W', lab, '('));
  it('the LaTeX itself does not parse (KaTeX located)', () => {
    const e = errorOf(() => convert('\\frac{W}{', lab));
    expect(e.problem).toContain('LaTeX does not parse');
    expect(e.offset).toBe(9);
  });
  it('an undeclared function σ_y', () => at("\\sigma_y'(W)", lab, 'y'));
});

describe('source map', () => {
  const latex =
    '\\nabla_{\\mathbf{h}^{[\\tau-k]}} \\mathcal{L} = \\left[ \\prod_{i=1}^k \\mathbf{W}^T \\text{diag} \\left( 1 - \\mathbf{h}^{[\\tau-k+i]^2} \\right) \\right] \\cdot \\nabla_{\\mathbf{h}^{[\\tau]}} \\mathcal{L}';
  const r = convert(latex, lab);
  const back = (asciiFragment: string, nth = 0): string => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = r.ascii.indexOf(asciiFragment, i + 1);
    const { start, end } = latexSpanOf(r, i, i + asciiFragment.length);
    return latex.slice(start, end);
  };
  it('has one entry per ASCII character', () => {
    expect(r.sourceMap).toHaveLength(r.ascii.length);
    expect(r.sourceEnd).toHaveLength(r.ascii.length);
  });
  it('maps names, times and operators to the LaTeX they came from', () => {
    expect(r.ascii).toBe("grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])");
    expect(back('T', 0)).toBe('\\tau'); // h[T-k]: T came from \tau
    expect(back('k', 0)).toBe('k');
    expect(back("'")).toBe('T'); // the transpose came from ^T
    expect(back('W')).toBe('\\mathbf{W}');
    expect(back('diag')).toContain('\\text{diag}');
    expect(back('.^2')).toBe('2');
    expect(back('=')).toBe('=');
    expect(back('L', 0)).toBe('\\mathcal{L}');
    expect(back('grad', 0).startsWith('\\nabla')).toBe(true);
    expect(back('prod').startsWith('\\prod')).toBe(true);
  });
  it('maps an error the ASCII parser would find back into the LaTeX', () => {
    // e.g. the main parser rejecting the free index k in h[T-k] at its ASCII offset
    const asciiOffset = r.ascii.indexOf('k');
    const { start } = latexSpanOf(r, asciiOffset);
    expect(latex.slice(start, start + 1)).toBe('k');
    expect(lineColAt(latex, start)).toEqual({ line: 1, col: start + 1 });
  });
});

describe('errors located in a derivation file (YAML)', () => {
  // The 2024 LSTM file's model and notation, with claims appended in the three scalar styles.
  const base = readFileSync('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml', 'utf8');
  const head = base.slice(0, base.indexOf('\nclaims:'));
  const load = (claims: string[]): string => claimErrorAt(head, claims);
  it('single-quoted: the unknown symbol after a doubled quote', () => {
    const msg = load([
      '  - id: single',
      "    latex: '\\frac{\\partial L}{\\partial h_t} = o_t'' \\eta'",
      '    forall: t in 1..T',
      '    expect: verified',
    ]);
    expect(msg).toBe(
      "+1:53 unknown symbol '\\eta' (expected a model symbol, a size, an index in scope, or a symbol-map entry)",
    );
  });
  it('block scalar: the second line of the formula', () => {
    const msg = load([
      '  - id: block',
      '    latex: |',
      '      \\|h_t\\|',
      '      \\le \\eta',
      '    forall: t in 1..T',
      '    expect: verified',
    ]);
    expect(msg.startsWith('+3:11 unknown symbol')).toBe(true);
  });
  it('double-quoted: the escape that writes the backslash', () => {
    const msg = load([
      '  - id: double',
      '    latex: "\\\\|h_t\\\\| \\\\le \\\\eta"',
      '    forall: t in 1..T',
      '    expect: verified',
    ]);
    expect(msg.startsWith('+1:28 unknown symbol')).toBe(true);
  });
  it('an error the ASCII stages find (shapes) is located at the LaTeX relation', () => {
    const msg = load(['  - id: shapes', "    latex: 'h_t = W_f'", '    forall: t in 1..T', '    expect: verified']);
    expect(msg).toMatch(/^\+1:17 the sides have different shapes/);
  });
  it('an ambiguity no rule settles names both readings', () => {
    const msg = load(['  - id: ambiguous', "    latex: '\\|h^T\\| \\le 1'", '    expect: verified']);
    expect(msg).toMatch(/^\+1:15 .*readings: .*transpose.*; .*at time T/);
  });
  it('a model equation in LaTeX is located too', () => {
    const text = head.replace(
      /equations:\n {4}- [^\n]*/,
      "equations:\n    - latex: 'f_t = \\sigma(W_f [h_{t-1}, x_t] + q)'",
    );
    expect(text).not.toBe(head);
    const err = errorOf(() => parseDerivation(`${text}\nclaims: []\n`, 'file.yaml'));
    const line = text.split('\n').findIndex((l) => l.includes("latex: 'f_t")) + 1;
    expect(err.message.startsWith(`file.yaml:${line}:49: unknown symbol 'q'`)).toBe(true);
  });
});

describe('a model equation in LaTeX', () => {
  it('gives the same equation (IR and text) as the ASCII it replaces', async () => {
    const { printExpr } = await import('../../src/ir/print.js');
    const ascii = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
    const latex = ascii.replace(
      '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)',
      "    - latex: 'h^{[t]} = \\tanh(\\mathbf{W} h^{[t-1]} + U x^{[t]} + b)'",
    );
    expect(latex).not.toBe(ascii);
    const [a, l] = [parseDerivation(ascii, 'a.yaml'), parseDerivation(latex, 'l.yaml')];
    expect(printExpr(l.model.equations[0]!.rhs)).toBe(printExpr(a.model.equations[0]!.rhs));
    expect(l.model.equations[0]!.text).toBe('h[t] = tanh(W * h[t-1] + U * x[t] + b)');
  });
});

describe('hostile formulas', () => {
  it('nesting past the stack is a located error, not a crash', () => {
    const e = errorOf(() => convert(`${'{'.repeat(5000)}W${'}'.repeat(5000)} = W`, lab));
    expect(e).toBeInstanceOf(LatexInputError);
    expect(e.problem).toBe('too deeply nested');
  });
  it('a formula longer than 20000 characters is refused at the limit', () => {
    const e = errorOf(() => convert(`${'W + '.repeat(5001)}W = W`, lab));
    expect(e.problem).toBe('the formula has 20009 characters, more than 20000');
    expect(e.offset).toBe(20000);
  });
  it('a long sum just under the limit reads term by term', () => {
    const r = convert(`${'W + '.repeat(4900)}W = W`, lab);
    expect(r.ascii).toBe(`${'W + '.repeat(4900)}W = W`);
  });
});
