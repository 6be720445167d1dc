/**
 * Stage 2, LaTeX: a standalone amsmath document that pdflatex compiles as it
 * is (packages from Debian's texlive-latex-base/-recommended only). The
 * source's formulas carry the source's own equation numbers (\tag); ours are
 * unnumbered. User text is escaped character by character, Unicode included
 * (pdflatex knows few Unicode characters: tex-unicode.ts spells them); a source formula goes in as LaTeX
 * only when KaTeX accepts it and it defines or reads nothing.
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
import { isRenderableMath, looksLikeProse, sourceMath, unsafeCommand } from './katex.js';
import { modeSpans } from './math-modes.js';
import { spellTex } from './tex-unicode.js';

const ASCII_SPECIALS: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '^': '\\textasciicircum{}',
  _: '\\_',
  '%': '\\%',
  '~': '\\textasciitilde{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
};

/**
 * User text is text: a label, a note, a heading, prose outside `$…$` and a source text that is no formula are set as
 * they read, every LaTeX special escaped (`\ { } $ & # ^ _ % ~`, and `< > |`, which OT1 text fonts set as ¡ ¿ —)
 * and white space, blank lines included, one space. Math is math: a formula KaTeX accepted goes in as LaTeX, its
 * Unicode spelled by mode and its blank lines closed up (see texModes).
 */
export function escapeTex(text: string): string {
  return spellTex(text.replace(/\s+/g, ' '), false, (ch) => ASCII_SPECIALS[ch] ?? ch);
}

/**
 * A source formula goes in as LaTeX when KaTeX renders it strictly, it uses no unsafe command, and nothing in it
 * belongs to a display of its own: KaTeX takes `\tag`, `\begin{equation}`, `\begin{align}` or `\verb` inside math,
 * pdflatex stops on them inside ours (a review compiled them: "Multiple \tag", environments in the wrong mode).
 */
export function texSafeFormula(text: string): boolean {
  return !looksLikeProse(text) && pdflatexReads(text) && isRenderableMath(text);
}

/**
 * Whether LaTeX KaTeX has read compiles in our document: no unsafe command, nothing display-level, nothing KaTeX
 * reads and pdflatex with the preamble's packages and definitions does not.
 */
export function pdflatexReads(tex: string): boolean {
  return unsafeCommand(tex) === null && !DISPLAY_LEVEL.test(tex) && !KATEX_ONLY.test(tex);
}

/**
 * More of KaTeX's own commands that pdflatex with the preamble's packages lacks ("Undefined control sequence"; a
 * review found \lt, \gt and \llbracket in prose stopped it): every command name in KaTeX 0.18's source that KaTeX
 * reads in strict mode, checked with \ifdefined under the preamble on TeX Live 2022, less those KATEX_ONLY names
 * below and those the preamble defines. test/render/tex-katex-macros.test.ts checks the list against KaTeX and pdflatex.
 */
export const KATEX_MACROS_PDFLATEX_LACKS: readonly string[] = `
Bra Braket Colonapprox Coloneq Colonsim Dagger Eqcolon Ket Set angl angln approxcoloncolon arcctg arctg blue
blueA blueB blueC blueD blueE bra braket ch coloncolon coloncolonapprox coloncolonequals coloncolonminus
coloncolonsim colonequals colonminus colonsim cosec cotg ctg cth degree dotsx equalscolon equalscoloncolon goldA
goldB goldC goldD goldE gray grayA grayB grayC grayD grayE grayF grayG grayH grayI green greenA greenB greenC
greenD greenE kaBlue kaGreen ket lBrace mapsfrom maroonA maroonB maroonC maroonD maroonE mathreflectbox mathsfit
mintA mintB mintC minuscolon minuscoloncolon notni omicron orange ordinarycolon overbracket overleftharpoon
overrightharpoon phase pink plim purple purpleA purpleB purpleC purpleD purpleE rBrace ratio red redA redB redC
redD redE sect set sh simcolon simcoloncolon sixptsize tealA tealB tealC tealD tealE tg underbracket varvdots
widecheck xLeftarrow xRightarrow xleftequilibrium xrightequilibrium xrightleftarrows`
  .trim()
  .split(/\s+/);

/** The colours xcolor defines without options: KaTeX reads any name (\color{x}), xcolor stops on one it lacks. */
const XCOLOR_NAMES =
  'red|green|blue|cyan|magenta|yellow|black|gray|white|darkgray|lightgray|brown|lime|olive|orange|pink|purple|teal|violet';

