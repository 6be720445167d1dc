/**
 * Rendering without the browser: user text stays text in every format
 * (HTML, Markdown, LaTeX), prose math is checked, bad `document:` sections
 * are located input errors, and a claim's verdict, evidence, counterexample
 * and proof reach the page.
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { buildDocument, inlines } from '../../src/render/document.js';
import { escapeHtml, htmlPage } from '../../src/render/html.js';
import { escapeMarkdown, markdownDocument } from '../../src/render/markdown.js';
import { render } from '../../src/render/render.js';
import { escapeTex, texDocument } from '../../src/render/tex.js';
import { compileLatex, hasPdflatex } from './latex-compile.js';
import { extractMath } from './markdown-math.js';
import { oneInstanceDocument } from '../support/document.js';

const EVIL = `<script>alert(1)</script> & $x$ \\(y\\) *b* [l](u) | # \\input{/etc/passwd} ~ % _`;

const MODEL = `gradproof: 1
title: "${EVIL.replace(/\\/g, '\\\\')}"
model:
  name: tanh RNN
  sizes: { d: 2..3, m: 1..2, T: 3..4 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    c: { role: parameter, shape: [d], init: gaussian }
    x: { role: input, shape: [m] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1] + U*x[t])
  loss: L = sum(c .* h[T])
`;

const CLAIMS = `claims:
  - id: eq1
    label: 'eq. (1) <b>bold</b>'
    source-text: '\\href{https://example.com}{x} = 1'
    claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])
    forall: k in 1..T
    expect: verified
    note: 'a note with <img src=x onerror=alert(1)> and $$ x $$'
  - id: eq2
    label: 'eq. (2)'
    source-text: '\\nabla_{h_{\\tau-k}} L = \\mathbf{W}^T \\nabla_{h_{\\tau}} L'
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
  - id: wrong
    claim: grad(L, h[T-k]) = prod(i, 1, k, W * diag(1 - h[T-k+i].^2)) * grad(L, h[T])
    forall: k in 1..T
    expect: refuted
  - id: steps
    chain:
      from: norm2(jac(h[T], h[T-k]))
      steps:
        - to: norm2(W)^k
          relation: <=
          by: "<i>because</i>"
          expect: proved
    forall: k in 0..T
`;

function doc(text: string) {
  const d = parseDerivation(text, 'evil.yaml');
  return oneInstanceDocument(d);
}

function located(text: string): InputError {
  try {
    parseDerivation(text, 'bad.yaml');
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('escaping user text', () => {
  it('escapes for HTML, Markdown and LaTeX', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const md = escapeMarkdown(EVIL);
    expect(md).not.toMatch(/<script|(?<!\\)\$|(?<!\\)\*|(?<!\\)\[/);
    expect(extractMath(`Text: ${md}\n`)).toEqual([]);
    const tex = escapeTex(`${EVIL} ‖∇‖ τ ≤ 1 x̃ 😀`);
    expect(tex).not.toMatch(/(?<!\\)[$%#&_~]|\\input/);
    expect(tex).toContain('\\ensuremath{\\|}');
    expect(tex).toContain('[U+1F600]');
  });

  it('leaves no user markup alive in a rendered page (title, labels, notes, justifications, source text)', () => {
    const view = doc(MODEL + CLAIMS);
    const html = htmlPage([view], '');
    expect(html).not.toMatch(/<script|<b>bold|<i>because|<img/);
    expect(html).toContain('&lt;script&gt;');
    // \href needs trust: the source formula is shown as text, not rendered as a link.
    expect(html).not.toContain('href="https://example.com"');
    const md = markdownDocument([view], () => null);
    expect(md).not.toMatch(/<script|<b>|<img/);
    const tex = texDocument([view]);
    expect(tex).not.toContain('\\href');
    expect(tex).not.toContain('\\input{/etc');
  });

  it('shows the verdicts, a counterexample table and the proof chain with its rule names', () => {
    const view = doc(MODEL + CLAIMS);
    const html = htmlPage([view], '');
    expect(html).toContain('class="badge v-verified"');
    expect(html).toContain('class="badge v-refuted"');
    expect(html).toContain('class="badge v-proved"');
    expect(html).toMatch(/<details class="counterexample" open>.*<table class="facts">/s);
    expect(html).toContain('<code>submultiplicative-range</code>');
    expect(html).toMatch(/Evidence \(\d+\)/);
    // The source's own formula beside ours, tagged with the source's number; evidence folded in <details>.
    expect(html).toMatch(
      /<section class="claim" id="c-eq2">.*?as the source writes it<\/div><div class="source"><div class="math">.*?\(2\).*?as checked<\/div><div class="ours">/s,
    );
    expect(html).toMatch(/<section class="claim" id="c-eq2">.*?<details class="evidence"><summary>Evidence/s);
    // Offline: a CSP that forbids every fetch, and no script.
    expect(html).toContain(
      `content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; font-src data:; img-src data:"`,
    );
    expect(html).not.toMatch(/<script/i);
    const tex = texDocument([view]);
    expect(tex).toMatch(/\\begin\{equation\}\n\\fitmath\{\\nabla_\{h_\{\\tau-k\}\} L = .*\}\\tag\{2\}/);
    const md = markdownDocument([view], () => null);
    expect(md).toMatch(/Verdict: \*\*refuted\*\*/);
    expect(md).toContain('**Counterexample**');
  }, 120_000);
});

