/** Golden LaTeX in each notation profile, as the sources write it. */
import katex from 'katex';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { claimLatex } from '../../src/emit/claim-latex.js';

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const lstm = loadDerivationFile('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml');
const post = loadDerivationFile('derivations/understanding-lstms-2023-index-level.yaml');
const claim = (d: typeof lab, id: string) => d.claims.find((c) => c.id === id)!;

describe('LaTeX in the source notation', () => {
  it("the lab's eq. (1): bold h^{[τ−k]}, W^T, the product bracketed as a factor", () => {
    expect(claimLatex(lab, claim(lab, 'lab-eq1'))).toBe(
      '\\nabla_{\\mathbf{h}^{[\\tau-k]}} \\mathcal{L} = \\left[ \\prod_{i=1}^{k} \\mathbf{W}^{T} \\operatorname{diag}\\left(1 - \\left(\\mathbf{h}^{[\\tau-k+i]}\\right)^{2}\\right) \\right] \\nabla_{\\mathbf{h}^{[\\tau]}} \\mathcal{L}',
    );
  });

  it("the 2023 post's units and entries: h^α_t, u_{α c} (a space after a control word)", () => {
    const tex = claimLatex(post, claim(post, 'recurrence-w'));
    expect(tex).toContain('u_{\\alpha c}');
    expect(tex).toContain('\\frac{\\partial h^{\\alpha}_{t}}{\\partial w_{ij}}');
  });

  it.each([lab, lstm, post])('every claim of %s renders in KaTeX (strict, trust off)', (d) => {
    for (const c of d.claims)
      expect(() =>
        katex.renderToString(claimLatex(d, c), { strict: 'error', throwOnError: true, trust: false }),
      ).not.toThrow();
  });
});

