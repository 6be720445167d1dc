/**
 * Math in Markdown cannot leave math: `<` and `>` are written as `\lt` and `\gt`, a template tag's opener gets a
 * space. Until 2026-12-05 a prose `$a<script>…</script>b$` and a source-text line `<img onerror=…>` were copied into
 * `\( … \)` and `$$ … $$` as they were, and a generator that passes math through as raw text (kramdown, goldmark's
 * passthrough) made them live tags; `{{< readfile … >}}` ran as a Hugo shortcode (a review found both).
 */
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { buildDocument } from '../../src/render/document.js';
import { markdownDocument, markdownMath } from '../../src/render/markdown.js';
import { checkMarkdownMath } from './markdown-math.js';

describe('math written into Markdown', () => {
  it('turns < and > into math commands and breaks template openers', () => {
    expect(markdownMath('a<b>c')).toBe('a\\lt b\\gt c');
    expect(markdownMath('{{< x >}} {% y %} \\frac{{a}}{b}')).toBe('{ {\\lt  x \\gt }} { % y %} \\frac{ {a}}{b}');
  });

  it('a document whose prose and source text carry tags: no HTML, no template tag, every math span renders', () => {
    const d = loadDerivationFile('test/fixtures/render/markdown-injection.yaml');
    const md = markdownDocument(
      [buildDocument({ derivation: d, results: checkDerivation(d, { instances: 1 }), plots: new Map() })],
      () => 'p.svg',
    );
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
});