/**
 * What KaTeX reads and pdflatex with amsmath, amssymb and xcolor does not (a review compiled them: "Undefined control
 * sequence", or an environment or column type it lacks): other packages' commands (\bm, \cancel, mathtools' \coloneqq
 * and \mathclap, amscd's CD), KaTeX's own macros (\Alpha, \argmax, \sub, \larr…), \th (OT1 has no thorn), colours
 * xcolor lacks (\color{#f00}, \color{x}), `darray`, `matrix*` and dashed array columns ({c:c}). Such a source formula
 * is quoted as text. KaTeX's \lt, \gt, \lparen, \rparen, \llbracket and \rrbracket are not among them: the preamble
 * defines them.
 */
const KATEX_ONLY = new RegExp(
  [
    String.raw`\\(bm|cancel|bcancel|xcancel|sout|utilde|coloneqq|Coloneqq|coloneq|eqqcolon|Eqqcolon|eqcolon|vcentcolon|dblcolon|approxcolon|colonapprox|mathclap|mathllap|mathrlap|clap|KaTeX|argmax|argmin|Alpha|Beta|Epsilon|Zeta|Eta|Iota|Kappa|Mu|Nu|Omicron|Rho|Tau|Chi|sub|sube|supe|Reals|reals|natnums|Complex|cnums|alef|alefsym|larr|rarr|lrarr|Larr|Rarr|Lrarr|harr|Harr|uarr|darr|Uarr|Darr|lArr|rArr|lrArr|hArr|uArr|dArr|empty|bull|clubs|diamonds|hearts|spades|weierp|image|real|exist|isin|plusmn|sdot|infin|lang|rang|thetasym|Overrightarrow|overgroup|undergroup|overlinesegment|underlinesegment|oiint|oiiint|xleftrightarrow|xLeftrightarrow|xhookleftarrow|xhookrightarrow|xmapsto|xrightharpoondown|xrightharpoonup|xleftharpoondown|xleftharpoonup|xrightleftharpoons|xleftrightharpoons|xlongequal|xtwoheadrightarrow|xtwoheadleftarrow|xtofrom|copyright|minuso|varcoppa|th)(?![A-Za-z])`,
    `\\\\(${KATEX_MACROS_PDFLATEX_LACKS.join('|')})(?![A-Za-z])`,
    String.raw`\\(color|colorbox|fcolorbox|textcolor)\s*\{(?!\s*(${XCOLOR_NAMES})\s*\})`,
    String.raw`\\fcolorbox\s*\{[^{}]*\}\s*\{(?!\s*(${XCOLOR_NAMES})\s*\})`,
    String.raw`\\begin\s*\{\s*(darray|matrix\*|pmatrix\*|bmatrix\*|Bmatrix\*|vmatrix\*|Vmatrix\*|CD|rcases|drcases|dcases)\s*\}`,
    String.raw`\\begin\s*\{\s*array\s*\}\s*\{[^}]*:`,
  ].join('|'),
);

/** What only a display of its own may hold: numbering and labels, display environments, verbatim. */
const DISPLAY_LEVEL =
  /\\(tag|label|nonumber|notag|verb)(?![A-Za-z])|\\begin\s*\{\s*(equation|align|gather|multline|flalign|alignat|eqnarray|split)\*?\s*\}/;

/** Display math scaled down to the line width when it is wider (long chains and products). */
const fit = (tex: string) => `\\fitmath{${tex}}`;
const display = (tex: string, tag: string | null = null) =>
  tag ? `\\begin{equation}\n${fit(texModes(tex))}\\tag{${tag}}\n\\end{equation}` : `\\[\n${fit(texModes(tex))}\n\\]`;

/** pdflatex's text fonts (OT1) set `<`, `>` and `|` as ¡, ¿ and —: in a formula's text mode (\text{a<b}) they are named. */
const TEXT_MODE: Readonly<Record<string, string>> = { '<': '\\textless{}', '>': '\\textgreater{}', '|': '\\textbar{}' };
/**
 * A formula KaTeX accepted, as pdflatex reads it: a blank line in it is a line break (in LaTeX it ends the paragraph,
 * and the math with it: "Missing $ inserted", a review found), Unicode is spelled by the mode it is read in (↦ is
 * \mapsto in math; pdflatex stops on a character it has not set up), and \TeX and \LaTeX, which KaTeX sets in math
 * and LaTeX only in text ("You can't use \spacefactor in math mode"), go in \text.
 */
