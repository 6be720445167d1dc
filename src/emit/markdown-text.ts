/**
 * User text in Markdown that static-site generators read: as plain text (a title, a label) or as code (a statement, a
 * file name), with nothing in it that opens HTML, math, a code span or a template tag. `report` and `render --format
 * md` both write with these (render's own code spans let `{{< … >}}` and `{%` through: a review found it).
 */
const oneLine = (s: string) => s.replace(/\r\n|[\r\n]/g, ' ');
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** The `{` of a Hugo or Liquid template opener (`{{`, `{%`), which templates read before Markdown: written as &#123; */
const TEMPLATE_OPENER = /\{(?=[{%])/g;
const entities = (s: string) => s.replace(/[&<>]/g, (c) => ENTITIES[c]!);

/**
 * User text (a title, a label, a note) as plain text in a heading, a paragraph or a table cell — the one escaper that
 * `report` and `render --format md` share. CommonMark backslash-escapes every ASCII punctuation character; we escape
 * the ones that start syntax in CommonMark or kramdown (Jekyll's default): emphasis (`*`, `_`), code, links and
 * images (`[`, `]`, `!`), kramdown's attribute lists and extensions (`{: …}`, `{::…}`), HTML, table cells (`|`),
 * math (`$`), headings and lists — but never '(' or ')', since a backslash before them would make `\(` an
 * inline-math opener. `&` and `<` become entities, line breaks a space, and a template opener (`{{`, `{%`: Hugo and
 * Liquid read it before the Markdown, backslash or not) gets its `{` as an entity, which they do not read. Until
 * 2026-12-06 `report` escaped only `` \ ` | $ & < > `` and template openers: `*x*{: onmouseover=…}`,
 * `[click](https://…)` and `![t](…)` in a label became live markup under kramdown (a review found it).
 */
export const markdownText = (text: string): string =>
  text
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_{}[\]#+!|$~>-]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/^(\d+)\./, '$1\\.')
    // a template opener's `{`, escaped above as \{ (before \{ or %): written as an entity
    .replace(/\\\{(?=\\\{|%)/g, '&#123;');

/** Whether a backtick span cannot hold `s`: an HTML comment's delimiters, or a template opener ({{, {%: Hugo and Liquid run them inside code spans too). */
export const noCodeSpan = (s: string): boolean => /<!--|-->/.test(s) || new RegExp(TEMPLATE_OPENER.source).test(s);

/**
 * User text as code (a statement, a file name): a backtick span fenced by
 * more backticks than any run inside it, with `|` escaped in a table cell;
 * text holding an HTML comment's delimiters or a template opener becomes a <code> element with
 * entities instead, since nothing can be escaped inside a backtick span.
 */
export function markdownCode(s: string, inCell = true): string {
  const flat = oneLine(s);
  if (noCodeSpan(flat))
    return `<code>${entities(flat).replace(/\|/g, '&#124;').replace(TEMPLATE_OPENER, '&#123;')}</code>`;
  const fence = '`'.repeat(Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${inCell ? flat.replace(/\|/g, '\\|') : flat}${pad}${fence}`;
}
