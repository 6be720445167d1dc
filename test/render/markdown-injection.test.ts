/**
 * Math in Markdown cannot leave math: `<` and `>` are written as `\lt` and `\gt`, a template tag's opener gets a
 * space. Until 2026-12-05 a prose `$a<script>…</script>b$` and a source-text line `<img onerror=…>` were copied into
 * `\( … \)` and `$$ … $$` as they were, and a generator that passes math through as raw text (kramdown, goldmark's
 * passthrough) made them live tags; `{{< readfile … >}}` ran as a Hugo shortcode (a review found both).
 */
import katex from 'katex';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { markdownDocument, markdownMath } from '../../src/render/markdown.js';
import { checkMarkdownMath } from './markdown-math.js';
import { oneInstanceDocument } from '../support/document.js';

/** the model the documents below share: a tanh RNN, its loss on the last state */
const TANH_RNN = `gradproof: 1
title: t
model:
  name: tanh RNN
  sizes: { d: 2..3, T: 3..4 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    c: { role: parameter, shape: [d], init: gaussian }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1])
  loss: L = sum(c .* h[T])
`;

describe('math written into Markdown', () => {
  it('makes no link of a bracket pair inside math, in a reader that reads \\( … \\) as text (fD found it)', () => {
    const tex = '[x](javascript:alert(1)) + ![i](https://evil.example/p.png) + [a][b]';
    const links: string[] = [];
    const visit = (n: { type: string; url?: string; children?: unknown[] }) => {
      if (n.type === 'link' || n.type === 'image' || n.type === 'linkReference') links.push(n.url ?? n.type);
      for (const c of (n.children ?? []) as (typeof n)[]) visit(c);
    };
    for (const md of [`a \\(${markdownMath(tex, true)}\\) b`, `$$\n${markdownMath(tex)}\n$$`])
      visit(unified().use(remarkParse).parse(md));
    expect(links).toEqual([]);
    expect(markdownMath(tex, true)).toBe('[x]{}(javascript:alert(1)) + ![i]{}(https://evil.example/p.png) + [a]{}[b]');
    expect(() => katex.renderToString(markdownMath(tex, true), { throwOnError: true, strict: 'error' })).not.toThrow();
  });

  it('turns < and > into math commands and breaks template openers', () => {
    expect(markdownMath('a<b>c')).toBe('a\\lt b\\gt c');
    expect(markdownMath('{{< x >}} {% y %} \\frac{{a}}{b}')).toBe('{ {\\lt  x \\gt }} { % y %} \\frac{ {a}}{b}');
  });

  it('a document whose prose and source text carry tags: no HTML, no template tag, every math span renders', () => {
    const d = loadDerivationFile('test/fixtures/render/markdown-injection.yaml');
    const md = markdownDocument([oneInstanceDocument(d)], () => 'p.svg');
    expect(md).not.toMatch(/<(script|img|\/script)/i);
    expect(md).not.toMatch(/\{\{<|\{%/);
    // the parsed Markdown has no HTML node anywhere
    const html: string[] = [];
    const visit = (n: { type: string; value?: string; children?: unknown[] }) => {
      if (n.type === 'html') html.push(n.value ?? '');
      for (const c of (n.children ?? []) as (typeof n)[]) visit(c);
    };
    visit(unified().use(remarkParse).parse(md));
    expect(html).toEqual([]);
    expect(md).toContain('\\lt script\\gt alert(document.cookie)');
    expect(checkMarkdownMath(md)).toEqual([]);
  });

  // Until 2026-12-06 a text-mode `<` became `\lt` as well: `\text{if a\lt b}`, which KaTeX refuses ("\lt is only
  // supported in math mode"), so the post's formula did not render (a review found it).
  it('writes a < or > read in text mode (\\text, \\textbf…) as math inside the text', () => {
    // display math (between `$$`) holds no dollar: math inside text is `\( … \)`; inline math (between `\(` and
    // `\)`) writes it `$ … $`, never `$$`
    const cases: [string, string, string][] = [
      ['\\text{if a<b}', '\\text{if a\\(\\lt\\)b}', '\\text{if a$\\lt$b}'],
      ['f = \\text{a>b} < c', 'f = \\text{a\\(\\gt\\)b} \\lt  c', 'f = \\text{a$\\gt$b} \\lt  c'],
      ['\\text{if $a<b$ or c>d}', '\\text{if \\(a\\lt b\\) or c\\(\\gt\\)d}', '\\text{if $a\\lt b$ or c$\\gt$d}'],
      ['\\textbf{x <> y}', '\\textbf{x \\(\\lt \\gt\\) y}', '\\textbf{x $\\lt \\gt$ y}'],
      ['\\text{a<$x$}', '\\text{a\\(\\lt\\)\\(x\\)}', '\\text{a$\\lt${}$x$}'],
      ['\\text{$x$<}', '\\text{\\(x\\)\\(\\lt\\)}', '\\text{$x${}$\\lt$}'],
      [
        '\\mathrm{a<b} \\text{a}<\\text{b}',
        '\\mathrm{a\\lt b} \\text{a}\\lt \\text{b}',
        '\\mathrm{a\\lt b} \\text{a}\\lt \\text{b}',
      ],
    ];
    for (const [tex, display, inline] of cases) {
      expect(markdownMath(tex)).toBe(display);
      expect(markdownMath(tex, true)).toBe(inline);
      for (const [md, displayMode] of [
        [display, true],
        [inline, false],
      ] as const)
        expect(() =>
          katex.renderToString(md, { displayMode, throwOnError: true, strict: 'error', trust: false }),
        ).not.toThrow();
    }
  });

  it('a prose formula with \\text{if a<b} renders in the post', () => {
    const d = parseDerivation(
      `${TANH_RNN}claims:
  - id: eq1
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
document:
  sections:
    - heading: A
      prose: 'Case $f(a) = \\text{if a<b}$ and $a<b$.'
`,
      'text-mode.yaml',
    );
    const md = markdownDocument([oneInstanceDocument(d)], () => null);
    expect(md).toContain('Case \\(f(a) = \\text{if a$\\lt$b}\\) and \\(a\\lt b\\).');
    expect(checkMarkdownMath(md)).toEqual([]);
  });

  // Until 2026-12-06 a source formula `\text{$$} [click](javascript:alert(1)) \text{$$}` (KaTeX reads it) was written
  // as it was inside `$$ … $$`: kramdown ended the math at the inner `$$` and made a javascript: link (a review found
  // it). Display math now holds no dollar, inline math no `\)`.
  it('math cannot end its own delimiter: no dollar inside $$ … $$, no \\) inside \\( … \\)', () => {
    const d = parseDerivation(
      `${TANH_RNN}claims:
  - id: eq1
    label: 'eq. (7)'
    source-text: '\\text{$$} [click](javascript:alert(1)) \\text{$$} \\$5'
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
document:
  sections:
    - heading: A
      prose: 'See $a \\\\) [b](javascript:alert(3)) \\\\( c$ and $\\text{\\(x\\) [e](javascript:alert(4)) \\(y\\)}$.'
      claims: [eq1]
`,
      'breakout.yaml',
    );
    const md = markdownDocument([oneInstanceDocument(d)], () => null);
    for (const m of md.matchAll(/^\$\$\n([\s\S]*?)\n\$\$$/gm)) expect(m[1]).not.toContain('$');
    for (const m of md.matchAll(/\\\((.*?)\\\)/g)) expect(m[1]).not.toMatch(/\$\$/);
    expect(md).toContain('\\text{\\(\\)} [click]{}(javascript:alert(1)) \\text{\\(\\)} {\\char36}5');
    // a scanner that ends inline math at the first `\)` (goldmark's passthrough) ends it where we do
    expect(md).toContain('\\(a \\\\ ) [b]{}(javascript:alert(3)) \\\\ ( c\\)');
    expect(md).toContain('\\(\\text{$x$ [e]{}(javascript:alert(4)) $y$}\\)');
    // CommonMark with remark-math: the source formula is one math block; no link node anywhere outside math
    const links: string[] = [];
    const visit = (n: { type: string; url?: string; children?: unknown[] }) => {
      if (n.type === 'link' || n.type === 'image' || n.type === 'html') links.push(n.url ?? n.type);
      for (const c of (n.children ?? []) as (typeof n)[]) visit(c);
    };
    const tree = unified().use(remarkParse).use(remarkMath, { singleDollarTextMath: false }).parse(md);
    visit(tree);
    expect(links.filter((u) => u.includes('alert(1)'))).toEqual([]);
    expect(checkMarkdownMath(md)).toEqual([]);
  });
});
