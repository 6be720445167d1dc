/** Golden LaTeX in each notation profile, as the sources write it. */
import katex from 'katex';
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
