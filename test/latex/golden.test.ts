/**
 * Golden readings: LaTeX → the exact ASCII, for the constructs the converter must handle (whitespace matters
 * only as printed here; the notes say how each ambiguity was resolved).
 */
import { describe, expect, it } from 'vitest';
import { convert, fileContext } from './helpers.js';

const lab = fileContext('lab-10-5-vanilla-rnn', { forall: 'k in 1..T' });
const labLstm = fileContext('lab-10-5-lstm', { forall: 'k in 1..T' });
const rnn2024 = fileContext('how-does-lstm-avoid-gradient-explosion-2024-rnn', { forall: 't in 2..T' });
const eq5 = fileContext('how-does-lstm-avoid-gradient-explosion-2024-eq5', { forall: 't in 1..T-1' });
const lstm2024 = fileContext('how-does-lstm-avoid-gradient-explosion-2024-lstm', { forall: 't in 2..T, k in 1..T' });
const lstm2024T = fileContext('how-does-lstm-avoid-gradient-explosion-2024-lstm', {
  forall: 'k in 1..T',
  symbols: new Map([['\\widetilde{C}', 'Ct']]),
});
const k2019 = fileContext('how-lstms-solve-vanishing-gradients-2019', {
  forall: 'k in 0..T-1',
  symbols: new Map([['\\mathcal{D}', 'diag']]),
});
const k2019t = fileContext('how-lstms-solve-vanishing-gradients-2019', {
  forall: 't in 1..T, k in 2..T',
  symbols: new Map([['\\mathcal{D}', 'diag']]),
});
const s2018 = fileContext('why-lstm-works-2018', {
  forall: 't in 1..T, k in 1..t',
  symbols: new Map([
    ['\\theta', 'W_rec'],
    ['\\varepsilon', 'eps'],
  ]),
});
const idx2023 = fileContext('understanding-lstms-2023-index-level', {
  forall: 'i in 1..m, j in 1..d, alpha in 1..d, t in 1..T',
});

