/**
 * Stage 2, HTML: one self-contained page per render — KaTeX's CSS with its
 * fonts inlined as data: URIs, plots as inline SVG, a Content-Security-Policy
 * that forbids every fetch, no script. Every piece of user text goes through
 * escapeHtml; every formula through strict KaTeX (./katex.ts).
 */
import type { Verdict } from '../derivation/derivation.js';
import type {
  Block,
  ChainView,
  ClaimView,
  CounterexampleView,
  DocumentView,
  Inline,
  PlotView,
  ProofView,
  RepairsView,
} from './document.js';
import { looksLikeProse, MathError, numberedSource, renderMath } from './katex.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A formula the emitters wrote, typeset; one KaTeX still refuses (a limit of its own) is shown as its LaTeX source,
 * escaped, with KaTeX's words: the page is written either way (it was an internal error, exit 3).
 */
function math(tex: string): string {
  try {
    return `<div class="math">${renderMath(tex, true)}</div>`;
  } catch (err) {
    if (!(err instanceof MathError)) throw err;
    return `<div class="math math-source"><pre><code>${escapeHtml(tex)}</code></pre><p class="note">KaTeX did not typeset this formula (${escapeHtml(err.message)}); its LaTeX is shown.</p></div>`;
  }
}
/** A claim's or chain's element id on the page (ids are unique on a page: see pageAnchors). */
type Anchor = (id: string) => string;

/**
 * Each document's anchor: `c-<id>` on a page of one document; on a page of several, the document's slug first
 * (`<slug>.c-<id>`: two documents may both have a claim `cell-step-total`, and a link must reach its own document's).
 * The slug is the file's name without its extension, lower-case, with no `.` (so the part before the first `.` names
 * the document and the ids are unique); a slug a document before it took gets `-2`, `-3`, … (files of the same name
 * in two folders).
 */
export function pageAnchors(docs: readonly DocumentView[]): Anchor[] {
  if (docs.length === 1) return [(id) => `c-${id}`];
  const taken = new Set<string>();
  return docs.map((d) => {
    const base =
      d.file
        .replace(/^.*[\\/]/, '')
        .replace(/\.ya?ml$/i, '')
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'derivation';
    let slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    taken.add(slug);
    return (id) => `${slug}.c-${id}`;
  });
}
const badge = (v: Verdict) => `<span class="badge v-${v}">${v}</span>`;

/** Prose: text escaped, `$…$` and `$$…$$` through KaTeX (checked when the document was built). */
function inline(parts: readonly Inline[]): string {
  return parts.map((p) => (p.kind === 'text' ? escapeHtml(p.text) : renderMath(p.tex, p.kind === 'display'))).join('');
}

/** The source's formula: LaTeX when KaTeX takes it, else its text as written. */
function sourceFormula(source: string, number: string | null): string {
  const tex = looksLikeProse(source) ? null : numberedSource(source, number);
  return tex === null ? `<blockquote class="source-text">${escapeHtml(source)}</blockquote>` : math(tex);
}

function formulas(source: string | null, number: string | null, ours: string, forall: string | null): string {
  const checked = math(forall ? `${ours} \\qquad (${forall})` : ours);
  if (!source) return `<div class="formulas one"><div class="ours">${checked}</div></div>`;
  return (
    `<div class="formulas"><div class="caption">as the source writes it</div><div class="source">${sourceFormula(source, number)}</div>` +
    `<div class="caption">as checked</div><div class="ours">${checked}</div></div>`
  );
}

function counterexample(cx: CounterexampleView): string {
  const facts = cx.facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const entries = cx.entries
    .map((e, i) => `<tr><td>${i + 1}</td><td>${escapeHtml(e.lhs)}</td><td>${escapeHtml(e.rhs)}</td></tr>`)
    .join('');
  return (
    `<details class="counterexample" open><summary>Counterexample</summary>` +
    `<table class="facts">${facts}</table>` +
    `<table class="entries"><thead><tr><th>entry</th><th>left side</th><th>right side</th></tr></thead><tbody>${entries}</tbody></table>` +
    `<p class="small">${escapeHtml(cx.entriesShown)}. Replay: <code>${escapeHtml(cx.replay)}</code></p></details>`
  );
}

