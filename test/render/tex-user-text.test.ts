/**
 * Any text a user writes compiles in the .tex page. Text is text (its LaTeX specials escaped, its blank lines one
 * space); math is math (a formula KaTeX accepted goes in as LaTeX). Until 2026-12-07 a source formula with a blank
 * line stopped pdflatex ("Missing $ inserted": the paragraph ended inside the math), so did $\LaTeX$ in prose ("You
 * can't use \spacefactor in math mode"), \th and \color{x}, and any Unicode inside a formula ("Unicode character ↦
 * (U+21A6) not set up for use with LaTeX"); in text, ↦ and ñ came out as [U+21A6] and [U+00F1] (a review's).
 */
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import { escapeTex, PREAMBLE, texDocument } from '../../src/render/tex.js';
import { SPELLED, spellTex } from '../../src/render/tex-unicode.js';
import { modelFile } from '../support/model-file.js';
import { compileLatex, hasPdflatex } from './latex-compile.js';
import { oneInstanceDocument } from '../support/document.js';

const needs = (present: boolean) => (present || process.env.CI ? it : it.skip);

const YAML = modelFile({
  title: `'Text is text: \\LaTeX, 50% & ↦ ñ 日本'`,
  name: 'tanh RNN',
  sizes: 'd: 2..3, T: 3..4',
  symbols: ['W', 'h'],
  equations: ['h[t] = tanh(W*h[t-1])'],
  loss: 'L = sum(h[T])',
  claims: String.raw`  - id: eq3
    label: 'eq. (3) ↦ Señor'
    source-text: "a \\mapsto b ↦ x̃\n\n+ h₁₂ + x² + \\text{é<b–c 日本} + \\LaTeX"
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
    note: "one\n\ntwo \\LaTeX {x} $y$ 50% ~"
  - id: eq4
    label: 'eq. (4)'
    source-text: '\th + \color{x}{a}'
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
document:
  intro: 'Prose \LaTeX {x} 50% # and $\LaTeX$ and $\text{\TeX} + α ∘ β$ and $x↦y²$ and $\color{red}{a} \color{x}{b}$.'
  sections:
    - heading: "A ↦ B"
      prose: "First.\n\nSecond."
      claims: [eq3, eq4]
`,
});

function tex(): string {
  const d = parseDerivation(YAML, 'text.yaml');
  return texDocument([oneInstanceDocument(d)]);
}