const cases: [string, string, typeof lab, string][] = [
  // ── from the corpus (source-texts of the derivation files) ──
  [
    'lab eq. (1)',
    '\\nabla_{h^{[\\tau-k]}} L = [\\prod_{i=1}^k W^T \\mathrm{diag}(1 - h^{[\\tau-k+i]2})] \\cdot \\nabla_{h^{[\\tau]}} L',
    lab,
    "grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])",
  ],
  [
    'lab eq. (1) as the lab writes it',
    '\\nabla_{\\mathbf{h}^{[\\tau-k]}} \\mathcal{L} = \\left[ \\prod_{i=1}^k \\mathbf{W}^T \\text{diag} \\left( 1 - \\mathbf{h}^{[\\tau-k+i]^2} \\right) \\right] \\cdot \\nabla_{\\mathbf{h}^{[\\tau]}} \\mathcal{L} \\quad (1)',
    lab,
    "grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])",
  ],
  [
    'lab eq. (2)',
    '\\|\\nabla_{h^{[\\tau-k]}} h^{[\\tau]}\\| \\le \\|W\\|^k (\\max_x |1 - \\tanh(x)^2|)^k',
    lab,
    'norm2(jac(h[T], h[T-k])) <= norm2(W)^k * supabs(x, 1 - tanh(x)^2)^k',
  ],
  [
    'lab eq. (4) with sup',
    '\\|\\nabla_{s^{[\\tau-k]}} s^{[\\tau]}\\| \\le \\sup_x |\\tanh(x)|^k',
    labLstm,
    'norm2(jac(s[T], s[T-k])) <= supabs(x, tanh(x))^k',
  ],
  [
    '2024 eq. (4), paren-superscript time',
    '\\frac{\\partial h^{(t)}}{\\partial h^{(1)}} = \\prod_{j=2}^{t} \\frac{\\partial h^{(j)}}{\\partial h^{(j-1)}}',
    rnn2024,
    'jac(h[t], h[1]) = prod(j, 2, t, jac(h[j], h[j-1]))',
  ],
  [
    '2024 eq. (5), tanh^2 r_t on a vector, U^T',
    '\\frac{\\partial L}{\\partial r_t} = \\text{diag}(1-\\tanh^2r_t)\\cdot U^T\\cdot \\frac{\\partial L}{\\partial r_{t+1}}+\\text{diag}(1-\\tanh^2r_t)\\cdot V^T\\cdot \\frac{\\partial L}{\\partial z_t}',
    eq5,
    "grad(L, r[t]) = diag(1 - tanh(r[t]).^2) * U' * grad(L, r[t+1]) + diag(1 - tanh(r[t]).^2) * V' * grad(L, z[t])",
  ],
  ['2019 odot and sigma (t quantified)', 'h_t = o_t \\odot \\sigma(s_t)', k2019t, 'h[t] = o[t] .* sigma(s[t])'],
  [
    '2019: t not quantified is the horizon T (notation horizon: t)',
    'h_t = o_t \\odot \\sigma(s_t)',
    k2019,
    'h[T] = o[T] .* sigma(s[T])',
  ],
  [
    '2019 tilde',
    's_k = f_k \\odot \\tilde{s}_{k-1} + i_k \\odot \\tilde{s}_k',
    k2019,
    's[k] = f[k] .* st[k-1] + i[k] .* st[k]',
  ],
  [
    '2019 ⋯ product and ⨀ with a renamed index',
    '\\mathcal{D}(f_t) \\dots \\mathcal{D}(f_{k+1}) = \\mathcal{D}(\\odot_{i=k+1}^t f_i)',
    k2019,
    'prod(j, k+1, T, diag(f[T-j+k+1])) = diag(hprod(j, k+1, T, f[j]))',
  ],
  [
    '2018 sum with a < range, θ and ε from the symbol maps',
    '\\frac{\\partial \\varepsilon}{\\partial \\theta} = \\sum_{1\\leq t\\leq T} \\frac{\\partial \\varepsilon_t}{\\partial \\theta}',
    fileContext('why-lstm-works-2018', {
      symbols: new Map([
        ['\\theta', 'W_rec'],
        ['\\varepsilon', 'eps'],
      ]),
    }),
    'grad(L, W_rec) = sum(t, 1, T, grad(eps[t], W_rec))',
  ],
  [
    '2018 ∏ over k < i ≤ t',
    '\\frac{\\partial x_t}{\\partial x_k} = \\prod_{k < i \\leq t} \\frac{\\partial x_i}{\\partial x_{i-1}}',
    s2018,
    'jac(x[t], x[k]) = prod(i, k+1, t, jac(x[i], x[i-1]))',
  ],
  [
    '2018 two-factor ⋯ block, counted form',
    '\\frac{\\partial h_t}{\\partial C_t}\\frac{\\partial C_t}{\\partial h_{t-1}}\\frac{\\partial h_{t-1}}{\\partial C_{t-1}}\\frac{\\partial C_{t-1}}{\\partial h_{t-2}} \\cdots \\frac{\\partial h_{t-k+1}}{\\partial C_{t-k+1}}\\frac{\\partial C_{t-k+1}}{\\partial h_{t-k}}',
    s2018,
    'prod(i, 1, k, jac(h[t-i+1], C[t-i+1]) * jac(C[t-i+1], h[t-i]))',
  ],
  [
    '2023 index level: units and entries',
    '\\frac{\\partial y_1^i}{\\partial v_{ij}} = h^j_1',
    idx2023,
    'd(y[1, i], V[i, j]) = h[1, j]',
  ],
  // ── the constructs of the issue ──
  [
    'evaluation bar → partial',
    '\\left.\\frac{\\partial C_t}{\\partial C_{t-1}}\\right|_{h_{t-1}} = \\operatorname{diag}(f_t)',
    lstm2024,
    'partial(C[t], C[t-1], h[t-1]) = diag(f[t])',
  ],
  [
    'bare sequence held at every step, \\bigodot, \\Big',
    '\\left.\\frac{\\partial C_t}{\\partial C_{t-k}}\\right|_{h} = \\operatorname{diag}\\Big(\\bigodot_{j=1}^{k} f_{t-j+1}\\Big)',
    lstm2024,
    'partial(C[t], C[t-k], h) = diag(hprod(j, 1, k, f[t-j+1]))',
  ],
  [
    '∇, \\boldsymbol, tanh′(z) on a vector',
    '\\nabla_{C_{t}} L = \\boldsymbol{o}_t \\odot \\tanh^\\prime(C_t) \\odot \\nabla_{h_t} L',
    lstm2024,
    'grad(L, C[t]) = o[t] .* (1 - tanh(C[t]).^2) .* grad(L, h[t])',
  ],
  [
    'σ′(z) on a vector',
    "\\nabla_{f_t} L = \\sigma'(f_t) \\odot \\nabla_{h_t} L",
    lstm2024,
    'grad(L, f[t]) = sigma(f[t]) .* (1 - sigma(f[t])) .* grad(L, h[t])',
  ],
  ['‖·‖_2, ‖·‖_F, \\geq', '\\|W_f\\|_2 \\geq \\|W_f\\|_F', lstm2024, 'norm2(W_f) >= normF(W_f)'],
  [
    '\\left\\| … \\right\\|, \\rho, ^\\top',
    '\\left\\| \\frac{\\partial C_t}{\\partial C_{t-1}} \\right\\| \\le \\rho(W_f^\\top W_f)',
    lstm2024,
    "norm2(jac(C[t], C[t-1])) <= rho(W_f' * W_f)",
  ],
  [
    '\\operatorname{tr}, ^{\\intercal}, a power of a norm',
    '\\operatorname{tr}(W_i^{\\intercal} W_i) \\le \\|W_i\\|_F^2',
    lstm2024,
    "trace(W_i' * W_i) <= normF(W_i)^2",
  ],
  [
    '\\vec and \\mathbf ignored',
    'h_t = \\vec{o}_t \\odot \\tanh(\\mathbf{C}_t)',
    lstm2024,
    'h[t] = o[t] .* tanh(C[t])',
  ],
  [
    'stacking [h_{t-1}, x_t], \\widetilde, \\big',
    '\\widetilde{C}_t = \\tanh\\big(W_C [h_{t-1}, x_t]\\big)',
    lstm2024T,
    'Ct[t] = tanh(W_C * [h[t-1]; x[t]])',
  ],
  [
    '\\mathbf{1}, x^{\\odot 2}, x^2 on a vector',
    '\\mathbf{1} - o_t^{\\odot 2} = \\mathbf{1} - o_t^2',
    lstm2024,
    '1 - o[t].^2 = 1 - o[t].^2',
  ],
  ['h_t^T h_t with T a transpose letter', 'h_t^T h_t = \\|h_t\\|^2', lstm2024, "h[t]' * h[t] = norm2(h[t])^2"],
  ['matrix power W^{k}', '\\|W_f^{k}\\| \\le \\|W_f\\|^k', lstm2024, 'norm2(W_f^k) <= norm2(W_f)^k'],
  [
    'juxtaposed vectors are ⊙',
    'C_t = f_t C_{t-1} + i_t \\widetilde{C}_t',
    lstm2024T,
    'C[t] = f[t] .* C[t-1] + i[t] .* Ct[t]',
  ],
  [
    'a column ∇ times a row: an outer product, bmatrix, \\mathrm{diag}',
    '\\frac{\\partial L}{\\partial W_f} = \\sum_{s=1}^{T} \\mathrm{diag}(C_{s-1} \\odot f_s \\odot (1 - f_s)) \\nabla_{C_s} L \\, \\begin{bmatrix} h_{s-1} \\\\ x_s \\end{bmatrix}^\\top',
    lstm2024,
    "grad(L, W_f) = sum(s, 1, T, diag(C[s-1] .* f[s] .* (1 - f[s])) * grad(L, C[s]) * [h[s-1]; x[s]]')",
  ],
  ['||·|| written with two bars', '||f_t|| \\le 1', lstm2024, 'norm2(f[t]) <= 1'],
  ['a quotient', '\\frac{\\|W_f\\|}{2} \\le 1', lstm2024, 'norm2(W_f) / 2 <= 1'],
  [
    'alignment outside an environment: one formula over two rows',
    'h_t &= o_t \\odot \\tanh(C_t) \\\\ &= o_t \\odot \\tanh(f_t \\odot C_{t-1})',
    lstm2024,
    'h[t] = o[t] .* tanh(C[t]) = o[t] .* tanh(f[t] .* C[t-1])',
  ],
  [
    '\\tag and an align environment',
    '\\begin{align} h_t &= o_t \\odot \\tanh(C_t) \\tag{11} \\end{align}',
    lstm2024,
    'h[t] = o[t] .* tanh(C[t])',
  ],
  // KaTeX puts a number's script on its last digit: 10^{-20} was read 1 * 0^(-20), 2.5^2 as 2 * 5^2 (a review's)
  [
    'a power of a number of several digits',
    '10^{-20} \\|W\\|_2 \\le \\|W\\|_2',
    lab,
    '10^(-20) * norm2(W) <= norm2(W)',
  ],
  ['a power of a decimal', '2.5^{2} \\|W\\|_2 \\ge 12^k \\|W\\|_2', lab, '2.5^2 * norm2(W) >= 12^k * norm2(W)'],
];

