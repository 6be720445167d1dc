/**
 * Display equations in a Markdown/Hugo/Jekyll post.
 *
 * remark-parse + remark-math find `$$…$$` (a fenced block, or `$$…$$` on one line, which remark-math reports as
 * math text with a double-dollar fence) and give every block its position. What CommonMark does not see as math
 * is looked for inside the blocks remark located, in their raw source: `\[…\]` and `\begin{align|equation|…}`
 * in paragraphs (CommonMark reads `\[` as an escaped bracket), `$$…$$` inside HTML blocks (`<p>$$…$$</p>` is an
 * HTML block to CommonMark), and codecogs images whose `title` holds the LaTeX (a display when its anchor is the
 * whole paragraph).
 */
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified, type Processor } from 'unified';

export interface Display {
  /** the LaTeX as written (for a continued display, its parts joined by a line break) */
  readonly latex: string;
  /** file offset of each part's first character */
  readonly parts: readonly { readonly latex: string; readonly offset: number }[];
  readonly line: number;
  readonly how: 'dollars' | 'dollars-inline' | 'brackets' | 'environment' | 'html' | 'codecogs';
  /** the equation's number: \tag{…}, `\quad (N)`, or `(Equation N)` after it */
  readonly label: string | null;
  /** the sentence before it */
  readonly note: string;
}

interface Found {
  latex: string;
  offset: number;
  how: Display['how'];
  after: string;
  /** length of the source text the LaTeX was read from (differs from latex.length for HTML-escaped titles) */
  rawLength?: number;
  /** where the sentence before it ends (the start of the codecogs anchor) */
  noteAt?: number;
}

/** The parts of an mdast node we read. */
interface Node {
  type: string;
  position?: { start: { offset?: number }; end: { offset?: number } };
}
interface MdNode extends Node {
  value?: string;
  children?: MdNode[];
}

const ENTITIES: ReadonlyMap<string, string> = new Map([
  ['&amp;', '&'],
  ['&lt;', '<'],
  ['&gt;', '>'],
  ['&quot;', '"'],
  ['&#39;', "'"],
  ['&#x27;', "'"],
]);
const unescapeHtml = (s: string): string => s.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (m) => ENTITIES.get(m) ?? m);

/** The offsets where the lines of the text last asked about start (one post is asked about per display). */
let lineStarts: { text: string; starts: number[] } | null = null;

/** The 1-based line of `offset`: counted from the start per display made a post of 10,000 displays quadratic. */
export function lineAt(text: string, offset: number): number {
  if (lineStarts?.text !== text) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    lineStarts = { text, starts };
  }
  const { starts } = lineStarts;
  // the last line start at or before the offset (clamped to the text, as the count was)
  const at = Math.min(Math.max(offset, 0), text.length);
  let [lo, hi] = [0, starts.length - 1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Containers (quotes, list items) one line may open: remark's tree walk recurses once per level, and 5000 `> `
 * overflowed the stack (remark itself reads 1000).
 */
export const MAX_MARKDOWN_NESTING = 500;

/**
 * The first line outside fenced code that opens more than MAX_MARKDOWN_NESTING containers (the `>` and list markers
 * of its leading run; indentation nests nothing by itself), or null.
 */
export function tooDeeplyNested(markdown: string): { line: number; depth: number } | null {
  const lines = markdown.split('\n');
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const opener = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (opener && (fence === null || opener.startsWith(fence))) {
      fence = fence === null ? opener : null;
      continue;
    }
    if (fence !== null) continue;
    const lead = /^(?:[ \t>]|[-*+](?=\s)|\d{1,9}[.)](?=\s))*/.exec(line)![0];
    const depth = (lead.match(/>|[-*+]|\d{1,9}[.)]/g) ?? []).length;
    if (depth > MAX_MARKDOWN_NESTING) return { line: i + 1, depth };
  }
  return null;
}

/**
 * What the Markdown reader may be given (checked by readerCost before it runs; a review's posts of 250 KB took 125 s):
 * micromark copies the whole event list each time a quote or list item closes (so its work grows as the containers
 * opened times the post's size), and merges a paragraph's text line by line (so as a paragraph's lines times its
 * size). Emphasis and links, whose resolution is quadratic in their delimiters, are not read at all (displays need
 * neither): see INLINE_OFF.
 */
export const READER_LIMITS = {
  /** quotes and list items opened (the `>` and list markers of the lines' leading runs) times the post's characters */
  containerWork: 50_000_000,
  /** lines of one paragraph (a run of non-blank lines outside fenced code and `$$` blocks) */
  paragraphLines: 1000,
} as const;

export interface ReaderCost {
  /** quotes and list items the lines open, and the line of the one that passed the limit (or the last one) */
  readonly containers: number;
  readonly containerLine: number;
  /** the longest paragraph's lines and the line where it passed the limit (or its last line) */
  readonly paragraphLines: number;
  readonly paragraphLine: number;
  /** characters looked at: one pass over the post */
  readonly scanned: number;
}