describe('user text in the .tex page', () => {
  it('spells Unicode in text by what it is: math symbols in \\ensuremath, accents as accents, the unknown as a code', () => {
    const cases: [string, string][] = [
      ['k ↦ k+1', 'k \\ensuremath{\\mapsto} k+1'],
      ['αx ↦y', '\\ensuremath{\\alpha}x \\ensuremath{\\mapsto}y'],
      ['x²³ and Wᵀ h₁₂', 'x\\ensuremath{^{23}} and W\\ensuremath{^{T}} h\\ensuremath{_{12}}'],
      ['x̃ ñ í ǘ Å', "\\ensuremath{\\tilde{\\text{x}}} \\~{n} \\'{\\i} \\'{\\\"{u}} \\r{A}"],
      ['e\u0301', "\\'{e}"],
      ['§3 – “q” … ß', "\\S{}3 -- ``q'' \\dots{} \\ss{}"],
      [
        'ℝ ∀ ∃ ≡ ⟨a⟩',
        '\\ensuremath{\\mathbb{R}} \\ensuremath{\\forall} \\ensuremath{\\exists} \\ensuremath{\\equiv} \\ensuremath{\\langle}a\\ensuremath{\\rangle}',
      ],
      ['日本 😀 ą', '[U+65E5][U+672C] [U+1F600] [U+0105]'],
      [
        '\\LaTeX {x}\n\n50% ~ # ^ _ & $',
        '\\textbackslash{}LaTeX \\{x\\} 50\\% \\textasciitilde{} \\# \\textasciicircum{} \\_ \\& \\$',
      ],
    ];
    for (const [text, spelled] of cases) expect(escapeTex(text), text).toBe(spelled);
  });

  it('escapes text, keeps math as LaTeX with its Unicode spelled by mode and its blank lines closed up', () => {
    const out = tex();
    expect(out).toContain(
      '\\title{Text is text: \\textbackslash{}LaTeX, 50\\% \\& \\ensuremath{\\mapsto} \\~{n} [U+65E5][U+672C]}',
    );
    expect(out).toContain(
      'Prose \\textbackslash{}LaTeX \\{x\\} 50\\% \\# and $\\text{\\LaTeX}$ and $\\text{\\TeX} + \\alpha \\circ \\beta$ and ' +
        '$x\\mapsto y^{2}$ and \\texttt{\\$\\textbackslash{}color\\{red\\}\\{a\\} \\textbackslash{}color\\{x\\}\\{b\\}\\$}.\\par',
    );
    expect(out).toContain('\\section*{A \\ensuremath{\\mapsto} B}');
    expect(out).toContain(
      [
        '\\subsubsection*{\\verdict{verified} eq. (3) \\ensuremath{\\mapsto} Se\\~{n}or}',
        'As the source writes it:',
        '\\begin{equation}',
        '\\fitmath{a \\mapsto b \\mapsto \\tilde{x}',
        "+ h_{12} + x^{2} + \\text{\\'{e}\\textless{}b--c [U+65E5][U+672C]} + \\text{\\LaTeX}}\\tag{3}",
        '\\end{equation}',
      ].join('\n'),
    );
    expect(out).toContain('\\emph{Note.} one two \\textbackslash{}LaTeX \\{x\\} \\$y\\$ 50\\% \\textasciitilde{}\\par');
    // \th (OT1 has no thorn) and a colour xcolor lacks: the formula is quoted as text
    expect(out).toContain(
      'As the source writes it:\n\\begin{quote}\\itshape \\textbackslash{}th + \\textbackslash{}color\\{x\\}\\{a\\}\\end{quote}',
    );
    expect(out).not.toMatch(/[^\x20-\x7e\n]/);
  });

  needs(hasPdflatex)(
    "every character spelled compiles, in text, in math and accented, with the preamble's packages",
    async () => {
      const all = SPELLED.join(' ');
      expect(SPELLED.length).toBeGreaterThan(200);
      const accents = 'x\u0300 x\u0301 x\u0302 x\u0303 x\u0304 x\u0306 x\u0307 x\u0308 x\u030c x\u20d7';
      const precomposed = 'àáâãäåāăȧǎéèêëēěíìîïīǐóòôõöőōǒúùûüűūǔýÿçşţñňšžřḍḅ';
      const doc = [
        PREAMBLE,
        '\\begin{document}',
        `${escapeTex(`${all} ${accents} ${precomposed}`)}\\par`,
        // each on a base of its own in math (² ³ would be a double superscript)
        `\\[ ${spellTex(`${SPELLED.join(' {} ')} ${accents}`, true, (c) => c)} \\]`,
        `$\\text{${spellTex(`${all} ${precomposed}`, false, (c) => c)}}$`,
        '\\end{document}',
      ].join('\n');
      expect(doc).not.toMatch(/\[U\+/);
      const result = await compileLatex(doc, { timeoutMs: 5 * 60_000 });
      if (!result.ok) throw new Error(`${result.error}\n${result.logExcerpt}`);
    },
    5 * 60_000,
  );

  needs(hasPdflatex)(
    'compiles with pdflatex',
    async () => {
      const result = await compileLatex(tex(), { timeoutMs: 5 * 60_000 });
      if (!result.ok) throw new Error(`${result.error}\n${result.logExcerpt}`);
      expect(result.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    },
    5 * 60_000,
  );
});
