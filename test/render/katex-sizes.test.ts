/**
 * User-sized boxes and spaces in rendered math are bounded: `\rule{100000em}{100000em}` in a source formula or in
 * prose drew a black box over the whole HTML page, and `\kern{-100000em}` moved what follows off it, until
 * 2026-12-05 (a review found both). KaTeX caps sizes from above (maxSize); a far negative one is refused.
 */
import { describe, expect, it } from 'vitest';
import { isRenderableMath, MathError, renderMath } from '../../src/render/katex.js';

describe('sizes in rendered math', () => {
  it('a huge \\rule is refused (its MathML carries the raw size; the HTML part is capped at 20em)', () => {
    expect(() => renderMath('\\rule{100000em}{100000em}', false)).toThrow(/a size of 100000em/);
    const html = renderMath('\\rule{30em}{30em}', false);
    expect(html).toContain('border-right-width:20em');
  });

  it('a far negative \\kern is refused, and such a source formula is shown as text', () => {
    expect(() => renderMath('x\\kern{-100000em}y', false)).toThrow(MathError);
    expect(() => renderMath('x\\kern{-100000em}y', false)).toThrow(/beyond ±500em/);
    expect(isRenderableMath('\\rule{100000em}{100000em}\\kern{-100000em}')).toBe(false);
  });

  it("a formula's own layout is untouched: a tall matrix and ordinary spacing render", () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i} & x_{${i}}`).join(' \\\\ ');
    expect(isRenderableMath(`\\begin{pmatrix} ${rows} \\end{pmatrix} \\quad \\qquad \\, a \\kern{-0.5em} b`)).toBe(
      true,
    );
  });

  it("a long formula of our own macros renders: KaTeX's expansion limit grows with its length", () => {
    // 400 diag factors as the emitter writes them: KaTeX's default of 1000 expansions stopped this, and the page
    // (a chain of 300 steps, one claim of 350 diag factors) failed with an internal error (a review's)
    const tex = Array.from({ length: 400 }, () => '\\operatorname{diag}\\left(1 - h_{T}^{2}\\right)').join(' ');
    expect(renderMath(tex, true)).toContain('diag');
    // a macro loop is still stopped: \def is refused before KaTeX, and an expansion past the scaled limit is an error
    expect(() => renderMath('\\gdef\\a{\\a}\\a', false)).toThrow(MathError);
  });
});
