/**
 * Finds every math span in a Markdown post and renders it with KaTeX in
 * strict mode, returning the ones that fail.
 *
 * Delimiters, as our Hugo/Jekyll output uses them:
 * - `$$ … $$` (own lines, or inline on one line): display math. Parsed by
 *   remark-math (micromark-extension-math), with single-dollar math turned
 *   off so prices like "$5 and $10" are not math.
 * - `\( … \)`: inline math. micromark-extension-math only knows dollars, and
 *   CommonMark reads `\(` as an escaped "(" (the backslash is gone from the
 *   tree), so we scan the raw source of each paragraph and heading for
 *   `\(` … `\)` ourselves, skipping code spans, dollar math and raw HTML.
 *   The TeX is the raw text between the delimiters, which is what a Hugo
 *   passthrough (goldmark `passthrough` extension) hands to KaTeX.
 * Known limit: a `\( … \)` span broken across lines inside a blockquote or a
 * list keeps the continuation line's `>` or indentation in its TeX.
 */
import katex from 'katex';
import type { Nodes, Root } from 'mdast';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

export interface MathSpan {
  tex: string;
  display: boolean;
  delimiter: '$$' | '\\(';
  /** 1-based position of the opening delimiter in the Markdown (column in code points, as editors count) */
  line: number;
  column: number;
}

export interface MathFailure extends MathSpan {
  message: string;
}

const parser = unified().use(remarkParse).use(remarkMath, { singleDollarTextMath: false });

/** 1-based line/column of a source offset. */
function locate(src: string, offset: number): { line: number; column: number } {
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: [...before.slice(before.lastIndexOf('\n') + 1)].length + 1 };
}

type Unclosed = { unclosed: true; line: number; column: number; delimiter: MathSpan['delimiter'] };

/** `\(` … `\)` in raw paragraph text; masked ranges (code, dollar math, HTML) are skipped. */
function scanParens(
  src: string,
  start: number,
  end: number,
  masked: [number, number][],
  out: (MathSpan | Unclosed)[],
): void {
  let open = -1;
  for (let i = start; i < end; i++) {
    const m = masked.find(([a, b]) => i >= a && i < b);
    if (m) {
      i = m[1] - 1;
      continue;
    }
    if (src[i] !== '\\') continue;
    const next = src[i + 1];
    if (next === '(' && open < 0) open = i;
    else if (next === ')' && open >= 0) {
      out.push({ tex: src.slice(open + 2, i), display: false, delimiter: '\\(', ...locate(src, open) });
      open = -1;
    }
    i++; // a backslash always takes the next character with it (so `\\(` is not an opener)
  }
  if (open >= 0) out.push({ unclosed: true, delimiter: '\\(', ...locate(src, open) });
}

function collect(src: string, tree: Root): (MathSpan | Unclosed)[] {
  const out: (MathSpan | Unclosed)[] = [];
  const visit = (node: Nodes): void => {
    const pos = node.position;
    if (
      (node.type === 'math' || node.type === 'inlineMath') &&
      pos?.start.offset !== undefined &&
      pos.end.offset !== undefined
    ) {
      const raw = src.slice(pos.start.offset, pos.end.offset);
      const at = locate(src, pos.start.offset);
      // A flow `$$` with no closing fence runs to the end of the document, like an unclosed code fence.
      if (node.type === 'math' && !raw.trimEnd().endsWith('$$')) out.push({ unclosed: true, delimiter: '$$', ...at });
      // `$$x$$` inside a paragraph is display math for us, as for Hugo's passthrough.
      else out.push({ tex: node.value, display: node.type === 'math' || raw.startsWith('$$'), delimiter: '$$', ...at });
      return;
    }
    if (
      (node.type === 'paragraph' || node.type === 'heading') &&
      pos?.start.offset !== undefined &&
      pos.end.offset !== undefined
    ) {
      const masked: [number, number][] = [];
      const mask = (n: Nodes): void => {
        if (
          (n.type === 'inlineCode' || n.type === 'inlineMath' || n.type === 'html') &&
          n.position?.start.offset !== undefined &&
          n.position.end.offset !== undefined
        ) {
          masked.push([n.position.start.offset, n.position.end.offset]);
        }
        if ('children' in n) n.children.forEach(mask);
      };
      mask(node);
      scanParens(src, pos.start.offset, pos.end.offset, masked, out);
    }
    if ('children' in node) node.children.forEach(visit);
  };
  visit(tree);
  // Document order, whichever pass found them.
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Every math span, in document order (unclosed `\(` / `$$` are left out: see checkMarkdownMath). */
export function extractMath(markdown: string): MathSpan[] {
  return collect(markdown, parser.parse(markdown)).filter((s): s is MathSpan => !('unclosed' in s));
}

/** The math spans KaTeX (strict, throwOnError, untrusted) refuses, plus unclosed delimiters. */
export function checkMarkdownMath(markdown: string, macros: Record<string, string> = {}): MathFailure[] {
  const failures: MathFailure[] = [];
  for (const s of collect(markdown, parser.parse(markdown))) {
    if ('unclosed' in s) {
      failures.push({
        tex: '',
        display: s.delimiter === '$$',
        delimiter: s.delimiter,
        line: s.line,
        column: s.column,
        message: `unclosed ${s.delimiter}`,
      });
      continue;
    }
    // trust: false would render \href, \url, \includegraphics… silently in red;
    // this refuses them the same way but lets us report them.
    const refused: string[] = [];
    const trust = (ctx: { command: string }) => (refused.push(ctx.command), false);
    try {
      // a fresh copy: KaTeX writes \gdef'd macros into the object it is given
      katex.renderToString(s.tex, {
        displayMode: s.display,
        throwOnError: true,
        strict: 'error',
        trust,
        macros: { ...macros },
      });
      if (refused.length) failures.push({ ...s, message: `untrusted command(s) refused: ${refused.join(', ')}` });
    } catch (e) {
      failures.push({ ...s, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return failures;
}
