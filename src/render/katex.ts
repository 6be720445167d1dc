/**
 * KaTeX for untrusted input: strict (any non-standard LaTeX is an error),
 * `trust: false` — and a command that would need trust (\href, \url,
 * \includegraphics…) is refused outright, since `trust: false` alone renders
 * it silently in red. Errors throw: a page never carries a `.katex-error`.
 */
import { katex } from '../latex/katex-module.js';
import { MACRO_DEFINITIONS } from '../derivation/latex-source.js';

export class MathError extends Error {}

export function renderMath(tex: string, displayMode: boolean): string {
  const refused: string[] = [];
  const trust = (ctx: { command: string }) => {
    refused.push(ctx.command);
    return false;
  };
  let html: string;
  try {
    html = katex().renderToString(tex, {
      displayMode,
      throwOnError: true,
      strict: 'error',
      trust,
      output: 'htmlAndMathml',
      // a user-sized \rule or \kern is capped (\rule{100000em}{100000em} drew a black box over the whole page, a
      // review found); KaTeX caps only from above, so a far negative size is refused below
      maxSize: MAX_USER_SIZE_EM,
      // KaTeX stops at 1000 macro expansions by default (a guard against \def loops): our own macros (\diag, the norms)
      // passed it in one long formula — a chain of 300 steps, 350 diag(…) — and the page failed (a review's). Scaled
      // with the formula's length, a loop is still stopped, after time proportional to the input.
      maxExpand: MIN_EXPANSIONS + tex.length,
    });
  } catch (err) {
    throw new MathError((err as Error).message);
  }
  if (refused.length) throw new MathError(`untrusted KaTeX command(s): ${refused.join(', ')}`);
  const far = farSize(html);
  if (far)
    throw new MathError(
      `a size of ${far} (beyond ±${MAX_LAYOUT_EM}em): a \\kern or \\rule that would move or cover the page`,
    );
  return html;
}

/** macro expansions KaTeX allows a formula beyond one per character of it (its default, 1000) */
const MIN_EXPANSIONS = 1000;
/** ems a user-sized box or space may take (KaTeX's maxSize) */
const MAX_USER_SIZE_EM = 20;
/** ems no formula's own layout reaches (a tall matrix is tens of ems): beyond, a user size moved something off the page */
const MAX_LAYOUT_EM = 500;

/** The first length in the rendered styles beyond ±MAX_LAYOUT_EM ems, or null. */
function farSize(html: string): string | null {
  for (const m of html.matchAll(/(-?\d+(?:\.\d+)?)em/g)) if (Math.abs(Number(m[1])) > MAX_LAYOUT_EM) return m[0];
  return null;
}

/** Whether a string is LaTeX KaTeX accepts under the same rules (a source's formula may be prose instead). */
export function isRenderableMath(tex: string): boolean {
  try {
    renderMath(tex, true);
    return true;
  } catch {
    return false;
  }
}

/**
 * A source's formula as one display. A formula copied out of a source's `align` (`a &= b \\ &= c`, the `&` and `\\`
 * outside any environment of its own) goes in an `aligned` environment, the form KaTeX and amsmath read inside
 * display math: bare, KaTeX refuses the `&` ("Expected 'EOF', got '&'") and pdflatex stops on it ("Misplaced
 * alignment tab character"), and the index-level document showed six such formulas as their LaTeX source (a review's).
 * Any other formula as it is.
 */
export function sourceMath(text: string): string {
  return topLevelAlignment(text) ? `\\begin{aligned}\n${text}\n\\end{aligned}` : text;
}

/** Whether a `&` or `\\` stands outside every \begin … \end (an escaped `\&` is a character, no alignment). */
function topLevelAlignment(tex: string): boolean {
  let depth = 0;
  for (const [token] of tex.matchAll(/\\(?:begin|end)(?![A-Za-z])|\\(?:[A-Za-z]+|[^A-Za-z])|&/g)) {
    if (token === '\\begin') depth++;
    else if (token === '\\end') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (token === '&' || token === '\\\\')) return true;
  }
  return false;
}

/**
 * A source's formula (as sourceMath sets it) displayed with its equation number (`\tag`), where `renders` takes it;
 * the formula alone where only that renders (a source that numbers itself: a second `\tag` is an error, and `render`
 * stopped on it with an internal error, a review found); null where neither does.
 */
export function numberedSource(
  source: string,
  number: string | null,
  renders: (tex: string) => boolean = isRenderableMath,
): string | null {
  const tex = sourceMath(source);
  const tag = number?.replace(/[^0-9A-Za-z.′']/g, '');
  if (tag && renders(`${tex} \\tag{${tag}}`)) return `${tex} \\tag{${tag}}`;
  return renders(tex) ? tex : null;
}

/**
 * A source's own formula is LaTeX or, now and then, a sentence. A sentence
 * (three words in a row, no command) is shown as text: as math it would
 * lose its spaces.
 */
export function looksLikeProse(text: string): boolean {
  return !text.includes('\\') && /[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}/.test(text);
}

/**
 * Commands that define (the same set a formula in a derivation file is refused with), read or write anything in TeX, link out, or exist in
 * KaTeX only (\R, \Bbb…): user LaTeX copied into a .tex file must use none.
 */
const UNSAFE_COMMAND = new RegExp(
  `\\\\(${[...MACRO_DEFINITIONS].join('|')}|csname|catcode|input|include|openin|openout|read|write|immediate|special|href|url|includegraphics|html\\w*|R|N|Z|C|Q|Bbb|bold|textcolor)(?![A-Za-z])`,
);

export function unsafeCommand(tex: string): string | null {
  return UNSAFE_COMMAND.exec(tex)?.[0] ?? null;
}