// Until 2026-12-07 every document's claims were anchored `c-<id>`: two documents on one page (the 2024 LSTM and the
// 2018 derivation both have `cell-step-total`) gave two elements one id, and a link went to the first document's.
describe('anchors on a page of several documents', () => {
  const PAIR = `claims:
  - id: wrong
    claim: grad(L, h[T-1]) = W * diag(1 - h[T].^2) * grad(L, h[T])
    expect: refuted
  - id: right
    corrects: wrong
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
`;
  const view = (file: string) => {
    const d = parseDerivation(MODEL + PAIR, file);
    return buildDocument({
      derivation: d,
      results: checkDerivation(d, { instances: 1, repair: false }),
      plots: new Map(),
    });
  };
  const ids = (html: string) => [...html.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]);
  const links = (html: string) => [...html.matchAll(/ href="#([^"]*)"/g)].map((m) => m[1]);

  it("prefixes the document's slug (the file name; -2 for a second file of that name), each link to its own", () => {
    const html = htmlPage([view('a/RNN Notes.yaml'), view('b/rnn notes.yml'), view('c/rnn-notes-2.yaml')], '');
    expect(ids(html)).toEqual([
      'rnn-notes.c-wrong',
      'rnn-notes.c-right',
      'rnn-notes-2.c-wrong',
      'rnn-notes-2.c-right',
      'rnn-notes-2-2.c-wrong',
      'rnn-notes-2-2.c-right',
    ]);
    expect(links(html)).toEqual([
      'rnn-notes.c-right',
      'rnn-notes.c-wrong',
      'rnn-notes-2.c-right',
      'rnn-notes-2.c-wrong',
      'rnn-notes-2-2.c-right',
      'rnn-notes-2-2.c-wrong',
    ]);
    const articles = html.split('<article>').slice(1);
    expect(articles.map((a) => links(a).every((l) => ids(a).includes(l)))).toEqual([true, true, true]);
  }, 60_000);

  it('keeps c-<id> on a page of one document', () => {
    const html = htmlPage([view('a/rnn.yaml')], '');
    expect(ids(html)).toEqual(['c-wrong', 'c-right']);
    expect(links(html)).toEqual(['c-right', 'c-wrong']);
  }, 60_000);
});

