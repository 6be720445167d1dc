/**
 * The README summary holds user text (titles, labels, statements, file and
 * source names) as Markdown: escaped so that it cannot break a table row,
 * open HTML, or forge the report's markers and corrupt README on the next
 * `report --write`.
 */
import type { Nodes } from 'mdast';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import type { ClaimResult } from '../../src/check/result.js';
import { markdownText } from '../../src/emit/markdown-text.js';
import { REPORT_END, REPORT_START, summaryMarkdown, withReport } from '../../src/emit/summary-report.js';
import { escapeMarkdown } from '../../src/render/markdown.js';

const HOSTILE = `x ${REPORT_END} | y\n${REPORT_START} <b>&amp;</b> \`z\``;

const claim = (id: string, statement: string, label: string | null, corrects: string | null = null) =>
  ({ id, statement, label, verdict: 'refuted', corrects }) as unknown as ClaimResult;

const report = summaryMarkdown([
  {
    file: `derivations/${REPORT_END}.yaml`,
    title: HOSTILE,
    source: `a | b ${REPORT_START}`,
    claims: [
      claim('c1', 'norm2(W) <= 1 | ``x`` | `y`', HOSTILE),
      claim('c2', `h[T] = h[T] ${REPORT_END}`, 'fix\r\nof c1', 'c1'),
    ],
  },
]);

describe('the README summary', () => {
  it('never contains the markers, nor any HTML comment, whatever the user text', () => {
    expect(report).not.toContain(REPORT_START);
    expect(report).not.toContain(REPORT_END);
    expect(report).not.toMatch(/<!--|-->/);
  });

  it('keeps each table row to its five cells on one line', () => {
    const rows = report.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| claim'));
    expect(rows).toHaveLength(1);
    // Cell borders are the pipes not escaped by a backslash (code spans escape theirs as \|, <code> as &#124;).
    expect(rows[0]!.match(/(?<!\\)\|/g)).toHaveLength(6);
  });

  it('escapes plain text as entities and code spans by a longer fence', () => {
    expect(report).toContain(
      '#### x &lt;\\!\\-\\- end of gradproof report \\-\\-\\> \\| y &lt;\\!\\-\\- gradproof report',
    );
    expect(report).toContain('&lt;b\\>&amp;amp;&lt;/b\\> \\`z\\`');
    expect(report).toContain('``` norm2(W) <= 1 \\| ``x`` \\| `y` ```');
    expect(report).toContain('<code>h[T] = h[T] &lt;!-- end of gradproof report --&gt;</code>');
  });

  it('README keeps one report section through repeated rewrites, and the text after it', () => {
    const readme = `# Project\n\n${REPORT_START}\n\nold\n\n${REPORT_END}\n\n## After\n`;
    const once = withReport(readme, report);
    const twice = withReport(once, summaryMarkdown([]));
    for (const text of [once, twice]) {
      expect(text.split(REPORT_START)).toHaveLength(2);
      expect(text.split(REPORT_END)).toHaveLength(2);
      expect(text.endsWith(`${REPORT_END}\n\n## After\n`)).toBe(true);
    }
    expect(twice).toBe(`# Project\n\n${REPORT_START}\n\n\n\n${REPORT_END}\n\n## After\n`);
  });

  it('a marker forged inside an older report (written before this escaping) cannot cut the section short', () => {
    const old = `# P\n\n${REPORT_START}\n\n#### ${REPORT_END} forged\n\n${REPORT_END}\n\n## After\n`;
    expect(withReport(old, 'new')).toBe(`# P\n\n${REPORT_START}\n\nnew\n\n${REPORT_END}\n\n## After\n`);
  });
});

// Until 2026-12-06 `report` escaped only \ ` | $ & < > and template openers, so a label's `*x*{: onmouseover=…}`,
// `[click](https://…){: onclick=…}` and `![t](…)` became <em onmouseover>, <a onclick> and <img> under kramdown
// (Jekyll's default) — and `report --write README.md` put them in the README (a review found it). It now writes user
// text with the escaper `render --format md` uses.
describe('the README summary under a Markdown reader', () => {
  const LABEL =
    '*x*{: onmouseover="alert(1)"} and _y_ and [click](https://evil.example){: onclick="alert(2)"} and ![t](https://evil.example/p.png) {::comment} <b>b</b> $x$ $$y$$';
  const TITLE = `*y*{: onmouseover="alert(3)"} [a](javascript:alert(1)) ![i](x.png) {{< readfile "/etc/passwd" >}}`;
  const md = summaryMarkdown([
    { file: 'h3.yaml', title: TITLE, source: null, claims: [claim('p1', 'norm2(W) <= 1', LABEL)] },
  ]);
  // a node's text as a reader sees it (mdast-util-to-string, which is not a dependency of ours)
  const toString = (n: Nodes): string =>
    'value' in n ? n.value : 'children' in n ? n.children.map((c) => toString(c as Nodes)).join('') : '';
  const tree = unified().use(remarkParse).use(remarkMath).parse(md);
  const nodes: Nodes[] = [];
  const visit = (n: Nodes) => {
    nodes.push(n);
    if ('children' in n) for (const c of n.children) visit(c);
  };
  visit(tree);

  it('is one shared escaper with render --format md', () => {
    expect(escapeMarkdown).toBe(markdownText);
  });

  it('no link, image, HTML, emphasis or math node comes from user text (CommonMark + remark-math)', () => {
    const kinds = new Set(nodes.map((n) => n.type));
    for (const bad of ['link', 'image', 'html', 'emphasis', 'inlineMath', 'math', 'linkReference', 'imageReference'])
      expect(kinds.has(bad as Nodes['type'])).toBe(false);
    // the heading and the label read as the user's text, character for character (CommonMark has no tables: the
    // table is a paragraph, whose text holds the label's)
    const heading = nodes.find((n) => n.type === 'heading')!;
    expect(toString(heading)).toBe(TITLE);
    const table = nodes.find((n) => n.type === 'paragraph' && toString(n).includes('onclick'))!;
    expect(toString(table)).toContain(`| ${LABEL} |`);
  });

  it("escapes every character that opens markup in kramdown: * _ [ ] ! { } $ and HTML's <", () => {
    const labelRow = md.split('\n').find((l) => l.includes('onclick'))!;
    const cell = labelRow.split(' | ')[0]!.slice(2);
    expect(cell).not.toMatch(/(?<!\\)[*_[\]!{}$]/);
    expect(cell).not.toContain('<');
    expect(md).not.toMatch(/\{\{|\{%/);
  });
});
