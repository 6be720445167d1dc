/**
 * The README summary holds user text (titles, labels, statements, file and
 * source names) as Markdown: escaped so that it cannot break a table row,
 * open HTML, or forge the report's markers and corrupt README on the next
 * `report --write`.
 */
import { describe, expect, it } from 'vitest';
import type { ClaimResult } from '../../src/check/result.js';
import { REPORT_END, REPORT_START, summaryMarkdown, withReport } from '../../src/emit/summary-report.js';

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
    expect(report).toContain('#### x &lt;!-- end of gradproof report --&gt; \\| y &lt;!-- gradproof report');
    expect(report).toContain('&lt;b&gt;&amp;amp;&lt;/b&gt; \\`z\\`');
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