function proof(p: ProofView): string {
  const steps = p.steps
    .map(
      (s) =>
        `<li class="${s.ok ? 'ok' : 'fail'}"><code>${escapeHtml(s.rule)}</code> <b>${escapeHtml(s.name)}</b>: ${escapeHtml(s.text)}</li>`,
    )
    .join('');
  return (
    `<details class="proof"${p.ok ? ' open' : ''}><summary>${escapeHtml(p.ok ? `Proof: ${p.title}` : `Proof attempt: ${p.title} (not proved)`)}</summary>` +
    (p.latex ? math(p.latex) : '') +
    (steps ? `<ol class="rules">${steps}</ol>` : '') +
    (p.failure ? `<p>${escapeHtml(p.failure)}</p>` : '') +
    `</details>`
  );
}

function repairs(rv: RepairsView): string {
  const items = rv.items
    .map((r) => `<li><b>${escapeHtml(r.verdict)}</b>: ${escapeHtml(r.words)}${math(r.latex)}</li>`)
    .join('');
  return (
    `<details class="repairs" open><summary>What the author may have meant (repairs)</summary>` +
    (items ? `<ol>${items}</ol>` : '') +
    `<p class="small">${escapeHtml(rv.summary)}</p></details>`
  );
}

/** Evidence, proofs, the counterexample, repairs and cross-links of a claim (or of a chain step). */
function claimDetails(c: ClaimView, anchor: Anchor): string {
  const evidence = c.evidence.map((e) => `<li><b>${escapeHtml(e.method)}</b>: ${escapeHtml(e.summary)}</li>`).join('');
  const links = [
    ...(c.corrects
      ? [`corrects <a href="#${escapeHtml(anchor(c.corrects.id))}">${escapeHtml(c.corrects.label)}</a>`]
      : []),
    ...c.correctedBy.map(
      (x) =>
        `corrected by <a href="#${escapeHtml(anchor(x.id))}">${escapeHtml(x.label)}</a> (${escapeHtml(x.verdict)})`,
    ),
  ];
  return [
    c.note ? `<p class="note">${escapeHtml(c.note)}</p>` : '',
    links.length ? `<p class="links">${links.join('; ')}</p>` : '',
    c.reason ? `<p class="reason">Why unverifiable: ${escapeHtml(c.reason)}</p>` : '',
    c.counterexample ? counterexample(c.counterexample) : '',
    c.repairs ? repairs(c.repairs) : '',
    ...c.proofs.map(proof),
    `<details class="evidence"><summary>Evidence (${c.evidence.length})</summary><ul>${evidence}</ul>` +
      `<p class="small">claim <code>${escapeHtml(c.id)}</code>: <code>${escapeHtml(c.statement)}</code></p></details>`,
  ].join('');
}

const expectation = (c: ClaimView) =>
  c.ok ? '' : ` <span class="mismatch">the file expects ${escapeHtml(c.expected ?? '')}</span>`;

function claim(c: ClaimView, anchor: Anchor): string {
  return (
    `<section class="claim" id="${escapeHtml(anchor(c.id))}">` +
    `<h4>${badge(c.verdict)} ${escapeHtml(c.label)}${expectation(c)}</h4>` +
    formulas(c.source, c.number, c.latex, c.forall) +
    claimDetails(c, anchor) +
    `</section>`
  );
}

function chain(ch: ChainView, anchor: Anchor): string {
  const steps = ch.steps
    .map(
      (s) =>
        `<li id="${escapeHtml(anchor(s.claim.id))}">${badge(s.claim.verdict)} <b>step ${s.step}</b> ${escapeHtml(s.by)}${expectation(s.claim)}` +
        `<div class="step-details">${claimDetails(s.claim, anchor)}</div></li>`,
    )
    .join('');
  return (
    `<section class="chain" id="${escapeHtml(anchor(ch.id))}">` +
    `<h4>${badge(ch.verdict)} ${escapeHtml(ch.label)} <span class="small">(a chain: each step checked on its own; the badge is its weakest step)</span></h4>` +
    (ch.source
      ? `<div class="formulas"><div class="caption">as the source writes it</div><div class="source">${sourceFormula(ch.source, ch.number)}</div></div>`
      : '') +
    math(ch.latex) +
    `<ol class="steps">${steps}</ol><p class="outcome">${escapeHtml(ch.outcome)}</p></section>`
  );
}

function plot(p: PlotView): string {
  const svg = p.svg.trim();
  // Plots come from vega (./plot.ts), which escapes its text; refuse anything else.
  if (!svg.startsWith('<svg') || !svg.endsWith('</svg>') || /<(script|foreignObject)\b|\bon\w+=/i.test(svg))
    throw new Error('plot: expected a bare <svg> element');
  return `<figure class="plot">${svg}${p.caption ? `<figcaption>${inline(p.caption)}</figcaption>` : ''}</figure>`;
}