const texModes = (tex: string) =>
  modeSpans(tex.replace(/\n\s*\n/g, '\n'))
    .map((s) =>
      s.text
        ? spellTex(s.tex, false, (c) => TEXT_MODE[c] ?? c)
        : spellTex(s.tex, true, (c) => c).replace(/\\(La)?TeX(?![A-Za-z])/g, (name) => `\\text{${name}}`),
    )
    .join('');
const badge = (v: string) => `\\verdict{${v}}`;

/**
 * Prose: text escaped, math as LaTeX where pdflatex reads it (KaTeX has checked it); a formula with a command only
 * KaTeX knows is quoted as text, as a source formula is.
 */
function inline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      if (p.kind === 'text') return escapeTex(p.text);
      if (p.kind === 'math')
        return pdflatexReads(p.tex) ? `$${texModes(p.tex)}$` : `\\texttt{${escapeTex(`$${p.tex}$`)}}`;
      return pdflatexReads(p.tex)
        ? `\n${display(p.tex)}\n`
        : `\n\\begin{quote}\\ttfamily ${escapeTex(`$$${p.tex}$$`)}\\end{quote}\n`;
    })
    .join('');
}

function source(text: string, number: string | null): string {
  const tag = number ? number.replace(/[^0-9A-Za-z.]/g, '') : null;
  const tex = sourceMath(text);
  if (!looksLikeProse(text) && texSafeFormula(tex)) return display(tex, tag || null);
  return `\\begin{quote}\\itshape ${escapeTex(text)}\\end{quote}`;
}

function counterexample(cx: CounterexampleView): string {
  return [
    '\\paragraph{Counterexample.}',
    '\\begin{tabular}{ll}',
    ...cx.facts.map(([k, v]) => `${escapeTex(k)} & ${escapeTex(v)} \\\\`),
    '\\end{tabular}\\par\\smallskip',
    '\\begin{tabular}{rll}\\toprule entry & left side & right side \\\\ \\midrule',
    ...cx.entries.map((e, i) => `${i + 1} & ${escapeTex(e.lhs)} & ${escapeTex(e.rhs)} \\\\`),
    '\\bottomrule\\end{tabular}\\par',
    `{\\small ${escapeTex(cx.entriesShown)}. Replay: \\texttt{${escapeTex(cx.replay)}}}\\par`,
  ].join('\n');
}

