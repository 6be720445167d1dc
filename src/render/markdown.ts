/**
 * Stage 2, Markdown for Hugo/Jekyll posts (usable as an appendix): display
 * math in `$$ … $$` blocks, inline math in `\( … \)`, as those generators'
 * KaTeX/MathJax set-ups read them; verdicts as plain text; every piece of
 * user text escaped so it stays text (no emphasis, links, HTML or math).
 * Plots are SVG files written beside the page and linked as images.
 */
import type {
  Block,
  ChainView,
  ClaimView,
  CounterexampleView,
  DocumentView,
  Inline,
  ProofView,
  RepairsView,
} from './document.js';
import { isRenderableMath, looksLikeProse, numberedSource } from './katex.js';
import { markdownCode, markdownText, noCodeSpan } from '../emit/markdown-text.js';
import { modeSpans } from './math-modes.js';

/** User text as Markdown text: the escaper `report` uses too (one escaper, see markdownText). */
export const escapeMarkdown = markdownText;

/** A table cell: escaped, and the pipe escaped (GFM tables split on it even inside code). */
const cell = (s: string) => escapeMarkdown(s);
/**
 * Code spans hold user text verbatim; text a code span cannot hold (a template opener, an HTML comment) is written as
 * escaped text instead, so that the page has no HTML of its own.
 */
const code = (s: string) => (noCodeSpan(s) ? escapeMarkdown(s) : markdownCode(s.replace(/\s+/g, ' ')));

/**
 * Math as Markdown text. A generator copies math through as raw text (kramdown, goldmark with passthrough): a `<` in
 * it opened HTML (`$a<script>…</script>$` in prose, a source-text line `<img onerror=…>`: live tags in the page,
 * a review found), and `{{<`, `{%` template tags (Hugo shortcodes, Liquid) ran. So `<` and `>` are written as the
 * math commands `\lt` and `\gt` (KaTeX and MathJax read them, server- or browser-side alike; entities would reach a
 * server-side KaTeX undecoded), and a template tag's opener (`{{`, `{%`) gets a space, which math mode ignores (a closer alone opens nothing).
 * In text mode (`\text{if a<b}`) `\lt` is an error: there a `<` or `>` is written as math inside the text.
 *
 * Nor can the math end its own delimiter. Until 2026-12-06 a source formula `\text{$$} [click](javascript:…)
 * \text{$$}`, which KaTeX reads, was written as it was inside `$$ … $$`: kramdown ended the math at the inner `$$`
 * and made a javascript: link (a review found it). Display math (`inline` false) now holds no `$` at all: math inside
 * text is written `\( … \)`, a `\$` as `{\char36}`. Inline math, written between `\(` and `\)`, holds no `\)` (nor
 * `\(`): math inside text is written `$ … $` (never `$$`: `{}` keeps two dollars apart), and a `\\` before a
 * parenthesis gets a space.
 */
