/**
 * The .tex page compiles whatever KaTeX accepted. Until 2026-12-06 prose math went into the .tex as it was, and
 * KaTeX's own macros (\lt, \gt, \llbracket…) stopped pdflatex ("Undefined control sequence", a review found); a
 * source formula with \lt did too. Now the preamble defines the few with a plain spelling, a formula with any other
 * is quoted as text, and a text-mode `<` is \textless (pdflatex's OT1 text font sets `<` as `¡`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import {
  KATEX_MACROS_PDFLATEX_LACKS,
  PREAMBLE,
  pdflatexReads,
  texDocument,
  texSafeFormula,
} from '../../src/render/tex.js';
import { compileLatex, hasPdflatex } from './latex-compile.js';
import { modelFile } from '../support/model-file.js';
import { oneInstanceDocument } from '../support/document.js';

const needs = (present: boolean) => (present || process.env.CI ? it : it.skip);

const YAML = modelFile({
  title: 'KaTeX macros',
  name: 'tanh RNN',
  sizes: 'd: 2..3, T: 3..4',
  symbols: ['W', 'c', 'h'],
  equations: ['h[t] = tanh(W*h[t-1])'],
  loss: 'L = sum(c .* h[T])',
  // the claims, then the document's layout
  claims: String.raw`  - id: eq1
    label: eq. (1)
    source-text: '\text{if a<b} \lt \llbracket x \rrbracket'
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
document:
  intro: 'We have $a \lt b$, $c \gt d$, $\llbracket x \rrbracket$, $\lparen y \rparen$ and $\text{if a<b|c}$.'
  sections:
    - heading: A
      prose: 'KaTeX only: $\Set{x}$ and $$\ket{0}$$ and $$ \left\lt x \right\gt $$ end.'
      claims: [eq1]
`,
});

function tex(): string {
  const d = parseDerivation(YAML, 'macros.yaml');
  return texDocument([oneInstanceDocument(d)]);
}

describe('KaTeX-only macros in the .tex page', () => {
  it('keeps \\lt, \\gt, \\llbracket, \\lparen as LaTeX (the preamble defines them) and quotes the rest as text', () => {
    const out = tex();
    expect(out).toContain('\\providecommand{\\lt}{<}');
    expect(out).toContain(
      'We have $a \\lt b$, $c \\gt d$, $\\llbracket x \\rrbracket$, $\\lparen y \\rparen$ and $\\text{if a\\textless{}b\\textbar{}c}$.\\par',
    );
    expect(out).toContain('KaTeX only: \\texttt{\\$\\textbackslash{}Set\\{x\\}\\$} and \n');
    expect(out).toContain('\\begin{quote}\\ttfamily \\$\\$\\textbackslash{}ket\\{0\\}\\$\\$\\end{quote}');
    expect(out).toContain('\\[\n\\fitmath{\\left\\lt x \\right\\gt}\n\\]\n end.\\par');
    expect(out).toContain('\\fitmath{\\text{if a\\textless{}b} \\lt \\llbracket x \\rrbracket}\\tag{1}');
    expect(texSafeFormula('a \\lt b \\gt \\llbracket x \\rrbracket')).toBe(true);
    for (const name of ['Set', 'ket', 'red', 'set', 'degree', 'xRightarrow'])
      expect(pdflatexReads(`\\${name}{x}`), name).toBe(false);
  });

  needs(hasPdflatex)(
    'compiles with pdflatex',
    async () => {
      const result = await compileLatex(tex(), { timeoutMs: 5 * 60_000 });
      if (!result.ok) throw new Error(`${result.error}\n${result.logExcerpt}`);
      expect(result.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    },
    5 * 60_000,
  );

  // The list is KaTeX's command names less what pdflatex defines under the preamble: a KaTeX or TeX Live update
  // that adds a command fails here, naming it.
  needs(hasPdflatex)(
    'refuses every command KaTeX reads and pdflatex under the preamble lacks',
    async () => {
      const dir = 'node_modules/katex/src';
      const files = [dir, join(dir, 'functions'), join(dir, 'environments')].flatMap((d) =>
        readdirSync(d)
          .filter((f) => f.endsWith('.ts') || f.endsWith('.js'))
          .map((f) => join(d, f)),
      );
      const names = new Set<string>();
      for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/"\\\\([A-Za-z]+)"/g)) names.add(m[1]!);
      const reads = (t: string) => {
        try {
          katex.renderToString(t, { strict: 'error', throwOnError: true, trust: false });
          return true;
        } catch {
          return false;
        }
      };
      // (\show, \message and \errmessage would print to the test's console; pdflatex has them)
      for (const quiet of ['show', 'message', 'errmessage']) names.delete(quiet);
      const accepted = [...names].filter((n) =>
        [`\\${n}`, `\\${n}{x}`, `\\${n}{x}{y}`, `\\text{\\${n}}`, `\\${n}{x}{y}{z}`].some(reads),
      );
      expect(accepted.length).toBeGreaterThan(800);
      const probe = [
        PREAMBLE,
        '\\begin{document}',
        ...accepted.map((n) => `\\ifdefined\\${n}\\else\\typeout{UNDEFINED ${n}}\\fi`),
        'x',
        '\\end{document}',
      ].join('\n');
      const result = await compileLatex(probe, { timeoutMs: 5 * 60_000 });
      if (!result.ok) throw new Error(`${result.error}\n${result.logExcerpt}`);
      const lacking = new Set([...result.log.matchAll(/^UNDEFINED (\w+)$/gm)].map((m) => m[1]!));
      expect(lacking.has('lt')).toBe(false);
      expect(lacking.has('ket')).toBe(true);
      expect([...lacking].filter((n) => pdflatexReads(`\\${n}`))).toEqual([]);
      expect(KATEX_MACROS_PDFLATEX_LACKS.filter((n) => !lacking.has(n))).toEqual([]);
    },
    5 * 60_000,
  );
});