describe('LaTeX bugs found by users', () => {
  it('a notation name with its own subscript gets braces before the time: {w_\\textrm{h}}_{t}, no double subscript', async () => {
    const { parseDerivation } = await import('../../src/derivation/load.js');
    const text = readFileSync('test/fixtures/models/d2l-bptt.yaml', 'utf8').replace(
      'claims:',
      "notation:\n  name.W_hh: 'w_\\textrm{h}'\n  name.h: 'h_\\textrm{v}'\nclaims:",
    );
    const d = parseDerivation(text, 'd2l.yaml');
    for (const c of d.claims) {
      const tex = claimLatex(d, c);
      expect(() => katex.renderToString(tex, { strict: 'error', throwOnError: true })).not.toThrow();
    }
    expect(
      claimLatex(
        d,
        d.claims.find((c) => c.id === 'd2l-9-7-13')!,
      ),
    ).toContain('{h_\\textrm{v}}_{T}');
  });

  it("derive's summation index does not capture a sequence named like it: s' beside s_{s'-1}", async () => {
    const { derive, loadDerivationFile: load } = await import('../../src/index.js');
    const { latexWriterFor } = await import('../../src/emit/derive-report.js');
    const d = load('test/fixtures/models/wildml-bptt.yaml');
    const [q] = derive(d, 'grad(L, W)', null);
    const tex = latexWriterFor(d).relation(q!.quantity, '=', q!.derived!);
    expect(tex).toContain("\\sum_{s'=1}^{T}");
    expect(tex).toContain("s'-1");
    expect(() => katex.renderToString(tex, { strict: 'error', throwOnError: true })).not.toThrow();
  });

  it('a notation name with its own superscript is braced before a transpose or a power: {W^{(1)}}^{\\top}', async () => {
    const { parseDerivation } = await import('../../src/derivation/load.js');
    const text = readFileSync('test/fixtures/models/d2l-bptt.yaml', 'utf8').replace(
      'claims:',
      "notation:\n  name.W_hh: 'W^{(1)}'\n  name.W_qh: 'w_\\textrm{q}'\nclaims:",
    );
    const d = parseDerivation(text, 'd2l.yaml');
    const tex = claimLatex(
      d,
      d.claims.find((c) => c.id === 'd2l-9-7-15')!,
    );
    // (the horizon is T here, so a transpose is ^\top: see the next test)
    expect(tex).toContain('{W^{(1)}}^{\\top}');
    expect(tex).toContain('{w_\\textrm{q}}^{\\top}');
    for (const c of d.claims)
      expect(() =>
        katex.renderToString(claimLatex(d, c), { strict: 'error', throwOnError: true, trust: false }),
      ).not.toThrow();
  });

  it('writes a transpose ^\\top where the horizon is written T: W^{T} would read as W to the power T (review158)', async () => {
    const { parseDerivation } = await import('../../src/derivation/load.js');
    const file = (notation: string) =>
      parseDerivation(
        readFileSync('test/fixtures/models/d2l-bptt.yaml', 'utf8').replace('claims:', `${notation}claims:`),
        'd2l.yaml',
      );
    const latexOf = (d: ReturnType<typeof parseDerivation>) => d.claims.map((c) => claimLatex(d, c)).join('\n');
    // the blog profile: the horizon T, so transposes as ^\top; a power T − i and a sum's limit T stay as they are
    const blog = latexOf(file(''));
    expect(blog).toContain('\\left(W_{hh}^{\\top}\\right)^{T - i} W_{qh}^{\\top}');
    expect(blog).toContain('\\sum_{t=1}^{T} \\nabla_{h_{t}} L x_{t}^{\\top}');
    // the lab's profile, its horizon τ: ^{T} is unambiguous there, as the lab writes it
    const lab = latexOf(file('notation:\n  profile: lab\n'));
    expect(lab).toContain('\\left(\\mathbf{W}_{hh}^{T}\\right)^{\\tau - i} \\mathbf{W}_{qh}^{T}');
    expect(lab).not.toContain('\\top');
  });

  it('primes an index written as the horizon is where the formula reads the horizon: with `horizon: t`, Σ_{t=1}^{t} would read as nonsense', async () => {
    const { parseDerivation } = await import('../../src/derivation/load.js');
    const d = parseDerivation(
      readFileSync('test/fixtures/models/d2l-bptt.yaml', 'utf8').replace('claims:', 'notation:\n  horizon: t\nclaims:'),
      'd2l.yaml',
    );
    const tex = d.claims.map((c) => claimLatex(d, c)).join('\n');
    expect(tex).toContain("\\sum_{t'=1}^{t} \\nabla_{h_{t'}} L x_{t'}^{T}");
    expect(tex).toContain("\\sum_{i=t'}^{t} \\left(W_{hh}^{T}\\right)^{t - i}");
    expect(tex).not.toMatch(/_\{t=1\}\^\{t\}/);
    // a formula that does not read the horizon keeps the source's letter (the 2019 post's ∂c_t/∂c_{t−1})
    expect(tex).toContain('\\frac{\\partial h_{t}}{\\partial W_{hh}} = ');
    for (const c of d.claims)
      expect(() =>
        katex.renderToString(claimLatex(d, c), { strict: 'error', throwOnError: true, trust: false }),
      ).not.toThrow();
  });
});

describe('a transposed derivative (a review: the mark sat on the loss’s last token, and the LaTeX did not read back)', () => {
  it('is parenthesised whole, and reads back as the same claim', async () => {
    const { parseDerivation } = await import('../../src/derivation/load.js');
    const { fileContext, convert } = await import('../latex/helpers.js');
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
    const d = parseDerivation(
      `${text.slice(0, text.indexOf('claims:'))}claims:
  - id: grad-t
    claim: grad(L, h[T])' * W = grad(L, h[T])' * W
  - id: jac-t
    claim: jac(h[T], h[T-1])' = W' * diag(1 - h[T].^2)
`,
      'transposed.yaml',
    );
    const [gradT, jacT] = d.claims.map((c) => claimLatex(d, c));
    expect(gradT).toBe(
      '\\left(\\nabla_{\\mathbf{h}^{[\\tau]}} \\mathcal{L}\\right)^{T} \\mathbf{W} = \\left(\\nabla_{\\mathbf{h}^{[\\tau]}} \\mathcal{L}\\right)^{T} \\mathbf{W}',
    );
    expect(jacT).toMatch(
      /^\\left\(\\frac\{\\partial \\mathbf\{h\}\^\{\[\\tau\]\}\}\{\\partial \\mathbf\{h\}\^\{\[\\tau-1\]\}\}\\right\)\^\{T\} = /,
    );
    const ctx = fileContext('lab-10-5-vanilla-rnn');
    expect(convert(gradT!, ctx).ascii).toBe("grad(L, h[T])' * W = grad(L, h[T])' * W");
    expect(convert(jacT!, ctx).ascii).toBe("jac(h[T], h[T-1])' = W' * diag(1 - h[T].^2)");
  });
});