export function markdownMath(tex: string, inline = false): string {
  const [open, close] = inline ? ['$', '$'] : ['\\(', '\\)'];
  const math = modeSpans(tex, [open, close])
    .map((s) => (s.text ? textModeAngles(s.tex, open, close) : s.tex.replace(/</g, '\\lt ').replace(/>/g, '\\gt ')))
    .join('')
    .replace(/\{(?=[{%])/g, '{ ')
    // A Markdown reader that does not take \( … \) (or $$) for math reads its inside as Markdown (CommonMark, kramdown):
    // `[x](javascript:…)` there was a live link. An empty group after a `]` before `(` or `[` makes no link in any
    // reader and nothing in TeX.
    .replace(/\](?=[([])/g, ']{}');
  return math.replace(/\\(?:[A-Za-z]+|[^A-Za-z])|\$/g, (t, at: number) => {
    if (inline) {
      if (t === '\\(' || t === '\\)') return '$';
      if (t === '\\\\' && /[()]/.test(math[at + 2] ?? '')) return '\\\\ ';
      return (t === '$' || t === '\\$') && math[at + t.length] === '$' ? `${t}{}` : t;
    }
    return t === '\\$' || t === '$' ? '{\\char36}' : t;
  });
}

/**
 * `<` and `>` read in text mode (`\text{if a<b}`): `\lt` there is an error in KaTeX and MathJax alike, so a run of
 * them is written as math inside the text, between `open` and `close` (`$`, or `\(` and `\)`: both are read inside
 * \text).
 */
function textModeAngles(text: string, open: string, close: string): string {
  return text.replace(
    /[<>]+/g,
    (run: string) => `${open}${run.replace(/</g, '\\lt ').replace(/>/g, '\\gt ').trimEnd()}${close}`,
  );
}

const display = (tex: string) => `$$\n${markdownMath(tex.replace(/\n\s*\n/g, '\n'))}\n$$`;
const verdictLine = (c: { verdict: string; ok: boolean; expected: string | null }) =>
  `Verdict: **${c.verdict}**${c.ok ? '' : ` (the file expects ${c.expected})`}`;

/** Prose: text and `\\( … \\)` in a paragraph; display math is a `$$` block of its own between the paragraph's parts. */
function inline(parts: readonly Inline[]): string {
  const out: string[] = [];
  let run: Inline[] = [];
  // a part of the paragraph between display blocks, trimmed before it is escaped (an "1." it starts with stays text)
  const flush = () => {
    const line = run
      .map((p, i) => {
        if (p.kind !== 'text') return `\\(${markdownMath(p.tex.replace(/\s+/g, ' '), true)}\\)`;
        const text = i === 0 ? p.text.trimStart() : p.text;
        return escapeMarkdown(i === run.length - 1 ? text.trimEnd() : text);
      })
      .join('');
    if (line) out.push(line);
    run = [];
  };
  for (const p of parts) {
    if (p.kind !== 'display') run.push(p);
    else {
      flush();
      out.push(display(p.tex));
    }
  }
  flush();
  return out.join('\n\n');
}

function source(text: string, number: string | null): string {
  const renders = (tex: string) => isRenderableMath(tex) && isRenderableMath(markdownMath(tex));
  const tex = looksLikeProse(text) ? null : numberedSource(text, number, renders);
  return tex === null ? `> ${escapeMarkdown(text)}` : display(tex);
}

function counterexample(cx: CounterexampleView): string[] {
  return [
    '**Counterexample**',
    '',
    '| | |',
    '|---|---|',
    ...cx.facts.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
    '',
    '| entry | left side | right side |',
    '|---|---|---|',
    ...cx.entries.map((e, i) => `| ${i + 1} | ${cell(e.lhs)} | ${cell(e.rhs)} |`),
    '',
    `${escapeMarkdown(cx.entriesShown)}. Replay: ${code(cx.replay)}`,
    '',
  ];
}

function repairs(rv: RepairsView): string[] {
  return [
    '**What the author may have meant (repairs)**',
    '',
    ...rv.items.flatMap((r, i) => [`${i + 1}. ${r.verdict}: ${escapeMarkdown(r.words)}`, '', display(r.latex), '']),
    escapeMarkdown(rv.summary),
    '',
  ];
}

function proof(p: ProofView): string[] {
  return [
    `**${p.ok ? 'Proof' : 'Proof attempt (not proved)'}: ${escapeMarkdown(p.title)}**`,
    '',
    ...(p.latex ? [display(p.latex), ''] : []),
    ...p.steps.map((s, i) => `${i + 1}. ${code(s.rule)} ${escapeMarkdown(s.name)}: ${escapeMarkdown(s.text)}`),
    ...(p.steps.length ? [''] : []),
    ...(p.failure ? [escapeMarkdown(p.failure), ''] : []),
  ];
}

function details(c: ClaimView): string[] {
  return [
    ...(c.note ? [`*Note.* ${escapeMarkdown(c.note)}`, ''] : []),
    ...(c.corrects ? [`Corrects ${escapeMarkdown(c.corrects.label)}.`, ''] : []),
    ...c.correctedBy.map((x) => `Corrected by ${escapeMarkdown(x.label)} (${x.verdict}).\n`),
    ...(c.reason ? [`Why unverifiable: ${escapeMarkdown(c.reason)}`, ''] : []),
    ...(c.counterexample ? counterexample(c.counterexample) : []),
    ...(c.repairs ? repairs(c.repairs) : []),
    ...c.proofs.flatMap(proof),
    'Evidence:',
    '',
    ...c.evidence.map((e) => `- *${escapeMarkdown(e.method)}*: ${escapeMarkdown(e.summary)}`),
    '',
  ];
}

function claim(c: ClaimView): string[] {
  const ours = c.forall ? `${c.latex} \\qquad (${c.forall})` : c.latex;
  return [
    `#### ${escapeMarkdown(c.label)}`,
    '',
    verdictLine(c),
    '',
    ...(c.source ? ['As the source writes it:', '', source(c.source, c.number), '', 'As checked:', ''] : []),
    display(ours),
    '',
    ...details(c),
  ];
}

function chain(ch: ChainView): string[] {
  return [
    `#### ${escapeMarkdown(ch.label)}`,
    '',
    `Verdict of the weakest step: **${ch.verdict}** (${escapeMarkdown(ch.outcome)})`,
    '',
    ...(ch.source ? ['As the source writes it:', '', source(ch.source, ch.number), ''] : []),
    display(ch.latex),
    '',
    ...ch.steps.flatMap((s) => [
      `**Step ${s.step}**: ${escapeMarkdown(s.by)}. ${verdictLine(s.claim)}`,
      '',
      ...details(s.claim),
    ]),
  ];
}

/** Plots are files beside the page: `svgFile` names them (null: no plot files, e.g. printing to stdout). */
export type PlotFiles = (svg: string, index: number) => string | null;

function block(b: Block, plots: PlotFiles, counter: { n: number }): string[] {
  switch (b.kind) {
    case 'prose':
      return b.paragraphs.flatMap((p) => [inline(p), '']);
    case 'claim':
      return claim(b.claim);
    case 'chain':
      return chain(b.chain);
    case 'plot': {
      const file = plots(b.plot.svg, ++counter.n);
      const caption = b.plot.caption ? inline(b.plot.caption) : 'plot';
      return file
        ? [`![${escapeMarkdown(b.plot.request.claim)}](${encodeURI(file)})`, '', caption, '']
        : [`*(plot of ${escapeMarkdown(b.plot.request.claim)} omitted: no output file to write it beside)*`, ''];
    }
  }
}

export function markdownDocument(docs: readonly DocumentView[], plots: PlotFiles): string {
  const counter = { n: 0 };
  const out: string[] = [];
  for (const doc of docs) {
    out.push(
      `## ${escapeMarkdown(doc.title)}`,
      '',
      `${code(doc.file)}${doc.source ? ` — source ${code(doc.source)}` : ''} — ${escapeMarkdown(doc.summary)}`,
      '',
      ...doc.intro.flatMap((p) => [inline(p), '']),
      `The model (${escapeMarkdown(doc.model)}):`,
      '',
      display(
        `\\begin{aligned}\n${doc.equations.map((e) => e.replace(' = ', ' &= ')).join(' \\\\\n')}\n\\end{aligned}`,
      ),
      '',
    );
    for (const s of doc.sections) {
      out.push(`### ${escapeMarkdown(s.heading)}`, '');
      for (const b of s.blocks) out.push(...block(b, plots, counter));
    }
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