function block(b: Block, anchor: Anchor): string {
  switch (b.kind) {
    case 'prose':
      return b.paragraphs.map((p) => `<p>${inline(p)}</p>`).join('\n');
    case 'claim':
      return claim(b.claim, anchor);
    case 'chain':
      return chain(b.chain, anchor);
    case 'plot':
      return plot(b.plot);
  }
}

function article(doc: DocumentView, heading: 'h1' | 'h2', anchor: Anchor): string {
  const sub = heading === 'h1' ? 'h2' : 'h3';
  return [
    `<article>`,
    `<${heading}>${escapeHtml(doc.title)}</${heading}>`,
    `<p class="meta"><code>${escapeHtml(doc.file)}</code>${doc.source ? ` — source <code>${escapeHtml(doc.source)}</code>` : ''} — ${escapeHtml(doc.summary)}</p>`,
    ...doc.intro.map((p) => `<p>${inline(p)}</p>`),
    `<details class="model"${doc.isSolution ? '' : ' open'}><summary>The model: ${escapeHtml(doc.model)}</summary>${math(`\\begin{aligned} ${doc.equations.map((e) => e.replace(' = ', ' &= ')).join(' \\\\ ')} \\end{aligned}`)}</details>`,
    ...doc.sections.flatMap((s) => [
      `<${sub}>${escapeHtml(s.heading)}</${sub}>`,
      ...s.blocks.map((b) => block(b, anchor)),
    ]),
    `</article>`,
  ].join('\n');
}

// KaTeX output uses style attributes ('unsafe-inline' styles); fonts and images only as data: URIs; nothing else.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:";

const PAGE_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:68rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1f}
h1{font-size:1.7rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}h4{margin:.2rem 0 .4rem;font-size:1rem}
.meta,.small{color:#555;font-size:.9em}
.math{overflow-x:auto;overflow-y:hidden;padding:.2rem 0}
section.claim,section.chain{border:1px solid #e2e2e2;border-radius:6px;padding:.6rem .9rem;margin:1rem 0;background:#fcfcfc}
.formulas{display:grid;grid-template-columns:8rem minmax(0,1fr);column-gap:1rem;align-items:center}.formulas.one{grid-template-columns:minmax(0,1fr)}
.caption{font-size:.75em;text-transform:uppercase;letter-spacing:.05em;color:#777}
.source-text{margin:.3rem 0;font-style:italic}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:.05rem .5rem;border-radius:1rem;color:#fff;vertical-align:.1em}
.v-proved{background:#1b7f3b}.v-verified{background:#2f8f5b}.v-consistent{background:#6d7f2a}.v-refuted{background:#b3261e}.v-unverifiable{background:#6b6b6b}
.mismatch{color:#b3261e;font-size:.85em}
.note{color:#333}.outcome{font-style:italic;color:#444}
ol.steps>li{margin:.4rem 0}.step-details{margin-left:1rem;font-size:.95em}
details{margin:.3rem 0}summary{cursor:pointer;color:#254d8f}
table{border-collapse:collapse;margin:.3rem 0;font-size:.9em}th,td{border:1px solid #ddd;padding:.15rem .5rem;text-align:left;font-variant-numeric:tabular-nums}
ol.rules li.fail{color:#b3261e}
figure.plot{margin:1.2rem 0}figure.plot svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#444}
code{font-size:.9em;background:#f1f1f1;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}
@media (max-width:50rem){.formulas{grid-template-columns:minmax(0,1fr)}}
`.trim();

/** The whole page: one article per derivation file. */
export function htmlPage(docs: readonly DocumentView[], katexCss: string): string {
  if (/<\/style/i.test(katexCss)) throw new Error('the KaTeX stylesheet must not contain </style');
  const anchors = pageAnchors(docs);
  const title = docs.length === 1 ? docs[0]!.title : `gradproof: ${docs.length} derivations`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${katexCss}</style>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    ...(docs.length === 1 ? [] : [`<h1>${escapeHtml(title)}</h1>`]),
    ...docs.map((d, i) => article(d, docs.length === 1 ? 'h1' : 'h2', anchors[i]!)),
    `<p class="small">Rendered by gradproof from the checked results: every verdict above is the engine's, with its evidence.</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
