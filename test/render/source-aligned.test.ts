/**
 * A source formula copied out of an `align` environment (`a &= b \\ &= c`) is set in `aligned` before KaTeX or
 * pdflatex sees it, once for every format. Until 2026-12-07 such a formula failed KaTeX's check and was shown as its
 * LaTeX source (a quote in the .tex and the HTML page, a `>` line of escaped backslashes in the Markdown): six claims
 * of the index-level document, a review found.
 */
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import { htmlPage } from '../../src/render/html.js';
import { isRenderableMath, numberedSource, sourceMath } from '../../src/render/katex.js';
import { markdownDocument } from '../../src/render/markdown.js';
import { texDocument } from '../../src/render/tex.js';
import { modelFile } from '../support/model-file.js';
import { compileLatex, hasPdflatex } from './latex-compile.js';
import { oneInstanceDocument } from '../support/document.js';

const needs = (present: boolean) => (present || process.env.CI ? it : it.skip);

const ALIGNED = String.raw`\nabla_{h_{T-1}} L &= W^T \delta_T \\ &= W^T \nabla_{h_T} L`;

const YAML = modelFile({
  title: 'Aligned source',
  name: 'tanh RNN',
  sizes: 'd: 2..3, T: 3..4',
  symbols: ['W', 'h'],
  equations: ['h[t] = tanh(W*h[t-1])'],
  loss: 'L = sum(h[T])',
  claims: String.raw`  - id: eq4
    label: eq. (4)
    source-text: '${ALIGNED}'
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
document:
  intro: An aligned source formula.
  sections:
    - heading: A
      claims: [eq4]
`,
});

function view() {
  const d = parseDerivation(YAML, 'aligned.yaml');
  return oneInstanceDocument(d);
}

describe('an aligned source formula', () => {
  it('is wrapped in aligned when & or \\\\ stands outside any environment, else left as it is', () => {
    expect(sourceMath('a &= b')).toBe('\\begin{aligned}\na &= b\n\\end{aligned}');
    expect(sourceMath('a = b \\\\ c = d')).toBe('\\begin{aligned}\na = b \\\\ c = d\n\\end{aligned}');
    expect(isRenderableMath(ALIGNED)).toBe(false);
    expect(isRenderableMath(sourceMath(ALIGNED))).toBe(true);
    for (const same of [
      'a \\& b',
      '\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}',
      '\\begin{aligned} a &= b \\end{aligned}',
    ])
      expect(sourceMath(same)).toBe(same);
    expect(numberedSource(ALIGNED, '4')).toBe(`\\begin{aligned}\n${ALIGNED}\n\\end{aligned} \\tag{4}`);
  });

  it('is typeset in HTML, Markdown and LaTeX alike', () => {
    const v = view();
    const html = htmlPage([v], '');
    expect(html).not.toContain('class="source-text"');
    expect(html).not.toContain('katex-error');
    expect(html).toMatch(/<div class="source"><div class="math[^"]*">.*<span class="katex-display">/);
    expect(markdownDocument([v], () => null)).toContain(
      `As the source writes it:\n\n$$\n\\begin{aligned}\n${ALIGNED}\n\\end{aligned} \\tag{4}\n$$\n\nAs checked:`,
    );
    expect(texDocument([v])).toContain(
      `As the source writes it:\n\\begin{equation}\n\\fitmath{\\begin{aligned}\n${ALIGNED}\n\\end{aligned}}\\tag{4}\n\\end{equation}\nAs checked:`,
    );
  });

  needs(hasPdflatex)(
    'compiles with pdflatex',
    async () => {
      const result = await compileLatex(texDocument([view()]), { timeoutMs: 5 * 60_000 });
      if (!result.ok) throw new Error(`${result.error}\n${result.logExcerpt}`);
      expect(result.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    },
    5 * 60_000,
  );
});
