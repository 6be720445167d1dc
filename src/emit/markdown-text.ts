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
 * User text (a title, a label) as plain text in a heading or a table cell:
 * no HTML (so no comment can forge the report's markers), no code span, no
 * cell break, no math (`$`, `$$`: a Markdown math extension typesets between them), and no template tag (`{{ … }}`,
 * `{%`: Hugo and Liquid run them before the Markdown is read, so a backslash cannot stop them; an opener's `{` is
 * written as an entity, which they do not read and Markdown shows as `{`; a lone `{`, as in r_{T+1}, stays) — `render --format md` escaped them, `report` did not
 * (a review found it).
 */
export const markdownText = (s: string): string =>
  entities(oneLine(s))
    .replace(/[\\`|$]/g, '\\$&')
    .replace(TEMPLATE_OPENER, '&#123;');

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