describe('golden readings', () => {
  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));
  for (const [name, latex, ctx, ascii] of cases) {
    it(name, () => {
      expect(convert(latex, ctx).ascii).toBe(ascii);
    });
  }
});

describe('chains and notes', () => {
  it('drops a leading name before a chain (t_0 = a = b), and reads a = b = c as a chain', () => {
    const r = convert(
      "t_0 = \\mathcal{L}'_t(h_t) \\cdot \\mathcal{D}(f_t) \\dots \\mathcal{D}(f_{k+1}) = \\mathcal{L}'_t(h_t).\\mathcal{D}(\\odot_{i=k+1}^t f_i)",
      k2019,
    );
    expect(r.ascii).toBe(
      "grad(L, h[T])' * prod(j, k+1, T, diag(f[T-j+k+1])) = grad(L, h[T])' * diag(hprod(j, k+1, T, f[j]))",
    );
    expect(r.relation).toBe('=');
    expect(r.chain).toBeNull();
    const c = convert(
      '\\frac{\\partial s_t}{\\partial s_{t-1}} = \\mathcal{D}(f_t) = \\mathcal{D}(f_t) \\le \\mathcal{D}(f_t)',
      k2019t,
    );
    expect(c.chain?.from.ascii).toBe('jac(s[t], s[t-1])');
    expect(c.chain?.steps.map((s) => [s.relation, s.to.ascii])).toEqual([
      ['=', 'diag(f[t])'],
      ['=', 'diag(f[t])'],
      ['<=', 'diag(f[t])'],
    ]);
    expect(c.relation).toBeNull();
    expect(r.notes.some((n) => n.includes("'t_0 =' read as the formula's name"))).toBe(true);
    expect(r.notes.some((n) => n.includes("'.' between two factors read as a product"))).toBe(true);
  });
  it('says how far the body of a product extends', () => {
    const r = convert('\\prod_{i=1}^{k} W^T \\mathrm{diag}(1 - h^{[\\tau-k+i]2}) + W', lab);
    expect(r.ascii).toBe("prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) + W");
    expect(r.notes.join('\n')).toContain(
      'the body of prod runs to the end of its term: "W^T \\mathrm{diag}(1 - h^{[\\tau-k+i]2})"',
    );
  });
  it('reads h^{T} in a superscript notation as the time T, with a note', () => {
    const r = convert('\\|h^{T}\\| \\le 1', fileContext('how-does-lstm-avoid-gradient-explosion-2024-rnn'));
    expect(r.ascii).toBe('norm2(h[T]) <= 1');
    expect(r.notes.join('\n')).toContain('read as the time T');
  });
  it('reports index variables that are not quantified', () => {
    const r = convert('\\|h_{t-k}\\| \\le 1', fileContext('how-does-lstm-avoid-gradient-explosion-2024-lstm'));
    expect(r.freeIndexVars).toEqual(['t', 'k']);
  });
  it('takes the equation number from \\tag and from a trailing \\quad (N)', () => {
    expect(convert('h_t = o_t \\odot \\tanh(C_t) \\tag{11}', lstm2024).tag).toBe('11');
    expect(convert('h_t = o_t \\odot \\tanh(C_t) \\quad (11)', lstm2024).tag).toBe('11');
  });
});