/** One pass over the post: the counts READER_LIMITS bounds, to be checked before the reader runs. */
export function readerCost(markdown: string): ReaderCost {
  let containers = 0;
  let containerLine = 0;
  let run = 0;
  let longest = 0;
  let paragraphLine = 0;
  let fence: string | null = null;
  let scanned = 0;
  const maxContainers = Math.floor(READER_LIMITS.containerWork / Math.max(markdown.length, 1));
  let lineNo = 0;
  for (let from = 0; from <= markdown.length;) {
    const nl = markdown.indexOf('\n', from);
    const to = nl < 0 ? markdown.length : nl;
    const line = markdown.slice(from, to);
    scanned += line.length + 1;
    lineNo++;
    from = to + 1;
    const opener = /^\s*(`{3,}|~{3,}|\$\$)/.exec(line)?.[1];
    if (opener && (fence === null || opener.startsWith(fence))) {
      fence = fence === null ? opener : null;
      run = 0;
      continue;
    }
    if (fence !== null) continue;
    if (!line.trim()) {
      run = 0;
      continue;
    }
    const lead = /^(?:[ \t>]|[-*+](?=\s)|\d{1,9}[.)](?=\s))*/.exec(line)![0];
    const opens = (lead.match(/>|[-*+]|\d{1,9}[.)]/g) ?? []).length;
    if (opens > 0) {
      run = 0;
      if (containers <= maxContainers) containerLine = lineNo;
      containers += opens;
    }
    run++;
    if (run > longest) {
      longest = run;
      if (longest <= READER_LIMITS.paragraphLines + 1) paragraphLine = lineNo;
    }
  }
  return { containers, containerLine, paragraphLines: longest, paragraphLine, scanned };
}

/**
 * Inline constructs the reader skips (micromark's documented `disable.null`): emphasis and links play no part in
 * finding displays, and resolving their delimiters is quadratic (a review's 100 KB of `*` ran past 300 s).
 */
const INLINE_OFF = { disable: { null: ['attention', 'labelStartLink', 'labelStartImage', 'labelEnd'] } };

function withoutEmphasisOrLinks(this: Processor): void {
  const data = this.data();
  (data.micromarkExtensions ??= []).push(INLINE_OFF);
}

export function findDisplays(markdown: string): Display[] {
  const tree = unified().use(remarkParse).use(remarkMath).use(withoutEmphasisOrLinks).parse(markdown) as MdNode;
  const found: Found[] = [];
  const seen = new Set<number>();
  const add = (f: Found): void => {
    if (seen.has(f.offset)) return;
    seen.add(f.offset);
    found.push(f);
  };
  const start = (n: Node): number => n.position?.start.offset ?? 0;
  const end = (n: Node): number => n.position?.end.offset ?? 0;
  const walk = (n: MdNode): void => {
    if (n.type === 'math' && n.value !== undefined) {
      const latex = n.value.trim();
      const first = latex.split('\n')[0] ?? '';
      const at = markdown.indexOf(first, start(n));
      add({ latex, offset: at < 0 ? start(n) : at, how: 'dollars', after: markdown.slice(end(n), end(n) + 80) });
      return;
    }
    if (n.type === 'inlineMath' && n.value !== undefined && markdown.startsWith('$$', start(n))) {
      const latex = n.value.trim();
      const at = markdown.indexOf(latex, start(n));
      add({
        latex,
        offset: at < 0 ? start(n) + 2 : at,
        how: 'dollars-inline',
        after: markdown.slice(end(n), end(n) + 80),
      });
      return;
    }
    if (n.type === 'html') {
      const raw = markdown.slice(start(n), end(n));
      for (const m of raw.matchAll(/\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]/g)) {
        const inner = m[1] ?? m[2]!;
        const latex = inner.trim();
        add({
          latex,
          offset: start(n) + m.index + 2 + inner.indexOf(latex),
          how: 'html',
          after: raw.slice(m.index + m[0].length, m.index + m[0].length + 80),
        });
      }
    }
    if (n.type === 'paragraph') paragraph(n);
    const kids = n.children ?? [];
    kids.forEach((c, k) => {
      // A display whose line is only `=` (`\frac{…}{…}` then `=` on the next line) makes CommonMark read the lines
      // before it as a setext heading: its `\[` opens in the heading and closes in a later block.
      if (c.type === 'heading') {
        const raw = markdown.slice(start(c), end(c));
        const open = raw.lastIndexOf('\\[');
        if (open >= 0 && !raw.includes('\\]', open)) {
          const close = kids.slice(k + 1).find((next) => markdown.slice(start(next), end(next)).includes('\\]'));
          if (close) scan(start(c), end(close));
        }
      }
      walk(c);
    });
  };
  const paragraph = (p: MdNode): void => {
    scan(start(p), end(p));
    codecogs(p);
  };
  /** `\[…\]` and LaTeX environments in the source text from..to (a paragraph, or blocks CommonMark split). */
  const scan = (from: number, to: number): void => {
    const raw = markdown.slice(from, to);
    for (const m of raw.matchAll(
      /\\\[([\s\S]+?)\\\]|\\begin\{(align\*?|equation\*?|gather\*?|multline\*?|eqnarray\*?)\}([\s\S]+?)\\end\{\2\}/g,
    )) {
      const isEnv = m[2] !== undefined;
      const latex = isEnv ? m[0] : m[1]!.trim();
      add({
        latex,
        offset: from + m.index + (isEnv ? 0 : 2 + m[1]!.indexOf(latex)),
        how: isEnv ? 'environment' : 'brackets',
        after: raw.slice(m.index + m[0].length, m.index + m[0].length + 80),
      });
    }
  };
  const codecogs = (p: MdNode): void => {
    const raw = markdown.slice(start(p), end(p));
    // a codecogs anchor that is the whole paragraph (besides punctuation) is a display
    const kids = p.children ?? [];
    const text = kids
      .filter((k) => k.type !== 'html')
      .map((k) => markdown.slice(start(k), end(k)))
      .join('');
    const imgs = [...raw.matchAll(/<img[^>]*latex\.codecogs\.com[^>]*title="([^"]*)"/g)];
    if (imgs.length === 1 && /^[\s,.;:]*$/.test(text)) {
      const m = imgs[0]!;
      const titleAt = start(p) + m.index + m[0].length - m[1]!.length - 1;
      add({
        latex: unescapeHtml(m[1]!),
        offset: titleAt,
        how: 'codecogs',
        after: '',
        rawLength: m[1]!.length,
        noteAt: start(p),
      });
    }
  };
  walk(tree);
  found.sort((a, b) => a.offset - b.offset);
  return merge(markdown, found);
}

const CONTINUES = /^\s*(=|\\le|\\leq|\\ge|\\geq|<|>|\+|-|\\cdot)/;
const ENDS_OPEN = /(\\dots|\\cdots|\\ldots|[=+-]|\\cdot)\s*$/;

/** Displays that continue the one before (starting with = or +, or after one ending in ⋯ or an operator) are one formula. */
function merge(markdown: string, found: readonly Found[]): Display[] {
  const out: { parts: Found[] }[] = [];
  for (const f of found) {
    const prev = out[out.length - 1];
    const last = prev?.parts[prev.parts.length - 1];
    const between = last
      ? markdown.slice(last.offset + (last.rawLength ?? last.latex.length), f.noteAt ?? f.offset)
      : '';
    // only whitespace, fences, tags and punctuation between the two
    const adjacent =
      last &&
      /^[\s$,.]*$/.test(
        between
          .replace(/\\\]|\\\[/g, '')
          .replace(/^"[^<>]*>/, '')
          .replace(/<[^>]*>/g, ''),
      );
    if (prev && last && adjacent && (CONTINUES.test(f.latex) || ENDS_OPEN.test(last.latex))) prev.parts.push(f);
    else out.push({ parts: [f] });
  }
  return out.map(({ parts }) => {
    const first = parts[0]!;
    const lastPart = parts[parts.length - 1]!;
    const latex = parts.map((p) => p.latex.trim()).join('\n');
    return {
      latex,
      parts: parts.map((p) => ({ latex: p.latex, offset: p.offset })),
      line: lineAt(markdown, first.offset),
      how: first.how,
      label: labelOf(latex, lastPart.after),
      note: sentenceBefore(markdown, first.noteAt ?? first.offset),
    };
  });
}

function labelOf(latex: string, after: string): string | null {
  const tag = /\\tag\{([^}]*)\}/.exec(latex);
  if (tag) return `eq. (${tag[1]})`;
  const quad = /\\q?quad\s*\((\d+)\)\s*$/.exec(latex);
  if (quad) return `eq. (${quad[1]})`;
  const text = /^\s*\$*\s*\(((?:Equation|Eq\.?|eqn\.?)\s*\d+)\)/i.exec(after);
  if (text) return text[1]!;
  return null;
}

/** The sentence before a display: inline codecogs turned back into $…$, tags and emphasis removed. */
export function sentenceBefore(markdown: string, offset: number): string {
  const from = Math.max(0, offset - 1500);
  let chunk = markdown
    .slice(from, offset)
    .replace(/(\$\$|\\\[|\\begin\{[^}]*\})\s*$/, '')
    .trimEnd();
  // the last paragraph: after the last blank line (a display in between also ends it)
  let blank = -1;
  for (const m of chunk.matchAll(/\n\s*\n/g)) blank = m.index;
  const cut = Math.max(blank, chunk.lastIndexOf('$$'), chunk.lastIndexOf('\\]'), chunk.lastIndexOf('\\end{'));
  if (cut >= 0) chunk = chunk.slice(cut).replace(/^(\$\$|\\\]|\\end\{[^}]*\})/, '');
  const text = chunk
    .replace(/<a [^>]*>\s*<img[^>]*title="([^"]*)"[^>]*\/?>\s*<\/a>/g, (_m, t: string) => `$${unescapeHtml(t)}$`)
    .replace(/<[^>]+>/g, ' ')
    .replace(/^#+\s*/gm, '')
    .replace(/\*\*|__|`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const sentences = text.split(/(?<=[.!?])\s+(?=[A-Z(])/);
  const last = sentences[sentences.length - 1] ?? '';
  return last.length > 300 ? `…${last.slice(-300)}` : last;
}