/** KaTeX reads \textcolor{#rrggbb}; xcolor wants the model named: \textcolor[HTML]{RRGGBB}. */
const xcolor = (tex: string) =>
  tex.replace(/\\textcolor\{#([0-9a-fA-F]{6})\}/g, (_m, hex: string) => `\\textcolor[HTML]{${hex.toUpperCase()}}`);

function repairs(rv: RepairsView): string {
  return [
    '\\paragraph{What the author may have meant (repairs).}',
    ...rv.items.flatMap((r, i) => [`${i + 1}. ${badge(r.verdict)}: ${escapeTex(r.words)}`, display(xcolor(r.latex))]),
    `{\\small ${escapeTex(rv.summary)}}\\par`,
  ].join('\n');
}

function proof(p: ProofView): string {
  return [
    `\\paragraph{${p.ok ? 'Proof' : 'Proof attempt (not proved)'}: ${escapeTex(p.title)}.}`,
    ...(p.latex ? [display(p.latex)] : []),
    ...(p.steps.length
      ? [
          '\\begin{enumerate}\\small',
          ...p.steps.map((s) => `\\item \\texttt{${escapeTex(s.rule)}} ${escapeTex(s.name)}: ${escapeTex(s.text)}`),
          '\\end{enumerate}',
        ]
      : []),
    ...(p.failure ? [`{\\small ${escapeTex(p.failure)}}\\par`] : []),
  ].join('\n');
}

function details(c: ClaimView): string {
  return [
    ...(c.note ? [`\\emph{Note.} ${escapeTex(c.note)}\\par`] : []),
    ...(c.corrects ? [`Corrects ${escapeTex(c.corrects.label)}.\\par`] : []),
    ...c.correctedBy.map((x) => `Corrected by ${escapeTex(x.label)} (${badge(x.verdict)}).\\par`),
    ...(c.reason ? [`Why unverifiable: ${escapeTex(c.reason)}\\par`] : []),
    ...(c.counterexample ? [counterexample(c.counterexample)] : []),
    ...(c.repairs ? [repairs(c.repairs)] : []),
    ...c.proofs.map(proof),
    '\\paragraph{Evidence.}',
    '\\begin{itemize}\\small',
    ...c.evidence.map((e) => `\\item \\emph{${escapeTex(e.method)}}: ${escapeTex(e.summary)}`),
    '\\end{itemize}',
  ].join('\n');
}

const expectation = (c: ClaimView) => (c.ok ? '' : ` (the file expects ${c.expected})`);

function claim(c: ClaimView): string {
  const ours = c.forall ? `${c.latex} \\qquad (${c.forall})` : c.latex;
  return [
    `\\subsubsection*{${badge(c.verdict)} ${escapeTex(c.label)}${escapeTex(expectation(c))}}`,
    ...(c.source ? ['As the source writes it:', source(c.source, c.number), 'As checked:'] : []),
    display(ours),
    details(c),
  ].join('\n');
}

function chain(ch: ChainView): string {
  return [
    `\\subsubsection*{${badge(ch.verdict)} ${escapeTex(ch.label)}}`,
    `{\\small A chain: each step is checked on its own; the verdict is its weakest step's. ${escapeTex(ch.outcome)}.}\\par`,
    ...(ch.source ? ['As the source writes it:', source(ch.source, ch.number)] : []),
    display(ch.latex),
    ...ch.steps.map(
      (s) =>
        `\\paragraph{Step ${s.step} ${badge(s.claim.verdict)}}${escapeTex(expectation(s.claim))} ${escapeTex(s.by)}.\\par\n${details(s.claim)}`,
    ),
  ].join('\n');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'prose':
      return b.paragraphs.map((p) => `${inline(p)}\\par`).join('\n\n');
    case 'claim':
      return claim(b.claim);
    case 'chain':
      return chain(b.chain);
    case 'plot':
      // pdflatex cannot include SVG without a converter: the caption says what the HTML page shows.
      return `\\begin{quote}\\small [Plot of ${escapeTex(b.plot.request.claim)} over ${escapeTex(b.plot.request.over)}: see the HTML rendering or \\texttt{gradproof plot}.] ${b.plot.caption ? inline(b.plot.caption) : ''}\\end{quote}`;
  }
}

export const PREAMBLE = String.raw`\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage{booktabs}
\usepackage{xcolor}
\usepackage[margin=2.2cm]{geometry}
\usepackage[hidelinks]{hyperref}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5ex}
% Display math wider than the line is scaled down to it.
\newcommand{\fitmath}[1]{\sbox0{$\displaystyle #1$}\ifdim\wd0>\dimexpr\linewidth-4em\relax\resizebox{\dimexpr\linewidth-4em\relax}{!}{\usebox0}\else\usebox0\fi}
\newcommand{\verdict}[1]{\fbox{\footnotesize\textsf{#1}}}
% KaTeX knows \mathscr; mathrsfs's fonts are not in texlive-latex-base/-recommended, so calligraphic stands in.
\providecommand{\mathscr}{\mathcal}
% KaTeX's own spellings of < > ( ) and stmaryrd's brackets (not in texlive-latex-base/-recommended either).
\providecommand{\lt}{<}
\providecommand{\gt}{>}
\providecommand{\lparen}{(}
\providecommand{\rparen}{)}
\providecommand{\llbracket}{\mathopen{[\mkern-3mu[}}
\providecommand{\rrbracket}{\mathclose{]\mkern-3mu]}}`;

export function texDocument(docs: readonly DocumentView[]): string {
  const title = docs.length === 1 ? docs[0]!.title : `gradproof: ${docs.length} derivations`;
  const body = docs.map((doc) =>
    [
      ...(docs.length > 1 ? [`\\section*{${escapeTex(doc.title)}}`] : []),
      `{\\small \\texttt{${escapeTex(doc.file)}}${doc.source ? ` --- source \\texttt{${escapeTex(doc.source)}}` : ''} --- ${escapeTex(doc.summary)}}\\par`,
      ...doc.intro.map((p) => `${inline(p)}\\par`),
      `\\paragraph{The model (${escapeTex(doc.model)}).}`,
      display(
        `\\begin{aligned}\n${doc.equations.map((e) => e.replace(' = ', ' &= ')).join(' \\\\\n')}\n\\end{aligned}`,
      ),
      ...doc.sections.flatMap((s) => [
        `\\${docs.length > 1 ? 'subsection' : 'section'}*{${escapeTex(s.heading)}}`,
        ...s.blocks.map(block),
      ]),
    ].join('\n\n'),
  );
  return [
    PREAMBLE,
    `\\title{${escapeTex(title)}}`,
    '\\date{}',
    '\\begin{document}',
    '\\maketitle',
    ...body,
    '\\end{document}',
    '',
  ].join('\n\n');
}