describe('prose', () => {
  it('splits paragraphs and $…$ math; \\$ is a dollar', () => {
    expect(inlines('costs \\$5 and $x^2$\n\nnext')).toEqual([
      [
        { kind: 'text', text: 'costs $5 and ' },
        { kind: 'math', tex: 'x^2' },
      ],
      [{ kind: 'text', text: 'next' }],
    ]);
  });

  // Until 2026-12-06 `$$ y = x $$` in prose was split at every dollar: two empty formulas and the math as text
  // (`\(\) y = x \(\)` in Markdown, a review found).
  it('reads $$…$$ in a paragraph as display math, $a$$b$ as two inline formulas', () => {
    expect(inlines('Before $$ y = x $$ after $z$.')).toEqual([
      [
        { kind: 'text', text: 'Before ' },
        { kind: 'display', tex: 'y = x' },
        { kind: 'text', text: ' after ' },
        { kind: 'math', tex: 'z' },
        { kind: 'text', text: '.' },
      ],
    ]);
    expect(inlines('$a$$b$ \\$$x$')).toEqual([
      [
        { kind: 'math', tex: 'a' },
        { kind: 'math', tex: 'b' },
        { kind: 'text', text: ' $' },
        { kind: 'math', tex: 'x' },
      ],
    ]);
  });

  it('display math in prose survives in every format', () => {
    const view = doc(
      `${MODEL}${CLAIMS}document:\n  sections:\n    - heading: A\n      prose: 'Before $$ y = x $$ after.'\n`,
    );
    const md = markdownDocument([view], () => null);
    expect(md).toContain('### A\n\nBefore\n\n$$\ny = x\n$$\n\nafter.\n');
    expect(md).not.toContain('\\(\\)');
    expect(extractMath(md)).toContainEqual(expect.objectContaining({ tex: 'y = x', display: true }));
    const html = htmlPage([view], '');
    expect(html).toMatch(/<p>Before <span class="katex-display">.*?<mi>y<\/mi><mo>=<\/mo><mi>x<\/mi>.*? after\.<\/p>/s);
    expect(texDocument([view])).toContain('Before \n\\[\n\\fitmath{y = x}\n\\]\n after.\\par');
  });

  it('text after a display block starts a Markdown paragraph as text (an "1." is no list)', () => {
    const view = doc(
      `${MODEL}${CLAIMS}document:\n  sections:\n    - heading: A\n      prose: 'Before $$ y = x $$ 1. after $$z$$'\n`,
    );
    expect(markdownDocument([view], () => null)).toContain('$$\ny = x\n$$\n\n1\\. after\n\n$$\nz\n$$\n');
  });
});

describe('document: section errors are located', () => {
  const withDoc = (section: string) => `${MODEL}${CLAIMS}document:\n${section}`;
  it.each([
    ['  sections:\n    - heading: A\n      claims: [nope]\n', "no claim or chain 'nope'", 'nope'],
    [
      '  sections:\n    - heading: A\n      claims: [eq1]\n    - heading: B\n      claims: [eq1]\n',
      'already shown',
      'eq1]\n',
    ],
    ['  sections:\n    - heading: A\n      plots:\n        - { claim: eq1, over: j }\n', "no quantifier 'j'", 'j }'],
    ['  sections:\n    - heading: A\n      prose: "a $b"\n', 'unclosed $', '"a $b"'],
    ['  sections:\n    - heading: A\n      colour: red\n', "unknown key 'colour'", 'colour'],
    [
      '  sections:\n    - heading: A\n      plots:\n        - { claim: eq1, over: k, vary: { W_x: [1] } }\n',
      "unknown key 'W_x'",
      'W_x',
    ],
  ])('%#: %s', (section, message, marker) => {
    const text = withDoc(section);
    const err = located(text);
    expect(err.message).toContain(message);
    const at = text.lastIndexOf(marker);
    const line = text.slice(0, at).split('\n').length;
    expect(err.pos.line).toBe(line);
  });

  it('refuses prose math that does not render or defines commands (when the file is loaded)', () => {
    const bad = (prose: string) => () =>
      parseDerivation(withDoc(`  sections:\n    - heading: A\n      prose: '${prose}'\n`), 'bad.yaml');
    expect(bad('see $\\frac{1}$')).toThrow(InputError);
    expect(bad('see $\\def\\x{1} \\x$')).toThrow(/uses \\def/);
  });
});

describe('repairs on the page (render asks for them by default on the command line)', () => {
  const request = { instances: 1, claims: ['lab-eq1-W-for-WT'], repair: true } as const;
  const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

  it('a refuted claim shows what the author may have meant, the changed part coloured, in every format', async () => {
    const html = await render([LAB], { ...request, format: 'html' });
    expect(html).toContain('What the author may have meant (repairs)');
    expect(html).toContain('<b>verified</b>: holds with W transposed');
    expect(html).not.toContain('katex-error');
    const md = await render([LAB], { ...request, format: 'md' });
    expect(md).toContain('1. verified: holds with W transposed');
    expect(md).toContain('\\textcolor{#c0392b}{\\mathbf{W}^{T}}');
    for (const m of extractMath(md))
      expect(() =>
        katex.renderToString(m.tex, { displayMode: m.display, strict: 'error', trust: false }),
      ).not.toThrow();
    const tex = await render([LAB], { ...request, format: 'tex' });
    expect(tex).toContain('\\usepackage{xcolor}');
    expect(tex).toContain('\\textcolor[HTML]{C0392B}{\\mathbf{W}^{T}}');
    if (hasPdflatex || process.env.CI) {
      const result = await compileLatex(tex, { timeoutMs: 10 * 60_000 });
      if (!result.ok) throw new Error(`${result.error}\n${result.logExcerpt}`);
    }
  });
});
