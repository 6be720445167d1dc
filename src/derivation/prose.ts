/**
 * The syntax of prose in a derivation file (a `document:`'s intro, prose, after and captions): paragraphs (blank
 * lines) of text, `$…$` inline math and `$$…$$` display math; `\$` is a dollar sign. One reading for the loader, which
 * checks each formula where it is written (load-document.ts), and for the renderers, which lay the pieces out.
 */

/** Text with math: the pieces of a prose field split at its `$…$` (inline) and `$$…$$` (display). */
export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'math'; readonly tex: string }
  | { readonly kind: 'display'; readonly tex: string };

/** A formula of the prose and the offset in the prose's text of the dollar that opens it. */
export type ProseMath = Extract<Inline, { kind: 'math' | 'display' }> & { readonly offset: number };

/**
 * Prose → paragraphs of text and math, each piece with the offset in `text` where it starts (a formula: at its
 * opening dollar). A paragraph's whitespace runs are read as one space; a `$$` with no `$$` after it is read as two
 * single dollars (the loader checked the dollars pair up).
 */
function pieces(text: string): (readonly [Inline, number])[][] {
  const out: (readonly [Inline, number])[][] = [];
  const paragraphBreak = /\n\s*\n/g;
  for (let from = 0; from <= text.length;) {
    const m = paragraphBreak.exec(text);
    const to = m ? m.index : text.length;
    const piece = paragraph(text.slice(from, to), from);
    if (piece.length) out.push(piece);
    if (!m) break;
    from = paragraphBreak.lastIndex;
  }
  return out;
}

/** One paragraph starting at `start` in the prose: its whitespace runs as one space, trimmed, then split at its dollars. */
function paragraph(raw: string, start: number): (readonly [Inline, number])[] {
  // p[i] is the character at offset at[i] of the prose
  let p = '';
  const at: number[] = [];
  for (const m of raw.matchAll(/\s+|\S+/g)) {
    if (/^\s/.test(m[0])) {
      p += ' ';
      at.push(start + m.index);
    } else {
      p += m[0];
      for (let i = 0; i < m[0].length; i++) at.push(start + m.index + i);
    }
  }
  const lead = p.length - p.trimStart().length;
  const trimmed = p.trim();
  const offsetOf = (i: number) => at[lead + i] ?? start + raw.length;
  p = trimmed;
  const out: (readonly [Inline, number])[] = [];
  const words = (from: number, to: number) => {
    const t = p.slice(from, to);
    if (t) out.push([{ kind: 'text', text: t.replace(/\\\$/g, '$') }, offsetOf(from)]);
  };
  // an unescaped dollar: `$$` opens display math (closed by the next `$$`), `$` inline math
  const dollar = /(?<!\\)\$/g;
  let from = 0;
  for (let m = dollar.exec(p); m; m = dollar.exec(p)) {
    const open = m.index;
    const closing = /(?<!\\)\$\$/g;
    closing.lastIndex = open + 2;
    const display = p[open + 1] === '$' ? (closing.exec(p)?.index ?? -1) : -1;
    if (display >= 0) {
      words(from, open);
      out.push([{ kind: 'display', tex: p.slice(open + 2, display).trim() }, offsetOf(open)]);
      from = dollar.lastIndex = display + 2;
      continue;
    }
    dollar.lastIndex = open + 1;
    const close = dollar.exec(p);
    if (!close) break;
    words(from, open);
    out.push([{ kind: 'math', tex: p.slice(open + 1, close.index).trim() }, offsetOf(open)]);
    from = dollar.lastIndex = close.index + 1;
  }
  words(from, p.length);
  return out;
}

/** Prose → paragraphs of text, `$…$` inline math and `$$…$$` display math (see pieces). */
export function inlines(text: string): Inline[][] {
  return pieces(text).map((p) => p.map(([inline]) => inline));
}

/** The formulas of a prose text in order, each with the offset of its opening dollar in `text`. */
export function proseMath(text: string): ProseMath[] {
  return pieces(text).flatMap((p) =>
    p.flatMap(([inline, offset]) => (inline.kind === 'text' ? [] : [{ ...inline, offset }])),
  );
}
